"""The web page in real headless Chromium against the running stack.

Debian's chromium (/usr/bin/chromium, installed by infra/install-system-deps.sh) is driven by
Playwright; a missing browser fails these tests rather than skipping them.
Set WEATHER_SCREENSHOT=path.png to save a screenshot of the page with its real result.
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from infra.settings import Settings
from tests.e2e.test_cli import write_szeged_csv

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
RESULT_TIMEOUT_MS = 180_000


def launch(playwright: Any) -> Browser:
    assert Path(CHROMIUM).exists(), (
        f"{CHROMIUM} is missing: install Debian's chromium (infra/install-system-deps.sh)")
    browser: Browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    return browser


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(browser: Browser, stack: Settings) -> Iterator[Page]:
    """A fresh page on the stack's web page; any script error fails the test."""
    context = browser.new_context(viewport={"width": 1280, "height": 1000},
                                  base_url=stack.api_url)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(f"page error: {exc}"))
    # Error answers the page shows (404, 415…) are logged by Chromium as failed loads.
    page.on("console", lambda msg: errors.append(f"console: {msg.text}")
            if msg.type == "error" and not msg.text.startswith("Failed to load resource")
            else None)
    page.goto("/")
    expect(page.get_by_role("heading", name="Analyse a file")).to_be_visible()
    try:
        yield page
    finally:
        context.close()
    assert errors == []


def status_of(stack: Settings, job_id: str) -> httpx.Response:
    return httpx.get(f"{stack.api_url}/api/v1/status/{job_id}/", params={"wait": 0}, timeout=30)


def job_id_of(page: Page) -> str:
    hash_ = page.evaluate("location.hash")
    assert isinstance(hash_, str) and hash_.startswith("#job="), hash_
    return hash_.removeprefix("#job=")


def upload_and_wait(page: Page, path: Path) -> str:
    """Pick `path` in the page, wait for its result, return the job id."""
    page.set_input_files("#file-input", str(path))
    expect(page.locator("#upload-file-name")).to_have_text(path.name)
    expect(page.locator("#chart svg path.series")).to_be_attached(timeout=RESULT_TIMEOUT_MS)
    expect(page.locator("#upload-progress")).to_have_attribute("aria-valuetext", "100%")
    return job_id_of(page)


def capture(page: Page, path: Path) -> None:
    """A screenshot with the chart's tooltip showing, at desktop width and at phone width."""
    chart = page.locator("#chart")
    page.set_viewport_size({"width": 1360, "height": 1000})
    page.evaluate("window.scrollTo(0, 0)")
    page.set_viewport_size({"width": 1360, "height": page.evaluate(
        "document.documentElement.scrollHeight")})
    box = chart.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] * 0.62, box["y"] + box["height"] * 0.5)
    expect(page.locator("#chart .tooltip")).to_be_visible()
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path))
    page.set_viewport_size({"width": 390, "height": 844})
    page.set_viewport_size({"width": 390, "height": page.evaluate(
        "document.documentElement.scrollHeight")})
    box = chart.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] * 0.55, box["y"] + box["height"] * 0.5)
    page.screenshot(path=str(path.with_name(f"{path.stem}-phone{path.suffix}")))
    page.set_viewport_size({"width": 1280, "height": 1000})


