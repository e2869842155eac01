"""The local stack's real servers: each used with its client, plus up/down behaviour."""

from __future__ import annotations

import io
import os
import socket
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psutil
import pytest
import redis
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType
from boto3.s3.transfer import TransferConfig
from botocore.exceptions import ClientError

from infra import provision
from infra import stack as launcher
from infra.clients import dynamodb_client, s3_client
from infra.process import Service, Supervisor
from infra.settings import Settings, load_settings

pytestmark = pytest.mark.integration


def _unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


# --- S3 (S3Proxy) -------------------------------------------------------------------------


def test_s3_put_get_in_the_bucket(stack: Settings) -> None:
    client = s3_client(stack)
    key = f"tests/{_unique('object')}.csv"
    client.put_object(Bucket=stack.s3_bucket_name, Key=key, Body=b"date,temp\n2024-01-01,3.5\n")
    try:
        body = client.get_object(Bucket=stack.s3_bucket_name, Key=key)["Body"].read()
        assert body == b"date,temp\n2024-01-01,3.5\n"
    finally:
        client.delete_object(Bucket=stack.s3_bucket_name, Key=key)


def test_s3_multipart_upload(stack: Settings) -> None:
    client = s3_client(stack)
    key = f"tests/{_unique('multipart')}"
    data = os.urandom(11 * 1024 * 1024)
    part = 5 * 1024 * 1024
    config = TransferConfig(multipart_threshold=part, multipart_chunksize=part)
    client.upload_fileobj(io.BytesIO(data), stack.s3_bucket_name, key, Config=config)
    try:
        assert client.get_object(Bucket=stack.s3_bucket_name, Key=key)["Body"].read() == data
    finally:
        client.delete_object(Bucket=stack.s3_bucket_name, Key=key)


def test_s3_rejects_wrong_credentials(stack: Settings) -> None:
    wrong = stack.model_copy(update={"aws_secret_access_key": "not-the-secret"})
    with pytest.raises(ClientError):
        s3_client(wrong).list_buckets()


# --- DynamoDB (dynalite) ------------------------------------------------------------------


def test_tables_and_their_indexes(stack: Settings) -> None:
    client = dynamodb_client(stack)
    assert {stack.jobs_table, stack.results_table} <= set(client.list_tables()["TableNames"])
    table = client.describe_table(TableName=stack.jobs_table)["Table"]
    assert table["KeySchema"] == [{"AttributeName": "job_id", "KeyType": "HASH"}]
    indexes = {
        index["IndexName"]: [(key["AttributeName"], key["KeyType"]) for key in index["KeySchema"]]
        for index in table["GlobalSecondaryIndexes"]
    }
    assert indexes == {
        stack.jobs_recent_index: [("list_pk", "HASH"), ("created_at", "RANGE")],
        stack.jobs_status_index: [("status", "HASH"), ("created_at", "RANGE")],
    }
    for index in table["GlobalSecondaryIndexes"]:
        assert index["Projection"]["ProjectionType"] == "ALL"
    results = client.describe_table(TableName=stack.results_table)["Table"]
    assert results["KeySchema"] == [{"AttributeName": "job_id", "KeyType": "HASH"}]


@pytest.fixture
def scratch_jobs_table(stack: Settings) -> Iterator[str]:
    """A private copy of JobMetadata's definition, so tests do not touch the shared table."""
    client = dynamodb_client(stack)
    name = _unique("JobMetadataTest")
    spec = provision.table_specs(stack)[0]
    spec["TableName"] = name
    client.create_table(**spec)
    client.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 1})
    yield name
    client.delete_table(TableName=name)


def _job(job_id: str, created_at: str, status: str = "PENDING") -> dict[str, Any]:
    return {
        "job_id": {"S": job_id},
        "list_pk": {"S": provision.LIST_PK},
        "created_at": {"S": created_at},
        "status": {"S": status},
    }


