"""Unit tests of the Orthanc JSON conversion on hand-made elements (no Orthanc needed).

The expectations were checked against Orthanc 1.10.1; see tests/interop for the differential
suite that keeps them honest.
"""

from __future__ import annotations

from pydicom.dataset import Dataset
from pydicom.sequence import Sequence
from pydicom.uid import ExplicitVRLittleEndian

from chalicelib.dicom import orthanc_json as oj
from chalicelib.dicom.charsets import DEFAULT, named
from chalicelib.dicom.tag_dictionary import UNKNOWN_TAG_NAME, tag_name
from chalicelib.dicom.tag_values import ASCII, Charset, leaf_value
from tests.support.dicom_factory import roundtrip, set_raw


def test_strings_keep_backslashes_and_lose_trailing_padding() -> None:
    ds = Dataset()
    set_raw(ds, 0x00080008, "CS", b"ORIGINAL\\PRIMARY ")
    set_raw(ds, 0x00081010, "SH", b" lead ")
    set_raw(ds, 0x00080018, "UI", b"1.2.3\x00")
    set_raw(ds, 0x00080080, "LO", b"A\x00B ")
    tags = oj.instance_tags(roundtrip(ds), "short")
    assert tags["0008,0008"] == "ORIGINAL\\PRIMARY"
    assert tags["0008,1010"] == " lead"  # leading spaces are kept
    assert tags["0008,0018"] == "1.2.3"
    assert tags["0008,0080"] == "A"  # C string: stops at the NUL


def test_empty_string_is_a_string_but_empty_number_is_null() -> None:
    ds = Dataset()
    ds.AccessionNumber = ""
    ds.add_new(0x00280010, "US", None)
    full = oj.full_tags(roundtrip(ds))
    assert full["0008,0050"] == {"Name": "AccessionNumber", "Type": "String", "Value": ""}
    assert full["0028,0010"] == {"Name": "Rows", "Type": "Null", "Value": None}


def test_numbers_are_printed_like_cpp_streams() -> None:
    assert leaf_value("FL", b"\xcd\xcc\xcc\x3d", 0, None, ASCII) == "0.10000000149011612"
    assert leaf_value("FD", b"\x00\x00\x00\x00\x00\x00\xf8\x3f", 0, None, ASCII) == "1.5"
    assert leaf_value("US", b"\x01\x00\x02\x00", 0, None, ASCII) == "1\\2"
    assert leaf_value("SS", b"\xff\xff", 0, None, ASCII) == "-1"
    assert leaf_value("US", b"\x01\x00\x02", 0, None, ASCII) == "1"  # odd length: first
    assert leaf_value("US", b"", 0, None, ASCII) is None
    assert leaf_value("AT", b"\x10\x00\x10\x00\x20\x00\x13\x00", 0, None, ASCII) == "0010,0010"


def test_binary_vrs_are_null() -> None:
    for vr in ("OB", "OW", "OD", "OF", "OL", "OV", "SV", "UV"):
        assert leaf_value(vr, b"\x00\x01", 0x00091001, None, ASCII) is None


def test_too_long_is_measured_in_utf8_bytes() -> None:
    ds = Dataset()
    ds.SpecificCharacterSet = "ISO_IR 100"
    ds.StudyDescription = "é" * 129  # 129 bytes in Latin-1, 258 in UTF-8
    ds.SeriesDescription = "x" * 256
    full = oj.full_tags(roundtrip(ds))
    assert full["0008,1030"]["Type"] == "TooLong"
    assert full["0008,1030"]["Value"] is None
    assert full["0008,103e"]["Type"] == "String"
    assert oj.instance_tags(roundtrip(ds), "simplify")["StudyDescription"] is None


