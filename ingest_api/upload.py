"""Receiving a multipart upload as it streams: hashing, type sniffing and S3 writes on the fly."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass

from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import Request

from infra.adapters.s3 import PART_SIZE, MultipartWriter, ObjectStore
from ingest_api.errors import ApiError, PayloadTooLarge, UnsupportedFileType
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


class _PartEvents:
    """Collects the parser's synchronous callbacks so they can be handled asynchronously."""

    def __init__(self) -> None:
        self.events: list[tuple[str, bytes]] = []
        self._field = b""
        self._value = b""
        self.headers: dict[bytes, bytes] = {}

    def callbacks(self) -> dict[str, object]:
        def on_part_begin() -> None:
            self.headers = {}

        def on_header_field(data: bytes, start: int, end: int) -> None:
            self._field += data[start:end]

        def on_header_value(data: bytes, start: int, end: int) -> None:
            self._value += data[start:end]

        def on_header_end() -> None:
            self.headers[self._field.lower()] = self._value
            self._field, self._value = b"", b""

        def on_headers_finished() -> None:
            self.events.append(("headers", self.headers.get(b"content-disposition", b"")))

        def on_part_data(data: bytes, start: int, end: int) -> None:
            self.events.append(("data", data[start:end]))

        def on_part_end() -> None:
            self.events.append(("end", b""))

        return {
            "on_part_begin": on_part_begin, "on_header_field": on_header_field,
            "on_header_value": on_header_value, "on_header_end": on_header_end,
            "on_headers_finished": on_headers_finished, "on_part_data": on_part_data,
            "on_part_end": on_part_end,
        }


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
    parts = _PartEvents()
    parser = MultipartParser(boundary, parts.callbacks())  # type: ignore[arg-type]
    sink: _FileSink | None = None
    filename: str | None = None
    in_file = done = False
    try:
        async for chunk in request.stream():
            parser.write(chunk)
            for kind, payload in parts.events:
                if kind == "headers":
                    _, disp = parse_options_header(payload)
                    in_file = not done and disp.get(b"name") == FIELD.encode()
                    if in_file:
                        raw_name = disp.get(b"filename")
                        filename = raw_name.decode("utf-8", "replace") if raw_name else None
                        sink = _FileSink(store, max_bytes)
                elif kind == "data" and in_file and sink is not None:
                    await sink.write(payload)
                elif kind == "end" and in_file:
                    in_file, done = False, True
            parts.events.clear()
        parser.finalize()
        if sink is None or not done:
            raise ApiError("the form has no complete 'file' field", code="INVALID_UPLOAD")
        return await sink.finish(filename)
    except BaseException:
        if sink is not None:
            await sink.abort()
        raise
