"""Attachments, user metadata and their revisions, side by side with Orthanc 1.10.1 started
with the same ``UserMetadata``, ``UserContentType`` and ``CheckRevisions``.

Each test stores its own instance (the Orthancs are shared by a module, Cirrus's storage is
per test). Known differences (docs/compatibility.md): Orthanc's bare 403 is Cirrus's 403
with the JSON error body; a PUT of an attachment to an unknown resource is Orthanc's 200 (it
stores nothing) and Cirrus's 404; ``compress`` leaves the attachment uncompressed; and
Orthanc 1.10.1's SQLite index reads every revision as 0 (``TODO - REVISIONS`` in its
source) although a replacement answers the next number, where Cirrus keeps the number it
answered: after a replacement the ETags' revisions differ (their MD5s are compared), and each
server is sent back its own ETag.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any, NamedTuple

import pytest

from tests.support.dicom_factory import make_instance
from tests.support.orthanc_server import OrthancServer

USER_METADATA = {"Note": 1024, "Reviewer": 1100}
USER_CONTENT_TYPES = {"report": [1025, "application/pdf"], "raw": 1026}


class Answer(NamedTuple):
    status: int
    content_type: str
    etag: str | None
    body: Any


def _answer(status: int, headers: Any, content: bytes) -> Answer:
    kind = headers.get("Content-Type", "").split(";")[0] if status < 400 else ""
    body: Any = content
    if kind == "application/json" or (status >= 400 and content.strip()):
        body = json.loads(content)
    return Answer(status, kind, headers.get("ETag"), body)


class Pair:
    """The same request to Orthanc and to Cirrus, headers included."""

    def __init__(self, orthanc: OrthancServer, client: Any) -> None:
        self.orthanc, self.client = orthanc, client

    def send(
        self,
        method: str,
        path: str,
        data: bytes = b"",
        headers: dict[str, str] | None = None,
        ours_headers: dict[str, str] | None = None,
    ) -> tuple[Answer, Answer]:
        """``ours_headers``: Cirrus's headers when they differ from Orthanc's."""
        theirs = self.orthanc.session.request(
            method, self.orthanc.url + path, data=data, headers=headers, timeout=30
        )
        ours = getattr(self.client.http, method.lower())(
            path, body=data, headers=(headers if ours_headers is None else ours_headers) or {}
        )
        return (
            _answer(theirs.status_code, theirs.headers, theirs.content),
            _answer(ours.status_code, ours.headers, ours.body),
        )

    def same(
        self,
        method: str,
        path: str,
        data: bytes = b"",
        headers: dict[str, str] | None = None,
        md5_only: bool = False,
    ) -> Answer:
        """Cirrus's answer, checked equal to Orthanc's (``md5_only``: the ETags' MD5s)."""
        theirs, ours = self.send(method, path, data, headers)
        if md5_only:
            theirs, ours = (
                theirs._replace(etag=_md5(theirs.etag)),
                ours._replace(etag=_md5(ours.etag)),
            )
        assert ours == theirs, (method, path, headers)
        return ours

    def with_own_etags(self, method: str, path: str, data: bytes, etag_of: str) -> Answer:
        """Send each server its own current ETag of ``etag_of`` in If-Match."""
        theirs, ours = self.send("GET", etag_of)
        assert theirs.etag and ours.etag
        theirs, ours = self.send(
            method, path, data, {"If-Match": theirs.etag}, {"If-Match": ours.etag}
        )
        theirs, ours = theirs._replace(etag=_md5(theirs.etag)), ours._replace(etag=_md5(ours.etag))
        assert ours == theirs, (method, path)
        return ours

    def forbidden(self, method: str, path: str, data: bytes = b"") -> None:
        """Orthanc's bare 403; Cirrus's carries the JSON body of every error."""
        theirs, ours = self.send(method, path, data)
        assert theirs.status == ours.status == 403, (method, path)
        assert theirs.body == b"" and ours.body["OrthancStatus"] == 45


def _md5(etag: str | None) -> str | None:
    return etag and etag.strip('"').partition("-")[2]


@pytest.fixture(scope="module", params=[False, True], ids=["free", "CheckRevisions"])
def orthanc(request: pytest.FixtureRequest) -> Iterator[OrthancServer]:
    options = {
        "UserMetadata": USER_METADATA,
        "UserContentType": USER_CONTENT_TYPES,
        "CheckRevisions": request.param,
    }
    with OrthancServer(options) as server:
        server.check_revisions = request.param  # type: ignore[attr-defined]
        yield server


@pytest.fixture
def pair(client: Any, configure: Any, orthanc: OrthancServer) -> Pair:
    configure(
        UserMetadata=USER_METADATA,
        UserContentType=USER_CONTENT_TYPES,
        CheckRevisions=orthanc.check_revisions,  # type: ignore[attr-defined]
    )
    return Pair(orthanc, client)


def _store(pair: Pair, name: str) -> dict[str, str]:
    """A new instance in both servers (its own patient: the Orthanc lives for the module)."""
    check = "1" if pair.orthanc.check_revisions else "0"  # type: ignore[attr-defined]
    data = make_instance(
        f"ATT-{name}-{check}", f"1.2.826.0.9.{len(name)}.{check}", "1.2.826.0.9.2", "1.2.826.0.9.3"
    )
    theirs = pair.orthanc.upload(data)
    ours = json.loads(pair.client.http.post("/instances", body=data).body)
    assert ours == theirs
    return ours


def test_the_dicom_attachment_reads_as_in_orthanc(pair: Pair) -> None:
    ids = _store(pair, "dicom")
    instance, patient = ids["ID"], ids["ParentPatient"]
    base = f"/instances/{instance}/attachments"
    for path in (base, f"{base}?full", f"/patients/{patient}/attachments"):
        pair.same("GET", path)
    pair.same("GET", f"/patients/{instance}/attachments")  # another level: 404
    answers = [
        pair.same("GET", f"{base}/dicom{suffix}")
        for suffix in (
            "",
            "/size",
            "/md5",
            "/compressed-size",
            "/compressed-md5",
            "/is-compressed",
            "/data",
            "/compressed-data",
        )
    ]
    assert answers[0].etag and answers[0].etag.startswith('"0-')
    pair.same("POST", f"{base}/dicom/verify-md5")
    pair.same("POST", f"{base}/dicom/uncompress")
    pair.same("GET", f"/patients/{instance}/attachments/dicom/md5")  # any level in the URI
    for missing in ("dicom/uuid", "nope", "report", "2000", "dicom-until-pixel-data"):
        pair.same("GET", f"{base}/{missing}")
    pair.same("GET", f"/instances/{patient}/attachments/dicom")
    pair.same("GET", f"{base}/dicom/md5", headers={"If-None-Match": answers[0].etag})
    pair.same("GET", f"{base}/dicom/md5", headers={"If-None-Match": '"1-abc"'})
    pair.same("GET", f"{base}/dicom/md5", headers={"If-None-Match": "nonsense"})
    theirs, ours = pair.send("GET", f"{base}/dicom/info")
    assert {**ours.body, "Uuid": ""} == {**theirs.body, "Uuid": ""}
    assert (
        ours.body["Uuid"]
        == json.loads(pair.client.http.get(f"/instances/{instance}").body)["FileUuid"]
    )
    assert (ours.status, ours.etag) == (theirs.status, theirs.etag)
    pair.forbidden("PUT", f"{base}/dicom", b"x")
    pair.forbidden("DELETE", f"{base}/dicom")


@pytest.mark.parametrize("level", ["patients", "series", "instances"])
def test_user_attachments_with_revisions_as_in_orthanc(pair: Pair, level: str) -> None:
    ids = _store(pair, f"user-{level}")
    key = {"patients": "ParentPatient", "series": "ParentSeries", "instances": "ID"}[level]
    resource = ids[key]
    base = f"/{level}/{resource}/attachments"
    first = pair.same("PUT", f"{base}/report", b"%PDF first")
    assert first.etag and first.etag.startswith('"0-')
    pair.same("PUT", f"{base}/report", b"%PDF second")  # 409 with CheckRevisions
    pair.same("PUT", f"{base}/report", b"stale", headers={"If-Match": '"7-abc"'})
    pair.same("PUT", f"{base}/report", b"bad", headers={"If-Match": "bad"})
    third = pair.with_own_etags("PUT", f"{base}/report", b"%PDF third", f"{base}/report")
    assert third.status == 200
    pair.same("PUT", f"{base}/2000", b"undeclared number")
    pair.same("PUT", f"{base}/raw", b"\x00\x01binary\xff")
    for path in (base, f"{base}?full"):
        pair.same("GET", path)
    for name in ("report", "2000", "raw", "1026"):
        for suffix in ("", "/size", "/md5", "/is-compressed", "/compressed-data", "/data"):
            pair.same("GET", f"{base}/{name}{suffix}", md5_only=True)
        pair.same("POST", f"{base}/{name}/verify-md5")
        theirs, ours = pair.send("GET", f"{base}/{name}/info")
        assert {**ours.body, "Uuid": ""} == {**theirs.body, "Uuid": ""}
    for stats in (f"/{level}/{resource}", f"/patients/{ids['ParentPatient']}"):
        pair.same("GET", f"{stats}/statistics")
    if pair.same("DELETE", f"{base}/report").status == 409:  # CheckRevisions: If-Match
        pair.with_own_etags("DELETE", f"{base}/report", b"", f"{base}/report")
    pair.same("DELETE", f"{base}/raw", headers={"If-Match": '"0-abc"'})
    pair.same("DELETE", f"{base}/dicom-as-json")
    etag = pair.same("GET", f"{base}/raw").etag
    assert etag is not None
    pair.same("DELETE", f"{base}/raw", headers={"If-Match": etag})
    pair.same("DELETE", f"{base}/raw", headers={"If-Match": etag})  # gone: 404
    pair.same("GET", f"{base}?full")
    pair.same("GET", f"/patients/{ids['ParentPatient']}/statistics")
    pair.forbidden("PUT", f"{base}/dicom-as-json", b"x")
    pair.same("PUT", f"{base}/nope", b"x")


def test_an_attachment_to_an_unknown_resource(pair: Pair) -> None:
    """Orthanc 1.10.1 answers 200 and stores nothing; Cirrus says the resource is unknown."""
    theirs, ours = pair.send("PUT", "/instances/nope/attachments/report", b"x")
    assert theirs.status == 200
    assert ours.status == 404 and ours.body["OrthancStatus"] == 17


def test_compress_answers_as_orthanc_and_keeps_the_file(pair: Pair) -> None:
    ids = _store(pair, "compress")
    base = f"/series/{ids['ParentSeries']}/attachments"
    pair.same("PUT", f"{base}/raw", b"some bytes to compress")
    pair.same("POST", f"{base}/raw/compress")
    pair.same("POST", f"{base}/nope/compress")
    pair.same("POST", f"{base}/report/compress")
    assert pair.client.http.get(f"{base}/raw/is-compressed").body == b"0"
    assert pair.client.http.get(f"{base}/raw/data").body == b"some bytes to compress"


def test_metadata_with_revisions_as_in_orthanc(pair: Pair) -> None:
    ids = _store(pair, "metadata")
    instance, series = ids["ID"], ids["ParentSeries"]
    base = f"/instances/{instance}/metadata"
    pair.same("GET", base)  # Orthanc's order: by number
    system = pair.same("GET", f"{base}/TransferSyntax")
    assert system.etag and system.etag.startswith('"0-')
    pair.same("GET", f"{base}/9")
    pair.forbidden("PUT", f"{base}/TransferSyntax", b"x")
    pair.forbidden("DELETE", f"{base}/9")
    pair.forbidden("PUT", f"{base}/1023", b"x")
    first = pair.same("PUT", f"{base}/Note", b"first")
    pair.same("PUT", f"{base}/Note", b"second")  # 409 with CheckRevisions
    pair.same("PUT", f"{base}/Note", b"stale", headers={"If-Match": '"5-x"'})
    pair.same("PUT", f"{base}/Note", b"bad", headers={"If-Match": '"-1-x"'})
    assert first.etag is not None
    pair.same("GET", f"{base}/Note", md5_only=True)
    pair.with_own_etags("PUT", f"{base}/1024", b"third", f"{base}/Note")
    pair.same("PUT", f"/patients/{instance}/metadata/Reviewer", b"any level")
    pair.same("PUT", f"{base}/3000", b"undeclared")
    pair.same("PUT", f"/series/{series}/metadata/Note", "série".encode())
    pair.same("PUT", f"{base}/Nope", b"x")
    pair.same("PUT", "/instances/nope/metadata/Note", b"x")
    for path in (base, f"/series/{series}/metadata/Note", f"{base}/Note", f"{base}/3000"):
        pair.same("GET", path, md5_only=True)
    theirs, ours = pair.send("GET", f"{base}?expand")
    assert {**ours.body, "ReceptionDate": ""} == {**theirs.body, "ReceptionDate": ""}
    etag = pair.same("GET", f"{base}/Reviewer").etag  # written once: revision 0
    assert etag is not None
    pair.same("GET", f"{base}/Reviewer", headers={"If-None-Match": etag})
    pair.same("GET", f"/series/{instance}/metadata/Note")  # reads check the level
    pair.same("DELETE", f"{base}/Note")  # 409 with CheckRevisions
    pair.same("DELETE", f"{base}/Reviewer", headers={"If-Match": '"0-x"'})
    assert pair.same("DELETE", f"{base}/Reviewer", headers={"If-Match": etag}).status == 200
    pair.same("DELETE", f"{base}/Reviewer", headers={"If-Match": etag})  # gone: 404
    pair.same("DELETE", f"{base}/1500", headers={"If-Match": etag})
    theirs, ours = pair.send("GET", f"{base}/Reviewer")
    assert theirs.status == ours.status == 404  # Orthanc's is bare
    pair.same("DELETE", f"{base}/Nope")
    pair.same("GET", base)
    pair.same("PUT", f"{base}/Reviewer", b"again")  # a new sequence: revision 0
