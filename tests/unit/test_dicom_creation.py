"""The DICOM building of ``POST /tools/create-dicom`` (chalicelib/dicom/creation.py), without
AWS: the files Orthanc 1.10.1 would write for a request, and its errors. The expected bytes
and messages were observed on Orthanc 1.10.1 (tests/interop/test_create_dicom_vs_orthanc.py
checks them side by side)."""

from __future__ import annotations

import base64
import io
import struct
import uuid
import zlib
from datetime import UTC, datetime
from typing import Any

import imagecodecs
import numpy as np
import pydicom
import pytest
from PIL import Image
from pydicom.datadict import tag_for_keyword

from chalicelib.dicom.creation import (
    DCMTK_GENERIC_FILE,
    ParentTags,
    prepare,
)
from chalicelib.dicom.identifiers import Level
from chalicelib.errors import ErrorCode, OrthancError, ServerFault
from tests.support.data_uris import jpeg_bytes as jpeg
from tests.support.data_uris import png, uri

NOW = datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)
LIMIT = 1 << 24
DATES = ("AcquisitionDate", "ContentDate", "InstanceCreationDate", "SeriesDate", "StudyDate")


def no_parent(parent_id: str) -> ParentTags:
    raise AssertionError(f"no parent expected, got {parent_id!r}")


def files(body: dict[str, Any], parent: ParentTags | None = None, limit: int = LIMIT) -> list[Any]:
    """The data sets the request creates, read back with pydicom."""
    found = (lambda _: parent) if parent else no_parent
    creation = prepare(body, found, limit, NOW)  # type: ignore[arg-type]
    datasets = []
    for data in creation.files():
        dataset = pydicom.dcmread(io.BytesIO(data))
        dataset.source = data  # for raw(), which reads the elements as written
        datasets.append(dataset)
    return datasets


def one(body: dict[str, Any], parent: ParentTags | None = None) -> Any:
    (dataset,) = files(body, parent)
    return dataset


def raw(dataset: Any, tag: int) -> tuple[str, bytes]:
    """The VR and bytes of a top-level element as written (before pydicom converts it)."""
    element = pydicom.dcmread(io.BytesIO(dataset.source)).get_item(tag)
    return element.VR, element.value or b""


def refused(body: dict[str, Any], parent: ParentTags | None = None) -> OrthancError:
    with pytest.raises(OrthancError) as caught:
        files(body, parent)
    return caught.value


# -- identifiers, dates, the file ------------------------------------------------------------


def test_a_new_instance_gets_identifiers_times_and_latin1() -> None:
    dataset = one({"Tags": {"PatientName": "Doe^John"}})
    assert uuid.UUID(dataset.PatientID)
    for uid in (dataset.StudyInstanceUID, dataset.SeriesInstanceUID, dataset.SOPInstanceUID):
        assert uid.startswith("2.25.")
    assert len({dataset.StudyInstanceUID, dataset.SeriesInstanceUID, dataset.SOPInstanceUID}) == 3
    for name in DATES:
        assert dataset[name].value == "20240102"
        assert dataset[name.replace("Date", "Time")].value == "030405.000000"
    assert dataset.SpecificCharacterSet == "ISO_IR 100"
    assert "SOPClassUID" not in dataset  # as in Orthanc, an image without a SOP class
    meta = dataset.file_meta
    assert meta.MediaStorageSOPClassUID == DCMTK_GENERIC_FILE
    assert meta.MediaStorageSOPInstanceUID == dataset.SOPInstanceUID
    assert meta.TransferSyntaxUID == "1.2.840.10008.1.2.1"


@pytest.mark.parametrize(
    ("level", "written"),
    [
        (Level.PATIENT, {"SeriesDate", "StudyDate"}),
        (Level.STUDY, {"SeriesDate"}),
        (Level.SERIES, set()),
    ],
)
def test_a_parent_keeps_the_dates_of_its_levels(level: Level, written: set[str]) -> None:
    dataset = one({"Tags": {}, "Parent": "id"}, ParentTags(level, {}))
    assert {d for d in ("SeriesDate", "StudyDate") if d in dataset} == written
    assert dataset.ContentDate == "20240102"


