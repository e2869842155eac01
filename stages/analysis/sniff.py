"""File type from bytes and name; encoding, delimiter and header rows of delimited text."""

from __future__ import annotations

import csv
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from .errors import (
    CORRUPT_FILE,
    EMPTY_FILE,
    FILE_TYPE_MISMATCH,
    NO_TEMPERATURE_COLUMN,
    TOO_MANY_COLUMNS,
    UNSUPPORTED_FILE_TYPE,
    AnalysisError,
)

HEAD_BYTES = 1 << 20
MAX_COLUMNS = 4096
SAMPLE_ROWS = 500
HEADER_LINES = 100
SCAN_LINES = HEADER_LINES + SAMPLE_ROWS + 2
TEXT_EXTENSIONS = {".csv", ".txt", ".tsv", ".dat", ".epw"}
SHEET_EXTENSIONS = {".xlsx": "xlsx", ".xlsm": "xlsx", ".xls": "xls"}
_ZIP = b"PK\x03\x04"
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_OTHER_MAGIC = {b"%PDF": "PDF", b"\x1f\x8b": "gzip", b"\x89PNG": "PNG", b"\xff\xd8\xff": "JPEG",
                b"BZh": "bzip2", b"7z\xbc\xaf": "7-Zip", b"Rar!": "RAR", b"PAR1": "Parquet",
                b"SQLite format": "SQLite"}
_DELIMITERS = (",", ";", "\t", "|")
_EPW_NAMES = ["year", "month", "day", "hour", "minute_field", "data_source",
              "dry_bulb_temperature_C", "dew_point_temperature_C", "relative_humidity_pct"]


def _magic_kind(head: bytes) -> str | None:
    if head.startswith(_ZIP):
        return "xlsx"
    if head.startswith(_OLE2):
        return "xls"
    for magic, name in _OTHER_MAGIC.items():
        if head.startswith(magic):
            return name
    return None


def _is_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    control = sum(1 for b in head[:65536] if b < 9 or 13 < b < 32)
    return control <= len(head[:65536]) // 100


def detect_kind(path: Path) -> str:
    """`csv`, `xlsx` or `xls`, checked against the bytes; a mismatch is an error."""
    ext = path.suffix.lower()
    if ext not in TEXT_EXTENSIONS and ext not in SHEET_EXTENSIONS:
        raise AnalysisError(UNSUPPORTED_FILE_TYPE,
                            f"unsupported file type {ext or '(none)'}; use .csv, .xlsx or .xls")
    with path.open("rb") as f:
        head = f.read(65536)
    if not head.strip():
        raise AnalysisError(EMPTY_FILE, "the file is empty")
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise AnalysisError(UNSUPPORTED_FILE_TYPE,
                            "the file is UTF-16 text; save it as a UTF-8 (or Windows) CSV")
    magic = _magic_kind(head)
    expected = SHEET_EXTENSIONS.get(ext, "csv")
    if magic in ("xlsx", "xls") or (magic is None and _is_text(head)):
        found = magic or "csv"
        if found != expected:
            shown = {"csv": "delimited text", "xlsx": "an .xlsx workbook",
                     "xls": "an .xls workbook"}[found]
            raise AnalysisError(FILE_TYPE_MISMATCH, f"the file is named {ext} but holds {shown}")
        return found
    if magic is not None:
        raise AnalysisError(FILE_TYPE_MISMATCH, f"the file is named {ext} but holds {magic} data")
    raise AnalysisError(CORRUPT_FILE, f"the file is named {ext} but its bytes are not readable")


@dataclass
class TextTable:
    """One table found in a delimited text file."""

    encoding: str
    delimiter: str
    names: list[str]
    data_offset: int
    data_end: int | None
    sample: dict[str, list[str]] = field(default_factory=dict)
    fixed_unit: str | None = None
    header_line: int = 0
    quoted: bool = True  # quotes seen in the data: a quoted field may hide a newline


@dataclass
class _Line:
    start: int
    text: str


def _read_head(path: Path) -> tuple[bytes, bool]:
    size = path.stat().st_size
    with path.open("rb") as f:
        head = f.read(HEAD_BYTES)
    complete = size <= HEAD_BYTES
    if not complete:
        cut = head.rfind(b"\n")
        if cut < 0:
            raise AnalysisError(CORRUPT_FILE, "the first line is longer than 1 MiB")
        head = head[:cut + 1]
    return head, complete


def _decode(head: bytes) -> tuple[str, int]:
    bom = 3 if head.startswith(b"\xef\xbb\xbf") else 0
    try:
        head[bom:].decode("utf-8")
        return "utf8", bom
    except UnicodeDecodeError:
        return "cp1252", 0


def _lines(head: bytes, encoding: str, bom: int) -> list[_Line]:
    out: list[_Line] = []
    pos = bom
    codec = "utf-8" if encoding == "utf8" else "cp1252"
    for raw in head[bom:].split(b"\n"):
        out.append(_Line(pos, raw.rstrip(b"\r").decode(codec, errors="replace")))
        pos += len(raw) + 1
    if out and not out[-1].text and pos > len(head):
        out.pop()
    return out


def _fields(text: str, delimiter: str) -> list[str]:
    return next(csv.reader([text], delimiter=delimiter, skipinitialspace=False), [])


def _is_number(v: str) -> bool:
    try:
        float(v.strip().rstrip("s"))
    except ValueError:
        return False
    return True


