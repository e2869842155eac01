"""Stream only the needed columns of a delimited text table with pyarrow."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pcsv

from .errors import CORRUPT_FILE, AnalysisError
from .numbers import NULL_TOKENS
from .sniff import TextTable

# Small files are parsed whole; larger ones block by block (1 MiB), which keeps memory flat
# (a whole-file read of a 130 MB CSV peaks ~70 MB higher).
WHOLE_READ_BYTES = 8 << 20
BLOCK_BYTES = 1 << 20
# Tables larger than this are read by two readers at once (one per core).
SPLIT_BYTES = 32 << 20


class Retry(Exception):
    """The typed read met a value it cannot convert (or bytes in another encoding)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class SkippedRows:
    """Counts rows with the wrong number of fields (skipped, reported as a warning)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, row: object) -> str:
        self.count += 1
        return "skip"


class _Window(io.RawIOBase):
    """The bytes of a file from `start` to `end` (a slice pyarrow can stream)."""

    def __init__(self, path: Path, start: int, end: int) -> None:
        super().__init__()
        self._file = path.open("rb")
        self._file.seek(start)
        self._left = end - start

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._left <= 0:
            return 0
        view = memoryview(buffer)[:self._left]
        n = self._file.readinto(view) or 0
        self._left -= n
        return n

    def close(self) -> None:
        self._file.close()
        super().close()


def byte_ranges(path: Path, table: TextTable, parts: int) -> list[tuple[int, int | None]]:
    """Split a large unquoted table at line ends so `parts` readers can run in parallel."""
    start = table.data_offset
    end = table.data_end if table.data_end is not None else path.stat().st_size
    if parts < 2 or table.quoted or end - start < SPLIT_BYTES:
        return [(start, table.data_end)]
    cuts = [start]
    with path.open("rb") as f:
        for k in range(1, parts):
            f.seek(start + (end - start) * k // parts)
            f.readline()
            cuts.append(f.tell())
    bounds: list[int | None] = [*cuts[1:], table.data_end]
    return [(a, b) for a, b in zip(cuts, bounds, strict=True) if b is None or a < b]


def _whole(path: Path, start: int, length: int) -> pa.BufferReader:
    """A small span, read into memory at once."""
    with path.open("rb") as raw:
        raw.seek(start)
        return pa.BufferReader(raw.read(length))


def _blocks(path: Path, start: int, end: int | None, encoding: str,
            into: memoryview) -> Iterator[int]:
    """Read the span's bytes (as UTF-8) block by block into `into`; yield each length.

    Blocks are BLOCK_BYTES long (the last may be shorter), as pyarrow's reader cuts them.
    """
    length = (end if end is not None else path.stat().st_size) - start
    if encoding == "utf8":
        with path.open("rb") as f:
            f.seek(start)
            while length > 0 and (n := f.readinto(into[:min(BLOCK_BYTES, length)])):
                length -= n
                yield n
        return
    # Another encoding: pyarrow's transcoder yields full UTF-8 blocks, as its CSV reader sees.
    with pa.PythonFile(_Window(path, start, start + length), mode="r") as raw, \
            pa.transcoding_input_stream(raw, encoding, "utf-8") as stream:
        while block := stream.read(BLOCK_BYTES):
            into[:len(block)] = block
            yield len(block)


def _chunks(path: Path, start: int, end: int | None, encoding: str) -> Iterator[pa.Buffer]:
    """Whole lines: each block up to its last line end, the rest carried into the next.

    The cuts are those of pyarrow's streaming reader (its newline boundary finder: the last
    "\n" or "\r" of each block; a row spanning a whole block is an error), so the batches,
    and hence every merged statistic, are the same to the last bit. One buffer is reused, so
    a chunk must be parsed before the next is asked for; the parsed arrays are copies
    (pyarrow's CSV converters build new buffers), so batches may outlive their chunk.
    """
    buf = bytearray(2 * BLOCK_BYTES)  # an unfinished line (at most a block) + the next block
    view = memoryview(buf)
    kept = 0
    for n in _blocks(path, start, end, encoding, view[BLOCK_BYTES:]):
        if kept:  # the unfinished line goes right before the new block
            view[BLOCK_BYTES - kept:BLOCK_BYTES] = bytes(view[:kept])
        lo, hi = BLOCK_BYTES - kept, BLOCK_BYTES + n
        cut = max(buf.rfind(b"\n", BLOCK_BYTES, hi), buf.rfind(b"\r", BLOCK_BYTES, hi)) + 1
        if cut == 0:
            if kept:
                raise AnalysisError(CORRUPT_FILE, "a row is longer than the 1 MiB block")
            view[:n] = view[BLOCK_BYTES:hi]
            kept = n
            continue
        yield pa.py_buffer(view[lo:cut])
        view[:hi - cut] = bytes(view[cut:hi])
        kept = hi - cut
    if kept:
        yield pa.py_buffer(view[:kept])


def iter_batches(path: Path, table: TextTable, columns: list[str], numeric: set[str],
                 encoding: str, skipped: SkippedRows,
                 span: tuple[int, int | None] | None = None) -> Iterator[pa.RecordBatch]:
    """Record batches of `columns` (in the byte span); numeric ones float64, the rest text."""
    start, end = span if span is not None else (table.data_offset, table.data_end)
    parse = pcsv.ParseOptions(delimiter=table.delimiter, quote_char='"',
                              ignore_empty_lines=True, invalid_row_handler=skipped)
    types = {c: (pa.float64() if c in numeric else pa.string()) for c in columns}
    convert = pcsv.ConvertOptions(include_columns=columns, column_types=types,
                                  null_values=NULL_TOKENS, strings_can_be_null=False,
                                  quoted_strings_can_be_null=True)
    length = (end if end is not None else path.stat().st_size) - start
    try:
        if length <= WHOLE_READ_BYTES:
            read = pcsv.ReadOptions(column_names=table.names, encoding=encoding,
                                    block_size=BLOCK_BYTES, use_threads=True)
            with _whole(path, start, length) as src:
                yield from pcsv.read_csv(src, read, parse, convert).to_batches(1 << 18)
            return
        # Larger spans: chunk by chunk, each parsed whole on this thread. pyarrow's streaming
        # reader (open_csv) reads up to 32 blocks ahead into a queue and decodes in its own
        # threads: ~50 MB more per reader on the 130 MB benchmark file. The parallelism
        # comes from the readers running in threads of their own instead (analyze._read).
        read = pcsv.ReadOptions(column_names=table.names, encoding="utf8",
                                block_size=2 * BLOCK_BYTES + 1, use_threads=False)
        for chunk in _chunks(path, start, end, encoding):
            yield from pcsv.read_csv(pa.BufferReader(chunk), read, parse, convert).to_batches()
    except pa.ArrowInvalid as exc:
        text = str(exc)
        if "UTF8" in text or "UTF-8" in text:
            raise Retry("encoding") from exc
        if "conversion error" in text.lower():
            raise Retry("conversion") from exc
        if "straddl" in text or "block" in text.lower():
            raise AnalysisError(CORRUPT_FILE, "a row is longer than the 1 MiB block") from exc
        raise AnalysisError(CORRUPT_FILE, f"unreadable CSV: {text.splitlines()[0][:200]}"
                            ) from exc
    except pa.ArrowException as exc:
        raise AnalysisError(CORRUPT_FILE, "unreadable CSV") from exc
