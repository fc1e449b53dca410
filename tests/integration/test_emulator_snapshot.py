"""A snapshot of the emulator's state (``local_stack.snapshot``) loads back to the same state.

The snapshot is written the way the emulator writes it, from a moto filled through boto3, then
loaded into a fresh moto (``mock_aws`` starts each block empty): the table items, the stream's
records and sequence numbers, and the S3 objects must be those written, and the items must
still be checked against DynamoDB's size limit although the load skips the check.

The emulator's own process (``python -m local_stack.emulator``) is then killed (SIGKILL) and
started again on its data directory: a replay of the recorded requests alone gives the same
state, and a snapshot is taken as soon as the recording's tail reaches ``TAIL_REQUESTS``
requests, reads not counted.
"""

from __future__ import annotations

import gc
import hashlib
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import boto3
import pytest
import requests
from botocore.exceptions import ClientError
from moto import mock_aws

from local_stack import moto_indexes
from local_stack.recording import is_read_only
from local_stack.settings import RESTORE_PATH
from local_stack.snapshot import BODIES_NAME, STATE_NAME, dump_state, load_state
from local_stack.stack import emulator_client
from tests.support.orthanc_server import free_port

TABLE = "snapshot"
BUCKET = "snapshot-bucket"
REGION = "us-east-1"
COVERED = 7
# An attribute this large twice is more than DynamoDB's 400 KB per item.
HALF_AN_ITEM = "x" * 250_000
PROJECT_ROOT = Path(__file__).resolve().parents[2]
START_SECONDS = 60.0
SEGMENTS = "moto-recording.*.jsonl"
# What a stream record holds of the time its request ran (see _replayable).
_REPLAY_TIME = frozenset({"ApproximateCreationDateTime", "SizeBytes"})


def _clients() -> tuple[Any, Any, Any]:
    return (
        boto3.client("dynamodb", region_name=REGION),
        boto3.client("dynamodbstreams", region_name=REGION),
        boto3.client("s3", region_name=REGION),
    )


def _fill(dynamodb: Any, s3: Any) -> None:
    """Items of every attribute type, changed and deleted (stream records of each kind), and
    S3 objects, two of them with the same body (one file in the body store)."""
    dynamodb.create_table(
        TableName=TABLE,
        KeySchema=[
            {"AttributeName": "pk", "KeyType": "HASH"},
            {"AttributeName": "sk", "KeyType": "RANGE"},
        ],
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
        ],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )
    for number in range(20):
        dynamodb.put_item(
            TableName=TABLE,
            Item={
                "pk": {"S": f"study-{number % 3}"},
                "sk": {"S": f"{number:04d}"},
                "n": {"N": str(number)},
                "tags": {"M": {"Modality": {"S": "CT"}, "Frames": {"L": [{"N": "1"}]}}},
                "labels": {"SS": ["a", f"b{number}"]},
                "raw": {"B": bytes([number]) * 3},
                "flag": {"BOOL": number % 2 == 0},
            },
        )
    dynamodb.update_item(
        TableName=TABLE,
        Key={"pk": {"S": "study-0"}, "sk": {"S": "0000"}},
        UpdateExpression="SET big = :big ADD n :one",
        ExpressionAttributeValues={":big": {"S": HALF_AN_ITEM}, ":one": {"N": "1"}},
    )
    dynamodb.delete_item(TableName=TABLE, Key={"pk": {"S": "study-1"}, "sk": {"S": "0001"}})
    s3.create_bucket(Bucket=BUCKET)
    for name, body in (("a", b"same"), ("b", b"same"), ("c", b"other" * 10_000)):
        s3.put_object(Bucket=BUCKET, Key=name, Body=body)