def test_recent_jobs_newest_first_with_pagination(
    stack: Settings, scratch_jobs_table: str
) -> None:
    client = dynamodb_client(stack)
    for day in range(1, 8):
        client.put_item(
            TableName=scratch_jobs_table, Item=_job(f"job{day}", f"2024-01-0{day}T00:00:00Z")
        )
    seen: list[str] = []
    start: dict[str, Any] | None = None
    pages = 0
    while True:
        kwargs: dict[str, Any] = {
            "TableName": scratch_jobs_table,
            "IndexName": stack.jobs_recent_index,
            "KeyConditionExpression": "list_pk = :pk",
            "ExpressionAttributeValues": {":pk": {"S": provision.LIST_PK}},
            "ScanIndexForward": False,
            "Limit": 3,
        }
        if start:
            kwargs["ExclusiveStartKey"] = start
        page = client.query(**kwargs)
        pages += 1
        seen += [item["job_id"]["S"] for item in page["Items"]]
        start = page.get("LastEvaluatedKey")
        if not start:
            break
    assert seen == [f"job{day}" for day in range(7, 0, -1)]
    assert pages >= 3


def test_conditional_writes(stack: Settings, scratch_jobs_table: str) -> None:
    client = dynamodb_client(stack)
    item = _job("claimed", "2024-01-01T00:00:00Z")
    client.put_item(
        TableName=scratch_jobs_table, Item=item, ConditionExpression="attribute_not_exists(job_id)"
    )
    with pytest.raises(client.exceptions.ConditionalCheckFailedException):
        client.put_item(
            TableName=scratch_jobs_table,
            Item=item,
            ConditionExpression="attribute_not_exists(job_id)",
        )
    move: dict[str, Any] = {
        "TableName": scratch_jobs_table,
        "Key": {"job_id": {"S": "claimed"}},
        "UpdateExpression": "SET #s = :new ADD analysis_count :one",
        "ConditionExpression": "#s = :old",
        "ExpressionAttributeNames": {"#s": "status"},
        "ExpressionAttributeValues": {
            ":new": {"S": "QUEUED"}, ":old": {"S": "PENDING"}, ":one": {"N": "1"}
        },
        "ReturnValues": "ALL_NEW",
    }
    updated = client.update_item(**move)["Attributes"]
    assert updated["status"] == {"S": "QUEUED"}
    assert updated["analysis_count"] == {"N": "1"}
    with pytest.raises(client.exceptions.ConditionalCheckFailedException):
        client.update_item(**move)
    by_status = client.query(
        TableName=scratch_jobs_table,
        IndexName=stack.jobs_status_index,
        KeyConditionExpression="#s = :s",
        ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues={":s": {"S": "QUEUED"}},
    )
    assert [item["job_id"]["S"] for item in by_status["Items"]] == ["claimed"]


def test_transactions_are_not_supported_by_dynalite(
    stack: Settings, scratch_jobs_table: str
) -> None:
    """Known limit of dynalite 4.0.0: no TransactWriteItems; use conditional writes instead."""
    client = dynamodb_client(stack)
    with pytest.raises(ClientError) as exc:
        client.transact_write_items(
            TransactItems=[
                {"Put": {"TableName": scratch_jobs_table, "Item": _job("tx", "2024-01-01")}}
            ]
        )
    assert exc.value.response["Error"]["Code"].endswith("UnknownOperationException")


# --- Kafka ----------------------------------------------------------------------------------


async def test_topics_have_their_partitions_and_configs(stack: Settings) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=stack.kafka_bootstrap_servers)
    await admin.start()
    try:
        specs = {spec.name: spec for spec in provision.topic_specs(stack)}
        described = {topic["topic"]: topic for topic in await admin.describe_topics(list(specs))}
        responses = await admin.describe_configs(
            [ConfigResource(ConfigResourceType.TOPIC, name) for name in specs]
        )
    finally:
        await admin.close()
    configs: dict[str, dict[str, str]] = {}
    for response in responses:
        for _code, _message, _type, name, entries in response.resources:
            configs[name] = {entry[0]: entry[1] for entry in entries}
    for name, spec in specs.items():
        assert described[name]["error_code"] == 0, name
        assert len(described[name]["partitions"]) == spec.partitions, name
        for key, value in spec.config.items():
            assert configs[name][key] == value, (name, key)


