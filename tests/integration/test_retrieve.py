"""C-MOVE and C-GET SCU routes on moto: bad requests answered as Orthanc 1.10.1 answers them
(probed, docs/notes/orthanc-dicom-observed.md), unreachable modalities within the timeout,
failure statuses, and a modality that drops the association mid-transfer. The remote
modality is a small pynetdicom SCP run by the test."""

from __future__ import annotations

import json
from collections.abc import Iterator
from io import BytesIO
from typing import Any

import pytest
from pydicom import dcmread
from pydicom.dataset import Dataset
from pydicom.uid import generate_uid
from pynetdicom import AE, evt
from pynetdicom.sop_class import (  # type: ignore[attr-defined]
    CTImageStorage,
    PatientRootQueryRetrieveInformationModelGet,
    StudyRootQueryRetrieveInformationModelFind,
    StudyRootQueryRetrieveInformationModelGet,
    StudyRootQueryRetrieveInformationModelMove,
)

from tests.integration.helpers import body
from tests.support.dicom_factory import make_instance
from tests.support.orthanc_server import free_port

STUDY = generate_uid()


class Remote:
    """A modality holding ``files`` (one study) that answers C-FIND with the study, C-GET
    with the files, and C-MOVE by sending them to itself (a storage SCP too). ``status``
    replaces the answer with that failure; ``abort_after`` drops the association after that
    many files."""

    def __init__(self, count: int = 3) -> None:
        series = generate_uid()
        self.files = [
            make_instance(study_uid=STUDY, series_uid=series, instance_number=n + 1)
            for n in range(count)
        ]
        self.status = 0
        self.abort_after: int | None = None
        self.requests: list[tuple[str, str, dict[str, Any]]] = []
        self.stored: list[str] = []
        self.destinations: list[str] = []
        self.port = free_port()
        ae = AE("REMOTE")
        for context in (
            StudyRootQueryRetrieveInformationModelFind,
            StudyRootQueryRetrieveInformationModelMove,
            StudyRootQueryRetrieveInformationModelGet,
            PatientRootQueryRetrieveInformationModelGet,
        ):
            ae.add_supported_context(context)
        # Stored by C-MOVE (SCP), sent back by C-GET (SCU role, as the requestor asks).
        ae.add_supported_context(CTImageStorage, scu_role=True, scp_role=True)
        ae.add_requested_context(CTImageStorage)
        handlers = [
            (evt.EVT_C_FIND, self._find),
            (evt.EVT_C_MOVE, self._move),
            (evt.EVT_C_GET, self._get),
            (evt.EVT_C_STORE, self._store),
        ]
        self.server = ae.start_server(("127.0.0.1", self.port), block=False, evt_handlers=handlers)

    def modality(self) -> list[Any]:
        return ["REMOTE", "127.0.0.1", self.port]

    def _find(self, event: Any) -> Iterator[tuple[int, Dataset | None]]:
        answer = Dataset()
        answer.QueryRetrieveLevel = "STUDY"
        answer.StudyInstanceUID = STUDY
        answer.PatientID = "PAT1"
        yield 0xFF00, answer

    def _log(self, event: Any, operation: str) -> None:
        identifier = event.identifier.to_json_dict()
        self.requests.append((operation, event.assoc.requestor.ae_title, identifier))

    def _move(self, event: Any) -> Iterator[Any]:
        self._log(event, "MOVE")
        self.destinations.append(str(event.move_destination).strip())
        yield "127.0.0.1", self.port
        yield from self._sub_operations(event)

    def _get(self, event: Any) -> Iterator[Any]:
        self._log(event, "GET")
        yield from self._sub_operations(event)

    def _sub_operations(self, event: Any) -> Iterator[Any]:
        yield len(self.files)
        if self.status:
            yield self.status, None
            return
        for n, data in enumerate(self.files):
            if n == self.abort_after:
                event.assoc.abort()
                return
            yield 0xFF00, dcmread(BytesIO(data))

    def _store(self, event: Any) -> int:
        self.stored.append(str(event.dataset.SOPInstanceUID))
        return 0x0000


@pytest.fixture
def remote() -> Iterator[Remote]:
    server = Remote()
    yield server
    server.server.shutdown()


