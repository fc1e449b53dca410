"""The local stand-ins for four AWS triggers: the DynamoDB Stream's Lambda trigger, the
scheduled stability check and orphan sweep, and the S3 event of uploads made through
presigned URLs.

On AWS, Lambda polls the index table's stream and calls ``app.index_stream`` with batches of
records, and EventBridge calls ``app.stability_check`` every minute. Locally a
``StreamPump`` reads moto's stream with the dynamodbstreams API (the same API Lambda's poller
uses) and calls the very same Chalice handlers with the same event shape. A failed batch is
read again from its first record, or from the record its partial batch response names, as
Lambda retries it. Like Lambda's event source mapping, the consumer keeps its position across
restarts: the last record delivered is saved in the data directory after each batch, and a
restarted stack resumes after it in the replayed stream (moto numbers a replayed stream's
records the same way), so records written but not yet logged when the stack was killed are
logged after the restart, and those already logged are not delivered again (a batch whose
position was not saved yet is, which the handler's replay guards make harmless). moto's
server does not call Lambdas on S3 events, so objects under ``uploads/`` are listed on the
same timer and handed to the app's S3 handler with the event S3 would send (the handler
deletes each object it ingested).
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote_plus

from botocore.exceptions import ClientError

from chalicelib.storage.transfers import UPLOADS

LOG = logging.getLogger("cirrus.feed")
BATCH = 100
# The stream is read again 0.2 s after a poll that found records (the batching window: a
# batch that was not full is not followed at once by the next); after each poll that found
# none the wait doubles, up to 1 s: an idle stack then makes 1 GetRecords and 1 ListObjectsV2
# a second instead of 5 of each, and the first record after a pause waits at most 1 s.
POLL_SECONDS = 0.2
IDLE_POLL_SECONDS = 1.0
# Orthanc checks every second; on AWS the schedule runs every minute. Every few seconds
# keeps the emulator (16 index Queries per check) free for the API. Only a resource that
# received something can become unstable, and every such write reaches the stream: once
# StableAge (and one more period) has passed since the stream last delivered anything, every
# resource is stable and the checks stop until the stream delivers again.
STABILITY_SECONDS = 3.0
# The orphan sweep runs every hour on AWS; here every 10 minutes, in a thread of its own (a
# pass over a large archive must not hold up the stream), as ``make run`` leaves it running.
SWEEP_SECONDS = 600.0

Handler = Callable[[dict[str, Any], Any], Any]


class Checkpoint:
    """The sequence number of the last record delivered from each shard, kept in a JSON file.

    Keyed by shard ID alone: the stream's ARN names the table's creation time, which a replay
    changes, while moto's shard ID and sequence numbers come back the same.
    """

    def __init__(self, path: Path) -> None:
        self._path = path
        self._positions: dict[str, str] = json.loads(path.read_text()) if path.exists() else {}

    def position(self, shard_id: str) -> str | None:
        return self._positions.get(shard_id)

    def save(self, shard_id: str, sequence_number: str) -> None:
        """Record ``sequence_number`` as delivered: a new file renamed over the old one, so a
        kill leaves one or the other, whole."""
        self._positions[shard_id] = sequence_number
        temporary = self._path.with_name(self._path.name + ".tmp")
        temporary.write_text(json.dumps(self._positions))
        os.replace(temporary, self._path)


class StreamPump:
    """Reads every shard of a table's stream and hands the records to ``handler``."""

    def __init__(
        self,
        dynamodb: Any,
        streams: Any,
        table: str,
        handler: Handler,
        start: str = "LATEST",
        checkpoint: Checkpoint | None = None,
    ) -> None:
        """Read each shard after its ``checkpoint`` position, or from ``start`` without one."""
        self._streams = streams
        self._handler = handler
        self._checkpoint = checkpoint
        self._start = start
        # The last record delivered from each shard (also without a checkpoint file).
        self._positions: dict[str, str] = {}
        self._arn = dynamodb.describe_table(TableName=table)["Table"]["LatestStreamArn"]
        shards = streams.describe_stream(StreamArn=self._arn)["StreamDescription"]["Shards"]
        for shard in shards:
            saved = checkpoint.position(shard["ShardId"]) if checkpoint else None
            if saved is not None:
                self._positions[shard["ShardId"]] = saved
        self._iterators = {shard["ShardId"]: self._resume(shard["ShardId"]) for shard in shards}

    def _resume(self, shard_id: str) -> str:
        """An iterator after the last record delivered, or at ``start`` before any: how the
        pump opens a shard, and opens it again when its iterator expired (AWS expires one 15
        minutes after handing it out: a stack suspended that long)."""
        position = self._positions.get(shard_id)
        if position is None:
            return self._iterator(shard_id, self._start)
        return self._iterator(shard_id, "AFTER_SEQUENCE_NUMBER", position)

    def _iterator(self, shard_id: str, kind: str, sequence_number: str | None = None) -> str:
        kwargs: dict[str, Any] = {"StreamArn": self._arn, "ShardId": shard_id}
        kwargs["ShardIteratorType"] = kind
        if sequence_number is not None:
            kwargs["SequenceNumber"] = sequence_number
        return self._streams.get_shard_iterator(**kwargs)["ShardIterator"]

    def pump(self) -> int:
        """Deliver everything new; returns the number of records delivered."""
        return sum(self._pump_shard(shard_id) for shard_id in list(self._iterators))

    def _pump_shard(self, shard_id: str) -> int:
        delivered = 0
        iterator = self._iterators[shard_id]
        while True:
            try:
                answer = self._streams.get_records(ShardIterator=iterator, Limit=BATCH)
            except ClientError as exc:
                if exc.response["Error"]["Code"] != "ExpiredIteratorException":
                    raise
                iterator = self._iterators[shard_id] = self._resume(shard_id)
                continue
            records = answer["Records"]
            if not records:
                self._iterators[shard_id] = answer["NextShardIterator"]
                return delivered
            sequences = [record["dynamodb"]["SequenceNumber"] for record in records]
            try:
                response = self._handler({"Records": records}, None)
            except Exception:
                # Like Lambda: the batch is retried from its first record next time.
                self._retry_from(shard_id, sequences[0])
                raise
            failures = (response or {}).get("batchItemFailures") or []
            if failures:
                # A partial batch response: retried from the earliest record it names.
                first = min(sequences.index(f["itemIdentifier"]) for f in failures)
                self._retry_from(shard_id, sequences[first])
                if first:
                    self._delivered(shard_id, sequences[first - 1])
                return delivered + first
            self._delivered(shard_id, sequences[-1])
            delivered += len(records)
            iterator = self._iterators[shard_id] = answer["NextShardIterator"]
            if len(records) < BATCH:
                # The rest waits for the next poll, POLL_SECONDS away, like a batching window
                # (Lambda's MaximumBatchingWindowInSeconds): reading again at once gave batches
                # of the one or two records written meanwhile, and the feed's requests per
                # batch (the log's counter, the ancestors' touches) then came per instance.
                return delivered

    def _delivered(self, shard_id: str, sequence_number: str) -> None:
        self._positions[shard_id] = sequence_number
        if self._checkpoint is not None:
            self._checkpoint.save(shard_id, sequence_number)

    def _retry_from(self, shard_id: str, sequence_number: str) -> None:
        self._iterators[shard_id] = self._iterator(shard_id, "AT_SEQUENCE_NUMBER", sequence_number)


