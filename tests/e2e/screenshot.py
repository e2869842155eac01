"""Screenshots of the web page with a real result, for the docs.

    python -m tests.e2e.screenshot [--api URL] [--out docs/screenshot.png] [--days N]

Uploads a generated Szeged-layout file through the page of a running stack, waits for the
result, and saves the page at desktop width (OUT) and phone width (OUT with `-phone`).
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from ingest_api.client.api import resolve_api_url
from tests.e2e.test_browser import capture, launch, upload_and_wait
from tests.e2e.test_cli import write_szeged_csv


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--api", help="API address (default: $WEATHER_API_URL or settings)")
    parser.add_argument("--out", type=Path, default=Path("docs/screenshot.png"))
    parser.add_argument("--days", type=int, default=3 * 365, help="days of hourly data")
    args = parser.parse_args()
    api = resolve_api_url(args.api)
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright:
        data = write_szeged_csv(Path(tmp) / "szeged-weather-2006-2008.csv", days=args.days)
        browser = launch(playwright)
        try:
            page = browser.new_page(viewport={"width": 1360, "height": 1000}, base_url=api)
            page.goto("/")
            job_id = upload_and_wait(page, data)
            capture(page, args.out)
        finally:
            browser.close()
    print(f"saved {args.out} and its -phone variant (job {job_id})")


if __name__ == "__main__":
    main()
