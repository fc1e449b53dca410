"""Differential tests of the changes log against Orthanc 1.10.1: the same uploads, deletes and
clears on both, the same /changes. Covers a cleared log after every patient is deleted,
CompletedSeries (when Orthanc logs it, and when not), and overwrites (OverwriteInstances) with
the stability that follows. Cirrus's stream is pumped (``feed.pump()``) and its stability
check run (``bootstrap.stability().run()``) where Lambda and the schedule would run them.
"""

from __future__ import annotations

import time
from collections import Counter
from typing import Any

from tests.conftest import chalice_client
from tests.interop.test_rest_vs_orthanc import Pair
from tests.support.dicom_factory import make_instance
from tests.support.orthanc_server import OrthancServer

# Orthanc declares a resource stable between StableAge and StableAge + 1 s after its last
# update: waiting this much longer than StableAge leaves both sides done.
STABLE_MARGIN_SECONDS = 1.5


def _entries(answer: dict[str, Any]) -> list[tuple[int, str, str, str]]:
    return [(c["Seq"], c["ChangeType"], c["ResourceType"], c["ID"]) for c in answer["Changes"]]


def _split(answer: dict[str, Any]) -> tuple[list[tuple[int, str, str, str]], Counter[Any]]:
    """The entries other than Stable*, in order, and the Stable* ones as a multiset: Orthanc
    declares several resources stable in the order its timer meets them, Cirrus deepest
    level first."""
    entries = _entries(answer)
    others = [e for e in entries if not e[1].startswith("Stable")]
    stable = Counter(e[1:] for e in entries if e[1].startswith("Stable"))
    return others, stable


def _same_changes(pair: Pair, since: int = 0) -> dict[str, Any]:
    """/changes?since= answers the same on both (Seq included, Date aside); returns ours."""
    theirs, ours = pair.get(f"/changes?since={since}&limit=1000")
    assert ours[0] == theirs[0] == 200
    assert _split(ours[1]) == _split(theirs[1])
    assert (ours[1]["Done"], ours[1]["Last"]) == (theirs[1]["Done"], theirs[1]["Last"])
    return ours[1]


def _stabilize(feed: Any, stable_age: int) -> None:
    """Let StableAge pass on both, then run Cirrus's check as the schedule would."""
    from chalicelib import bootstrap

    time.sleep(stable_age + STABLE_MARGIN_SECONDS)
    feed.pump()
    bootstrap.stability().run()


def _is_stable(pair: Pair, path: str) -> bool:
    theirs, ours = pair.get(path)
    assert ours[1]["IsStable"] == theirs[1]["IsStable"], path
    return bool(ours[1]["IsStable"])


# -- 1. a cleared log stays empty -------------------------------------------------------------


def test_cleared_log_stays_empty_after_every_patient_is_deleted(feed: Any, configure: Any) -> None:
    """Stored, stable, every patient deleted (their changes forgotten), the log cleared: it
    stays empty on both while the deletions' stream records and the stability check run, and
    the next upload is the first entry, numbered after everything before."""
    configure(StableAge=1)
    with OrthancServer({"StableAge": 1}) as orthanc, chalice_client() as cirrus:
        pair = Pair(orthanc, cirrus)
        for number in range(2):
            pair.post("/instances", make_instance("C1", study_uid="1", sop_uid=f"1.1.{number}"))
        pair.post("/instances", make_instance("C2", study_uid="2", sop_uid="2.1.1"))
        feed.pump()
        _stabilize(feed, 1)
        _same_changes(pair)

        for patient in pair.get("/patients")[0][1]:
            theirs, ours = pair.delete(f"/patients/{patient}")
            assert ours == theirs
        feed.pump()
        assert _same_changes(pair)["Changes"] == []

        theirs, ours = pair.delete("/changes")
        assert ours[0] == theirs[0] == 200
        feed.pump()
        _stabilize(feed, 1)
        feed.pump()
        assert _same_changes(pair)["Changes"] == []
        theirs, ours = pair.get("/changes?last")
        assert ours == theirs
        assert ours[1]["Changes"] == []

        pair.post("/instances", make_instance("C3", sop_uid="3.1.1"))
        feed.pump()
        assert [c[1] for c in _entries(_same_changes(pair))] == [
            "NewInstance",
            "NewSeries",
            "NewStudy",
            "NewPatient",
        ]


# -- 2. CompletedSeries -------------------------------------------------------------------------


def _instance(study: str, number: int, **tags: Any) -> bytes:
    return make_instance(
        "CS",
        study_uid=study,
        series_uid=f"{study}.1",
        sop_uid=f"{study}.1.{number}",
        instance_number=number,
        **tags,
    )


