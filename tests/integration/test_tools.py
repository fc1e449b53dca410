"""The module routes, ``/matlab`` and the stateless ``/tools`` routes through the app: what
the differential tests cannot show (which instance speaks for a resource in Cirrus, the AWS
requests each route makes, the conformance statement against the DICOM service, large
answers through S3)."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

import pytest

from chalicelib.storage import aws as aws_clients
from chalicelib.storage.schema import table_name
from tests.integration.helpers import assert_orthanc_error, get, upload
from tests.support.dicom_factory import make_instance

STUDY, SERIES = "1.2.826.0.1.3680043.98.1", "1.2.826.0.1.3680043.98.1.1"


def _count_requests() -> Counter[str]:
    """The requests made from now on to the index table and to S3 (not the settings' own
    cached reads, which a first request of a process makes whatever the route)."""
    calls: Counter[str] = Counter()
    index = table_name("index")

    def count(model: Any, params: dict[str, Any], **_: Any) -> None:
        if model.service_model.service_name == "s3" or params.get("TableName") == index:
            calls.update([model.name])

    for service in ("dynamodb", "s3"):
        events = aws_clients.client(service).meta.events
        events.register(f"before-parameter-build.{service}.*", count)
    return calls


def _series_of_two(client: Any) -> list[dict[str, str]]:
    return [
        upload(
            client,
            make_instance("TWO", STUDY, SERIES, f"{SERIES}.{n}", SeriesDescription=f"Number {n}"),
        )
        for n in (1, 2)
    ]


def test_a_series_module_comes_from_its_first_instance_by_id(client: Any) -> None:
    """Orthanc reads the instance stored last; Cirrus the first in ID order (one Limit 1
    Query per level down), whatever the order of arrival."""
    uploaded = _series_of_two(client)
    first = min(uploaded, key=lambda u: u["ID"])
    expected = get(client, f"/instances/{first['ID']}/simplified-tags")["SeriesDescription"]
    for path in (
        f"/patients/{first['ParentPatient']}/module",
        f"/studies/{first['ParentStudy']}/module-patient",
    ):
        assert get(client, f"{path}?short")["0010,0020"] == "TWO"
    series = get(client, f"/series/{first['ParentSeries']}/module?simplify")
    assert series["SeriesDescription"] == expected
    # Each instance shows its own SOP Common module.
    for answer in uploaded:
        module = get(client, f"/instances/{answer['ID']}/module?simplify")
        assert (
            module["SOPInstanceUID"]
            == get(client, f"/instances/{answer['ID']}")["MainDicomTags"]["SOPInstanceUID"]
        )


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/instances/{ID}/module", {"GetItem": 1, "GetObject": 1}),
        ("/series/{ParentSeries}/module", {"Query": 1, "GetItem": 1, "GetObject": 1}),
        ("/studies/{ParentStudy}/module", {"Query": 2, "GetItem": 1, "GetObject": 1}),
        ("/studies/{ParentStudy}/module-patient", {"Query": 2, "GetItem": 1, "GetObject": 1}),
        ("/patients/{ParentPatient}/module", {"Query": 3, "GetItem": 1, "GetObject": 1}),
        # An instance given to a patient route: its empty links, then itself.
        ("/patients/{ID}/module", {"Query": 1, "GetItem": 1, "GetObject": 1}),
    ],
)
def test_aws_requests_of_a_module(client: Any, path: str, expected: dict[str, int]) -> None:
    ids = _series_of_two(client)[0]
    calls = _count_requests()
    response = client.http.get(path.format(**ids))
    assert response.status_code == 200, response.body
    assert calls == expected


def test_module_of_an_unknown_resource(client: Any) -> None:
    unknown = "01234567-01234567-01234567-01234567-01234567"
    calls = _count_requests()
    assert_orthanc_error(client.http.get(f"/patients/{unknown}/module"), 404, 17, "GET")
    assert calls == {"Query": 1, "GetItem": 1}
    calls.clear()
    assert_orthanc_error(client.http.get("/series/not-an-id/module"), 404, 17, "GET")
    assert calls == {}  # not even looked up


def test_tools_lists_the_routes_served(client: Any) -> None:
    """Every name listed is a route (a method it lacks answers 405, where a path that is no
    route answers 404), and the tools Cirrus serves are all there, sorted."""
    listed = get(client, "/tools")
    assert listed == sorted(set(listed))
    assert {"find", "lookup", "create-dicom", "bulk-delete", "now", "execute-script"} <= set(listed)
    for name in listed:
        # Stops at the first 405: a POST may start work (/tools/reconstruct runs a job).
        refused = (
            getattr(client.http, method)(f"/tools/{name}").status_code == 405
            for method in ("delete", "put", "post")
        )
        assert any(refused), name
    assert client.http.delete("/tools/no-such-tool").status_code == 404


def test_now_local_follows_the_time_zone(client: Any, monkeypatch: Any) -> None:
    import time

    monkeypatch.setenv("TZ", "Pacific/Kiritimati")  # UTC+14: never the same hour as UTC
    time.tzset()
    try:
        utc = client.http.get("/tools/now").body.decode()
        local = client.http.get("/tools/now-local").body.decode()
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()
    assert re.fullmatch(r"[0-9]{8}T[0-9]{6}", local)
    assert utc[9:11] != local[9:11]


def test_generated_uids_are_new_each_time(client: Any) -> None:
    for level in ("patient", "study", "series", "instance"):
        values = {client.http.get(f"/tools/generate-uid?level={level}").body for _ in range(20)}
        assert len(values) == 20
    response = client.http.get("/tools/generate-uid?level=Study")
    assert_orthanc_error(response, 404, 7, "GET")


def test_conformance_statement_names_what_the_dicom_service_accepts(client: Any) -> None:
    """Every abstract syntax of the DICOM service's application entity, and of the storage
    contexts it offers, is in the statement, with the transfer syntaxes the statement
    gives it."""
    from chalicelib import bootstrap
    from chalicelib.dicom.conformance import storage_transfer_syntaxes
    from scp_container.service import UNCOMPRESSED, _storage_contexts, build_ae

    response = client.http.get("/tools/dicom-conformance")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/plain"
    text = response.body.decode() + "\n"
    services = build_ae(bootstrap.config()).supported_contexts
    storage = _storage_contexts(tuple(storage_transfer_syntaxes()))
    assert len(services) == 8 and len(storage) > 150
    for context in [*services, *storage]:
        uid = context.abstract_syntax
        assert re.search(rf"  {re.escape(uid.name)} +\| {re.escape(uid)}\n", text), uid
    assert {s for c in services for s in c.transfer_syntax} == set(UNCOMPRESSED)
    for syntax in storage_transfer_syntaxes():
        assert re.search(rf"\| {re.escape(syntax)}\n", text), syntax
    assert f"(application entity {bootstrap.config().DicomAet})" in text


def test_execute_script_is_refused(client: Any) -> None:
    response = client.http.post("/tools/execute-script", body="return 1")
    assert_orthanc_error(response, 403, 45, "POST")


def test_invalidate_tags_needs_no_aws(client: Any) -> None:
    calls = _count_requests()
    response = client.http.post("/tools/invalidate-tags", body="")
    assert (response.status_code, response.body) == (200, b"")
    assert calls == {}


def test_large_matlab_answer_goes_through_s3(client: Any, configure: Any) -> None:
    configure(LargeObjectThreshold=12000)
    answer = upload(client, make_instance("BIG", size=64))
    response = client.http.get(f"/instances/{answer['ID']}/matlab")
    assert response.status_code == 307
    assert "downloads/" in response.headers["Location"]
    small = client.http.get(
        f"/instances/{upload(client, make_instance('SMALL', size=4))['ID']}/matlab"
    )
    assert small.status_code == 200 and small.body.startswith(b"double([ ")