# -- Tags ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["PatientName", "0010,0010", "0010-0010", "00100010"])
def test_tags_are_named_as_orthanc_reads_them(name: str) -> None:
    assert one({"Tags": {name: "Doe"}}).PatientName == "Doe"


def test_an_unknown_tag_name_is_orthancs_500() -> None:
    error = refused({"Tags": {"NoSuchTag": "x"}})
    assert isinstance(error, ServerFault) and error.code is ErrorCode.UNKNOWN_DICOM_TAG


def test_generated_values_are_overridden_only_with_force() -> None:
    error = refused({"Tags": {"0020,000d": "1.2.3"}})
    assert error.code is ErrorCode.CREATE_DICOM_OVERRIDE_TAG
    assert error.details == "0020,000d"  # the name as the request spelled it
    forced = one({"Tags": {"StudyInstanceUID": "1.2.3", "SOPInstanceUID": "1.2.4"}, "Force": True})
    assert (forced.StudyInstanceUID, forced.SOPInstanceUID) == ("1.2.3", "1.2.4")
    assert forced.file_meta.MediaStorageSOPInstanceUID == "1.2.4"


def test_patient_id_and_dates_are_overridden_without_force() -> None:
    dataset = one({"Tags": {"PatientID": "P1", "StudyDate": "19990101", "ContentTime": "12"}})
    assert (dataset.PatientID, dataset.StudyDate, dataset.ContentTime) == ("P1", "19990101", "12")


def test_pixel_data_goes_in_content() -> None:
    assert refused({"Tags": {"PixelData": "x"}}).code is ErrorCode.CREATE_DICOM_USE_CONTENT


def test_tags_are_applied_in_the_byte_order_of_their_names() -> None:
    # "0010,0010" sorts before "PatientName": the second one overrides the first one.
    error = refused({"Tags": {"PatientName": "B", "0010,0010": "A"}})
    assert (error.code, error.details) == (ErrorCode.CREATE_DICOM_OVERRIDE_TAG, "PatientName")
    # An unknown name is reported before a later PixelData.
    assert refused({"Tags": {"PixelData": "x", "Foo": "y"}}).code is ErrorCode.UNKNOWN_DICOM_TAG


@pytest.mark.parametrize(
    ("name", "value", "vr", "written"),
    [
        ("Rows", "512", "US", b"\x00\x02"),
        ("Rows", "-1", "US", b"\xff\xff"),  # boost::lexical_cast wraps unsigned values
        ("Columns", "+7", "US", b"\x07\x00"),
        ("TagAngleSecondAxis", "-2", "SS", struct.pack("<h", -2)),
        ("PixelPaddingValue", "3\\4", "US", b"\x03\x00\x04\x00"),
        ("RecommendedDisplayFrameRateInFloat", "2.5", "FL", struct.pack("<f", 2.5)),
        ("TimeRange", "1e3", "FD", struct.pack("<d", 1000.0)),
        ("FrameIncrementPointer", "Rows", "AT", b"\x28\x00\x10\x00"),
        ("RescaleSlope", "1.5", "DS", b"1.5 "),
        ("ReferencedFrameNumber", "1\\2", "IS", b"1\\2 "),
        ("SOPClassUID", "1.2.345", "UI", b"1.2.345\0"),
        ("PatientName", "Jé日", "PN", b"J\xe9"),  # Latin-1 lacks 日: dropped, as Orthanc does
        ("0008,9999", "ab", "UN", b"ab"),
    ],
)
def test_values_are_written_as_dcmtk_writes_them(
    name: str, value: str, vr: str, written: bytes
) -> None:
    dataset = one({"Tags": {name: value}, "Force": True})
    assert raw(dataset, tag_for_keyword(name) or int(name[:4] + name[5:], 16)) == (vr, written)