def _observe(dynamodb: Any, streams: Any, s3: Any) -> dict[str, Any]:
    """What a client sees of the state: items, stream records, objects."""
    items = dynamodb.scan(TableName=TABLE)["Items"]
    arn = dynamodb.describe_table(TableName=TABLE)["Table"]["LatestStreamArn"]
    [shard] = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]
    iterator = streams.get_shard_iterator(
        StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
    )["ShardIterator"]
    records = streams.get_records(ShardIterator=iterator)["Records"]
    objects = {
        entry["Key"]: s3.get_object(Bucket=BUCKET, Key=entry["Key"])["Body"].read()
        for entry in s3.list_objects_v2(Bucket=BUCKET)["Contents"]
    }
    return {
        "items": sorted(items, key=lambda item: (item["pk"]["S"], item["sk"]["S"])),
        "records": [
            (record["eventName"], record["dynamodb"]["SequenceNumber"], record["dynamodb"])
            for record in records
        ],
        "objects": objects,
    }


@pytest.fixture
def indexed_queries() -> Any:
    """The emulator's Query patch, as the emulator runs moto."""
    moto_indexes.install()
    yield
    moto_indexes.uninstall()


@pytest.mark.usefixtures("indexed_queries")
def test_a_snapshot_loads_back_to_the_same_state(tmp_path: Path) -> None:
    state, bodies = tmp_path / STATE_NAME, tmp_path / BODIES_NAME
    with mock_aws():
        dynamodb, streams, s3 = _clients()
        _fill(dynamodb, s3)
        # A Query builds the partitions the Query patch keeps on the table.
        dynamodb.query(
            TableName=TABLE,
            KeyConditionExpression="pk = :pk",
            ExpressionAttributeValues={":pk": {"S": "study-2"}},
        )
        before = _observe(dynamodb, streams, s3)
        dump_state(state, bodies, COVERED)
    assert sorted(path.name for path in bodies.iterdir()) == sorted(
        hashlib.sha256(body).hexdigest() for body in (b"same", b"other" * 10_000)
    )

    with mock_aws():
        dynamodb, streams, s3 = _clients()
        assert dynamodb.list_tables()["TableNames"] == []
        frozen = gc.get_freeze_count()
        assert load_state(state, bodies) == COVERED
        # The loaded objects are left out of the collector's scans, which go on.
        assert gc.get_freeze_count() > frozen
        assert gc.isenabled()
        gc.unfreeze()
        assert _observe(dynamodb, streams, s3) == before
        answer = dynamodb.query(
            TableName=TABLE,
            KeyConditionExpression="pk = :pk AND sk > :sk",
            ExpressionAttributeValues={":pk": {"S": "study-2"}, ":sk": {"S": "0005"}},
        )
        assert [item["sk"]["S"] for item in answer["Items"]] == ["0008", "0011", "0014", "0017"]
        # The loaded item is still refused an attribute that takes it past 400 KB.
        with pytest.raises(ClientError, match="exceeded the maximum allowed size"):
            dynamodb.update_item(
                TableName=TABLE,
                Key={"pk": {"S": "study-0"}, "sk": {"S": "0000"}},
                UpdateExpression="SET extra = :big",
                ExpressionAttributeValues={":big": {"S": HALF_AN_ITEM}},
            )


class Emulator:
    """``python -m local_stack.emulator`` on ``data_dir``, restored, as the supervisor runs it;
    ``settings`` are assignments to ``local_stack.snapshot``'s constants made before it runs."""

    def __init__(self, data_dir: Path, settings: str = "pass") -> None:
        self.url = f"http://127.0.0.1:{free_port()}"
        code = (
            f"import sys; from local_stack import emulator, snapshot; {settings}; "
            f"sys.argv[1:] = ['--port', '{self.url.rsplit(':', 1)[1]}']; emulator.main()"
        )
        self.process = subprocess.Popen(
            [sys.executable, "-c", code],
            cwd=PROJECT_ROOT,
            env={"CIRRUS_DATA_DIR": str(data_dir), "PATH": "/usr/bin:/bin"},
        )
        deadline = time.monotonic() + START_SECONDS
        while True:
            assert self.process.poll() is None, "the emulator exited"
            assert time.monotonic() < deadline, "the emulator did not answer"
            try:
                answer = requests.post(f"{self.url}{RESTORE_PATH}", timeout=START_SECONDS)
                break
            except requests.ConnectionError:
                time.sleep(0.1)
        answer.raise_for_status()
        self.restored: dict[str, Any] = answer.json()

    def clients(self) -> tuple[Any, Any, Any]:
        return tuple(  # type: ignore[return-value]
            emulator_client(service, self.url) for service in ("dynamodb", "dynamodbstreams", "s3")
        )

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(START_SECONDS)


