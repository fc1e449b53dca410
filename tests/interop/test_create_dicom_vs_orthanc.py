"""``POST /tools/create-dicom`` side by side with Orthanc 1.10.1: the same bodies create the same
instances (every element written with the same VR and bytes, pixel data and PDFs included, and
the same ``/tags?simplify``) and bad bodies get the same status and error body.

What legitimately differs, and is left out of the comparison: the identifiers each server
generates (PatientID, a random UUID in both; the three UIDs, ``2.25.<uuid>`` in Cirrus and
under DCMTK's root in Orthanc), the dates and times of creation, and the meta header's
Implementation Class UID and Version Name (pydicom's in Cirrus, DCMTK's in Orthanc). Images
are generated with Pillow here; no sample file of Orthanc's is used.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pydicom
import pytest
from PIL import Image
from pydicom.uid import generate_uid

from tests.support.data_uris import jpeg, png, uri
from tests.support.dicom_factory import make_instance
from tests.support.orthanc_server import OrthancServer

CREATE = "/tools/create-dicom"
GENERATED = {0x00100020, 0x0020000D, 0x0020000E, 0x00080018}
GENERATED_NAMES = {"PatientID", "StudyInstanceUID", "SeriesInstanceUID", "SOPInstanceUID"}
RNG = np.random.default_rng(11)


@pytest.fixture(scope="module")
def orthanc() -> Iterator[OrthancServer]:
    with OrthancServer() as server:
        yield server


def pam(header: str, pixels: bytes) -> str:
    return uri("image/x-portable-arbitrarymap", f"P7\n{header}\nENDHDR\n".encode() + pixels)


def colour(height: int, width: int) -> np.ndarray:
    return RNG.integers(0, 256, (height, width, 3), dtype=np.uint8)


def grey(height: int, width: int, bits: int = 8) -> np.ndarray:
    kind = np.uint8 if bits == 8 else np.uint16
    return RNG.integers(0, 1 << bits, (height, width), dtype=kind)


OCTETS = "data:application/octet-stream;base64,QUJD"
CREATED: dict[str, Callable[[], dict[str, Any]]] = {
    "png grey 8": lambda: {"Tags": {"PatientName": "A^B"}, "Content": png(grey(5, 7))},
    "png grey 16": lambda: {"Tags": {}, "Content": png(grey(5, 7, 16))},
    "png rgb": lambda: {"Tags": {}, "Content": png(colour(5, 7))},
    "png rgba": lambda: {"Tags": {}, "Content": png(RNG.integers(0, 256, (3, 4, 4), np.uint8))},
    "jpeg rgb 4:2:0": lambda: {"Tags": {}, "Content": jpeg(colour(33, 47), quality=80)},
    "jpeg rgb 4:4:4": lambda: {"Tags": {}, "Content": jpeg(colour(33, 47), subsampling=0)},
    "jpeg grey": lambda: {"Tags": {}, "Content": jpeg(grey(33, 47))},
    "jpeg progressive": lambda: {"Tags": {}, "Content": jpeg(colour(20, 30), progressive=True)},
    "pdf": lambda: {"Tags": {}, "Content": uri("application/pdf", b"%PDF-1.4 odd")},
    "pdf with tags": lambda: {
        "Tags": {"Modality": "DOC", "ConversionType": "SI", "SOPClassUID": "1.2.3"},
        "Content": uri("application/pdf", b"%PDF-1.5 even"),
    },
    "pdf in EncapsulatedDocument": lambda: {
        "Tags": {"EncapsulatedDocument": uri("application/pdf", b"%PDF-1.4 zz")}
    },
    "raw pixel data": lambda: {"Tags": {}, "Content": uri("application/octet-stream", b"abc")},
    "pam grey 16": lambda: {
        "Tags": {},
        "Content": pam(
            "WIDTH 2\nHEIGHT 1\nDEPTH 1\nMAXVAL 65535\nTUPLTYPE GRAYSCALE", b"\x01\x02\x03\x04"
        ),
    },
    "utf-8": lambda: {"Tags": {"SpecificCharacterSet": "ISO_IR 192", "PatientName": "Jérôme^日本"}},
    "latin-1 drops what it lacks": lambda: {
        "Tags": {"PatientName": "Jé日本", "ImageComments": "a\tb"}
    },
    "ascii": lambda: {"Tags": {"SpecificCharacterSet": "ISO_IR 6", "PatientName": "Jé\nx"}},
    "gbk": lambda: {"Tags": {"SpecificCharacterSet": "gbk", "PatientName": "中文"}},
    "greek": lambda: {"Tags": {"SpecificCharacterSet": "ISO 2022 IR 126", "PatientName": "Ωμέγα"}},
    "numbers": lambda: {
        "Tags": {
            "Rows": "-1",
            "Columns": "+12",
            "PixelPaddingValue": "3\\4",
            "RescaleSlope": "1.5",
            "FrameIncrementPointer": "Rows",
            "ReferencedFrameNumber": "1\\2",
            "RecommendedDisplayFrameRateInFloat": "2.5",
            "TimeRange": "nan",
        }
    },
    "sequences": lambda: {
        "Tags": {
            "ReferencedSeriesSequence": [
                {"SeriesInstanceUID": "1.2", "ReferencedInstanceSequence": [{}]},
                {},
                [],
            ],
            "OtherPatientIDsSequence": [],
        }
    },
    "null and empty": lambda: {
        "Tags": {
            "PatientName": None,
            "StudyDescription": "",
            "Rows": "",
            "ReferencedSeriesSequence": "",
        }
    },
    "binary values": lambda: {
        "Tags": {
            "PatientName": OCTETS,
            "0011,0010": "X",
            "0011,1001": OCTETS,
            "ImageComments": "data:text/plain;base64,QUJD",
        }
    },
    "binary values kept": lambda: {"Tags": {"PatientName": OCTETS}, "InterpretBinaryTags": False},
    "private block": lambda: {
        "Tags": {"0029,1008": "IMAGE NUM 4", "0029,1009": "20", "0009,1001": "x"},
        "PrivateCreator": "SIEMENS CSA HEADER",
    },
    "force": lambda: {
        "Tags": {"StudyInstanceUID": "1.2.3", "SeriesInstanceUID": "1.2.3.4", "StudyDate": "1999"},
        "Force": True,
    },
    "photometric kept": lambda: {
        "Tags": {"PhotometricInterpretation": "MONOCHROME1", "Rows": "99"},
        "Content": png(grey(2, 3)),
    },
    "value too long for its vr": lambda: {"Tags": {"StudyDescription": "x" * 70001}},
    "group length and meta tags": lambda: {
        "Tags": {"0010,0000": "12", "TransferSyntaxUID": "1.2.840.10008.1.2"}
    },
    "empty content list": lambda: {"Tags": {}, "Content": []},
    "deprecated form": lambda: {
        "PatientName": "V1é",
        "SpecificCharacterSet": "ISO_IR 192",
        "StudyDescription": "Jé",
        "PixelData": png(grey(2, 3)),
    },
}


def shape(status: int, text: str) -> tuple[int, Any]:
    try:
        return status, json.loads(text)
    except ValueError:
        return status, text


def post_both(orthanc: OrthancServer, client: Any, body: str) -> tuple[Any, Any]:
    theirs = orthanc.post(CREATE, data=body)
    ours = client.http.post(CREATE, body=body)
    return shape(theirs.status_code, theirs.text), shape(ours.status_code, ours.body.decode())


def scrubbed(tags: dict[str, Any], kept: set[str]) -> dict[str, Any]:
    """``/tags?simplify`` without what each server generates (unless inherited: ``kept``)."""
    return {
        name: value
        for name, value in tags.items()
        if name in kept or (name not in GENERATED_NAMES and not name.endswith(("Date", "Time")))
    }


def elements(data: bytes, kept: set[int]) -> dict[int, Any]:
    """Each top-level element as written: (VR, bytes), sequences as pydicom prints them."""
    dataset = pydicom.dcmread(io.BytesIO(data))
    tags = dataset.keys()  # not iterating the data set, which would convert the raw elements
    written = {int(tag): dataset.get_item(tag) for tag in tags}
    found: dict[int, Any] = {}
    for tag, element in written.items():
        keyword = pydicom.datadict.keyword_for_tag(tag)
        if tag not in kept and (tag in GENERATED or keyword.endswith(("Date", "Time"))):
            continue
        if getattr(element, "is_raw", False) and element.VR != "SQ":
            found[tag] = (element.VR, element.value or b"")
        else:
            found[tag] = str(dataset[tag])
    return found


def same_instance(
    orthanc: OrthancServer, client: Any, theirs: str, ours: str, kept: set[int] = frozenset()
) -> None:
    names = {pydicom.datadict.keyword_for_tag(tag) for tag in kept}
    expected = orthanc.get_json(f"/instances/{theirs}/tags?simplify")
    actual = json.loads(client.http.get(f"/instances/{ours}/tags?simplify").body)
    assert scrubbed(actual, names) == scrubbed(expected, names)
    their_file = orthanc.get(f"/instances/{theirs}/file").content
    our_file = client.http.get(f"/instances/{ours}/file").body
    assert elements(our_file, kept) == elements(their_file, kept)
    their_meta = pydicom.dcmread(io.BytesIO(their_file)).file_meta
    our_meta = pydicom.dcmread(io.BytesIO(our_file)).file_meta
    assert our_meta.MediaStorageSOPClassUID == their_meta.MediaStorageSOPClassUID
    assert our_meta.TransferSyntaxUID == their_meta.TransferSyntaxUID


@pytest.mark.parametrize("name", list(CREATED))
def test_the_same_body_creates_the_same_instance(
    orthanc: OrthancServer, client: Any, name: str
) -> None:
    (their_status, theirs), (our_status, ours) = post_both(
        orthanc, client, json.dumps(CREATED[name]())
    )
    assert (our_status, their_status) == (200, 200), (theirs, ours)
    assert sorted(ours) == sorted(theirs)
    assert ours["Status"] == theirs["Status"]
    same_instance(orthanc, client, theirs["ID"], ours["ID"])


def test_the_same_identifiers_twice_are_already_stored(orthanc: OrthancServer, client: Any) -> None:
    uids = {name: generate_uid() for name in GENERATED_NAMES}
    body = json.dumps({"Tags": uids, "Force": True})
    first, second = post_both(orthanc, client, body), post_both(orthanc, client, body)
    assert first[0] == first[1]  # the same identifiers: the same Orthanc IDs
    assert second[0] == second[1] and second[1][1]["Status"] == "AlreadyStored"


def instances_by_number(get: Callable[[str], Any], series: str) -> list[str]:
    ids = get(f"/series/{series}")["Instances"]
    return sorted(ids, key=lambda i: int(get(f"/instances/{i}/simplified-tags")["InstanceNumber"]))


def test_a_list_of_contents_creates_the_same_series(orthanc: OrthancServer, client: Any) -> None:
    items = [
        png(grey(3, 4)),
        {"Content": jpeg(colour(8, 8)), "Tags": {"ImageComments": "2nd", "InstanceNumber": "9"}},
        {"Content": uri("application/pdf", b"%PDF-1.4 third")},
    ]
    body = json.dumps({"Tags": {"SeriesDescription": "three"}, "Content": items})
    (their_status, theirs), (our_status, ours) = post_both(orthanc, client, body)
    assert (our_status, their_status) == (200, 200)
    assert sorted(ours) == sorted(theirs) == ["ID", "Path", "Status"]
    assert ours["Status"] == theirs["Status"]

    def ours_json(path: str) -> Any:
        return json.loads(client.http.get(path).body)

    their_ids = instances_by_number(orthanc.get_json, theirs["ID"])
    our_ids = instances_by_number(ours_json, ours["ID"])
    assert len(our_ids) == len(their_ids) == 3
    for their_id, our_id in zip(their_ids, our_ids, strict=True):
        same_instance(orthanc, client, their_id, our_id)


@pytest.fixture
def parent(orthanc: OrthancServer, client: Any) -> dict[str, str]:
    """The same instance in both, in UTF-8 with tags of every level, one of them too long to
    show (so not inherited): its four IDs."""
    data = make_instance(
        "PARENT-1",
        generate_uid(),
        generate_uid(),
        SpecificCharacterSet="ISO_IR 192",
        PatientName="Jöhn^Dœ",
        PatientBirthDate="",
        PatientComments="x" * 300,
        StudyDate="20190101",
        StudyTime="101010",
        Modality="MR",
        SeriesDescription="Séries",
        SeriesDate="20200101",
    )
    theirs = orthanc.upload(data)
    ours = json.loads(client.http.post("/instances", body=data).body)
    assert ours["ID"] == theirs["ID"]
    return ours


INHERITED = {
    "ParentPatient": {0x00100020},
    "ParentStudy": {0x00100020, 0x0020000D, 0x00080020, 0x00080030},
    "ParentSeries": {0x00100020, 0x0020000D, 0x00080020, 0x00080030}
    | {0x0020000E, 0x00080021, 0x00080031},
}


@pytest.mark.parametrize("level", list(INHERITED))
@pytest.mark.parametrize("tags", [{}, {"SpecificCharacterSet": "ISO_IR 100", "ImageComments": "é"}])
def test_a_child_of_the_same_parent_inherits_the_same_tags(
    orthanc: OrthancServer,
    client: Any,
    parent: dict[str, str],
    level: str,
    tags: dict[str, str],
) -> None:
    body = json.dumps({"Tags": tags, "Parent": parent[level], "Content": png(grey(2, 2))})
    (their_status, theirs), (our_status, ours) = post_both(orthanc, client, body)
    assert (our_status, their_status) == (200, 200), (theirs, ours)
    for key in ("ParentPatient", "ParentStudy", "ParentSeries"):
        assert (ours[key] == parent[key]) == (theirs[key] == parent[key])
    same_instance(orthanc, client, theirs["ID"], ours["ID"], INHERITED[level])


def test_inherited_tags_are_not_overridden(
    orthanc: OrthancServer, client: Any, parent: dict[str, str]
) -> None:
    for level, name in (("ParentStudy", "PatientName"), ("ParentSeries", "SeriesDescription")):
        body = json.dumps({"Tags": {name: "x"}, "Parent": parent[level]})
        theirs, ours = post_both(orthanc, client, body)
        assert ours == theirs


def test_an_instance_is_no_parent(
    orthanc: OrthancServer, client: Any, parent: dict[str, str]
) -> None:
    theirs, ours = post_both(orthanc, client, json.dumps({"Tags": {}, "Parent": parent["ID"]}))
    assert ours == theirs and ours[1]["OrthancStatus"] == 2025


def png_file(mode: str) -> str:
    out = io.BytesIO()
    Image.new(mode, (2, 2)).save(out, "PNG")
    return uri("image/png", out.getvalue())


GOOD = uri("application/octet-stream", b"ab")
REFUSED: dict[str, Any] = {
    "not json": "nope",
    "empty body": "",
    "a list": [],
    "Tags not an object": {"Tags": []},
    "Tags a string": {"Tags": "x"},
    "unknown tag": {"Tags": {"Foo": "x"}},
    "unknown tag in a sequence": {"Tags": {"ReferencedSeriesSequence": [{"Foo": "1"}]}},
    "PixelData in Tags": {"Tags": {"PixelData": "x"}},
    "override without Force": {"Tags": {"StudyInstanceUID": "1.2.3"}},
    "unknown parent": {"Tags": {}, "Parent": "nope"},
    "parent of another type": {"Tags": {}, "Parent": 12},
    "parent an object": {"Tags": {}, "Parent": {}},
    "unknown character set": {"Tags": {"SpecificCharacterSet": "FOO"}},
    "empty character set": {"Tags": {"SpecificCharacterSet": ""}},
    "character set not a string": {"Tags": {"SpecificCharacterSet": 5}},
    "content not a data uri": {"Tags": {}, "Content": "hello"},
    "content a number": {"Tags": {}, "Content": 5},
    "content an object": {"Tags": {}, "Content": {}},
    "content not base64": {"Tags": {}, "Content": "data:image/png;base64,!!!!"},
    "content without base64": {"Tags": {}, "Content": "data:image/png,AAAA"},
    "not a png": {"Tags": {}, "Content": "data:image/png;base64,AAAA"},
    "truncated png": {"Tags": {}, "Content": "data:image/png;base64,iVBORw0KGgo="},
    "palette png": {"Tags": {}, "Content": png_file("P")},
    "grey and alpha png": {"Tags": {}, "Content": png_file("LA")},
    "1-bit png": {"Tags": {}, "Content": png_file("1")},
    "not a jpeg": {"Tags": {}, "Content": "data:image/jpeg;base64,AAAAAAAAAAAA"},
    "empty jpeg": {"Tags": {}, "Content": "data:image/jpeg;base64,"},
    "not a pdf": {"Tags": {}, "Content": "data:application/pdf;base64,AAAA"},
    "gif": {"Tags": {}, "Content": "DATA:IMAGE/GIF;BASE64,AAAA"},
    "xml": {"Tags": {}, "Content": "data:text/xml;base64,AAAA"},
    "unknown mime type": {"Tags": {}, "Content": "data:foo/bar;base64,AAAA"},
    "16-bit rgb pam": {
        "Tags": {},
        "Content": pam("WIDTH 1\nHEIGHT 1\nDEPTH 3\nMAXVAL 65535\nTUPLTYPE RGB", bytes(6)),
    },
    "item without payload": {"Tags": {}, "Content": [{}]},
    "item a number": {"Tags": {}, "Content": [5]},
    "item content a number": {"Tags": {}, "Content": [{"Content": 5}]},
    "second item bad": {"Tags": {}, "Content": [GOOD, "bad"]},
    "second item tags not an object": {"Tags": {}, "Content": [GOOD, {"Content": GOOD, "Tags": 5}]},
    "InterpretBinaryTags not a boolean": {"Tags": {}, "InterpretBinaryTags": 1},
    "PrivateCreator not a string": {"Tags": {}, "PrivateCreator": 1},
    "Force not a boolean": {"Tags": {}, "Force": "true"},
    "value a number": {"Tags": {"PatientName": 5}},
    "value an object": {"Tags": {"PatientName": {}}},
    "list for a tag that is no sequence": {"Tags": {"PatientName": []}},
    "number out of range": {"Tags": {"Rows": "abc"}},
    "negative US-or-SS": {"Tags": {"PixelPaddingValue": "-5"}},
    "null number": {"Tags": {"Rows": None}},
    "empty number in a sequence": {
        "Tags": {"ReferencedImageSequence": [{"ReferencedSegmentNumber": ""}]}
    },
    "string for a sequence": {"Tags": {"ReferencedSeriesSequence": "x"}},
    "bad item": {"Tags": {"ReferencedSeriesSequence": [5]}},
    "SOP class not a string": {"Tags": {"SOPClassUID": 5}},
    "odd OW": {"Tags": {"OverlayData": "abc"}},
    "unknown attribute tag": {"Tags": {"FrameIncrementPointer": "Foo"}},
    "bad binary uri": {"Tags": {"PatientName": "data:application/octet-stream;base64,!!"}},
    "deprecated form, not a string": {"PatientName": 5},
    "deprecated form, private tag": {"00091001": "x"},
    "deprecated form, bad pixel data": {"PixelData": "x"},
}


@pytest.mark.parametrize("name", list(REFUSED))
def test_the_same_bad_body_gets_the_same_error(
    orthanc: OrthancServer, client: Any, name: str
) -> None:
    request = REFUSED[name]
    body = request if isinstance(request, str) else json.dumps(request)
    theirs, ours = post_both(orthanc, client, body)
    assert theirs[0] != 200
    assert ours == theirs
    assert json.loads(client.http.get("/instances").body) == []