@pytest.mark.parametrize(
    ("name", "value", "tag"),
    [
        ("Rows", "abc", "0028,0010"),
        ("Rows", "70000", "0028,0010"),
        ("Rows", "1\\2", "0028,0010"),
        ("PixelPaddingValue", "-5", "0028,0120"),  # DCMTK makes it US, then refuses a sign
        ("TagAngleSecondAxis", "40000", "0018,9219"),
        ("RecommendedDisplayFrameRateInFloat", "1,5", "0008,9459"),
        ("RecommendedDisplayFrameRateInFloat", "1e39", "0008,9459"),
        ("ReferencedSeriesSequence", "x", "0008,1115"),
        ("0072,0082", "5", "0072,0082"),  # SV: no conversion in Orthanc 1.10.1
    ],
)
def test_values_out_of_range_are_refused_with_orthancs_message(
    name: str, value: str, tag: str
) -> None:
    error = refused({"Tags": {name: value}})
    assert error.code is ErrorCode.BAD_FILE_FORMAT
    assert error.details == (
        f'While creating a DICOM instance, tag ({tag}) has out-of-range value: "{value}"'
    )


def test_null_and_empty_values() -> None:
    dataset = one({"Tags": {"PatientName": None, "Rows": "", "ReferencedSeriesSequence": ""}})
    assert raw(dataset, 0x00100010) == ("PN", b"")
    assert raw(dataset, 0x00280010) == ("US", b"")
    assert dataset.ReferencedSeriesSequence == []
    # null goes through the conversion, which refuses an empty number or sequence
    for name in ("Rows", "ReferencedSeriesSequence"):
        assert refused({"Tags": {name: None}}).code is ErrorCode.BAD_FILE_FORMAT


def test_sequences_are_lists_of_items() -> None:
    dataset = one(
        {
            "Tags": {
                "ReferencedSeriesSequence": [
                    {"SeriesInstanceUID": "1.2", "ReferencedInstanceSequence": [{}]},
                    {},
                    [],
                ]
            }
        }
    )
    items = dataset.ReferencedSeriesSequence
    assert len(items) == 3 and items[0].SeriesInstanceUID == "1.2"
    assert len(items[0].ReferencedInstanceSequence) == 1 and len(items[1]) == len(items[2]) == 0


@pytest.mark.parametrize(
    ("value", "details"),
    [
        (5, "Bad Parameter type for tag 0010,0010"),
        (True, "Bad Parameter type for tag 0010,0010"),
        ({}, "Bad Parameter type for tag 0010,0010"),
        ([], "Bad Parameter type for tag 0010,0010"),  # a list for a tag that is no sequence
    ],
)
def test_values_of_other_json_types_are_refused(value: Any, details: str) -> None:
    error = refused({"Tags": {"PatientName": value}})
    assert (error.code, error.details) == (ErrorCode.BAD_PARAMETER_TYPE, details)


def test_bad_items_and_uid_types_are_refused_without_details() -> None:
    for tags in ({"ReferencedSeriesSequence": [5]}, {"SOPClassUID": 5}, {"SOPClassUID": None}):
        error = refused({"Tags": tags})
        assert (error.code, error.details) == (ErrorCode.BAD_PARAMETER_TYPE, None)


def test_binary_values_come_from_octet_stream_uris() -> None:
    abc = uri("application/octet-stream", b"ABC")
    dataset = one({"Tags": {"PatientName": abc, "0011,1001": abc, "ImageComments": "x"}})
    assert raw(dataset, 0x00100010) == ("PN", b"ABC ")
    assert raw(dataset, 0x00111001) == ("UN", b"ABC\0")
    kept = one({"Tags": {"PatientName": abc}, "InterpretBinaryTags": False})
    assert kept.PatientName == abc
    bad = refused({"Tags": {"PatientName": "data:application/octet-stream;base64,!!"}})
    assert (bad.code, bad.details) == (ErrorCode.BAD_FILE_FORMAT, None)
    odd = refused({"Tags": {"OverlayData": "abc"}})  # OW needs an even number of bytes
    assert (odd.code, odd.details) == (ErrorCode.INTERNAL_ERROR, None)


