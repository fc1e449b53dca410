"""Differential tests of UpdatedMetadata and UpdatedAttachment in the changes log against
Orthanc 1.10.1: the same writes of user metadata and attachments (and of what Orthanc logs
nothing for) on both, the same /changes after each. Cirrus derives these entries from the
MODIFY records of the index stream, pumped (``feed.pump()``) where Lambda would run.

Each test starts its own Orthanc (it changes what it stores) with the same ``UserMetadata``
and ``UserContentType`` as Cirrus. ``Date`` is left aside (the times differ); everything else,
``Seq``, ``Last`` and ``Done`` included, is compared.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from typing import Any

import pytest

from tests.conftest import chalice_client
from tests.support.dicom_factory import make_instance
from tests.support.orthanc_server import OrthancServer

OPTIONS = {
    "UserMetadata": {"Note": 1024, "Reviewer": 1100},
    "UserContentType": {"report": [1025, "application/pdf"], "raw": 1026},
    "StableAge": 3600,
}


class Both:
    """The same request to Orthanc and to Cirrus; each answer's status must match."""

    def __init__(self, orthanc: OrthancServer, cirrus: Any, feed: Any) -> None:
        self.orthanc, self.cirrus, self.feed = orthanc, cirrus, feed

    def send(
        self, method: str, path: str, data: bytes = b"", status: int = 200, pump: bool = True
    ) -> None:
        """``pump``: deliver the stream records at once (else with the next ones)."""
        theirs = self.orthanc.session.request(
            method, self.orthanc.url + path, data=data, timeout=30
        )
        ours = getattr(self.cirrus.http, method.lower())(path, body=data)
        assert theirs.status_code == ours.status_code == status, (method, path, ours.body)
        if pump:
            self.feed.pump()

    def changes(self, query: str = "since=0&limit=1000") -> dict[str, Any]:
        """``/changes`` answers the same on both (Date aside; Stable* entries, which Orthanc
        declares in its timer's order, as a multiset); returns ours."""
        theirs = self.orthanc.get_json(f"/changes?{query}")
        answer = self.cirrus.http.get(f"/changes?{query}")
        assert answer.status_code == 200
        ours = json.loads(answer.body)
        assert _comparable(ours) == _comparable(theirs), (ours, theirs)
        return ours

    def upload(self, data: bytes) -> dict[str, Any]:
        theirs = self.orthanc.upload(data)
        answer = self.cirrus.http.post("/instances", body=data)
        assert answer.status_code == 200
        ours = json.loads(answer.body)
        assert ours["ID"] == theirs["ID"]
        self.feed.pump()
        return ours


def _comparable(answer: dict[str, Any]) -> Any:
    entries = [
        (c["Seq"], c["ChangeType"], c["ResourceType"], c["ID"], c["Path"])
        for c in answer["Changes"]
    ]
    others = [e for e in entries if not e[1].startswith("Stable")]
    stable = Counter(e[1:] for e in entries if e[1].startswith("Stable"))
    return others, stable, answer["Done"], answer["Last"]


def _types(answer: dict[str, Any]) -> list[tuple[str, str]]:
    return [(c["ChangeType"], c["ResourceType"]) for c in answer["Changes"]]


def _replay_whole_stream() -> None:
    """Another consumer reading the index stream from its start, as a retried Lambda batch
    would deliver records already logged."""
    from app import index_stream
    from chalicelib.storage import aws
    from chalicelib.storage.schema import table_name
    from local_stack.feed import StreamPump

    dynamodb, streams = aws.client("dynamodb"), aws.client("dynamodbstreams")
    assert StreamPump(dynamodb, streams, table_name("index"), index_stream, "TRIM_HORIZON").pump()


def test_user_metadata_writes_are_logged_like_orthanc(feed: Any, configure: Any) -> None:
    """Each PUT (a new value, the same value again, by name or by an undeclared number) and
    each DELETE of user metadata is one UpdatedMetadata at the resource's level; a refused
    write (built-in metadata, a DELETE of nothing) and a protection change log nothing."""
    configure(**OPTIONS)
    with OrthancServer(OPTIONS) as orthanc, chalice_client() as cirrus:
        both = Both(orthanc, cirrus, feed)
        instance = both.upload(make_instance("UM", study_uid="7", sop_uid="7.1.1"))
        study, patient = instance["ParentStudy"], instance["ParentPatient"]
        path = f"/instances/{instance['ID']}/metadata"
        both.send("PUT", f"{path}/Note", b"first")
        both.send("PUT", f"{path}/Note", b"first")
        both.send("PUT", f"/studies/{study}/metadata/Reviewer", b"someone")
        both.send("PUT", f"/patients/{patient}/metadata/1500", b"by number")
        both.send("PUT", f"{path}/ModifiedFrom", b"no", status=403)
        both.send("PUT", f"/patients/{patient}/protected", b"1")
        both.send("DELETE", f"{path}/Note")
        both.send("DELETE", f"{path}/Note", status=404)
        answer = both.changes()
        assert _types(answer)[4:] == [
            ("UpdatedMetadata", "Instance"),
            ("UpdatedMetadata", "Instance"),
            ("UpdatedMetadata", "Study"),
            ("UpdatedMetadata", "Patient"),
            ("UpdatedMetadata", "Instance"),
        ]
        both.changes("last")
        both.changes("since=5&limit=2")
        _replay_whole_stream()
        assert both.changes() == answer