def test_charsets() -> None:
    assert Charset(named(DEFAULT).codec).decode(b"Caf\xe9") == "Café"
    assert Charset("utf-8").decode(b"\xe5\xb1\xb1\xff") == "山"  # invalid bytes skipped
    assert ASCII.decode(b"a\xe9\x01b\nc") == "ab\nc"
    assert Charset("shift_jis").decode(b"A\\B") == "A\u00a5B"
    ds = Dataset()
    ds.SpecificCharacterSet = ["", "ISO_IR 192"]
    assert Charset.of(ds).codec == "utf-8"
    ds.SpecificCharacterSet = "ISO_IR 999"
    assert Charset.of(ds).codec is None  # unknown: Orthanc falls back to ASCII
    assert Charset.of(Dataset()).codec == "iso8859_1"


def test_names_follow_dcmtk() -> None:
    assert tag_name(0x00100010) == "PatientName"
    assert tag_name(0x00321030) == "RETIRED_ReasonForStudy"
    assert tag_name(0x00101000) == "OtherPatientIDs"  # Orthanc's patch, retired in DCMTK
    assert tag_name(0x00080000) == "GenericGroupLength"
    assert tag_name(0x00090000) == "PrivateGroupLength"
    assert tag_name(0x00090010) == "PrivateCreator"
    assert tag_name(0x60020010) == "OverlayRows"
    assert tag_name(0x00091001, "GEMS_IDEN_01") == "FullFidelity"
    assert tag_name(0x00191014, "GEMS_ACQU_01") == "EndNumberForBaseline"  # no spaces
    assert tag_name(0x00091001, None) == UNKNOWN_TAG_NAME
    assert tag_name(0x0008EEEE) == UNKNOWN_TAG_NAME


def test_private_creator_is_reported_per_item() -> None:
    item = Dataset()
    item.private_block(0x0009, "GEMS_IDEN_01", create=True).add_new(0x01, "SH", "x")
    ds = Dataset()
    ds.ReferencedImageSequence = Sequence([item])
    ds.add_new(0x00091001, "SH", "orphan")
    full = oj.full_tags(roundtrip(ds))
    nested = full["0008,1140"]["Value"][0]["0009,1001"]
    assert nested == {
        "Name": "FullFidelity",
        "PrivateCreator": "GEMS_IDEN_01",
        "Type": "String",
        "Value": "x",
    }
    assert full["0009,1001"]["Name"] == UNKNOWN_TAG_NAME
    assert "PrivateCreator" not in full["0009,1001"]


def test_sequences_and_simplify() -> None:
    inner = Dataset()
    inner.CodeValue = "1"
    ds = Dataset()
    ds.ConceptNameCodeSequence = Sequence([inner, Dataset()])
    ds.ReferencedImageSequence = Sequence([])
    ds = roundtrip(ds)
    full = oj.full_tags(ds)
    assert full["0040,a043"]["Type"] == "Sequence"
    assert full["0040,a043"]["Value"][1] == {}
    assert oj.instance_tags(ds, "simplify") == {
        "ConceptNameCodeSequence": [{"CodeValue": "1"}, {}],
        "ReferencedImageSequence": [],
    }
    assert oj.instance_tags(ds, "short")["0040,a043"] == [{"0008,0100": "1"}, {}]


def test_pixel_data_is_null_and_later_elements_are_dropped() -> None:
    ds = Dataset()
    ds.Rows = 1
    ds.BitsAllocated = 8
    ds.add_new(0x7FE00010, "OB", b"\x00\x00")
    ds.add_new(0xFFFA0001, "LO", "after pixels")  # hypothetical trailing element
    full = oj.full_tags(roundtrip(ds))
    assert full["7fe0,0010"] == {"Name": "PixelData", "Type": "Null", "Value": None}
    assert "fffa,0001" not in full


def test_header_skips_binary_and_never_says_too_long() -> None:
    ds = roundtrip(Dataset())
    ds.file_meta.SourceApplicationEntityTitle = "A"
    header = oj.instance_header(ds)
    assert "0002,0001" not in header  # FileMetaInformationVersion is OB
    assert header["0002,0010"]["Value"] == ExplicitVRLittleEndian
    assert oj.instance_header(ds, "simplify")["TransferSyntaxUID"] == ExplicitVRLittleEndian
