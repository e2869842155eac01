"""Hostile and broken inputs, each built in a temporary folder."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import openpyxl


def junk(tmp: Path) -> Path:
    p = tmp / "junk.csv"
    p.write_bytes(os.urandom(200_000))
    return p


def long_line(tmp: Path) -> Path:
    p = tmp / "long.csv"
    with p.open("wb") as f:
        chunk = b"a" * (1 << 20)
        for _ in range(100):
            f.write(chunk)
    return p


def long_row(tmp: Path) -> Path:
    p = tmp / "longrow.csv"
    with p.open("wb") as f:
        f.write(b"date,temp,humidity\n" + b"2020-01-01,1,50\n" * 2000)
        f.write(b"2020-01-02,")
        f.write(b"9" * (20 << 20))
        f.write(b",50\n")
    return p


def wide(tmp: Path) -> Path:
    p = tmp / "wide.csv"
    names = ",".join(f"c{i}" for i in range(10_000))
    row = ",".join("1" for _ in range(10_000))
    p.write_text(names + "\n" + (row + "\n") * 5)
    return p


def empty(tmp: Path) -> Path:
    p = tmp / "empty.csv"
    p.write_bytes(b"")
    return p


def header_only(tmp: Path) -> Path:
    p = tmp / "header.csv"
    p.write_text("date,temperature,humidity\n")
    return p


def _workbook(rows: list[list[object]]) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def empty_sheet(tmp: Path) -> Path:
    p = tmp / "empty.xlsx"
    p.write_bytes(_workbook([]))
    return p


def zip_bomb(tmp: Path) -> Path:
    """A workbook whose sheet inflates ~1000:1 (declared honestly in the zip)."""
    p = tmp / "bomb.xlsx"
    good = zipfile.ZipFile(io.BytesIO(_workbook([["temp"], [1.0]])))
    with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as out:
        for info in good.infolist():
            data = good.read(info)
            if info.filename.endswith("sheet1.xml"):
                pad = b"<!--" + b"0" * (64 << 20) + b"-->"
                data = data.replace(b"</worksheet>", pad + b"</worksheet>")
            out.writestr(info.filename, data)
    return p


def entity_bomb(tmp: Path) -> Path:
    """Billion laughs in the sheet XML."""
    p = tmp / "laughs.xlsx"
    good = zipfile.ZipFile(io.BytesIO(_workbook([["temp"], [1.0]])))
    dtd = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
           + b"".join(f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">'.encode()
                      if i else b"" for i in range(1, 10)) + b"]>")
    with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as out:
        for info in good.infolist():
            data = good.read(info)
            if info.filename.endswith("sheet1.xml"):
                body = data.split(b"?>", 1)[-1]
                data = dtd + body.replace(b"<v>1</v>", b"<v>&lol9;</v>")
            out.writestr(info.filename, data)
    return p


def broken_zip(tmp: Path) -> Path:
    p = tmp / "broken.xlsx"
    p.write_bytes(b"PK\x03\x04" + os.urandom(5000))
    return p


def xlsx_named_csv(tmp: Path) -> Path:
    p = tmp / "book.csv"
    p.write_bytes(_workbook([["temp"], [1.0]]))
    return p


def csv_named_xlsx(tmp: Path) -> Path:
    p = tmp / "table.xlsx"
    p.write_text("date,temp\n2020-01-01,3\n")
    return p


def pdf(tmp: Path) -> Path:
    p = tmp / "report.pdf"
    p.write_bytes(b"%PDF-1.4\n...")
    return p


def no_temperature(tmp: Path) -> Path:
    p = tmp / "wind.csv"
    p.write_text("date,wind_speed,pressure\n2020-01-01,3,1010\n2020-01-02,4,1012\n")
    return p


def all_missing(tmp: Path) -> Path:
    p = tmp / "missing.csv"
    p.write_text("date,temperature,humidity\n2020-01-01,NA,50\n2020-01-02,-999,40\n")
    return p


CASES = {
    "junk": (junk, "CORRUPT_FILE"), "long_line": (long_line, "CORRUPT_FILE"),
    "long_row": (long_row, "CORRUPT_FILE"), "wide": (wide, "TOO_MANY_COLUMNS"),
    "empty": (empty, "EMPTY_FILE"), "header_only": (header_only, "EMPTY_FILE"),
    "empty_sheet": (empty_sheet, "EMPTY_FILE"), "zip_bomb": (zip_bomb, "UNSAFE_FILE"),
    "entity_bomb": (entity_bomb, "UNSAFE_FILE"), "broken_zip": (broken_zip, "CORRUPT_FILE"),
    "xlsx_named_csv": (xlsx_named_csv, "FILE_TYPE_MISMATCH"),
    "csv_named_xlsx": (csv_named_xlsx, "FILE_TYPE_MISMATCH"),
    "pdf": (pdf, "UNSUPPORTED_FILE_TYPE"), "no_temperature": (no_temperature,
                                                              "NO_TEMPERATURE_COLUMN"),
    "all_missing": (all_missing, "NOT_ENOUGH_DATA"),
}
