"""Queries kept in the ``queries`` table (moto): large answer sets in chunks, the
``QueryRetrieveSize`` limit, expiry, and a failing C-FIND. The remote modality is a small
pynetdicom C-FIND SCP run by the test."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
from pydicom.dataset import Dataset
from pynetdicom import AE, evt
from pynetdicom.sop_class import (  # type: ignore[attr-defined]
    PatientRootQueryRetrieveInformationModelFind,
    StudyRootQueryRetrieveInformationModelFind,
)

from chalicelib import bootstrap
from chalicelib.errors import OrthancError
from chalicelib.services.dicom_asked.query import LIFETIME_SECONDS, QueryService
from chalicelib.storage.queries import CHUNK_BYTES
from tests.integration.helpers import body
from tests.support.orthanc_server import free_port

LONG_TEXT = "x" * 4000


class Remote:
    """Answers ``answers`` copies of the identifier, each with a long StudyDescription, or
    fails with ``status``."""

    def __init__(self) -> None:
        self.answers = 1
        self.status = 0x0000
        self.port = free_port()
        ae = AE("REMOTE")
        for model in (
            PatientRootQueryRetrieveInformationModelFind,
            StudyRootQueryRetrieveInformationModelFind,
        ):
            ae.add_supported_context(model)
        self.server = ae.start_server(
            ("127.0.0.1", self.port), block=False, evt_handlers=[(evt.EVT_C_FIND, self._find)]
        )

    def _find(self, event: Any) -> Iterator[tuple[int, Dataset | None]]:
        if self.status:
            yield self.status, None
            return
        for n in range(self.answers):
            answer = Dataset()
            answer.QueryRetrieveLevel = event.identifier.QueryRetrieveLevel
            answer.PatientID = f"P{n:05d}"
            answer.StudyDescription = LONG_TEXT[:60]
            answer.StudyComments = LONG_TEXT
            yield 0xFF00, answer


@pytest.fixture(scope="module")
def remote() -> Iterator[Remote]:
    server = Remote()
    yield server
    server.server.shutdown()


@pytest.fixture
def cirrus(client: Any, configure: Any, remote: Remote) -> Any:
    remote.answers, remote.status = 1, 0x0000
    modalities = {"remote": ["REMOTE", "127.0.0.1", remote.port]}
    configure(DicomModalities=modalities, QueryRetrieveSize=2, DicomScuTimeout=5)
    return client


def _query(cirrus: Any, level: str = "Study") -> Any:
    payload = json.dumps({"Level": level, "Query": {"StudyComments": ""}, "Normalize": False})
    response = cirrus.http.post("/modalities/remote/query", body=payload)
    assert response.status_code == 200, response.body
    return body(response)


def test_many_large_answers_are_stored_in_chunks(cirrus: Any, remote: Remote) -> None:
    remote.answers = 200  # about 800 KB of answers: more than one DynamoDB item
    assert remote.answers * len(LONG_TEXT) > 2 * CHUNK_BYTES
    created = _query(cirrus)
    answers = body(cirrus.http.get(f"{created['Path']}/answers?expand&short"))
    assert [a["0010,0020"] for a in answers] == [f"P{n:05d}" for n in range(200)]
    assert answers[7]["0032,4000"] == LONG_TEXT
    last = body(cirrus.http.get(f"{created['Path']}/answers/199/content?simplify"))
    assert last["PatientID"] == "P00199"


def test_only_the_newest_queries_are_kept(cirrus: Any) -> None:
    first, second, third = (_query(cirrus)["ID"] for _ in range(3))
    assert body(cirrus.http.get("/queries")) == sorted([second, third])
    assert cirrus.http.get(f"/queries/{first}").status_code == 404


def test_queries_expire(cirrus: Any) -> None:
    created = _query(cirrus)
    service = bootstrap.queries()
    assert service.get(created["ID"]).level == "Study"
    later = QueryService(
        service._store,  # noqa: SLF001 - the same table, seen from the future
        bootstrap.modalities(),
        bootstrap.dicom_client(),
        2,
        clock=lambda: time.time() + LIFETIME_SECONDS + 1,
    )
    with pytest.raises(OrthancError):
        later.get(created["ID"])
    assert later.list() == []


@pytest.mark.parametrize(
    ("status", "http_status", "suffix"),
    [(0xC000, 422, " (unable to process - invalid query ?)"), (0xA700, 500, ""), (0xFE00, 500, "")],
)
def test_failure_statuses(
    cirrus: Any, remote: Remote, status: int, http_status: int, suffix: str
) -> None:
    """Only "unable to process" is a 422, as in Orthanc; Cancel fails the query too."""
    remote.status = status
    payload = json.dumps({"Level": "Patient", "Query": {}})
    response = cirrus.http.post("/modalities/remote/query", body=payload)
    assert response.status_code == http_status
    assert body(response)["Details"] == (
        f'C-FIND SCU to AET "REMOTE" has failed with DIMSE status 0x{status:04X}{suffix}'
    )
    assert body(cirrus.http.get("/queries")) == []
