"""Jobs in the ``jobs`` table: the record Orthanc's ``/jobs`` API shows, and the job's items.

Items, all in the job's own partition (``pk`` = job ID):

* ``sk="job"``: the record (state, counters, parameters). It carries ``lst="job"`` and
  ``ct=<creation time>#<id>``, the keys of the ``ByCreation`` index that lists jobs newest
  first without a scan. Jobs are created at human or script speed, so one index partition is
  not a hot spot.
* ``sk="batch#<n>"``: a batch of items to process (``items``), how many of them are handled
  (``handled``: the items are handled in order, so the handled ones are always the first
  ``handled``) and how many times a worker started on it (``attempts``). Marking items and
  counting them on the record is one transaction conditioned on ``handled`` still being where
  the worker left it, so a retried step never counts twice. (A number set of the handled
  positions, each guarded by a ``NOT contains`` condition, cost the emulator 16-20 ms per
  transaction of 25 items to parse and check, against about 1.7 ms for this one number.)
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import Enum
from typing import Any

from botocore.exceptions import ClientError

from chalicelib.jobs.model import ACTIVE as ACTIVE_STATES
from chalicelib.jobs.model import Job, JobState
from chalicelib.storage.dynamo import batch_write, query_items
from chalicelib.storage.index import dump_item, load_item

RECORD = "job"
LIST_PARTITION = "job"
MAX_BATCH_GET = 100


@dataclass(frozen=True)
class Batch:
    """A batch as a worker starts on it: its items, of which the first ``handled`` are done."""

    items: list[Any]
    handled: int
    attempts: int


def batch_key(number: int) -> str:
    return f"batch#{number:06d}"


def _record_item(job: Job) -> dict[str, Any]:
    item: dict[str, Any] = {
        "pk": job.id,
        "sk": RECORD,
        "lst": LIST_PARTITION,
        "ct": f"{job.created:017.6f}#{job.id}",
        "Type": job.type,
        "Params": json.dumps(job.params, sort_keys=True),
        "State": job.state.value,
        "Priority": job.priority,
        "Created": _decimal(job.created),
        "Run": job.run,
        "Planned": job.planned,
        "Batches": job.batches,
        "Total": job.total,
        "Size": job.size,
        "Completed": job.completed,
        "Failed": job.failed,
        "Sent": job.sent,
        "ErrorCode": job.error_code,
        "ErrorDetails": job.error_details,
        "ErrorType": job.error_type,
        "Runtime": _decimal(job.runtime),
        "UserData": json.dumps(job.user_data),
    }
    if job.completed_at is not None:
        item["CompletedAt"] = _decimal(job.completed_at)
    if job.running_since is not None:
        item["RunningSince"] = _decimal(job.running_since)
    return item


def _job(item: dict[str, Any]) -> Job:
    return Job(
        id=item["pk"],
        type=item["Type"],
        params=json.loads(item["Params"]),
        state=JobState(item["State"]),
        priority=int(item["Priority"]),
        created=float(item["Created"]),
        run=int(item["Run"]),
        planned=bool(item["Planned"]),
        batches=int(item["Batches"]),
        total=int(item["Total"]),
        size=int(item["Size"]),
        completed=int(item["Completed"]),
        failed=int(item["Failed"]),
        sent=int(item["Sent"]),
        error_code=int(item["ErrorCode"]),
        error_details=item["ErrorDetails"],
        error_type=item.get("ErrorType", ""),
        completed_at=float(item["CompletedAt"]) if "CompletedAt" in item else None,
        runtime=float(item["Runtime"]),
        running_since=float(item["RunningSince"]) if "RunningSince" in item else None,
        user_data=json.loads(item["UserData"]),
    )


def _decimal(value: float) -> Any:
    """Floats travel as DynamoDB numbers through Decimal (boto3 refuses Python floats)."""
    from decimal import Decimal

    return Decimal(f"{value:.6f}")


@dataclass(frozen=True)
class Handled:
    """An item of a batch, handled: ``ok`` (``sent`` bytes) or failed for good."""

    position: int
    ok: bool
    sent: int = 0


class Mark(Enum):
    """What :meth:`JobStore.mark` did."""

    MARKED = "marked"
    ALREADY = "already marked"  # a retried step: nothing counted twice
    STOPPED = "job no longer active"  # paused, cancelled or at a newer run


def _conditions(
    names: dict[str, str],
    values: dict[str, Any],
    states: Iterable[JobState] | None,
    run: int | None,
) -> list[str]:
    """Conditions on the job record: it exists, is in one of ``states``, at ``run``."""
    conditions = ["attribute_exists(pk)"]
    if states is not None:
        names["#state"] = "State"
        options = []
        for position, state in enumerate(states):
            values[f":s{position}"] = state.value
            options.append(f":s{position}")
        conditions.append(f"#state IN ({', '.join(options)})")
    if run is not None:
        names["#run"] = "Run"
        values[":run"] = run
        conditions.append("#run = :run")
    return conditions


class JobStore:
    def __init__(self, client: Any, table: str) -> None:
        self._client = client
        self._table = table

    # -- the record --------------------------------------------------------------------------

    def create(self, job: Job) -> None:
        self._client.put_item(
            TableName=self._table,
            Item=dump_item(_record_item(job)),
            ConditionExpression="attribute_not_exists(pk)",
        )

    def get(self, job_id: str) -> Job | None:
        answer = self._client.get_item(
            TableName=self._table,
            Key=dump_item({"pk": job_id, "sk": RECORD}),
            ConsistentRead=True,
        )
        return _job(load_item(answer["Item"])) if "Item" in answer else None

    def get_many(self, job_ids: list[str]) -> dict[str, Job]:
        found: dict[str, Job] = {}
        for start in range(0, len(job_ids), MAX_BATCH_GET):
            keys = [
                dump_item({"pk": i, "sk": RECORD}) for i in job_ids[start : start + MAX_BATCH_GET]
            ]
            request: dict[str, Any] = {self._table: {"Keys": keys, "ConsistentRead": True}}
            while request:
                answer = self._client.batch_get_item(RequestItems=request)
                for raw in answer["Responses"].get(self._table, []):
                    job = _job(load_item(raw))
                    found[job.id] = job
                request = answer.get("UnprocessedKeys") or {}
        return found

    def ids_newest_first(self) -> Iterator[str]:
        kwargs: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": "ByCreation",
            "KeyConditionExpression": "lst = :l",
            "ExpressionAttributeValues": dump_item({":l": LIST_PARTITION}),
            "ScanIndexForward": False,
        }
        for raw in query_items(self._client, **kwargs):
            yield load_item(raw)["pk"]

    def update(
        self,
        job_id: str,
        changes: dict[str, Any],
        states: Iterable[JobState] | None = None,
        run: int | None = None,
    ) -> bool:
        """Set fields of the record (keys as in the item, floats allowed, None removes) if it
        exists, is in one of ``states`` and at ``run``; returns False if the condition failed."""
        names: dict[str, str] = {}
        values: dict[str, Any] = {}
        assignments, removals = [], []
        for position, (key, value) in enumerate(changes.items()):
            names[f"#f{position}"] = key
            if value is None:
                removals.append(f"#f{position}")
                continue
            values[f":v{position}"] = _decimal(value) if isinstance(value, float) else value
            assignments.append(f"#f{position} = :v{position}")
        expression = "SET " + ", ".join(assignments) if assignments else ""
        if removals:
            expression += " REMOVE " + ", ".join(removals)
        conditions = _conditions(names, values, states, run)
        try:
            self._client.update_item(
                TableName=self._table,
                Key=dump_item({"pk": job_id, "sk": RECORD}),
                UpdateExpression=expression.strip(),
                ConditionExpression=" AND ".join(conditions),
                ExpressionAttributeNames=names,
                **({"ExpressionAttributeValues": dump_item(values)} if values else {}),
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise
        return True

    # -- batches -----------------------------------------------------------------------------

    def write_batches(self, job_id: str, batches: list[list[Any]]) -> None:
        """Store the planned batches (overwriting a half-written earlier plan)."""
        requests = [
            {
                "PutRequest": {
                    "Item": dump_item(
                        {
                            "pk": job_id,
                            "sk": batch_key(n),
                            "items": items,
                            "handled": 0,
                            "attempts": 0,
                        }
                    )
                }
            }
            for n, items in enumerate(batches)
        ]
        batch_write(self._client, self._table, requests)

    def start_batch(self, job_id: str, number: int) -> Batch:
        """Count one more attempt at a batch and read it (one UpdateItem)."""
        answer = self._client.update_item(
            TableName=self._table,
            Key=dump_item({"pk": job_id, "sk": batch_key(number)}),
            UpdateExpression="ADD attempts :one",
            ConditionExpression="attribute_exists(pk)",
            ExpressionAttributeValues=dump_item({":one": 1}),
            ReturnValues="ALL_NEW",
        )
        item = load_item(answer["Attributes"])
        if "handled" not in item:
            # Planned by a version that kept a set of handled positions: resubmitting the
            # job plans it again.
            raise RuntimeError(f"Batch {number} of job {job_id} predates this version")
        return Batch(
            items=list(item["items"]),
            handled=int(item["handled"]),
            attempts=int(item["attempts"]),
        )

    def mark(self, job_id: str, run: int, number: int, handled: list[Handled]) -> Mark:
        """Record the next items of a batch as handled, and count them on the record.

        ``handled`` are consecutive positions, starting where the batch's ``handled`` count
        stands. One transaction moves that count past them only if it still stands there,
        and moves the record's counters in the same write, only while the job is still active
        at ``run``. Counts stay exact under retries, and a worker learns that its job was
        paused or cancelled without reading the record before each item. If another worker
        (a retried step) recorded some of the positions meanwhile, only the rest are counted.
        """
        first, end = handled[0].position, handled[-1].position + 1
        if [h.position for h in handled] != list(range(first, end)):
            raise ValueError(f"Items are marked in order: {[h.position for h in handled]}")
        names: dict[str, str] = {}
        counters: dict[str, Any] = {
            ":ok": sum(1 for h in handled if h.ok),
            ":failed": sum(1 for h in handled if not h.ok),
            ":sent": sum(h.sent for h in handled),
        }
        condition = " AND ".join(_conditions(names, counters, ACTIVE_STATES, run))
        actions = [
            {
                "Update": {
                    "TableName": self._table,
                    "Key": dump_item({"pk": job_id, "sk": batch_key(number)}),
                    "UpdateExpression": "SET handled = :end",
                    "ConditionExpression": "handled = :first",
                    "ExpressionAttributeValues": dump_item({":first": first, ":end": end}),
                    "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
                }
            },
            {
                "Update": {
                    "TableName": self._table,
                    "Key": dump_item({"pk": job_id, "sk": RECORD}),
                    "UpdateExpression": "ADD Completed :ok, Failed :failed, Sent :sent",
                    "ConditionExpression": condition,
                    "ExpressionAttributeNames": names,
                    "ExpressionAttributeValues": dump_item(counters),
                }
            },
        ]
        try:
            self._client.transact_write_items(TransactItems=actions)
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "TransactionCanceledException":
                raise
            reasons = exc.response.get("CancellationReasons", [])
            codes = [r.get("Code") for r in reasons]
            if len(codes) == 2 and codes[1] == "ConditionalCheckFailed":
                return Mark.STOPPED
            if not codes or codes[0] != "ConditionalCheckFailed" or "Item" not in reasons[0]:
                raise
            current = int(load_item(reasons[0]["Item"]).get("handled", -1))
            if current >= end:
                return Mark.ALREADY
            if current <= first:  # the batch was never this far: not a retry's overlap
                raise
            return self.mark(job_id, run, number, handled[current - first :])
        return Mark.MARKED

    def planned_items(self, job_id: str) -> list[Any]:
        """Every item of the job's plan, in order (a kind that cleans up after its items
        reads them here: a modification without KeepSource deletes its sources)."""
        batches = query_items(
            self._client,
            TableName=self._table,
            KeyConditionExpression="pk = :p AND begins_with(sk, :b)",
            ExpressionAttributeValues=dump_item({":p": job_id, ":b": "batch#"}),
            ProjectionExpression="sk, #items",
            ExpressionAttributeNames={"#items": "items"},
        )
        loaded = sorted((load_item(item) for item in batches), key=lambda item: item["sk"])
        return [entry for item in loaded for entry in item["items"]]

    # -- removal -----------------------------------------------------------------------------

    def delete_batches(self, job_id: str) -> None:
        self._delete_items(job_id, only_batches=True)

    def delete(self, job_id: str) -> None:
        self._delete_items(job_id, only_batches=False)

    def _delete_items(self, job_id: str, only_batches: bool) -> None:
        kwargs: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "pk = :p",
            "ExpressionAttributeValues": dump_item({":p": job_id}),
            "ProjectionExpression": "pk, sk",
        }
        if only_batches:
            kwargs["KeyConditionExpression"] += " AND begins_with(sk, :b)"
            kwargs["ExpressionAttributeValues"] = dump_item({":p": job_id, ":b": "batch#"})
        keys = list(query_items(self._client, **kwargs))
        # The record last: a crash half-way leaves a job that can still be deleted again.
        keys.sort(key=lambda key: key["sk"]["S"] == RECORD)
        batch_write(self._client, self._table, [{"DeleteRequest": {"Key": key}} for key in keys])
