"""imagecodecs as pydicom's JPEG and JPEG-LS plugin (chalicelib/dicom/codecs.py) and the JPEG
transcoding rules (chalicelib/dicom/jpeg_transcoding.py), without Orthanc: registration, cold
start, round trips of every target over bit depths, signs and colour, the data set changes, the
decisions measured against Orthanc 1.10.1 (tests/interop/test_jpeg_codecs_vs_orthanc.py checks
them against a running one)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pydicom
import pytest
from pydicom.dataset import Dataset
from pydicom.encaps import encapsulate, generate_frames

from chalicelib.dicom import codecs, jpeg_transcoding
from chalicelib.dicom.transcoding import transcode
from tests.integration.helpers import sample_file
from tests.support.jpeg_samples import image, modality, read, se0_multiframe

ROOT = Path(__file__).resolve().parents[2]
BASELINE, EXTENDED = "1.2.840.10008.1.2.4.50", "1.2.840.10008.1.2.4.51"
LOSSLESS, LOSSLESS_SV1 = "1.2.840.10008.1.2.4.57", "1.2.840.10008.1.2.4.70"
JPEG_LS, JPEG_LS_NEAR = "1.2.840.10008.1.2.4.80", "1.2.840.10008.1.2.4.81"
TARGETS = [BASELINE, EXTENDED, LOSSLESS, LOSSLESS_SV1, JPEG_LS, JPEG_LS_NEAR]


# -- registration and cold start ---------------------------------------------------------------


def test_the_plugin_is_registered_once_for_the_six_syntaxes() -> None:
    from pydicom.pixels.decoders.base import get_decoder

    codecs.register()
    codecs.register()
    for uid in TARGETS:
        assert codecs.LABEL in get_decoder(uid).available_plugins
        assert codecs.encoder(uid).available_plugins == (codecs.LABEL,)
    assert codecs.is_available(BASELINE) and codecs.is_available(JPEG_LS)
    assert not codecs.is_available("1.2.840.10008.1.2.5")


def test_importing_the_app_does_not_import_imagecodecs() -> None:
    probe = "import sys, app; print('imagecodecs' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"


# -- decoding --------------------------------------------------------------------------------


def test_pydicoms_12_bit_jpeg_lossy_is_decoded() -> None:
    from pydicom.pixels import pixel_array

    dataset = read(sample_file("JPEG-lossy.dcm"))
    with pytest.raises(RuntimeError, match="scan start must be zero"):
        pixel_array(dataset, decoding_plugin="pylibjpeg")
    values = codecs.decode(dataset)
    assert values.shape == (1024, 256) and values.dtype == np.uint16
    assert values.max() < 4096


def test_every_frame_of_a_multiframe_se0_stream_is_decoded() -> None:
    dataset = read(se0_multiframe())
    for index in range(3):
        values = codecs.decode(dataset, index)
        expected = (
            np.mgrid[0:32, 0:24][1] * 90 + np.mgrid[0:32, 0:24][0] * 40 + index * 500
        ) % 4096
        # Lossy (quality 90) but close; the ramp wraps at 4096, where the error is largest.
        assert np.median(np.abs(values.astype(int) - expected)) <= 2


def test_the_colour_space_follows_the_photometric_interpretation() -> None:
    """As DCMTK: YBR JPEG converted by libjpeg-turbo, RGB never converted (whatever markers)."""
    ybr = codecs.decode(read(sample_file("SC_rgb_jpeg_dcmtk.dcm")))
    rgb = read(sample_file("SC_rgb_small_odd.dcm"))
    assert ybr.shape == (100, 100, 3)
    raw = codecs.decode(read(sample_file("SC_jpeg_no_color_transform.dcm")))
    frame = next(generate_frames(read(sample_file("SC_jpeg_no_color_transform.dcm")).PixelData))
    import imagecodecs

    assert np.array_equal(
        raw, imagecodecs.jpeg8_decode(frame, colorspace="RGB", outcolorspace="RGB")
    )
    assert codecs.decode(rgb).shape == (3, 3, 3)


def test_other_plugins_decode_when_imagecodecs_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    import imagecodecs

    def refuse(*args: object, **kwargs: object) -> None:
        raise RuntimeError("refused")

    dataset = read(sample_file("MR_small_jpeg_ls_lossless.dcm"))
    expected = codecs.decode(dataset)
    monkeypatch.setattr(imagecodecs, "jpegls_decode", refuse)
    assert np.array_equal(
        codecs.decode(read(sample_file("MR_small_jpeg_ls_lossless.dcm"))), expected
    )


def test_a_corrupted_stream_is_an_error_not_a_crash() -> None:
    dataset = read(sample_file("SC_rgb_jpeg_dcmtk.dcm"))
    [frame] = generate_frames(dataset.PixelData, number_of_frames=1)
    dataset.PixelData = encapsulate([b"\xff\xd8" + b"\x00" * (len(frame) - 2)])
    with pytest.raises(RuntimeError):
        codecs.decode(dataset)


# -- transcoding: decisions ------------------------------------------------------------------

# (BitsAllocated, BitsStored, PixelRepresentation, SamplesPerPixel, photometric, syntax) ->
# the targets Orthanc 1.10.1 transcodes to (observed; the others it keeps).
ALL = set(TARGETS)
DECISIONS = [
    ((8, 8, 0, 1, "MONOCHROME2", "1.2.840.10008.1.2.1"), ALL),
    ((8, 8, 1, 1, "MONOCHROME2", "1.2.840.10008.1.2.1"), ALL - {JPEG_LS_NEAR}),
    ((16, 8, 0, 1, "MONOCHROME2", "1.2.840.10008.1.2.1"), ALL),
    ((8, 1, 0, 1, "MONOCHROME2", "1.2.840.10008.1.2.1"), {LOSSLESS, LOSSLESS_SV1}),
    ((8, 5, 0, 1, "MONOCHROME2", "1.2.840.10008.1.2.1"), {EXTENDED, LOSSLESS, LOSSLESS_SV1}),
    ((8, 6, 0, 1, "MONOCHROME2", "1.2.840.10008.1.2.1"), ALL - {BASELINE}),
    ((16, 12, 0, 1, "MONOCHROME1", "1.2.840.10008.1.2.1"), ALL - {BASELINE}),
    ((16, 12, 1, 1, "MONOCHROME2", "1.2.840.10008.1.2.1"), ALL - {BASELINE, JPEG_LS_NEAR}),
    ((16, 13, 0, 1, "MONOCHROME2", "1.2.840.10008.1.2.1"), ALL - {BASELINE, EXTENDED}),
    ((16, 16, 1, 1, "MONOCHROME2", "1.2.840.10008.1.2.2"), {LOSSLESS, LOSSLESS_SV1, JPEG_LS}),
    ((32, 32, 0, 1, "MONOCHROME2", "1.2.840.10008.1.2"), set()),
    ((8, 8, 0, 3, "RGB", "1.2.840.10008.1.2.1"), ALL),
    ((16, 16, 0, 3, "RGB", "1.2.840.10008.1.2.5"), ALL - {BASELINE, EXTENDED}),
    ((8, 8, 0, 3, "YBR_FULL_422", "1.2.840.10008.1.2.1"), {BASELINE, EXTENDED}),
    ((8, 8, 0, 3, "YBR_FULL_422", BASELINE), ALL),
    ((8, 8, 0, 1, "PALETTE COLOR", "1.2.840.10008.1.2.1"), ALL - {JPEG_LS_NEAR}),
    ((16, 16, 1, 1, "MONOCHROME2", "1.2.840.10008.1.2.4.90"), set()),
]


@pytest.mark.parametrize(("layout", "expected"), DECISIONS, ids=[str(d[0]) for d in DECISIONS])
def test_the_files_orthanc_transcodes(layout: tuple, expected: set[str]) -> None:
    allocated, stored, signed, samples, photometric, syntax = layout
    dataset = Dataset()
    dataset.BitsAllocated, dataset.BitsStored, dataset.PixelRepresentation = (
        allocated,
        stored,
        signed,
    )
    dataset.SamplesPerPixel, dataset.PhotometricInterpretation = samples, photometric
    dataset.file_meta = pydicom.dataset.FileMetaDataset()
    dataset.file_meta.TransferSyntaxUID = syntax
    chosen = {t for t in TARGETS if jpeg_transcoding.orthanc_transcodes(dataset, t)}
    assert chosen == expected


def test_kept_files_are_none() -> None:
    assert transcode(image(stored=16), BASELINE) is None  # 16 bits stored
    assert transcode(sample_file("liver_1frame.dcm"), LOSSLESS) is None  # 1 bit allocated
    assert transcode(sample_file("JPEG2000.dcm"), LOSSLESS) is None  # DCMTK cannot decode it


# -- transcoding: round trips ----------------------------------------------------------------

LOSSLESS_CASES = {
    "u8": {"allocated": 8, "stored": 8},
    "s8": {"allocated": 8, "stored": 8, "signed": 1},
    "u16 bs8": {"allocated": 16, "stored": 8},
    "s16 bs8": {"allocated": 16, "stored": 8, "signed": 1},
    "u16 bs12": {"stored": 12},
    "s16 bs12": {"stored": 12, "signed": 1},
    "u16 bs16": {"stored": 16},
    "s16 bs16": {"stored": 16, "signed": 1},
    "rgb8": {"allocated": 8, "stored": 8, "samples": 3},
    "rgb16": {"stored": 16, "samples": 3},
    "3 frames": {"stored": 10, "frames": 3},
}


@pytest.mark.parametrize("target", [LOSSLESS, LOSSLESS_SV1, JPEG_LS])
@pytest.mark.parametrize("case", list(LOSSLESS_CASES))
def test_lossless_targets_keep_every_value_and_the_uid(case: str, target: str) -> None:
    data = image(**LOSSLESS_CASES[case])
    written = transcode(data, target)
    assert written is not None
    source, result = read(data), read(written)
    assert result.file_meta.TransferSyntaxUID == target
    assert result.SOPInstanceUID == source.SOPInstanceUID
    assert "LossyImageCompression" not in result
    assert np.array_equal(codecs.decode(result), codecs.decode(source))


def test_signed_lossless_jpeg_is_sign_extended_as_dcmtk_writes_it() -> None:
    """DCMTK reads the high bits of a signed lossless JPEG sample as they are: the stream holds
    16-bit sign-extended samples, not 12-bit two's complement ones."""
    written = read(transcode(image(stored=12, signed=1), LOSSLESS))
    frame = next(generate_frames(written.PixelData, number_of_frames=1))
    assert frame[frame.find(b"\xff\xc3") + 4] == 16  # precision
    assert written.BitsStored == 12 and written.PixelRepresentation == 1


