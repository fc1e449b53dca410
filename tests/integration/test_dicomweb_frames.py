"""WADO-RS frames, rendered images and thumbnails, and WADO-URI, through the app on moto:
what each answer holds (checked against the pixels pydicom decodes from the uploaded file),
the negotiation of ``Accept``, bad input, and the requests each route makes to AWS."""

from __future__ import annotations

import io
from typing import Any

import numpy as np
import pydicom
import pytest
from PIL import Image
from pydicom.encaps import encapsulate, generate_frames
from pydicom.uid import RLELossless

from chalicelib.dicom.multipart_related import parse_content_type, parse_related, related_boundary
from tests.integration.helpers import assert_orthanc_error, aws_requests, sample_file, upload
from tests.support.dicom_factory import make_instance
from tests.support.jpeg_samples import image

OCTETS = "multipart/related; type=application/octet-stream"
STORED = f"{OCTETS}; transfer-syntax=*"


def uids(data: bytes) -> tuple[str, str, str]:
    dataset = pydicom.dcmread(io.BytesIO(data))
    return (
        str(dataset.StudyInstanceUID),
        str(dataset.SeriesInstanceUID),
        str(dataset.SOPInstanceUID),
    )


def instance_path(data: bytes) -> str:
    study, series, sop = uids(data)
    return f"/dicom-web/studies/{study}/series/{series}/instances/{sop}"


def parts(response: Any) -> tuple[Any, list[Any]]:
    """The answer's Content-Type and its parts."""
    assert response.status_code == 200, response.body
    content_type = parse_content_type(response.headers["Content-Type"])
    assert content_type.media_type == "multipart/related"
    return content_type, parse_related(response.body, related_boundary(content_type))


def decoded_bytes(data: bytes, frame: int) -> bytes:
    dataset = pydicom.dcmread(io.BytesIO(data))
    array = dataset.pixel_array
    if int(dataset.get("NumberOfFrames") or 1) > 1:
        array = array[frame]
    return array.astype(array.dtype.newbyteorder("<")).tobytes()


def test_uncompressed_frames_are_the_stored_bytes(client: Any) -> None:
    data = image(rows=6, columns=5, frames=3)
    upload(client, data)
    path = instance_path(data)
    size = 6 * 5 * 2
    stored = pydicom.dcmread(io.BytesIO(data)).PixelData
    for accept in (None, "*/*", OCTETS, STORED, f"{OCTETS}; transfer-syntax=1.2.840.10008.1.2.1"):
        headers = {"Accept": accept} if accept else {}
        content_type, answer = parts(client.http.get(f"{path}/frames/3,1", headers=headers))
        assert content_type.parameter("type") == "application/octet-stream"
        assert content_type.parameter("transfer-syntax") == "1.2.840.10008.1.2.1"
        assert [p.content for p in answer] == [stored[2 * size : 3 * size], stored[:size]]
        assert answer[0].headers["content-type"] == (
            "application/octet-stream; transfer-syntax=1.2.840.10008.1.2.1"
        )
        assert answer[0].headers["content-location"].endswith(f"{path}/frames/3")
        assert answer[0].headers["content-location"].startswith("http")


@pytest.mark.parametrize(
    ("name", "media_type"),
    [
        ("SC_rgb_jpeg_dcmtk.dcm", "image/jpeg"),
        ("MR_small_jpeg_ls_lossless.dcm", "image/jls"),
        ("JPEG2000.dcm", "image/jp2"),
        ("SC_rgb_rle_2frame.dcm", "image/dicom-rle"),
    ],
)
def test_compressed_frames_stored_or_decoded(client: Any, name: str, media_type: str) -> None:
    data = sample_file(name)
    upload(client, data)
    path = instance_path(data)
    dataset = pydicom.dcmread(io.BytesIO(data))
    syntax = str(dataset.file_meta.TransferSyntaxUID)
    count = int(dataset.get("NumberOfFrames") or 1)
    fragments = list(generate_frames(dataset.PixelData, number_of_frames=count))

    content_type, answer = parts(client.http.get(f"{path}/frames/1", headers={"Accept": STORED}))
    assert content_type.parameter("type") == media_type
    assert answer[0].content == fragments[0]
    assert answer[0].headers["content-type"] == f"{media_type}; transfer-syntax={syntax}"

    # Naming the stored media type is the same as "*".
    _, named = parts(
        client.http.get(
            f"{path}/frames/1",
            headers={"Accept": f'multipart/related; type="{media_type}"; transfer-syntax={syntax}'},
        )
    )
    assert named[0].content == fragments[0]

    _, decoded = parts(client.http.get(f"{path}/frames/{count}", headers={"Accept": OCTETS}))
    from chalicelib.dicom import codecs

    expected = codecs.decode(dataset, count - 1)
    assert decoded[0].content == expected.astype(expected.dtype.newbyteorder("<")).tobytes()


