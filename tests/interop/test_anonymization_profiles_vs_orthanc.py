"""Cirrus's anonymization profiles (PS3.15 Table E.1-1, generated from the standard) against
what Orthanc 1.10.1 does for the same ``"DicomVersion"``.

For each revision Orthanc 1.10.1 knows (2008, 2017c, 2021b), one synthetic file holds, at
the top level, an element for every tag of the profile's removals, clearings and UIDs that
pydicom's dictionary knows with one VR (ambiguous VRs such as "US or SS" and the command and
file meta groups are left out; a sequence gets one coded item, OB two bytes), plus the tags of
the other revisions' profiles as controls. Orthanc anonymizes it (``POST
/instances/{id}/anonymize``, whose answer is the anonymized file), and the result must be
what ``load_profile`` says: removals absent, clearings present and empty, UIDs present with
a new value, every control untouched. A failure lists each tag where Orthanc disagrees,
which would mean that a fact recorded in chalicelib/dicom/modification/profiles.py is wrong.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pydicom
import pytest
from pydicom.datadict import dictionary_VR
from pydicom.dataset import Dataset

from chalicelib.dicom.modification.profiles import CALLER_HANDLED, Profile, load_profile
from tests.support.dicom_factory import make_instance, to_file
from tests.support.orthanc_server import OrthancServer


@pytest.fixture(scope="module")
def orthanc() -> Iterator[OrthancServer]:
    """This module's own Orthanc: the patients it stores share identifiers with other
    modules' files, and must not change what the session's Orthanc shows them."""
    with OrthancServer() as server:
        yield server


ORTHANC_VERSIONS = ("2008", "2017c", "2021b")  # what Orthanc 1.10.1 knows (not 2023b)

# Plain values per VR, recognizable and valid.
VALUES: dict[str, Any] = {
    "AE": "STATION1",
    "AS": "042Y",
    "AT": 0x00100030,
    "CS": "VALUE1",
    "DA": "20200102",
    "DS": "1.5",
    "DT": "20200102030405",
    "FD": 1.5,
    "FL": 1.5,
    "IS": "7",
    "LO": "Long string value",
    "LT": "Long text value",
    "PN": "Doe^John",
    "SH": "Short value",
    "SL": -7,
    "SS": -7,
    "SV": -7,
    "ST": "Short text value",
    "TM": "030405",
    "UC": "Unlimited characters",
    "UL": 7,
    "US": 7,
    "UV": 7,
    "UR": "http://example.com/x",
    "UT": "Unlimited text value",
    "UI": None,  # made per tag by value_for, to see each one remapped
    "OB": b"\x01\x02",
    "SQ": None,  # made per tag by value_for: one item with a code
}

# Set by Orthanc on every anonymization (PatientIdentityRemoved, DeidentificationMethod),
# whatever the profile: not controls.
ALWAYS_WRITTEN = frozenset({0x00120062, 0x00120063})

REFERENCED_IMAGE_SEQUENCE, REFERENCED_SOP_INSTANCE_UID = 0x00081140, 0x00081155
NOT_IN_A_DATASET = (0x0000, 0x0002)  # command and file meta groups: never top-level elements


def fillable_vr(tag: int) -> str | None:
    """The VR pydicom's dictionary gives ``tag``, if this test can fill in a top-level
    element of an ordinary file with it (not the command or file meta groups)."""
    if tag >> 16 in NOT_IN_A_DATASET:
        return None
    try:
        vr = dictionary_VR(tag)
    except KeyError:
        return None
    return vr if vr in VALUES else None


def value_for(tag: int, vr: str) -> Any:
    """A value for ``tag``: a unique UID per tag (to see it remapped), else the VR's own."""
    if vr == "UI":
        return f"1.2.826.0.1.3680043.10.54321.{tag}"
    if vr == "SQ":
        item = Dataset()
        item.CodeValue, item.CodingSchemeDesignator, item.CodeMeaning = "C1", "99CIRRUS", "Code"
        return [item]
    return VALUES[vr]


def candidate_file(profile: Profile, controls: set[int]) -> tuple[bytes, Dataset]:
    """A CT image holding every fillable tag of ``profile``'s sets and of ``controls``,
    with a Referenced Image Sequence whose item references another instance."""
    ds = pydicom.dcmread(io.BytesIO(make_instance(patient_id="ANON-PROFILES")))
    for tag in sorted(profile.removals | profile.clearings | profile.uids | controls):
        vr = fillable_vr(tag)
        if vr is not None:
            ds.add_new(tag, vr, value_for(tag, vr))
    item = Dataset()
    item.ReferencedSOPClassUID = "1.2.840.10008.5.1.4.1.1.2"
    item.ReferencedSOPInstanceUID = "1.2.826.0.1.3680043.10.54321.99"
    ds.ReferencedImageSequence = [item]
    return to_file(ds), ds


