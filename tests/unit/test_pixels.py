"""The pixel module on its own: geometry guards, frame bounds, stretching and cropping."""

from __future__ import annotations

import numpy as np
import pydicom
import pytest
from pydicom.data import get_testdata_file

from chalicelib.api.error_map import http_status
from chalicelib.dicom import pixels
from chalicelib.errors import OrthancError


def ct() -> pydicom.Dataset:
    return pydicom.dcmread(get_testdata_file("CT_small.dcm"))


def test_a_declared_huge_geometry_is_refused_before_decoding() -> None:
    dataset = ct()
    dataset.Rows = dataset.Columns = 60000
    with pytest.raises(OrthancError) as caught:
        pixels.decode_frame(dataset, 0)
    assert http_status(caught.value) == 415


def test_a_missing_frame_is_404() -> None:
    with pytest.raises(OrthancError) as caught:
        pixels.decode_frame(ct(), 1)
    assert http_status(caught.value) == 404


def test_a_truncated_stream_is_415() -> None:
    dataset = ct()
    dataset.PixelData = dataset.PixelData[:100]
    with pytest.raises(OrthancError) as caught:
        pixels.decode_frame(dataset, 0)
    assert http_status(caught.value) == 415


def test_preview_stretches_and_inverts_monochrome1() -> None:
    array = np.array([[-10, 0], [10, 90]], dtype=np.int16)
    assert pixels.preview(array, False).tolist() == [[0, 26], [51, 255]]
    # Inverted after rounding, as Orthanc: 25.5 rounds to 26, shown as 255 - 26.
    assert pixels.preview(array, True).tolist() == [[255, 229], [204, 0]]
    assert pixels.preview(np.full((2, 2), 7), False).tolist() == [[0, 0], [0, 0]]


def test_cropping_clips_to_the_target_type() -> None:
    array = np.array([-5, 300, 70000], dtype=np.int32)
    assert pixels.cropped(array, "uint8").tolist() == [0, 255, 255]
    assert pixels.cropped(array, "int16").tolist() == [-5, 300, 32767]


def test_a_one_bit_image_is_shown_as_0_and_255() -> None:
    """As Orthanc's decoder does, for every answer (preview, image-*, rendered, numpy)."""
    dataset = pydicom.dcmread(get_testdata_file("liver_1frame.dcm"))
    array, inverted = pixels.decode_frame(dataset, 0)
    assert array.dtype == np.uint8 and set(np.unique(array)) == {0, 255}
    assert not inverted


def test_colour_above_8_bits_keeps_its_high_bits() -> None:
    dataset = pydicom.dcmread(get_testdata_file("SC_rgb_rle_16bit.dcm"))
    array, _ = pixels.decode_frame(dataset, 0)
    assert np.array_equal(pixels.colour_as_8_bits(array, dataset), array >> 8)
    small = np.zeros((1, 1, 3), dtype=np.uint8)
    assert pixels.colour_as_8_bits(small, dataset) is small


def test_raw_frames_of_native_and_bit_packed_data() -> None:
    dataset = pydicom.dcmread(get_testdata_file("liver_1frame.dcm"))
    data, content_type = pixels.raw_frame(dataset, 0)
    assert len(data) == 512 * 512 // 8 and content_type == "application/octet-stream"
    dataset.Rows = dataset.Columns = 3  # a frame of 9 bits: no longer whole bytes
    with pytest.raises(OrthancError) as caught:
        pixels.raw_frame(dataset, 0)
    assert http_status(caught.value) == 415
    with pytest.raises(OrthancError) as caught:
        pixels.raw_frame(ct(), 1)
    assert http_status(caught.value) == 400


def test_raw_frames_are_typed_as_orthanc_types_them() -> None:
    baseline = pydicom.dcmread(get_testdata_file("SC_rgb_jpeg_dcmtk.dcm"))
    assert pixels.raw_frame(baseline, 0)[1] == "image/jpeg"
    extended = pydicom.dcmread(get_testdata_file("JPGExtended.dcm"))
    assert pixels.raw_frame(extended, 0)[1] == "application/octet-stream"
    assert pixels.raw_frame(pydicom.dcmread(get_testdata_file("JPEG2000.dcm")), 0)[1] == "image/jp2"


def test_pam_header_and_samples() -> None:
    grey = np.array([[1, 258]], dtype=np.uint16)
    assert pixels.pam(grey) == (
        b"P7\nWIDTH 2\nHEIGHT 1\nDEPTH 1\nMAXVAL 65535\nTUPLTYPE GRAYSCALE\nENDHDR\n"
        b"\x00\x01\x01\x02"
    )
    colour = np.array([[[1, 2, 3]]], dtype=np.uint8)
    assert pixels.pam(colour).endswith(b"MAXVAL 255\nTUPLTYPE RGB\nENDHDR\n\x01\x02\x03")
