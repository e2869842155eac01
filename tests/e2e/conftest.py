"""End-to-end fixtures: an HTTP client on the stack's API and unique weather files."""

from __future__ import annotations

import os
import random
import uuid
import warnings
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from infra.settings import Settings

# A stack started by this session gets a small upload limit, so the 413 test can stream a
# body over it in well under a second (an external stack keeps its own; /healthz says which).
os.environ.setdefault("MAX_UPLOAD_BYTES", str(24 * 1024 * 1024))


@pytest.fixture
async def api(stack: Settings) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=stack.api_url, timeout=60.0) as client:
        yield client


def weather_rows(n: int = 120) -> list[tuple[str, float, float]]:
    """Rows unique to this call (random values), so each file is a new job."""
    rng = random.Random(uuid.uuid4().int)
    return [(f"2021-{1 + i // 28 % 12:02d}-{1 + i % 28:02d} {i % 24:02d}:00:00",
             round(rng.uniform(-5, 30), 3), round(rng.uniform(20, 95), 2)) for i in range(n)]


def make_csv(tmp: Path, n: int = 120) -> Path:
    path = tmp / f"{uuid.uuid4().hex[:8]}.csv"
    lines = ["date,mean_temp_C,humidity,wind_speed"]
    lines += [f"{d},{t},{h},3.5" for d, t, h in weather_rows(n)]
    path.write_text("\n".join(lines) + "\n")
    return path


def make_xlsx(tmp: Path) -> Path:
    from openpyxl import Workbook

    path = tmp / f"{uuid.uuid4().hex[:8]}.xlsx"
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["date", "mean_temp_C", "humidity"])
    for row in weather_rows():
        ws.append(list(row))
    wb.save(path)
    return path


def make_xls(tmp: Path) -> Path:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import xlwt

        path = tmp / f"{uuid.uuid4().hex[:8]}.xls"
        wb = xlwt.Workbook()
        ws = wb.add_sheet("data")
        for j, head in enumerate(["date", "mean_temp_C", "humidity"]):
            ws.write(0, j, head)
        for i, row in enumerate(weather_rows(), start=1):
            for j, value in enumerate(row):
                ws.write(i, j, value)
        wb.save(str(path))
    return path
