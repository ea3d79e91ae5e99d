"""S3's checks of a browser-based POST upload, which moto skips: a WSGI layer in front of moto
that refuses what S3 refuses, answering as S3 does, and passes the rest on.

What S3 checks ("Browser-Based Uploads Using POST", "Creating a POST Policy", SigV4): the
form has a policy signed with the key derived from the secret of its `x-amz-credential`
(date, region, service `s3`); the policy has not expired; every condition holds (`bucket`,
exact or `starts-with` matches of fields such as `key`, `Content-Type` and each `x-amz-*`,
`content-length-range` on the file's size); every field but `policy`, `x-amz-signature`,
`file` and `x-ignore-*` is named by a condition; the file comes last (fields after it are
ignored). Not done: `${filename}` in the key, SigV2 forms (refused, as S3 refuses them on
buckets made since 2020), the region of the credential.
"""

from __future__ import annotations

import base64
import binascii
import calendar
import hashlib
import hmac
import io
import json
import re
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import escape

from werkzeug.http import parse_options_header
from werkzeug.sansio.multipart import Data, Epilogue, Field, File, MultipartDecoder, NeedData

Clock = Callable[[], float]
StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]
ALGORITHM = "AWS4-HMAC-SHA256"
# Fields no condition needs to name.
UNCONDITIONED = frozenset({"policy", "x-amz-signature", "file"})
_EXPIRATION = re.compile(r"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.\d+)?Z")


@dataclass(frozen=True)
class Refusal(Exception):
    """What S3 answers a POST upload it refuses: a status, its error code and message."""

    status: int
    code: str
    message: str
    details: tuple[tuple[str, str], ...] = ()


