"""The size each codestream declares is read and compared with the DICOM header before
anything is decoded: small valid frames made by the installed codecs pass, the same frames
with their header patched to 30000 x 30000 are refused (415) without allocating."""

from __future__ import annotations

import resource
import tracemalloc

import pytest

from chalicelib.api.error_map import http_status
from chalicelib.dicom import codecs, codestreams, pixels, transcoding
from chalicelib.errors import OrthancError, UnsupportedImage
from tests.support import codestream_bombs as bombs

GEOMETRY = codestreams.Geometry(bombs.SIZE, bombs.SIZE, 1, 8)
FRAMES = {
    "jpeg": (bombs.jpeg, bombs.JPEG_BASELINE),
    "jpeg-ls": (bombs.jpeg_ls, bombs.JPEG_LS),
    "j2k": (bombs.j2k, bombs.JPEG_2000),
    "jp2": (lambda: bombs.j2k("jp2"), bombs.JPEG_2000),
}


def bomb(name: str) -> tuple[bytes, str]:
    """The frame ``name`` declaring 30000 x 30000 pixels."""
    make, syntax = FRAMES[name]
    frame = make()
    if name == "jpeg":
        frame = bombs.with_sof_size(frame, b"\xff\xc0", bombs.HUGE, bombs.HUGE)
    elif name == "jpeg-ls":
        frame = bombs.with_sof_size(frame, b"\xff\xf7", bombs.HUGE, bombs.HUGE)
    else:
        frame = bombs.with_siz_size(frame, bombs.HUGE, bombs.HUGE)
    return frame, syntax


@pytest.mark.parametrize("name", sorted(FRAMES))
def test_a_frame_declaring_the_header_size_passes(name: str) -> None:
    make, syntax = FRAMES[name]
    codestreams.check_frame(make(), syntax, GEOMETRY)
    assert codecs.decode(bombs.dataset_of(make(), syntax), 0).shape == (64, 64)


@pytest.mark.parametrize("name", sorted(FRAMES))
def test_a_frame_declaring_a_huge_image_is_refused(name: str) -> None:
    frame, syntax = bomb(name)
    with pytest.raises(UnsupportedImage, match="30000x30000"):
        codestreams.check_frame(frame, syntax, GEOMETRY)


@pytest.mark.parametrize(
    "geometry",
    [
        pytest.param(codestreams.Geometry(64, 32, 1, 8), id="columns"),
        pytest.param(codestreams.Geometry(32, 64, 1, 8), id="rows"),
        pytest.param(codestreams.Geometry(64, 64, 3, 8), id="samples"),
    ],
)
@pytest.mark.parametrize("name", sorted(FRAMES))
def test_any_mismatch_with_the_header_is_refused(name: str, geometry: codestreams.Geometry) -> None:
    make, syntax = FRAMES[name]
    with pytest.raises(UnsupportedImage):
        codestreams.check_frame(make(), syntax, geometry)


def test_a_precision_wider_than_any_container_is_refused() -> None:
    frame = bytearray(bombs.jpeg())
    frame[frame.index(b"\xff\xc0") + 4] = 32
    with pytest.raises(UnsupportedImage, match="32 bits"):
        codestreams.check_frame(bytes(frame), bombs.JPEG_BASELINE, GEOMETRY)


def test_a_jpeg_ls_oversize_dimension_is_refused() -> None:
    frame = bombs.jpeg_ls()
    # LSE of type 4: length, ID, 4-byte dimensions, then Y and X of 30000.
    lse = b"\xff\xf8\x00\x0c\x04\x04" + (30000).to_bytes(4, "big") * 2
    patched = frame[:2] + lse + frame[2:]
    with pytest.raises(UnsupportedImage, match="oversize"):
        codestreams.check_frame(patched, bombs.JPEG_LS, GEOMETRY)


def test_an_rle_segment_count_must_match_samples_and_bytes() -> None:
    frame = bombs.rle()
    codestreams.check_frame(frame, bombs.RLE, GEOMETRY)
    with pytest.raises(UnsupportedImage, match="3 segments"):
        codestreams.check_frame((3).to_bytes(4, "little") + frame[4:], bombs.RLE, GEOMETRY)
    with pytest.raises(UnsupportedImage, match="needs 2"):
        codestreams.check_frame(frame, bombs.RLE, codestreams.Geometry(64, 64, 1, 16))


def test_streams_without_a_header_are_left_to_the_decoder() -> None:
    for syntax in (bombs.JPEG_BASELINE, bombs.JPEG_LS, bombs.JPEG_2000, bombs.RLE):
        codestreams.check_frame(b"\x00" * 8, syntax, GEOMETRY)


@pytest.mark.parametrize("name", sorted(FRAMES))
def test_the_frame_decoder_refuses_a_bomb_without_allocating(name: str) -> None:
    """Unguarded, the J2K bomb makes OpenJPEG allocate about 1 GB (RSS) before failing."""
    frame, syntax = bomb(name)
    dataset = bombs.dataset_of(frame, syntax)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()
    try:
        with pytest.raises(OrthancError) as caught:
            pixels.decode_frame(dataset, 0)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before  # kilobytes
    assert http_status(caught.value) == 415
    assert "30000x30000" in caught.value.details
    assert peak < 16 << 20 and grown < 64 << 10


@pytest.mark.parametrize("name", sorted(FRAMES))
def test_decompressing_refuses_a_bomb(name: str) -> None:
    frame, syntax = bomb(name)
    with pytest.raises(UnsupportedImage):
        codecs.decompress(bombs.dataset_of(frame, syntax))
    assert transcoding.transcode(bombs.file_of(frame, syntax), "1.2.840.10008.1.2.1") is None