def test_frames_transcoded_to_a_named_syntax_or_406(client: Any) -> None:
    data = make_instance(size=16)
    upload(client, data)
    path = instance_path(data)
    rle = 'multipart/related; type="image/dicom-rle"'
    content_type, answer = parts(client.http.get(f"{path}/frames/1", headers={"Accept": rle}))
    assert content_type.parameter("type") == "image/dicom-rle"
    # The RLE frame decodes back to the stored pixels.
    dataset = pydicom.dcmread(io.BytesIO(data))
    stored = dataset.pixel_array
    dataset.PixelData = encapsulate([answer[0].content])
    dataset.file_meta.TransferSyntaxUID = RLELossless
    assert (dataset.pixel_array == stored).all()

    for accept in (
        'multipart/related; type="image/png"',
        'multipart/related; type="image/jpeg"; transfer-syntax=1.2.840.10008.1.2.4.80',
        f"{OCTETS}; transfer-syntax=1.2.840.10008.1.2.4.50",
        "application/octet-stream",
        "image/jpeg",
    ):
        response = client.http.get(f"{path}/frames/1", headers={"Accept": accept})
        assert_orthanc_error(response, 406, 34, "GET")


def test_frame_numbers_out_of_range_or_malformed(client: Any) -> None:
    data = image(rows=4, columns=4, frames=2)
    upload(client, data)
    path = instance_path(data)
    for frames, status, code in (
        ("3", 400, 3),
        ("1,3", 400, 3),
        ("0", 400, 3),
        ("-1", 400, 3),
        ("abc", 400, 8),
        ("1,", 400, 8),
    ):
        response = client.http.get(f"{path}/frames/{frames}")
        assert_orthanc_error(response, status, code, "GET")
    _, answer = parts(client.http.get(f"{path}/frames/2%2C2"))
    assert len(answer) == 2 and answer[0].content == answer[1].content


def test_frames_of_an_unknown_or_misplaced_instance(client: Any) -> None:
    data = make_instance()
    upload(client, data)
    study, series, sop = uids(data)
    for path in (
        f"/dicom-web/studies/{study}/series/{series}/instances/1.2.3/frames/1",
        f"/dicom-web/studies/1.2.3/series/{series}/instances/{sop}/frames/1",
        f"/dicom-web/studies/{study}/series/1.2.3/instances/{sop}/frames/1",
    ):
        assert_orthanc_error(client.http.get(path), 404, 7, "GET")


def test_stored_frames_cost_four_aws_requests(client: Any) -> None:
    data = sample_file("SC_rgb_rle_2frame.dcm")
    upload(client, data)
    path = instance_path(data)
    with aws_requests() as calls:
        parts(client.http.get(f"{path}/frames/1,2", headers={"Accept": STORED}))
    assert calls == {
        "BatchGetItem": 1,
        "GetItem": 1,
        "GetObject": 1,
        "GetObject:dicom": 1,
        "Query": 1,
    }, calls


def rendered(response: Any, media_type: str = "image/jpeg") -> np.ndarray:
    assert response.status_code == 200, response.body
    assert response.headers["Content-Type"] == media_type
    picture = Image.open(io.BytesIO(response.body))
    return np.asarray(picture.convert("L") if picture.mode == "P" else picture)


