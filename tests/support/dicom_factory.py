"""Small, valid DICOM files generated for tests (no third-party sample data needed)."""

from __future__ import annotations

import io

import pydicom
from pydicom.dataelem import RawDataElement
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.tag import BaseTag
from pydicom.uid import CTImageStorage, ExplicitVRLittleEndian, generate_uid


def make_instance(
    patient_id: str = "PAT1",
    study_uid: str | None = None,
    series_uid: str | None = None,
    sop_uid: str | None = None,
    instance_number: int = 1,
    size: int = 8,
    **tags: object,
) -> bytes:
    """A CT image of ``size`` x ``size`` 16-bit pixels with the given identifiers and tags."""
    ds = Dataset()
    ds.PatientID = patient_id
    ds.PatientName = "Test^Patient"
    ds.StudyInstanceUID = study_uid or generate_uid()
    ds.SeriesInstanceUID = series_uid or generate_uid()
    ds.SOPInstanceUID = sop_uid or generate_uid()
    ds.SOPClassUID = CTImageStorage
    ds.Modality = "CT"
    ds.StudyDate = "20240102"
    ds.InstanceNumber = instance_number
    ds.Rows = ds.Columns = size
    ds.BitsAllocated = ds.BitsStored = 16
    ds.HighBit = 15
    ds.PixelRepresentation = 0
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.PixelData = bytes(range(256)) * (size * size * 2 // 256) + bytes(size * size * 2 % 256)
    for keyword, value in tags.items():
        setattr(ds, keyword, value)
    return to_file(ds)


def to_file(ds: Dataset) -> bytes:
    """``ds`` as a DICOM file (Part 10, explicit VR little endian) named by its own UIDs."""
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = ds.SOPClassUID
    meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.file_meta = meta
    out = io.BytesIO()
    ds.save_as(out, enforce_file_format=True)
    return out.getvalue()


def roundtrip(ds: Dataset) -> Dataset:
    """Write ``ds`` as a file and read it back, so its elements are raw as in production."""
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.file_meta.MediaStorageSOPClassUID = "1.2.3"
    ds.file_meta.MediaStorageSOPInstanceUID = "1.2.3.4"
    buffer = io.BytesIO()
    ds.save_as(buffer, enforce_file_format=True)
    return pydicom.dcmread(io.BytesIO(buffer.getvalue()))


def set_raw(ds: Dataset, tag: int, vr: str, value: bytes) -> None:
    """Put an element with exactly these value bytes (explicit VR little endian)."""
    ds[tag] = RawDataElement(BaseTag(tag), vr, len(value), value, 0, False, True)