async def test_produce_consume_with_a_consumer_group(stack: Settings) -> None:
    topic = _unique("test.roundtrip")
    admin = AIOKafkaAdminClient(bootstrap_servers=stack.kafka_bootstrap_servers)
    await admin.start()
    await admin.create_topics([NewTopic(topic, 2, 1)])
    producer = AIOKafkaProducer(bootstrap_servers=stack.kafka_bootstrap_servers, acks="all")
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=stack.kafka_bootstrap_servers,
        group_id=_unique("group"),
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    try:
        await producer.start()
        for n in range(4):
            await producer.send_and_wait(topic, f"value-{n}".encode(), key=f"job-{n}".encode())
        await consumer.start()
        received: list[bytes] = []
        while len(received) < 4:
            batches = await consumer.getmany(timeout_ms=10_000)
            assert batches, "no records within 10 s"
            for records in batches.values():
                received += [record.value for record in records if record.value is not None]
        await consumer.commit()
        assert sorted(received) == [f"value-{n}".encode() for n in range(4)]
        committed = [await consumer.committed(tp) for tp in consumer.assignment()]
        assert sum(offset or 0 for offset in committed) == 4
    finally:
        await consumer.stop()
        await producer.stop()
        await admin.delete_topics([topic])
        await admin.close()


# --- Redis ----------------------------------------------------------------------------------


def test_redis_ping_and_expiring_key(stack: Settings) -> None:
    client = redis.Redis.from_url(stack.redis_url)
    try:
        assert client.ping()
        key = _unique("test")
        client.set(key, b"value", ex=60)
        assert client.get(key) == b"value"
        assert 0 < client.ttl(key) <= 60
        client.delete(key)
    finally:
        client.close()


# --- the launcher -----------------------------------------------------------------------------


def test_status_reports_every_service_healthy(stack: Settings) -> None:
    document = launcher.status(stack)
    assert set(document) == {
        "endpoints", "bucket", "region", "aws_access_key_id", "aws_secret_access_key", "services"
    }
    assert set(document["endpoints"]) == {"api", "kafka", "redis", "s3", "dynamodb"}
    assert document["bucket"] == stack.s3_bucket_name
    for name in launcher.INFRA_NAMES:
        service = document["services"][name]
        assert service["healthy"] is True, name
        assert Path(service["log"]).is_file(), name
        if os.environ.get("WEATHER_STACK_EXTERNAL") != "1":
            assert isinstance(service["pid"], int), name


def test_up_twice_is_idempotent(stack: Settings) -> None:
    before = {name: info["pid"] for name, info in launcher.status(stack)["services"].items()}
    started = launcher.up(stack, say=lambda line: None)
    after = {name: info["pid"] for name, info in launcher.status(stack)["services"].items()}
    assert started == []
    assert after == before


def _free_ports(count: int) -> list[int]:
    sockets = [socket.socket() for _ in range(count)]
    try:
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


@pytest.fixture
def private_stack(tmp_path: Path) -> Iterator[Settings]:
    """A second stack (own state dir, own ports, the four servers only), wiped at the end."""
    ports = _free_ports(6)
    settings = load_settings(
        stack_dir=tmp_path / "stack",
        kafka_port=ports[0],
        kafka_controller_port=ports[1],
        redis_port=ports[2],
        s3_port=ports[3],
        dynamodb_port=ports[4],
        api_port=ports[5],
    )
    try:
        yield settings
    finally:
        launcher.down(settings, clean=True, say=lambda line: None)


async def _produce(settings: Settings, topic: str, value: bytes) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap_servers, acks="all")
    await producer.start()
    try:
        await producer.send_and_wait(topic, value, key=b"job")
    finally:
        await producer.stop()


async def _consume_all(settings: Settings, topic: str) -> list[bytes]:
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=settings.kafka_bootstrap_servers, auto_offset_reset="earliest"
    )
    await consumer.start()
    try:
        batches = await consumer.getmany(timeout_ms=10_000)
        return [record.value for records in batches.values() for record in records
                if record.value is not None]
    finally:
        await consumer.stop()