def test_private_tags_take_their_vr_from_the_creators_block() -> None:
    dataset = one(
        {
            "Tags": {"0029,1008": "IMAGE NUM 4", "0029,1009": "20", "0029,0010": "X"},
            "PrivateCreator": "SIEMENS CSA HEADER",
        }
    )
    assert raw(dataset, 0x00291008) == ("CS", b"IMAGE NUM 4 ")
    assert raw(dataset, 0x00291009)[0] == "LO"
    assert raw(dataset, 0x00290010) == ("UN", b"X\0")  # a creator element itself is UN
    unknown = one({"Tags": {"0009,1001": "x"}})
    assert raw(unknown, 0x00091001) == ("UN", b"x\0")


def test_group_lengths_and_meta_tags_are_dropped() -> None:
    dataset = one({"Tags": {"0010,0000": "12", "TransferSyntaxUID": "1.2.840.10008.1.2"}})
    assert 0x00100000 not in dataset and 0x00020010 not in dataset
    assert dataset.file_meta.TransferSyntaxUID == "1.2.840.10008.1.2.1"


def test_a_value_too_long_for_its_vr_is_written_as_un() -> None:
    assert raw(one({"Tags": {"StudyDescription": "x" * 70001}}), 0x00081030)[0] == "UN"


# -- character sets -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("requested", "written", "name", "encoded"),
    [
        ("ISO_IR 192", "ISO_IR 192", "Jé日", "Jé日".encode()),
        (" iso_ir 192 ", "ISO_IR 192", "x", b"x "),
        ("GBK", "GB18030", "中文", "中文".encode("gb18030")),
        ("ISO 2022 IR 126", "ISO_IR 126", "Ωμ", "Ωμ".encode("iso8859_7")),
        ("ISO_IR 6", "ISO_IR 6", "Jé\tx\nyz", b"Jx\nyz "),
    ],
)
def test_values_are_encoded_in_the_requested_character_set(
    requested: str, written: str, name: str, encoded: bytes
) -> None:
    dataset = one({"Tags": {"SpecificCharacterSet": requested, "PatientName": name}})
    assert dataset.SpecificCharacterSet == written
    assert raw(dataset, 0x00100010)[1] == encoded


def test_an_unknown_character_set_is_refused() -> None:
    error = refused({"Tags": {"SpecificCharacterSet": "FOO"}})
    assert (error.code, error.details) == (
        ErrorCode.PARAMETER_OUT_OF_RANGE,
        "Unknown specific character set: FOO",
    )
    error = refused({"Tags": {"SpecificCharacterSet": None}})
    assert error.code is ErrorCode.INTERNAL_ERROR  # jsoncpp throws on a non-string


# -- options and Parent -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "options", [{"InterpretBinaryTags": 1}, {"PrivateCreator": 1}, {"Force": "true"}]
)
def test_options_of_the_wrong_type_are_a_bad_request(options: dict[str, Any]) -> None:
    error = refused({"Tags": {}, **options})
    assert (error.code, error.details) == (ErrorCode.BAD_REQUEST, None)


@pytest.mark.parametrize("tags", [[], "x", None])
def test_tags_must_be_an_object(tags: Any) -> None:
    assert refused({"Tags": tags}).code is ErrorCode.BAD_REQUEST


def sibling(**tags: tuple[str, Any]) -> dict[str, Any]:
    """Orthanc's full JSON of an instance: ``{"gggg,eeee": (Type, Value)}``."""
    return {key: {"Name": "", "Type": kind, "Value": value} for key, (kind, value) in tags.items()}


