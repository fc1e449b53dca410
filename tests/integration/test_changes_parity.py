"""The changes log where the index stream's order or timing could make it differ from
Orthanc's: deletions and clears processed before the arrivals they undo (as two stream shards
may deliver them on AWS), the stability check racing with a delete, CompletedSeries across
batches and replays, and overwrites. The comparisons with a running Orthanc 1.10.1 are in
tests/interop/test_changes_parity_vs_orthanc.py."""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.integration.helpers import get, upload
from tests.support.dicom_factory import make_instance

EMPTY_TYPES: list[tuple[str, str]] = []


def _log(client: Any) -> list[tuple[str, str]]:
    return [(c["ChangeType"], c["ID"]) for c in get(client, "/changes?limit=1000")["Changes"]]


def _stream_records() -> list[dict[str, Any]]:
    """Every record of the index table's stream so far, in stream order."""
    from chalicelib.storage import aws
    from chalicelib.storage.schema import table_name

    streams = aws.client("dynamodbstreams")
    table = aws.client("dynamodb").describe_table(TableName=table_name("index"))["Table"]
    arn = table["LatestStreamArn"]
    records: list[dict[str, Any]] = []
    for shard in streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]:
        iterator = streams.get_shard_iterator(
            StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        while True:
            answer = streams.get_records(ShardIterator=iterator, Limit=100)
            if not answer["Records"]:
                break
            records += answer["Records"]
            iterator = answer["NextShardIterator"]
    return records


def _deliver(records: Iterable[dict[str, Any]]) -> None:
    """Hand records to the app's stream handler as one Lambda batch."""
    from app import index_stream

    batch = list(records)
    if batch:
        answer = index_stream({"Records": batch}, None)
        assert answer == {"batchItemFailures": []}


def _pk(record: dict[str, Any]) -> str:
    return record["dynamodb"]["Keys"]["pk"]["S"]


def _as_two_shards(records: list[dict[str, Any]], first: set[str]) -> None:
    """Deliver the records of the items whose pk is in ``first`` (one shard) before all the
    others (another shard): DynamoDB Streams keeps the order of one item's records only."""
    _deliver(r for r in records if _pk(r) in first)
    _deliver(r for r in records if _pk(r) not in first)


# -- 1. a cleared log stays empty -------------------------------------------------------------


def _three_patients(client: Any) -> list[dict[str, Any]]:
    answers = []
    for patient in range(3):
        for number in range(2):
            data = make_instance(
                f"P{patient}",
                study_uid=f"1.{patient}",
                series_uid=f"1.{patient}.1",
                sop_uid=f"1.{patient}.1.{number}",
            )
            answers.append(upload(client, data))
    return answers


def _delete_every_patient(client: Any) -> None:
    for patient in get(client, "/patients"):
        assert client.http.delete(f"/patients/{patient}").status_code == 200


@pytest.mark.parametrize("fed_before_delete", [True, False])
def test_cleared_log_stays_empty_after_every_patient_is_deleted(
    client: Any, feed: Any, configure: Any, fed_before_delete: bool
) -> None:
    """Delete everything, clear: nothing comes back, whether the stream of the uploads was
    processed before the deletes or only after the clear, and whatever the stability check
    finds; the next upload is the first entry."""
    from chalicelib import bootstrap
    from chalicelib.services.changes.stability import StabilityService

    configure(StableAge=60)
    _three_patients(client)
    later = datetime.now(UTC) + timedelta(seconds=61)
    check = StabilityService(bootstrap.index(), bootstrap.changes_log(), 60, lambda: later)
    if fed_before_delete:
        feed.pump()
        assert check.run() == 9
    _delete_every_patient(client)
    assert client.http.delete("/changes").status_code == 200
    feed.pump()
    check.run()
    feed.pump()
    # Numbers handed out to entries that were then dropped may move Last (Orthanc's Last
    # counts every change it ever logged, 15 here), never the list.
    last = get(client, "/changes")["Last"]
    assert get(client, "/changes") == {"Changes": [], "Done": True, "Last": last}
    assert get(client, "/changes?last") == {"Changes": [], "Done": True, "Last": last}

    answer = upload(client, make_instance("P9", sop_uid="9.9"))
    feed.pump()
    changes = get(client, "/changes")["Changes"]
    assert [(c["ChangeType"], c["ID"]) for c in changes] == [
        ("NewInstance", answer["ID"]),
        ("NewSeries", answer["ParentSeries"]),
        ("NewStudy", answer["ParentStudy"]),
        ("NewPatient", answer["ParentPatient"]),
    ]
    assert changes[0]["Seq"] == last + 1


def test_deletions_processed_before_the_arrivals_that_created_them(client: Any) -> None:
    """On AWS the REMOVE of a patient, study or series (their own stream shard) can be
    processed before the INSERT of the instance that created them: the entries must not be
    written after the resources were forgotten (they used to stay in the log for good)."""
    answers = _three_patients(client)
    _delete_every_patient(client)
    assert client.http.delete("/changes").status_code == 200
    instances = {a["ID"] for a in answers}
    records = _stream_records()
    _as_two_shards(records, first={_pk(r) for r in records} - instances)
    assert _log(client) == EMPTY_TYPES
    assert get(client, "/changes?last")["Changes"] == []


def test_late_arrival_keeps_the_entries_of_the_ancestors_that_remain(client: Any) -> None:
    """The first instance of a series is deleted before its INSERT is processed, the series
    lives on with a second one: as in Orthanc, NewSeries/NewStudy/NewPatient stay, the deleted
    instance's NewInstance does not."""
    first = upload(client, make_instance("P1", study_uid="2", series_uid="2.1", sop_uid="2.1.1"))
    second = upload(client, make_instance("P1", study_uid="2", series_uid="2.1", sop_uid="2.1.2"))
    assert client.http.delete(f"/instances/{first['ID']}").status_code == 200
    records = _stream_records()
    _as_two_shards(records, first={first["ID"]})
    assert _log(client) == [
        ("NewSeries", first["ParentSeries"]),
        ("NewStudy", first["ParentStudy"]),
        ("NewPatient", first["ParentPatient"]),
        ("NewInstance", second["ID"]),
    ]


def test_late_arrival_does_not_log_a_later_resource_with_the_same_id(client: Any) -> None:
    """A patient deleted and stored again before the first arrival is processed: the first
    arrival's New* entries name resources that no longer exist (the same IDs now belong to
    the second arrival, which logs its own), so the log holds the second arrival only."""
    data = make_instance("P1", study_uid="3", series_uid="3.1", sop_uid="3.1.1")
    first = upload(client, data)
    assert client.http.delete(f"/patients/{first['ParentPatient']}").status_code == 200
    upload(client, data)
    records = _stream_records()
    ancestors = {first["ParentSeries"], first["ParentStudy"], first["ParentPatient"]}
    # The ancestors' shard first (created, deleted, created again), the instance's last.
    _as_two_shards(records, first=ancestors)
    assert _log(client) == [
        ("NewInstance", first["ID"]),
        ("NewSeries", first["ParentSeries"]),
        ("NewStudy", first["ParentStudy"]),
        ("NewPatient", first["ParentPatient"]),
    ]


def test_stability_racing_with_a_delete_logs_nothing_for_the_deleted(
    client: Any, feed: Any, configure: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The check reads a due patient, the patient is deleted and its changes forgotten, then
    the check writes: no Stable entry may outlive the patient."""
    from chalicelib import bootstrap
    from chalicelib.services.changes.stability import StabilityService

    configure(StableAge=60)
    answer = upload(client, make_instance("P1", sop_uid="4.1"))
    feed.pump()
    index = bootstrap.index()
    read = index.get_many
    deleted: list[str] = []

    def read_then_delete(ids: Iterable[str]) -> Any:
        found = read(ids)
        if not deleted:
            deleted.append(answer["ParentPatient"])
            assert client.http.delete(f"/patients/{answer['ParentPatient']}").status_code == 200
            feed.pump()
        return found

    monkeypatch.setattr(index, "get_many", read_then_delete)
    later = datetime.now(UTC) + timedelta(seconds=61)
    check = StabilityService(index, bootstrap.changes_log(), 60, lambda: later)
    assert check.run() == 0
    assert deleted and _log(client) == EMPTY_TYPES


def test_entry_numbered_before_a_clear_but_written_after_it_stays_hidden(client: Any) -> None:
    """A writer that took its number before DELETE /changes and writes after it: hidden from
    every read, ``last`` included."""
    from chalicelib import bootstrap
    from chalicelib.dicom.identifiers import Level
    from chalicelib.services.changes.feed import change_fields
    from chalicelib.storage.logs import Entry

    log = bootstrap.changes_log()
    seq = log.allocate(1)
    assert client.http.delete("/changes").status_code == 200
    fields = change_fields("NewPatient", Level.PATIENT, "p", "20240101T000000")
    assert log.append([Entry(seq, fields, "p")], "late-writer")
    assert get(client, "/changes") == {"Changes": [], "Done": True, "Last": seq}
    assert get(client, "/changes?last") == {"Changes": [], "Done": True, "Last": seq}


# -- 2. CompletedSeries -------------------------------------------------------------------------


def _of_two(number: int, sop: str = "") -> bytes:
    """Instance ``number`` of a series that expects two (CardiacNumberOfImages)."""
    return make_instance(
        "P1",
        study_uid="5",
        series_uid="5.1",
        sop_uid=sop or f"5.1.{number}",
        instance_number=number,
        CardiacNumberOfImages=2,
    )


def test_completed_series_after_the_instance_that_completes_it(client: Any, feed: Any) -> None:
    """Both arrivals in one batch: the first one does not complete the series (the second
    comes later in the batch), the second does; replaying the stream adds nothing."""
    first = upload(client, _of_two(1))
    second = upload(client, _of_two(2))
    feed.pump()
    expected = [
        ("NewInstance", first["ID"]),
        ("NewSeries", first["ParentSeries"]),
        ("NewStudy", first["ParentStudy"]),
        ("NewPatient", first["ParentPatient"]),
        ("NewInstance", second["ID"]),
        ("CompletedSeries", first["ParentSeries"]),
    ]
    assert _log(client) == expected
    _deliver(_stream_records())  # every record again, as a retried batch would
    assert _log(client) == expected
    assert get(client, f"/series/{first['ParentSeries']}")["Status"] == "Complete"


def test_completed_series_once_when_two_batches_see_it_complete(client: Any) -> None:
    """Each arrival in its own batch, both processed after both were stored: both see the
    series complete with the same two files; it is logged once, as Orthanc logs it once."""
    first = upload(client, _of_two(1))
    upload(client, _of_two(2))
    records = _stream_records()
    cut = next(i for i, r in enumerate(records) if _pk(r) == first["ID"]) + 1
    _deliver(records[:cut])
    _deliver(records[cut:])
    assert [t for t, _ in _log(client)].count("CompletedSeries") == 1


def test_completed_series_again_for_new_files_and_never_on_deletes(client: Any, feed: Any) -> None:
    """An extra instance makes the series inconsistent (nothing logged), deleting it makes it
    complete again (nothing logged: Orthanc decides on arrivals only), storing a deleted
    instance again completes it anew (logged again), and deleting the series forgets it."""
    upload(client, _of_two(1))
    second = upload(client, _of_two(2))
    feed.pump()
    extra = upload(client, _of_two(3))
    feed.pump()
    assert client.http.delete(f"/instances/{extra['ID']}").status_code == 200
    feed.pump()
    assert [t for t, _ in _log(client)].count("CompletedSeries") == 1
    assert client.http.delete(f"/instances/{second['ID']}").status_code == 200
    upload(client, _of_two(2))
    feed.pump()
    assert [t for t, _ in _log(client)][-2:] == ["NewInstance", "CompletedSeries"]
    assert [t for t, _ in _log(client)].count("CompletedSeries") == 2
    assert client.http.delete(f"/series/{second['ParentSeries']}").status_code == 200
    feed.pump()
    assert _log(client) == EMPTY_TYPES


def test_completed_series_counts_with_the_arriving_instance(client: Any, feed: Any) -> None:
    """The count read from the arriving file decides, not the series' (Orthanc 1.10.1): a
    series created without a count is completed by an instance that carries one, and an
    instance without a count completes nothing."""
    series = {"study_uid": "6", "series_uid": "6.1"}
    upload(client, make_instance("P1", sop_uid="6.1.1", instance_number=1, **series))
    answer = upload(
        client,
        make_instance("P1", sop_uid="6.1.2", instance_number=2, CardiacNumberOfImages=2, **series),
    )
    feed.pump()
    assert get(client, f"/series/{answer['ParentSeries']}")["Status"] == "Unknown"
    assert _log(client)[-1] == ("CompletedSeries", answer["ParentSeries"])


def _next_second() -> None:
    """Wait until the wall clock's second changes (LastUpdate has whole seconds)."""
    start = int(time.time())
    while int(time.time()) == start:
        time.sleep(0.01)


# -- 3. overwrites ------------------------------------------------------------------------------


def test_overwrite_of_a_lone_instance_logs_its_ancestors_again(
    client: Any, feed: Any, configure: Any
) -> None:
    """Orthanc deletes the old file with the ancestors it empties and stores the new one:
    their earlier entries go, NewInstance to NewPatient come again, and the three become
    unstable, then Stable* again."""
    from chalicelib import bootstrap
    from chalicelib.services.changes.stability import StabilityService

    configure(OverwriteInstances=True, StableAge=60)
    data = make_instance("P1", study_uid="7", series_uid="7.1", sop_uid="7.1.1")
    answer = upload(client, data)
    feed.pump()
    later = datetime.now(UTC) + timedelta(seconds=61)
    check = StabilityService(bootstrap.index(), bootstrap.changes_log(), 60, lambda: later)
    assert check.run() == 3
    first_seq = get(client, "/changes")["Last"]
    # In a later second than the first arrival, as any overwrite made after StableAge is
    # (the controlled clock declared the resources stable at once).
    _next_second()
    assert upload(client, data)["Status"] == "Success"
    feed.pump()
    new_entries = [
        ("NewInstance", answer["ID"]),
        ("NewSeries", answer["ParentSeries"]),
        ("NewStudy", answer["ParentStudy"]),
        ("NewPatient", answer["ParentPatient"]),
    ]
    assert _log(client) == new_entries
    assert get(client, "/changes")["Changes"][0]["Seq"] > first_seq
    assert get(client, f"/studies/{answer['ParentStudy']}")["IsStable"] is False
    much_later = datetime.now(UTC) + timedelta(seconds=61)
    check = StabilityService(bootstrap.index(), bootstrap.changes_log(), 60, lambda: much_later)
    assert check.run() == 3
    assert _log(client) == [
        *new_entries,
        ("StableSeries", answer["ParentSeries"]),
        ("StableStudy", answer["ParentStudy"]),
        ("StablePatient", answer["ParentPatient"]),
    ]
    assert get(client, f"/studies/{answer['ParentStudy']}")["IsStable"] is True


def test_overwrite_in_a_shared_series_logs_the_instance_only(
    client: Any, feed: Any, configure: Any
) -> None:
    configure(OverwriteInstances=True, StableAge=3600)
    kept = upload(client, make_instance("P1", study_uid="8", series_uid="8.1", sop_uid="8.1.1"))
    data = make_instance("P1", study_uid="8", series_uid="8.1", sop_uid="8.1.2")
    overwritten = upload(client, data)
    feed.pump()
    upload(client, data)
    feed.pump()
    assert _log(client) == [
        ("NewInstance", kept["ID"]),
        ("NewSeries", kept["ParentSeries"]),
        ("NewStudy", kept["ParentStudy"]),
        ("NewPatient", kept["ParentPatient"]),
        ("NewInstance", overwritten["ID"]),
    ]
    body = json.loads(client.http.get(f"/series/{kept['ParentSeries']}").body)
    assert body["IsStable"] is False
