"""Unit tests of the raw values of ``/content``, ``/frames``' count, ``?ignore-length`` and the
DICOM JSON model on hand-made datasets (no Orthanc needed). The expectations were checked
against Orthanc 1.10.1; tests/interop/test_content_parity_vs_orthanc.py keeps them honest."""

from __future__ import annotations

import io
import math

import pydicom
import pytest
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.encaps import encapsulate
from pydicom.sequence import Sequence
from pydicom.uid import RLELossless

from chalicelib.dicom import dicom_json, orthanc_json, pixels, raw_values
from chalicelib.dicom.tag_dictionary import parse_tag, tag_for_name
from chalicelib.errors import ErrorCode, OrthancError
from tests.support.dicom_factory import make_instance, roundtrip, set_raw

# --------------------------------------------------------------------------------------------
# raw_values
# --------------------------------------------------------------------------------------------


def test_big_endian_words_come_out_in_host_order() -> None:
    assert raw_values.host_order(b"\x01\x02\x03\x04", "OW", little_endian=False) == (
        b"\x02\x01\x04\x03"
    )
    assert raw_values.host_order(b"\x01\x02\x03\x04", "UL", little_endian=False) == (
        b"\x04\x03\x02\x01"
    )
    assert raw_values.host_order(b"\x01\x02\x03", "US", little_endian=False) == b"\x02\x01\x03"
    assert raw_values.host_order(b"\x01\x02", "OB", little_endian=False) == b"\x01\x02"
    assert raw_values.host_order(b"\x01\x02", "OW", little_endian=True) == b"\x01\x02"


@pytest.mark.parametrize(
    ("stored", "vr", "served"),
    [
        (b"A\\B   ", "CS", b"A\\B "),
        (b"desc  ", "LO", b"desc"),
        (b"  ", "LO", b""),
        (b"st \x00", "ST", b"st"),
        (b"x\x00y ", "PN", b"x\x00y "),
        (b" lead ", "LO", b" lead "),
        (b"1.2 ", "UI", b"1.2\x00"),
        (b"1.2\x00\x00", "UI", b"1.2\x00"),
    ],
)
def test_text_is_stripped_then_padded_to_an_even_length(
    stored: bytes, vr: str, served: bytes
) -> None:
    assert raw_values.padded_text(stored, vr) == served


def test_empty_and_converted_values() -> None:
    ds = Dataset()
    ds.add_new(0x00101020, "DS", None)
    ds.add_new(0x00280010, "US", 512)
    ds.SpecificCharacterSet = ["ISO 2022 IR 13", "ISO 2022 IR 87"]
    assert raw_values.leaf_bytes(ds, 0x00101020) == b""
    assert raw_values.leaf_bytes(ds, 0x00280010) == b"\x00\x02"
    assert raw_values.leaf_bytes(ds, 0x00080005) == b"ISO 2022 IR 13\\ISO 2022 IR 87 "


def _encapsulated(fragments: list[bytes]) -> Dataset:
    ds = pydicom.dcmread(io.BytesIO(make_instance("RLE")))
    ds.file_meta = FileMetaDataset(ds.file_meta)
    ds.file_meta.TransferSyntaxUID = RLELossless
    ds.PixelData = encapsulate(fragments, fragments_per_frame=1, has_bot=True)
    ds["PixelData"].VR = "OB"
    out = io.BytesIO()
    ds.save_as(out, enforce_file_format=True)
    return pydicom.dcmread(io.BytesIO(out.getvalue()))


def test_pixel_data_items() -> None:
    native = roundtrip(pydicom.dcmread(io.BytesIO(make_instance("NATIVE"))))
    assert raw_values.pixel_data_items(native) == [native.PixelData]
    # A fragment may hold the bytes of a sequence delimiter: items are read by length.
    fragments = [b"\xfe\xff\xdd\xe0\x00\x00\x00\x00", b"second"]
    ds = _encapsulated(fragments)
    assert raw_values.is_encapsulated(ds)
    items = raw_values.pixel_data_items(ds)
    assert items[1:] == fragments
    assert len(items[0]) == 8  # the Basic Offset Table: two offsets


# --------------------------------------------------------------------------------------------
# /frames
# --------------------------------------------------------------------------------------------


def _frames(value: bytes | None, pixel_data: bool = True) -> Dataset:
    ds = pydicom.dcmread(io.BytesIO(make_instance("FRAMES")))
    if not pixel_data:
        del ds.PixelData
    if value is not None:
        set_raw(ds, 0x00280008, "IS", value)
    return roundtrip(ds)


@pytest.mark.parametrize(
    ("value", "count"),
    [(None, 1), (b"", 1), (b"0 ", 0), (b"3 ", 3), (b"+2", 2), (b"-0", 0), (b"2\x00", 2)],
)
@pytest.mark.parametrize("pixel_data", [True, False])
def test_frames_listed_from_number_of_frames(
    value: bytes | None, count: int, pixel_data: bool
) -> None:
    assert pixels.listed_frames(_frames(value, pixel_data)) == count


