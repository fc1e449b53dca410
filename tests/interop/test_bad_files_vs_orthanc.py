"""Cut and corrupted files, posted to Orthanc 1.10.1 and to Cirrus: a file Orthanc refuses
for being cut short is refused, nothing truncated is stored, and the answers are Orthanc's
but for the differences docs/compatibility.md lists ("Files that are not valid DICOM")."""

from __future__ import annotations

import io
import json
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pydicom
import pytest
import requests

from tests.conftest import chalice_client, moto_storage
from tests.support.fuzz import meta_end, mutations, source_bytes
from tests.support.orthanc_server import OrthancServer

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")
SOURCES = (
    "CT_small.dcm",
    "MR_small.dcm",
    "MR_small_implicit.dcm",
    "ExplVR_BigEnd.dcm",
    "JPEG2000.dcm",
    "image_dfl.dcm",
    "rtplan.dcm",
    "reportsi.dcm",
)


@pytest.fixture(scope="module")
def cirrus() -> Iterator[Any]:
    with moto_storage(), chalice_client() as client:
        yield client


def value_starts(data: bytes) -> set[int]:
    """Where the value of each top-level element of the dataset starts."""
    dataset = pydicom.dcmread(io.BytesIO(data), force=True)
    return {
        raw.value_tell
        for raw in (dataset.get_item(tag) for tag in dataset.keys())  # noqa: SIM118
        if getattr(raw, "value_tell", None) is not None
    }


def cuts(data: bytes) -> list[int]:
    """Offsets across the whole file, closer together in the header."""
    spread = {len(data) * step // 60 for step in range(1, 60)} | set(range(120, 1400, 37))
    return sorted(cut for cut in spread | {3000} if 0 < cut < len(data))


def test_files_cut_short_are_answered_as_orthanc_answers(cirrus) -> None:
    """Every cut is compared. Two differences are deliberate: a cut inside the preamble or
    the meta header is a malformed file to Cirrus (400) where Orthanc reads an empty dataset
    and misses the UIDs (404); and a cut at the first byte of an element's value is refused,
    where DCMTK keeps the element without its value and Orthanc stores the truncated file."""
    compared: Counter[str] = Counter()
    different = []
    with OrthancServer() as orthanc:
        for name in SOURCES:
            data = source_bytes(name)
            header_end, starts = meta_end(data), value_starts(data)
            for cut in cuts(data):
                theirs = orthanc.session.post(
                    orthanc.url + "/instances", data=data[:cut], timeout=30
                ).status_code
                ours = cirrus.http.post("/instances", body=data[:cut]).status_code
                if ours == theirs:
                    compared["same"] += 1
                elif (theirs, ours) == (404, 400) and cut < header_end:
                    compared["meta header"] += 1
                elif (theirs, ours) == (200, 400) and cut in starts:
                    compared["value missing"] += 1
                else:
                    different.append((name, cut, theirs, ours))
        stored_by_orthanc = set(orthanc.get("/instances").json())
    assert different == []
    assert compared["same"] > 500, compared
    assert set(json.loads(cirrus.http.get("/instances").body)) <= stored_by_orthanc


def test_a_fuzzed_corpus_never_breaks_cirrus_and_mostly_agrees(cirrus) -> None:
    """The same seeded corpus to both. Cirrus answers only 200, 400 or Orthanc's 404 for a
    missing UID. The answers agree on most files: pydicom and DCMTK are lenient in different
    places on a corrupted file (docs/compatibility.md). Orthanc 1.10.1 itself sometimes drops
    the connection on such a file; it is started again and the file left out."""
    outcomes: Counter[tuple[int, int]] = Counter()
    corpus = list(mutations(seed=5, count=400))
    orthanc_failures = 0
    position = 0
    while position < len(corpus):
        with OrthancServer() as orthanc:
            for mutation in corpus[position:]:
                position += 1
                ours = cirrus.http.post("/instances", body=mutation.data).status_code
                assert ours in (200, 400, 404), (mutation.label, ours)
                try:
                    theirs = orthanc.session.post(
                        orthanc.url + "/instances", data=mutation.data, timeout=30
                    ).status_code
                except requests.ConnectionError:
                    orthanc_failures += 1
                    break
                outcomes[theirs, ours] += 1
    agreed = sum(count for (theirs, ours), count in outcomes.items() if theirs == ours)
    assert agreed >= 0.85 * sum(outcomes.values()), (outcomes, orthanc_failures)
