"""Pure rules of the API's use cases: stale claims, the public view of a job."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ingest_api.jobs import STALE_PENDING_S, _stale_claim, public_job
from schemas.clock import utc_iso


def test_only_an_old_pending_claim_is_stale() -> None:
    old = utc_iso(datetime.now(UTC) - timedelta(seconds=STALE_PENDING_S + 5))
    fresh = utc_iso()
    assert _stale_claim({"status": "PENDING", "celery_id": "c", "updated_at": old})
    assert not _stale_claim({"status": "PENDING", "celery_id": "c", "updated_at": fresh})
    assert not _stale_claim({"status": "QUEUED", "celery_id": "c", "updated_at": old})
    assert not _stale_claim({"status": "PENDING", "updated_at": old})


def test_public_job_hides_internals_and_decodes_timings() -> None:
    item = {"job_id": "j", "status": "SUCCESS", "list_pk": "job", "analysis_ids": ["a"],
            "timings_json": '{"analysis_s": 0.5}'}
    assert public_job(item) == {"job_id": "j", "status": "SUCCESS",
                                "timings": {"analysis_s": 0.5}}