def test_jpeg_ls_streams_have_no_spiff_header() -> None:
    written = read(transcode(image(stored=12), JPEG_LS))
    frame = next(generate_frames(written.PixelData, number_of_frames=1))
    assert frame[:4] == b"\xff\xd8\xff\xf7"


@pytest.mark.parametrize(
    ("case", "target", "tolerance"),
    [
        ({"allocated": 8, "stored": 8}, BASELINE, 4),
        ({"allocated": 8, "stored": 8, "signed": 1}, BASELINE, 4),
        ({"allocated": 8, "stored": 8, "samples": 3}, BASELINE, 12),
        ({"stored": 12}, EXTENDED, 16),
        ({"stored": 12, "signed": 1, "frames": 2}, EXTENDED, 16),
        ({"stored": 10}, EXTENDED, 4),
        ({"allocated": 8, "stored": 6}, EXTENDED, 1),
        ({"stored": 12}, JPEG_LS_NEAR, 2),
        ({"stored": 16, "samples": 3}, JPEG_LS_NEAR, 2),
    ],
)
def test_lossy_targets_are_close_and_derived(case: dict, target: str, tolerance: float) -> None:
    data = image(**case)
    source, result = read(data), read(transcode(data, target))
    assert result.file_meta.TransferSyntaxUID == target
    assert np.abs(modality(result) - modality(source)).max() <= tolerance
    assert result.SOPInstanceUID != source.SOPInstanceUID
    assert result.file_meta.MediaStorageSOPInstanceUID == result.SOPInstanceUID
    assert result.LossyImageCompression == "01"
    image_type = result.ImageType
    assert (image_type if isinstance(image_type, str) else image_type[0]) == "DERIVED"
    [reference] = result.SourceImageSequence
    assert reference.ReferencedSOPInstanceUID == source.SOPInstanceUID
    assert reference.PurposeOfReferenceCodeSequence[0].CodeValue == "121320"
    assert result.DerivationCodeSequence[0].CodeValue == "113040"
    method = "ISO_14495_1" if target == JPEG_LS_NEAR else "ISO_10918_1"
    assert result.LossyImageCompressionMethod == method
    assert float(result.LossyImageCompressionRatio) > 0


