"""Synthetic DICOM instances for the ingest and image benchmarks.

Every instance is generated in memory before any timing starts, so the figures measure the
server, not pydicom on the client side. Instances are CT-like (16-bit MONOCHROME2, explicit VR
little endian, a valid Part 10 header) because that is what a PACS mostly receives, and they are
spread over a few patients, studies and series so that a server has both code paths to run:
creating ancestors (first instance of a series) and attaching to existing ones.
"""

from __future__ import annotations

import io
from collections.abc import Callable
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


def base_dataset(size: int) -> Dataset:
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


def generate(
    count: int, size: int = 64, pixel_data: Callable[[int, int], bytes] = _pixel_data
) -> list[Instance]:
    """``count`` distinct instances of ``size`` x ``size`` pixels (64: ~9 KB, 512: ~525 KB);
    ``pixel_data(size, seed)`` draws the images (8 seeds, reused in turn)."""
    base = base_dataset(size)
    pixels = [pixel_data(size, seed) for seed in range(8)]
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

        instances.append(Instance(sop_uid, part10(ds, ExplicitVRLittleEndian)))
    return instances


def part10(ds: Dataset, transfer_syntax: str) -> bytes:
    """``ds`` as a Part 10 file with a valid meta header in ``transfer_syntax``."""
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = ds.SOPClassUID
    meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    meta.TransferSyntaxUID = transfer_syntax
    meta.ImplementationClassUID = PYDICOM_IMPLEMENTATION_UID
    ds.file_meta = meta
    buffer = io.BytesIO()
    ds.save_as(buffer, enforce_file_format=True)
    return buffer.getvalue()


def phantom_ct_pixels(size: int, seed: int) -> bytes:
    """A CT-like ``size`` x ``size`` slice for the image benchmarks: air around a water disc
    holding a bone ring and a contrast spot, with noise, stored values within 12 bits (0-4095,
    i.e. -1024..3071 HU with the base's intercept). Unlike ``_pixel_data``, its values respect
    Bits Stored, so servers have no reason to differ on masking, and the preview's range
    stretch has a realistic histogram to work on."""
    import numpy as np

    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:size, 0:size] / size - 0.5
    radius = np.hypot(x, y)
    hu = np.full((size, size), -1000.0)
    hu[radius < 0.42] = 40.0
    hu[(radius > 0.36) & (radius < 0.40)] = 1200.0
    hu[np.hypot(x - 0.1 + seed * 0.01, y + 0.1) < 0.05] = 300.0
    hu += rng.normal(0.0, 12.0, hu.shape)
    stored = np.clip(hu + 1024.0, 0, 4095).astype("<u2")
    return stored.tobytes()


def ultrasound(frames: int = 30, rows: int = 480, columns: int = 640) -> Instance:
    """A colour cine loop as an ultrasound scanner sends it: ``frames`` YBR_FULL_422 frames,
    each a JPEG baseline image (Pillow, 4:2:2 subsampling, quality 90), encapsulated with a
    basic offset table. Each frame is a grey speckle fan with a colour Doppler blob that moves
    from frame to frame, so the JPEG sizes are realistic (speckle does not compress well)."""
    import numpy as np
    from PIL import Image
    from pydicom.encaps import encapsulate
    from pydicom.uid import JPEGBaseline8Bit, UltrasoundMultiFrameImageStorage

    rng = np.random.default_rng(6)
    y, x = np.mgrid[0:rows, 0:columns].astype(float)
    depth = np.hypot(x - columns / 2, y)
    angle = np.degrees(np.arctan2(x - columns / 2, y))
    fan = (np.abs(angle) < 40) & (depth < rows * 0.95)
    encoded = []
    for frame in range(frames):
        grey = np.where(fan, rng.gamma(2.0, 40.0, (rows, columns)), 0.0)
        rgb = np.repeat(np.clip(grey, 0, 255)[..., None], 3, axis=2)
        centre = (columns / 2 + 60 * np.sin(frame / 5), rows / 2)
        blob = fan & (np.hypot(x - centre[0], y - centre[1]) < 50)
        rgb[blob] = (220, 40, 30) if frame % 2 else (30, 60, 230)
        buffer = io.BytesIO()
        Image.fromarray(rgb.astype(np.uint8), "RGB").save(
            buffer, "JPEG", quality=90, subsampling="4:2:2"
        )
        encoded.append(buffer.getvalue())

    ds = Dataset()
    ds.SOPClassUID = UltrasoundMultiFrameImageStorage
    ds.SOPInstanceUID = generate_uid()
    ds.Modality = "US"
    ds.Manufacturer = "Cirrus bench"
    ds.PatientName = "Bench^Ultrasound"
    ds.PatientID = f"BENCH-{generate_uid()[-12:]}"
    ds.PatientBirthDate = "19700101"
    ds.PatientSex = "O"
    ds.StudyInstanceUID = generate_uid()
    ds.StudyDate = "20240101"
    ds.StudyTime = "120000"
    ds.StudyID = "1"
    ds.AccessionNumber = ""
    ds.ReferringPhysicianName = ""
    ds.StudyDescription = "Image benchmark"
    ds.SeriesInstanceUID = generate_uid()
    ds.SeriesNumber = 1
    ds.InstanceNumber = 1
    ds.NumberOfFrames = frames
    ds.FrameTime = "33.3"
    ds.FrameIncrementPointer = 0x00181063  # Frame Time
    ds.SamplesPerPixel = 3
    ds.PhotometricInterpretation = "YBR_FULL_422"
    ds.PlanarConfiguration = 0
    ds.Rows = rows
    ds.Columns = columns
    ds.BitsAllocated = 8
    ds.BitsStored = 8
    ds.HighBit = 7
    ds.PixelRepresentation = 0
    ds.PixelData = encapsulate(encoded)
    ds["PixelData"].VR = "OB"
    return Instance(ds.SOPInstanceUID, part10(ds, JPEGBaseline8Bit))
