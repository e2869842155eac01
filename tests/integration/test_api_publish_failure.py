"""When the submission event cannot be produced, the upload answers 503 QUEUE_UNAVAILABLE and
leaves neither a claim nor an object behind (DESIGN: nothing half-claimed)."""

from __future__ import annotations

import hashlib
import uuid

import pytest

from infra.settings import Settings
from ingest_api.app import create_app

pytestmark = pytest.mark.integration


# Starlette's TestClient runs the app's lifespan in-process (so this one process can lose its
# broker); it warns that it would rather use httpx2, which is not a dependency here.
@pytest.mark.filterwarnings("ignore:Using `httpx` with `starlette.testclient`")
def test_upload_answers_503_and_undoes_the_claim_when_the_broker_is_gone(
    stack: Settings,
) -> None:
    body = ("date,mean_temp_C,humidity\n"
            f"2021-01-01,{uuid.uuid4().int % 30},50\n2021-01-02,3,60\n").encode()
    job_id = hashlib.sha256(body).hexdigest()
    from starlette.testclient import TestClient

    with TestClient(create_app()) as client:
        services = client.app_state["services"]
        client.portal.call(services.producer.stop)  # this process loses its broker connection
        response = client.post("/api/v1/upload/", files={"file": ("w.csv", body, "text/csv")})
        assert response.status_code == 503, response.text
        assert response.json()["error"]["code"] == "QUEUE_UNAVAILABLE"
        assert client.portal.call(services.jobs.get, job_id) is None
        assert client.portal.call(services.store.size, f"uploads/{job_id}.csv") is None
