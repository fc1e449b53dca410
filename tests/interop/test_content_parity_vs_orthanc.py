"""Differential tests of what is inside an instance, against a real Orthanc 1.10.1: long
values and ``?ignore-length``, the Pixel Data under ``/content`` (frames, fragments, byte
order) and the other raw values, ``/frames`` without pixel data, and ``/file`` asked as the
DICOM JSON model. The same files are posted to both servers and the answers compared.

pydicom's test files share SOPInstanceUIDs, so each one is deleted from both servers once
compared (Orthanc would otherwise keep the first one's content).
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import pydicom
import pydicom.data
import pytest
from pydicom.dataset import Dataset
from pydicom.sequence import Sequence

from tests.conftest import chalice_client, moto_storage
from tests.support.dicom_factory import make_instance, set_raw, to_file
from tests.support.orthanc_server import OrthancServer
from tests.support.raw_pair import RawPair

TEST_FILES_DIR = Path(pydicom.data.get_testdata_file("CT_small.dcm")).parent
TEST_FILES = sorted(TEST_FILES_DIR.glob("*.dcm"))
CHARSET_FILES = sorted((TEST_FILES_DIR.parent / "charset_files").glob("*.dcm"))
NATIVE_MULTIFRAME, ENCAPSULATED_2_FRAMES = "rtdose.dcm", "SC_rgb_rle_2frame.dcm"
WITHOUT_PIXEL_DATA = ["rtplan.dcm", "reportsi.dcm", "rtstruct.dcm", "test-SR.dcm"]
DICOM_JSON = "application/dicom+json"


class Pair(RawPair):
    def upload(self, data: bytes) -> str | None:
        """Post to both; the instance ID, or None when Orthanc refuses the file."""
        theirs, ours = self.post_both(data)
        if theirs.status_code != 200:
            return None
        assert ours.status_code == 200, ours.body
        assert json.loads(ours.body)["ID"] == theirs.json()["ID"]
        return str(theirs.json()["ID"])


@pytest.fixture(scope="module")
def pair() -> Iterator[Pair]:
    with OrthancServer() as orthanc, moto_storage(), chalice_client() as cirrus:
        yield Pair(orthanc, cirrus)


def _each_file(pair: Pair, files: list[Path]) -> Iterator[tuple[str, str]]:
    """(name, instance ID) of each file both servers store, deleted once compared."""
    for path in files:
        instance_id = pair.upload(path.read_bytes())
        if instance_id is None:
            continue
        try:
            yield path.name, instance_id
        finally:
            pair.delete(instance_id)


# ---------------------------------------------------------------------------------------------
# 1. Long values and ?ignore-length
# ---------------------------------------------------------------------------------------------


def _long_values() -> bytes:
    item = Dataset()
    item.CodeValue = "X"
    item.CodeMeaning = "M" * 300
    data = make_instance(
        "LONG",
        StudyDescription="D" * 256,  # exactly Orthanc's limit: still a String
        SeriesDescription="S" * 257,  # one byte more: TooLong
        ImageComments="C" * 1000,
        InstitutionName="I" * 300,
        PatientComments="é" * 200,  # 200 bytes in Latin-1, 400 in UTF-8: TooLong
        ReferencedImageSequence=Sequence([item]),
        PatientName="N" * 300,
    )
    ds = pydicom.dcmread(io.BytesIO(data))
    set_raw(ds, 0x60000022, "LO", b"O" * 300)  # OverlayDescription, repeating group 6000
    set_raw(ds, 0x60020022, "LO", b"P" * 300)  # ... and its 6002 sibling
    set_raw(ds, 0x00190010, "LO", b"1.2.840.113681")  # a creator DCMTK knows
    set_raw(ds, 0x00191010, "ST", b"Q" * 300)  # CRImageParamsCommon
    return to_file(ds)


IGNORE_LENGTH_QUERIES = [
    "",
    "?ignore-length=0010-0010",
    "?ignore-length=00100010",
    "?ignore-length=0008-103E",
    "?ignore-length=0008-103e",
    "?ignore-length=PatientName",
    "?ignore-length=0010-0010,0008-0104,0020-4000",  # a list, sequence items included
    "?ignore-length=PatientName,CodeMeaning",
    "?ignore-length=0010-0010&ignore-length=0008-0104",  # repeated: the last one counts
    "?ignore-length=0008-0104&ignore-length=0010-0010",
    "?ignore-length=RETIRED_OtherPatientIDs",  # DCMTK's names
    "?ignore-length=OverlayDescription",  # a repeating name: its first group only
    "?ignore-length=6002-0022",
    "?ignore-length=CRImageParamsCommon",  # a private name: accepted, matches no element
    "?ignore-length=0019-1010",
    "?ignore-length=PixelData",
    "?ignore-length=0010-0010&simplify",
    "?ignore-length=0008-0104&short",
    "?simplify",
]
# Orthanc 1.10.1 answers these 500 "Unknown DICOM tag"; Cirrus 400 with the same error.
BAD_IGNORE_LENGTH_QUERIES = [
    "?ignore-length=0010,0010",  # the comma separates tags
    "?ignore-length",
    "?ignore-length=",
    "?ignore-length=0010-0010,",
    "?ignore-length=patientname",  # names are case-sensitive
    "?ignore-length=OtherPatientIDs",  # the name Orthanc shows, not DCMTK's
    "?ignore-length=0010-001g",
    "?ignore-length=0x00100010",
    "?ignore-length=%200010-0010",
]


@pytest.fixture(scope="module")
def long_instance(pair: Pair) -> Iterator[str]:
    instance_id = pair.upload(_long_values())
    assert instance_id is not None
    yield instance_id
    pair.delete(instance_id)


@pytest.mark.parametrize("query", IGNORE_LENGTH_QUERIES)
@pytest.mark.parametrize("route", ["tags", "simplified-tags"])
def test_long_values_and_ignore_length(
    pair: Pair, long_instance: str, route: str, query: str
) -> None:
    answer = pair.same(f"/instances/{long_instance}/{route}{query}")
    if route == "tags" and query == "":
        tags = answer.json()
        assert tags["0008,1030"]["Type"] == "String"  # 256 bytes
        assert tags["0008,103e"] == {"Name": "SeriesDescription", "Type": "TooLong", "Value": None}
        assert tags["0010,4000"]["Type"] == "TooLong"  # 400 bytes once in UTF-8


def test_ignore_length_in_instances_tags(pair: Pair, long_instance: str) -> None:
    series = pair.orthanc.get_json(f"/instances/{long_instance}")["ParentSeries"]
    for query in ("", "?ignore-length=0010-0010", "?short&ignore-length=PatientName"):
        pair.same(f"/series/{series}/instances-tags{query}")
    pair.same(f"/series/{series}/shared-tags?ignore-length=0010-0010")  # not honoured there


@pytest.mark.parametrize("query", BAD_IGNORE_LENGTH_QUERIES)
def test_malformed_ignore_length(pair: Pair, long_instance: str, query: str) -> None:
    """Known difference: Orthanc answers an unknown tag with 500, Cirrus with 400 (the same
    UnknownDicomTag error), checked before the instance is looked up, as in Orthanc."""
    for path in (f"/instances/{long_instance}/tags{query}", f"/instances/unknown/tags{query}"):
        theirs, ours = pair.get(path)
        assert (theirs.status, theirs.json()["OrthancStatus"]) == (500, 27), path
        assert (ours.status, ours.json()["OrthancStatus"]) == (400, 27), path


# ---------------------------------------------------------------------------------------------
# 2. The Pixel Data under /content, the other raw values, PixelDataOffset
# ---------------------------------------------------------------------------------------------


def test_pixel_data_items_and_offset_of_every_test_file(pair: Pair) -> None:
    """``/content/7fe0-0010`` is ``["0"]`` for native pixel data (multi-frame too), the Basic
    Offset Table and the fragments when encapsulated; each item's bytes are Orthanc's."""
    listings: dict[str, list[str]] = {}
    for name, instance_id in _each_file(pair, TEST_FILES):
        base = f"/instances/{instance_id}"
        pair.same(f"{base}/metadata/PixelDataOffset")
        answer = pair.same(f"{base}/content/7fe0-0010")
        if answer.status != 200:
            continue
        listings[name] = answer.json()
        for item in [*listings[name], str(len(listings[name]))]:
            pair.same(f"{base}/content/7fe0-0010/{item}")
        for bad in ("-0", "+0", "00", "-1", "x", "0/0", "0/0000-0000"):
            pair.same(f"{base}/content/7fe0-0010/{bad}")
    assert listings[NATIVE_MULTIFRAME] == ["0"]
    assert listings[ENCAPSULATED_2_FRAMES] == ["0", "1", "2"]
    assert listings["JPEG2000.dcm"] == ["0", "1"]
    assert listings["CT_small.dcm"] == ["0"]
    assert len(listings) > 40


@pytest.mark.parametrize(
    "name",
    [
        "MR_small_bigendian.dcm",
        "ExplVR_BigEnd.dcm",
        "rtdose_expb.dcm",
        "SC_rgb_small_odd_big_endian.dcm",
        "rtdose_rle.dcm",
        "J2K_pixelrep_mismatch.dcm",
        "SC_rgb_gdcm_KY.dcm",
        "examples_ybr_color.dcm",
        "MR_small.dcm",
        "reportsi_with_empty_number_tags.dcm",
    ],
)
def test_every_top_level_value(pair: Pair, name: str) -> None:
    """Big endian numbers come out little endian (OW pixel data as 16-bit words), text as
    DCMTK holds it, empty values empty, a UN-encoded sequence as its bytes."""
    for _, instance_id in _each_file(pair, [TEST_FILES_DIR / name]):
        base = f"/instances/{instance_id}/content"
        for tag in pair.same(base).json():
            pair.same(f"{base}/{tag}")


PADDED_TEXT = [
    (0x00080008, "CS", b"A\\B   "),
    (0x00081030, "LO", b"desc  "),
    (0x00204000, "LT", b"text  "),
    (0x00080080, "LO", b"  "),
    (0x00080081, "ST", b"st \x00"),
    (0x00081010, "SH", b"sh\x00\x00"),
    (0x00081040, "LO", b" lead "),
    (0x00081050, "PN", b"x\x00y "),
    (0x00081060, "PN", b"A^B  "),  # odd length
    (0x00200052, "UI", b"1.2 "),
    (0x00200200, "UI", b"1.2\x00\x00"),
    (0x00080090, "PN", b"A^B  "),
    (0x00201041, "DS", b"1.5   "),
    (0x00080201, "SH", b"+0100 "),
]


def _padded_text(charset: bytes | None) -> bytes:
    ds = pydicom.dcmread(io.BytesIO(make_instance("PADDING")))
    if charset is not None:
        set_raw(ds, 0x00080005, "CS", charset)
    for tag, vr, value in PADDED_TEXT:
        set_raw(ds, tag, vr, value)
    item = Dataset()
    for tag, vr, value in PADDED_TEXT[:6]:
        set_raw(item, tag, vr, value)
    ds.ReferencedImageSequence = Sequence([item])
    return to_file(ds)


@pytest.mark.parametrize("charset", [b"ISO_IR 100", b"ISO_IR 192", b""])
def test_text_values_as_dcmtk_holds_them(pair: Pair, charset: bytes) -> None:
    """Trailing spaces and NULs removed, then padded to an even length again."""
    instance_id = pair.upload(_padded_text(charset))
    assert instance_id is not None
    try:
        for base in (
            f"/instances/{instance_id}/content",
            f"/instances/{instance_id}/content/0008-1140/0",
        ):
            for tag in pair.same(base).json():
                pair.same(f"{base}/{tag}")
    finally:
        pair.delete(instance_id)


def test_known_difference_on_trailing_nuls_without_a_character_set(pair: Pair) -> None:
    """Without SpecificCharacterSet, Orthanc hands out a top-level text value ending with
    NULs (or of odd length, padded with a NUL) as stored; Cirrus strips them as everywhere
    else (docs/compatibility.md)."""
    instance_id = pair.upload(_padded_text(None))
    assert instance_id is not None
    try:
        base = f"/instances/{instance_id}/content"
        expected = {"0008-0081": (b"st \x00", b"st"), "0008-1060": (b"A^B  \x00", b"A^B ")}
        for tag, values in expected.items():
            theirs, ours = pair.get(f"{base}/{tag}")
            assert (theirs.body, ours.body) == values, tag
        pair.same(f"{base}/0008-0008")
        pair.same(f"{base}/0008-1140/0/0008-1010")  # in a sequence item, no difference
    finally:
        pair.delete(instance_id)


def test_nested_pixel_data_is_a_plain_value(pair: Pair) -> None:
    ds = pydicom.dcmread(io.BytesIO(make_instance("ICON")))
    icon = Dataset()
    icon.Rows = icon.Columns = 2
    set_raw(icon, 0x7FE00010, "OB", b"\x01\x02\x03\x04")
    ds.IconImageSequence = Sequence([icon])
    instance_id = pair.upload(to_file(ds))
    assert instance_id is not None
    try:
        base = f"/instances/{instance_id}/content/0088-0200/0"
        pair.same(base)
        assert pair.same(f"{base}/7fe0-0010").body == b"\x01\x02\x03\x04"
        pair.same(f"{base}/7fe0-0010/0")
        for step in ("+0", "-0", "00", "1"):  # (Orthanc answers "-1" with an item: overflow)
            pair.same(f"/instances/{instance_id}/content/0088-0200/{step}")
    finally:
        pair.delete(instance_id)


# ---------------------------------------------------------------------------------------------
# 3. /frames, with and without pixel data
# ---------------------------------------------------------------------------------------------


def test_frames_of_every_test_file(pair: Pair) -> None:
    """Without pixel data Orthanc lists frame 0 (``rtplan.dcm``, ``reportsi.dcm``...); a
    NumberOfFrames that is not an integer (``badVR.dcm``: ``1A``) is a 400."""
    answers = {
        name: pair.same(f"/instances/{i}/frames") for name, i in _each_file(pair, TEST_FILES)
    }
    for name in WITHOUT_PIXEL_DATA:
        assert (answers[name].status, answers[name].json()) == (200, [0]), name
    assert answers["badVR.dcm"].status == 400
    assert answers[NATIVE_MULTIFRAME].json() == list(range(15))


NUMBER_OF_FRAMES = [
    None,
    b"",
    b"0 ",
    b"00",
    b"3 ",
    b"+2",
    b"-0",
    b" 2",
    b"2\t",
    b"  ",
    b"2\x00",
    b"\x002",
    b" 2\x00",
    b"2 \x00\x00",
    b"\x00\x00",
    b"-1",
    b"2.0 ",
    b"1A",
    b"2\\3 ",
    b"2147483648",
]


def _with_number_of_frames(value: bytes | None, pixel_data: bool) -> bytes:
    ds = pydicom.dcmread(io.BytesIO(make_instance("FRAMES")))
    if not pixel_data:
        del ds.PixelData
    if value is not None:
        set_raw(ds, 0x00280008, "IS", value)
    return to_file(ds)


@pytest.mark.parametrize("pixel_data", [True, False], ids=["pixels", "no-pixels"])
@pytest.mark.parametrize("value", NUMBER_OF_FRAMES, ids=repr)
def test_frames_follow_number_of_frames(pair: Pair, value: bytes | None, pixel_data: bool) -> None:
    """Orthanc reads NumberOfFrames alone, whether there is pixel data or not."""
    instance_id = pair.upload(_with_number_of_frames(value, pixel_data))
    assert instance_id is not None
    try:
        pair.same(f"/instances/{instance_id}/frames")
    finally:
        pair.delete(instance_id)


# ---------------------------------------------------------------------------------------------
# 4. /file as the DICOM JSON model
# ---------------------------------------------------------------------------------------------


def _odd_values() -> bytes:
    """Values pydicom's own JSON writer fails on or writes differently from Orthanc."""
    ds = pydicom.dcmread(io.BytesIO(make_instance("ODD")))
    for tag, vr, value in [
        (0x00081030, "LO", b"A\\\\B "),  # odd length: the trailing space stays
        (0x0008103E, "LO", b"\\"),
        (0x00204000, "LT", b"x\\y "),  # LT is split too
        (0x00080081, "ST", b"s\\t "),
        (0x00102000, "LO", b"  lead"),
        (0x00189004, "CS", b"\x00"),
        (0x00280030, "DS", b"1\\\\2 "),
        (0x00200032, "DS", b" 1.50\\ +2\\3e2 "),
        (0x00201041, "DS", b"abc "),
        (0x00188150, "DS", b"1e400 "),
        (0x00189326, "DS", b"1\\abc"),
        (0x00189327, "IS", b"1\\abc"),
        (0x00189328, "IS", b"1.5"),
        (0x00189329, "DS", b"nan "),
        (0x0018932A, "DS", b"-inf"),
        (0x00200012, "IS", b" 0012"),
        (0x00321032, "PN", b"A^B=C^D=E^F"),
        (0x00321033, "PN", b"A^B\\X^Y"),
        (0x00080090, "PN", b"=C"),
        (0x00081060, "PN", b"\\"),
        (0x0018932D, "PN", b"A^B\\"),
        (0x0018932F, "PN", b"A==C"),
        (0x00280009, "AT", b"\x08\x00\x10\x00\x10\x00\x20\x00"),
        (0x00189305, "FD", b"\x00\x00\x00\x00\x00\x00\xf8\x7f"),  # NaN
        (0x00189306, "FD", b"\x00\x00\x00\x00\x00\x00\xf0\x7f"),  # infinity
        (0x00189308, "FL", b"\xcd\xcc\xcc\x3d"),
        (0x00189313, "UV", b"\xff" * 8),  # left out by Orthanc
        (0x00189315, "OF", b"\x00\x00\x80\x3f"),  # a number, not InlineBinary
        (0x00189320, "OD", b"\x00\x00\x00\x00\x00\x00\xf0\x3f"),
        (0x00189321, "OL", b"\x01\x00\x00\x00"),
        (0x00189323, "OW", b"\x01\x00\x02\x00"),
        (0x00189325, "OB", b""),
        (0x00082111, "ST", b"\xe9t\xe9 "),
        (0x00290010, "LO", b"CREATOR"),
        (0x00291010, "OB", b"\x01\x02"),
        (0x00291011, "UN", b"abcd"),
        (0x00291012, "UT", b"t\\u"),
        (0x00400244, "DA", b"20240101\\"),
        (0x00100000, "UL", b"\x00\x00\x00\x00"),  # group length: left out
    ]:
        set_raw(ds, tag, vr, value)
    empty_after_group_length = Dataset()
    set_raw(empty_after_group_length, 0x00080000, "UL", b"\x00\x00\x00\x00")
    kept = Dataset()
    kept.CodeValue = "1"
    ds.ReferencedImageSequence = Sequence([empty_after_group_length, kept, Dataset()])
    ds.SourceImageSequence = Sequence([])
    return to_file(ds)


