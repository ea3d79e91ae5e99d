"""`make run`'s server in a subprocess on free ports, as a user runs it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from api.paths import ROOT
from dev.issuer import local_issuer


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class LocalServer:
    url: str
    emulator_url: str
    process: subprocess.Popen[bytes]
    log: Path

    def output(self) -> str:
        """Everything the server has printed so far."""
        return self.log.read_text(encoding="utf-8", errors="replace")

    @property
    def port(self) -> int:
        return int(self.url.rsplit(":", 1)[1])

    def token(self, subject: str = "admin", *, admin: bool = True) -> str:
        """A token that this server accepts, as `make token` prints it."""
        return local_issuer(self.port).token(subject, admin=admin)

    def client(self, subject: str = "admin", *, admin: bool = True) -> httpx.Client:
        """An HTTP client calling the server as `subject` (an administrator by default)."""
        auth = {"Authorization": f"Bearer {self.token(subject, admin=admin)}"}
        return httpx.Client(base_url=self.url, headers=auth, timeout=30)


@contextmanager
def local_server(**environment: str) -> Iterator[LocalServer]:
    """`python -m dev.server` with its default settings (tables Users, Assets; bucket
    assets) and `environment` on free ports; stopped with SIGTERM, or killed if it will not
    stop."""
    port, emulator_port = free_port(), free_port()
    env = {**os.environ, **environment, "PORT": str(port), "EMULATOR_PORT": str(emulator_port)}
    # Output goes to a file: a pipe nobody reads fills up and blocks the server.
    log = tempfile.NamedTemporaryFile(prefix="local-server-", suffix=".log", delete=False)  # noqa: SIM115
    process = subprocess.Popen(
        [sys.executable, "-m", "dev.server"], cwd=ROOT, env=env, stdout=log, stderr=log
    )
    server = LocalServer(
        f"http://127.0.0.1:{port}", f"http://127.0.0.1:{emulator_port}", process, Path(log.name)
    )
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"{server.url}/health", timeout=1).status_code == 200:
                break
        except httpx.TransportError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError(f"the local server did not start: {server.output()}") from None
            time.sleep(0.1)
    try:
        yield server
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        log.close()
        server.log.unlink()
