"""Pipeline benchmark against the local stack (`python -m tests.bench.pipeline`; starts the
stack when it is not running, and stops what it started).

Measures, on loopback with bounded loops:
1. upload-to-SUCCESS latency (p50/p99) of small files at a steady 20 jobs/s, the same minus the
   engine's own time (pipeline overhead), and each hop's share (from the stamped timings);
2. cache-hit upload latency of a 1 MB file at 32 concurrent clients;
3. the highest sustained rate of small jobs with no errors (bounded ramp);
4. the RSS of the API process while it holds 1,000 waiting status requests.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import itertools
import json
import logging
import random
import time
import uuid
from typing import Any

import httpx
import psutil

from infra.adapters.jobs_table import JobsTable
from infra.settings import Settings, load_settings
from schemas.clock import parse_iso, utc_iso

HOPS = ("submitted_at", "queued_at", "started_at", "finished_at", "projected_at")


def small_csv(rows: int = 48) -> bytes:
    rng = random.Random(uuid.uuid4().int)
    lines = ["date,mean_temp_C,humidity"]
    lines += [f"2022-03-{1 + i // 24:02d} {i % 24:02d}:00,{rng.uniform(-5, 30):.3f},"
              f"{rng.uniform(20, 95):.2f}" for i in range(rows)]
    return ("\n".join(lines) + "\n").encode()


def sized_csv(size: int) -> bytes:
    rng = random.Random(uuid.uuid4().int)
    out, n = ["date,mean_temp_C,humidity"], 0
    while n < size:
        line = (f"2022-{1 + n % 12:02d}-{1 + n % 28:02d} {n % 24:02d}:00,"
                f"{rng.uniform(-5, 30):.3f},{rng.uniform(20, 95):.2f}")
        out.append(line)
        n += len(line) + 1
    return ("\n".join(out) + "\n").encode()


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 2)


async def one_job(client: httpx.AsyncClient, data: bytes) -> dict[str, Any]:
    start = time.perf_counter()
    up = await client.post("/api/v1/upload/", files={"file": ("b.csv", data)})
    if up.status_code not in (200, 202):
        return {"ok": False, "error": f"upload {up.status_code}"}
    job_id = up.json()["job_id"]
    status = await client.get(f"/api/v1/status/{job_id}/", params={"wait": 30})
    received = utc_iso()
    elapsed_ms = (time.perf_counter() - start) * 1000
    body = status.json()
    if status.status_code != 200 or body.get("status") != "SUCCESS":
        return {"ok": False, "error": f"status {status.status_code} {body.get('status')}"}
    timings = dict(body.get("timings") or {})
    timings["received_at"] = received
    return {"ok": True, "ms": elapsed_ms, "engine_ms": 1000 * float(timings.get("analysis_s", 0)),
            "timings": timings}


def hop_breakdown(results: list[dict[str, Any]]) -> dict[str, dict[str, float]]:
    marks = (*HOPS, "received_at")
    out: dict[str, list[float]] = {}
    for r in results:
        t = r["timings"]
        for a, b in itertools.pairwise(marks):
            if t.get(a) and t.get(b):
                ms = (parse_iso(t[b]) - parse_iso(t[a])).total_seconds() * 1000
                out.setdefault(f"{a.removesuffix('_at')}->{b.removesuffix('_at')}", []).append(ms)
        for name in ("download_s", "analysis_s"):
            if name in t:
                out.setdefault(name.replace("_s", "_ms"), []).append(1000 * float(t[name]))
    return {k: {"p50": pct(v, 0.5), "p99": pct(v, 0.99)} for k, v in out.items()}


async def steady(client: httpx.AsyncClient, rate: float, seconds: float) -> dict[str, Any]:
    """Start `rate` jobs per second for `seconds`; every job is a new small file."""
    tasks = []
    start = time.perf_counter()
    for i in range(int(rate * seconds)):
        delay = start + i / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one_job(client, small_csv())))
    submitting_s = time.perf_counter() - start
    results = await asyncio.gather(*tasks)
    good = [r for r in results if r["ok"]]
    errors = [r["error"] for r in results if not r["ok"]]
    return {
        "rate": rate, "jobs": len(results), "errors": len(errors), "error_sample": errors[:3],
        "achieved_rate": round(len(results) / max(submitting_s, seconds), 1),
        "latency_ms": {"p50": pct([r["ms"] for r in good], 0.5),
                       "p99": pct([r["ms"] for r in good], 0.99)},
        "overhead_ms": {"p50": pct([r["ms"] - r["engine_ms"] for r in good], 0.5),
                        "p99": pct([r["ms"] - r["engine_ms"] for r in good], 0.99)},
        "hops_ms": hop_breakdown(good),
    }


async def sequential(client: httpx.AsyncClient, jobs: int) -> dict[str, Any]:
    """One job at a time: the pipeline's own latency, with no queueing."""
    results = [await one_job(client, small_csv()) for _ in range(jobs)]
    good = [r for r in results if r["ok"]]
    return {"jobs": jobs, "errors": jobs - len(good),
            "latency_ms": {"p50": pct([r["ms"] for r in good], 0.5),
                           "p99": pct([r["ms"] for r in good], 0.99)},
            "overhead_ms": {"p50": pct([r["ms"] - r["engine_ms"] for r in good], 0.5),
                            "p99": pct([r["ms"] - r["engine_ms"] for r in good], 0.99)},
            "hops_ms": hop_breakdown(good)}


