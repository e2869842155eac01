"""Settings are read from the environment and stop the process at start when invalid."""

from __future__ import annotations

import pytest

from infra.settings import Settings, load_settings


def test_defaults_are_the_design_ports(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("API_PORT", "KAFKA_PORT", "REDIS_PORT", "S3_PORT", "DYNAMODB_PORT"):
        monkeypatch.delenv(name, raising=False)
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert (settings.api_port, settings.kafka_port, settings.redis_port) == (8000, 9092, 6379)
    assert (settings.s3_port, settings.dynamodb_port) == (9000, 8001)


def test_environment_overrides_ports_and_derived_urls(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KAFKA_PORT", "19092")
    monkeypatch.setenv("S3_PORT", "19000")
    settings = load_settings()
    assert settings.kafka_bootstrap_servers == "127.0.0.1:19092"
    assert settings.s3_endpoint_url == "http://127.0.0.1:19000"


@pytest.mark.parametrize(
    ("name", "value"),
    [("KAFKA_PORT", "not-a-port"), ("REDIS_PORT", "70000"), ("S3_BUCKET_NAME", "ab")],
)
def test_invalid_setting_exits_naming_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(SystemExit) as exc:
        load_settings()
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "invalid settings" in err
    assert name in err
    assert "Traceback" not in err


def test_cli_refuses_to_start_with_invalid_setting(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from infra.cli import main

    monkeypatch.setenv("DYNAMODB_PORT", "0")
    with pytest.raises(SystemExit):
        main(["status", "--json"])
    assert "DYNAMODB_PORT" in capsys.readouterr().err