@dataclass
class PostForm:
    """A POST upload's form: the fields before the file, in order, and the file."""

    fields: list[tuple[str, str]] = field(default_factory=list)
    file: bytes | None = None
    file_name: str = ""
    file_type: str | None = None

    def value(self, name: str) -> str | None:
        """The field's value (several with one name are joined by commas, as S3 joins
        them), or None if there is no such field; names are matched in any case."""
        values = [value for key, value in self.fields if key.lower() == name]
        return ",".join(values) if values else None

    def names(self) -> set[str]:
        return {key.lower() for key, _ in self.fields}

    def encoded(self) -> tuple[bytes, str]:
        """The form as multipart/form-data again, the file last; and its Content-Type."""
        boundary = uuid.uuid4().hex
        parts = [
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name.lower()}"\r\n\r\n'
            f"{value}\r\n".encode()
            for name, value in self.fields
        ]
        file_type = self.file_type or "application/octet-stream"
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
            f'filename="{self.file_name}"\r\nContent-Type: {file_type}\r\n\r\n'.encode()
            + (self.file or b"")
            + f"\r\n--{boundary}--\r\n".encode()
        )
        return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def signing_key(secret: str, date: str, region: str, service: str = "s3") -> bytes:
    """SigV4's signing key: the secret, HMAC'ed with the scope's date, region and service."""
    key = ("AWS4" + secret).encode()
    for part in (date, region, service, "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return key


def policy_signature(secret: str, date: str, region: str, policy: str) -> str:
    """The `x-amz-signature` of a POST policy: HMAC-SHA256 of the base64 policy, in hex."""
    return hmac.new(signing_key(secret, date, region), policy.encode(), hashlib.sha256).hexdigest()


class PostPolicyLayer:
    """In front of a WSGI S3 (moto): multipart POSTs to a bucket are checked as S3 checks a
    browser-based upload, refused as S3 refuses them, or passed on; all else passes as is.
    `credentials` are the access keys it knows, with their secrets."""

    def __init__(
        self, app: WsgiApp, credentials: Mapping[str, str], clock: Clock = time.time
    ) -> None:
        self._app = app
        self._credentials = dict(credentials)
        self._clock = clock

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        bucket = _upload_bucket(environ)
        if bucket is None:
            return self._app(environ, start_response)
        try:
            form = self.checked(bucket, _read_form(environ))
        except Refusal as refusal:
            return error_response(refusal, start_response)
        body, content_type = form.encoded()
        forwarded = {
            **environ,
            "wsgi.input": io.BytesIO(body),
            "CONTENT_LENGTH": str(len(body)),
            "CONTENT_TYPE": content_type,
        }
        return self._app(forwarded, start_response)

    def checked(self, bucket: str, form: PostForm) -> PostForm:
        """The form, if S3 would store its file in `bucket`; Refusal otherwise."""
        if form.file is None:
            raise Refusal(
                400, "InvalidArgument", "POST requires exactly one file upload per request."
            )
        policy = form.value("policy")
        if policy is None:
            raise Refusal(403, "AccessDenied", "Access Denied")  # anonymous: not a public bucket
        if form.value("x-amz-algorithm") != ALGORITHM:
            if form.value("awsaccesskeyid") is not None:
                raise Refusal(
                    400,
                    "InvalidRequest",
                    "The authorization mechanism you have provided is not supported. "
                    f"Please use {ALGORITHM}.",
                )
            raise _missing("x-amz-algorithm")
        for name in ("key", "x-amz-credential", "x-amz-date", "x-amz-signature"):
            if form.value(name) is None:
                raise _missing(name)
        self._verify_signature(form, policy)
        document = _policy_document(policy)
        if self._clock() >= _expiration(document["expiration"]):
            raise Refusal(403, "AccessDenied", "Invalid according to Policy: Policy expired.")
        _check_conditions(document["conditions"], bucket, form)
        return form

    def _verify_signature(self, form: PostForm, policy: str) -> None:
        credential = form.value("x-amz-credential") or ""
        scope = credential.split("/")
        if len(scope) != 5 or scope[3] != "s3" or scope[4] != "aws4_request":
            raise Refusal(
                400,
                "InvalidArgument",
                "Error parsing the X-Amz-Credential parameter; the Credential is mal-formed; "
                'expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".',
                (("ArgumentName", "x-amz-credential"), ("ArgumentValue", credential)),
            )
        access_key, date, region = scope[:3]
        secret = self._credentials.get(access_key)
        if secret is None:
            raise Refusal(
                403,
                "InvalidAccessKeyId",
                "The AWS Access Key Id you provided does not exist in our records.",
                (("AWSAccessKeyId", access_key),),
            )
        expected = policy_signature(secret, date, region, policy)
        if not hmac.compare_digest(expected, form.value("x-amz-signature") or ""):
            raise Refusal(
                403,
                "SignatureDoesNotMatch",
                "The request signature we calculated does not match the signature you "
                "provided. Check your key and signing method.",
                (("AWSAccessKeyId", access_key), ("StringToSign", policy)),
            )


def _missing(name: str) -> Refusal:
    return Refusal(
        400,
        "InvalidArgument",
        f"Bucket POST must contain a field named '{name}'.  If it is specified, please check "
        "the order of the fields.",
        (("ArgumentName", name), ("ArgumentValue", "")),
    )


def _invalid_policy(why: str) -> Refusal:
    return Refusal(400, "InvalidPolicyDocument", f"Invalid Policy: {why}")


def _policy_document(policy: str) -> dict[str, Any]:
    try:
        document = json.loads(base64.b64decode(policy, validate=True))
    except (binascii.Error, ValueError) as exc:
        raise _invalid_policy("Invalid JSON.") from exc
    if not isinstance(document, dict):
        raise _invalid_policy("Invalid JSON.")
    if not isinstance(document.get("expiration"), str):
        raise _invalid_policy("Policy missing expiration.")
    if not isinstance(document.get("conditions"), list):
        raise _invalid_policy("Policy missing conditions.")
    return document


def _expiration(value: str) -> int:
    """Epoch seconds of the policy's `expiration` (ISO 8601, UTC)."""
    match = _EXPIRATION.fullmatch(value)
    if match is None:
        raise _invalid_policy("Invalid 'expiration' value: '" + value + "'")
    return calendar.timegm(tuple(int(part) for part in match.groups()))


def _check_conditions(conditions: list[Any], bucket: str, form: PostForm) -> None:
    named: set[str] = set()
    sizes: list[tuple[int, int]] = []
    for condition in conditions:
        if isinstance(condition, dict) and len(condition) == 1:
            ((field_name, expected),) = condition.items()
            operator, field_name = "eq", str(field_name)
        elif (
            isinstance(condition, list)
            and len(condition) == 3
            and str(condition[0]).lower() == "content-length-range"
        ):
            low, high = condition[1], condition[2]
            if not all(isinstance(n, int) and not isinstance(n, bool) for n in (low, high)):
                raise _invalid_policy(f"Invalid content-length-range: {json.dumps(condition)}")
            sizes.append((low, high))
            continue
        elif (
            isinstance(condition, list)
            and len(condition) == 3
            and str(condition[0]).lower() in ("eq", "starts-with")
            and isinstance(condition[1], str)
            and condition[1].startswith("$")
        ):
            operator, field_name, expected = (
                str(condition[0]).lower(),
                condition[1][1:],
                condition[2],
            )
        else:
            raise _invalid_policy(f"Invalid Condition: {json.dumps(condition)}")
        name = field_name.lower()  # form fields are matched in any case
        named.add(name)
        actual = bucket if name == "bucket" else (form.value(name) or "")
        holds = actual == expected if operator == "eq" else actual.startswith(str(expected))
        if not holds:
            shown = json.dumps([operator, "$" + field_name, expected])
            raise Refusal(
                403,
                "AccessDenied",
                f"Invalid according to Policy: Policy Condition failed: {shown}",
            )
    extra = sorted(
        name for name in form.names() - named - UNCONDITIONED if not name.startswith("x-ignore-")
    )
    if extra:
        raise Refusal(
            403, "AccessDenied", f"Invalid according to Policy: Extra input fields: {extra[0]}"
        )
    size = len(form.file or b"")
    for low, high in sizes:
        if size < low:
            raise Refusal(
                400,
                "EntityTooSmall",
                "Your proposed upload is smaller than the minimum allowed size",
                (("ProposedSize", str(size)), ("MinSizeAllowed", str(low))),
            )
        if size > high:
            raise Refusal(
                400,
                "EntityTooLarge",
                "Your proposed upload exceeds the maximum allowed size",
                (("ProposedSize", str(size)), ("MaxSizeAllowed", str(high))),
            )


def _upload_bucket(environ: Mapping[str, Any]) -> str | None:
    """The bucket a multipart/form-data POST goes to (path style, or virtual-hosted), or None
    for any other request."""
    if environ.get("REQUEST_METHOD") != "POST":
        return None
    media_type, _ = parse_options_header(environ.get("CONTENT_TYPE", ""))
    if media_type.lower() != "multipart/form-data":
        return None
    path = environ.get("PATH_INFO", "").strip("/")
    if path:
        return None if "/" in path else path
    host = environ.get("HTTP_HOST", "").split(":")[0]
    label, dot, _ = host.partition(".")
    return label if dot and not label.isdigit() else None


def _read_form(environ: Mapping[str, Any]) -> PostForm:
    """The form of a multipart POST, read whole; fields after the file are dropped, as S3
    ignores them."""
    length = environ.get("CONTENT_LENGTH")
    if not length:
        raise Refusal(
            411, "MissingContentLength", "You must provide the Content-Length HTTP header."
        )
    body = environ["wsgi.input"].read(int(length))
    _, options = parse_options_header(environ.get("CONTENT_TYPE", ""))
    boundary = options.get("boundary", "")
    if not boundary:
        raise Refusal(
            400,
            "MalformedPOSTRequest",
            "The body of your POST request is not well-formed multipart/form-data.",
        )
    decoder = MultipartDecoder(boundary.encode())
    decoder.receive_data(body)
    decoder.receive_data(None)
    form = PostForm()
    name: str | None = None
    chunks: list[bytes] = []
    in_file = False
    try:
        while True:
            event = decoder.next_event()
            if isinstance(event, (Epilogue, NeedData)):
                break
            if isinstance(event, (Field, File)):
                name, in_file, chunks = event.name, event.name.lower() == "file", []
                if in_file and isinstance(event, File):
                    form.file_name = event.filename
                    form.file_type = event.headers.get("Content-Type")
            elif isinstance(event, Data):
                chunks.append(event.data)
                if event.more_data or name is None:
                    continue
                if in_file:
                    form.file = b"".join(chunks)
                    break
                form.fields.append((name, b"".join(chunks).decode("utf-8", "replace")))
    except ValueError as exc:
        raise Refusal(
            400,
            "MalformedPOSTRequest",
            "The body of your POST request is not well-formed multipart/form-data.",
        ) from exc
    return form


def error_response(refusal: Refusal, start_response: StartResponse) -> list[bytes]:
    """S3's answer to a refused request: its XML error document."""
    details = "".join(f"<{tag}>{escape(value)}</{tag}>" for tag, value in refusal.details)
    request_id = uuid.uuid4().hex[:16].upper()
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<Error><Code>{refusal.code}</Code><Message>{escape(refusal.message)}</Message>"
        f"{details}<RequestId>{request_id}</RequestId><HostId>emulator</HostId></Error>"
    ).encode()
    start_response(
        f"{refusal.status} {_REASONS.get(refusal.status, 'Error')}",
        [("Content-Type", "application/xml"), ("Content-Length", str(len(body)))],
    )
    return [body]


_REASONS = {
    400: "Bad Request",
    403: "Forbidden",
    411: "Length Required",
    412: "Precondition Failed",
}