async def cache_hits(client: httpx.AsyncClient, clients: int, per_client: int) -> dict[str, Any]:
    data = sized_csv(1024 * 1024)
    first = await one_job(client, data)
    assert first["ok"], first
    latencies: list[float] = []

    async def worker() -> None:
        for _ in range(per_client):
            t = time.perf_counter()
            r = await client.post("/api/v1/upload/", files={"file": ("big.csv", data)})
            latencies.append((time.perf_counter() - t) * 1000)
            assert r.status_code == 200 and r.json()["from_cache"], r.text[:200]

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(clients)))
    took = time.perf_counter() - start
    return {"file_bytes": len(data), "clients": clients, "requests": len(latencies),
            "latency_ms": {"p50": pct(latencies, 0.5), "p99": pct(latencies, 0.99)},
            "throughput_rps": round(len(latencies) / took, 1)}


async def ramp(client: httpx.AsyncClient, rates: list[float], seconds: float) -> dict[str, Any]:
    """Raise the rate while the pipeline keeps up: no errors, the asked rate achieved, and a
    p50 within 3x the first (lightly loaded) step's and a p99 under 1 s. Past that the Celery
    queue grows for as long as the step lasts, so a longer step would only look worse."""
    steps: list[dict[str, Any]] = []
    best = 0.0
    for rate in rates:
        step = await steady(client, rate, seconds)
        steps.append({k: step[k] for k in ("rate", "achieved_rate", "errors", "latency_ms")})
        baseline = steps[0]["latency_ms"]["p50"]
        keeps_up = (
            not step["errors"]
            and step["achieved_rate"] >= 0.98 * rate
            and step["latency_ms"]["p50"] <= 3 * baseline
            and step["latency_ms"]["p99"] <= 1000
        )
        if not keeps_up:
            break
        best = rate
        await asyncio.sleep(1.0)
    return {"highest_sustained_jobs_per_s": best, "steps": steps}


def api_process(settings: Settings) -> psutil.Process:
    for conn in psutil.net_connections("tcp"):
        if conn.status == psutil.CONN_LISTEN and conn.laddr.port == settings.api_port \
                and conn.pid:
            return psutil.Process(conn.pid)
    raise RuntimeError(f"no process listens on port {settings.api_port}")


async def waiting_rss(settings: Settings, waiters: int) -> dict[str, Any]:
    proc = api_process(settings)
    before = proc.memory_info().rss
    ids = [hashlib.sha256(uuid.uuid4().bytes).hexdigest() for _ in range(waiters)]
    async with JobsTable.connect(settings) as jobs:
        for i in range(0, waiters, 50):
            await asyncio.gather(*(jobs.claim_new({
                "job_id": j, "status": "QUEUED", "celery_id": "bench", "created_at": utc_iso(),
                "source": "bench"}) for j in ids[i:i + 50]))
        limits = httpx.Limits(max_connections=waiters + 10, max_keepalive_connections=0)
        try:
            async with httpx.AsyncClient(base_url=settings.api_url, timeout=60,
                                         limits=limits) as client:
                tasks = [asyncio.create_task(client.get(f"/api/v1/status/{j}/",
                                                        params={"wait": 15})) for j in ids]
                peak = before
                for _ in range(20):  # sample while they wait
                    await asyncio.sleep(0.5)
                    metrics = (await client.get("/metrics")).text
                    peak = max(peak, proc.memory_info().rss)
                    held = [line for line in metrics.splitlines()
                            if line.startswith("weather_api_waiting_status_requests ")]
                    if held and float(held[0].split()[1]) >= waiters:
                        break
                held_now = float(held[0].split()[1]) if held else -1
                peak = max(peak, proc.memory_info().rss)
                answers = await asyncio.gather(*tasks)
        finally:
            for i in range(0, waiters, 50):
                await asyncio.gather(*(jobs.delete(j) for j in ids[i:i + 50]))
    return {"waiters_held": int(held_now), "rss_before_mb": round(before / 2**20, 1),
            "rss_holding_mb": round(peak / 2**20, 1),
            "per_waiter_kb": round((peak - before) / 1024 / waiters, 1),
            "answered_202": sum(1 for a in answers if a.status_code == 202)}


