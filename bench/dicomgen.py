"""Synthetic DICOM instances for the ingest benchmark.

Every instance is generated in memory before any timing starts, so the figures measure the
server, not pydicom on the client side. Instances are CT-like (16-bit MONOCHROME2, explicit VR
little endian, a valid Part 10 header) because that is what a PACS mostly receives, and they are
spread over a few patients, studies and series so that a server has both code paths to run:
creating ancestors (first instance of a series) and attaching to existing ones.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import (
    PYDICOM_IMPLEMENTATION_UID,
    CTImageStorage,
    ExplicitVRLittleEndian,
    generate_uid,
)

# Instances per series and series per study: 500 instances make 5 studies of 5 series, so
# about 5% of the uploads create ancestors, as when a modality sends a few CT series.
INSTANCES_PER_SERIES = 20
SERIES_PER_STUDY = 5
STUDIES_PER_PATIENT = 2


@dataclass(frozen=True)
class Instance:
    """One generated file: its bytes and its SOP Instance UID (to recognise answers)."""

    sop_uid: str
    data: bytes


def _pixel_data(size: int, seed: int) -> bytes:
    """A ``size`` x ``size`` 16-bit image: a cheap gradient that differs between instances.

    The content is irrelevant to ingest (no server decodes it), but identical files would hide
    nothing either: servers key on UIDs. A per-instance seed keeps the files genuinely distinct.
    """
    row = bytes(((x * 7 + seed) & 0xFF) for x in range(size * 2))
    return row * size


def _base_dataset(size: int) -> Dataset:
    """The attributes shared by every instance; UIDs and numbers are filled in per instance."""
    ds = Dataset()
    ds.SOPClassUID = CTImageStorage
    ds.Modality = "CT"
    ds.Manufacturer = "Cirrus bench"
    ds.StudyDate = "20240101"
    ds.StudyTime = "120000"
    ds.SeriesDate = "20240101"
    ds.ContentDate = "20240101"
    ds.ContentTime = "120000"
    ds.AccessionNumber = ""
    ds.ReferringPhysicianName = ""
    ds.BodyPartExamined = "CHEST"
    ds.ImageType = ["ORIGINAL", "PRIMARY", "AXIAL"]
    ds.SliceThickness = "1.0"
    ds.KVP = "120"
    ds.PixelSpacing = ["0.5", "0.5"]
    ds.ImageOrientationPatient = ["1", "0", "0", "0", "1", "0"]
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.Rows = size
    ds.Columns = size
    ds.BitsAllocated = 16
    ds.BitsStored = 12
    ds.HighBit = 11
    ds.PixelRepresentation = 0
    ds.RescaleIntercept = "-1024"
    ds.RescaleSlope = "1"
    ds.WindowCenter = "40"
    ds.WindowWidth = "400"
    return ds


def generate(count: int, size: int = 64) -> list[Instance]:
    """``count`` distinct instances of ``size`` x ``size`` pixels (64: ~9 KB, 512: ~525 KB)."""
    base = _base_dataset(size)
    pixels = [_pixel_data(size, seed) for seed in range(8)]
    instances: list[Instance] = []
    patient = study = series = ""
    patient_id = ""
    for i in range(count):
        in_series = i % INSTANCES_PER_SERIES
        series_number = i // INSTANCES_PER_SERIES
        if in_series == 0:
            if series_number % SERIES_PER_STUDY == 0:
                study_number = series_number // SERIES_PER_STUDY
                if study_number % STUDIES_PER_PATIENT == 0:
                    patient_id = f"BENCH-{generate_uid()[-12:]}"
                    patient = f"Bench^Patient{study_number // STUDIES_PER_PATIENT}"
                study = generate_uid()
            series = generate_uid()
        ds = Dataset()
        ds.update(base)
        sop_uid = generate_uid()
        ds.SOPInstanceUID = sop_uid
        ds.PatientName = patient
        ds.PatientID = patient_id
        ds.PatientBirthDate = "19700101"
        ds.PatientSex = "O"
        ds.StudyInstanceUID = study
        ds.StudyID = str(series_number // SERIES_PER_STUDY + 1)
        ds.StudyDescription = "Ingest benchmark"
        ds.SeriesInstanceUID = series
        ds.SeriesNumber = series_number % SERIES_PER_STUDY + 1
        ds.SeriesDescription = f"Series {series_number % SERIES_PER_STUDY + 1}"
        ds.InstanceNumber = in_series + 1
        ds.ImagePositionPatient = ["0", "0", f"{in_series:.1f}"]
        ds.SliceLocation = f"{in_series:.1f}"
        ds.PixelData = pixels[i % len(pixels)]
        ds["PixelData"].VR = "OW"

        meta = FileMetaDataset()
        meta.MediaStorageSOPClassUID = CTImageStorage
        meta.MediaStorageSOPInstanceUID = sop_uid
        meta.TransferSyntaxUID = ExplicitVRLittleEndian
        meta.ImplementationClassUID = PYDICOM_IMPLEMENTATION_UID
        ds.file_meta = meta

        buffer = io.BytesIO()
        ds.save_as(buffer, enforce_file_format=True)
        instances.append(Instance(sop_uid, buffer.getvalue()))
    return instances