@pytest.fixture
def cirrus(client: Any, job_runner: Any, configure: Any, remote: Remote) -> Any:
    configure(
        DicomAet="CIRRUS",
        DicomModalities={"remote": remote.modality(), "dead": ["NOBODY", "127.0.0.1", free_port()]},
        DicomScuTimeout=2,
    )
    return client


def _post(client: Any, path: str, payload: Any) -> tuple[int, Any]:
    data = payload if isinstance(payload, str) else json.dumps(payload)
    response = client.http.post(path, body=data)
    return response.status_code, body(response) if response.body else None


def _error(status: int, code: int, details: str | None = None) -> dict[str, Any]:
    """What Orthanc 1.10.1 answered: HTTP status, OrthancStatus, Details (None: none)."""
    return {"status": status, "code": code, "details": details}


def _seen(answer: tuple[int, Any]) -> dict[str, Any]:
    status, shown = answer
    return {"status": status, "code": shown["OrthancStatus"], "details": shown.get("Details")}


STUDY_RESOURCE = [{"StudyInstanceUID": STUDY}]
FIELDS = "Must provide a JSON body containing fields Resources and Level"


@pytest.mark.parametrize(
    ("path", "payload", "expected"),
    [
        ("remote/move", {"Resources": STUDY_RESOURCE}, _error(400, 15, FIELDS)),
        ("remote/move", {"Level": 3, "Resources": STUDY_RESOURCE}, _error(400, 15, FIELDS)),
        ("remote/move", {"Level": "Study"}, _error(400, 15, FIELDS)),
        ("remote/move", {"Level": "Study", "Resources": {}}, _error(400, 15, FIELDS)),
        ("remote/move", [1], _error(400, 15, FIELDS)),
        ("remote/move", "", _error(400, 15, FIELDS)),
        ("remote/move", "garbage", _error(400, 15, FIELDS)),
        ("nope/move", [1], _error(400, 15, FIELDS)),
        ("remote/move", {"Level": "Worklist", "Resources": []}, _error(400, 3)),
        ("remote/move", {"Level": "Bad", "Resources": []}, _error(400, 3)),
        ("remote/move", {"Level": "Study", "Resources": ["x"]}, _error(400, 15)),
        (
            "remote/move",
            {"Level": "Study", "Resources": [{"StudyInstanceUID": 3}]},
            _error(400, 15),
        ),
        ("remote/move", {"Level": "Study", "Resources": [{"Foo": "x"}]}, _error(500, 27)),
        ("remote/move", {"Level": "Study", "Resources": [{"PatientName": "x"}]}, _error(400, 8)),
        (
            "remote/move",
            {"Level": "Series", "Resources": [{"SeriesInstanceUID": "1"}]},
            _error(400, 8),
        ),
        (
            "remote/move",
            {"Level": "Study", "Resources": STUDY_RESOURCE, "TargetAet": 3},
            _error(400, 5),
        ),
        (
            "remote/move",
            {"Level": "Study", "Resources": STUDY_RESOURCE, "LocalAet": 5},
            _error(400, 5),
        ),
        (
            "remote/move",
            {"Level": "Study", "Resources": STUDY_RESOURCE, "Timeout": "x"},
            _error(400, 15, "Integer value expected in field: Timeout"),
        ),
        (
            "remote/move",
            {"Level": "Study", "Resources": STUDY_RESOURCE, "Timeout": -1},
            _error(400, 15, "Unsigned integer value expected in field: Timeout"),
        ),
        (
            "nope/move",
            {"Level": "Study", "Resources": STUDY_RESOURCE},
            _error(404, 7, "No modality with symbolic name: nope"),
        ),
        (
            "nope/get",
            {"Level": "Study", "Resources": STUDY_RESOURCE},
            _error(404, 7, "No modality with symbolic name: nope"),
        ),
        ("remote/get", {"Level": "Study", "Resources": "x"}, _error(400, 15, FIELDS)),
    ],
)
def test_bad_requests_are_answered_as_orthanc(
    cirrus: Any, path: str, payload: Any, expected: dict[str, Any]
) -> None:
    assert _seen(_post(cirrus, f"/modalities/{path}", payload)) == expected


