"""DynamoDB adapter: JobMetadata (statuses, conditional claims) and JobResults (documents)."""

from __future__ import annotations

import asyncio
import base64
import contextlib
from collections.abc import AsyncIterator, Awaitable, Mapping
from typing import Any

import orjson
from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

from infra.adapters import aws
from infra.provision import LIST_PK, table_specs
from infra.settings import Settings
from schemas.events import AnalysisCompleted
from schemas.status import JobStatus

LIST_PARTITION = LIST_PK  # every job sits in one RecentJobs partition, sorted by created_at
_ser, _de = TypeSerializer(), TypeDeserializer()


class InvalidCursor(ValueError):
    """A list cursor that this service did not issue."""


def _item(values: Mapping[str, Any]) -> dict[str, Any]:
    return {k: _ser.serialize(v) for k, v in values.items() if v is not None}


def _plain(item: Mapping[str, Any]) -> dict[str, Any]:
    out = {k: _de.deserialize(v) for k, v in item.items()}
    for k, v in out.items():
        if hasattr(v, "as_integer_ratio") and not isinstance(v, int | float):  # Decimal
            out[k] = int(v) if v == int(v) else float(v)
    if "analysis_ids" in out:
        out["analysis_ids"] = sorted(out["analysis_ids"])
    return out


def _conditional_failed(exc: ClientError) -> bool:
    return exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException"


async def _written(call: Awaitable[Any]) -> bool:
    """Await a conditional write: True when it happened, False when its condition failed."""
    try:
        await call
    except ClientError as exc:
        if _conditional_failed(exc):
            return False
        raise
    return True


def encode_cursor(key: Mapping[str, Any]) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(_plain(key))).decode().rstrip("=")


def decode_cursor(cursor: str) -> dict[str, Any]:
    try:
        data = orjson.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
            raise ValueError(cursor)
    except ValueError:
        raise InvalidCursor("cursor is not one this service issued") from None
    return _item(data)


