"""Differential tests of WADO-RS frames and rendered images and of WADO-URI: the same files
stored in Orthanc 1.10.1 with its DICOMweb plugin 1.7 and in Cirrus (in-process, on moto),
frames compared byte for byte, rendered images pixel by pixel (decoded with pillow)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import numpy as np
import pydicom
import pytest
from PIL import Image

from chalicelib.dicom.multipart_related import parse_content_type, parse_related, related_boundary
from tests.conftest import chalice_client, moto_storage
from tests.interop.test_images_vs_orthanc import distinct
from tests.support.jpeg_samples import image
from tests.support.orthanc_server import OrthancServer, dicomweb_config

# Baseline JPEG, JPEG-LS, JPEG 2000 (lossy), RLE (two RGB frames), uncompressed CT, 12-bit
# extended JPEG.
FILES = [
    "SC_rgb_jpeg_dcmtk.dcm",
    "MR_small_jpeg_ls_lossless.dcm",
    "JPEG2000.dcm",
    "SC_rgb_rle_2frame.dcm",
    "CT_small.dcm",
    "JPGExtended.dcm",
]
MULTIFRAME = "multi-frame 12-bit (generated)"
# Orthanc 1.10.1 cannot decode JPEG 2000: the plugin's uncompressed frames are a 500 there.
DECODED_ONLY_BY_CIRRUS = {"JPEG2000.dcm"}
STORED = "multipart/related; type=application/octet-stream; transfer-syntax=*"
# Lossy JPEG answers of the two servers (pillow's and Orthanc's encoders) differ by this much.
JPEG_TOLERANCE = 8


class Pair:
    def __init__(self, orthanc: OrthancServer, cirrus: Any) -> None:
        self.orthanc, self.cirrus = orthanc, cirrus
        self.paths: dict[str, str] = {}
        self.uids: dict[str, tuple[str, str, str]] = {}

    def upload(self, name: str, data: bytes) -> None:
        self.orthanc.upload(data)
        assert self.cirrus.http.post("/instances", body=data).status_code == 200
        dataset = pydicom.dcmread(io.BytesIO(data))
        uids = (dataset.StudyInstanceUID, dataset.SeriesInstanceUID, dataset.SOPInstanceUID)
        self.uids[name] = tuple(str(uid) for uid in uids)  # type: ignore[assignment]
        study, series, sop = self.uids[name]
        self.paths[name] = f"/dicom-web/studies/{study}/series/{series}/instances/{sop}"

    def get(self, path: str, headers: dict[str, str] | None = None) -> tuple[Any, Any]:
        """(status, headers, body) of Orthanc's answer, then of Cirrus's."""
        theirs = self.orthanc.get(path, headers=headers or {})
        ours = self.cirrus.http.get(path, headers=headers or {})
        return (theirs.status_code, theirs.headers, theirs.content), (
            ours.status_code,
            ours.headers,
            ours.body,
        )


@pytest.fixture(scope="module")
def pair() -> Iterator[Pair]:
    with (
        OrthancServer(extra_config=dicomweb_config()) as orthanc,
        moto_storage(),
        chalice_client() as cirrus,
    ):
        pair = Pair(orthanc, cirrus)
        for name in FILES:
            pair.upload(name, distinct(name))
        pair.upload(MULTIFRAME, image(rows=16, columns=12, frames=3, patient_id="FRAMES"))
        yield pair


def frames_of(answer: tuple[int, Any, bytes]) -> list[tuple[str, bytes]]:
    """The (Content-Type, content) of each part of a frames answer."""
    status, headers, body = answer
    assert status == 200, body[:300]
    content_type = parse_content_type(headers["Content-Type"])
    return [
        (part.content_type, part.content)
        for part in parse_related(body, related_boundary(content_type))
    ]


@pytest.mark.parametrize("name", [*FILES, MULTIFRAME])
def test_stored_frames_are_identical(pair: Pair, name: str) -> None:
    theirs, ours = pair.get(f"{pair.paths[name]}/frames/1", {"Accept": STORED})
    assert frames_of(ours) == frames_of(theirs)


@pytest.mark.parametrize("name", [*FILES, MULTIFRAME])
def test_uncompressed_frames_are_identical(pair: Pair, name: str) -> None:
    count = 3 if name == MULTIFRAME else 2 if "2frame" in name else 1
    listed = ",".join(str(n) for n in range(count, 0, -1))
    theirs, ours = pair.get(f"{pair.paths[name]}/frames/{listed}")
    if name in DECODED_ONLY_BY_CIRRUS:
        assert theirs[0] == 500 and ours[0] == 200
        return
    assert frames_of(ours) == frames_of(theirs)


@pytest.mark.parametrize(
    "frames",
    ["0", "4", "1,4"],
)
def test_bad_frame_numbers_answer_the_same_status(pair: Pair, frames: str) -> None:
    theirs, ours = pair.get(f"{pair.paths[MULTIFRAME]}/frames/{frames}")
    assert ours[0] == theirs[0] == 400


def test_unknown_instances_answer_404(pair: Pair) -> None:
    study, series, _ = pair.uids["CT_small.dcm"]
    for suffix in ("frames/1", "rendered"):
        path = f"/dicom-web/studies/{study}/series/{series}/instances/1.2.3/{suffix}"
        theirs, ours = pair.get(path)
        assert ours[0] == theirs[0] == 404


def pixels(answer: tuple[int, Any, bytes]) -> np.ndarray:
    status, _, body = answer
    assert status == 200, body[:300]
    return np.asarray(Image.open(io.BytesIO(body)))


RENDERINGS = [
    "",
    "?window=40,400,linear",
    "?window=1000,2000,sigmoid",
    "?viewport=32,32",
    "?viewport=100,50",
    "?viewport=64,64,10,20,-30,40",
    "?viewport=20,20,5,5,,",
]


@pytest.mark.parametrize("query", RENDERINGS)
@pytest.mark.parametrize("name", ["CT_small.dcm", "SC_rgb_rle_2frame.dcm", MULTIFRAME])
def test_rendered_png_has_the_same_pixels(pair: Pair, name: str, query: str) -> None:
    theirs, ours = pair.get(f"{pair.paths[name]}/rendered{query}", {"Accept": "image/png"})
    assert ours[1]["Content-Type"] == theirs[1]["Content-Type"] == "image/png"
    expected, actual = pixels(theirs), pixels(ours)
    assert actual.shape == expected.shape
    assert np.abs(actual.astype(int) - expected.astype(int)).max() <= 1


def test_rendered_frame_and_series_and_study(pair: Pair) -> None:
    study, series, _ = pair.uids[MULTIFRAME]
    for path in (
        f"{pair.paths[MULTIFRAME]}/frames/2/rendered",
        f"/dicom-web/studies/{study}/series/{series}/rendered",
        f"/dicom-web/studies/{study}/rendered",
    ):
        theirs, ours = pair.get(path, {"Accept": "image/png"})
        assert (pixels(ours) == pixels(theirs)).all(), path


def test_rendered_jpeg_is_close(pair: Pair) -> None:
    theirs, ours = pair.get(f"{pair.paths['CT_small.dcm']}/rendered?quality=80")
    assert ours[1]["Content-Type"] == theirs[1]["Content-Type"] == "image/jpeg"
    difference = np.abs(pixels(ours).astype(int) - pixels(theirs).astype(int))
    assert difference.max() <= JPEG_TOLERANCE


@pytest.mark.parametrize("query", ["viewport=10", "quality=0", "window=1,2", "window=1,2,cubic"])
def test_rendered_bad_parameters_are_400(pair: Pair, query: str) -> None:
    theirs, ours = pair.get(f"{pair.paths['CT_small.dcm']}/rendered?{query}")
    assert ours[0] == theirs[0] == 400


def wado_uri(pair: Pair, name: str, content_type: str | None = None) -> str:
    study, series, sop = pair.uids[name]
    query = f"/wado?requestType=WADO&studyUID={study}&seriesUID={series}&objectUID={sop}"
    return query + (f"&contentType={content_type}" if content_type else "")


@pytest.mark.parametrize("name", ["CT_small.dcm", "SC_rgb_jpeg_dcmtk.dcm", MULTIFRAME])
def test_wado_uri_answers(pair: Pair, name: str) -> None:
    theirs, ours = pair.get(wado_uri(pair, name, "application/dicom"))
    assert ours[0] == theirs[0] == 200 and ours[2] == theirs[2]
    theirs, ours = pair.get(wado_uri(pair, name, "image/png"))
    assert (pixels(ours) == pixels(theirs)).all()
    # The default is a JPEG (which the plugin labels image/png; Cirrus image/jpeg).
    theirs, ours = pair.get(wado_uri(pair, name))
    assert ours[1]["Content-Type"] == "image/jpeg"
    difference = np.abs(pixels(ours).astype(int) - pixels(theirs).astype(int))
    assert difference.max() <= JPEG_TOLERANCE


def test_wado_uri_errors(pair: Pair) -> None:
    unknown = wado_uri(pair, "CT_small.dcm").replace(pair.uids["CT_small.dcm"][2], "1.2.3")
    theirs, ours = pair.get(unknown)
    assert ours[0] == theirs[0] == 404
    theirs, ours = pair.get(wado_uri(pair, "CT_small.dcm", "text/html"))
    assert ours[0] == theirs[0] == 400
