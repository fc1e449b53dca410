"""Members of archives and DICOMDIR media never climb out of the folder they are unpacked in,
whatever the identifiers say (issue 19, item 6). Orthanc 1.10.1 writes ``..`` segments for a
PatientID, AccessionNumber or Modality of ``..``; Cirrus drops leading dots
(chalicelib/dicom/archive_naming.py)."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import pytest

from tests.integration.helpers import upload
from tests.support.dicom_factory import make_instance

ZIP = {"Accept": "application/zip"}


def _members(client: Any, path: str) -> list[str]:
    response = client.http.get(path, headers=ZIP)
    assert response.status_code == 200, response.body
    with zipfile.ZipFile(io.BytesIO(response.body)) as archive:
        return archive.namelist()


def _unsafe(name: str) -> bool:
    return name.startswith("/") or any(part.startswith(".") for part in name.split("/"))


@pytest.mark.parametrize("kind", ["archive", "media"])
def test_dot_identifiers_make_no_climbing_member(client: Any, kind: str) -> None:
    tags = {"PatientName": "", "AccessionNumber": "..", "Modality": ".."}
    answer = upload(client, make_instance("..", **tags))
    upload(client, make_instance(".hidden", AccessionNumber=".", Modality=".C"))
    members = _members(client, f"/patients/{answer['ParentPatient']}/{kind}")
    members += _members(client, "/studies/" + answer["ParentStudy"] + f"/{kind}")
    assert members and not [m for m in members if _unsafe(m)]
    if kind == "archive":
        expected = "Unknown Patient/Unknown Study/Unknown Series/00000000.dcm"
        assert expected in members


def test_tools_create_archive_names_are_safe_too(client: Any) -> None:
    first = upload(client, make_instance("..", PatientName="", AccessionNumber=".."))
    second = upload(client, make_instance(".x", Modality=".C"))
    request = {"Resources": [first["ParentPatient"], second["ParentPatient"]]}
    response = client.http.post("/tools/create-archive", body=json.dumps(request), headers=ZIP)
    assert response.status_code == 200, response.body
    with zipfile.ZipFile(io.BytesIO(response.body)) as archive:
        members = archive.namelist()
    assert len(members) == 2 and not [m for m in members if _unsafe(m)]
    assert any(m.startswith("x Test Patient/") and m.endswith("/C0000000.dcm") for m in members)