def next_poll(wait: float, delivered: int) -> float:
    """The wait before the next poll of the stream, after one that waited ``wait`` and
    delivered ``delivered`` records."""
    return POLL_SECONDS if delivered else min(wait * 2, IDLE_POLL_SECONDS)


def run_in_background(
    pump: StreamPump,
    stability_check: Callable[[], Any],
    uploads: Callable[[], Any],
    stable_age: float,
) -> threading.Thread:
    """Poll the stream and the uploads, and run the stability check on timers, in a daemon
    thread (a stack just started checks too: it may hold resources from before)."""

    def loop() -> None:
        stop = threading.Event()
        since_check = since_delivery = 0.0
        wait = POLL_SECONDS
        while not stop.wait(wait):
            since_check += wait
            since_delivery += wait
            try:
                delivered = pump.pump()
                uploads()
            except Exception:
                LOG.exception("change feed: will retry")
                delivered = 0
            wait = next_poll(wait, delivered)
            if delivered:
                since_delivery = 0.0
            if since_check < STABILITY_SECONDS:
                continue
            since_check = 0.0
            if since_delivery > stable_age + 2 * STABILITY_SECONDS:
                continue  # everything is stable by now
            try:
                stability_check()
            except Exception:
                LOG.exception("stability check: will run again")
                since_delivery = 0.0  # checked again for another StableAge

    thread = threading.Thread(target=loop, name="change-feed", daemon=True)
    thread.start()
    return thread


