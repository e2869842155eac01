"""analyze_file: detect the layout, stream the needed columns, build the result document."""

from __future__ import annotations

import contextlib
import functools
import os
import queue
import threading
from collections.abc import Generator, Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar, cast

import pyarrow as pa
from threadpoolctl import ThreadpoolController

from .accumulate import Accumulator
from .columns import Choice, choose
from .document import build
from .errors import (
    ANALYSIS_FAILED,
    COLUMN_NOT_FOUND,
    CORRUPT_FILE,
    EMPTY_FILE,
    FILE_NOT_FOUND,
    NO_TEMPERATURE_COLUMN,
    NOT_ENOUGH_DATA,
    AnalysisError,
)
from .numbers import looks_numeric
from .read_csv import Retry, SkippedRows, byte_ranges, iter_batches
from .read_sheet import SheetTable, sheet_tables
from .sniff import TextTable, detect_kind, text_tables


def analyze_file(path: str | os.PathLike[str], *, date_columns: Sequence[str] | None = None,
                 temperature_column: str | None = None, humidity_column: str | None = None,
                 temperature_unit: str | None = None) -> dict[str, Any]:
    """Analyse a weather file; raises AnalysisError with a stable code on failure."""
    p = Path(path)
    if not p.is_file():
        raise AnalysisError(FILE_NOT_FOUND, f"no such file: {p.name}")
    overrides: dict[str, Any] = {"date_columns": date_columns,
                                 "temperature_column": temperature_column,
                                 "humidity_column": humidity_column,
                                 "temperature_unit": temperature_unit}
    try:
        kind = detect_kind(p)
        # Multi-threaded BLAS spins on small products and slows the Arrow threads; one is faster.
        with _blas().limit(limits=1, user_api="blas"):
            if kind == "csv":
                return _analyze_text(p, overrides)
            return _analyze_sheet(p, kind, overrides)
    except (AnalysisError, MemoryError):
        raise
    except Exception as exc:  # a bug or an input nobody foresaw: still a coded error
        raise AnalysisError(ANALYSIS_FAILED,
                            f"the file could not be analysed ({type(exc).__name__})") from exc


# Readers run side by side on large unquoted CSVs (each parses on its own core).
READERS = 2


@functools.cache
def _blas() -> ThreadpoolController:
    """Inspecting the loaded BLAS libraries costs milliseconds: do it once per process."""
    return ThreadpoolController()


def _choose(tables: Sequence[TextTable | SheetTable],
            overrides: dict[str, Any]) -> tuple[TextTable | SheetTable, Choice]:
    """The first table in which a temperature column is found."""
    first_error: AnalysisError | None = None
    for table in tables:
        fixed = table.fixed_unit if isinstance(table, TextTable) else None
        try:
            return table, choose(table.names, table.sample, fixed_unit=fixed, **overrides)
        except AnalysisError as exc:
            if exc.code not in (NO_TEMPERATURE_COLUMN, COLUMN_NOT_FOUND):
                raise
            first_error = first_error or exc
    assert first_error is not None
    raise first_error


def _analyze_text(path: Path, overrides: dict[str, Any]) -> dict[str, Any]:
    tables = text_tables(path)
    table, choice = _choose(tables, overrides)
    assert isinstance(table, TextTable)
    numeric = {*choice.temperature_columns} | ({choice.humidity} if choice.humidity else set())
    if choice.date.kind == "parts":
        numeric |= set(choice.date.columns)
    numeric = {c for c in numeric if looks_numeric(table.sample.get(c, []))}
    encoding = table.encoding
    spans = byte_ranges(path, table, min(READERS, os.cpu_count() or 1))
    for _ in range(3):
        skipped = SkippedRows()
        try:
            acc = _read(path, table, choice, numeric, encoding, skipped, spans)
            pa.default_memory_pool().release_unused()
            break
        except Retry as retry:
            if retry.reason == "encoding" and encoding != "cp1252":
                encoding = "cp1252"
            elif numeric:
                numeric = set()
            else:
                raise AnalysisError(CORRUPT_FILE, "the file cannot be decoded") from retry
    else:
        raise AnalysisError(CORRUPT_FILE, "the file cannot be decoded")
    warnings = list(choice.warnings)
    if encoding == "cp1252":
        warnings.append({"code": "ENCODING_CP1252",
                         "message": "the file is not UTF-8; it was read as Windows-1252"})
    return _finish(acc, None, warnings, skipped.count)


