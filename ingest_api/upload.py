"""Receiving a multipart upload as it streams: hashing, type sniffing and S3 writes on the fly."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass

from python_multipart.multipart import parse_options_header
from starlette.requests import Request

from infra.adapters.s3 import PART_SIZE, MultipartWriter, ObjectStore
from ingest_api.errors import ApiError, PayloadTooLarge, UnsupportedFileType
from ingest_api.multipart import MultipartError, MultipartSplitter
from schemas.filetype import CONTENT_TYPES, SNIFF_BYTES, FileKind, extension, sniff

FIELD = "file"
_MULTIPART_SLACK = 64 * 1024  # boundaries and part headers around the file's bytes


@dataclass
class ReceivedFile:
    """A fully received upload; small files stay in memory, large ones sit under `temp_key`."""

    job_id: str
    size: int
    kind: FileKind
    filename: str | None
    data: bytes | None
    temp_key: str | None

    @property
    def ext(self) -> str:
        return extension(self.kind, self.filename)

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.kind]


class _FileSink:
    """Hashes, measures and sniffs the file part; spills to an S3 multipart upload past 8 MiB."""

    def __init__(self, store: ObjectStore, max_bytes: int) -> None:
        self._store, self._max = store, max_bytes
        self._sha = hashlib.sha256()
        self.size = 0
        self._head = bytearray()
        self._tail = b""
        self._buffer = bytearray()
        self.writer: MultipartWriter | None = None
        self.kind: FileKind | None = None

    async def write(self, data: bytes) -> None:
        self.size += len(data)
        if self.size > self._max:
            raise PayloadTooLarge(f"the file is larger than the limit of {self._max} bytes")
        self._sha.update(data)
        if len(self._head) < SNIFF_BYTES:
            self._head += data[: SNIFF_BYTES - len(self._head)]
            if len(self._head) >= SNIFF_BYTES:
                self._check_head()
        self._tail = (self._tail + data)[-SNIFF_BYTES:]
        if self.writer is not None:
            await self.writer.write(data)
            return
        self._buffer += data
        if len(self._buffer) > PART_SIZE:
            self.writer = self._store.writer(f"tmp/{uuid.uuid4().hex}")
            await self.writer.write(bytes(self._buffer))
            self._buffer = bytearray()

    def _check_head(self) -> None:
        """Reject early what cannot be a spreadsheet or text (a zip is judged at the end)."""
        if not self._head.startswith(b"PK") and sniff(bytes(self._head)) is None:
            raise UnsupportedFileType("the file is not a CSV/text, XLSX or XLS file")

    async def finish(self, filename: str | None) -> ReceivedFile:
        if self.size == 0:
            raise ApiError("the uploaded file is empty", code="EMPTY_FILE")
        kind = sniff(bytes(self._head), self._tail)
        if kind is None:
            raise UnsupportedFileType("the file is not a CSV/text, XLSX or XLS file")
        temp_key = None
        if self.writer is not None:
            await self.writer.complete(CONTENT_TYPES[kind])
            temp_key = self.writer.key
        return ReceivedFile(
            job_id=self._sha.hexdigest(), size=self.size, kind=kind, filename=filename,
            data=None if temp_key else bytes(self._buffer), temp_key=temp_key,
        )

    async def abort(self) -> None:
        if self.writer is not None:
            await self.writer.abort()


async def receive_upload(request: Request, store: ObjectStore, max_bytes: int) -> ReceivedFile:
    """Stream the request body through the multipart parser into a `_FileSink`."""
    ctype, params = parse_options_header(request.headers.get("content-type"))
    boundary = params.get(b"boundary")
    if ctype != b"multipart/form-data" or not boundary:
        raise ApiError("expected a multipart/form-data body with a 'file' field",
                       code="INVALID_UPLOAD")
    length = request.headers.get("content-length")
    if length and length.isdigit() and int(length) > max_bytes + _MULTIPART_SLACK:
        raise PayloadTooLarge(f"the upload is larger than the limit of {max_bytes} bytes")
    try:
        splitter = MultipartSplitter(boundary)
    except MultipartError as exc:
        raise ApiError(f"malformed multipart body: {exc}", code="INVALID_UPLOAD") from None
    sink: _FileSink | None = None
    filename: str | None = None
    in_file = done = False
    try:
        async for chunk in request.stream():
            for kind, payload in splitter.feed(chunk):
                if kind == "headers":
                    assert isinstance(payload, dict)
                    _, disp = parse_options_header(payload.get(b"content-disposition", b""))
                    in_file = not done and disp.get(b"name") == FIELD.encode()
                    if in_file:
                        raw_name = disp.get(b"filename")
                        filename = raw_name.decode("utf-8", "replace") if raw_name else None
                        sink = _FileSink(store, max_bytes)
                elif kind == "data" and in_file and sink is not None:
                    assert isinstance(payload, bytes)
                    await sink.write(payload)
                elif kind == "end" and in_file:
                    in_file, done = False, True
        splitter.finish()
        if sink is None or not done:
            raise ApiError("the form has no complete 'file' field", code="INVALID_UPLOAD")
        return await sink.finish(filename)
    except MultipartError as exc:
        if sink is not None:
            await sink.abort()
        raise ApiError(f"malformed multipart body: {exc}", code="INVALID_UPLOAD") from None
    except BaseException:
        if sink is not None:
            await sink.abort()
        raise
