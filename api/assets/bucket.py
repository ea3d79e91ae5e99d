"""The assets bucket in S3: presigned transfers, HeadObject, conditional CopyObject and
DeleteObject."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from api.assets.service import ObjectStorage, StoredObject
from api.aws.clients import aws_client
from api.aws.faults import translating_faults
from api.settings import Settings

ASSETS_BUCKET = "assets"
_MISSING = frozenset({"404", "NoSuchKey", "NotFound"})
# A conditional CopyObject that copied nothing: the source's ETag differs (412), the target
# exists (412), the source is gone (404), or another conditional write to the target was
# under way (409 ConditionalRequestConflict).
_NOT_COPIED = _MISSING | {"412", "PreconditionFailed", "409", "ConditionalRequestConflict"}


class S3ObjectStorage(ObjectStorage):
    """Objects in one S3 bucket; the S3 client is built on first use, once per process."""

    def __init__(self, settings: Settings) -> None:
        self._bucket = settings.bucket(ASSETS_BUCKET)
        self._settings = settings

    @property
    def _client(self) -> Any:
        return aws_client("s3", self._settings)

    def presign_upload(
        self, key: str, content_type: str, size: int, expires_in: int
    ) -> tuple[str, dict[str, str]]:
        post = self._client.generate_presigned_post(
            Bucket=self._bucket,
            Key=key,
            Fields={"Content-Type": content_type},
            Conditions=[
                {"Content-Type": content_type},
                ["content-length-range", size, size],
            ],
            ExpiresIn=expires_in,
        )
        return post["url"], post["fields"]

    def presign_download(
        self, key: str, content_type: str, disposition: str, expires_in: int
    ) -> str:
        url: str = self._client.generate_presigned_url(
            "get_object",
            Params={
                "Bucket": self._bucket,
                "Key": key,
                "ResponseContentType": content_type,
                "ResponseContentDisposition": disposition,
            },
            ExpiresIn=expires_in,
        )
        return url

    @translating_faults
    def head(self, key: str) -> StoredObject | None:
        try:
            head = self._client.head_object(Bucket=self._bucket, Key=key)
        except ClientError as exc:
            if _code(exc) in _MISSING:
                return None
            raise
        return StoredObject(
            size=head["ContentLength"],
            content_type=head.get("ContentType", ""),
            etag=head["ETag"],
        )

    @translating_faults
    def copy(self, source: str, target: str, *, source_etag: str) -> bool:
        try:
            self._client.copy_object(
                Bucket=self._bucket,
                Key=target,
                CopySource={"Bucket": self._bucket, "Key": source},
                CopySourceIfMatch=source_etag,
                IfNoneMatch="*",
            )
        except ClientError as exc:
            if _code(exc) in _NOT_COPIED:
                return False
            raise
        return True

    @translating_faults
    def delete(self, key: str) -> None:
        self._client.delete_object(Bucket=self._bucket, Key=key)


def _code(exc: ClientError) -> str | None:
    code: str | None = exc.response.get("Error", {}).get("Code")
    return code
