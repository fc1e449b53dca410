"""Differential tests of the REST API: the same uploads, browsing and deletes against a real
Orthanc 1.10.1 and against Cirrus (in-process, on moto), compared answer by answer."""

from __future__ import annotations

import gzip
import io
import json
import subprocess
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pydicom
import pydicom.data
import pytest

from tests.conftest import chalice_client, moto_storage
from tests.support.dicom_factory import make_instance
from tests.support.orthanc_server import OrthancServer

TEST_FILES = sorted(Path(pydicom.data.get_testdata_file("CT_small.dcm")).parent.glob("*.dcm"))
# Fields that legitimately differ per server: times, random file UUIDs, Cirrus's 1.12 additions.
VOLATILE = {"FileUuid", "LastUpdate", "IsStable", "Labels"}
CHILD_LISTS = {"Studies", "Series", "Instances"}


class Pair:
    """The same request sent to Orthanc and to Cirrus."""

    def __init__(self, orthanc: OrthancServer, cirrus: Any) -> None:
        self.orthanc = orthanc
        self.cirrus = cirrus

    def post(self, path: str, data: bytes, headers: dict[str, str] | None = None):
        theirs = self.orthanc.session.post(
            self.orthanc.url + path, data=data, headers=headers or {}, timeout=30
        )
        ours = self.cirrus.http.post(path, body=data, headers=headers or {})
        return _decoded(theirs.status_code, theirs.content), _decoded(ours.status_code, ours.body)

    def get(self, path: str):
        theirs = self.orthanc.get(path)
        ours = self.cirrus.http.get(path)
        return _decoded(theirs.status_code, theirs.content), _decoded(ours.status_code, ours.body)

    def delete(self, path: str):
        theirs = self.orthanc.delete(path)
        ours = self.cirrus.http.delete(path)
        return _decoded(theirs.status_code, theirs.content), _decoded(ours.status_code, ours.body)


def _decoded(status: int, content: bytes) -> tuple[int, Any]:
    try:
        return status, json.loads(content) if content else None
    except ValueError:
        return status, content


def _comparable(value: Any) -> Any:
    """Drop volatile fields and sort child lists (Orthanc lists by arrival, Cirrus by ID)."""
    if isinstance(value, dict):
        return {
            k: sorted(v) if k in CHILD_LISTS else _comparable(v)
            for k, v in value.items()
            if k not in VOLATILE
        }
    if isinstance(value, list):
        return [_comparable(v) for v in value]
    return value


def _same_error(theirs: tuple[int, Any], ours: tuple[int, Any]) -> None:
    """Same status; where Orthanc sends a JSON error, the same Orthanc error code."""
    assert ours[0] == theirs[0], (theirs, ours)
    if isinstance(theirs[1], dict):
        assert ours[1]["OrthancStatus"] == theirs[1]["OrthancStatus"], (theirs, ours)


@pytest.fixture(scope="module")
def pair() -> Iterator[Pair]:
    with OrthancServer() as orthanc, moto_storage(), chalice_client() as cirrus:
        yield Pair(orthanc, cirrus)


def test_uploads_answer_the_same(pair: Pair) -> None:
    """Every pydicom test file, twice: same status, same IDs, Success then AlreadyStored."""
    compared, different = 0, []
    for path in TEST_FILES:
        data = path.read_bytes()
        for _ in range(2):
            theirs, ours = pair.post("/instances", data)
            if theirs[0] != 200:
                _same_error(theirs, ours)
                continue
            if ours != theirs:
                different.append((path.name, theirs, ours))
            compared += 1
    assert different == []
    assert compared > 40


def test_every_resource_answers_the_same(pair: Pair) -> None:
    for collection in ("patients", "studies", "series", "instances"):
        theirs, ours = pair.get(f"/{collection}")
        assert sorted(ours[1]) == sorted(theirs[1]), collection
        for resource_id in theirs[1]:
            theirs_one, ours_one = pair.get(f"/{collection}/{resource_id}")
            assert ours_one[0] == theirs_one[0] == 200
            assert _comparable(ours_one[1]) == _comparable(theirs_one[1]), (collection, resource_id)
            theirs_stats, ours_stats = pair.get(f"/{collection}/{resource_id}/statistics")
            assert ours_stats == theirs_stats, (collection, resource_id)
    assert pair.get("/statistics")[1] == pair.get("/statistics")[0]


def test_instance_metadata_and_content_answer_the_same(pair: Pair) -> None:
    _, instances = pair.get("/instances")[0]
    for instance_id in instances:
        theirs, ours = pair.get(f"/instances/{instance_id}/metadata?expand")
        mine = {k: v for k, v in ours[1].items() if k != "ReceptionDate"}
        expected = {k: v for k, v in theirs[1].items() if k != "ReceptionDate"}
        assert mine == expected, instance_id
        theirs, ours = pair.get(f"/instances/{instance_id}/content")
        assert ours == theirs, instance_id
        theirs_file, ours_file = pair.get(f"/instances/{instance_id}/file")
        assert ours_file == theirs_file


@pytest.mark.parametrize("collection", ["patients", "studies", "series"])
def test_shared_and_instances_tags_answer_the_same(pair: Pair, collection: str) -> None:
    _, resources = pair.get(f"/{collection}")[0]
    for resource_id in resources[:15]:
        for route in ("shared-tags", "shared-tags?simplify", "instances-tags?short"):
            theirs, ours = pair.get(f"/{collection}/{resource_id}/{route}")
            assert ours == theirs, (collection, resource_id, route)


