"""Settings changed at run time and metrics, side by side with Orthanc 1.10.1: the same
requests to both answer the same (statuses, bodies, errors), and the DICOM services of both
accept the same presentation contexts after the same changes.

This module changes Orthanc's settings, so it runs its own Orthanc, brought back to its
defaults before each test (Cirrus starts from its configuration in each test).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from pynetdicom import AE
from pynetdicom.sop_class import CTImageStorage  # type: ignore[attr-defined]

from chalicelib.services.system.transfer_syntaxes import NEWER, ORTHANC_KNOWN
from tests.integration.helpers import upload
from tests.support.dicom_factory import make_instance
from tests.support.dicom_service import dicom_service
from tests.support.differential import Both
from tests.support.orthanc_server import OrthancServer

EXPLICIT = "1.2.840.10008.1.2.1"
IMPLICIT = "1.2.840.10008.1.2"
JPEG_BASELINE = "1.2.840.10008.1.2.4.50"
HTJ2K = "1.2.840.10008.1.2.4.201"  # unknown to Orthanc 1.10.1
UNKNOWN_SOP_CLASS = "1.2.3.4.5.6.7"
DEFAULTS = [
    ("/tools/default-encoding", "Latin1"),
    ("/tools/accepted-transfer-syntaxes", "*"),
    ("/tools/unknown-sop-class-accepted", "0"),
    ("/tools/metrics", "1"),
    ("/tools/log-level", "default"),
]


@pytest.fixture(scope="module")
def orthanc() -> Iterator[OrthancServer]:
    with OrthancServer() as server:
        yield server


@pytest.fixture
def both(client: Any, orthanc: OrthancServer) -> Both:
    for path, value in DEFAULTS:
        orthanc.session.put(orthanc.url + path, data=value, timeout=10).raise_for_status()
    return Both(orthanc, client)


@pytest.mark.parametrize(
    "steps",
    [
        pytest.param(
            [
                ("GET", "/tools/default-encoding", None),
                ("PUT", "/tools/default-encoding", "utf8"),
                ("GET", "/tools/default-encoding", None),
                ("PUT", "/tools/default-encoding", "JapaneseKanji"),
                ("PUT", "/tools/default-encoding", "ISO_IR 192"),
                ("PUT", "/tools/default-encoding", " Latin2"),
                ("PUT", "/tools/default-encoding", ""),
                ("GET", "/tools/default-encoding", None),
            ],
            id="default-encoding",
        ),
        pytest.param(
            [
                ("GET", "/tools/accepted-transfer-syntaxes", None),
                ("PUT", "/tools/accepted-transfer-syntaxes", '["1.2.840.10008.1.2.4.*"]'),
                ("GET", "/tools/accepted-transfer-syntaxes", None),
                ("PUT", "/tools/accepted-transfer-syntaxes", f'"{EXPLICIT}"'),
                ("PUT", "/tools/accepted-transfer-syntaxes", '["1.2.840.10008.1.2.?", "*.5"]'),
                ("PUT", "/tools/accepted-transfer-syntaxes", f'["{HTJ2K}"]'),
                ("PUT", "/tools/accepted-transfer-syntaxes", "[]"),
                ("GET", "/tools/accepted-transfer-syntaxes", None),
                ("PUT", "/tools/accepted-transfer-syntaxes", "*"),
                ("PUT", "/tools/accepted-transfer-syntaxes", "*.4.9?"),
                ("PUT", "/tools/accepted-transfer-syntaxes", ""),
                # A bare UID reads as a JSON number: refused, the setting unchanged.
                ("PUT", "/tools/accepted-transfer-syntaxes", EXPLICIT),
                ("PUT", "/tools/accepted-transfer-syntaxes", f" {IMPLICIT} "),
                ("PUT", "/tools/accepted-transfer-syntaxes", "{}"),
                ("PUT", "/tools/accepted-transfer-syntaxes", "[1]"),
                ("PUT", "/tools/accepted-transfer-syntaxes", "true"),
                ("GET", "/tools/accepted-transfer-syntaxes", None),
            ],
            id="accepted-transfer-syntaxes",
        ),
        pytest.param(
            [
                ("GET", "/tools/unknown-sop-class-accepted", None),
                ("PUT", "/tools/unknown-sop-class-accepted", "1"),
                ("GET", "/tools/unknown-sop-class-accepted", None),
                ("PUT", "/tools/unknown-sop-class-accepted", " false\n"),
                ("GET", "/tools/unknown-sop-class-accepted", None),
                ("PUT", "/tools/unknown-sop-class-accepted", "true"),
                ("PUT", "/tools/unknown-sop-class-accepted", "TRUE"),
                ("PUT", "/tools/unknown-sop-class-accepted", "yes"),
                ("PUT", "/tools/unknown-sop-class-accepted", ""),
                ("GET", "/tools/unknown-sop-class-accepted", None),
            ],
            id="unknown-sop-class-accepted",
        ),
        pytest.param(
            [
                ("GET", "/tools/metrics", None),
                ("PUT", "/tools/metrics", "0"),
                ("GET", "/tools/metrics", None),
                ("GET", "/tools/metrics-prometheus", None),
                ("PUT", "/tools/metrics", "x"),
                ("PUT", "/tools/metrics", "true"),
                ("GET", "/tools/metrics", None),
            ],
            id="metrics",
        ),
        pytest.param(
            [
                ("GET", "/tools/log-level", None),
                ("PUT", "/tools/log-level-http", "trace"),
                ("GET", "/tools/log-level-http", None),
                ("GET", "/tools/log-level-dicom", None),
                # The global level reads as the most verbose category.
                ("GET", "/tools/log-level", None),
                ("PUT", "/tools/log-level", "verbose"),
                ("GET", "/tools/log-level-http", None),
                ("GET", "/tools/log-level-lua", None),
                ("PUT", "/tools/log-level-generic", "default"),
                ("PUT", "/tools/log-level-plugins", "default"),
                ("PUT", "/tools/log-level-http", "default"),
                ("PUT", "/tools/log-level-dicom", "default"),
                ("PUT", "/tools/log-level-sqlite", "default"),
                ("PUT", "/tools/log-level-jobs", "default"),
                ("PUT", "/tools/log-level-lua", "default"),
                # Every category back to default, the global bits are still verbose.
                ("GET", "/tools/log-level", None),
                ("PUT", "/tools/log-level", "Verbose"),
                ("PUT", "/tools/log-level", " trace"),
                ("PUT", "/tools/log-level-jobs", ""),
                ("GET", "/tools/log-level-bogus", None),
                ("PUT", "/tools/log-level", "default"),
                ("GET", "/tools/log-level", None),
            ],
            id="log-level",
        ),
    ],
)
def test_settings_answer_like_orthanc(both: Both, steps: list[tuple[str, str, Any]]) -> None:
    for method, path, data in steps:
        if path == "/tools/accepted-transfer-syntaxes":
            _same_syntaxes(both, method, data)
        else:
            both.same(method, path, data)


def _same_syntaxes(both: Both, method: str, data: Any) -> None:
    """The answers of GET and PUT are Orthanc's list, then the newer syntaxes the patterns
    also match (Cirrus accepts HTJ2K, JPEG XL... which Orthanc 1.10.1 does not know)."""
    theirs, ours = both.call(method, "/tools/accepted-transfer-syntaxes", data)
    assert (ours[0], ours[2]) == (theirs[0], theirs[2]), (method, data)
    if not isinstance(theirs[1], list):  # an error
        assert ours == theirs, (method, data)
        return
    older = [uid for uid in ours[1] if uid not in NEWER]
    assert older == theirs[1]
    if theirs[1] == list(ORTHANC_KNOWN):  # "*"
        assert ours[1][len(older) :] == list(NEWER)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/tools/default-encoding"),
        ("DELETE", "/tools/accepted-transfer-syntaxes"),
        ("POST", "/tools/unknown-sop-class-accepted"),
        ("PUT", "/tools/metrics-prometheus"),
        ("POST", "/tools/log-level"),
        ("DELETE", "/tools/log-level-jobs"),
    ],
)
def test_other_methods_are_refused_like_orthanc(both: Both, method: str, path: str) -> None:
    """405 with the same ``Allow`` (Cirrus adds a JSON error body to every 405)."""
    theirs = both.orthanc.session.request(method, both.orthanc.url + path, timeout=10)
    ours = getattr(both.cirrus.http, method.lower())(path, body="")
    assert (ours.status_code, ours.headers["Allow"]) == (405, theirs.headers["Allow"])
    assert theirs.status_code == 405


def _metrics(text: str) -> dict[str, str]:
    """Name -> value of each line, checking its timestamp is milliseconds since the epoch."""
    values = {}
    for line in text.splitlines():
        name, value, stamp = line.split(" ")
        assert stamp.isdigit() and len(stamp) == 13, line
        values[name] = value
    return values


def test_prometheus_metrics_count_like_orthanc(both: Both, orthanc: OrthancServer) -> None:
    before = orthanc.session.get(orthanc.url + "/tools/metrics-prometheus", timeout=10).text
    assert _metrics(before)["orthanc_count_instances"] == "0"  # this module's own Orthanc
    study = "1.2.3.99"
    for number in range(3):
        data = make_instance("METRICS", study_uid=study, size=64 + number, instance_number=number)
        orthanc.upload(data)
        upload(both.cirrus, data)
    (status, theirs, kind), (our_status, ours, our_kind) = both.call(
        "GET", "/tools/metrics-prometheus"
    )
    assert (our_status, our_kind) == (status, kind) == (200, "text/plain")
    ours_by_name, theirs_by_name = _metrics(ours), _metrics(theirs)
    # Orthanc's per-process metrics (REST and store durations, its DICOM cache) are not kept.
    assert {n: theirs_by_name[n] for n in ours_by_name} == ours_by_name
    assert set(ours_by_name) == {
        *(f"orthanc_count_{level}" for level in ("patients", "studies", "series", "instances")),
        "orthanc_disk_size_mb",
        "orthanc_uncompressed_size_mb",
        *(f"orthanc_jobs_{state}" for state in ("pending", "running", "completed", "success")),
        "orthanc_jobs_failed",
    }
    assert ours_by_name["orthanc_count_instances"] == "3"
    assert float(ours_by_name["orthanc_disk_size_mb"]) > 0
    assert ours == "".join(sorted(ours.splitlines(keepends=True)))  # sorted by name


def _accepted(port: int, contexts: list[tuple[str, str]]) -> set[tuple[str, str]]:
    """The (SOP class, transfer syntax) pairs a DICOM service on ``port`` accepts of the
    proposed ones, each in a presentation context of its own."""
    ae = AE(ae_title="PROBE")
    for sop_class, syntax in contexts:
        ae.add_requested_context(sop_class, syntax)
    assoc = ae.associate("127.0.0.1", port, ae_title="ANY")
    if not assoc.is_established:
        return set()
    accepted = {
        (str(cx.abstract_syntax), str(cx.transfer_syntax[0])) for cx in assoc.accepted_contexts
    }
    assoc.release()
    return accepted


PROPOSED = [
    (CTImageStorage, EXPLICIT),
    (CTImageStorage, IMPLICIT),
    (CTImageStorage, JPEG_BASELINE),
    (CTImageStorage, HTJ2K),
    (UNKNOWN_SOP_CLASS, EXPLICIT),
    (UNKNOWN_SOP_CLASS, JPEG_BASELINE),
    ("1.2.840.10008.1.1", EXPLICIT),  # Verification, whatever the settings
]


@pytest.mark.parametrize(
    "changes",
    [
        [],
        [("/tools/accepted-transfer-syntaxes", f'["{IMPLICIT}", "*.4.50"]')],
        [("/tools/accepted-transfer-syntaxes", "[]")],
        [("/tools/unknown-sop-class-accepted", "1")],
        [
            ("/tools/unknown-sop-class-accepted", "1"),
            ("/tools/accepted-transfer-syntaxes", f'"{EXPLICIT}"'),
        ],
    ],
    ids=["defaults", "two-syntaxes", "no-syntax", "unknown-sop-class", "unknown-explicit"],
)
def test_dicom_service_accepts_what_orthanc_accepts(
    both: Both, orthanc: OrthancServer, changes: list[tuple[str, str]]
) -> None:
    for path, value in changes:
        both.same("PUT", path, value)
    with dicom_service() as port:
        ours = _accepted(port, PROPOSED)
    theirs = _accepted(orthanc.dicom_port, PROPOSED)
    # HTJ2K: refused by Orthanc 1.10.1, accepted by Cirrus whenever "*" accepts everything.
    accepts_everything = not changes or changes == [("/tools/unknown-sop-class-accepted", "1")]
    assert (CTImageStorage, HTJ2K) not in theirs
    assert ((CTImageStorage, HTJ2K) in ours) is accepts_everything
    assert ours - {(CTImageStorage, HTJ2K)} == theirs
    assert ("1.2.840.10008.1.1", EXPLICIT) in ours
