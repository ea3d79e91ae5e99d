"""S3's preconditions on CopyObject, which moto skips: a WSGI layer in front of moto that
answers 412 PreconditionFailed, as S3 does, when `x-amz-copy-source-if-match` names another
ETag than the source's, or `If-None-Match: *` finds an object at the target; other requests
pass as they are. It must run where requests are served one at a time (the emulator's lock),
so that no write comes between its check and the copy, as none can in S3."""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote, unquote, urlparse

from dev.s3_post_policy import Refusal, StartResponse, WsgiApp, error_response

# The headers of a copy that must not reach the HEAD requests made to check it.
_COPY_HEADERS = ("HTTP_X_AMZ_COPY_SOURCE", "HTTP_IF_", "HTTP_CONTENT_MD5", "HTTP_X_AMZ_CHECKSUM")


class CopyConditionsLayer:
    """In front of a WSGI S3 (moto): CopyObject's ETag and existence preconditions."""

    def __init__(self, app: WsgiApp) -> None:
        self._app = app

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        source = environ.get("HTTP_X_AMZ_COPY_SOURCE")
        if environ.get("REQUEST_METHOD") != "PUT" or source is None:
            return self._app(environ, start_response)
        if_match = environ.get("HTTP_X_AMZ_COPY_SOURCE_IF_MATCH")
        if if_match is not None:
            etag = self._etag(environ, "/" + unquote(urlparse(source).path).lstrip("/"))
            # A missing source is moto's to answer (404 NoSuchKey), as S3 does.
            if etag is not None and etag.strip('"') != if_match.strip('"'):
                return _precondition_failed("x-amz-copy-source-If-Match", start_response)
        if environ.get("HTTP_IF_NONE_MATCH") == "*":
            target = environ.get("PATH_INFO", "")
            if self._etag(environ, target) is not None:
                return _precondition_failed("If-None-Match", start_response)
        return self._app(environ, start_response)

    def _etag(self, environ: dict[str, Any], path: str) -> str | None:
        """The ETag of the object at `path` (`/bucket/key`), as a HEAD to moto answers it;
        None if there is none."""
        head = {key: value for key, value in environ.items() if not key.startswith(_COPY_HEADERS)}
        raw = quote(path, safe="/")
        head.update(
            {
                "REQUEST_METHOD": "HEAD",
                "PATH_INFO": path,
                "RAW_URI": raw,
                "REQUEST_URI": raw,
                "QUERY_STRING": "",
                "CONTENT_LENGTH": "0",
                "wsgi.input": io.BytesIO(b""),
            }
        )
        head.pop("CONTENT_TYPE", None)
        answer: dict[str, Any] = {}

        def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
            answer["status"] = int(status.split()[0])
            answer["headers"] = {name.lower(): value for name, value in headers}

        body = self._app(head, start)
        try:
            for _ in body:
                pass
        finally:
            getattr(body, "close", lambda: None)()
        if answer.get("status") != 200:
            return None
        etag: str | None = answer["headers"].get("etag")
        return etag


def _precondition_failed(condition: str, start_response: StartResponse) -> list[bytes]:
    refusal = Refusal(
        412,
        "PreconditionFailed",
        "At least one of the pre-conditions you specified did not hold",
        (("Condition", condition),),
    )
    return error_response(refusal, start_response)