def test_upload_shows_the_result_then_delete(page: Page, stack: Settings, tmp_path: Path) -> None:
    path = write_szeged_csv(tmp_path / f"szeged-{uuid.uuid4().hex[:6]}.csv", days=120)
    job_id = upload_and_wait(page, path)
    answer = status_of(stack, job_id)
    assert answer.status_code == 200, answer.text
    results = answer.json()["results"]
    regression = results["regression_analysis"]

    # The figures are the API's, to the precision shown.
    expect(page.locator("#r2-value")).to_have_text(f"{regression['temp_humidity_r2']:.4f}")
    expect(page.locator("#slope-value")).to_have_text(f"{regression['slope']:.4f}")
    expect(page.locator("#intercept-value")).to_have_text(f"{regression['intercept']:.2f}")
    expect(page.locator("#result-summary")).to_have_text(results["report_summary"])
    expect(page.locator("#records-value")).to_have_text(f"{results['num_records']:,}")
    stats = page.locator("#stats-table tbody tr")
    expect(stats.nth(0)).to_contain_text(f"{results['temperature_C']['mean']:.2f}")
    expect(stats.nth(0)).to_contain_text(f"{results['humidity_pct']['mean']:.2f}")
    expect(page.locator("#columns-list")).to_contain_text("Formatted Date")
    expect(page.locator("#columns-list")).to_contain_text("Temperature (C)")
    expect(page.locator("#steps li.done")).to_have_count(4)
    expect(page.locator("#error-box")).to_be_hidden()

    # The chart: axes, hover tooltip, drag-to-zoom, reset, keyboard.
    chart = page.locator("#chart")
    expect(chart.locator(".axis-x text").first).to_be_visible()
    expect(chart.locator(".axis-y text").first).to_be_visible()
    chart.scroll_into_view_if_needed()
    box = chart.bounding_box()
    assert box is not None
    middle_y = box["y"] + box["height"] / 2
    page.mouse.move(box["x"] + box["width"] * 0.5, middle_y)
    expect(chart.locator(".tooltip")).to_be_visible()
    expect(chart.locator(".tooltip")).to_contain_text("°C")
    whole_range = page.locator("#chart-range").inner_text()
    reset = page.get_by_role("button", name="Reset zoom")
    expect(reset).to_be_disabled()
    page.mouse.move(box["x"] + box["width"] * 0.3, middle_y)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.45, middle_y, steps=5)
    page.mouse.move(box["x"] + box["width"] * 0.6, middle_y, steps=5)
    page.mouse.up()
    expect(reset).to_be_enabled()
    expect(page.locator("#chart-range")).not_to_have_text(whole_range)
    reset.click()
    expect(reset).to_be_disabled()
    expect(page.locator("#chart-range")).to_have_text(whole_range)
    chart.focus()
    page.keyboard.press("ArrowRight")
    expect(chart.locator(".tooltip")).to_be_visible()
    page.keyboard.press("+")
    expect(reset).to_be_enabled()
    page.keyboard.press("Escape")
    expect(reset).to_be_disabled()

    # The recent jobs list shows the job.
    row = page.locator(f'#jobs-list li[data-job-id="{job_id}"]')
    expect(row).to_contain_text(path.name)
    expect(row.locator(".badge")).to_have_text("SUCCESS")
    expect(row).to_have_class("job current")

    screenshot = os.environ.get("WEATHER_SCREENSHOT")
    if screenshot:
        capture(page, Path(screenshot))

    # Delete it, after a cancelled first attempt.
    row.get_by_role("button", name=f"Delete {path.name}").click()
    dialog = page.locator("#confirm-dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text(path.name)
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()
    expect(row).to_be_visible()
    assert status_of(stack, job_id).status_code == 200
    row.get_by_role("button", name=f"Delete {path.name}").click()
    dialog.get_by_role("button", name="Delete").click()
    expect(row).to_have_count(0)
    expect(page.locator("#result")).to_be_hidden()
    expect(page.locator("#status-line")).to_have_text(f"Deleted {path.name}.")
    assert status_of(stack, job_id).status_code == 404


def test_opening_a_job_from_the_list(page: Page, stack: Settings, tmp_path: Path) -> None:
    path = write_szeged_csv(tmp_path / f"listed-{uuid.uuid4().hex[:6]}.csv", days=20)
    job_id = upload_and_wait(page, path)
    r2 = status_of(stack, job_id).json()["results"]["regression_analysis"]["temp_humidity_r2"]
    page.goto("/")
    expect(page.locator("#result")).to_be_hidden()
    page.get_by_label("Show jobs").select_option("SUCCESS")
    row = page.locator(f'#jobs-list li[data-job-id="{job_id}"]')
    row.get_by_role("button", name=f"Open {path.name}").click()
    expect(page.locator("#r2-value")).to_have_text(f"{r2:.4f}")
    assert job_id_of(page) == job_id
    page.reload()  # the address keeps the open job
    expect(page.locator("#r2-value")).to_have_text(f"{r2:.4f}")
    httpx.delete(f"{stack.api_url}/api/v1/delete/{job_id}/", timeout=30)


def test_drop_a_file_on_the_drop_zone(page: Page, stack: Settings, tmp_path: Path) -> None:
    text = write_szeged_csv(tmp_path / "dropped.csv", days=10).read_text()
    transfer = page.evaluate_handle(
        """text => {
            const transfer = new DataTransfer();
            transfer.items.add(new File([text], "dropped.csv", { type: "text/csv" }));
            return transfer;
        }""", text)
    zone = page.locator("#dropzone")
    zone.dispatch_event("dragenter", {"dataTransfer": transfer})
    expect(zone).to_have_class(re.compile(r"\bdragover\b"))
    zone.dispatch_event("drop", {"dataTransfer": transfer})
    expect(zone).not_to_have_class(re.compile(r"\bdragover\b"))
    expect(page.locator("#upload-file-name")).to_have_text("dropped.csv")
    expect(page.locator("#r2-value")).not_to_have_text("–", timeout=RESULT_TIMEOUT_MS)
    job_id = job_id_of(page)
    r2 = status_of(stack, job_id).json()["results"]["regression_analysis"]["temp_humidity_r2"]
    expect(page.locator("#r2-value")).to_have_text(f"{r2:.4f}")
    httpx.delete(f"{stack.api_url}/api/v1/delete/{job_id}/", timeout=30)


def test_more_loads_the_next_page_of_jobs(page: Page, stack: Settings) -> None:
    ids = []
    with httpx.Client(base_url=stack.api_url, timeout=60) as client:
        for i in range(21):
            body = f"Temperature (C)\n{i}.5\n{uuid.uuid4().int % 40}\n3.25\n".encode()
            answer = client.post("/api/v1/upload/", files={"file": (f"tiny-{i}.csv", body)})
            assert answer.status_code in (200, 202), answer.text
            ids.append(answer.json()["job_id"])
        try:
            page.reload()
            rows = page.locator("#jobs-list li")
            expect(rows).to_have_count(20)
            more = page.get_by_role("button", name="More")
            expect(more).to_be_visible()
            more.click()
            expect(rows.nth(20)).to_be_attached()
            listed = {rows.nth(i).get_attribute("data-job-id") for i in range(rows.count())}
            assert set(ids) <= listed
        finally:
            for job_id in ids:
                client.get(f"/api/v1/status/{job_id}/", params={"wait": 30})
                client.delete(f"/api/v1/delete/{job_id}/")


def test_analysis_failure_shows_its_code(page: Page, tmp_path: Path) -> None:
    path = tmp_path / f"no-temperature-{uuid.uuid4().hex[:6]}.csv"
    path.write_text("date,humidity,wind\n" + "".join(
        f"2006-04-{1 + i % 28:02d},{50 + i % 40},{uuid.uuid4().int % 30}\n" for i in range(60)))
    page.set_input_files("#file-input", str(path))
    error = page.locator("#error-box")
    expect(error).to_be_visible(timeout=RESULT_TIMEOUT_MS)
    expect(page.locator("#error-title")).to_have_text("Analysis failed")
    expect(page.locator("#error-code")).to_have_text("NO_TEMPERATURE_COLUMN")
    expect(page.locator("#result")).to_be_hidden()
    expect(page.locator("#steps li.failed")).to_have_count(1)


def test_a_refused_upload_shows_the_apis_error(page: Page, tmp_path: Path) -> None:
    path = tmp_path / "binary.csv"  # named .csv, but the API sniffs the bytes
    path.write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n\x00\x01" + uuid.uuid4().bytes)
    page.set_input_files("#file-input", str(path))
    expect(page.locator("#error-code")).to_have_text("UNSUPPORTED_FILE_TYPE")
    expect(page.locator("#error-title")).to_have_text("This file type is not supported")
    expect(page.locator("#error-message")).not_to_be_empty()

    other = tmp_path / "notes.txt"  # refused by the page before any upload
    other.write_text("hello")
    page.set_input_files("#file-input", str(other))
    expect(page.locator("#error-message")).to_contain_text("notes.txt")


def test_a_file_over_the_limit_shows_file_too_large(page: Page, stack: Settings,
                                                   tmp_path: Path) -> None:
    limit = httpx.get(f"{stack.api_url}/healthz", timeout=30).json()["max_upload_bytes"]
    if limit > 64 * 1024 * 1024:
        pytest.skip(f"the stack's upload limit ({limit} bytes) is too large to exceed here; "
                    "a stack started by the tests has 24 MiB")
    path = tmp_path / "too-large.csv"
    row = b"2006-04-01 00:00:00.000 +0200,9.47,0.89\n"
    with path.open("wb") as out:
        out.write(b"Formatted Date,Temperature (C),Humidity\n")
        out.write(row * (limit // len(row) + 1))
    page.set_input_files("#file-input", str(path))
    expect(page.locator("#error-code")).to_have_text("FILE_TOO_LARGE", timeout=60_000)
    expect(page.locator("#error-title")).to_have_text("The file is too large")


def test_phone_width_has_no_sideways_scrolling(browser: Browser, stack: Settings,
                                               tmp_path: Path) -> None:
    context = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True,
                                  has_touch=True, base_url=stack.api_url)
    path = write_szeged_csv(tmp_path / f"phone-{uuid.uuid4().hex[:6]}.csv", days=15)
    try:
        page = context.new_page()
        page.goto("/")
        job_id = upload_and_wait(page, path)
        expect(page.locator("#r2-value")).not_to_have_text("–")
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0
        result = page.locator("#result").bounding_box()
        jobs = page.locator("#jobs-list").bounding_box()
        assert result is not None and jobs is not None
        assert result["y"] < jobs["y"]  # one column: the result comes before the job list
    finally:
        context.close()
    httpx.delete(f"{stack.api_url}/api/v1/delete/{job_id}/", timeout=30)