def test_rendered_levels_window_and_viewport(client: Any) -> None:
    data = image(rows=20, columns=30, stored=12)
    upload(client, data)
    path = instance_path(data)
    stored = pydicom.dcmread(io.BytesIO(data)).pixel_array.astype(np.float32)
    png = {"Accept": "image/png"}

    whole = rendered(client.http.get(f"{path}/rendered", headers=png), "image/png")
    expected = np.floor((stored - stored.min()) * (255 / (stored.max() - stored.min())) + 0.5)
    assert np.abs(whole.astype(int) - expected).max() <= 1

    windowed = rendered(
        client.http.get(f"{path}/rendered?window=2048,4096,linear", headers=png), "image/png"
    )
    linear = np.clip((stored - 2047.5) / 4095 * 255 + 127.5 + 0.5, 0, 255)
    assert np.abs(windowed.astype(int) - np.floor(linear)).max() <= 1

    # PS3.3 C.11.2.1.3.2 and C.11.2.1.3.1 (the plugin's linear-exact drops the + 0.5).
    exact = rendered(
        client.http.get(f"{path}/rendered?window=1000,2000,LINEAR_EXACT", headers=png),
        "image/png",
    )
    expected_exact = np.clip(((stored - 1000) / 2000 + 0.5) * 255, 0, 255)
    assert np.abs(exact.astype(int) - np.floor(expected_exact + 0.5)).max() <= 1
    sigmoid = rendered(
        client.http.get(f"{path}/rendered?window=1000,2000,sigmoid", headers=png), "image/png"
    )
    expected_sigmoid = 255 / (1 + np.exp(-4 * (stored - 1000) / 2000))
    assert np.abs(sigmoid.astype(int) - np.floor(expected_sigmoid + 0.5)).max() <= 1

    # 30x20 into 60x60: scaled by 2 to 60x40, centred between black bands of 10 rows.
    boxed = rendered(client.http.get(f"{path}/rendered?viewport=60,60", headers=png), "image/png")
    assert boxed.shape == (60, 60)
    assert not boxed[:10].any() and not boxed[50:].any()
    assert (boxed[10:50:2, ::2] == whole).all()

    # The region x 10..19 of rows 5..19, flipped horizontally.
    flipped = rendered(
        client.http.get(f"{path}/rendered?viewport=10,15,10,5,-10,15", headers=png), "image/png"
    )
    region = rendered(
        client.http.get(f"{path}/rendered?viewport=10,15,10,5,10,15", headers=png), "image/png"
    )
    assert (flipped == region[:, ::-1]).all()

    jpeg = rendered(client.http.get(f"{path}/rendered?quality=95"))
    assert jpeg.shape == whole.shape and np.abs(jpeg.astype(int) - whole).max() <= 8
    gif = rendered(
        client.http.get(f"{path}/rendered", headers={"Accept": "image/gif"}), "image/gif"
    )
    assert (gif == whole).all()


def test_rendered_levels_and_thumbnail(client: Any) -> None:
    first = make_instance(size=8)
    study, series, _ = uids(first)
    second = make_instance(study_uid=study, series_uid=series, size=8, instance_number=2)
    ids = sorted(upload(client, d)["ID"] for d in (first, second))
    by_id = {upload(client, d)["ID"]: d for d in (first, second)}
    expected = client.http.get(
        instance_path(by_id[ids[0]]) + "/rendered", headers={"Accept": "image/png"}
    ).body
    for path in (f"/dicom-web/studies/{study}", f"/dicom-web/studies/{study}/series/{series}"):
        response = client.http.get(f"{path}/rendered", headers={"Accept": "image/png"})
        assert response.body == expected
        thumbnail = rendered(client.http.get(f"{path}/thumbnail"))
        assert thumbnail.shape == (128, 128)
    frame = client.http.get(
        instance_path(first) + "/frames/1/rendered", headers={"Accept": "image/png"}
    )
    assert rendered(frame, "image/png").shape == (8, 8)


