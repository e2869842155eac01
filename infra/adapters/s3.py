"""S3 adapter: streamed multipart writes, copy, delete, ranged and streamed reads."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from botocore.exceptions import ClientError

from infra.adapters import aws
from infra.settings import Settings

PART_SIZE = 8 * 1024 * 1024  # S3 needs parts of at least 5 MiB (except the last)


def _missing(exc: ClientError) -> bool:
    code = str(exc.response.get("Error", {}).get("Code", ""))
    return code in {"404", "NoSuchKey", "NotFound", "NoSuchBucket"}


class MultipartWriter:
    """Writes one object in parts as bytes arrive; `abort()` leaves nothing behind."""

    def __init__(self, client: Any, bucket: str, key: str) -> None:
        self._client, self.bucket, self.key = client, bucket, key
        self._upload_id: str | None = None
        self._parts: list[dict[str, Any]] = []
        self._buffer = bytearray()

    async def write(self, data: bytes) -> None:
        self._buffer += data
        while len(self._buffer) >= PART_SIZE:
            chunk = bytes(self._buffer[:PART_SIZE])
            del self._buffer[:PART_SIZE]
            await self._upload_part(chunk)

    async def _upload_part(self, chunk: bytes) -> None:
        if self._upload_id is None:
            created = await self._client.create_multipart_upload(Bucket=self.bucket, Key=self.key)
            self._upload_id = created["UploadId"]
        number = len(self._parts) + 1
        part = await self._client.upload_part(
            Bucket=self.bucket, Key=self.key, UploadId=self._upload_id,
            PartNumber=number, Body=chunk,
        )
        self._parts.append({"ETag": part["ETag"], "PartNumber": number})

    async def complete(self, content_type: str) -> None:
        if self._upload_id is None:  # small enough for one PUT
            await self._client.put_object(
                Bucket=self.bucket, Key=self.key, Body=bytes(self._buffer), ContentType=content_type
            )
            return
        if self._buffer:
            await self._upload_part(bytes(self._buffer))
            self._buffer.clear()
        await self._client.complete_multipart_upload(
            Bucket=self.bucket, Key=self.key, UploadId=self._upload_id,
            MultipartUpload={"Parts": self._parts},
        )

    async def abort(self) -> None:
        self._buffer.clear()
        if self._upload_id is not None:
            with contextlib.suppress(ClientError):
                await self._client.abort_multipart_upload(
                    Bucket=self.bucket, Key=self.key, UploadId=self._upload_id
                )


class ObjectStore:
    """The upload bucket (and read access to the buckets external events name)."""

    def __init__(self, client: Any, bucket: str) -> None:
        self._client = client
        self.bucket = bucket

    @classmethod
    @contextlib.asynccontextmanager
    async def connect(cls, settings: Settings) -> AsyncIterator[ObjectStore]:
        async with aws.session(settings).client(
            "s3", endpoint_url=settings.s3_endpoint_url, config=aws.client_config(path_style=True)
        ) as client:
            yield cls(client, settings.s3_bucket_name)

    def writer(self, key: str) -> MultipartWriter:
        return MultipartWriter(self._client, self.bucket, key)

    async def put(self, key: str, data: bytes, content_type: str) -> None:
        await self._client.put_object(
            Bucket=self.bucket, Key=key, Body=data, ContentType=content_type
        )

    async def copy(self, key: str, dest_key: str, *, source_bucket: str | None = None) -> None:
        await self._client.copy_object(
            Bucket=self.bucket, Key=dest_key,
            CopySource={"Bucket": source_bucket or self.bucket, "Key": key},
        )

    async def delete(self, key: str) -> None:
        with contextlib.suppress(ClientError):
            await self._client.delete_object(Bucket=self.bucket, Key=key)

    async def size(self, key: str, *, bucket: str | None = None) -> int | None:
        """The object's size, or None when it does not exist."""
        try:
            head = await self._client.head_object(Bucket=bucket or self.bucket, Key=key)
        except ClientError as exc:
            if _missing(exc):
                return None
            raise
        return int(head["ContentLength"])

    async def read_range(
        self, key: str, start: int, end: int, *, bucket: str | None = None
    ) -> bytes:
        """Bytes `start..end` inclusive (fewer at the end of the object)."""
        obj = await self._client.get_object(
            Bucket=bucket or self.bucket, Key=key, Range=f"bytes={start}-{end}"
        )
        body = obj["Body"]
        try:
            data: bytes = await body.read()
        finally:
            body.close()
        return data

    async def chunks(
        self, key: str, *, bucket: str | None = None, chunk_size: int = 1024 * 1024
    ) -> AsyncIterator[bytes]:
        obj = await self._client.get_object(Bucket=bucket or self.bucket, Key=key)
        body = obj["Body"]  # aiobotocore's StreamingBody: read(n) streams
        try:
            while chunk := await body.read(chunk_size):
                yield chunk
        finally:
            body.close()

    async def download(self, key: str, path: Path) -> int | None:
        """Stream the object to `path`; the byte count, or None when there is no such object."""
        total = 0
        try:
            with path.open("wb") as out:
                async for chunk in self.chunks(key):
                    out.write(chunk)
                    total += len(chunk)
        except ClientError as exc:
            if _missing(exc):
                return None
            raise
        return total

    async def ping(self) -> None:
        await self._client.head_bucket(Bucket=self.bucket)

    async def ensure_bucket(self) -> None:
        try:
            await self._client.head_bucket(Bucket=self.bucket)
        except ClientError:
            with contextlib.suppress(ClientError):
                await self._client.create_bucket(Bucket=self.bucket)
