"""The emulated API Gateway (dev/gateway.py) served over HTTP: an ASGI app that hands each
request to the gateway, in a worker thread (the functions answer synchronously), and calls
`on_shutdown` when the server stops."""

from __future__ import annotations

from collections.abc import Callable

from starlette.concurrency import run_in_threadpool
from starlette.types import Message, Receive, Scope, Send

from dev.gateway import HttpApiGateway, Request


class GatewayApp:
    def __init__(self, gateway: HttpApiGateway, on_shutdown: Callable[[], None]) -> None:
        self.gateway = gateway
        self.on_shutdown = on_shutdown

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        client = scope.get("client") or ("127.0.0.1", 0)
        request = Request(
            scope["method"],
            scope["path"],
            scope["query_string"].decode("latin-1"),
            [(name.decode("latin-1"), value.decode("latin-1")) for name, value in scope["headers"]],
            body,
            client[0],
        )
        answer = await run_in_threadpool(self.gateway, request)
        headers = [
            (name.encode("latin-1"), value.encode("latin-1")) for name, value in answer.headers
        ]
        await send({"type": "http.response.start", "status": answer.status, "headers": headers})
        await send({"type": "http.response.body", "body": answer.body})

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message: Message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await run_in_threadpool(self.on_shutdown)
                await send({"type": "lifespan.shutdown.complete"})
                return
