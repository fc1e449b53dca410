"""Malformed files over REST (tests/support/fuzz.py): refused with 400 and nothing stored,
never a 500; a file accepted is stored whole and can be read back. Differences with Orthanc
1.10.1 on the same files: tests/interop/test_bad_files_vs_orthanc.py."""

from __future__ import annotations

import io
import json
import zipfile
from collections import Counter

import pytest

from tests.support.fuzz import mutations, source_bytes

# pydicom warns about every oddity of the malformed files.
pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


def test_a_file_cut_short_is_refused_and_not_stored(client) -> None:
    """CT_small.dcm cut inside an element header (3000) or inside the pixel data (9000)."""
    data = source_bytes("CT_small.dcm")
    for cut in (3000, 9000, len(data) - 1):
        answer = client.http.post("/instances", body=data[:cut])
        assert answer.status_code == 400, cut
        error = json.loads(answer.body)
        assert (error["OrthancStatus"], error["Details"]) == (
            15,
            f"Cannot parse an invalid DICOM file (size: {cut} bytes)",
        )
    assert json.loads(client.http.get("/instances").body) == []


def test_a_fuzzed_corpus_gets_only_400_or_success(client) -> None:
    statuses: Counter[int] = Counter()
    unexpected = []
    for number, mutation in enumerate(mutations(seed=16, count=1500)):
        answer = client.http.post("/instances", body=mutation.data)
        statuses[answer.status_code] += 1
        body = json.loads(answer.body)
        refused_as_orthanc = answer.status_code == 400 or (
            # A UID element made unreadable: Orthanc's "Inexistent tag" (404), as Orthanc.
            answer.status_code == 404 and body["OrthancStatus"] == 21
        )
        if answer.status_code == 200:
            # Mutations of one source mostly keep its UIDs: the first one stored stays.
            stored = client.http.get(f"/instances/{body['ID']}/file")
            if body["Status"] == "Success" and stored.body != mutation.data:
                unexpected.append((number, mutation.label, "stored differently"))
        elif not refused_as_orthanc:
            unexpected.append((number, mutation.label, answer.status_code, body))
    assert unexpected == []
    assert statuses[200] > 150 and statuses[400] > 500, statuses


def test_bad_members_of_a_zip_do_not_stop_the_others(client) -> None:
    good = source_bytes("CT_small.dcm")
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as writer:
        writer.writestr("cut.dcm", good[:3000])
        for number, mutation in enumerate(mutations(seed=24, count=20)):
            writer.writestr(f"fuzzed-{number}.dcm", mutation.data)
        writer.writestr("good.dcm", good)
    answer = client.http.post("/instances", body=archive.getvalue())
    assert answer.status_code == 200
    stored = json.loads(answer.body)
    assert good in [client.http.get(f"{item['Path']}/file").body for item in stored]
