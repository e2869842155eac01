"""Recognising a file's type from its first bytes (never from the client's name or header)."""

from __future__ import annotations

from enum import StrEnum

SNIFF_BYTES = 64 * 1024
_ZIP = b"PK\x03\x04"
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


class FileKind(StrEnum):
    XLSX = "xlsx"
    XLS = "xls"
    TEXT = "text"


CONTENT_TYPES = {
    FileKind.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    FileKind.XLS: "application/vnd.ms-excel",
    FileKind.TEXT: "text/csv",
}


def _looks_like_text(head: bytes) -> bool:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True  # UTF-16 with a BOM
    if b"\x00" in head:
        return False
    control = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13))
    return control <= len(head) // 100


def sniff(head: bytes, tail: bytes = b"") -> FileKind | None:
    """The kind of a file from its first bytes (and last ones, where a zip keeps its index)."""
    if not head:
        return None
    if head.startswith(_ZIP):
        return FileKind.XLSX if b"xl/" in head or b"xl/" in tail else None
    if head.startswith(_OLE2):
        return FileKind.XLS
    return FileKind.TEXT if _looks_like_text(head[:SNIFF_BYTES]) else None


def extension(kind: FileKind, filename: str | None) -> str:
    """The S3 key's extension: `.xlsx`, `.xls`, or `.txt`/`.csv` for text (by the name's hint)."""
    if kind is FileKind.TEXT:
        name = (filename or "").lower()
        return ".txt" if name.endswith((".txt", ".tsv", ".dat")) else ".csv"
    return f".{kind.value}"


def object_key(job_id: str, ext: str) -> str:
    return f"uploads/{job_id}{ext}"