def test_rendered_bad_input(client: Any) -> None:
    data = make_instance()
    upload(client, data)
    path = instance_path(data)
    for query in (
        "viewport=10",
        "viewport=a,10",
        "viewport=-1,10",
        "viewport=99999,10",
        "window=1,2",
        "window=a,2,linear",
        "window=1,2,cubic",
        "window=1,0,linear",
        "quality=0",
        "quality=abc",
    ):
        assert_orthanc_error(client.http.get(f"{path}/rendered?{query}"), 400, 3, "GET")
    response = client.http.get(f"{path}/rendered", headers={"Accept": "image/webp"})
    assert_orthanc_error(response, 406, 34, "GET")
    assert_orthanc_error(client.http.get(f"{path}/frames/2/rendered"), 400, 3, "GET")
    assert_orthanc_error(client.http.get(f"{path}/frames/1,2/rendered"), 400, 8, "GET")
    assert_orthanc_error(
        client.http.get("/dicom-web/studies/1.2.3/series/4.5/rendered"), 404, 7, "GET"
    )


def wado_uri(data: bytes, **extra: str) -> str:
    study, series, sop = uids(data)
    query = f"requestType=WADO&studyUID={study}&seriesUID={series}&objectUID={sop}"
    return "/wado?" + "&".join([query, *(f"{k}={v}" for k, v in extra.items())])


def test_wado_uri(client: Any) -> None:
    data = image(rows=10, columns=12, frames=2, WindowCenter="2048", WindowWidth="4096")
    upload(client, data)
    response = client.http.get(wado_uri(data, contentType="application/dicom"))
    assert response.status_code == 200 and response.body == data
    assert response.headers["Content-Type"] == "application/dicom"

    explicit = client.http.get(
        wado_uri(data, contentType="application/dicom", transferSyntax="1.2.840.10008.1.2")
    )
    assert (
        pydicom.dcmread(io.BytesIO(explicit.body)).file_meta.TransferSyntaxUID
        == "1.2.840.10008.1.2"
    )

    png = rendered(client.http.get(wado_uri(data, contentType="image/png")), "image/png")
    core = client.http.get(
        f"/instances/{upload(client, data)['ID']}/rendered", headers={"Accept": "image/png"}
    )
    assert (png == np.asarray(Image.open(io.BytesIO(core.body)))).all()
    second = rendered(
        client.http.get(wado_uri(data, contentType="image/png", frameNumber="2")), "image/png"
    )
    assert not (second == png).all()
    small = rendered(
        client.http.get(wado_uri(data, contentType="image/png", rows="5")), "image/png"
    )
    assert small.shape == (5, 6)
    assert rendered(client.http.get(wado_uri(data))).shape == (10, 12)


def test_wado_uri_bad_input(client: Any) -> None:
    data = make_instance()
    upload(client, data)
    study, series, sop = uids(data)
    for path in (
        "/wado",
        wado_uri(data).replace("requestType=WADO", "requestType=WADO-RS"),
        f"/wado?requestType=WADO&objectUID={sop}",
        wado_uri(data, contentType="text/html"),
        wado_uri(data, contentType="image/png", frameNumber="0"),
        wado_uri(data, contentType="image/png", windowCenter="10"),
    ):
        assert_orthanc_error(client.http.get(path), 400, 8, "GET")
    not_a_syntax = wado_uri(data, contentType="application/dicom", transferSyntax="1.2.3")
    assert_orthanc_error(client.http.get(not_a_syntax), 400, 3, "GET")
    beyond = wado_uri(data, contentType="image/png", frameNumber="2")
    assert_orthanc_error(client.http.get(beyond), 400, 3, "GET")
    for path in (
        wado_uri(data).replace(sop, "1.2.3"),
        wado_uri(data).replace(f"studyUID={study}", "studyUID=1.2.3"),
    ):
        assert_orthanc_error(client.http.get(path), 404, 17, "GET")
    assert_orthanc_error(
        client.http.get(wado_uri(data).replace(f"seriesUID={series}", "seriesUID=1.2.3")),
        404,
        17,
        "GET",
    )
