"""Workbooks (.xlsx via zip safety checks, .xls) read with python-calamine."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path

import pyarrow as pa
import python_calamine as cal

from .errors import CORRUPT_FILE, EMPTY_FILE, FILE_TOO_LARGE, UNSAFE_FILE, AnalysisError

MAX_SHEET_BYTES = 200 << 20
MAX_UNCOMPRESSED = 1 << 30
MAX_RATIO = 200
_ROOT = re.compile(rb"<[A-Za-z_]")
SAMPLE_ROWS = 500
HEADER_SCAN = 50


@dataclass
class SheetTable:
    """One header row and its data in a sheet."""

    sheet: str
    names: list[str]
    rows: Sequence[Sequence[object]]
    sample: dict[str, list[str]]

    def batch(self, columns: list[str]) -> pa.RecordBatch:
        """The needed columns as Arrow arrays (numbers, timestamps or text)."""
        index = {n: i for i, n in enumerate(self.names)}
        arrays = [_to_arrow([r[index[c]] if index[c] < len(r) else None for r in self.rows])
                  for c in columns]
        return pa.RecordBatch.from_arrays(arrays, names=columns)


def check_xlsx(path: Path) -> None:
    """Reject zip bombs and XML with DTDs/entities before calamine sees the file."""
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            total = sum(i.file_size for i in infos)
            if total > MAX_UNCOMPRESSED:
                raise AnalysisError(FILE_TOO_LARGE,
                                    f"the workbook expands to {total >> 20} MiB (limit "
                                    f"{MAX_UNCOMPRESSED >> 20} MiB)")
            for info in infos:
                if info.file_size > (1 << 20) and \
                        info.file_size > MAX_RATIO * max(info.compress_size, 1):
                    raise AnalysisError(UNSAFE_FILE, "the workbook looks like a zip bomb")
                if info.filename.endswith((".xml", ".rels")):
                    with zf.open(info) as member:
                        prolog = member.read(65536)
                    root = _ROOT.search(prolog)
                    head = prolog[:root.start()] if root else prolog
                    if b"<!DOCTYPE" in head or b"<!ENTITY" in head or \
                            (root is None and len(prolog) >= 65536):
                        raise AnalysisError(UNSAFE_FILE,
                                            "the workbook's XML declares a DTD or entities")
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError) as exc:
        raise AnalysisError(CORRUPT_FILE, "the .xlsx file is not a valid zip archive") from exc
    except NotImplementedError as exc:
        raise AnalysisError(CORRUPT_FILE, "the .xlsx file uses unsupported compression") from exc


def _text(v: object) -> str:
    if v is None:
        return ""
    if isinstance(v, datetime):
        return v.isoformat(sep="T", timespec="seconds")
    if isinstance(v, date):
        return f"{v.isoformat()}T00:00:00"
    if isinstance(v, time):
        return v.isoformat()
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def _to_arrow(values: list[object]) -> pa.Array:
    kinds = {type(v) for v in values if v is not None and v != ""}
    if kinds <= {int, float}:
        return pa.array([None if v == "" else v for v in values], pa.float64())
    if kinds <= {datetime, date}:
        return pa.array([v if isinstance(v, datetime) else
                         datetime.combine(v, time()) if isinstance(v, date) else None
                         for v in values], pa.timestamp("us"))
    return pa.array([_text(v) for v in values], pa.string())


def _headerish(row: Sequence[object]) -> bool:
    cells = [c for c in row if c not in (None, "")]
    strings = [c for c in cells if isinstance(c, str)]
    return len(cells) >= 1 and len(strings) >= max(1, len(cells) * 4 // 5)


def _tables_in(name: str, rows: Sequence[Sequence[object]]) -> list[SheetTable]:
    out = []
    for i, row in enumerate(rows[:HEADER_SCAN]):
        if not _headerish(row) or i + 1 >= len(rows) or _headerish(rows[i + 1]):
            continue
        names, seen = [], set()
        for k, cell in enumerate(row):
            base = _text(cell).strip() or f"column_{k + 1}"
            n, dup = base, 1
            while n in seen:
                n, dup = f"{base}.{dup}", dup + 1
            seen.add(n)
            names.append(n)
        data = rows[i + 1:]
        sample = {n: [_text(r[k]) if k < len(r) else "" for r in data[:SAMPLE_ROWS]]
                  for k, n in enumerate(names)}
        out.append(SheetTable(name, names, data, sample))
    return out


def sheet_tables(path: Path, kind: str) -> list[SheetTable]:
    """Candidate tables sheet by sheet, in workbook order."""
    if path.stat().st_size > MAX_SHEET_BYTES:
        raise AnalysisError(FILE_TOO_LARGE,
                            f"workbooks are limited to {MAX_SHEET_BYTES >> 20} MiB; use CSV")
    if kind == "xlsx":
        check_xlsx(path)
    try:
        with cal.CalamineWorkbook.from_path(str(path)) as wb:
            tables: list[SheetTable] = []
            for name in wb.sheet_names:
                rows = wb.get_sheet_by_name(name).to_python(skip_empty_area=True)
                tables.extend(_tables_in(name, rows))
    except cal.PasswordError as exc:
        raise AnalysisError(CORRUPT_FILE, "the workbook is password-protected") from exc
    except (cal.CalamineError, cal.ZipError, cal.XmlError, ValueError, OSError) as exc:
        raise AnalysisError(CORRUPT_FILE, f"the workbook cannot be read: {exc}"[:300]) from exc
    if not tables:
        raise AnalysisError(EMPTY_FILE, "no sheet holds a header row with data below it")
    return tables
