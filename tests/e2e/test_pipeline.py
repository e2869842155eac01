"""Upload → Faust → Celery → projector → blocking status, through the real processes."""

from __future__ import annotations

import asyncio
import csv
import hashlib
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import orjson
import pytest

from infra.adapters.cache import ResultCache
from infra.adapters.jobs_table import JobsTable
from infra.adapters.kafka import EventProducer, read_topic
from infra.adapters.s3 import ObjectStore
from infra.settings import Settings
from schemas.clock import utc_iso
from stages.analysis import analyze_file
from tests.e2e.conftest import make_csv, make_xls, make_xlsx

pytestmark = pytest.mark.e2e


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _form(path: Path) -> dict[str, tuple[str, bytes]]:
    return {"file": (path.name, path.read_bytes())}


async def upload(api: httpx.AsyncClient, path: Path) -> httpx.Response:
    return await api.post("/api/v1/upload/", files=_form(path))


async def finished(api: httpx.AsyncClient, job_id: str, wait: float = 30) -> dict[str, Any]:
    response = await api.get(f"/api/v1/status/{job_id}/", params={"wait": wait})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def appears(api: httpx.AsyncClient, job_id: str, deadline_s: float = 30) -> dict[str, Any]:
    """For jobs submitted straight to the topic: wait until the validate stage created it."""
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        response = await api.get(f"/api/v1/status/{job_id}/", params={"wait": 10})
        if response.status_code == 200:
            body: dict[str, Any] = response.json()
            return body
        await asyncio.sleep(0.2)
    raise AssertionError(f"job {job_id} never finished")