def test_a_parent_lends_the_tags_of_its_modules_and_its_character_set() -> None:
    tags = sibling(
        **{
            "0008,0005": ("String", "ISO_IR 192"),
            "0010,0010": ("String", "Dœ^Jöhn"),
            "0010,0020": ("String", "PID"),
            "0010,0030": ("Null", None),
            "0008,1030": ("TooLong", None),
            "0020,000d": ("String", "1.2.3"),
            "0008,0020": ("String", "20200101"),
            "0008,1120": ("Sequence", []),
            "0008,103e": ("String", "not copied from a study"),
        }
    )
    dataset = one({"Tags": {"ImageComments": "é"}, "Parent": "id"}, ParentTags(Level.STUDY, tags))
    assert dataset.SpecificCharacterSet == "ISO_IR 192"
    assert (dataset.PatientName, dataset.PatientID) == ("Dœ^Jöhn", "PID")
    assert raw(dataset, 0x00100030) == ("DA", b"")
    assert (dataset.StudyInstanceUID, dataset.StudyDate) == ("1.2.3", "20200101")
    assert "StudyDescription" not in dataset and "ReferencedPatientSequence" not in dataset
    assert "SeriesDescription" not in dataset
    assert raw(dataset, 0x00204000)[1] == "é".encode()
    error = refused({"Tags": {"PatientName": "x"}, "Parent": "id"}, ParentTags(Level.STUDY, tags))
    assert (error.code, error.details) == (ErrorCode.CREATE_DICOM_OVERRIDE_TAG, "PatientName")


def test_a_parent_without_a_known_character_set_gives_latin1() -> None:
    tags = sibling(**{"0008,0005": ("String", "ISO 2022 IR 6\\ISO 2022 IR 87")})
    request = {"Tags": {"SpecificCharacterSet": "ISO_IR 192"}, "Parent": "id"}
    assert one(request, ParentTags(Level.PATIENT, tags)).SpecificCharacterSet == "ISO_IR 100"


def test_the_parent_is_looked_up_as_orthanc_reads_it() -> None:
    asked: list[str] = []

    def found(parent_id: str) -> ParentTags:
        asked.append(parent_id)
        return ParentTags(Level.PATIENT, {})

    prepare({"Tags": {}, "Parent": "abc"}, found, LIMIT, NOW)
    prepare({"Tags": {}, "Parent": 12}, found, LIMIT, NOW)
    assert asked == ["abc", ""]
    with pytest.raises(OrthancError) as caught:
        prepare({"Tags": {}, "Parent": {}}, found, LIMIT, NOW)
    assert caught.value.code is ErrorCode.INTERNAL_ERROR


# -- Content: images ----------------------------------------------------------------------------


RNG = np.random.default_rng(7)


@pytest.mark.parametrize(
    ("array", "photometric", "bits", "samples", "pixels"),
    [
        (RNG.integers(0, 255, (5, 7), dtype=np.uint8), "MONOCHROME2", 8, 1, None),
        (RNG.integers(0, 65535, (5, 7), dtype=np.uint16), "MONOCHROME2", 16, 1, None),
        (RNG.integers(0, 255, (5, 7, 3), dtype=np.uint8), "RGB", 8, 3, None),
        (RNG.integers(0, 255, (5, 7, 4), dtype=np.uint8), "RGB", 8, 3, "rgb"),
    ],
)
def test_png_images_become_the_image_pixel_module(
    array: np.ndarray, photometric: str, bits: int, samples: int, pixels: str | None
) -> None:
    dataset = one({"Tags": {}, "Content": png(array)})
    assert (dataset.Rows, dataset.Columns) == (5, 7)
    assert (dataset.PhotometricInterpretation, dataset.SamplesPerPixel) == (photometric, samples)
    assert (dataset.BitsAllocated, dataset.BitsStored, dataset.HighBit) == (bits, bits, bits - 1)
    assert dataset.PixelRepresentation == 0
    assert ("PlanarConfiguration" in dataset) == (samples == 3)
    expected = array[..., :3] if pixels == "rgb" else array
    data = expected.astype(expected.dtype.newbyteorder("<")).tobytes()
    assert raw(dataset, 0x7FE00010) == ("OW", data + b"\0" * (len(data) % 2))


