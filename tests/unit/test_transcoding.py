"""Transcoding for archives: the syntaxes pydicom can write, None (keep the file) otherwise."""

from __future__ import annotations

import io

import pydicom
import pytest

from chalicelib.api.error_map import http_status
from chalicelib.dicom.transcoding import check_syntax, transcode
from chalicelib.errors import OrthancError
from tests.integration.helpers import sample_file


@pytest.mark.parametrize(
    "target",
    [
        "1.2.840.10008.1.2",
        "1.2.840.10008.1.2.1",
        "1.2.840.10008.1.2.1.99",
        "1.2.840.10008.1.2.5",
        "1.2.840.10008.1.2.4.90",
    ],
)
@pytest.mark.parametrize("source", ["CT_small.dcm", "MR_small_RLE.dcm", "JPEG2000.dcm"])
def test_lossless_targets_keep_the_pixels(source: str, target: str) -> None:
    data = sample_file(source)
    written = transcode(data, target)
    assert written is not None
    back = pydicom.dcmread(io.BytesIO(written))
    assert back.file_meta.TransferSyntaxUID == target
    assert (back.pixel_array == pydicom.dcmread(io.BytesIO(data)).pixel_array).all()


@pytest.mark.parametrize(
    "target",
    ["1.2.840.10008.1.2.2", "1.2.840.10008.1.2.4.50", "1.2.840.10008.1.2.4.81"],
)
def test_targets_without_an_encoder_keep_the_file(target: str) -> None:
    assert transcode(sample_file("CT_small.dcm"), target) is None


def test_same_syntax_and_garbage() -> None:
    data = sample_file("CT_small.dcm")
    assert transcode(data, "1.2.840.10008.1.2.1") == data
    assert transcode(b"not dicom", "1.2.840.10008.1.2") is None


def test_a_declared_huge_image_is_not_decoded() -> None:
    dataset = pydicom.dcmread(io.BytesIO(sample_file("MR_small_RLE.dcm")))
    dataset.Rows = dataset.Columns = 60000
    dataset.NumberOfFrames = 100
    out = io.BytesIO()
    dataset.save_as(out, enforce_file_format=True)
    assert transcode(out.getvalue(), "1.2.840.10008.1.2") is None


def test_unknown_syntax_is_orthancs_400() -> None:
    with pytest.raises(OrthancError) as caught:
        check_syntax("1.2.3")
    assert http_status(caught.value) == 400
    assert str(caught.value) == "Unknown transfer syntax: 1.2.3"