def anonymize(orthanc: OrthancServer, data: bytes, version: str) -> Dataset:
    """Orthanc's anonymized copy of ``data`` for ``DicomVersion`` ``version``."""
    instance = orthanc.upload(data)["ID"]
    answer = orthanc.post(f"/instances/{instance}/anonymize", json={"DicomVersion": version})
    assert answer.status_code == 200, answer.text
    return pydicom.dcmread(io.BytesIO(answer.content))


def mismatches(profile: Profile, before: Dataset, after: Dataset, controls: set[int]) -> list[str]:
    """Where Orthanc's anonymized file disagrees with ``profile``, one line per tag."""
    problems = []

    def describe(tag: int) -> str:
        keyword = pydicom.datadict.keyword_for_tag(tag) or "?"
        return f"({tag >> 16:04X},{tag & 0xFFFF:04X}) {keyword}"

    present = [tag for tag in map(int, before.keys()) if fillable_vr(tag) is not None]
    for tag in present:
        theirs = after.get(tag)
        if tag in profile.removals:
            if theirs is not None:
                problems.append(f"{describe(tag)}: removal, but kept as {theirs.value!r}")
        elif tag in profile.clearings:
            if theirs is None:
                problems.append(f"{describe(tag)}: clearing, but removed")
            elif not theirs.is_empty:
                problems.append(f"{describe(tag)}: clearing, but kept as {theirs.value!r}")
        elif tag in profile.uids:
            if theirs is None:
                problems.append(f"{describe(tag)}: UID, but removed")
            elif theirs.value == before[tag].value:
                problems.append(f"{describe(tag)}: UID, but kept unchanged")
            elif theirs.is_empty:
                problems.append(f"{describe(tag)}: UID, but emptied")
        elif tag in controls:
            if theirs is None:
                problems.append(f"{describe(tag)}: not in the profile, but removed")
            elif theirs.value != before[tag].value:
                problems.append(
                    f"{describe(tag)}: not in the profile, but changed to {theirs.value!r}"
                )
    return problems


def controls_for(version: str) -> set[int]:
    """Tags of the other revisions' profiles that ``version``'s profile does not touch."""
    profile = load_profile(version)
    touched = profile.removals | profile.clearings | profile.uids
    others: set[int] = set()
    for other in ("2008", "2017c", "2021b", "2023b"):
        p = load_profile(other)
        others |= p.removals | p.clearings | p.uids
    return others - touched - CALLER_HANDLED - ALWAYS_WRITTEN - profile.relationship_sequences


@pytest.mark.parametrize("version", ORTHANC_VERSIONS)
def test_orthanc_applies_the_profile(orthanc: OrthancServer, version: str) -> None:
    profile = load_profile(version)
    controls = controls_for(version)
    data, before = candidate_file(profile, controls)
    after = anonymize(orthanc, data, version)

    # every tag of the profile is in the file, but for the groups no dataset holds
    tested = {int(elem.tag) for elem in before}
    untested = (profile.removals | profile.clearings | profile.uids) - tested
    assert all(tag >> 16 in NOT_IN_A_DATASET for tag in untested), sorted(map(hex, untested))
    problems = mismatches(profile, before, after, controls)
    assert not problems, f"Orthanc 1.10.1 {version} disagrees:\n" + "\n".join(problems)

    # the five identifiers: mapped (by the caller in Cirrus), never left as they were
    for tag in CALLER_HANDLED:
        assert after[tag].value != before[tag].value
    assert after.DeidentificationMethod.endswith(load_profile(version).deidentification_method)


@pytest.mark.parametrize("version", ["2017c", "2021b"])
def test_relationship_sequences_are_kept_with_their_uids_remapped(
    orthanc: OrthancServer, version: str
) -> None:
    profile = load_profile(version)
    assert REFERENCED_IMAGE_SEQUENCE in profile.relationship_sequences
    assert REFERENCED_SOP_INSTANCE_UID in profile.uids
    data, before = candidate_file(profile, set())
    after = anonymize(orthanc, data, version)
    (item,) = after.ReferencedImageSequence
    assert item.ReferencedSOPClassUID == before.ReferencedImageSequence[0].ReferencedSOPClassUID
    original = before.ReferencedImageSequence[0].ReferencedSOPInstanceUID
    assert item.ReferencedSOPInstanceUID not in ("", original)