@contextmanager
def _emulator(data_dir: Path, settings: str = "pass") -> Iterator[Emulator]:
    emulator = Emulator(data_dir, settings)
    try:
        yield emulator
    finally:
        if emulator.process.poll() is None:
            emulator.kill()


def _count_writes(*clients: Any) -> list[str]:
    """The operations ``clients`` go on to call that the recording keeps, in order."""
    writes: list[str] = []

    def count(model: Any, **_: Any) -> None:
        target = f"{model.service_model.metadata.get('targetPrefix', '')}.{model.name}"
        entry = {"method": model.http["method"], "headers": {}}
        if model.service_model.protocol == "json":
            entry["headers"] = {"X-Amz-Target": target}
        if not is_read_only(entry):
            writes.append(model.name)

    for client in clients:
        client.meta.events.register("before-call", count)
    return writes


def test_a_replay_of_the_recorded_requests_alone_gives_the_same_state(tmp_path: Path) -> None:
    with _emulator(tmp_path) as first:
        assert first.restored["fresh"]
        dynamodb, streams, s3 = first.clients()
        writes = _count_writes(dynamodb, s3)
        _fill(dynamodb, s3)
        before = _observe(dynamodb, streams, s3)
        first.kill()
    # Under TAIL_REQUESTS: no snapshot, the state is all in the recording.
    assert not (tmp_path / STATE_NAME).exists()

    with _emulator(tmp_path) as second:
        assert second.restored["replayed"] == len(writes) > 20
        assert second.restored["broken"] == 0
        assert _replayable(_observe(*second.clients())) == _replayable(before)


def _replayable(observed: dict[str, Any]) -> dict[str, Any]:
    """What a replay restores: everything but the stream records' creation times, which are
    those of the replay, and moto's estimate of their size, which counts the time's digits (the
    snapshot keeps both; nothing in Cirrus reads them)."""
    records = [
        (event, sequence, {k: v for k, v in image.items() if k not in _REPLAY_TIME})
        for event, sequence, image in observed["records"]
    ]
    return {**observed, "records": records}


def test_a_snapshot_is_taken_once_the_tail_holds_tail_requests(tmp_path: Path) -> None:
    """With the periodic check an hour away, the count of recorded writes alone starts the
    snapshot; reads do not count."""
    settings = "snapshot.TAIL_REQUESTS = 5; snapshot.CHECK_SECONDS = 3600"
    with _emulator(tmp_path, settings) as first:
        dynamodb, streams, s3 = first.clients()
        s3.create_bucket(Bucket=BUCKET)
        for number in range(3):
            s3.put_object(Bucket=BUCKET, Key=f"{number}", Body=b"x")
            s3.get_object(Bucket=BUCKET, Key=f"{number}")
            s3.head_object(Bucket=BUCKET, Key=f"{number}")
        time.sleep(1)
        assert not (tmp_path / STATE_NAME).exists(), "a snapshot before TAIL_REQUESTS writes"
        s3.put_object(Bucket=BUCKET, Key="3", Body=b"y")  # the 5th write
        deadline = time.monotonic() + START_SECONDS
        while not (tmp_path / STATE_NAME).exists():
            assert time.monotonic() < deadline, "no snapshot after TAIL_REQUESTS writes"
            time.sleep(0.05)
        objects = {key: s3.get_object(Bucket=BUCKET, Key=key)["Body"].read() for key in "0123"}
        first.kill()
    # The snapshot covers every write: no recorded request is left to replay.
    assert [path for path in tmp_path.glob(SEGMENTS) if path.stat().st_size] == []

    with _emulator(tmp_path) as second:
        assert second.restored["replayed"] == 0
        _, _, s3 = second.clients()
        assert {key: s3.get_object(Bucket=BUCKET, Key=key)["Body"].read() for key in "0123"} == (
            objects
        )
