"""The pixel module on its own: geometry guards, frame bounds, stretching and cropping."""

from __future__ import annotations

import numpy as np
import pydicom
import pytest
from pydicom.data import get_testdata_file

from chalicelib.dicom import pixels
from chalicelib.errors import OrthancError


def ct() -> pydicom.Dataset:
    return pydicom.dcmread(get_testdata_file("CT_small.dcm"))


def test_a_declared_huge_geometry_is_refused_before_decoding() -> None:
    dataset = ct()
    dataset.Rows = dataset.Columns = 60000
    with pytest.raises(OrthancError) as caught:
        pixels.decode_frame(dataset, 0)
    assert caught.value.http_status == 415


def test_a_missing_frame_is_404() -> None:
    with pytest.raises(OrthancError) as caught:
        pixels.decode_frame(ct(), 1)
    assert caught.value.http_status == 404


def test_a_truncated_stream_is_415() -> None:
    dataset = ct()
    dataset.PixelData = dataset.PixelData[:100]
    with pytest.raises(OrthancError) as caught:
        pixels.decode_frame(dataset, 0)
    assert caught.value.http_status == 415


def test_preview_stretches_and_inverts_monochrome1() -> None:
    array = np.array([[-10, 0], [10, 90]], dtype=np.int16)
    assert pixels.preview(array, False).tolist() == [[0, 26], [51, 255]]
    assert pixels.preview(array, True).tolist() == [[255, 230], [204, 0]]
    assert pixels.preview(np.full((2, 2), 7), False).tolist() == [[0, 0], [0, 0]]


def test_cropping_clips_to_the_target_type() -> None:
    array = np.array([-5, 300, 70000], dtype=np.int32)
    assert pixels.cropped(array, "uint8").tolist() == [0, 255, 255]
    assert pixels.cropped(array, "int16").tolist() == [-5, 300, 32767]