def test_a_grey_image_keeps_the_photometric_interpretation_asked() -> None:
    content = png(np.zeros((2, 2), np.uint8))
    dataset = one({"Tags": {"PhotometricInterpretation": "MONOCHROME1"}, "Content": content})
    assert dataset.PhotometricInterpretation == "MONOCHROME1"


@pytest.mark.parametrize("mode", ["P", "LA", "1"])
def test_other_png_formats_are_not_implemented(mode: str) -> None:
    out = io.BytesIO()
    Image.new(mode, (2, 2)).save(out, "PNG")
    error = refused({"Tags": {}, "Content": uri("image/png", out.getvalue())})
    assert isinstance(error, ServerFault) and error.code is ErrorCode.NOT_IMPLEMENTED


def test_a_corrupt_png_is_a_bad_file() -> None:
    good = base64.b64decode(png(np.zeros((4, 4), np.uint8)).split(",")[1])
    for data in (b"\x89PNG", good[:40], good[:-20] + bytes(20)):
        error = refused({"Tags": {}, "Content": uri("image/png", data)})
        assert (error.code, error.details) == (ErrorCode.BAD_FILE_FORMAT, None)


def png_header(width: int, height: int) -> bytes:
    """A PNG signature and header claiming a size, without pixels."""
    header = b"IHDR" + struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + struct.pack(">I", 13)
        + header
        + struct.pack(">I", zlib.crc32(header))
    )


def test_an_image_too_large_to_decode_is_refused_before_decoding() -> None:
    request = {"Tags": {}, "Content": uri("image/png", png_header(50_000, 50_000))}
    with pytest.raises(OrthancError) as caught:
        prepare(request, no_parent, 10_000_000, NOW)
    assert caught.value.code is ErrorCode.BAD_REQUEST
    assert "50000x50000" in str(caught.value.details)


def test_jpeg_images_are_decoded_as_libjpeg_decodes_them() -> None:
    colour = RNG.integers(0, 255, (33, 47, 3), dtype=np.uint8)
    grey = RNG.integers(0, 255, (33, 47), dtype=np.uint8)
    for array, photometric in ((colour, "RGB"), (grey, "MONOCHROME2")):
        data = jpeg(array, quality=80)
        dataset = one({"Tags": {}, "Content": uri("image/jpeg", data)})
        assert (dataset.Rows, dataset.Columns) == (33, 47)
        assert dataset.PhotometricInterpretation == photometric
        assert raw(dataset, 0x7FE00010)[1][: array.size] == imagecodecs.jpeg8_decode(data).tobytes()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\0\0abc", "Not a JPEG file: starts with 0x00 0x00"),
        (b"", "Empty input file"),
        (
            imagecodecs.jpeg8_encode(np.zeros((8, 8), np.uint16) + 100, bitspersample=12),
            "Unsupported JPEG data precision 12",
        ),
        (
            imagecodecs.jpeg8_encode(np.zeros((8, 8), np.uint8), lossless=True),
            "Unsupported JPEG process: SOF type 0xc3",
        ),
    ],
)
def test_jpeg_errors_are_libjpegs(data: bytes, message: str) -> None:
    error = refused({"Tags": {}, "Content": uri("image/jpeg", data)})
    assert (error.code, error.details) == (
        ErrorCode.INTERNAL_ERROR,
        f"Error during JPEG decoding: {message}",
    )


def test_a_cmyk_jpeg_is_not_implemented() -> None:
    out = io.BytesIO()
    Image.fromarray(np.zeros((8, 8, 4), np.uint8), "CMYK").save(out, "JPEG")
    error = refused({"Tags": {}, "Content": uri("image/jpeg", out.getvalue())})
    assert isinstance(error, ServerFault) and error.code is ErrorCode.NOT_IMPLEMENTED


