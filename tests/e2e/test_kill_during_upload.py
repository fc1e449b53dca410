"""Fault injection: the whole local stack SIGKILLed in the middle of a parallel upload.

1,000 small instances (4 patients, 8 studies, 40 series) go out through 8 clients at once,
4 over REST (``POST /instances``, one keep-alive session each) and 4 over C-STORE (one
association each), taking the instances in turn from one queue so that REST and DICOM race on
the same new series, studies and patients. Once about half are acknowledged, every process
of the stack (supervisor, emulator, REST server, DICOM service) is SIGKILLed at once. A stack
restarted on the same data directory must then hold every acknowledged instance, byte for
byte, nothing that was never sent, exact counts, an index that agrees with itself and with
the bucket, and a changes log naming each stored instance once, as Orthanc's single SQLite
transaction per instance guarantees. Sending again
what was not acknowledged must then give exactly the 1,000 instances.
"""

from __future__ import annotations

import queue
import shutil
import struct
import threading
import time
from collections import Counter
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path
from typing import Any

import pydicom
import requests
from pydicom.uid import CTImageStorage, ExplicitVRLittleEndian, generate_uid
from pynetdicom import AE

from chalicelib.dicom.identifiers import ResourceIds, compute_ids
from local_stack.settings import STREAM_CHECKPOINT_NAME
from local_stack.stack import emulator_client
from tests.e2e.stack import RESOURCE_PREFIX, LocalStack
from tests.support import consistency
from tests.support.dicom_factory import make_instance

INSTANCES = 1000
PATIENTS = 4
STUDIES_PER_PATIENT = 2
SERIES_PER_STUDY = 5
CLIENTS_PER_PROTOCOL = 4
# Consecutive instances share a series in runs of this length, so that the 8 clients, taking
# them in turn, create each series (and its study and patient) concurrently.
RUN = 2 * CLIENTS_PER_PROTOCOL
KILL_AFTER = INSTANCES // 2
TIMEOUT_SECONDS = 60.0
CALLING_AET = "KILLTEST"
# The stream consumer polls every 0.2 s, then logs a few hundred records after a restart,
# which takes minutes when the machine is busy (the whole suite on 2 cores): the feed is given
# up on only when it has logged nothing new for this long.
FEED_SECONDS = 60.0


@dataclass(frozen=True)
class Instance:
    """One generated file and the Orthanc IDs it must get."""

    data: bytes
    ids: ResourceIds


@dataclass
class Upload:
    """What the clients saw: which instances were sent, and which were acknowledged."""

    sent: set[int] = field(default_factory=set)
    acknowledged: dict[int, str] = field(default_factory=dict)  # index -> "rest" | "dicom"
    refused: list[str] = field(default_factory=list)  # answers other than success, before the kill
    killed: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def acknowledge(self, index: int, protocol: str) -> None:
        with self.lock:
            self.acknowledged[index] = protocol

    def refuse(self, what: str) -> None:
        if not self.killed.is_set():
            with self.lock:
                self.refused.append(what)