def _read(path: Path, table: TextTable, choice: Choice, numeric: set[str], encoding: str,
          skipped: SkippedRows, spans: list[tuple[int, int | None]]) -> Accumulator:
    """Reduce every span, in order, into its own statistics, then merge them.

    Each span is parsed in a thread of its own (pyarrow releases the GIL while parsing) and
    reduced here, in this one thread, while the parsers go on: the reduction is many small
    numpy calls, and two threads reducing at once are slower than one, as they keep handing
    the GIL over to each other.
    """
    def batches(span: tuple[int, int | None]) -> Iterator[pa.RecordBatch]:
        return iter_batches(path, table, choice.needed, numeric, encoding, skipped, span)

    parts = [Accumulator(choice) for _ in spans]
    with contextlib.closing(_interleave([batches(span) for span in spans])) as tagged:
        for index, batch in tagged:
            parts[index].add(batch)
    for part in parts[1:]:
        parts[0].merge(part)
    return parts[0]


_T = TypeVar("_T")
# Items a source thread may run ahead of the consumer (a few 1 MiB blocks' batches).
_AHEAD = 2


def _interleave(sources: list[Iterator[_T]]) -> Generator[tuple[int, _T], None, None]:
    """The items of every source, each advanced in its own thread, tagged by source index.

    Each source's items come in its own order. The first exception of a source is raised
    here; when the consumer stops early, the source threads stop and close their sources.
    """
    done = object()
    box: queue.Queue[tuple[int, object, BaseException | None]] = \
        queue.Queue(_AHEAD * len(sources))
    stop = threading.Event()

    def put(item: tuple[int, object, BaseException | None]) -> bool:
        while not stop.is_set():
            try:
                box.put(item, timeout=0.05)
                return True
            except queue.Full:
                continue
        return False

    def pump(index: int, source: Iterator[_T]) -> None:
        try:
            for item in source:
                if not put((index, item, None)):
                    return
        except BaseException as exc:  # handed to the consumer, raised there
            put((index, done, exc))
            return
        finally:
            close = getattr(source, "close", None)
            if close is not None:
                close()
        put((index, done, None))

    threads = [threading.Thread(target=pump, args=(i, s), daemon=True)
               for i, s in enumerate(sources)]
    try:
        for thread in threads:
            thread.start()
        running = len(threads)
        while running:
            index, item, exc = box.get()
            if exc is not None:
                raise exc
            if item is done:
                running -= 1
            else:
                yield index, cast(_T, item)
    finally:
        stop.set()
        for thread in threads:
            thread.join()


def _analyze_sheet(path: Path, kind: str, overrides: dict[str, Any]) -> dict[str, Any]:
    tables = sheet_tables(path, kind)
    table, choice = _choose(tables, overrides)
    assert isinstance(table, SheetTable)
    acc = Accumulator(choice)
    acc.add(table.batch(choice.needed))
    return _finish(acc, table.sheet, list(choice.warnings), 0)


def _finish(acc: Accumulator, sheet: str | None, warnings: list[dict[str, str]],
            skipped: int) -> dict[str, Any]:
    if acc.rows_read == 0:
        raise AnalysisError(EMPTY_FILE, "the file has a header but no data rows")
    if acc.temp.n == 0:
        reasons = ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in acc.dropped.items() if v)
        raise AnalysisError(NOT_ENOUGH_DATA,
                            f"no row has a valid temperature and date ({reasons})")
    return build(acc, sheet=sheet, warnings=warnings, skipped_rows=skipped)
