"""``POST /tools/create-dicom`` through the app (moto behind it): created instances are stored
as uploads are, readable everywhere, and a refused request stores nothing."""

from __future__ import annotations

import io
import json
import struct
import zlib
from typing import Any

import numpy as np
import pydicom
import pytest
from PIL import Image

from tests.integration.helpers import (
    CT_SMALL_IDS,
    assert_orthanc_error,
    body,
    get,
    sample_file,
    upload,
)
from tests.support.data_uris import png, uri

CREATE = "/tools/create-dicom"
RNG = np.random.default_rng(3)


def create(client: Any, request: Any) -> Any:
    return client.http.post(CREATE, body=json.dumps(request))


def created(client: Any, request: Any) -> dict[str, Any]:
    response = create(client, request)
    assert response.status_code == 200, response.body
    return body(response)


def decoded(response: Any) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(response.body)))


def test_a_created_image_is_stored_and_readable_everywhere(client: Any) -> None:
    grey = RNG.integers(0, 256, (6, 9), dtype=np.uint8)
    grey[0, 0], grey[0, 1] = 0, 255  # full range: the preview is not stretched
    answer = created(client, {"Tags": {"PatientName": "Doe^Jane"}, "Content": png(grey)})
    instance = answer["ID"]
    assert set(answer) == {"ID", "ParentPatient", "ParentSeries", "ParentStudy", "Path", "Status"}
    assert (answer["Path"], answer["Status"]) == (f"/instances/{instance}", "Success")
    tags = get(client, f"/instances/{instance}/tags?simplify")
    assert (tags["PatientName"], tags["Rows"], tags["Columns"]) == ("Doe^Jane", "6", "9")
    assert tags["SOPInstanceUID"].startswith("2.25.")
    dataset = pydicom.dcmread(io.BytesIO(get(client, f"/instances/{instance}/file").body))
    assert np.array_equal(dataset.pixel_array, grey)
    assert np.array_equal(decoded(get(client, f"/instances/{instance}/preview")), grey)
    metadata = get(client, f"/instances/{instance}/metadata?expand")
    assert metadata["Origin"] == "RestApi"
    assert get(client, f"/patients/{answer['ParentPatient']}")["MainDicomTags"]["PatientName"] == (
        "Doe^Jane"
    )


def test_colour_and_16_bit_images_keep_their_pixel_values(client: Any) -> None:
    colour = RNG.integers(0, 256, (4, 5, 3), dtype=np.uint8)
    instance = created(client, {"Tags": {}, "Content": png(colour)})["ID"]
    assert np.array_equal(decoded(get(client, f"/instances/{instance}/preview")), colour)
    deep = RNG.integers(0, 65536, (4, 5), dtype=np.uint16)
    instance = created(client, {"Tags": {}, "Content": png(deep)})["ID"]
    assert np.array_equal(decoded(get(client, f"/instances/{instance}/image-uint16")), deep)


def test_a_pdf_is_stored_as_encapsulated_pdf(client: Any) -> None:
    pdf = b"%PDF-1.4\n% a document\n"
    instance = created(client, {"Tags": {}, "Content": uri("application/pdf", pdf)})["ID"]
    assert get(client, f"/instances/{instance}/pdf").body == pdf
    assert get(client, f"/instances/{instance}/metadata/SopClassUid").body.decode() == (
        "1.2.840.10008.5.1.4.1.1.104.1"
    )


def test_a_list_of_contents_creates_a_series(client: Any) -> None:
    items = [png(np.zeros((2, 2), np.uint8)), {"Content": png(np.ones((2, 2), np.uint8))}]
    answer = created(client, {"Tags": {"SeriesDescription": "two"}, "Content": items})
    assert set(answer) == {"ID", "Path", "Status"}
    assert (answer["Path"], answer["Status"]) == (f"/series/{answer['ID']}", "Success")
    series = get(client, answer["Path"])
    assert series["MainDicomTags"]["SeriesDescription"] == "two"
    numbers = sorted(
        get(client, f"/instances/{i}/simplified-tags")["InstanceNumber"]
        for i in series["Instances"]
    )
    assert numbers == ["1", "2"]