def run_periodically(name: str, seconds: float, task: Callable[[], Any]) -> threading.Thread:
    """Run ``task`` every ``seconds`` in a daemon thread of its own."""

    def loop() -> None:
        stop = threading.Event()
        while not stop.wait(seconds):
            try:
                task()
            except Exception:
                LOG.exception("%s: will run again", name)

    thread = threading.Thread(target=loop, name=name, daemon=True)
    thread.start()
    return thread


def scheduled_event(rule: str) -> dict[str, Any]:
    """The event EventBridge passes to the scheduled Lambda of the handler named ``rule``
    (the fields Chalice reads; the rule's ARN ends with the handler's name)."""
    return {
        "version": "0",
        "id": "local",
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": "000000000000",
        "time": "",
        "region": "us-east-1",
        "resources": [f"arn:aws:events:us-east-1:000000000000:rule/{rule}"],
        "detail": {},
    }


def s3_event(bucket: str, key: str, size: int) -> dict[str, Any]:
    """The ObjectCreated event S3 sends to a Lambda (the fields Chalice reads)."""
    return {
        "Records": [
            {
                "eventSource": "aws:s3",
                "eventName": "ObjectCreated:Put",
                "s3": {
                    "bucket": {"name": bucket},
                    "object": {"key": quote_plus(key, safe="/"), "size": size},
                },
            }
        ]
    }


def upload_poller(s3: Any, bucket: str, handler: Handler) -> Callable[[], None]:
    """Announce every object under ``uploads/`` to ``handler``, as S3 would."""

    def poll() -> None:
        answer = s3.list_objects_v2(Bucket=bucket, Prefix=UPLOADS)
        for item in answer.get("Contents", []):
            handler(s3_event(bucket, item["Key"], item["Size"]), None)

    return poll


def index_stream_pump(start: str = "LATEST", checkpoint: Checkpoint | None = None) -> StreamPump:
    """The app's ``index_stream`` handler fed from the index table's stream, through the
    product code's own clients (the local stack, the tests and the benchmarks share it)."""
    import app
    from chalicelib.storage import aws
    from chalicelib.storage.schema import table_name

    return StreamPump(
        aws.client("dynamodb"),
        aws.client("dynamodbstreams"),
        table_name("index"),
        app.index_stream,
        start=start,
        checkpoint=checkpoint,
    )


def start() -> threading.Thread:
    """Run the app's stream and schedule handlers (``app.py``) against the emulator."""
    import app
    from chalicelib import bootstrap
    from chalicelib.storage import aws
    from chalicelib.storage.schema import bucket_name
    from local_stack.settings import StackSettings

    pump = index_stream_pump(
        checkpoint=Checkpoint(StackSettings.from_environment().stream_checkpoint_path)
    )
    uploads = upload_poller(aws.client("s3"), bucket_name("dicom"), app.upload_received)
    run_periodically(
        "orphan-sweep",
        SWEEP_SECONDS,
        lambda: app.orphan_sweeper(scheduled_event("orphan_sweeper"), None),
    )
    return run_in_background(
        pump,
        lambda: app.stability_check(scheduled_event("stability_check"), None),
        uploads,
        bootstrap.config().StableAge,
    )