def test_nested_content_answers_the_same(pair: Pair) -> None:
    data = (Path(TEST_FILES[0]).parent / "rtplan.dcm").read_bytes()
    instance_id = pair.post("/instances", data)[0][1]["ID"]
    base = f"/instances/{instance_id}/content"
    for suffix in (
        "/300a-00b0",
        "/300a-00b0/0",
        "/300a-00b0/0/300a-00b2",
        "/300a,00b0/0/300a,0111",
        "/300a-00b0/0/300a-0111/1",
        "/300a-00b0/0/300a-0111/1/300a-0112",
        "/0008-0012",
    ):
        theirs, ours = pair.get(base + suffix)
        assert ours == theirs, suffix
    for suffix in ("/300a-00b0/7", "/300a-00b0/x", "/0008-0012/0", "/0008-1140", "/0008-0005"):
        theirs, ours = pair.get(base + suffix)
        assert (ours[0], theirs[0]) == (404, 404), suffix


@pytest.mark.parametrize(
    "data",
    [b"", b"\x00" * 8, b"random bytes, not DICOM", make_instance()[:200]],
    ids=["empty", "zeros", "random", "truncated-header"],
)
def test_broken_uploads_fail_the_same(pair: Pair, data: bytes) -> None:
    theirs, ours = pair.post("/instances", data)
    _same_error(theirs, ours)


def test_known_difference_on_a_long_run_of_zero_bytes(pair: Pair) -> None:
    """DCMTK reads 200 zero bytes as an empty dataset, so Orthanc answers 404 "Inexistent
    tag"; Cirrus (pydicom) calls it what it is, not a DICOM file: 400 "Bad file format".
    Both refuse it; only the status differs (docs/compatibility.md)."""
    theirs, ours = pair.post("/instances", b"\x00" * 200)
    assert (theirs[0], theirs[1]["OrthancStatus"]) == (404, 21)
    assert (ours[0], ours[1]["OrthancStatus"]) == (400, 15)


def _without_sop_instance_uid() -> bytes:
    ds = pydicom.dcmread(io.BytesIO(make_instance("ZIP", "1.2.826.0.1.1", "1.2.826.0.1.2")))
    del ds.SOPInstanceUID
    out = io.BytesIO()
    ds.save_as(out)
    return out.getvalue()


def test_zip_and_gzip_uploads_answer_the_same(pair: Pair) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "one.dcm", make_instance("ZIP", "1.2.826.0.1.1", "1.2.826.0.1.2", "1.2.826.0.1.3")
        )
        archive.writestr("notes.txt", b"not DICOM")
        archive.writestr(
            "../escape.dcm", make_instance("ZIP", "1.2.826.0.1.1", "1.2.826.0.1.2", "1.2.826.0.1.4")
        )
    theirs, ours = pair.post("/instances", buffer.getvalue())
    assert ours == theirs
    data = make_instance("GZ", "1.2.826.0.2.1", "1.2.826.0.2.2", "1.2.826.0.2.3")
    theirs, ours = pair.post("/instances", gzip.compress(data), {"Content-Encoding": "gzip"})
    assert ours == theirs


def test_encapsulated_pdf_made_by_dcmtk(pair: Pair, tmp_path: Path) -> None:
    """The Book's recipe: ``/content/0042,0011`` gives back the PDF (plus a padding byte)."""
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    (tmp_path / "doc.pdf").write_bytes(pdf)
    subprocess.run(["pdf2dcm", "doc.pdf", "doc.dcm"], cwd=tmp_path, check=True)
    theirs, ours = pair.post("/instances", (tmp_path / "doc.dcm").read_bytes())
    assert ours == theirs
    instance = ours[1]["ID"]
    theirs, ours = pair.get(f"/instances/{instance}/content/0042,0011")
    assert ours == theirs
    assert ours[1].rstrip(b"\x00") == pdf
    for route in ("tags", "simplified-tags", "metadata?expand"):
        theirs, ours = pair.get(f"/instances/{instance}/{route}")
        if route.startswith("metadata"):
            theirs[1].pop("ReceptionDate"), ours[1].pop("ReceptionDate")
        assert ours == theirs, route


def test_deletes_answer_the_same(pair: Pair) -> None:
    study = "1.2.826.0.3.1"
    ids = [
        pair.post(
            "/instances", make_instance("DEL", study, f"1.2.826.0.3.{s}", f"1.2.826.0.4.{s}{i}")
        )[0][1]
        for s in (2, 3)
        for i in (1, 2)
    ]
    theirs, ours = pair.delete(f"/instances/{ids[0]['ID']}")
    assert ours == theirs
    theirs, ours = pair.delete(f"/instances/{ids[1]['ID']}")
    assert ours == theirs  # the series went with its last instance: the study remains
    theirs, ours = pair.delete(f"/series/{ids[2]['ParentSeries']}")
    assert ours == theirs  # the last series: nothing remains
    theirs, ours = pair.delete(f"/patients/{ids[0]['ParentPatient']}")
    assert (ours[0], theirs[0]) == (404, 404)
    assert pair.get("/statistics")[1] == pair.get("/statistics")[0]


def test_json_answers_end_as_orthancs_do(pair: Pair) -> None:
    """No newline after the closing bracket (scripts that compare bodies byte for byte)."""
    theirs, _ = pair.post(
        "/instances", Path(pydicom.data.get_testdata_file("CT_small.dcm")).read_bytes()
    )
    instance = theirs[1]["ID"]
    for path in (
        "/system",
        "/instances",
        f"/instances/{instance}",
        f"/instances/{instance}/content",
    ):
        theirs = pair.orthanc.session.get(pair.orthanc.url + path, timeout=30).content
        ours = pair.cirrus.http.get(path).body
        assert ours[-1:] == theirs[-1:] in (b"}", b"]"), path
