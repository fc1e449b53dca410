"""The DICOM client is injected: a test replaces it by a subclass of the real one, and the
routes that talk to modalities go through it, with their failures answered by the one error
map (a RemoteError is Orthanc's 500 "network protocol", a RemoteUnprocessable a 422)."""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib import bootstrap
from chalicelib.dicom_client.client import DicomClient
from chalicelib.errors import RemoteError, RemoteUnprocessable
from chalicelib.remotes.modality import Modality


class RecordingClient(DicomClient):
    """The real client, with the network replaced: records what the services ask, answers
    what the test sets."""

    def __init__(self, real: DicomClient) -> None:
        super().__init__(real.local_aet, 7, real._tls)  # noqa: SLF001 - the same TLS settings
        self.calls: list[tuple[str, str, int | None]] = []
        self.failure: Exception | None = None

    def echo(self, modality: Modality, timeout: int | None = None) -> None:
        self.calls.append(("echo", modality.aet, timeout))
        if self.failure:
            raise self.failure

    def find(self, modality: Modality, dataset: Any, timeout: int | None) -> list[dict[str, str]]:
        self.calls.append(("find", modality.aet, timeout))
        if self.failure:
            raise self.failure
        return [{"0008,0052": "STUDY", "0020,000d": "1.2.3"}]


@pytest.fixture
def fake(client: Any, configure: Any, monkeypatch: pytest.MonkeyPatch) -> RecordingClient:
    configure(DicomAet="CIRRUS", DicomModalities={"ct": ["CT1", "127.0.0.1", 1]})
    recording = RecordingClient(bootstrap.dicom_client())
    monkeypatch.setattr(bootstrap, "dicom_client", lambda: recording)
    bootstrap.modalities.cache_clear()
    bootstrap.queries.cache_clear()
    return recording


def test_the_services_use_the_injected_client(client: Any, fake: RecordingClient) -> None:
    assert client.http.post("/modalities/ct/echo", body="").status_code == 200
    query = {"Level": "Study", "Query": {"StudyInstanceUID": ""}, "Timeout": 3}
    answer = client.http.post("/modalities/ct/query", body=_json(query))
    assert answer.status_code == 200
    assert fake.calls == [("echo", "CT1", None), ("find", "CT1", 3)]
    assert fake.timeout(bootstrap.modalities().get("ct")) == 7  # DicomScuTimeout, injected


@pytest.mark.parametrize(
    ("failure", "status"),
    [(RemoteError("C-ECHO refused"), 500), (RemoteUnprocessable("0xC000"), 422)],
)
def test_remote_failures_answer_through_the_error_map(
    client: Any, fake: RecordingClient, failure: Exception, status: int
) -> None:
    fake.failure = failure
    answer = client.http.post("/modalities/ct/query", body=_json({"Level": "Study", "Query": {}}))
    assert answer.status_code == status
    error = answer.json_body
    assert (error["OrthancStatus"], error["Details"]) == (9, str(failure))
    assert error["HttpStatus"] == status and error["Uri"] == "/modalities/ct/query"


def _json(value: Any) -> str:
    import json

    return json.dumps(value)