def test_a_jpeg_too_large_is_refused_from_its_frame_header() -> None:
    data = bytearray(jpeg(np.zeros((8, 8), np.uint8)))
    frame = data.index(b"\xff\xc0")
    data[frame + 5 : frame + 9] = struct.pack(">HH", 60000, 60000)
    with pytest.raises(OrthancError) as caught:
        prepare({"Tags": {}, "Content": uri("image/jpeg", bytes(data))}, no_parent, 1000, NOW)
    assert caught.value.code is ErrorCode.BAD_REQUEST


def pam(width: int, height: int, depth: int, maximum: int, kind: str, pixels: bytes) -> str:
    header = f"P7\nWIDTH {width}\nHEIGHT {height}\nDEPTH {depth}\nMAXVAL {maximum}\n"
    data = f"{header}TUPLTYPE {kind}\nENDHDR\n".encode() + pixels
    return uri("image/x-portable-arbitrarymap", data)


def test_pam_images() -> None:
    dataset = one({"Tags": {}, "Content": pam(2, 1, 1, 65535, "GRAYSCALE", b"\x01\x02\x03\x04")})
    assert dataset.BitsAllocated == 16
    assert raw(dataset, 0x7FE00010)[1] == b"\x02\x01\x04\x03"  # PAM is big endian
    rgb48 = refused({"Tags": {}, "Content": pam(1, 1, 3, 65535, "RGB", bytes(6))})
    assert isinstance(rgb48, ServerFault) and rgb48.code is ErrorCode.NOT_IMPLEMENTED
    short = refused({"Tags": {}, "Content": pam(2, 2, 1, 255, "GRAYSCALE", bytes(3))})
    assert short.code is ErrorCode.BAD_FILE_FORMAT


# -- Content: PDF, raw bytes, errors -------------------------------------------------------------


def test_a_pdf_becomes_an_encapsulated_pdf() -> None:
    dataset = one({"Tags": {"Modality": "DOC"}, "Content": uri("application/pdf", b"%PDF-1.4 x")})
    assert dataset.SOPClassUID == "1.2.840.10008.5.1.4.1.1.104.1"
    assert dataset.file_meta.MediaStorageSOPClassUID == dataset.SOPClassUID
    assert (dataset.Modality, dataset.ConversionType) == ("DOC", "WSD")
    assert dataset.MIMETypeOfEncapsulatedDocument == "application/pdf"
    assert raw(dataset, 0x00420011) == ("OB", b"%PDF-1.4 x")
    odd = one({"Tags": {}, "Content": uri("application/pdf", b"%PDF-1.4")})
    assert (odd.Modality, raw(odd, 0x00420011)[1]) == ("OT", b"%PDF-1.4")
    error = refused({"Tags": {}, "Content": uri("application/pdf", b"%PS")})
    assert (error.code, error.details) == (ErrorCode.BAD_FILE_FORMAT, "Not a PDF file")


def test_a_pdf_in_encapsulated_document_is_embedded_too() -> None:
    dataset = one({"Tags": {"EncapsulatedDocument": uri("application/pdf", b"%PDF-1.4 zz")}})
    assert dataset.SOPClassUID == "1.2.840.10008.5.1.4.1.1.104.1"


def test_raw_bytes_are_the_pixel_data_as_is() -> None:
    dataset = one({"Tags": {}, "Content": uri("application/octet-stream", b"abc")})
    assert raw(dataset, 0x7FE00010) == ("OW", b"abc\0")
    assert "Rows" not in dataset


@pytest.mark.parametrize(
    ("content", "code", "details"),
    [
        ("hello", ErrorCode.BAD_FILE_FORMAT, None),
        ("data:image/png,AAAA", ErrorCode.BAD_FILE_FORMAT, None),
        ("data:image/png;base64,!!!!", ErrorCode.BAD_FILE_FORMAT, None),
        ("data:foo/bar;base64,AAAA", ErrorCode.PARAMETER_OUT_OF_RANGE, None),
        (
            "DATA:IMAGE/GIF;BASE64,AAAA",
            ErrorCode.NOT_IMPLEMENTED,
            "Unsupported MIME type for the content of a new DICOM file: image/gif",
        ),
        (
            "data:text/xml;base64,AAAA",
            ErrorCode.NOT_IMPLEMENTED,
            "Unsupported MIME type for the content of a new DICOM file: application/xml",
        ),
        (5, ErrorCode.CREATE_DICOM_USE_DATA_URI_SCHEME, None),
        ({}, ErrorCode.CREATE_DICOM_USE_DATA_URI_SCHEME, None),
    ],
)
def test_content_that_cannot_be_embedded(content: Any, code: ErrorCode, details: str) -> None:
    error = refused({"Tags": {}, "Content": content})
    assert (error.code, error.details) == (code, details)