def _completion_steps(pair: Pair, feed: Any, overwrite: bool) -> None:
    """Each step on both sides, then the whole log compared."""

    def store(data: bytes) -> dict[str, Any]:
        theirs, ours = pair.post("/instances", data)
        assert ours == theirs
        feed.pump()
        series = ours[1]["ParentSeries"]
        theirs_series, ours_series = pair.get(f"/series/{series}")
        assert ours_series[1]["Status"] == theirs_series[1]["Status"]
        _same_changes(pair)
        return ours[1]

    def delete(path: str) -> None:
        theirs, ours = pair.delete(path)
        assert ours == theirs
        feed.pump()
        _same_changes(pair)

    two = {"CardiacNumberOfImages": 2}
    # A series of one: complete with its first instance.
    store(_instance("10", 1, CardiacNumberOfImages=1))
    # A series of two: the second completes it; the same file again (AlreadyStored, or an
    # overwrite); a third instance (Inconsistent), deleted again (Complete, nothing logged);
    # the second deleted and stored again (logged again).
    store(_instance("11", 1, **two))
    second = store(_instance("11", 2, **two))
    again = store(_instance("11", 2, **two))
    assert again["Status"] == ("Success" if overwrite else "AlreadyStored")
    third = store(_instance("11", 3, **two))
    delete(f"/instances/{third['ID']}")
    delete(f"/instances/{second['ID']}")
    store(_instance("11", 2, **two))
    # The count of the arriving instance decides, not the series' own.
    store(_instance("12", 1))
    store(_instance("12", 2, **two))
    store(_instance("13", 2, **two))
    store(_instance("13", 1, CardiacNumberOfImages=3))
    store(_instance("14", 1, CardiacNumberOfImages=3))
    store(_instance("14", 2, CardiacNumberOfImages=3))
    store(_instance("14", 3))
    # Deleting a completed series forgets its CompletedSeries.
    delete(f"/series/{second['ParentSeries']}")
    assert [c[1] for c in _entries(_same_changes(pair))].count("CompletedSeries") == 2


def test_completed_series_like_orthanc(feed: Any, configure: Any) -> None:
    configure(StableAge=3600)
    with OrthancServer({"StableAge": 3600}) as orthanc, chalice_client() as cirrus:
        _completion_steps(Pair(orthanc, cirrus), feed, overwrite=False)


def test_completed_series_with_overwrites_like_orthanc(feed: Any, configure: Any) -> None:
    """With OverwriteInstances, storing the same file again is an arrival: CompletedSeries
    is logged again, and the old file's NewInstance is forgotten."""
    options = {"StableAge": 3600, "OverwriteInstances": True}
    configure(**options)
    with OrthancServer(options) as orthanc, chalice_client() as cirrus:
        _completion_steps(Pair(orthanc, cirrus), feed, overwrite=True)


# -- 3. overwrites and stability ----------------------------------------------------------------


def test_overwrite_makes_resources_unstable_and_stable_again_like_orthanc(
    feed: Any, configure: Any
) -> None:
    """Three cases: an instance sharing its series (the instance alone is logged again), the
    only instance of a series whose study has another series (the series is deleted and
    created again in Orthanc: its entries are forgotten and NewSeries comes again), and the
    only instance of a patient (NewInstance to NewPatient again). Each time the series, the
    study and the patient become unstable, then StableSeries, StableStudy and StablePatient
    come again after StableAge."""
    # StableAge 2: the checks that follow an overwrite must come before Orthanc's timer.
    options = {"StableAge": 2, "OverwriteInstances": True}
    configure(**options)
    with OrthancServer(options) as orthanc, chalice_client() as cirrus:
        pair = Pair(orthanc, cirrus)
        shared = make_instance("O1", study_uid="20", series_uid="20.1", sop_uid="20.1.2")
        lone_series = make_instance("O2", study_uid="21", series_uid="21.1", sop_uid="21.1.1")
        lone_patient = make_instance("O3", study_uid="22", series_uid="22.1", sop_uid="22.1.1")
        pair.post("/instances", make_instance("O1", study_uid="20", series_uid="20.1"))
        pair.post("/instances", shared)
        pair.post("/instances", lone_series)
        pair.post("/instances", make_instance("O2", study_uid="21", series_uid="21.2"))
        pair.post("/instances", lone_patient)
        feed.pump()
        _stabilize(feed, 2)
        _same_changes(pair)

        for data in (shared, lone_series, lone_patient):
            last = _same_changes(pair)["Last"]
            theirs, ours = pair.post("/instances", data)
            assert ours == theirs
            assert ours[1]["Status"] == "Success"
            feed.pump()
            _same_changes(pair)
            answer = ours[1]
            paths = [
                f"/series/{answer['ParentSeries']}",
                f"/studies/{answer['ParentStudy']}",
                f"/patients/{answer['ParentPatient']}",
            ]
            assert not any(_is_stable(pair, path) for path in paths)
            _stabilize(feed, 2)
            tail = _same_changes(pair, since=last)
            assert [c[1] for c in _entries(tail)][-3:] == [
                "StableSeries",
                "StableStudy",
                "StablePatient",
            ]
            assert all(_is_stable(pair, path) for path in paths)
            _same_changes(pair)