def stack_processes(settings: Settings) -> dict[str, psutil.Process]:
    """The stack's processes by service name (from `weather-stack status --json`)."""
    import json as _json
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-m", "infra.cli", "status", "--json"],
                         capture_output=True, text=True, timeout=60, check=False).stdout
    procs = {}
    for name, info in _json.loads(out or "{}").get("services", {}).items():
        if info.get("pid"):
            try:
                procs[name] = psutil.Process(info["pid"])
            except psutil.NoSuchProcess:
                continue
    return procs


def cpu_seconds(procs: dict[str, psutil.Process]) -> dict[str, float]:
    """CPU time of each process and its children (Celery's pool, the JVMs' threads)."""
    out = {}
    for name, proc in procs.items():
        total = 0.0
        try:
            for p in (proc, *proc.children(recursive=True)):
                t = p.cpu_times()
                total += t.user + t.system
        except psutil.NoSuchProcess:
            continue
        out[name] = total
    return out


async def main_async(args: argparse.Namespace) -> dict[str, Any]:
    settings = load_settings()
    procs = stack_processes(settings)
    limits = httpx.Limits(max_connections=200, max_keepalive_connections=100)
    report: dict[str, Any] = {}
    async with httpx.AsyncClient(base_url=settings.api_url, timeout=60, limits=limits) as client:
        await steady(client, 5, 2)  # warm-up
        report["sequential"] = await sequential(client, 30)
        cpu_before = cpu_seconds(procs)
        report["steady_20_per_s"] = await steady(client, 20, args.seconds)
        jobs = report["steady_20_per_s"]["jobs"]
        cpu_after = cpu_seconds(procs)
        report["steady_20_per_s"]["cpu_ms_per_job"] = {
            name: round(1000 * (cpu_after[name] - cpu_before.get(name, 0.0)) / jobs, 1)
            for name in cpu_after}
        report["cache_hit_1mb_32_clients"] = await cache_hits(client, 32, args.per_client)
        report["ramp"] = await ramp(client, [5, 10, 15, 20, 25, 30, 40], args.ramp_seconds)
    report["rss_1000_waiters"] = await waiting_rss(settings, 1000)
    return report


def main() -> None:
    from infra import stack

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="steady phase length")
    parser.add_argument("--ramp-seconds", type=float, default=5.0, help="length of each step")
    parser.add_argument("--per-client", type=int, default=20, help="cache-hit uploads each")
    args = parser.parse_args()
    settings = load_settings()
    # aiokafka logs every refused connection while Kafka starts; the stack's probes report.
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)
    started = stack.up(settings)  # a no-op on a running stack; otherwise stopped again below
    try:
        report = asyncio.run(main_async(args))
    finally:
        if started:
            stack.down(settings, started)
    seq = report["sequential"]
    print(f"\none job at a time: upload→SUCCESS p50 {seq['latency_ms']['p50']} ms, overhead "
          f"p50 {seq['overhead_ms']['p50']} ms, p99 {seq['overhead_ms']['p99']} ms")
    steady20 = report["steady_20_per_s"]
    print(json.dumps(report, indent=2))
    print(f"upload→SUCCESS at 20 jobs/s: p50 {steady20['latency_ms']['p50']} ms, "
          f"p99 {steady20['latency_ms']['p99']} ms; pipeline overhead p50 "
          f"{steady20['overhead_ms']['p50']} ms (aim < 100)")
    hits = report["cache_hit_1mb_32_clients"]["latency_ms"]
    print(f"cache-hit 1 MB upload, 32 clients: p50 {hits['p50']} ms, p99 {hits['p99']} ms "
          f"(aim p50 < 10)")
    print(f"highest sustained rate: {report['ramp']['highest_sustained_jobs_per_s']} jobs/s")
    rss = report["rss_1000_waiters"]
    print(f"API RSS holding {rss['waiters_held']} waiters: {rss['rss_holding_mb']} MB "
          f"({rss['per_waiter_kb']} KB each over {rss['rss_before_mb']} MB)")


if __name__ == "__main__":
    main()