@pytest.mark.parametrize("value", [b" 2", b"  ", b"1A", b"-1", b"2.0 ", b"2\\3 ", b"2147483648"])
def test_malformed_number_of_frames_is_a_bad_file(value: bytes) -> None:
    with pytest.raises(OrthancError) as caught:
        pixels.listed_frames(_frames(value))
    assert caught.value.code is ErrorCode.BAD_FILE_FORMAT


def test_absurd_frame_counts_are_refused() -> None:
    with pytest.raises(OrthancError):
        pixels.listed_frames(_frames(b"99999999"))


# --------------------------------------------------------------------------------------------
# ?ignore-length
# --------------------------------------------------------------------------------------------


def test_tags_are_read_as_orthanc_reads_them_in_options() -> None:
    assert parse_tag("0010-0010") == parse_tag("00100010") == parse_tag("PatientName")
    # DCMTK's findTagFromName reads "%x,%x" before names: any short spelling of a pair.
    assert parse_tag("0010,0010") == parse_tag("10,10") == parse_tag(" 0x10,0x10") == 0x00100010
    assert parse_tag("0008-103E") == parse_tag("0008-103e") == 0x0008103E
    assert parse_tag("RETIRED_OtherPatientIDs") == 0x00101000
    assert parse_tag("OverlayDescription") == 0x60000022  # a repeating group: the first
    assert tag_for_name("CRImageParamsCommon") == 0x00190010  # private: never an element
    for text in ("patientname", "OtherPatientIDs", "0x00100010", "", "0010-001g", "10-10"):
        assert parse_tag(text) is None, text


def test_ignore_length_lists() -> None:
    assert orthanc_json.ignored_lengths(None) == frozenset()
    assert orthanc_json.ignored_lengths("0010-0010,CodeMeaning") == {0x00100010, 0x00080104}
    for option in ("", "0010,0010", "0010-0010,", "bogus"):
        with pytest.raises(OrthancError) as caught:
            orthanc_json.ignored_lengths(option)
        assert caught.value.code is ErrorCode.UNKNOWN_DICOM_TAG


def test_ignored_lengths_apply_in_sequences_too() -> None:
    ds = Dataset()
    ds.PatientName = "N" * 300
    item = Dataset()
    item.CodeMeaning = "M" * 257
    ds.ConceptNameCodeSequence = Sequence([item])
    ds = roundtrip(ds)
    full = orthanc_json.full_tags(ds)
    assert full["0010,0010"]["Type"] == "TooLong"
    assert full["0040,a043"]["Value"][0]["0008,0104"]["Type"] == "TooLong"
    full = orthanc_json.full_tags(ds, frozenset({0x00080104}))
    assert full["0010,0010"]["Type"] == "TooLong"
    assert full["0040,a043"]["Value"][0]["0008,0104"]["Value"] == "M" * 257


# --------------------------------------------------------------------------------------------
# DICOM JSON
# --------------------------------------------------------------------------------------------


def test_dicom_json_values() -> None:
    ds = Dataset()
    for tag, vr, value in [
        (0x00100000, "UL", b"\x00\x00\x00\x00"),
        (0x00100010, "PN", b"A^B=C^D\\"),
        (0x00080008, "CS", b"ORIGINAL\\\\AXIAL "),
        (0x00204000, "LT", b"x\\y "),
        (0x00200032, "DS", b"1.50\\\\abc\\4 "),
        (0x00200012, "IS", b" 0012"),
        (0x00189305, "FD", b"\x00\x00\x00\x00\x00\x00\xf8\x7f"),
        (0x00189315, "OF", b"\x00\x00\x80\x3f"),
        (0x00189313, "UV", b"\x01" * 8),
        (0x00291011, "UN", b""),
    ]:
        set_raw(ds, tag, vr, value)
    ds.ReferencedImageSequence = Sequence([Dataset()])
    model = dicom_json.dataset_json(roundtrip(ds))
    assert "00100000" not in model and "00189313" not in model and "00291011" not in model
    assert model["00100010"] == {
        "vr": "PN",
        "Value": [{"Alphabetic": "A^B", "Ideographic": "C^D"}, {}],
    }
    assert model["00080008"] == {"vr": "CS", "Value": ["ORIGINAL", None, "AXIAL"]}
    assert model["00204000"] == {"vr": "LT", "Value": ["x", "y"]}
    assert model["00200032"] == {"vr": "DS", "Value": [1.5, None]}  # up to "abc"
    assert model["00200012"] == {"vr": "IS", "Value": [12]}
    assert model["00189305"] == {"vr": "FD", "Value": [None]}
    assert model["00189315"] == {"vr": "OF", "Value": [1.0]}
    assert model["00081140"] == {"vr": "SQ"}  # its one item is empty


def test_dicom_json_numbers() -> None:
    ds = Dataset()
    set_raw(ds, 0x00200032, "DS", b"-inf\\1e400")
    set_raw(ds, 0x00201041, "DS", b"abc ")
    model = dicom_json.dataset_json(roundtrip(ds))
    assert model["00200032"]["Value"][0] == -math.inf
    assert len(model["00200032"]["Value"]) == 1  # 1e400 is out of range
    assert model["00201041"] == {"vr": "DS", "Value": []}
