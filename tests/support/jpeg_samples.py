"""Images for the JPEG codec tests (tests/unit/test_imagecodecs_plugin.py and
tests/interop/test_jpeg_codecs_vs_orthanc.py): smooth images of any bit depth, sign and colour,
and the multi-frame 12-bit JPEG whose scan headers pylibjpeg refuses."""

from __future__ import annotations

import io

import numpy as np
import pydicom
from pydicom.dataset import Dataset
from pydicom.encaps import encapsulate
from pydicom.uid import generate_uid

from chalicelib.dicom import codecs
from tests.support.dicom_factory import make_instance

EXTENDED = "1.2.840.10008.1.2.4.51"


def image(
    rows: int = 24,
    columns: int = 20,
    frames: int = 1,
    allocated: int = 16,
    stored: int = 12,
    signed: int = 0,
    samples: int = 1,
    photometric: str | None = None,
    patient_id: str = "CODECS",
    **tags: object,
) -> bytes:
    """A smooth image (so that lossy errors stay small) over the whole stored range, under a
    SOP Instance UID of its own."""
    dataset = pydicom.dcmread(io.BytesIO(make_instance(patient_id=patient_id, size=4)))
    dataset.Rows, dataset.Columns = rows, columns
    dataset.BitsAllocated, dataset.BitsStored, dataset.HighBit = allocated, stored, stored - 1
    dataset.PixelRepresentation = signed
    dataset.SamplesPerPixel = samples
    dataset.PhotometricInterpretation = photometric or ("RGB" if samples == 3 else "MONOCHROME2")
    if samples == 3:
        dataset.PlanarConfiguration = 0
    if frames > 1:
        dataset.NumberOfFrames = frames
    y, x = np.mgrid[0:rows, 0:columns]
    ramp = (x + y) / (rows + columns - 2)
    planes = [ramp, ramp[::-1], ramp[:, ::-1]][:samples]
    values = np.stack([np.stack(planes, axis=-1) * ((f + 1) / frames) for f in range(frames)])
    low = -(1 << (stored - 1)) if signed else 0
    levels = np.floor(values * ((1 << stored) - 1)).astype(np.int64) + low
    dtype = f"<{'i' if signed else 'u'}{allocated // 8}"
    dataset.PixelData = levels.astype(dtype).tobytes()
    for keyword, value in tags.items():
        setattr(dataset, keyword, value)
    dataset.SOPInstanceUID = generate_uid()
    out = io.BytesIO()
    dataset.save_as(out, enforce_file_format=True)
    return out.getvalue()


def read(data: bytes) -> Dataset:
    return pydicom.dcmread(io.BytesIO(data))


def modality(dataset: Dataset) -> np.ndarray:
    """Decoded values through the rescale (a lossy JPEG moves stored values, not these)."""
    values = codecs.decode(dataset).astype(np.float64)
    if "RescaleSlope" in dataset and int(dataset.SamplesPerPixel) == 1:
        values = values * float(dataset.RescaleSlope) + float(dataset.RescaleIntercept)
    return values


def _se0_stream(values: np.ndarray) -> bytes:
    """A 12-bit JPEG extended frame whose scan header ends with Se=0 instead of 63, as in
    pydicom's JPEG-lossy.dcm (DCMTK and libjpeg-turbo ignore it; pylibjpeg refuses it)."""
    import imagecodecs

    stream = bytes(imagecodecs.jpeg8_encode(values, level=90, bitspersample=12))
    start = stream.find(b"\xff\xda")
    se = start + 4 + 1 + 2 * stream[start + 4] + 1
    return stream[:se] + b"\x00" + stream[se + 1 :]


def se0_multiframe(frames: int = 3) -> bytes:
    """A multi-frame 12-bit JPEG extended image of such frames, with a window."""
    dataset = read(image(rows=32, columns=24, stored=12, patient_id="SE0"))
    y, x = np.mgrid[0:32, 0:24]
    stack = [((x * 90 + y * 40 + f * 500) % 4096).astype(np.uint16) for f in range(frames)]
    dataset.PixelData = encapsulate([_se0_stream(frame) for frame in stack])
    dataset["PixelData"].VR = "OB"
    dataset["PixelData"].is_undefined_length = True
    dataset.NumberOfFrames = frames
    dataset.WindowCenter, dataset.WindowWidth = "2048", "4096"
    dataset.file_meta.TransferSyntaxUID = EXTENDED
    out = io.BytesIO()
    dataset.save_as(out, enforce_file_format=True)
    return out.getvalue()


def uploadable(name: str) -> bytes:
    """A pydicom test file as a distinct instance (its own SOP and series UIDs), completed
    where it lacks what Orthanc needs to store it (the JPEG-LS near-lossless samples have no
    patient or study) or what pydicom needs to write it (an element of unknown VR in
    SC_rgb_jpeg.dcm)."""
    from pydicom.data import get_testdata_file

    dataset = pydicom.dcmread(get_testdata_file(name))
    for element in list(dataset):
        if element.VR is None:
            del dataset[element.tag]
    dataset.PatientID = dataset.get("PatientID") or "JPEG"
    dataset.StudyInstanceUID = dataset.get("StudyInstanceUID") or pydicom.uid.generate_uid(
        entropy_srcs=[name, "study"]
    )
    dataset.SOPClassUID = dataset.get("SOPClassUID") or "1.2.840.10008.5.1.4.1.1.7"
    out = io.BytesIO()
    dataset.save_as(out, enforce_file_format=True)
    return distinct_bytes(out.getvalue(), name)


def distinct_bytes(data: bytes, name: str) -> bytes:
    """``data`` with its own SOP and series UIDs, derived from ``name``."""
    dataset = pydicom.dcmread(io.BytesIO(data))
    dataset.SOPInstanceUID = pydicom.uid.generate_uid(entropy_srcs=[name])
    dataset.SeriesInstanceUID = pydicom.uid.generate_uid(entropy_srcs=[name, "series"])
    out = io.BytesIO()
    dataset.save_as(out, enforce_file_format=True)
    return out.getvalue()