def _headerish(fields: list[str]) -> bool:
    values = [f.strip() for f in fields if f.strip()]
    return bool(values) and sum(_is_number(v) for v in values) <= len(values) // 5 and \
        not any(v[:4].isdigit() and len(v) >= 8 for v in values)


def _content(lines: list[_Line]) -> list[_Line]:
    return [ln for ln in lines
            if ln.text.strip() and not ln.text.startswith("#") and ln.text.strip() != "<br>"]


def _delimiter(lines: list[_Line]) -> tuple[str, int]:
    body = _content(lines)
    body = body[len(body) // 3:] or body
    best = (",", 1, 0.0)
    for d in _DELIMITERS:
        counts = Counter(len(_fields(ln.text, d)) for ln in body[:400])
        width, freq = counts.most_common(1)[0] if counts else (1, 0)
        share = freq / max(1, sum(counts.values()))
        if width > 1 and (share, width) > (best[2], best[1]):
            best = (d, width, share)
    return best[0], best[1]


def _unique(names: list[str]) -> list[str]:
    seen: Counter[str] = Counter()
    out = []
    for i, raw in enumerate(names):
        name = raw.strip() or f"column_{i + 1}"
        seen[name] += 1
        out.append(name if seen[name] == 1 else f"{name}.{seen[name] - 1}")
    return out


def _blank_after(path: Path, start: int) -> int | None:
    """Byte offset of the first blank line at or after start (a section break)."""
    with path.open("rb") as f:
        f.seek(start)
        pos, carry = start, b""
        while chunk := f.read(8 << 20):
            buf = carry + chunk
            hits = [i for i in (buf.find(b"\n\n"), buf.find(b"\n\r\n")) if i >= 0]
            if hits:
                return pos - len(carry) + min(hits) + 1
            carry = buf[-2:]
            pos += len(chunk)
    return None


def text_tables(path: Path) -> list[TextTable]:
    """Candidate tables in the file, best first (a header row, its data, its sample)."""
    head, complete = _read_head(path)
    encoding, bom = _decode(head)
    lines = _lines(head, encoding, bom)
    if not _content(lines):
        raise AnalysisError(EMPTY_FILE, "the file has no rows")
    if lines[0].text.upper().startswith("LOCATION,"):
        return [_epw_table(lines, encoding)]
    delimiter, width = _delimiter(lines[:SCAN_LINES])
    if width > MAX_COLUMNS:
        raise AnalysisError(TOO_MANY_COLUMNS, f"{width} columns; at most {MAX_COLUMNS} are read")
    rows = [(ln, _fields(ln.text, delimiter)) for ln in lines[:SCAN_LINES]]
    tables: list[TextTable] = []
    for i, (ln, fields) in enumerate(rows[:HEADER_LINES]):
        if len(tables) >= 4:
            break
        if not ln.text.strip() or ln.text.startswith("#") or not _headerish(fields):
            continue
        if len(fields) not in (width, width - 1) and width > 1:
            continue
        j, names = i + 1, fields
        if j < len(rows) and _headerish(rows[j][1]) and len(rows[j][1]) == len(fields) and \
                j + 1 < len(rows) and not _headerish(rows[j + 1][1]):
            names = [f"{a.strip()} {b.strip()}".strip() for a, b in zip(fields, rows[j][1],
                                                                        strict=True)]
            j += 1
        end: int | None = None
        stop = len(lines)
        for k in range(j, len(lines)):
            if not lines[k].text.strip():
                end, stop = lines[k].start, k
                break
        # Weather Underground separates rows with "<br>" lines; pyarrow skips them as malformed.
        data = [f2 for ln2, f2 in rows[j:min(stop, j + SAMPLE_ROWS)]
                if ln2.text.strip() != "<br>"]
        if not data:
            continue
        if all(len(r) == len(names) + 1 and not r[-1].strip() for r in data[:20]):
            names = [*names, ""]
        names = _unique(names)
        if end is not None and not any(ln3.text.strip() for ln3 in lines if ln3.start > end):
            end = None
        if end is None and not complete and i > 0:
            end = _blank_after(path, rows[j][0].start)
        sample = {n: [r[k] if k < len(r) else "" for r in data] for k, n in enumerate(names)}
        data_offset = rows[j][0].start if j < len(rows) else len(head)
        quoted = any('"' in ln2.text for ln2, _ in rows[j:min(stop, j + SAMPLE_ROWS)])
        tables.append(TextTable(encoding, delimiter, names, data_offset, end, sample,
                                header_line=i, quoted=quoted))
    if not tables:
        if any(_headerish(f) for _, f in rows[:50]):
            raise AnalysisError(EMPTY_FILE, "the file has a header but no data rows")
        raise AnalysisError(NO_TEMPERATURE_COLUMN, "no header row with column names was found")
    return tables



def _epw_table(lines: list[_Line], encoding: str) -> TextTable:
    """EnergyPlus weather: 8 metadata lines, then 35 unnamed fields per hour."""
    if len(lines) <= 8:
        raise AnalysisError(EMPTY_FILE, "the EPW file has no data rows")
    data = [_fields(ln.text, ",") for ln in lines[8:8 + SAMPLE_ROWS] if ln.text.strip()]
    width = max(len(r) for r in data)
    names = _EPW_NAMES + [f"field_{k + 1}" for k in range(len(_EPW_NAMES), width)]
    sample = {n: [r[k] if k < len(r) else "" for r in data] for k, n in enumerate(names)}
    return TextTable(encoding, ",", names, lines[8].start, None, sample, fixed_unit="C",
                     header_line=-1)