def test_an_instance_attached_to_a_parent_inherits_its_tags(client: Any) -> None:
    upload(client, sample_file("CT_small.dcm"))
    study = CT_SMALL_IDS["ParentStudy"]
    answer = created(client, {"Tags": {"SeriesDescription": "notes"}, "Parent": study})
    assert (answer["ParentStudy"], answer["ParentPatient"]) == (
        study,
        CT_SMALL_IDS["ParentPatient"],
    )
    tags = get(client, f"/instances/{answer['ID']}/tags?simplify")
    ct = get(client, f"/instances/{CT_SMALL_IDS['ID']}/tags?simplify")
    for name in ("PatientName", "PatientID", "StudyInstanceUID", "StudyDate", "StudyID"):
        assert tags[name] == ct[name]
    assert tags["SeriesInstanceUID"] != ct["SeriesInstanceUID"]
    assert len(get(client, f"/studies/{study}")["Series"]) == 2


def count_instances(client: Any) -> int:
    return len(get(client, "/instances"))


def test_a_failed_item_removes_what_the_request_stored(client: Any) -> None:
    good = png(np.zeros((2, 2), np.uint8))
    response = create(client, {"Tags": {}, "Content": [good, good, "not a data URI"]})
    assert_orthanc_error(response, 400, 15, "POST")  # the item's own error
    assert count_instances(client) == 0
    assert get(client, "/patients") == []
    # When the first item fails, Orthanc 1.10.1 answers its failed lookup of the new series.
    response = create(client, {"Tags": {}, "Content": ["not a data URI", good]})
    assert_orthanc_error(response, 404, 17, "POST")
    assert count_instances(client) == 0


def test_a_failed_item_keeps_the_instances_of_a_parent_series(client: Any) -> None:
    upload(client, sample_file("CT_small.dcm"))
    good = png(np.zeros((2, 2), np.uint8))
    request = {"Tags": {}, "Parent": CT_SMALL_IDS["ParentSeries"], "Content": [good, {}]}
    assert_orthanc_error(create(client, request), 400, 2022, "POST")
    assert get(client, "/instances") == [CT_SMALL_IDS["ID"]]


def png_header(width: int, height: int) -> bytes:
    """A PNG that claims a size and holds no pixels."""
    header = b"IHDR" + struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    crc = struct.pack(">I", zlib.crc32(header))
    return b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + header + crc


REFUSED = {
    "not json": ("not json", 400, 8),
    "a list": (json.dumps([]), 400, 8),
    "Tags not an object": (json.dumps({"Tags": []}), 400, 8),
    "unknown tag": (json.dumps({"Tags": {"NoSuchTag": "x"}}), 500, 27),
    "not a png": (json.dumps({"Tags": {}, "Content": "data:image/png;base64,AAAA"}), 400, 15),
    "decompression bomb": (
        json.dumps({"Tags": {}, "Content": uri("image/png", png_header(10**5, 10**5))}),
        400,
        8,
    ),
    "unknown character set": (json.dumps({"Tags": {"SpecificCharacterSet": "X"}}), 400, 3),
    "PixelData in Tags": (json.dumps({"Tags": {"PixelData": "x"}}), 400, 2021),
    "override": (json.dumps({"Tags": {"StudyInstanceUID": "1.2"}}), 400, 2020),
    "unknown parent": (
        json.dumps({"Tags": {}, "Parent": CT_SMALL_IDS["ID"].replace("f", "e")}),
        400,
        2024,
    ),
}


@pytest.mark.parametrize("name", list(REFUSED))
def test_refused_requests_store_nothing(client: Any, name: str) -> None:
    request_body, status, code = REFUSED[name]
    assert count_instances(client) == 0
    response = client.http.post(CREATE, body=request_body)
    assert count_instances(client) == 0
    assert_orthanc_error(response, status, code, "POST")


def test_an_instance_is_no_parent(client: Any) -> None:
    upload(client, sample_file("CT_small.dcm"))
    response = create(client, {"Tags": {}, "Parent": CT_SMALL_IDS["ID"]})
    assert_orthanc_error(response, 400, 2025, "POST")


def test_a_body_larger_than_the_json_limit_is_413(client: Any) -> None:
    request = {"Tags": {}, "Content": uri("application/octet-stream", bytes(800_000))}
    assert_orthanc_error(create(client, request), 413, 8, "POST")
    assert count_instances(client) == 0