class JobsTable:
    """JobMetadata and JobResults; every write that could race is conditional."""

    def __init__(self, client: Any, settings: Settings) -> None:
        self._client = client
        self._settings = settings
        self.jobs = settings.jobs_table
        self.results = settings.results_table

    @classmethod
    @contextlib.asynccontextmanager
    async def connect(cls, settings: Settings) -> AsyncIterator[JobsTable]:
        async with aws.session(settings).client(
            "dynamodb", endpoint_url=settings.dynamodb_endpoint_url, config=aws.client_config()
        ) as client:
            yield cls(client, settings)

    async def _update(self, job_id: str, expression: str, condition: str,
                      values: Mapping[str, Any],
                      names: Mapping[str, str] | None = None) -> dict[str, Any] | None:
        """Run a conditional UpdateItem: the item as updated, or None when the condition failed."""
        try:
            out = await self._client.update_item(
                TableName=self.jobs,
                Key=_item({"job_id": job_id}),
                UpdateExpression=expression,
                ConditionExpression=condition,
                ExpressionAttributeValues=_item(values),
                ExpressionAttributeNames={
                    k: v for k, v in {"#s": "status", **(names or {})}.items()
                    if k in expression or k in condition  # unused names are an error
                },
                ReturnValues="ALL_NEW",
            )
        except ClientError as exc:
            if _conditional_failed(exc):
                return None
            raise
        return _plain(out.get("Attributes", {}))

    async def claim_new(self, job: Mapping[str, Any]) -> bool:
        """Create the job if no job with this id exists; False when it already does."""
        item = {"list_pk": LIST_PARTITION, "analysis_count": 0, **job}
        return await _written(self._client.put_item(
            TableName=self.jobs, Item=_item(item),
            ConditionExpression="attribute_not_exists(job_id)",
        ))

    async def get(self, job_id: str) -> dict[str, Any] | None:
        got = await self._client.get_item(
            TableName=self.jobs, Key=_item({"job_id": job_id}), ConsistentRead=True
        )
        return _plain(got["Item"]) if "Item" in got else None

    async def release_claim(self, job_id: str, celery_id: str) -> bool:
        """Undo a claim that never reached the topic (only our own, only while PENDING);
        False when the claim is no longer ours (another submitter took it over)."""
        return await _written(self._client.delete_item(
            TableName=self.jobs, Key=_item({"job_id": job_id}),
            ConditionExpression="celery_id = :c AND #s = :p",
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues=_item({":c": celery_id, ":p": JobStatus.PENDING.value}),
        ))

    async def take_over(self, job_id: str, old_celery_id: str, celery_id: str, at: str) -> bool:
        """Adopt a PENDING claim whose submitter died before publishing (a stale claim)."""
        return None is not await self._update(
            job_id,
            "SET celery_id = :c, updated_at = :at, submitted_at = :at",
            "celery_id = :old AND #s = :p",
            {":c": celery_id, ":old": old_celery_id, ":at": at, ":p": JobStatus.PENDING.value},
        )

    async def queue(self, job_id: str, celery_id: str, at: str) -> bool:
        """PENDING → QUEUED for the claim `celery_id` (true again on a redelivered event)."""
        return None is not await self._update(
            job_id,
            "SET #s = :q, queued_at = :at, updated_at = :at",
            "celery_id = :c AND (#s = :p OR #s = :q)",
            {":q": JobStatus.QUEUED.value, ":p": JobStatus.PENDING.value, ":c": celery_id,
             ":at": at},
        )

    async def requeue(self, job_id: str, celery_id: str, at: str, source: str,
                      stale_before: str) -> bool:
        """A forced reanalysis: a finished job, or one stuck in flight since before
        `stale_before` (its task was lost), goes back to QUEUED under a new claim."""
        return None is not await self._update(
            job_id,
            "SET #s = :q, celery_id = :c, queued_at = :at, updated_at = :at, #src = :src",
            "#s IN (:ok, :ko) OR (#s IN (:p, :q, :r) AND updated_at < :stale)",
            {":q": JobStatus.QUEUED.value, ":c": celery_id, ":at": at, ":src": source,
             ":ok": JobStatus.SUCCESS.value, ":ko": JobStatus.FAILURE.value,
             ":p": JobStatus.PENDING.value, ":r": JobStatus.RUNNING.value,
             ":stale": stale_before},
            {"#src": "source"},
        )

    async def mark_running(self, job_id: str, celery_id: str, at: str) -> dict[str, Any] | None:
        """QUEUED → RUNNING for this claim: the job, or None when it is gone or finished."""
        return await self._update(
            job_id,
            "SET #s = :r, started_at = :at, updated_at = :at",
            "celery_id = :c AND #s IN (:p, :q, :r) AND NOT contains(analysis_ids, :c)",
            {":r": JobStatus.RUNNING.value, ":p": JobStatus.PENDING.value,
             ":q": JobStatus.QUEUED.value, ":c": celery_id, ":at": at},
        )

    async def record_completion(self, event: AnalysisCompleted, now: str) -> bool:
        """Project one analysis outcome: counted once per analysis id, never moving backwards."""
        aid = event.effective_analysis_id
        sets: dict[str, Any] = {
            "status": event.status.value, "analyzed_at": event.analyzed_at, "updated_at": now,
            "list_pk": LIST_PARTITION, "finished_at": event.timings.finished_at or now,
            "analysis_version": event.analysis_version or 0,
            "timings_json": orjson.dumps(event.timings.model_dump(exclude_none=True)).decode(),
        }
        if event.error is not None:
            sets["error"] = event.error.model_dump()
        # Job fields travel in the event so a replay into empty tables rebuilds the item.
        keep = {"bucket": event.bucket, "key": event.key, "filename": event.filename,
                "size": event.size, "content_type": event.content_type,
                "source": event.source, "celery_id": event.analysis_id,
                "created_at": event.created_at or event.timings.submitted_at or now}
        names: dict[str, str] = {}
        values: dict[str, Any] = {":one": 1, ":aid": aid, ":aids": {aid},
                                  ":at": event.analyzed_at}
        parts = []
        for i, (field, value) in enumerate(sets.items()):
            names[f"#f{i}"], values[f":f{i}"] = field, value
            parts.append(f"#f{i} = :f{i}")
        for i, (field, value) in enumerate((k, v) for k, v in keep.items() if v is not None):
            names[f"#k{i}"], values[f":k{i}"] = field, value
            parts.append(f"#k{i} = if_not_exists(#k{i}, :k{i})")
        names["#at"], names["#err"] = "analyzed_at", "error"
        expression = "SET " + ", ".join(parts)
        if event.error is None:
            expression += " REMOVE #err"
        expression += " ADD analysis_count :one, analysis_ids :aids"
        applied = await self._update(
            event.job_id,
            expression,
            "attribute_not_exists(job_id) OR (NOT contains(analysis_ids, :aid) "
            "AND (attribute_not_exists(#at) OR #at < :at))",
            values,
            names,
        )
        if applied is None:
            # Older than what is projected (completions of one job can arrive out of order):
            # its state is not applied, since status never moves backwards, but it still
            # counts once as an analysis.
            await self._update(
                event.job_id,
                "ADD #n :one, analysis_ids :aids",
                "attribute_exists(job_id) AND NOT contains(analysis_ids, :aid)",
                {":one": 1, ":aid": aid, ":aids": {aid}},
                {"#n": "analysis_count"},
            )
        return applied is not None

    async def put_result(self, job_id: str, result: Mapping[str, Any], analyzed_at: str) -> bool:
        """Store the document unless a newer analysis is already stored."""
        return await _written(self._client.put_item(
            TableName=self.results,
            Item=_item({"job_id": job_id, "analyzed_at": analyzed_at,
                        "result_json": orjson.dumps(result).decode()}),
            ConditionExpression="attribute_not_exists(job_id) OR analyzed_at < :at",
            ExpressionAttributeValues=_item({":at": analyzed_at}),
        ))

    async def get_result(self, job_id: str) -> dict[str, Any] | None:
        got = await self._client.get_item(
            TableName=self.results, Key=_item({"job_id": job_id}), ConsistentRead=True
        )
        if "Item" not in got:
            return None
        doc: dict[str, Any] = orjson.loads(got["Item"]["result_json"]["S"])
        return doc

    async def delete(self, job_id: str) -> bool:
        """Remove both items; True when the job existed."""
        old = await self._client.delete_item(
            TableName=self.jobs, Key=_item({"job_id": job_id}), ReturnValues="ALL_OLD"
        )
        await self._client.delete_item(TableName=self.results, Key=_item({"job_id": job_id}))
        return "Attributes" in old

    async def list_jobs(self, limit: int, status: str | None = None,
                        cursor: str | None = None) -> tuple[list[dict[str, Any]], str | None]:
        """Newest first from a GSI (never a scan); the cursor is opaque to clients."""
        query: dict[str, Any] = {
            "TableName": self.jobs,
            "Limit": limit,
            "ScanIndexForward": False,
        }
        if status:
            query |= {
                "IndexName": self._settings.jobs_status_index,
                "KeyConditionExpression": "#s = :v",
                "ExpressionAttributeNames": {"#s": "status"},
                "ExpressionAttributeValues": _item({":v": status}),
            }
        else:
            query |= {
                "IndexName": self._settings.jobs_recent_index,
                "KeyConditionExpression": "list_pk = :v",
                "ExpressionAttributeValues": _item({":v": LIST_PARTITION}),
            }
        if cursor:
            query["ExclusiveStartKey"] = decode_cursor(cursor)
        try:
            page = await self._client.query(**query)
        except ClientError as exc:
            # A well-formed cursor from the other listing (with or without a status filter)
            # names keys of the other index; DynamoDB rejects it as a validation error.
            if cursor and exc.response.get("Error", {}).get("Code") == "ValidationException":
                raise InvalidCursor("this cursor belongs to another listing") from exc
            raise
        items = [_plain(i) for i in page.get("Items", [])]
        last = page.get("LastEvaluatedKey")
        return items, encode_cursor(last) if last else None

    async def ping(self) -> None:
        for table in (self.jobs, self.results):
            await self._client.describe_table(TableName=table)

    async def ensure_tables(self) -> None:
        """Create missing tables and wait until they are ACTIVE (idempotent, race-safe)."""
        for definition in table_specs(self._settings):
            name = definition["TableName"]
            try:
                await self._client.describe_table(TableName=name)
            except ClientError:
                with contextlib.suppress(ClientError):  # created meanwhile by another process
                    await self._client.create_table(**definition)
            for _ in range(100):
                desc = await self._client.describe_table(TableName=name)
                if desc["Table"]["TableStatus"] == "ACTIVE":
                    break
                await asyncio.sleep(0.1)