def test_base64_is_decoded_as_orthanc_decodes_it() -> None:
    # Decoding stops at the first '=', and an incomplete last group is ignored.
    dataset = one({"Tags": {}, "Content": "data:application/octet-stream;base64,QUJDR=QUJD"})
    assert raw(dataset, 0x7FE00010)[1] == b"ABC\0"


# -- series -------------------------------------------------------------------------------------


def test_a_list_of_contents_makes_a_series() -> None:
    grey = png(np.zeros((2, 3), np.uint8))
    items = [grey, {"Content": grey, "Tags": {"ImageComments": "2nd", "InstanceNumber": "9"}}]
    first, second = files({"Tags": {"PatientName": "S"}, "Content": items})
    assert first.SeriesInstanceUID == second.SeriesInstanceUID
    assert first.SOPInstanceUID != second.SOPInstanceUID
    assert [d.InstanceNumber for d in (first, second)] == [1, 2]
    assert [d.ImageIndex for d in (first, second)] == [1, 2]
    assert first.ImagesInAcquisition == 2 and first.NumberOfTemporalPositions == 1
    assert "ImageComments" not in first and second.ImageComments == "2nd"


def test_an_empty_list_makes_one_instance_without_pixels() -> None:
    assert "PixelData" not in one({"Tags": {}, "Content": []})


@pytest.mark.parametrize(
    ("item", "code", "details"),
    [
        ({}, ErrorCode.CREATE_DICOM_NO_PAYLOAD, None),
        (5, ErrorCode.CREATE_DICOM_USE_DATA_URI_SCHEME, None),
        ({"Content": 5}, ErrorCode.CREATE_DICOM_USE_DATA_URI_SCHEME, None),
        ({"Content": "x", "Tags": 5}, ErrorCode.BAD_REQUEST, "Tags field is not an array"),
        ("hello", ErrorCode.BAD_FILE_FORMAT, None),
    ],
)
def test_a_bad_item_fails_when_its_turn_comes(item: Any, code: ErrorCode, details: str) -> None:
    good = uri("application/octet-stream", b"ab")
    creation = prepare({"Tags": {}, "Content": [good, item]}, no_parent, LIMIT, NOW)
    assert creation.is_series
    produced = creation.files()
    next(produced)  # the first instance is built (and stored) before the second fails
    with pytest.raises(OrthancError) as caught:
        next(produced)
    assert (caught.value.code, caught.value.details) == (code, details)


# -- the deprecated form ------------------------------------------------------------------------


def test_the_deprecated_form_takes_tag_names_to_strings() -> None:
    grey = png(np.arange(6, dtype=np.uint8).reshape(2, 3))
    dataset = one({"PatientName": "Jé", "StudyDescription": "x", "PixelData": grey})
    assert (dataset.PatientName, dataset.Rows) == ("Jé", 2)
    assert raw(dataset, 0x00100010)[1] == b"J\xe9"  # Latin-1 without a character set
    assert "SpecificCharacterSet" not in dataset and "ContentDate" not in dataset
    assert refused({"PatientName": 5}).code is ErrorCode.CREATE_DICOM_NOT_STRING
    private = refused({"0009,1001": "x"})
    assert (private.code, private.details) == (
        ErrorCode.INTERNAL_ERROR,
        "Cannot apply this function to private tags: 0009,1001",
    )
    assert refused({"Content": "x"}).code is ErrorCode.UNKNOWN_DICOM_TAG
