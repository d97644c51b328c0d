"""The documents' bytes in an S3-compatible object store (AWS S3, MinIO, Ceph, Scaleway...):
the production option (DOCUMENT_BACKEND=s3). An upload goes to a staging key as a multipart
upload, part by part as it arrives; once whole and hashed it is copied, server-side, to its
content address (documents/ab/abcd...), under object lock retention where the bucket has it,
and the staging object is removed; a failure aborts the multipart upload: nothing is left.
boto3 is synchronous: each call runs in a thread, off the event loop."""

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg

from settings import Settings

from .backends import Staging

PART = 8 << 20  # S3's parts are 5 MB at least (but the last)
COPY_MAX = 5 << 30  # CopyObject copies up to 5 GB in one request


def key_of(sha256: str) -> str:
    return f"documents/{sha256[:2]}/{sha256}"


class _S3Staging:
    def __init__(self, backend: "S3Backend") -> None:
        self.s3, self.bucket = backend.client, backend.bucket
        self.backend = backend
        self.key = f"staging/{uuid.uuid4()}"
        self.buffer = bytearray()
        self.upload_id: str | None = None
        self.parts: list[dict[str, Any]] = []
        self.size = 0

    async def _call(self, name: str, **kwargs: Any) -> Any:
        return await asyncio.to_thread(getattr(self.s3, name), **kwargs)

    async def _part(self, data: bytes) -> None:
        if self.upload_id is None:
            started = await self._call("create_multipart_upload", Bucket=self.bucket,
                                       Key=self.key)
            self.upload_id = started["UploadId"]
        n = len(self.parts) + 1
        done = await self._call("upload_part", Bucket=self.bucket, Key=self.key,
                                UploadId=self.upload_id, PartNumber=n, Body=data)
        self.parts.append({"PartNumber": n, "ETag": done["ETag"]})

    async def write(self, data: bytes) -> None:
        self.size += len(data)
        self.buffer += data
        while len(self.buffer) >= PART:
            await self._part(bytes(self.buffer[:PART]))
            del self.buffer[:PART]

    async def keep(self, sha256: str, new: bool) -> None:
        final = key_of(sha256)
        if not new:
            await self.abort()
            return
        if self.upload_id is None:  # a small file: one request, straight to its address
            await self._call("put_object", Bucket=self.bucket, Key=final,
                             Body=bytes(self.buffer), **self.backend.lock_args())
            self.buffer.clear()
            return
        if self.buffer:
            await self._part(bytes(self.buffer))
            self.buffer.clear()
        await self._call("complete_multipart_upload", Bucket=self.bucket, Key=self.key,
                         UploadId=self.upload_id, MultipartUpload={"Parts": self.parts})
        self.upload_id = None
        source = {"Bucket": self.bucket, "Key": self.key}
        if self.size <= COPY_MAX:  # server-side, in one request
            await self._call("copy_object", Bucket=self.bucket, Key=final, CopySource=source)
        else:  # boto3's managed copy: server-side, in parts
            await asyncio.to_thread(self.s3.copy, source, self.bucket, final)
        if lock := self.backend.lock_args():  # the copy's retention, set on its own
            await self._call("put_object_retention", Bucket=self.bucket, Key=final,
                             Retention={"Mode": lock["ObjectLockMode"],
                                        "RetainUntilDate": lock["ObjectLockRetainUntilDate"]})
        await self._call("delete_object", Bucket=self.bucket, Key=self.key)

    async def abort(self) -> None:
        if self.upload_id is not None:
            await self._call("abort_multipart_upload", Bucket=self.bucket, Key=self.key,
                             UploadId=self.upload_id)
            self.upload_id = None


class S3Backend:
    name = "s3"

    def __init__(self, client: Any, bucket: str, retention_days: int = 0) -> None:
        self.client, self.bucket, self.retention_days = client, bucket, retention_days

    @classmethod
    def from_settings(cls, settings: Settings) -> "S3Backend":
        import boto3

        if not settings.s3_bucket:
            raise ValueError("DOCUMENT_BACKEND=s3 needs S3_BUCKET")
        secret = settings.s3_secret_access_key
        client = boto3.client(
            "s3", endpoint_url=settings.s3_endpoint_url, region_name=settings.s3_region,
            aws_access_key_id=settings.s3_access_key_id,
            aws_secret_access_key=secret.get_secret_value() if secret else None)
        return cls(client, settings.s3_bucket, settings.s3_retention_days)

    def lock_args(self) -> dict[str, Any]:
        """Object lock in COMPLIANCE mode: nobody, root included, deletes or overwrites the
        file before its date (S3 Object Lock; the bucket must have been created with it)."""
        if not self.retention_days:
            return {}
        return {"ObjectLockMode": "COMPLIANCE", "ObjectLockRetainUntilDate":
                datetime.now(UTC) + timedelta(days=self.retention_days)}

    @asynccontextmanager
    async def staging(self, conn: asyncpg.Connection) -> AsyncIterator[Staging]:
        staging = _S3Staging(self)
        try:
            yield staging
        except BaseException:
            await asyncio.shield(staging.abort())
            raise

    async def read(self, sha256: str) -> AsyncIterator[bytes]:
        try:
            got = await asyncio.to_thread(self.client.get_object, Bucket=self.bucket,
                                          Key=key_of(sha256))
        except self.client.exceptions.NoSuchKey:
            raise FileNotFoundError(sha256) from None
        body = got["Body"]
        try:
            while data := await asyncio.to_thread(body.read, 1 << 20):
                yield data
        finally:
            body.close()
