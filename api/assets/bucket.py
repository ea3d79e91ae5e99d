"""The assets bucket in S3: presigned transfers, HeadObject and DeleteObject."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from api.assets.service import ObjectStorage, StoredObject
from api.aws.clients import aws_client
from api.aws.faults import translating_faults
from api.settings import Settings

ASSETS_BUCKET = "assets"


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
            if exc.response.get("Error", {}).get("Code") in {"404", "NoSuchKey", "NotFound"}:
                return None
            raise
        return StoredObject(size=head["ContentLength"], content_type=head.get("ContentType", ""))

    @translating_faults
    def delete(self, key: str) -> None:
        self._client.delete_object(Bucket=self._bucket, Key=key)