async def test_data_survives_down_and_up(private_stack: Settings) -> None:
    import asyncio

    settings = private_stack
    quiet = lambda line: None  # noqa: E731
    started = await asyncio.to_thread(launcher.up, settings, launcher.INFRA_NAMES, quiet)
    assert sorted(started) == sorted(launcher.INFRA_NAMES)
    services = (await launcher.status_async(settings))["services"]
    pids = {name: services[name]["pid"] for name in started}

    s3_client(settings).put_object(Bucket=settings.s3_bucket_name, Key="kept", Body=b"kept")
    dynamodb_client(settings).put_item(
        TableName=settings.jobs_table, Item=_job("kept", "2024-01-01T00:00:00Z")
    )
    cache = redis.Redis.from_url(settings.redis_url)
    cache.set("kept", b"kept")
    cache.close()
    await _produce(settings, settings.topic_submitted, b"kept")

    stopped = await asyncio.to_thread(launcher.down, settings, None, False, quiet)
    assert sorted(stopped) == sorted(launcher.INFRA_NAMES)
    assert not any(psutil.pid_exists(pid) and psutil.Process(pid).status() != "zombie"
                   for pid in pids.values())

    await asyncio.to_thread(launcher.up, settings, launcher.INFRA_NAMES, quiet)
    body = s3_client(settings).get_object(Bucket=settings.s3_bucket_name, Key="kept")["Body"]
    assert body.read() == b"kept"
    item = dynamodb_client(settings).get_item(
        TableName=settings.jobs_table, Key={"job_id": {"S": "kept"}}
    )
    assert item["Item"]["list_pk"] == {"S": provision.LIST_PK}
    cache = redis.Redis.from_url(settings.redis_url)
    assert cache.get("kept") == b"kept"
    cache.close()
    assert await _consume_all(settings, settings.topic_submitted) == [b"kept"]

    await asyncio.to_thread(launcher.down, settings, None, True, quiet)
    assert not settings.stack_dir.exists()


# --- the supervisor ---------------------------------------------------------------------------


def _sleeper(tmp_path: Path, name: str, argv: list[str]) -> Service:
    async def never_ready() -> None:
        raise RuntimeError("not a server")

    return Service(
        name=name, argv=argv, probe=never_ready, log=tmp_path / f"{name}.log", stop_timeout=5.0
    )


def test_stop_signals_the_whole_process_group(tmp_path: Path) -> None:
    supervisor = Supervisor(tmp_path)
    # A shell with a child: stopping must reach the child too (same process group).
    entry = _sleeper(tmp_path, "tree", ["bash", "-c", "sleep 300 & wait", "weather-test-tree"])
    pid = supervisor.start(entry)
    assert supervisor.pid("tree") == pid
    for _ in range(50):
        if psutil.Process(pid).children():
            break
        time.sleep(0.1)
    child = psutil.Process(pid).children()[0]
    assert supervisor.stop("tree", entry.stop_timeout) == pid
    assert not child.is_running() or child.status() == psutil.STATUS_ZOMBIE
    assert supervisor.pid("tree") is None
    assert not supervisor.pid_file("tree").exists()


def test_stop_leaves_a_process_whose_command_line_does_not_match(tmp_path: Path) -> None:
    import json
    import subprocess

    supervisor = Supervisor(tmp_path)
    supervisor.run_dir.mkdir(parents=True)
    stranger = subprocess.Popen(["sleep", "300"])
    try:
        # A stale pid file whose pid now belongs to some other program (pid reuse).
        supervisor.pid_file("kafka").write_text(
            json.dumps({"pid": stranger.pid, "marker": "kafka.Kafka /somewhere/server.properties"})
        )
        assert supervisor.pid("kafka") is None
        assert supervisor.stop("kafka") is None
        assert stranger.poll() is None  # still running: never signalled
    finally:
        stranger.kill()
        stranger.wait()
