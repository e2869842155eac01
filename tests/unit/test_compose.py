"""docker-compose.yml runs the launcher's services with the settings' names and ports."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import AliasChoices

from infra import stack
from infra.services import kafka
from infra.settings import Settings

COMPOSE = Path(__file__).resolve().parents[2] / "docker-compose.yml"
APP_PROCESSES = ("api", "faust", "celery")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    document = yaml.safe_load(COMPOSE.read_text())
    assert isinstance(document, dict)
    return document


@pytest.fixture(scope="module")
def settings() -> Settings:
    """The defaults, whatever this shell's environment or .env says."""
    return Settings.model_construct()


def _setting_names() -> set[str]:
    names: set[str] = set()
    for info in Settings.model_fields.values():
        if isinstance(info.validation_alias, AliasChoices):
            names.update(str(choice) for choice in info.validation_alias.choices)
    return names


def _host_ports(service: dict[str, Any]) -> set[int]:
    return {int(str(mapping).split(":")[0]) for mapping in service.get("ports", [])}


def test_every_launcher_service_and_app_process_is_a_container(
    compose: dict[str, Any], settings: Settings
) -> None:
    names = {entry.name for entry in stack.services(settings)}
    assert names <= set(compose["services"])
    assert set(APP_PROCESSES) <= set(compose["services"])


def test_host_ports_are_the_settings_defaults(
    compose: dict[str, Any], settings: Settings
) -> None:
    services = compose["services"]
    assert settings.kafka_port in _host_ports(services["kafka"])
    assert settings.dynamodb_port in _host_ports(services["dynamodb"])
    assert settings.s3_port in _host_ports(services["s3"])
    assert settings.redis_port in _host_ports(services["redis"])
    assert settings.api_port in _host_ports(services["api"])


def test_launcher_entries_publish_the_same_ports(
    compose: dict[str, Any], settings: Settings
) -> None:
    for entry in stack.services(settings):
        published = _host_ports(compose["services"][entry.name])
        client_ports = set(entry.ports.values()) - {settings.kafka_controller_port}
        assert client_ports <= published, entry.name


def test_kafka_image_matches_the_launcher_version(compose: dict[str, Any]) -> None:
    image = compose["services"]["kafka"]["image"]
    assert image == f"apache/kafka:{kafka.VERSION}"
    assert kafka.VERSION.startswith("3.9")  # aiokafka/faust need pre-KIP-896 protocol versions


def test_servers_and_apps_have_healthchecks(compose: dict[str, Any]) -> None:
    for name, service in compose["services"].items():
        if name != "provision":
            assert service.get("healthcheck", {}).get("test"), name


def test_apps_wait_for_healthy_servers(compose: dict[str, Any]) -> None:
    for name in (*APP_PROCESSES, "provision"):
        depends = compose["services"][name]["depends_on"]
        for server in stack.INFRA_NAMES:
            assert depends[server] == {"condition": "service_healthy"}, (name, server)


def test_app_environment_uses_setting_names(
    compose: dict[str, Any], settings: Settings
) -> None:
    known = _setting_names()
    for name in (*APP_PROCESSES, "provision"):
        environment = compose["services"][name]["environment"]
        assert set(environment) <= known, set(environment) - known
        assert environment["S3_BUCKET_NAME"] == settings.s3_bucket_name
        assert environment["DYNAMODB_TABLE_NAME"] == settings.jobs_table
        assert environment["TOPIC_SUBMITTED"] == settings.topic_submitted


def test_app_commands(compose: dict[str, Any], settings: Settings) -> None:
    services = compose["services"]
    api = services["api"]["command"]
    assert api[:3] == ["uvicorn", "ingest_api.app:create_app", "--factory"]
    assert api[api.index("--port") + 1] == str(settings.api_port)
    faust = ["faust", "-A", "stages.faust_app", "worker", "-l", "info"]
    assert services["faust"]["command"] == faust
    assert services["celery"]["command"][:4] == ["celery", "-A", "stages.celery_app", "worker"]