def test_user_attachment_writes_are_logged_like_orthanc(
    feed: Any, configure: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A new attachment, its replacement and its deletion are each one UpdatedAttachment;
    a DELETE of a missing one and a PUT of the ``dicom`` one log nothing. Deleting an
    instance forgets its entries, the others stay. A record whose entry fails to be written
    is retried from there (the partial batch response) and logged once."""
    configure(**OPTIONS)
    with OrthancServer(OPTIONS) as orthanc, chalice_client() as cirrus:
        both = Both(orthanc, cirrus, feed)
        first = both.upload(make_instance("UA", study_uid="8", series_uid="8.1", sop_uid="8.1.1"))
        second = both.upload(make_instance("UA", study_uid="8", series_uid="8.1", sop_uid="8.1.2"))
        series = f"/series/{first['ParentSeries']}/attachments"
        both.send("PUT", f"{series}/report", b"%PDF one")
        both.send("PUT", f"{series}/report", b"%PDF two")
        both.send("PUT", f"/instances/{first['ID']}/attachments/raw", b"raw")
        both.send("PUT", f"/instances/{second['ID']}/attachments/1300", b"undeclared")
        both.send("PUT", f"/instances/{second['ID']}/metadata/Note", b"kept")
        both.send("DELETE", f"{series}/raw", status=404)
        both.send("PUT", f"/instances/{first['ID']}/attachments/dicom", b"x", status=403)
        both.send("DELETE", f"{series}/report")
        assert _types(both.changes())[5:] == [
            ("UpdatedAttachment", "Series"),
            ("UpdatedAttachment", "Series"),
            ("UpdatedAttachment", "Instance"),
            ("UpdatedAttachment", "Instance"),
            ("UpdatedMetadata", "Instance"),
            ("UpdatedAttachment", "Series"),
        ]
        both.send("DELETE", f"/instances/{first['ID']}")
        answer = both.changes()
        assert all(c["ID"] != first["ID"] for c in answer["Changes"])
        assert ("UpdatedMetadata", "Instance") in _types(answer)

        from chalicelib.storage.logs import SequencedLog

        real_append, failures = SequencedLog.append, []
        real_together = SequencedLog.append_together

        def throttled_once(self: SequencedLog, entries: Any, key: Any = None, *rest: Any) -> Any:
            if str(key).startswith("updated#") and not failures:
                failures.append(key)
                raise RuntimeError("throttled")
            return real_append(self, entries, key, *rest)

        def throttled_together(self: SequencedLog, appends: Any) -> Any:
            """The batch's entries written together (the two updates, here)."""
            keys = [str(append.event_key) for append in appends]
            if any(key.startswith("updated#") for key in keys) and not failures:
                failures.append(keys)
                raise RuntimeError("throttled")
            return real_together(self, appends)

        monkeypatch.setattr(SequencedLog, "append", throttled_once)
        monkeypatch.setattr(SequencedLog, "append_together", throttled_together)
        both.send("PUT", f"{series}/report", b"%PDF three", pump=False)
        both.send("PUT", f"/instances/{second['ID']}/metadata/Reviewer", b"r", pump=False)
        feed.pump()
        assert failures
        feed.pump()
        # The numbers the failed attempt took are not reused (a gap, as documented): the
        # entries are compared without them.
        theirs = orthanc.get_json("/changes?limit=1000")["Changes"]
        ours = json.loads(cirrus.http.get("/changes?limit=1000").body)["Changes"]
        assert [c["ID"] for c in ours] == [c["ID"] for c in theirs]
        assert _types({"Changes": ours}) == _types({"Changes": theirs})
        assert _types({"Changes": ours})[-2:] == [
            ("UpdatedAttachment", "Series"),
            ("UpdatedMetadata", "Instance"),
        ]


def test_metadata_writes_leave_a_stable_resource_stable(feed: Any, configure: Any) -> None:
    """Orthanc logs the change without marking the resource unstable or touching its
    LastUpdate; so does Cirrus, whose feed only refreshes the ancestors of new files."""
    from chalicelib import bootstrap

    options = {**OPTIONS, "StableAge": 1}
    configure(**options)
    with OrthancServer(options) as orthanc, chalice_client() as cirrus:
        both = Both(orthanc, cirrus, feed)
        instance = both.upload(make_instance("US", study_uid="9", sop_uid="9.1.1"))
        series = f"/series/{instance['ParentSeries']}"

        def states() -> list[tuple[bool, str]]:
            ours = json.loads(cirrus.http.get(series).body)
            theirs = orthanc.get_json(series)
            return [(s["IsStable"], s["LastUpdate"]) for s in (theirs, ours)]

        time.sleep(2.5)
        bootstrap.stability().run()
        before = states()
        assert [stable for stable, _ in before] == [True, True]
        both.send("PUT", f"{series}/metadata/Note", b"after")
        both.send("PUT", f"{series}/attachments/raw", b"after")
        time.sleep(2.5)
        feed.pump()
        bootstrap.stability().run()
        assert states() == before
        answer = both.changes()
        assert Counter(t for t, _ in _types(answer))["StableSeries"] == 1
        assert _types(answer)[-2:] == [
            ("UpdatedMetadata", "Series"),
            ("UpdatedAttachment", "Series"),
        ]