def test_lossy_jpeg_moves_signed_and_narrow_levels_with_a_rescale() -> None:
    """As DCMTK: signed levels shifted up, 10 stored bits stretched to 12, modality values kept
    through RescaleSlope/Intercept (here on top of the file's own rescale)."""
    data = image(stored=10, signed=1, RescaleSlope="2", RescaleIntercept="-100")
    result = read(transcode(data, EXTENDED))
    assert (result.BitsAllocated, result.BitsStored, result.HighBit) == (16, 12, 11)
    assert result.PixelRepresentation == 0
    assert float(result.RescaleSlope) == pytest.approx(2 * 1023 / 4095)
    assert float(result.RescaleIntercept) == pytest.approx(-100 - 512 * 2)
    assert np.abs(modality(result) - modality(read(data))).max() <= 2 * 2


def test_colour_becomes_ybr_full_422_and_a_palette_its_colours() -> None:
    rgb = read(transcode(image(allocated=8, stored=8, samples=3), BASELINE))
    assert rgb.PhotometricInterpretation == "YBR_FULL_422"
    assert rgb.PlanarConfiguration == 0
    palette = read(transcode(sample_file("examples_palette.dcm"), BASELINE))
    assert palette.PhotometricInterpretation == "YBR_FULL_422"
    assert palette.SamplesPerPixel == 3 and "RedPaletteColorLookupTableData" not in palette
    source = read(sample_file("examples_palette.dcm"))
    expected = pydicom.pixels.apply_color_lut(source.pixel_array, source)
    assert np.abs(codecs.decode(palette).astype(int) - (expected >> 8)).mean() < 2