def generate(count: int = INSTANCES) -> list[Instance]:
    """``count`` instances, in sending order: series in runs of ``RUN``, every series started
    early."""
    series = [
        (f"KILL-{patient}", study_uid, generate_uid())
        for patient in range(PATIENTS)
        for study_uid in [generate_uid() for _ in range(STUDIES_PER_PATIENT)]
        for _ in range(SERIES_PER_STUDY)
    ]
    instances = []
    for index in range(count):
        patient_id, study_uid, series_uid = series[(index // RUN) % len(series)]
        sop_uid = generate_uid()
        data = make_instance(
            patient_id=patient_id,
            study_uid=study_uid,
            series_uid=series_uid,
            sop_uid=sop_uid,
            instance_number=index + 1,
        )
        instances.append(Instance(data, compute_ids(patient_id, study_uid, series_uid, sop_uid)))
    return instances


def _rest_client(
    url: str, work: queue.Queue[int], instances: list[Instance], upload: Upload
) -> None:
    with requests.Session() as session:
        while not upload.killed.is_set():
            try:
                index = work.get_nowait()
            except queue.Empty:
                return
            with upload.lock:
                upload.sent.add(index)
            try:
                answer = session.post(
                    f"{url}/instances",
                    data=instances[index].data,
                    headers={"Content-Type": "application/dicom"},
                    timeout=TIMEOUT_SECONDS,
                )
            except requests.RequestException as error:
                upload.refuse(f"REST {index}: {error}")
                return
            if answer.status_code == 200 and answer.json()["ID"] == instances[index].ids.instance:
                upload.acknowledge(index, "rest")
            else:
                upload.refuse(f"REST {index}: {answer.status_code} {answer.text}")


def _dicom_client(
    port: int, work: queue.Queue[int], instances: list[Instance], upload: Upload
) -> None:
    ae = AE(ae_title=CALLING_AET)
    ae.add_requested_context(CTImageStorage, ExplicitVRLittleEndian)
    ae.acse_timeout = ae.dimse_timeout = ae.network_timeout = TIMEOUT_SECONDS
    association = ae.associate("127.0.0.1", port)
    if not association.is_established:
        upload.refuse("C-STORE: association refused")
        return
    try:
        while not upload.killed.is_set():
            try:
                index = work.get_nowait()
            except queue.Empty:
                return
            dataset = pydicom.dcmread(BytesIO(instances[index].data))
            with upload.lock:
                upload.sent.add(index)
            status = association.send_c_store(dataset)
            if status and status.Status == 0x0000:
                upload.acknowledge(index, "dicom")
            else:
                upload.refuse(f"C-STORE {index}: {status}")
            if not association.is_established:
                return
    finally:
        if upload.killed.is_set():
            # The peer is gone: a release would wait acse_timeout for its answer.
            association.abort()
        elif association.is_established:
            association.release()


def upload_until_killed(stack: LocalStack, instances: list[Instance]) -> Upload:
    """Run the 8 clients; SIGKILL the stack once ``KILL_AFTER`` instances are acknowledged."""
    upload = Upload()
    work: queue.Queue[int] = queue.Queue()
    for index in range(len(instances)):
        work.put(index)
    clients = [
        threading.Thread(target=_rest_client, args=(stack.url, work, instances, upload))
        for _ in range(CLIENTS_PER_PROTOCOL)
    ] + [
        threading.Thread(
            target=_dicom_client, args=(stack.config["DicomPort"], work, instances, upload)
        )
        for _ in range(CLIENTS_PER_PROTOCOL)
    ]
    for client in clients:
        client.start()
    deadline = time.monotonic() + 10 * TIMEOUT_SECONDS
    while len(upload.acknowledged) < KILL_AFTER:
        assert time.monotonic() < deadline, f"only {len(upload.acknowledged)} acknowledged"
        assert any(client.is_alive() for client in clients), upload.refused[:5]
        time.sleep(0.01)
    upload.killed.set()
    stack.kill()
    for client in clients:
        # A C-STORE in flight at the kill waits at most dimse_timeout for its answer.
        client.join(2 * TIMEOUT_SECONDS)
        assert not client.is_alive()
    return upload


def _get(session: requests.Session, url: str) -> Any:
    answer = session.get(url, timeout=TIMEOUT_SECONDS)
    assert answer.status_code == 200, f"{url}: {answer.status_code} {answer.text}"
    return answer.json()


def _data_set(data: bytes) -> bytes:
    """The encoded data set of a Part 10 file: what follows the preamble, ``DICM`` and the
    file meta group (whose first element, explicit VR, holds the group's length)."""
    (group_length,) = struct.unpack_from("<I", data, 128 + 4 + 8)
    return data[128 + 4 + 12 + group_length :]


def check_files(url: str, instances: Iterable[Instance], protocols: dict[int, str]) -> None:
    """Every acknowledged file is stored as sent: the same bytes for REST; for C-STORE, whose
    file meta the DICOM service writes itself, the same encoded data set."""

    def check(index: int) -> None:
        expected = instances_list[index]
        with requests.Session() as session:
            stored = session.get(
                f"{url}/instances/{expected.ids.instance}/file", timeout=TIMEOUT_SECONDS
            )
        assert stored.status_code == 200, f"acknowledged instance {index} is missing"
        if protocols[index] == "rest":
            assert stored.content == expected.data, f"instance {index} differs"
        else:
            assert _data_set(stored.content) == _data_set(expected.data), index

    instances_list = list(instances)
    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(check, sorted(protocols)))


def check_index(stack: LocalStack, present: set[str], instances: list[Instance]) -> list[str]:
    """The API lists exactly the instances present and their ancestors, with those counts, and
    the index agrees with the bucket and its counters (no orphan record, no empty ancestor, no
    missing file: tests/support/consistency.py). Returns the unreferenced S3 objects."""
    by_id = {instance.ids.instance: instance.ids for instance in instances}
    expected = {
        "patients": {by_id[i].patient for i in present},
        "studies": {by_id[i].study for i in present},
        "series": {by_id[i].series for i in present},
        "instances": present,
    }
    with requests.Session() as session:
        statistics = _get(session, f"{stack.url}/statistics")
        counts = {name: statistics[f"Count{name.capitalize()}"] for name in expected}
        assert counts == {name: len(ids) for name, ids in expected.items()}
        for collection, ids in expected.items():
            assert set(_get(session, f"{stack.url}/{collection}")) == ids, collection
    report = consistency.check(
        _emulator(stack, "dynamodb"),
        _emulator(stack, "s3"),
        f"{RESOURCE_PREFIX}-index",
        f"{RESOURCE_PREFIX}-dicom",
    )
    assert report.problems == [], str(report)
    assert report.counts["Instances"] == len(present)
    return report.orphans


def _emulator(stack: LocalStack, service: str) -> Any:
    return emulator_client(service, stack.emulator_url)


def read_changes(url: str) -> list[dict[str, Any]]:
    """The whole changes log, page by page."""
    changes: list[dict[str, Any]] = []
    since = 0
    with requests.Session() as session:
        while True:
            page = _get(session, f"{url}/changes?since={since}&limit=1000")
            changes += page["Changes"]
            if page["Done"]:
                return changes
            since = page["Last"]


def settled_changes(url: str, present: set[str]) -> list[dict[str, Any]]:
    """The changes log once it names every instance present (the feed follows the stream), or
    once it stops growing for :data:`FEED_SECONDS`."""
    deadline, seen = time.monotonic() + FEED_SECONDS, 0
    while True:
        changes = read_changes(url)
        logged = {c["ID"] for c in changes if c["ChangeType"] == "NewInstance"}
        if present <= logged or time.monotonic() > deadline:
            return changes
        if len(changes) > seen:
            deadline, seen = time.monotonic() + FEED_SECONDS, len(changes)
        time.sleep(0.5)


def check_changes(changes: list[dict[str, Any]], present: set[str]) -> None:
    """Seq strictly increases, no New<Level> twice for one resource, and exactly one
    NewInstance for each instance present."""
    sequence = [change["Seq"] for change in changes]
    assert sequence == sorted(set(sequence)), "Seq does not strictly increase"
    created = Counter(
        (change["ChangeType"], change["ID"])
        for change in changes
        if change["ChangeType"].startswith("New")
    )
    assert [key for key, count in created.items() if count > 1] == []
    logged = {change["ID"] for change in changes if change["ChangeType"] == "NewInstance"}
    assert sorted(present - logged) == [], "stored instances missing from /changes"
    assert sorted(logged - present) == [], "/changes names instances that are not stored"


def upload_over_rest(url: str, instances: list[Instance], indexes: Iterable[int]) -> None:
    """Upload ``indexes`` of ``instances`` over REST, 8 at a time: each must be answered 200
    (stored, or already stored by a request the kill cut short)."""

    def send(index: int) -> None:
        answer = requests.post(
            f"{url}/instances",
            data=instances[index].data,
            headers={"Content-Type": "application/dicom"},
            timeout=TIMEOUT_SECONDS,
        )
        assert answer.status_code == 200, answer.text
        assert answer.json()["ID"] == instances[index].ids.instance

    with ThreadPoolExecutor(max_workers=2 * CLIENTS_PER_PROTOCOL) as pool:
        list(pool.map(send, indexes))


def _present(url: str) -> set[str]:
    with requests.Session() as session:
        return set(_get(session, f"{url}/instances"))


class Laps:
    """Wall time of each step, printed at the end (``pytest -s``): the test is meant to stay
    well under two minutes on two shared cores."""

    def __init__(self) -> None:
        self.times: dict[str, float] = {}
        self._last = time.monotonic()

    def __call__(self, step: str) -> None:
        now = time.monotonic()
        self.times[step] = round(now - self._last, 1)
        self._last = now


def test_sigkill_during_parallel_upload_loses_and_duplicates_nothing(tmp_path: Path) -> None:
    lap = Laps()
    instances = generate()
    ids = {instance.ids.instance: index for index, instance in enumerate(instances)}
    data_dir = tmp_path / "data"
    lap("generate")

    with LocalStack(data_dir) as first:
        lap("start")
        upload = upload_until_killed(first, instances)
        lap("upload until killed")
    assert upload.refused == [], upload.refused[:5]
    assert set(upload.acknowledged.values()) == {"rest", "dicom"}
    assert len(upload.sent) < INSTANCES, "everything was sent before the kill"

    with LocalStack(data_dir) as second:
        lap("restart")
        present = _present(second.url)
        acknowledged = {instances[index].ids.instance for index in upload.acknowledged}
        sent = {instances[index].ids.instance for index in upload.sent}
        assert sorted(acknowledged - present) == [], "acknowledged instances are missing"
        assert sorted(present - sent) == [], "instances that were never sent are stored"
        check_files(second.url, instances, upload.acknowledged)
        lap("files")
        in_flight = len(upload.sent) - len(upload.acknowledged)
        # A file written to S3 by a request killed before its index write is left for the
        # orphan sweeper, invisible to clients: at most one per request in flight.
        assert len(check_index(second, present, instances)) <= in_flight
        lap("index")
        check_changes(settled_changes(second.url, present), present)
        lap("changes")

        missing = sorted(index for i, index in ids.items() if i not in acknowledged)
        upload_over_rest(second.url, instances, missing)
        lap("send again")
        everything = set(ids)
        assert _present(second.url) == everything
        assert len(check_index(second, everything, instances)) <= in_flight
        check_changes(settled_changes(second.url, everything), everything)
        lap("final checks")
    lap("stop")
    print(f"acknowledged {len(upload.acknowledged)}, sent {len(upload.sent)}; {lap.times}")


def test_a_fresh_recording_is_read_from_its_start(tmp_path: Path) -> None:
    """The stream consumer's saved position belongs to the recorded stream: once the
    emulator's state (snapshot and recording) is deleted (a reset of the archive), the new
    stream is read from its start."""
    data_dir = tmp_path / "data"
    earlier, later = generate(2)
    with LocalStack(data_dir) as first:
        upload_over_rest(first.url, [earlier], [0])
        settled_changes(first.url, {earlier.ids.instance})
    assert (data_dir / STREAM_CHECKPOINT_NAME).exists()
    for path in data_dir.iterdir():
        if path.name != STREAM_CHECKPOINT_NAME:
            shutil.rmtree(path) if path.is_dir() else path.unlink()

    with LocalStack(data_dir) as second:
        upload_over_rest(second.url, [later], [0])
        present = {later.ids.instance}
        check_changes(settled_changes(second.url, present), present)
