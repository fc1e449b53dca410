"""Differential tests of protection and recycling against Orthanc 1.10.1: the same
configuration (MaximumPatientCount, MaximumStorageSize), the same uploads and protections on
both, the same answers and the same patients left. Cirrus's change feed is pumped where
Lambda would run it, since it is what moves a patient receiving an instance to the end of the
recycling order."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from tests.conftest import chalice_client
from tests.interop.test_rest_vs_orthanc import Pair
from tests.support.dicom_factory import make_instance
from tests.support.differential import Both
from tests.support.orthanc_server import OrthancServer

UNKNOWN = "00000000-00000000-00000000-00000000-00000000"
# A 16-bit image of 400 x 400 pixels: about 320 KB a file, so three of them fill 1 MB.
BIG = 400


@contextmanager
def _sides(configure: Any, **options: int) -> Iterator[Both]:
    """Orthanc and Cirrus with the same ``options``."""
    configure(**options)
    with OrthancServer(options) as orthanc, chalice_client() as cirrus:
        yield Both(orthanc, cirrus)


def _upload(both: Both, feed: Any, data: bytes) -> tuple[Any, Any]:
    """POST the file to both (the feed run after it, as Lambda would); both answers."""
    theirs, ours = Pair(both.orthanc, both.cirrus).post("/instances", data)
    feed.pump()
    return theirs, ours


def _stored(both: Both, feed: Any, data: bytes) -> str:
    theirs, ours = _upload(both, feed, data)
    assert ours == theirs
    return str(theirs[1]["ParentPatient"])


def _patients(both: Both) -> list[str]:
    """The patients left, the same on both (Orthanc lists by arrival, Cirrus by ID)."""
    theirs, ours = both.call("GET", "/patients")
    assert (ours[0], sorted(ours[1])) == (theirs[0], sorted(theirs[1]))
    return sorted(theirs[1])


def _same_totals(both: Both) -> None:
    theirs, ours = both.call("GET", "/statistics")
    keys = ("CountPatients", "CountInstances", "TotalDiskSize")
    assert [ours[1][k] for k in keys] == [theirs[1][k] for k in keys]


def test_protection_answers(configure: Any, feed: Any) -> None:
    """GET and PUT /protected: Boolean bodies, IDs of no patient, bodies read first."""
    with _sides(configure, MaximumPatientCount=2) as sides:
        patient = _stored(sides, feed, make_instance("A"))
        study = sides.call("GET", f"/patients/{patient}")[0][1]["Studies"][0]
        sides.same("GET", f"/patients/{patient}/protected")
        for value in ("1", "0", "true", "false", " 1\n", "", "2", "yes", "True", "{}"):
            sides.same("PUT", f"/patients/{patient}/protected", value)
            sides.same("GET", f"/patients/{patient}/protected")
        for resource in (UNKNOWN, study):
            sides.same("GET", f"/patients/{resource}/protected")
            sides.same("PUT", f"/patients/{resource}/protected", "1")
        sides.same("PUT", f"/patients/{UNKNOWN}/protected", "maybe")
        sides.same("GET", f"/studies/{study}/protected")


def test_recycling_order_and_protection(configure: Any, feed: Any) -> None:
    """MaximumPatientCount: the least recently stored unprotected patient goes; a patient
    receiving an instance or unprotected moves to the end; FullStorage when none is left."""
    with _sides(configure, MaximumPatientCount=2) as sides:
        a = _stored(sides, feed, make_instance("A"))
        _stored(sides, feed, make_instance("B"))
        _stored(sides, feed, make_instance("A"))  # A received an instance: B is the oldest
        c = _stored(sides, feed, make_instance("C"))
        assert _patients(sides) == sorted([a, c])
        sides.same("PUT", f"/patients/{a}/protected", "1")
        d = _stored(sides, feed, make_instance("D"))  # C recycled: A is protected
        assert _patients(sides) == sorted([a, d])
        sides.same("PUT", f"/patients/{d}/protected", "1")
        theirs, ours = _upload(sides, feed, make_instance("E"))  # nothing left to recycle
        assert ours == theirs
        assert theirs[0] == 500
        assert _patients(sides) == sorted([a, d])
        _stored(sides, feed, make_instance("D"))  # a patient already stored may grow
        sides.same("PUT", f"/patients/{a}/protected", "0")  # back, at the end of the order
        sides.same("PUT", f"/patients/{d}/protected", "0")
        e = _stored(sides, feed, make_instance("E"))
        assert _patients(sides) == sorted([d, e])
        _same_totals(sides)


def test_recycling_by_size(configure: Any, feed: Any) -> None:
    """MaximumStorageSize (MB): patients recycled until the file fits, never the file's own;
    a file larger than the whole storage refused."""
    with _sides(configure, MaximumStorageSize=1) as sides:
        first = [_stored(sides, feed, make_instance(f"P{n}", size=BIG)) for n in range(3)]
        _stored(sides, feed, make_instance("Q", size=BIG))
        assert first[0] not in _patients(sides)
        _same_totals(sides)
        for _ in range(2):
            _stored(sides, feed, make_instance("Q", size=BIG))
        assert len(_patients(sides)) == 1
        theirs, ours = _upload(sides, feed, make_instance("Q", size=BIG))
        assert ours == theirs
        assert theirs[0] == 500
        theirs, ours = _upload(sides, feed, make_instance("R", size=800))  # above the limit
        assert ours == theirs
        assert theirs[0] == 500
        _same_totals(sides)
