"""The DICOMDIR writer: records as Orthanc 1.10.1 writes them, offsets that pydicom's own
File-set reader follows."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

import pydicom
from pydicom.fileset import FileSet
from pydicom.uid import generate_uid

from chalicelib.dicom.dicomdir import DicomDir
from tests.support.dicom_factory import make_instance, to_file

NOW = datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)


def _header(data: bytes) -> pydicom.Dataset:
    return pydicom.dcmread(io.BytesIO(data), stop_before_pixels=True)


def _write(tmp_path: Path, files: list[bytes], extended: bool = False) -> bytes:
    directory = DicomDir(extended, now=NOW)
    (tmp_path / "IMAGES").mkdir()
    for position, data in enumerate(files):
        (tmp_path / "IMAGES" / f"IM{position}").write_bytes(data)
        directory.add(f"IMAGES/IM{position}", _header(data))
    encoded = directory.encode()
    (tmp_path / "DICOMDIR").write_bytes(encoded)
    return encoded


def test_pydicom_file_set_finds_every_instance_through_the_offsets(tmp_path: Path) -> None:
    study = generate_uid()
    files = [make_instance("A", study, generate_uid(), instance_number=n) for n in (1, 2)]
    files += [make_instance("B"), make_instance("A", study)]
    _write(tmp_path, files)
    file_set = FileSet(tmp_path / "DICOMDIR")
    assert sorted(Path(i.path).name for i in file_set) == ["IM0", "IM1", "IM2", "IM3"]
    kinds = [
        r.DirectoryRecordType
        for r in pydicom.dcmread(tmp_path / "DICOMDIR").DirectoryRecordSequence
    ]
    # depth first, in the order instances were added: patient A's two series, then B
    assert kinds == [
        "PATIENT", "STUDY", "SERIES", "IMAGE", "SERIES", "IMAGE", "SERIES", "IMAGE",
        "PATIENT", "STUDY", "SERIES", "IMAGE",
    ]  # fmt: skip


def test_records_hold_orthancs_attributes(tmp_path: Path) -> None:
    data = make_instance(
        "P1",
        PatientName="Doe^Jöhn",
        SpecificCharacterSet="ISO_IR 192",
        StudyTime="",
        SeriesDescription="Axial",
        SeriesNumber=3,
    )
    records = pydicom.dcmread(io.BytesIO(_write(tmp_path, [data]))).DirectoryRecordSequence
    patient, study, series, image = records
    assert patient.PatientName == "Doe^Jhn"  # non-ASCII dropped
    assert patient.SpecificCharacterSet == "ISO_IR 192"
    assert study.StudyDate == "20240102"
    assert study.StudyTime == ""  # present but empty: copied, no fallback
    assert "StudyID" not in study  # type 1C without a value
    assert study.AccessionNumber == "" and study.StudyDescription == ""
    assert series.SeriesNumber == 3
    assert "SeriesDescription" not in series
    assert image.ReferencedFileID == ["IMAGES", "IM0"]
    assert image.ReferencedTransferSyntaxUIDInFile == "1.2.840.10008.1.2.1"
    assert image.InstanceNumber == 1
    assert {r.RecordInUseFlag for r in records} == {0xFFFF}


def test_extended_adds_the_series_description(tmp_path: Path) -> None:
    data = make_instance("P1", SeriesDescription="Axial")
    records = pydicom.dcmread(io.BytesIO(_write(tmp_path, [data], True))).DirectoryRecordSequence
    assert records[2].SeriesDescription == "Axial"


def test_missing_study_date_and_time_fall_back_then_use_now(tmp_path: Path) -> None:
    first = pydicom.dcmread(io.BytesIO(make_instance("A", SeriesDate="20200101")))
    del first.StudyDate
    second = pydicom.dcmread(io.BytesIO(make_instance("B")))
    del second.StudyDate
    encoded = _write(tmp_path, [to_file(first), to_file(second)])
    studies = [
        r for r in pydicom.dcmread(io.BytesIO(encoded)).DirectoryRecordSequence
        if r.DirectoryRecordType == "STUDY"
    ]  # fmt: skip
    assert [s.StudyDate for s in studies] == ["20200101", "20240506"]
    assert [s.StudyTime for s in studies] == ["070809.000000", "070809.000000"]


def test_an_instance_added_twice_is_listed_once(tmp_path: Path) -> None:
    directory = DicomDir()
    header = _header(make_instance("A"))
    directory.add("IMAGES/IM0", header)
    directory.add("IMAGES/IM1", header)
    records = pydicom.dcmread(io.BytesIO(directory.encode())).DirectoryRecordSequence
    assert [r.DirectoryRecordType for r in records] == ["PATIENT", "STUDY", "SERIES", "IMAGE"]


def test_an_empty_media_has_an_empty_directory() -> None:
    ds = pydicom.dcmread(io.BytesIO(DicomDir().encode()))
    assert ds.FileSetID == "ORTHANC_MEDIA"
    assert ds.DirectoryRecordSequence == []
    assert ds.OffsetOfTheFirstDirectoryRecordOfTheRootDirectoryEntity == 0