def test_move_of_nothing_succeeds_at_once(cirrus: Any, remote: Remote) -> None:
    assert _post(cirrus, "/modalities/remote/move", {"Level": "Study", "Resources": []}) == (
        200,
        {},
    )
    assert remote.requests == []


def test_move_sends_the_identifying_tags_only(cirrus: Any, remote: Remote) -> None:
    request = {
        "Level": "Study",
        "Resources": [{"StudyInstanceUID": STUDY, "PatientID": "PAT1"}],
        "TargetAet": "REMOTE",
        "LocalAet": "CALLER",
    }
    assert _post(cirrus, "/modalities/remote/move", request) == (200, {})
    assert remote.requests == [
        (
            "MOVE",
            "CALLER",
            {
                "00080005": {"vr": "CS", "Value": ["ISO_IR 100"]},
                "00080052": {"vr": "CS", "Value": ["STUDY"]},
                "0020000D": {"vr": "UI", "Value": [STUDY]},
            },
        )
    ]
    assert len(remote.stored) == 3


def test_unreachable_modality_fails_within_the_timeout(cirrus: Any) -> None:
    request = {"Level": "Study", "Resources": STUDY_RESOURCE, "Timeout": 1}
    status, shown = _post(cirrus, "/modalities/dead/move", request)
    assert (status, shown["OrthancStatus"]) == (500, 9)
    assert 'connecting to AET "NOBODY"' in shown["Details"]


@pytest.mark.parametrize(
    ("status", "http", "details"),
    [
        (
            0xC000,
            422,
            'C-MOVE SCU to AET "REMOTE" has failed with DIMSE status 0xC000 '
            "(unable to process - resource not found ?)",
        ),
        (0xA702, 500, 'C-MOVE SCU to AET "REMOTE" has failed with DIMSE status 0xA702'),
        (0xB000, 500, 'C-MOVE SCU to AET "REMOTE" has failed with DIMSE status 0xB000'),
    ],
)
def test_failure_statuses_fail_the_move(
    cirrus: Any, remote: Remote, status: int, http: int, details: str
) -> None:
    remote.status = status
    answer = _post(
        cirrus, "/modalities/remote/move", {"Level": "Study", "Resources": STUDY_RESOURCE}
    )
    assert _seen(answer) == _error(http, 9, details)


def test_get_stores_every_file_through_the_ingest(cirrus: Any, remote: Remote) -> None:
    status, content = _post(
        cirrus, "/modalities/remote/get", {"Level": "Study", "Resources": STUDY_RESOURCE}
    )
    assert status == 200, content
    assert content == {
        "Description": "REST API",
        "LocalAet": "CIRRUS",
        "Query": [{"0008,0052": "STUDY", "0020,000d": STUDY}],
        "RemoteAet": "REMOTE",
    }
    instances = body(cirrus.http.get("/instances?expand"))
    assert len(instances) == 3
    metadata = body(cirrus.http.get(f"/instances/{instances[0]['ID']}/metadata?expand"))
    assert metadata["Origin"] == "DicomProtocol"
    assert metadata["RemoteAET"] == "REMOTE"
    assert metadata["CalledAET"] == "CIRRUS"


def test_get_with_sop_classes_in_study_proposes_only_those(cirrus: Any, remote: Remote) -> None:
    # The remote's files are CT images: proposing MR only leaves it no way to send them.
    resource = {"StudyInstanceUID": STUDY, "SOPClassesInStudy": "1.2.840.10008.5.1.4.1.1.4"}
    status, shown = _post(
        cirrus, "/modalities/remote/get", {"Level": "Study", "Resources": [resource]}
    )
    assert (status, shown["OrthancStatus"]) == (500, 9)
    assert body(cirrus.http.get("/instances")) == []


