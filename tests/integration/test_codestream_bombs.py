"""A stored 64 x 64 image whose JPEG 2000 frame declares 30000 x 30000 pixels: every route
that decodes it answers a clean Orthanc error without the decoder allocating the image
(unguarded, OpenJPEG's RSS grows by about 1 GB), while the raw frame is still served."""

from __future__ import annotations

import resource
from typing import Any

import pytest

from tests.integration.helpers import assert_orthanc_error, upload
from tests.support import codestream_bombs as bombs

DECODING = ("preview", "rendered", "image-uint8", "image-uint16", "numpy", "matlab")


@pytest.fixture
def bomb_id(client: Any) -> str:
    frame = bombs.with_siz_size(bombs.j2k(), bombs.HUGE, bombs.HUGE)
    return upload(client, bombs.file_of(frame, bombs.JPEG_2000))["ID"]


def test_decoding_routes_refuse_the_bomb_without_allocating(client: Any, bomb_id: str) -> None:
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    for kind in DECODING:
        for path in (f"/instances/{bomb_id}/{kind}", f"/instances/{bomb_id}/frames/0/{kind}"):
            response = client.http.get(path)
            assert_orthanc_error(response, 415, 15, "GET")
            assert b"30000x30000" in response.body
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 64 << 10  # KB


def test_transcoding_the_bomb_fails_cleanly(client: Any, bomb_id: str) -> None:
    response = client.http.post(
        f"/instances/{bomb_id}/modify",
        body='{"Transcode": "1.2.840.10008.1.2.1", "Force": true}',
    )
    assert_orthanc_error(response, 500, -1, "POST")


def test_the_raw_frame_is_served_as_stored(client: Any, bomb_id: str) -> None:
    response = client.http.get(f"/instances/{bomb_id}/frames/0/raw")
    assert response.status_code == 200
    assert b"\xff\x4f\xff\x51" in response.body