def test_jpeg_sources_become_rgb_in_lossless_targets() -> None:
    result = read(transcode(sample_file("SC_rgb_jpeg_dcmtk.dcm"), LOSSLESS_SV1))
    assert result.PhotometricInterpretation == "RGB"
    expected = codecs.decode(read(sample_file("SC_rgb_jpeg_dcmtk.dcm")))
    assert np.array_equal(codecs.decode(result), expected)


def test_big_endian_sources_are_transcoded() -> None:
    data = sample_file("MR_small_bigendian.dcm")
    for target in (LOSSLESS, "1.2.840.10008.1.2.1"):
        result = read(transcode(data, target))
        assert result.file_meta.TransferSyntaxUID == target
        assert np.array_equal(codecs.decode(result), codecs.decode(read(data)))


def test_lossless_rewrites_of_compressed_files_keep_the_uid() -> None:
    """pydicom's compress/decompress make a new SOP Instance UID unless told; Orthanc keeps it
    for lossless changes."""
    for name, target in (
        ("MR_small_RLE.dcm", "1.2.840.10008.1.2"),
        ("CT_small.dcm", "1.2.840.10008.1.2.5"),
    ):
        data = sample_file(name)
        assert read(transcode(data, target)).SOPInstanceUID == read(data).SOPInstanceUID


def test_the_multiframe_se0_image_is_transcoded() -> None:
    result = read(transcode(se0_multiframe(), LOSSLESS_SV1))
    assert np.array_equal(codecs.decode(result), codecs.decode(read(se0_multiframe())))