def without_time(doc: dict[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = orjson.loads(orjson.dumps(doc))
    data.pop("analyzed_at", None)
    return data


def written_columns(path: Path) -> tuple[list[float], list[float]]:
    """Temperature and humidity as the test wrote them, via csv / openpyxl / xlrd."""
    if path.suffix == ".csv":
        with path.open(newline="") as handle:
            rows = [(float(r["mean_temp_C"]), float(r["humidity"]))
                    for r in csv.DictReader(handle)]
    elif path.suffix == ".xlsx":
        from openpyxl import load_workbook

        workbook = load_workbook(path, read_only=True)
        rows = [(float(r[1]), float(r[2]))  # type: ignore[arg-type]
                for r in workbook.worksheets[0].iter_rows(min_row=2, values_only=True)]
        workbook.close()
    else:
        import xlrd

        book = xlrd.open_workbook(str(path)).sheet_by_index(0)
        rows = [(float(book.cell_value(i, 1)), float(book.cell_value(i, 2)))
                for i in range(1, book.nrows)]
    return [t for t, _ in rows], [h for _, h in rows]


def replay(*args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "stages.replay", *args], capture_output=True,
                          text=True, timeout=60, env=os.environ.copy(), check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.parametrize("maker", [make_csv, make_xlsx, make_xls], ids=["csv", "xlsx", "xls"])
async def test_upload_then_blocking_status_matches_the_engine(
    api: httpx.AsyncClient, tmp_path: Path, maker: Any
) -> None:
    path = maker(tmp_path)
    response = await upload(api, path)
    assert response.status_code == 202, response.text
    body = response.json()
    assert body["job_id"] == sha(path) and body["status"] == "PENDING" and body["celery_id"]
    done = await finished(api, body["job_id"])
    assert done["status"] == "SUCCESS", done
    assert without_time(done["results"]) == without_time(analyze_file(path))
    temps, hums = written_columns(path)  # read back with the format's reference library
    results = done["results"]
    assert results["num_records"] == len(temps) == 120
    # statistics are rounded to 4 places in the document
    assert results["temperature_C"]["mean"] == pytest.approx(np.mean(temps), abs=5e-5)
    assert results["regression_analysis"]["temp_humidity_r2"] == pytest.approx(
        np.corrcoef(hums, temps)[0, 1] ** 2, abs=1e-9)
    assert done["analysis_count"] == 1
    assert done["key"] == f"uploads/{body['job_id']}{path.suffix}"

    again = await upload(api, path)
    assert again.status_code == 200
    assert again.json()["from_cache"] is True
    assert again.json()["results"] == done["results"]


async def test_cache_flushed_is_answered_from_dynamodb_without_reanalysis(
    api: httpx.AsyncClient, stack: Settings, tmp_path: Path
) -> None:
    path = make_csv(tmp_path)
    job_id = (await upload(api, path)).json()["job_id"]
    first = await finished(api, job_id)
    async with ResultCache.connect(stack) as cache:
        await cache.delete_result(job_id)
    response = await upload(api, path)
    assert response.status_code == 200
    assert response.json()["from_cache"] is False
    assert response.json()["results"] == first["results"]
    after = await finished(api, job_id)
    assert after["analysis_count"] == 1 and after["analyzed_at"] == first["analyzed_at"]


async def test_twenty_concurrent_uploads_of_one_file_run_one_analysis(
    api: httpx.AsyncClient, tmp_path: Path
) -> None:
    path = make_csv(tmp_path, n=400)
    responses = await asyncio.gather(*(upload(api, path) for _ in range(20)))
    assert {r.status_code for r in responses} <= {200, 202}
    assert {r.json()["job_id"] for r in responses} == {sha(path)}
    assert len({r.json().get("celery_id") for r in responses if r.status_code == 202}) == 1
    await finished(api, sha(path))
    await asyncio.sleep(0.5)  # a second analysis would have been projected by now
    assert (await finished(api, sha(path)))["analysis_count"] == 1


async def test_external_events_are_analysed(
    api: httpx.AsyncClient, stack: Settings, tmp_path: Path
) -> None:
    plain, record = make_csv(tmp_path), make_csv(tmp_path)
    async with ObjectStore.connect(stack) as store, EventProducer.connect(stack) as producer:
        for path in (plain, record):
            await store.put(f"landing/{path.name}", path.read_bytes(), "text/csv")
        await producer.send(stack.topic_submitted, None, orjson.dumps(
            {"bucket": store.bucket, "key": f"landing/{plain.name}"}))
        notification = {"Records": [{
            "eventSource": "aws:s3", "eventName": "ObjectCreated:Put", "eventTime": utc_iso(),
            "s3": {"bucket": {"name": store.bucket},
                   "object": {"key": f"landing/{record.name}", "size": record.stat().st_size}}}]}
        await producer.send(stack.topic_submitted, None, orjson.dumps(notification))
    for path, source in ((plain, "external"), (record, "s3-notification")):
        done = await appears(api, sha(path))
        assert done["status"] == "SUCCESS" and done["source"] == source
        assert done["key"] == f"uploads/{sha(path)}.csv"
        assert without_time(done["results"]) == without_time(analyze_file(path))


async def test_forced_replay_reanalyses_and_delete_is_final(
    api: httpx.AsyncClient, tmp_path: Path
) -> None:
    path = make_csv(tmp_path)
    job_id = (await upload(api, path)).json()["job_id"]
    first = await finished(api, job_id)
    assert "republished 1" in replay("--job", job_id, "--force")
    deadline = time.monotonic() + 30
    while (second := await finished(api, job_id))["analysis_count"] < 2:
        assert time.monotonic() < deadline, second
        await asyncio.sleep(0.05)
    assert second["status"] == "SUCCESS" and second["analyzed_at"] > first["analyzed_at"]
    assert second["source"] == "replay"

    deleted = await api.delete(f"/api/v1/delete/{job_id}/")
    assert deleted.status_code == 200
    assert (await api.get(f"/api/v1/status/{job_id}/", params={"wait": 0})).status_code == 404
    replay("--job", job_id, "--force")
    assert "1 tombstone" in replay("--completed", "--job", job_id)  # the rebuild keeps it gone
    await asyncio.sleep(2.0)  # time for the stages to (wrongly) bring it back
    assert (await api.get(f"/api/v1/status/{job_id}/", params={"wait": 0})).status_code == 404
    assert (await api.delete(f"/api/v1/delete/{job_id}/")).status_code == 404


async def test_projections_rebuild_from_the_completed_topic(
    api: httpx.AsyncClient, stack: Settings, tmp_path: Path
) -> None:
    path = make_csv(tmp_path)
    job_id = (await upload(api, path)).json()["job_id"]
    before = await finished(api, job_id)
    async with JobsTable.connect(stack) as jobs, ResultCache.connect(stack) as cache:
        await jobs.delete(job_id)  # lose the projections (not a user delete: no tombstone)
        await cache.delete_result(job_id)
    assert (await api.get(f"/api/v1/status/{job_id}/", params={"wait": 0})).status_code == 404
    assert "applied 1 completion" in replay("--completed", "--job", job_id)
    after = await finished(api, job_id, wait=0)
    assert after["results"] == before["results"]
    assert (after["status"], after["filename"], after["analyzed_at"]) == (
        "SUCCESS", before["filename"], before["analyzed_at"])
    async with ResultCache.connect(stack) as cache:
        assert await cache.get_result(job_id) == before["results"]


async def test_corrupt_and_unusable_files_fail_with_their_code(
    api: httpx.AsyncClient, tmp_path: Path
) -> None:
    no_temp = tmp_path / "no_temp.csv"
    no_temp.write_text("date,wind\n" + "".join(
        f"2021-01-{d:02d},{uuid.uuid4().int % 97}\n" for d in range(1, 20)))
    corrupt = tmp_path / "broken.xlsx"
    corrupt.write_bytes(b"PK\x03\x04" + b"xl/workbook.xml" + os.urandom(3000))
    for path, code in ((no_temp, "NO_TEMPERATURE_COLUMN"), (corrupt, "CORRUPT_FILE")):
        response = await upload(api, path)
        assert response.status_code == 202, response.text
        done = await finished(api, response.json()["job_id"])
        assert done["status"] == "FAILURE"
        assert done["error"]["code"] == code, done["error"]
        assert done["error"]["message"]


async def test_poison_events_go_to_the_dlq_while_good_ones_flow(
    api: httpx.AsyncClient, stack: Settings, tmp_path: Path
) -> None:
    marker = uuid.uuid4().hex
    good = make_csv(tmp_path)
    poison = [b"\xff\xfe not json " + marker.encode(),
              orjson.dumps({"marker": marker}),
              orjson.dumps({"schema": "weather.JobSubmitted", "schema_version": 99,
                            "bucket": "b", "key": marker}),
              orjson.dumps({"bucket": stack.s3_bucket_name, "key": f"missing/{marker}.csv"})]
    async with ObjectStore.connect(stack) as store, EventProducer.connect(stack) as producer:
        await store.put(f"landing/{good.name}", good.read_bytes(), "text/csv")
        for value in poison:
            await producer.send(stack.topic_submitted, marker, value)
        await producer.send(stack.topic_submitted, marker, orjson.dumps(
            {"bucket": store.bucket, "key": f"landing/{good.name}"}))
    assert (await appears(api, sha(good)))["status"] == "SUCCESS"
    deadline = time.monotonic() + 20
    while True:
        letters = [orjson.loads(r.value or b"{}")
                   async for r in read_topic(stack, stack.topic_dlq) if r.key == marker.encode()]
        if len(letters) >= len(poison) or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.5)
    assert {d["code"] for d in letters} == {
        "UNDECODABLE_EVENT", "UNKNOWN_EVENT", "UNSUPPORTED_SCHEMA_VERSION", "OBJECT_NOT_FOUND"}
    assert all(d["schema"] == "weather.DeadLetter" and d["reason"] for d in letters)


async def test_wait_elapsed_answers_202_with_the_current_status(
    api: httpx.AsyncClient, stack: Settings
) -> None:
    job_id = hashlib.sha256(uuid.uuid4().bytes).hexdigest()
    async with JobsTable.connect(stack) as jobs:
        await jobs.claim_new({"job_id": job_id, "status": "QUEUED", "celery_id": "stuck",
                              "created_at": utc_iso()})
        try:
            started = time.monotonic()
            response = await api.get(f"/api/v1/status/{job_id}/", params={"wait": 1})
            assert 0.9 < time.monotonic() - started < 5
            assert response.status_code == 202
            assert response.json()["status"] == "QUEUED"
            # A deletion wakes its waiters at once (they answer 404, not at their deadline).
            waiter = asyncio.create_task(
                api.get(f"/api/v1/status/{job_id}/", params={"wait": 20}))
            await asyncio.sleep(0.3)
            started = time.monotonic()
            assert (await api.delete(f"/api/v1/delete/{job_id}/")).status_code == 200
            assert (await waiter).status_code == 404
            assert time.monotonic() - started < 5
        finally:
            await jobs.delete(job_id)
    unknown = await api.get(f"/api/v1/status/{'0' * 64}/", params={"wait": 0})
    assert unknown.status_code == 404
    assert unknown.json()["error"]["code"] == "NOT_FOUND"


async def test_size_limit_and_type_checks(
    api: httpx.AsyncClient, stack: Settings, tmp_path: Path
) -> None:
    limit = (await api.get("/healthz")).json()["max_upload_bytes"]
    # A declared length over the limit is refused before the body is read.
    reader, writer = await asyncio.open_connection(stack.host, stack.api_port)
    writer.write(b"POST /api/v1/upload/ HTTP/1.1\r\nHost: x\r\n"
                 b"Content-Type: multipart/form-data; boundary=b\r\n"
                 b"Content-Length: %d\r\n\r\n" % (limit + 10_000_000))
    await writer.drain()
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
    assert head.startswith(b"HTTP/1.1 413"), head
    writer.close()
    if limit <= 64 * 1024 * 1024:  # stream a body over the limit without a content-length

        async def body() -> Any:
            yield b'--b\r\nContent-Disposition: form-data; name="file"; filename="big.csv"\r\n\r\n'
            block = b"date,temp\n" + b"2021-01-01,1\n" * 80_000
            sent = 0
            while sent <= limit:
                yield block
                sent += len(block)
            yield b"\r\n--b--\r\n"

        streamed = await api.post("/api/v1/upload/", content=body(),
                                  headers={"content-type": "multipart/form-data; boundary=b"})
        assert streamed.status_code == 413
    image = tmp_path / "photo.csv"
    image.write_bytes(b"\x89PNG\r\n\x1a\n" + os.urandom(5000))
    response = await upload(api, image)
    assert response.status_code == 415
    assert response.json()["error"]["code"] == "UNSUPPORTED_FILE_TYPE"
    word = await api.post("/api/v1/upload/", data={"other": "x"})
    assert word.status_code == 400


async def test_listing_delete_and_service_endpoints(
    api: httpx.AsyncClient, tmp_path: Path
) -> None:
    ids = []
    for _ in range(2):
        response = await upload(api, make_csv(tmp_path))
        ids.append(response.json()["job_id"])
    for job_id in ids:
        await finished(api, job_id)
    page = (await api.get("/api/v1/job-statuses/", params={"limit": 2})).json()
    assert [j["job_id"] for j in page["jobs"]] == ids[::-1]
    assert page["next_cursor"]
    more = (await api.get("/api/v1/job-statuses/",
                          params={"limit": 1, "cursor": page["next_cursor"]})).json()
    assert more["jobs"] and more["jobs"][0]["job_id"] not in ids
    success = (await api.get("/api/v1/job-statuses/",
                             params={"status": "SUCCESS", "limit": 5})).json()
    assert all(j["status"] == "SUCCESS" for j in success["jobs"])
    bad = await api.get("/api/v1/job-statuses/", params={"cursor": "nope"})
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "INVALID_CURSOR"

    assert (await api.delete(f"/api/v1/delete/{ids[0]}/")).status_code == 200
    assert (await api.get(f"/api/v1/status/{ids[0]}/", params={"wait": 0})).status_code == 404

    ready = await api.get("/readyz")
    assert ready.status_code == 200, ready.text
    assert set(ready.json()["checks"]) == {"s3", "dynamodb", "redis", "kafka", "completion_feed"}
    metrics = (await api.get("/metrics")).text
    assert "weather_api_requests_total" in metrics and "weather_api_request_seconds" in metrics
    spec = (await api.get("/openapi.json")).json()
    assert "/api/v1/upload/" in spec["paths"]
    missing = await api.get("/api/v1/nowhere")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "NOT_FOUND"


async def test_large_upload_streams_through_s3_multipart(
    api: httpx.AsyncClient, stack: Settings, tmp_path: Path
) -> None:
    path = make_csv(tmp_path, n=200_000)  # ~7-8 MB of rows plus padding below: > one 8 MiB part
    with path.open("a") as out:
        out.write("".join(f"2021-02-01 00:00:00,{i % 30}.5,{i % 90}.25,3.5\n"
                          for i in range(120_000)))
    assert path.stat().st_size > 9 * 1024 * 1024
    response = await upload(api, path)
    assert response.status_code == 202, response.text
    job_id = response.json()["job_id"]
    assert job_id == sha(path)
    done = await finished(api, job_id, wait=60)
    assert done["status"] == "SUCCESS", done
    assert done["size"] == path.stat().st_size
    async with ObjectStore.connect(stack) as store:
        assert await store.size(f"uploads/{job_id}.csv") == path.stat().st_size
