"""The local stand-ins for three AWS triggers: the DynamoDB Stream's Lambda trigger, the
scheduled stability check, and the S3 event of uploads made through presigned URLs.

On AWS, Lambda polls the index table's stream and calls ``app.index_stream`` with batches of
records, and EventBridge calls ``app.stability_check`` every minute. Locally a
``StreamPump`` reads moto's stream with the dynamodbstreams API (the same API Lambda's poller
uses) and calls the very same Chalice handlers with the same event shape. A failed batch is
read again from its first record, or from the record its partial batch response names, as
Lambda retries it. moto's server does not call Lambdas on
S3 events, so objects under ``uploads/`` are listed on the same timer and handed to the app's
S3 handler with the event S3 would send (the handler deletes each object it ingested).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any
from urllib.parse import quote_plus

from chalicelib.storage.transfers import UPLOADS

LOG = logging.getLogger("cirrus.feed")
BATCH = 100
POLL_SECONDS = 0.2
# Orthanc checks every second; on AWS the schedule runs every minute. Every few seconds
# keeps the emulator (16 index Queries per check) free for the API.
STABILITY_SECONDS = 3.0

Handler = Callable[[dict[str, Any], Any], Any]


class StreamPump:
    """Reads every shard of a table's stream and hands the records to ``handler``."""

    def __init__(
        self, dynamodb: Any, streams: Any, table: str, handler: Handler, start: str = "LATEST"
    ) -> None:
        self._streams = streams
        self._handler = handler
        self._arn = dynamodb.describe_table(TableName=table)["Table"]["LatestStreamArn"]
        shards = streams.describe_stream(StreamArn=self._arn)["StreamDescription"]["Shards"]
        self._iterators = {
            shard["ShardId"]: self._iterator(shard["ShardId"], start) for shard in shards
        }

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
            answer = self._streams.get_records(ShardIterator=iterator, Limit=BATCH)
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
                return delivered + first
            delivered += len(records)
            iterator = answer["NextShardIterator"]

    def _retry_from(self, shard_id: str, sequence_number: str) -> None:
        self._iterators[shard_id] = self._iterator(shard_id, "AT_SEQUENCE_NUMBER", sequence_number)


def run_in_background(
    pump: StreamPump, stability_check: Callable[[], Any], uploads: Callable[[], Any]
) -> threading.Thread:
    """Poll the stream and the uploads, and run the stability check on timers, in a daemon
    thread."""

    def loop() -> None:
        stop = threading.Event()
        since_check = 0.0
        while not stop.wait(POLL_SECONDS):
            try:
                pump.pump()
                uploads()
                since_check += POLL_SECONDS
                if since_check >= STABILITY_SECONDS:
                    since_check = 0.0
                    stability_check()
            except Exception:
                LOG.exception("change feed: will retry")

    thread = threading.Thread(target=loop, name="change-feed", daemon=True)
    thread.start()
    return thread


def scheduled_event() -> dict[str, Any]:
    """The event EventBridge passes to a scheduled Lambda (the fields Chalice reads)."""
    return {
        "version": "0",
        "id": "local",
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": "000000000000",
        "time": "",
        "region": "us-east-1",
        "resources": [],
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


def start() -> threading.Thread:
    """Run the app's stream and schedule handlers (``app.py``) against the emulator."""
    import app
    from chalicelib.storage import aws
    from chalicelib.storage.schema import bucket_name, table_name

    pump = StreamPump(
        aws.client("dynamodb"), aws.client("dynamodbstreams"), table_name("index"), app.index_stream
    )
    uploads = upload_poller(aws.client("s3"), bucket_name("dicom"), app.upload_received)
    return run_in_background(pump, lambda: app.stability_check(scheduled_event(), None), uploads)
