"""The orphan sweep (chalicelib/services/resources/sweeper.py, the scheduled
``app.orphan_sweeper``): objects that no index record names, left by a process killed between
its S3 write and its index write or by a failed deletion of a replaced object, are deleted
once older than the grace period, and only those.

Ages: the sweeper's clock is injected (its public ``clock``); where an object must look
older than the real time of its write, moto's own clock stamps its LastModified earlier.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.integration.helpers import get, upload
from tests.support.dicom_factory import make_instance


class _Killed(Exception):
    """The process died here: nothing after this point runs, not even cleanups."""


def _die(*_: Any, **__: Any) -> None:
    raise _Killed()


def _s3_fails(*_: Any, **__: Any) -> None:
    raise ClientError({"Error": {"Code": "InternalError"}}, "DeleteObjects")


@contextmanager
def _killed_at(monkeypatch: pytest.MonkeyPatch, cls: type, method: str) -> Iterator[None]:
    """The process dies at ``cls.method`` (after the S3 write that precedes it), so its
    ``finally`` cannot delete the object it wrote either."""
    from chalicelib.storage.blobs import BlobStore

    with monkeypatch.context() as patch:
        patch.setattr(cls, method, _die)
        patch.setattr(BlobStore, "delete", _die)
        yield


@contextmanager
def _s3_time(monkeypatch: pytest.MonkeyPatch, when: datetime) -> Iterator[None]:
    """Objects written here get ``when`` as their LastModified (moto's clock)."""
    import moto.s3.models

    with monkeypatch.context() as patch:
        patch.setattr(moto.s3.models, "utcnow", lambda: when.astimezone(UTC).replace(tzinfo=None))
        yield


def _objects() -> dict[str, int]:
    """Every object of the indexed prefixes, with its size."""
    from chalicelib.storage import aws
    from chalicelib.storage.blobs import INDEXED_PREFIXES
    from chalicelib.storage.schema import bucket_name

    found: dict[str, int] = {}
    for prefix in INDEXED_PREFIXES:
        answer = aws.client("s3").list_objects_v2(Bucket=bucket_name("dicom"), Prefix=prefix)
        assert not answer["IsTruncated"]
        found.update({o["Key"]: o["Size"] for o in answer.get("Contents", [])})
    return found


def _sweep_at(when: datetime) -> None:
    """The scheduled function, run with the sweeper's clock at ``when``."""
    import app
    from chalicelib import bootstrap
    from local_stack.feed import scheduled_event

    bootstrap.orphan_sweeper().clock = lambda: when
    app.orphan_sweeper(scheduled_event("orphan_sweeper"), None)


def _stored(client: Any) -> tuple[dict[str, Any], str]:
    """An instance with a user attachment: its IDs and its attachment's object key."""
    ids = upload(client, make_instance("KEPT"))
    response = client.http.put(f"/instances/{ids['ID']}/attachments/1025", body=b"attached")
    assert response.status_code == 200, response.body
    [attachment] = [k for k in _objects() if k.startswith(f"attachments/{ids['ID']}/")]
    return ids, attachment


def test_an_upload_killed_before_its_index_write_is_swept_after_the_grace_period(
    client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from chalicelib.services.resources.sweeper import GRACE_PERIOD, PASS_INTERVAL
    from chalicelib.storage.index import ResourceIndex

    start = datetime.now(UTC)
    kept, attachment = _stored(client)
    kept_files = set(_objects())
    with _killed_at(monkeypatch, ResourceIndex, "insert"):
        crashed = client.http.post("/instances", body=make_instance("CRASHED"))
    assert crashed.status_code == 500
    [orphan] = set(_objects()) - kept_files
    assert orphan.startswith("dicom/")
    assert len(get(client, "/instances")) == 1

    # Within the grace period the object may be a writer's that is still running.
    _sweep_at(start + GRACE_PERIOD - timedelta(minutes=5))
    assert orphan in _objects()
    statistics = get(client, "/statistics")
    assert statistics["CountInstances"] == 1
    assert sum(_objects().values()) > int(statistics["TotalDiskSize"])

    # The next pass, with every object older than the grace period.
    _sweep_at(start + GRACE_PERIOD + PASS_INTERVAL)
    objects = _objects()
    assert set(objects) == kept_files
    assert attachment in objects
    assert get(client, f"/instances/{kept['ID']}/attachments/1025/data").body == b"attached"
    assert client.http.get(f"/instances/{kept['ID']}/file").status_code == 200
    # The statistics (counted from the index) and the bucket agree again.
    statistics = get(client, "/statistics")
    files = [k for k in objects if k.startswith("dicom/")]
    assert statistics["CountInstances"] == len(files) == 1
    assert int(statistics["TotalDiskSize"]) == sum(objects.values())


def test_replaced_objects_whose_deletion_failed_are_swept_and_fresh_ones_kept(
    client: Any, configure: Callable[..., None], monkeypatch: pytest.MonkeyPatch
) -> None:
    """An attachment and a file replaced while S3 refused to delete the old objects leave
    them behind; the objects the index names stay, and so does one written a few minutes
    ago by a writer still running."""
    from chalicelib import bootstrap
    from chalicelib.services.resources.sweeper import GRACE_PERIOD
    from chalicelib.storage.blobs import BlobStore, blob_key

    configure(OverwriteInstances=True)
    now = datetime.now(UTC)
    data = make_instance("REPLACED")
    with _s3_time(monkeypatch, now - GRACE_PERIOD - timedelta(minutes=1)):
        kept, old_attachment = _stored(client)
        replaced = upload(client, data)
        [old_file] = [k for k in _objects() if k.startswith(f"dicom/{replaced['ID']}/")]
        with monkeypatch.context() as patch:
            patch.setattr(BlobStore, "delete", _s3_fails)
            # The index names the new objects before the old ones are deleted (whether the
            # request then answers an error is another matter): checked below.
            client.http.put(f"/instances/{kept['ID']}/attachments/1025", body=b"new")
            client.http.post("/instances", body=data)
    left_behind = {old_attachment, old_file}
    assert left_behind <= set(_objects())
    in_flight = blob_key(kept["ID"], "in-flight")
    with _s3_time(monkeypatch, now - timedelta(minutes=10)):
        bootstrap.blobs().put(in_flight, b"DICM")

    _sweep_at(now)

    remaining = _objects()
    assert left_behind.isdisjoint(remaining)
    assert in_flight in remaining
    assert get(client, f"/instances/{kept['ID']}/attachments/1025/data").body == b"new"
    assert client.http.get(f"/instances/{replaced['ID']}/file").body == data
    indexed = {k: size for k, size in remaining.items() if k != in_flight}
    statistics = get(client, "/statistics")
    assert statistics["CountInstances"] == len([k for k in indexed if k.startswith("dicom/")])
    assert int(statistics["TotalDiskSize"]) == sum(indexed.values())


def _sweeper(page_size: int, clock: Callable[[], datetime]) -> Any:
    """A sweeper of the app's bucket and index with small pages."""
    from chalicelib import bootstrap
    from chalicelib.services.resources.sweeper import OrphanSweeper
    from chalicelib.storage import aws
    from chalicelib.storage.progress import ProgressStore
    from chalicelib.storage.schema import table_name

    progress = ProgressStore(aws.client("dynamodb"), table_name("remotes"))
    return OrphanSweeper(
        bootstrap.index(), bootstrap.blobs(), progress, page_size=page_size, clock=clock
    )


def _orphans(count: int, prefix: str) -> list[str]:
    from chalicelib import bootstrap

    keys = [f"{prefix}{n:040x}/{n}" for n in range(count)]
    for key in keys:
        bootstrap.blobs().put(key, b"orphan")
    return keys


def test_an_interrupted_sweep_resumes_from_its_position(
    aws: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from chalicelib.services.resources.sweeper import GRACE_PERIOD, SAFETY_MARGIN
    from chalicelib.storage.blobs import BlobStore

    files = _orphans(5, "dicom/")
    attachments = _orphans(3, "attachments/")
    later = datetime.now(UTC) + GRACE_PERIOD
    sweeper = _sweeper(2, lambda: later)
    listings: list[str] = []
    real_list = BlobStore.list_page

    def listing(self: BlobStore, prefix: str, start_after: str = "", limit: int = 1000) -> Any:
        listings.append(start_after)
        return real_list(self, prefix, start_after, limit)

    monkeypatch.setattr(BlobStore, "list_page", listing)
    real_delete = BlobStore.delete
    deletes = {"n": 0}

    def dying_delete(self: BlobStore, keys: Any) -> None:
        deletes["n"] += 1
        if deletes["n"] == 2:
            raise _Killed()
        real_delete(self, keys)

    # Killed during its second page: the first is done and its position saved.
    with monkeypatch.context() as patch:
        patch.setattr(BlobStore, "delete", dying_delete)
        with pytest.raises(_Killed):
            sweeper.run()
    assert set(_objects()) == set(attachments[2:] + files)
    assert listings == ["", attachments[1]]

    # The next run, with no time to spare, sweeps one page from there.
    report = sweeper.run(seconds_left=SAFETY_MARGIN)
    assert listings[2:] == [attachments[1]]
    assert report.deleted == attachments[2:] and not report.finished
    assert set(_objects()) == set(files)

    # Then the rest, up to the end of the pass.
    report = sweeper.run()
    assert report.deleted == files and report.finished
    assert _objects() == {}
    assert listings[3:] == ["", files[1], files[3]]

    # The pass is over: the next run reads its position and lists nothing.
    assert sweeper.run().listed == 0
    assert len(listings) == 6


def test_an_index_write_landing_after_the_listing_keeps_its_object(
    client: Any, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A writer stalled beyond the grace period between its S3 write and its index write:
    when its index write lands after the listing, the consistent read sees it and the object
    stays; when it lands between that read and the delete, the re-check names the object."""
    from chalicelib import bootstrap
    from chalicelib.services.resources.ingest import Origin
    from chalicelib.services.resources.sweeper import GRACE_PERIOD
    from chalicelib.storage.blobs import BlobStore
    from chalicelib.storage.index import ResourceIndex

    now = datetime.now(UTC)
    real_insert = ResourceIndex.insert

    def stalled_upload(patient: str) -> tuple[threading.Event, threading.Thread]:
        """An upload written to S3 long ago whose index write waits for ``go``."""
        go = threading.Event()

        def insert(self: ResourceIndex, *args: Any, **kwargs: Any) -> Any:
            assert go.wait(10)
            return real_insert(self, *args, **kwargs)

        monkeypatch.setattr(ResourceIndex, "insert", insert)
        with _s3_time(monkeypatch, now - 2 * GRACE_PERIOD):
            wrote = threading.Event()
            real_put = BlobStore.put

            def put(self: BlobStore, *args: Any, **kwargs: Any) -> None:
                real_put(self, *args, **kwargs)
                wrote.set()

            monkeypatch.setattr(BlobStore, "put", put)
            writer = threading.Thread(
                target=bootstrap.ingest().store, args=(make_instance(patient), Origin())
            )
            writer.start()
            assert wrote.wait(10)
        monkeypatch.setattr(BlobStore, "put", real_put)
        return go, writer

    go, writer = stalled_upload("LANDS-AFTER-LISTING")
    real_list = BlobStore.list_page

    def listing_then_landing(self: BlobStore, *args: Any, **kwargs: Any) -> Any:
        answer = real_list(self, *args, **kwargs)
        go.set()
        writer.join(10)
        return answer

    with monkeypatch.context() as patch:
        patch.setattr(BlobStore, "list_page", listing_then_landing)
        report = _sweeper(1000, lambda: now).run()
    assert report.listed == 1 and report.deleted == []
    [instance] = get(client, "/instances")
    assert client.http.get(f"/instances/{instance}/file").status_code == 200

    go, writer = stalled_upload("LANDS-BEFORE-DELETE")
    real_delete = BlobStore.delete

    def landing_then_delete(self: BlobStore, keys: Any) -> None:
        go.set()
        writer.join(10)
        real_delete(self, keys)

    with monkeypatch.context() as patch:
        patch.setattr(BlobStore, "delete", landing_then_delete)
        report = _sweeper(1000, lambda: now + timedelta(days=2)).run()
    assert len(report.deleted) == 1
    assert report.late == report.deleted
    assert report.late[0] in caplog.text


def test_a_run_overtaken_by_another_stops_without_moving_the_position_back(
    aws: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two runs at once (a retried invocation beside the next one): the one whose position
    write comes second stops, and the pass the other finished stays finished."""
    from chalicelib.storage.blobs import BlobStore

    _orphans(3, "dicom/")  # young: listed, never deleted
    now = datetime.now(UTC)
    first, second = _sweeper(1, lambda: now), _sweeper(1, lambda: now)
    real_list = BlobStore.list_page
    overtaken: list[Any] = []

    def listing(self: BlobStore, *args: Any, **kwargs: Any) -> Any:
        if not overtaken:
            overtaken.append(None)
            overtaken.append(second.run())
        return real_list(self, *args, **kwargs)

    monkeypatch.setattr(BlobStore, "list_page", listing)
    report = first.run()
    assert overtaken[1].finished and overtaken[1].listed == 3
    assert not report.finished
    assert _sweeper(1, lambda: now).run().listed == 0
