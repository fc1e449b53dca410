"""Unit tests of Orthanc's main DICOM tags and series bookkeeping (no Orthanc needed)."""

from __future__ import annotations

from pydicom.dataset import Dataset
from pydicom.sequence import Sequence

from chalicelib.dicom import main_tags as mt
from chalicelib.dicom.series_status import parse_int64, series_status
from tests.support.dicom_factory import roundtrip, set_raw


def test_levels_and_formatting() -> None:
    ds = Dataset()
    ds.PatientName = "Doe^John"
    ds.PatientID = "P1 "
    ds.OtherPatientIDs = ["A", "B"]
    ds.AccessionNumber = ""
    ds.StudyInstanceUID = "1.2.3"
    ds.SeriesInstanceUID = "1.2.3.4"
    ds.ImageOrientationPatient = ["1", "0", "0", "0", "1", "0"]
    ds.SOPInstanceUID = "1.2.3.4.5"
    ds.add_new(0x00540081, "US", 12)  # NumberOfSlices is a US: printed as a number
    ds.add_new(0x00080090, "PN", None)
    ds.ImageComments = "x" * 300  # too long: not a main tag
    tags = mt.extract_main_tags(roundtrip(ds))
    assert tags["Patient"] == {
        "PatientName": "Doe^John",
        "PatientID": "P1",
        "OtherPatientIDs": "A\\B",
    }
    assert tags["Study"] == {
        "AccessionNumber": "",
        "StudyInstanceUID": "1.2.3",
        "ReferringPhysicianName": "",
    }
    assert tags["Series"] == {
        "SeriesInstanceUID": "1.2.3.4",
        "ImageOrientationPatient": "1\\0\\0\\0\\1\\0",
        "NumberOfSlices": "12",
    }
    assert tags["Instance"] == {
        "SOPInstanceUID": "1.2.3.4.5",
        "ImageOrientationPatient": "1\\0\\0\\0\\1\\0",
    }


def test_sequences_and_nulls_are_not_main_tags() -> None:
    ds = Dataset()
    ds.add_new(0x00101000, "SQ", Sequence([]))  # a (malformed) sequence main tag
    ds.add_new(0x00280008, "US", None)
    assert mt.extract_main_tags(roundtrip(ds))["Patient"] == {}


def test_expected_number_of_instances() -> None:
    ds = Dataset()
    assert mt.expected_number_of_instances(ds) is None
    ds.CardiacNumberOfImages = "7"
    assert mt.expected_number_of_instances(ds) == 7
    ds.add_new(0x00540081, "US", 10)
    ds.add_new(0x00540101, "US", 2)
    assert mt.expected_number_of_instances(ds) == 20
    ds.ImagesInAcquisition = "4"
    ds.NumberOfTemporalPositions = "3"
    assert mt.expected_number_of_instances(ds) == 12
    ds.NumberOfTemporalPositions = "0"
    assert mt.expected_number_of_instances(ds) is None  # the first complete pair decides
    bad = Dataset()
    set_raw(bad, 0x00181090, "IS", b" 5")
    assert mt.expected_number_of_instances(bad) is None  # lexical_cast refuses spaces


def test_index_in_series() -> None:
    ds = Dataset()
    assert mt.index_in_series(ds) is None
    ds.add_new(0x00541330, "US", 3)
    assert mt.index_in_series(ds) == 3
    set_raw(ds, 0x00200013, "IS", b" 7 ")
    assert mt.index_in_series_metadata(ds) == "7"
    assert mt.index_in_series(ds) == 7
    set_raw(ds, 0x00200013, "IS", b"")
    assert mt.index_in_series_metadata(ds) == ""  # InstanceNumber wins, even empty
    assert mt.index_in_series(ds) is None


def test_series_status() -> None:
    assert series_status(None, [1, 2]) == "Unknown"
    assert series_status(2, [1, 2]) == "Complete"
    assert series_status(3, [1, 2]) == "Missing"
    assert series_status(2, [1, 1]) == "Inconsistent"
    assert series_status(2, [0]) == "Inconsistent"
    assert series_status(2, [3]) == "Inconsistent"
    assert series_status(2, ["1", "x"]) == "Unknown"
    assert series_status(2, ["1", None, "2"]) == "Complete"


def test_parse_int64() -> None:
    assert parse_int64("+5") == 5
    assert parse_int64("-5") == -5
    assert parse_int64("1.0") is None
    assert parse_int64("") is None
    assert parse_int64(str(2**63)) is None
