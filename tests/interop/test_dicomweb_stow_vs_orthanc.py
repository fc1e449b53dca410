"""STOW-RS bodies posted to Orthanc 1.10.1 with its DICOMweb plugin (1.7) and to Cirrus: the
same statuses and the same store responses (Cirrus is sent the plugin's ``Host``, so even the
RetrieveURLs are equal), but for the differences docs/compatibility.md lists, each checked
here both ways."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from xml.etree import ElementTree

import pytest
from pydicom.uid import generate_uid

from chalicelib.dicom.multipart_related import PartToSend, related_chunks, related_content_type
from tests.conftest import chalice_client, moto_storage
from tests.support.dicom_factory import make_instance
from tests.support.orthanc_server import OrthancServer, dicomweb_config

BOUNDARY = "interop-stow"
DICOM_TYPE = related_content_type(BOUNDARY, "application/dicom")
pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")  # pydicom reading "not DICOM"
NATIVE = "{http://dicom.nema.org/PS3.19/models/NativeDICOM}"


@pytest.fixture(scope="module")
def orthanc() -> Iterator[OrthancServer]:
    with OrthancServer(extra_config=dicomweb_config()) as server:
        yield server


@pytest.fixture(scope="module")
def cirrus() -> Iterator[Any]:
    with moto_storage(), chalice_client() as client:
        yield client


class Answer:
    def __init__(self, status: int, content: bytes, content_type: str) -> None:
        self.status, self.content, self.content_type = status, content, content_type

    def json(self) -> Any:
        return json.loads(self.content)


def post_both(
    orthanc: OrthancServer,
    cirrus: Any,
    data: bytes,
    path: str = "/dicom-web/studies",
    **headers: str,
) -> tuple[Answer, Answer]:
    """(the plugin's answer, Cirrus's) to the same request."""
    headers = {"Content-Type": DICOM_TYPE, **headers}
    theirs = orthanc.post(path, data=data, headers=headers)
    host = orthanc.url.removeprefix("http://")
    ours = cirrus.http.post(path, body=data, headers={"Host": host, **headers})
    return (
        Answer(theirs.status_code, theirs.content, theirs.headers.get("Content-Type", "")),
        Answer(ours.status_code, ours.body, ours.headers.get("Content-Type", "")),
    )


def multipart(*files: bytes) -> bytes:
    return b"".join(related_chunks([PartToSend("application/dicom", f) for f in files], BOUNDARY))


def series(count: int, patient: str = "STOW") -> tuple[str, list[bytes]]:
    study, series_uid = generate_uid(), generate_uid()
    files = [
        make_instance(patient, study_uid=study, series_uid=series_uid, instance_number=n)
        for n in range(count)
    ]
    return study, files


def in_orthanc(orthanc: OrthancServer, study: str) -> int:
    query = {"Level": "Instance", "Query": {"StudyInstanceUID": study}}
    return len(orthanc.post("/tools/find", data=json.dumps(query)).json())


def in_cirrus(cirrus: Any, study: str) -> int:
    query = {"Level": "Instance", "Query": {"StudyInstanceUID": study}}
    return len(json.loads(cirrus.http.post("/tools/find", body=json.dumps(query)).body))


def test_a_study_stored_then_stored_again(orthanc, cirrus) -> None:
    _study, files = series(3)
    for _ in range(2):  # the second time every instance is already stored: still a success
        theirs, ours = post_both(orthanc, cirrus, multipart(*files))
        assert (
            (ours.status, ours.content_type)
            == (theirs.status, theirs.content_type)
            == (
                200,
                "application/dicom+json",
            )
        )
        assert ours.json() == theirs.json()


def test_instances_of_another_study_only(orthanc, cirrus) -> None:
    study, _ = series(1)
    _other, files = series(2, "OTHER")
    theirs, ours = post_both(orthanc, cirrus, multipart(*files), f"/dicom-web/studies/{study}")
    assert ours.status == theirs.status == 409
    assert ours.json() == theirs.json()
    assert in_cirrus(cirrus, _other) == in_orthanc(orthanc, _other) == 0


def test_an_empty_body(orthanc, cirrus) -> None:
    theirs, ours = post_both(orthanc, cirrus, multipart())
    assert ours.status == theirs.status == 200
    assert ours.json() == theirs.json()


@pytest.mark.parametrize(
    "content_type", ["application/dicom", f"multipart/related; boundary={BOUNDARY}"]
)
def test_bodies_of_another_type(orthanc, cirrus, content_type: str) -> None:
    _study, files = series(1)
    theirs, ours = post_both(orthanc, cirrus, multipart(*files), **{"Content-Type": content_type})
    assert ours.status == theirs.status == 415
    expected = theirs.json()
    assert {key: value for key, value in ours.json().items() if key != "Details"} == expected


def test_the_xml_store_response(orthanc, cirrus) -> None:
    """The same attributes, values and items; the plugin also writes an empty ``Value`` in
    each sequence holding items, which PS3.19 does not allow and Cirrus leaves out."""
    _study, files = series(2)
    theirs, ours = post_both(orthanc, cirrus, multipart(*files), Accept="application/dicom+xml")
    assert ours.status == theirs.status == 200
    assert ours.content_type.split(";")[0] == theirs.content_type == "application/dicom+xml"
    outline = native_outline(ours.content)
    assert outline == native_outline(theirs.content, drop_empty=True)
    assert [tag for tag, *_ in outline] == ["00080005", "00081190", "00081198", "00081199"]
    assert len(outline[-1][-1]) == 2  # the two instances, as items


def native_outline(document: bytes, drop_empty: bool = False) -> list[Any]:
    """A PS3.19 document as nested lists of (tag, vr, keyword, values or items)."""

    def attributes(element: ElementTree.Element) -> list[Any]:
        outline = []
        for attribute in element.findall(f"{NATIVE}DicomAttribute"):
            values = [
                value.text
                for value in attribute.findall(f"{NATIVE}Value")
                if not (drop_empty and value.text is None)
            ]
            items = [attributes(item) for item in attribute.findall(f"{NATIVE}Item")]
            keyword = attribute.get("keyword")
            outline.append((attribute.get("tag"), attribute.get("vr"), keyword, values, items))
        return outline

    return attributes(ElementTree.fromstring(document))


# -- differences, checked both ways ---------------------------------------------------------


def test_some_instances_of_another_study_are_202_not_409(orthanc, cirrus) -> None:
    """PS3.18 6.6.1.3.1: 202 when some instances are stored; the plugin answers 409 whenever
    one is of another study. The answers are the same otherwise."""
    study, files = series(1)
    _other, others = series(1, "OTHER")
    path = f"/dicom-web/studies/{study}"
    theirs, ours = post_both(orthanc, cirrus, multipart(files[0], others[0]), path)
    assert (theirs.status, ours.status) == (409, 202)
    assert ours.json() == theirs.json()
    assert in_cirrus(cirrus, study) == in_orthanc(orthanc, study) == 1


def test_a_part_that_is_not_dicom_stores_nothing(orthanc, cirrus) -> None:
    """Both answer 400; the plugin stores the other parts, Cirrus none (and says which part
    is wrong in Orthanc's error form)."""
    study, files = series(1)
    theirs, ours = post_both(orthanc, cirrus, multipart(files[0], b"not DICOM"))
    assert ours.status == theirs.status == 400
    assert "Part 2" in ours.json()["Details"]
    assert (in_orthanc(orthanc, study), in_cirrus(cirrus, study)) == (1, 0)


def test_a_cut_body_is_400(orthanc, cirrus) -> None:
    """The plugin answers 200 for a body without its closing boundary and stores its complete
    parts; Cirrus refuses the body and stores nothing."""
    study, files = series(2)
    data = multipart(*files)
    theirs, ours = post_both(orthanc, cirrus, data[: data.rindex(b"--" + BOUNDARY.encode())])
    assert (theirs.status, ours.status) == (200, 400)
    assert ours.json()["OrthancStatus"] == 9
    assert in_cirrus(cirrus, study) == 0


def test_an_unacceptable_answer_type_is_406(orthanc, cirrus) -> None:
    """The plugin answers DICOM JSON whatever ``Accept`` says; Cirrus answers PS3.18's 406
    and stores nothing."""
    study, files = series(1)
    theirs, ours = post_both(orthanc, cirrus, multipart(*files), Accept="image/png")
    assert (theirs.status, ours.status) == (200, 406)
    assert ours.json()["OrthancStatus"] == 34
    assert (in_orthanc(orthanc, study), in_cirrus(cirrus, study)) == (1, 0)


def test_a_part_of_another_type_is_415(orthanc, cirrus) -> None:
    """The plugin means to refuse it with 415 but answers an empty 200 (storing nothing);
    Cirrus answers the 415."""
    study, files = series(1)
    data = b"".join(related_chunks([PartToSend("application/octet-stream", files[0])], BOUNDARY))
    theirs, ours = post_both(orthanc, cirrus, data)
    assert (theirs.status, ours.status) == (200, 415)
    assert "00081199" in theirs.json() and "Value" not in theirs.json()["00081199"]
    assert in_orthanc(orthanc, study) == in_cirrus(cirrus, study) == 0
