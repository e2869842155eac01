"""Topics, tables and the bucket the pipeline expects; creating them again is harmless.

The pipeline imports its constants from here (e.g. `LIST_PK`, the value every JobMetadata
item carries in `list_pk` so the recent-jobs GSI lists all jobs newest first).
"""

from __future__ import annotations

import asyncio
from collections.abc import Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from botocore.exceptions import ClientError

from infra.clients import dynamodb_client, s3_client
from infra.settings import Settings

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.type_defs import CreateTableInputTypeDef

LIST_PK = "job"
"""Constant hash key of the recent-jobs GSI: every JobMetadata item has list_pk = "job"."""
LIST_PK_ATTRIBUTE = "list_pk"
CREATED_AT_ATTRIBUTE = "created_at"
STATUS_ATTRIBUTE = "status"
JOB_ID_ATTRIBUTE = "job_id"

DAY_MS = 24 * 60 * 60 * 1000
TOPIC_ALREADY_EXISTS = 36  # Kafka protocol error code


@dataclass(frozen=True)
class TopicSpec:
    name: str
    partitions: int
    config: dict[str, str]


def topic_specs(settings: Settings) -> list[TopicSpec]:
    return [
        # Keeps every submission (retention -1) so a replay has the whole history.
        TopicSpec(settings.topic_submitted, 6, {"cleanup.policy": "delete", "retention.ms": "-1"}),
        # Compacted by job id: replaying it rebuilds the DynamoDB and Redis projections.
        TopicSpec(settings.topic_completed, 6, {"cleanup.policy": "compact"}),
        TopicSpec(settings.topic_deleted, 6, {"cleanup.policy": "compact"}),
        TopicSpec(
            settings.topic_dlq, 3, {"cleanup.policy": "delete", "retention.ms": str(14 * DAY_MS)}
        ),
    ]


def _gsi(name: str, hash_key: str) -> dict[str, Any]:
    return {
        "IndexName": name,
        "KeySchema": [
            {"AttributeName": hash_key, "KeyType": "HASH"},
            {"AttributeName": CREATED_AT_ATTRIBUTE, "KeyType": "RANGE"},
        ],
        "Projection": {"ProjectionType": "ALL"},
    }


def table_specs(settings: Settings) -> list[CreateTableInputTypeDef]:
    jobs: CreateTableInputTypeDef = {
        "TableName": settings.jobs_table,
        "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [
            {"AttributeName": name, "AttributeType": "S"}
            for name in (
                JOB_ID_ATTRIBUTE, LIST_PK_ATTRIBUTE, CREATED_AT_ATTRIBUTE, STATUS_ATTRIBUTE
            )
        ],
        "KeySchema": [{"AttributeName": JOB_ID_ATTRIBUTE, "KeyType": "HASH"}],
        "GlobalSecondaryIndexes": [
            _gsi(settings.jobs_recent_index, LIST_PK_ATTRIBUTE),  # type: ignore[list-item]
            _gsi(settings.jobs_status_index, STATUS_ATTRIBUTE),  # type: ignore[list-item]
        ],
    }
    results: CreateTableInputTypeDef = {
        "TableName": settings.results_table,
        "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [{"AttributeName": JOB_ID_ATTRIBUTE, "AttributeType": "S"}],
        "KeySchema": [{"AttributeName": JOB_ID_ATTRIBUTE, "KeyType": "HASH"}],
    }
    return [jobs, results]


async def create_topics(settings: Settings) -> list[str]:
    """Creates the missing topics; returns the names it created."""
    admin = AIOKafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap_servers)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        wanted = [spec for spec in topic_specs(settings) if spec.name not in existing]
        if not wanted:
            return []
        response = await admin.create_topics(
            [
                NewTopic(spec.name, spec.partitions, 1, topic_configs=spec.config)
                for spec in wanted
            ]
        )
        for topic, code, *rest in response.topic_errors:
            if code not in (0, TOPIC_ALREADY_EXISTS):
                raise RuntimeError(f"creating topic {topic} failed: error {code} {rest}")
        return [spec.name for spec in wanted]
    finally:
        await admin.close()


def create_tables(settings: Settings) -> list[str]:
    client = dynamodb_client(settings)
    existing = set(client.list_tables()["TableNames"])
    created = []
    for spec in table_specs(settings):
        if spec["TableName"] in existing:
            continue
        try:
            client.create_table(**spec)
            created.append(spec["TableName"])
        except client.exceptions.ResourceInUseException:
            pass
        client.get_waiter("table_exists").wait(
            TableName=spec["TableName"], WaiterConfig={"Delay": 1, "MaxAttempts": 60}
        )
    return created


def create_bucket(settings: Settings) -> list[str]:
    client = s3_client(settings)
    try:
        client.head_bucket(Bucket=settings.s3_bucket_name)
        return []
    except ClientError:
        pass
    try:
        client.create_bucket(Bucket=settings.s3_bucket_name)
    except client.exceptions.BucketAlreadyOwnedByYou:
        return []
    return [settings.s3_bucket_name]


async def provision(
    settings: Settings, services: Collection[str] = ("kafka", "dynamodb", "s3")
) -> list[str]:
    """Creates whatever is missing on the named services; returns a line per created thing."""
    empty: list[str] = []
    topics, tables, buckets = await asyncio.gather(
        create_topics(settings) if "kafka" in services else asyncio.sleep(0, empty),
        asyncio.to_thread(create_tables, settings) if "dynamodb" in services
        else asyncio.sleep(0, empty),
        asyncio.to_thread(create_bucket, settings) if "s3" in services
        else asyncio.sleep(0, empty),
    )
    return (
        [f"topic {name}" for name in topics]
        + [f"table {name}" for name in tables]
        + [f"bucket {name}" for name in buckets]
    )


def main() -> None:
    """`python -m infra.provision`: provision the servers named by the settings (compose)."""
    from infra.settings import load_settings

    created = asyncio.run(provision(load_settings()))
    print("provisioned: " + (", ".join(created) if created else "nothing new"))


if __name__ == "__main__":
    main()
