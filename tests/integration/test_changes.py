"""The changes log fed by the index table's stream: replays, overwrites, parents' LastUpdate,
stability with a controlled clock, and /exports (the Orthanc comparisons are in
tests/interop/test_find_vs_orthanc.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from unittest.mock import Mock

import pytest

from tests.integration.helpers import assert_orthanc_error, get, upload
from tests.support.dicom_factory import make_instance


def _types(client: Any, query: str = "") -> list[tuple[str, int]]:
    return [(c["ChangeType"], c["Seq"]) for c in get(client, f"/changes{query}")["Changes"]]


def _stream_pump(start: str) -> Any:
    from app import index_stream
    from chalicelib.storage import aws
    from chalicelib.storage.schema import table_name
    from local_stack.feed import StreamPump

    client = aws.client("dynamodb")
    streams = aws.client("dynamodbstreams")
    return StreamPump(client, streams, table_name("index"), index_stream, start=start)


def test_replayed_stream_records_are_logged_once(client: Any, feed: Any) -> None:
    upload(client, make_instance("P1", study_uid="1", series_uid="1.1", sop_uid="1.1.1"))
    upload(client, make_instance("P1", study_uid="1", series_uid="1.1", sop_uid="1.1.2"))
    assert feed.pump() > 0
    first = _types(client)
    assert [t for t, _ in first] == [
        "NewInstance",
        "NewSeries",
        "NewStudy",
        "NewPatient",
        "NewInstance",
    ]
    # Another consumer reading the whole stream again, as a retried Lambda batch would.
    assert _stream_pump("TRIM_HORIZON").pump() > 0
    assert _types(client) == first


def test_failed_batch_is_retried_from_its_first_record(client: Any, feed: Any, monkeypatch) -> None:
    from chalicelib import bootstrap

    upload(client, make_instance("P1", sop_uid="2.1"))
    original = bootstrap.change_feed().handle
    monkeypatch.setattr(bootstrap.change_feed(), "handle", lambda records: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        feed.pump()
    monkeypatch.setattr(bootstrap.change_feed(), "handle", original)
    feed.pump()
    assert [t for t, _ in _types(client)] == ["NewInstance", "NewSeries", "NewStudy", "NewPatient"]


def test_a_failing_record_is_retried_alone_from_where_it_failed(
    client: Any, feed: Any, monkeypatch
) -> None:
    """Lambda's partial batch response: the records before the failure stay logged once,
    the failed one and those after it are delivered again. (The batch's arrivals are first
    tried in one transaction; here that one is refused, as when a condition fails in it,
    so each is written alone.)"""
    from chalicelib import bootstrap

    first = upload(client, make_instance("P1", study_uid="4", series_uid="4.1", sop_uid="4.1.1"))
    second = upload(client, make_instance("P1", study_uid="4", series_uid="4.1", sop_uid="4.1.2"))
    changes = bootstrap.change_feed()._changes
    append = changes.append

    def flaky_append(entries: list[Any], event_key: str | None = None, guards: Any = ()) -> bool:
        if entries[0].resource_id == second["ID"]:
            raise TimeoutError("throttled")
        return append(entries, event_key, guards)

    monkeypatch.setattr(changes, "append_together", lambda appends: False)
    monkeypatch.setattr(changes, "append", flaky_append)
    feed.pump()
    logged = get(client, "/changes")["Changes"]
    assert [(c["ChangeType"], c["ID"]) for c in logged] == [
        ("NewInstance", first["ID"]),
        ("NewSeries", first["ParentSeries"]),
        ("NewStudy", first["ParentStudy"]),
        ("NewPatient", first["ParentPatient"]),
    ]
    monkeypatch.setattr(changes, "append", append)
    assert feed.pump() > 0
    changes_now = get(client, "/changes")["Changes"]
    assert [(c["ChangeType"], c["ID"]) for c in changes_now[4:]] == [("NewInstance", second["ID"])]
    # Each change once, numbers increasing (the ones reserved for the failed try are skipped).
    seqs = [c["Seq"] for c in changes_now]
    assert seqs == sorted(set(seqs))


def test_a_batch_of_arrivals_is_logged_in_one_transaction(
    client: Any, feed: Any, monkeypatch
) -> None:
    """The arrivals of one stream batch are logged together; if that transaction fails
    (throttled), nothing of it is logged and the batch is retried from its first arrival."""
    from chalicelib import bootstrap
    from tests.integration.helpers import aws_requests

    ids = [
        upload(client, make_instance("P1", study_uid="5", series_uid="5.1", sop_uid=f"5.1.{n}"))
        for n in range(5)
    ]
    changes = bootstrap.change_feed()._changes
    append_together = changes.append_together
    monkeypatch.setattr(changes, "append_together", Mock(side_effect=TimeoutError("throttled")))
    feed.pump()
    assert get(client, "/changes")["Changes"] == []

    monkeypatch.setattr(changes, "append_together", append_together)
    with aws_requests() as calls:
        assert feed.pump() > 0
    logged = [(c["ChangeType"], c["ID"]) for c in get(client, "/changes")["Changes"]]
    assert logged[:4] == [
        ("NewInstance", ids[0]["ID"]),
        ("NewSeries", ids[0]["ParentSeries"]),
        ("NewStudy", ids[0]["ParentStudy"]),
        ("NewPatient", ids[0]["ParentPatient"]),
    ]
    assert logged[4:] == [("NewInstance", i["ID"]) for i in ids[1:]]
    assert calls["TransactWriteItems"] == 1  # 5 arrivals, 8 entries: one transaction


def test_a_deleted_instance_drops_only_its_own_entries_from_a_shared_transaction(
    client: Any, feed: Any
) -> None:
    """A guard failing in the batch's transaction (an instance deleted before the feed ran)
    makes each arrival be written alone: the others are logged, the deleted one is not."""
    kept = upload(client, make_instance("P1", study_uid="6", series_uid="6.1", sop_uid="6.1.1"))
    gone = upload(client, make_instance("P1", study_uid="6", series_uid="6.1", sop_uid="6.1.2"))
    also = upload(client, make_instance("P1", study_uid="6", series_uid="6.1", sop_uid="6.1.3"))
    assert client.http.delete(f"/instances/{gone['ID']}").status_code == 200
    feed.pump()
    logged = [(c["ChangeType"], c["ID"]) for c in get(client, "/changes")["Changes"]]
    assert ("NewInstance", kept["ID"]) in logged
    assert ("NewInstance", also["ID"]) in logged
    assert all(resource != gone["ID"] for _, resource in logged)


def test_an_instance_and_its_metadata_in_one_batch(client: Any, feed: Any) -> None:
    """The arrival and a metadata change of the same instance guard the same record, which
    DynamoDB refuses twice in one transaction: they are written in two."""
    stored = upload(client, make_instance("P1", study_uid="7", series_uid="7.1", sop_uid="7.1.1"))
    path = f"/instances/{stored['ID']}/metadata/1024"
    assert client.http.put(path, body=b"note").status_code == 200
    feed.pump()
    logged = [(c["ChangeType"], c["ID"]) for c in get(client, "/changes")["Changes"]]
    assert logged[0] == ("NewInstance", stored["ID"])
    assert logged[-1] == ("UpdatedMetadata", stored["ID"])


def test_new_instance_refreshes_parents(client: Any, feed: Any, configure: Any) -> None:
    configure(OverwriteInstances=True)
    first = upload(client, make_instance("P1", study_uid="3", series_uid="3.1", sop_uid="3.1.1"))
    feed.pump()
    from chalicelib import bootstrap

    index = bootstrap.index()
    series = first["ParentSeries"]
    # Make the series look stable and old, then add an instance to it.
    for resource_id in (series, first["ParentStudy"], first["ParentPatient"]):
        index.mark_stable(resource_id, index.get(resource_id).last_update)
    index._client.update_item(  # an old LastUpdate, as if received long ago
        TableName=index._table,
        Key={"pk": {"S": series}, "sk": {"S": "R"}},
        UpdateExpression="SET LastUpdate = :t",
        ExpressionAttributeValues={":t": {"S": "20200101T000000"}},
    )
    assert get(client, f"/series/{series}")["IsStable"] is True
    upload(client, make_instance("P1", study_uid="3", series_uid="3.1", sop_uid="3.1.2"))
    feed.pump()
    answer = get(client, f"/series/{series}")
    assert answer["IsStable"] is False
    assert answer["LastUpdate"] > "20200101T000000"
    # Overwriting a stored instance logs it again, once.
    upload(client, make_instance("P1", study_uid="3", series_uid="3.1", sop_uid="3.1.2"))
    feed.pump()
    types = [t for t, _ in _types(client)]
    assert types == ["NewInstance", "NewSeries", "NewStudy", "NewPatient", "NewInstance"]


def test_stability_waits_for_stable_age(client: Any, feed: Any, configure: Any) -> None:
    from chalicelib import bootstrap
    from chalicelib.services.changes.stability import StabilityService

    configure(StableAge=60)
    answer = upload(client, make_instance("P1", sop_uid="4.1"))
    feed.pump()
    now = datetime.now(UTC)
    soon = StabilityService(bootstrap.index(), bootstrap.changes_log(), 60, lambda: now)
    assert soon.run() == 0
    later = StabilityService(
        bootstrap.index(), bootstrap.changes_log(), 60, lambda: now + timedelta(seconds=61)
    )
    assert later.run() == 3
    assert [t for t, _ in _types(client)][-3:] == ["StableSeries", "StableStudy", "StablePatient"]
    assert get(client, f"/patients/{answer['ParentPatient']}")["IsStable"] is True
    assert later.run() == 0


def test_changes_paging_and_bad_parameters(client: Any, feed: Any) -> None:
    upload(client, make_instance("P1", sop_uid="5.1"))
    feed.pump()
    page = get(client, "/changes?since=1&limit=2")
    assert [c["Seq"] for c in page["Changes"]] == [2, 3]
    assert (page["Done"], page["Last"]) == (False, 3)
    assert get(client, "/changes?limit=0") == {"Changes": [], "Done": False, "Last": 4}
    assert get(client, "/changes?since=4") == {"Changes": [], "Done": True, "Last": 4}
    assert_orthanc_error(client.http.get("/changes?limit=abc"), 400, 3, "GET")


def test_exports_log_starts_empty(client: Any) -> None:
    assert get(client, "/exports") == {"Exports": [], "Done": True, "Last": 0}
    assert client.http.delete("/exports").status_code == 200


def test_gaps_in_numbers_do_not_hide_entries(client: Any, feed: Any) -> None:
    """Numbers handed out to a batch that never committed leave a gap; paging goes across."""
    from chalicelib import bootstrap

    upload(client, make_instance("P1", sop_uid="6.1"))
    feed.pump()
    bootstrap.changes_log().allocate(1500)  # a lost batch, spanning a whole block
    upload(client, make_instance("P2", sop_uid="6.2"))
    feed.pump()
    page = get(client, "/changes?limit=4")
    assert [c["Seq"] for c in page["Changes"]] == [1, 2, 3, 4]
    assert (page["Done"], page["Last"]) == (False, 4)
    page = get(client, f"/changes?since={page['Last']}&limit=10")
    assert [c["Seq"] for c in page["Changes"]] == [1505, 1506, 1507, 1508]
    assert (page["Done"], page["Last"]) == (True, 1508)
    assert get(client, "/changes?last")["Last"] == 1508


def test_feed_reopens_its_shard_when_the_iterator_expired(
    client: Any, feed: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """AWS expires a shard iterator 15 minutes after handing it out, and so does the emulator
    (local_stack.moto_streams): a stack suspended that long must resume after the last record
    it delivered, neither missing what was written meanwhile nor logging anything twice."""
    import time

    from local_stack import moto_streams

    upload(client, make_instance("P1", study_uid="1", series_uid="1.1", sop_uid="1.1.1"))
    assert feed.pump() > 0
    later = time.time() + moto_streams.ITERATOR_LIFETIME + 1
    monkeypatch.setattr(moto_streams.time, "time", lambda: later)
    upload(client, make_instance("P1", study_uid="1", series_uid="1.1", sop_uid="1.1.2"))
    assert feed.pump() > 0
    assert [t for t, _ in _types(client)] == [
        "NewInstance",
        "NewSeries",
        "NewStudy",
        "NewPatient",
        "NewInstance",
    ]


def test_a_partial_batch_is_not_followed_at_once(client: Any, feed: Any) -> None:
    """The local feed's batching window: a poll reads full batches until one is not full,
    and does not read again at once for what arrived meanwhile (Lambda's poller waits its
    batching window), so each poll is one GetRecords per shard while records trickle in."""
    from tests.integration.helpers import aws_requests

    upload(client, make_instance("P1", study_uid="8", series_uid="8.1", sop_uid="8.1.1"))
    with aws_requests(services=("dynamodbstreams",)) as calls:
        delivered = feed.pump()
    assert 0 < delivered < 100
    assert calls["GetRecords"] == 1
    for number in range(2, 40):  # more than a batch of records (several per instance)
        upload(
            client, make_instance("P1", study_uid="8", series_uid="8.1", sop_uid=f"8.1.{number}")
        )
    with aws_requests(services=("dynamodbstreams",)) as calls:
        delivered = feed.pump()
    assert delivered > 100
    # The full batches, then the partial one (or an empty read after the last full one).
    assert calls["GetRecords"] == delivered // 100 + 1
    assert len(get(client, "/changes?limit=100")["Changes"]) == 4 + 38


def test_touch_tells_whether_the_resource_was_stable(client: Any, feed: Any) -> None:
    """The feed's touch of an ancestor says whether it was stable until then (the series'
    DICOMweb metadata document exists only then); a replay of the same touch says it cannot
    tell, while another arrival in the same second reads the record as it stands."""
    from chalicelib import bootstrap

    stored = upload(client, make_instance("P1", study_uid="9", series_uid="9.1", sop_uid="9.1.1"))
    feed.pump()
    index = bootstrap.index()
    series = stored["ParentSeries"]
    record = index.get(series)
    assert record is not None and record.unstable
    later = "29991231T235959"
    assert index.touch(series, later, "file-a") is False  # unstable since its creation
    assert index.touch(series, later, "file-a") is None  # the same touch again: a replay
    assert index.touch(series, later, "file-b") is False  # same second, another file
    assert index.mark_stable(series, later)
    assert index.touch(series, later, "file-c") is True  # ignored (not later), stable now
    assert index.touch(series, later + "9", "file-c") is True  # stable until this touch
    assert index.touch("no-such-resource", later, "file-a") is None
