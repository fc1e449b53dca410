"""Orthanc's ``Dictionary`` option: tags a site declares (private ones with their creator) are
named in /tags and /simplified-tags and usable in /tools/find, as in Orthanc 1.10.1 given
the same configuration; a malformed or clashing entry stops start-up."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from typing import Any

import pydicom
import pytest

from chalicelib.settings.config import ConfigError, parse_config
from tests.support.dicom_factory import make_instance
from tests.support.orthanc_server import OrthancServer

DICTIONARY = {
    "0099,1001": ["LO", "SitePrivateLabel", 1, 1, "CIRRUS_TEST"],
    "0099,1002": ["DS", "OtherCreatorsValue", 1, 1, "SOMEONE_ELSE"],
    "0018,9999": ["LO", "SitePublicLabel", 1, 1],
}


def private_file() -> bytes:
    uids = {"study_uid": "1.2.826.0.1.1", "series_uid": "1.2.826.0.1.2", "sop_uid": "1.2.826.0.1.3"}
    ds = pydicom.dcmread(io.BytesIO(make_instance(patient_id="DICT", **uids)))
    block = ds.private_block(0x0099, "CIRRUS_TEST", create=True)
    block.add_new(0x01, "LO", "private value")
    block.add_new(0x02, "DS", "1.5")
    ds.add_new(0x00189999, "LO", "public value")
    out = io.BytesIO()
    ds.save_as(out, enforce_file_format=True)
    return out.getvalue()


@pytest.fixture(scope="module")
def orthanc() -> Iterator[OrthancServer]:
    with OrthancServer({"Dictionary": DICTIONARY}) as server:
        yield server


@pytest.fixture
def both(client: Any, configure: Any, orthanc: OrthancServer) -> tuple[Any, OrthancServer, str]:
    configure(Dictionary=DICTIONARY)
    data = private_file()
    theirs = orthanc.session.post(orthanc.url + "/instances", data=data, timeout=30).json()
    ours = json.loads(client.http.post("/instances", body=data).body)
    assert ours["ID"] == theirs["ID"]
    return client, orthanc, ours["ID"]


@pytest.mark.parametrize("route", ["tags", "simplified-tags", "tags?short"])
def test_declared_tags_are_named_as_in_orthanc(both: Any, route: str) -> None:
    client, orthanc, instance = both
    ours = json.loads(client.http.get(f"/instances/{instance}/{route}").body)
    theirs = orthanc.get_json(f"/instances/{instance}/{route}")
    assert ours == theirs
    if route == "tags":
        assert ours["0099,1001"]["Name"] == "SitePrivateLabel"
        assert ours["0018,9999"]["Name"] == "SitePublicLabel"


@pytest.mark.parametrize(
    "query",
    [
        {"SitePublicLabel": "public value"},
        {"SitePublicLabel": "public*"},
        {"SitePrivateLabel": "private value"},
        {"SitePublicLabel": "nothing"},
    ],
)
def test_declared_names_are_usable_in_find(both: Any, query: dict[str, str]) -> None:
    client, orthanc, _ = both
    request = {"Level": "Instance", "Query": query}
    theirs = orthanc.session.post(orthanc.url + "/tools/find", json=request, timeout=30)
    ours = client.http.post("/tools/find", body=json.dumps(request))
    assert ours.status_code == theirs.status_code
    assert json.loads(ours.body) == theirs.json()


@pytest.mark.parametrize(
    ("dictionary", "message"),
    [
        ({"0010,0010": ["PN", "MyName", 1, 1]}, "Cannot register twice the tag \\(0010,0010\\)"),
        ({"0099,1001": ["ZZ", "Bad", 1, 1]}, "Bad entry"),
        ({"0099-1001": ["LO", "Bad", 1, 1]}, "Bad entry"),
        ({"0099,1001": ["LO", "Bad", 1]}, "Bad entry"),
    ],
)
def test_a_bad_entry_stops_start_up(dictionary: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_config(json.dumps({"Dictionary": dictionary}))


@pytest.mark.parametrize(
    "path",
    ["PatientName", "SitePublicLabel", "0018-9999", "0018,9999", "00189999", "patientname", "Nope"],
)
def test_content_by_name_as_in_orthanc(both: Any, path: str) -> None:
    """Names are case-sensitive; an unknown one is Cirrus's 400 where Orthanc 1.10.1 answers
    500 (docs/compatibility.md, "Errors")."""
    client, orthanc, instance = both
    theirs = orthanc.session.get(f"{orthanc.url}/instances/{instance}/content/{path}", timeout=30)
    ours = client.http.get(f"/instances/{instance}/content/{path}")
    expected = 400 if theirs.status_code == 500 else theirs.status_code
    assert ours.status_code == expected, path
    if theirs.status_code == 200:
        assert ours.body == theirs.content