def test_dropped_association_fails_the_get_and_keeps_whole_files_only(
    cirrus: Any, remote: Remote
) -> None:
    remote.abort_after = 1
    request = {"Level": "Study", "Resources": STUDY_RESOURCE, "Asynchronous": True}
    status, created = _post(cirrus, "/modalities/remote/get", request)
    assert status == 200
    job = bootstrap_wait(created["ID"])
    assert job.state.value == "Failure"
    assert job.error_code == 9
    assert "aborted" in job.error_details
    # The file stored before the abort is whole; nothing of the others was kept.
    instances = body(cirrus.http.get("/instances?expand"))
    assert len(instances) == 1
    stored = cirrus.http.get(f"/instances/{instances[0]['ID']}/file").body
    assert stored == remote.files[0] or dcmread(BytesIO(stored)).PixelData == (
        dcmread(BytesIO(remote.files[0])).PixelData
    )


def test_dropped_association_fails_the_move(cirrus: Any, remote: Remote) -> None:
    remote.abort_after = 1
    status, shown = _post(
        cirrus, "/modalities/remote/move", {"Level": "Study", "Resources": STUDY_RESOURCE}
    )
    assert (status, shown["OrthancStatus"]) == (500, 9)
    assert "aborted" in shown["Details"]


def bootstrap_wait(job_id: str) -> Any:
    from chalicelib import bootstrap

    return bootstrap.jobs().wait(job_id, 20)


def _query(cirrus: Any) -> str:
    status, created = _post(
        cirrus, "/modalities/remote/query", {"Level": "Study", "Query": {"StudyInstanceUID": ""}}
    )
    assert status == 200, created
    return str(created["ID"])


def test_query_retrieve_bodies(cirrus: Any, remote: Remote) -> None:
    query = _query(cirrus)
    expected = {
        "Description": "REST API",
        "LocalAet": "CIRRUS",
        "Query": [{"0008,0052": "STUDY", "0010,0020": "PAT1", "0020,000d": STUDY}],
        "RemoteAet": "REMOTE",
    }
    for payload, target in [("", "CIRRUS"), ("  REMOTE  ", "REMOTE"), ({"TargetAet": "X"}, "X")]:
        assert _post(cirrus, f"/queries/{query}/retrieve", payload) == (200, expected)
        assert remote.destinations[-1] == target
    assert _post(cirrus, f"/queries/{query}/answers/0/retrieve", "REMOTE") == (200, expected)
    remote.requests.clear()
    answer = _post(cirrus, f"/queries/{query}/retrieve", {"RetrieveMethod": "C-GET"})
    assert answer == (200, expected)
    assert [r[0] for r in remote.requests] == ["GET"]
    assert len(body(cirrus.http.get("/instances"))) == 3


def test_query_retrieve_bad_requests(cirrus: Any, remote: Remote) -> None:
    query = _query(cirrus)
    uri = f"/queries/{query}/retrieve"
    assert _seen(_post(cirrus, uri, {"TargetAet": 5})) == _error(400, 5)
    assert _seen(_post(cirrus, uri, {"Timeout": "x"})) == _error(400, 5)
    assert _seen(_post(cirrus, "/queries/nope/retrieve", "X")) == _error(404, 17)
    answers = f"/queries/{query}/answers"
    assert _seen(_post(cirrus, f"{answers}/7/retrieve", "X")) == _error(400, 3)
    assert _seen(_post(cirrus, f"{answers}/x/retrieve", "X")) == _error(
        400, 5, "Syntax error in some user-supplied data"
    )
    # Orthanc 1.10.1 answers 500 to a JSON body that is not an object; Cirrus says 400.
    assert _post(cirrus, uri, [1])[0] == 400
    assert _post(cirrus, uri, {"RetrieveMethod": "C-FOO"})[0] == 400


def test_query_retrieve_failure_and_permissive(cirrus: Any, remote: Remote) -> None:
    query = _query(cirrus)
    remote.status = 0xC000
    details = (
        'C-MOVE SCU to AET "REMOTE" has failed with DIMSE status 0xC000 '
        "(unable to process - resource not found ?)"
    )
    # Orthanc's job loses the 422: the synchronous answer is a plain 500.
    assert _seen(_post(cirrus, f"/queries/{query}/retrieve", "")) == _error(500, 9, details)
    status, content = _post(cirrus, f"/queries/{query}/retrieve", {"Permissive": True})
    assert status == 200 and content["RemoteAet"] == "REMOTE"
