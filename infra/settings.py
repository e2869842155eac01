"""One typed settings object for every process, read from the environment and `.env`."""

from __future__ import annotations

import sys
from functools import cached_property
from pathlib import Path
from typing import Annotated

from pydantic import AliasChoices, Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

Port = Annotated[int, Field(ge=1, le=65535)]


def _env(*names: str) -> AliasChoices:
    """Accept a setting under any of `names` (the original service's names come first)."""
    return AliasChoices(*names)


class Settings(BaseSettings):
    """Everything a process needs to find its peers; invalid values stop it at start."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", populate_by_name=True
    )

    # Where the local stack keeps pids, logs and data.
    stack_dir: Path = Field(Path(".stack"), validation_alias=_env("WEATHER_STACK_DIR"))
    host: str = Field("127.0.0.1", validation_alias=_env("WEATHER_HOST"))
    # Downloaded server runtimes (Maven jars, npm packages), shared by every checkout.
    cache_dir: Path = Field(
        Path("~/.cache/weather-pipeline"), validation_alias=_env("WEATHER_CACHE_DIR")
    )
    # How long `weather-stack up` waits for one service to answer its readiness probe.
    stack_start_timeout: float = Field(
        120.0, gt=0, validation_alias=_env("WEATHER_STACK_START_TIMEOUT")
    )

    # Ports of the local stack (DESIGN.md defaults).
    api_port: Port = Field(8000, validation_alias=_env("API_PORT"))
    kafka_port: Port = Field(9092, validation_alias=_env("KAFKA_PORT"))
    kafka_controller_port: Port = Field(9093, validation_alias=_env("KAFKA_CONTROLLER_PORT"))
    redis_port: Port = Field(6379, validation_alias=_env("REDIS_PORT"))
    s3_port: Port = Field(9000, validation_alias=_env("S3_PORT"))
    dynamodb_port: Port = Field(8001, validation_alias=_env("DYNAMODB_PORT"))

    redis_host: str = Field("127.0.0.1", validation_alias=_env("REDIS_HOST"))
    redis_db: int = Field(0, ge=0, le=15, validation_alias=_env("REDIS_DB"))
    celery_broker_url_: str | None = Field(None, validation_alias=_env("CELERY_BROKER_URL"))

    kafka_bootstrap_servers_: str | None = Field(
        None, validation_alias=_env("KAFKA_BOOTSTRAP_SERVERS")
    )

    aws_access_key_id: str = Field("weather", validation_alias=_env("AWS_ACCESS_KEY_ID"))
    aws_secret_access_key: str = Field(
        "weather-secret", validation_alias=_env("AWS_SECRET_ACCESS_KEY")
    )
    aws_region: str = Field("us-east-1", validation_alias=_env("AWS_REGION", "AWS_DEFAULT_REGION"))
    aws_endpoint_url: str | None = Field(None, validation_alias=_env("AWS_ENDPOINT_URL"))
    aws_endpoint_url_s3_: str | None = Field(None, validation_alias=_env("AWS_ENDPOINT_URL_S3"))
    aws_endpoint_url_dynamodb_: str | None = Field(
        None, validation_alias=_env("AWS_ENDPOINT_URL_DYNAMODB")
    )

    s3_bucket_name: str = Field(
        "weather-uploads", min_length=3, max_length=63, validation_alias=_env("S3_BUCKET_NAME")
    )
    jobs_table: str = Field(
        "JobMetadata", min_length=3, validation_alias=_env("DYNAMODB_TABLE_NAME")
    )
    results_table: str = Field(
        "JobResults", min_length=3, validation_alias=_env("DYNAMODB_RESULTS_TABLE_NAME")
    )
    jobs_recent_index: str = Field(
        "RecentJobs", min_length=3, validation_alias=_env("DYNAMODB_RECENT_INDEX_NAME")
    )
    jobs_status_index: str = Field(
        "JobsByStatus", min_length=3, validation_alias=_env("DYNAMODB_STATUS_INDEX_NAME")
    )

    topic_submitted: str = Field("weather.jobs.submitted", validation_alias=_env("TOPIC_SUBMITTED"))
    topic_completed: str = Field("weather.jobs.completed", validation_alias=_env("TOPIC_COMPLETED"))
    topic_deleted: str = Field("weather.jobs.deleted", validation_alias=_env("TOPIC_DELETED"))
    topic_dlq: str = Field("weather.jobs.dlq", validation_alias=_env("TOPIC_DLQ"))

    max_upload_bytes: int = Field(
        1024 * 1024 * 1024, gt=0, validation_alias=_env("MAX_UPLOAD_BYTES")
    )

    # Pipeline stages: the Faust worker's web view (agent lag, readiness) and Celery limits.
    stages_web_port: Port = Field(6066, validation_alias=_env("STAGES_WEB_PORT"))
    analysis_soft_time_limit: float = Field(
        120.0, gt=0, validation_alias=_env("ANALYSIS_SOFT_TIME_LIMIT")
    )
    analysis_time_limit: float = Field(180.0, gt=0, validation_alias=_env("ANALYSIS_TIME_LIMIT"))
    celery_concurrency: int = Field(2, ge=1, le=64, validation_alias=_env("CELERY_CONCURRENCY"))
    # Readiness of an agent fails when it has lag and made no progress for this long.
    agent_stuck_after_s: float = Field(60.0, gt=0, validation_alias=_env("AGENT_STUCK_AFTER_S"))

    @field_validator("kafka_bootstrap_servers_")
    @classmethod
    def _host_port_list(cls, value: str | None) -> str | None:
        if value is None:
            return value
        for server in value.split(","):
            host, sep, port = server.strip().rpartition(":")
            if not sep or not host or not port.isdigit():
                raise ValueError(f"expected host:port[,host:port...], got {value!r}")
        return value

    @cached_property
    def kafka_bootstrap_servers(self) -> str:
        return self.kafka_bootstrap_servers_ or f"{self.host}:{self.kafka_port}"

    @cached_property
    def redis_url(self) -> str:
        return f"redis://{self.redis_host}:{self.redis_port}/{self.redis_db}"

    @cached_property
    def celery_broker_url(self) -> str:
        return self.celery_broker_url_ or f"redis://{self.redis_host}:{self.redis_port}/1"

    @cached_property
    def s3_endpoint_url(self) -> str:
        return (
            self.aws_endpoint_url_s3_ or self.aws_endpoint_url or f"http://{self.host}:{self.s3_port}"
        )

    @cached_property
    def dynamodb_endpoint_url(self) -> str:
        return (
            self.aws_endpoint_url_dynamodb_
            or self.aws_endpoint_url
            or f"http://{self.host}:{self.dynamodb_port}"
        )

    @cached_property
    def api_url(self) -> str:
        return f"http://{self.host}:{self.api_port}"


def settings_env(settings: Settings) -> dict[str, str]:
    """The settings as environment variables, so child processes see in-process overrides."""
    env: dict[str, str] = {}
    for field, info in Settings.model_fields.items():
        value = getattr(settings, field)
        if value is None or not isinstance(info.validation_alias, AliasChoices):
            continue
        if isinstance(value, Path):
            value = value.expanduser().resolve()
        env[str(info.validation_alias.choices[0])] = str(value)
    return env


def _setting_name(loc: tuple[int | str, ...]) -> str:
    field = str(loc[0]) if loc else "?"
    info = Settings.model_fields.get(field)
    alias = info.validation_alias if info else None
    if isinstance(alias, AliasChoices):
        return str(alias.choices[0])
    return field.upper()


def load_settings(**overrides: object) -> Settings:
    """Read settings once; on an invalid value, name the setting and exit (no traceback)."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        lines = [
            f"  {_setting_name(err['loc'])}: {err['msg']} (got {err.get('input')!r})"
            for err in exc.errors()
        ]
        sys.stderr.write("invalid settings:\n" + "\n".join(lines) + "\n")
        raise SystemExit(2) from None