def _compare_dicom_json(pair: Pair, instance_id: str) -> None:
    answer = pair.same(f"/instances/{instance_id}/file", {"Accept": DICOM_JSON})
    assert (answer.status, answer.content_type) == (200, DICOM_JSON)


def test_dicom_json_of_every_test_file(pair: Pair) -> None:
    """Every pydicom test file (compressed, big endian, implicit VR, UN-encoded, ISO 2022...)."""
    compared = 0
    for _, instance_id in _each_file(pair, TEST_FILES + CHARSET_FILES):
        _compare_dicom_json(pair, instance_id)
        compared += 1
    assert compared > 60


def test_dicom_json_of_odd_values(pair: Pair) -> None:
    instance_id = pair.upload(_odd_values())
    assert instance_id is not None
    try:
        _compare_dicom_json(pair, instance_id)
    finally:
        pair.delete(instance_id)


@pytest.mark.parametrize(
    "accept",
    [
        "*/*",
        "application/dicom",
        "application/json",
        "text/plain",
        "image/png",
        "application/dicom+json;q=0.5",
        "application/dicom+json, application/dicom",
        "application/DICOM+JSON",
    ],
)
def test_file_whatever_else_is_accepted(pair: Pair, accept: str) -> None:
    """Only an Accept of exactly ``application/dicom+json`` changes the answer: anything else
    (even with a q-value, or in a list) gets the file."""
    for _, instance_id in _each_file(pair, [TEST_FILES_DIR / "CT_small.dcm"]):
        theirs, ours = pair.get(f"/instances/{instance_id}/file", {"Accept": accept})
        assert (ours.status, ours.content_type) == (theirs.status, theirs.content_type), accept
        assert ours.body == theirs.body


def test_leaf_content_whatever_is_accepted(pair: Pair) -> None:
    for _, instance_id in _each_file(pair, [TEST_FILES_DIR / "CT_small.dcm"]):
        for path in ("content/0010-0010", "content/7fe0-0010/0"):
            pair.same(f"/instances/{instance_id}/{path}", {"Accept": "application/json"})


def test_known_difference_on_the_dicom_xml_model(pair: Pair) -> None:
    """Orthanc answers ``application/dicom+xml`` with its DICOM XML model, whose quirks
    (stray ``<Value>`` elements between sequence items, numbers through 32-bit floats) are not
    reproduced: Cirrus answers 406 rather than a file the client did not ask for."""
    for _, instance_id in _each_file(pair, [TEST_FILES_DIR / "CT_small.dcm"]):
        accept = {"Accept": "application/dicom+xml"}
        theirs, ours = pair.get(f"/instances/{instance_id}/file", accept)
        assert (theirs.status, theirs.content_type) == (200, "application/dicom+xml")
        assert (ours.status, ours.json()["OrthancStatus"]) == (406, 34)
