"""DICOM storage commitment, both sides, against Orthanc 1.10.1.

Three parties: Cirrus (its DICOM service in-process, on moto), Orthanc "O" (declares Cirrus
and the reference R as modalities) and Orthanc "R" (the reference: it plays Cirrus's part,
declaring only O, under the same symbolic name "orth" as Cirrus does). Cirrus's reports and
errors must be those R gives for the same requests.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from pydicom import dcmread
from pydicom.data import get_testdata_file

from tests.integration.helpers import body, sample_file, upload
from tests.support.orthanc_server import OrthancServer, free_port

MR_CLASS = "1.2.840.10008.5.1.4.1.1.4"


def _uids(name: str) -> list[str]:
    ds = dcmread(get_testdata_file(name), stop_before_pixels=True)
    return [str(ds.SOPClassUID), str(ds.SOPInstanceUID)]


CT = _uids("CT_small.dcm")
MR = _uids("MR_small.dcm")
# Committed, class/instance conflict, unknown instance.
MIXED = [CT, {"SOPClassUID": MR_CLASS, "SOPInstanceUID": CT[1]}, ["1.2.3", "1.2.3.4.5"]]


@dataclass
class Parties:
    cirrus: Any  # Chalice's test client
    orthanc: OrthancServer  # O
    reference: OrthancServer  # R


@pytest.fixture
def parties(client: Any, configure: Any) -> Iterator[Parties]:
    from scp_container.service import start

    cirrus_port = free_port()
    reference = OrthancServer({"DicomAet": "REFERENCE"})
    orthanc = OrthancServer(
        {
            "DicomAet": "ORTH",
            "DicomModalities": {
                "cirrus": ["CIRRUS", "127.0.0.1", cirrus_port],
                "r": ["REFERENCE", "127.0.0.1", reference.dicom_port],
            },
        }
    )
    orthanc.start()
    reference._extra_config["DicomModalities"] = {"orth": ["ORTH", "127.0.0.1", orthanc.dicom_port]}
    reference.start()
    configure(
        DicomAet="CIRRUS", DicomModalities={"orth": ["ORTH", "127.0.0.1", orthanc.dicom_port]}
    )
    server = start("127.0.0.1", cirrus_port, block=False)
    try:
        yield Parties(client, orthanc, reference)
    finally:
        server.shutdown()
        orthanc.stop()
        reference.stop()


def _post(client: Any, path: str, payload: Any) -> tuple[int, Any]:
    data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    response = client.http.post(path, body=data)
    return response.status_code, body(response)


def _orthanc_post(server: OrthancServer, path: str, payload: Any) -> tuple[int, Any]:
    data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    response = server.post(path, data=data)
    return response.status_code, response.json()


def _final_report(get: Any, uid: str) -> Any:
    """The report once the modality has sent it (the request is answered before)."""
    deadline = time.monotonic() + 10
    while True:
        status, report = get(f"/storage-commitment/{uid}")
        assert status == 200, report
        if report["Status"] != "Pending" or time.monotonic() > deadline:
            return report
        time.sleep(0.1)


def _cirrus_get(client: Any) -> Any:
    def get(path: str) -> tuple[int, Any]:
        response = client.http.get(path)
        return response.status_code, body(response)

    return get


def _orthanc_get(server: OrthancServer) -> Any:
    def get(path: str) -> tuple[int, Any]:
        response = server.get(path)
        return response.status_code, response.json()

    return get


def test_orthanc_asks_cirrus_as_it_asks_orthanc(parties: Parties) -> None:
    """Cirrus as SCP: the report O receives from Cirrus is the one R sends."""
    upload(parties.cirrus, sample_file("CT_small.dcm"))
    parties.reference.upload(sample_file("CT_small.dcm"))
    reports = {}
    for modality, aet in (("cirrus", "CIRRUS"), ("r", "REFERENCE")):
        status, answer = _orthanc_post(
            parties.orthanc, f"/modalities/{modality}/storage-commitment", {"DicomInstances": MIXED}
        )
        assert status == 200, answer
        report = _final_report(_orthanc_get(parties.orthanc), answer["ID"])
        assert report.pop("RemoteAET") == aet
        reports[modality] = report
    assert reports["cirrus"] == reports["r"]
    assert reports["cirrus"]["Status"] == "Failure"
    assert [f["FailureReason"] for f in reports["cirrus"]["Failures"]] == [0x0119, 0x0112]


def test_cirrus_asks_orthanc_as_orthanc_does(parties: Parties) -> None:
    """Cirrus as SCU: its report of O's answer is the one R shows for the same request."""
    parties.orthanc.upload(sample_file("CT_small.dcm"))
    mr = upload(parties.cirrus, sample_file("MR_small.dcm"))["ID"]
    parties.reference.upload(sample_file("MR_small.dcm"))
    [mr_in_reference] = parties.reference.get_json("/instances")
    for request, reference_request in (
        ({"DicomInstances": MIXED}, {"DicomInstances": MIXED}),
        (
            {"Resources": [mr], "DicomInstances": [CT]},
            {"Resources": [mr_in_reference], "DicomInstances": [CT]},
        ),
        ({"DicomInstances": [CT]}, {"DicomInstances": [CT]}),
    ):
        status, answer = _post(parties.cirrus, "/modalities/orth/storage-commitment", request)
        assert status == 200, answer
        assert answer["Path"] == f"/storage-commitment/{answer['ID']}"
        assert answer["ID"].startswith("2.25.")
        ours = _final_report(_cirrus_get(parties.cirrus), answer["ID"])
        status, answer = _orthanc_post(
            parties.reference, "/modalities/orth/storage-commitment", reference_request
        )
        assert status == 200, answer
        assert ours == _final_report(_orthanc_get(parties.reference), answer["ID"])


def test_remove_after_commitment(parties: Parties) -> None:
    """Only a fully successful report lets the committed instances be removed locally."""
    parties.orthanc.upload(sample_file("CT_small.dcm"))
    ct = upload(parties.cirrus, sample_file("CT_small.dcm"))["ID"]
    mr = upload(parties.cirrus, sample_file("MR_small.dcm"))["ID"]
    get = _cirrus_get(parties.cirrus)

    _, failed = _post(
        parties.cirrus, "/modalities/orth/storage-commitment", {"Resources": [ct, mr]}
    )
    assert _final_report(get, failed["ID"])["Status"] == "Failure"
    ours = _post(parties.cirrus, f"/storage-commitment/{failed['ID']}/remove", {})
    _, theirs = _orthanc_post(
        parties.reference, "/modalities/orth/storage-commitment", {"DicomInstances": [MR]}
    )
    _final_report(_orthanc_get(parties.reference), theirs["ID"])
    expected = _orthanc_post(parties.reference, f"/storage-commitment/{theirs['ID']}/remove", {})
    assert ours[0] == expected[0] == 500
    assert ours[1]["Details"] == expected[1]["Details"].replace(theirs["ID"], failed["ID"])
    assert {k: v for k, v in ours[1].items() if k not in ("Details", "Uri")} == {
        k: v for k, v in expected[1].items() if k not in ("Details", "Uri")
    }

    _, committed = _post(parties.cirrus, "/modalities/orth/storage-commitment", {"Resources": [ct]})
    assert _final_report(get, committed["ID"])["Status"] == "Success"
    assert _post(parties.cirrus, f"/storage-commitment/{committed['ID']}/remove", {}) == (200, {})
    assert get("/instances")[1] == [mr]
    assert _post(parties.cirrus, f"/storage-commitment/{committed['ID']}/remove", {}) == (200, {})


@pytest.mark.parametrize(
    ("path", "payload"),
    [
        ("/modalities/nope/storage-commitment", {"DicomInstances": [CT]}),
        ("/modalities/orth/storage-commitment", {}),
        ("/modalities/orth/storage-commitment", [1]),
        ("/modalities/orth/storage-commitment", b"{{"),
        ("/modalities/orth/storage-commitment", {"DicomInstances": "x"}),
        ("/modalities/orth/storage-commitment", {"DicomInstances": [["1.2"]]}),
        ("/modalities/orth/storage-commitment", {"DicomInstances": [[1, 2]]}),
        ("/modalities/orth/storage-commitment", {"DicomInstances": ["nope"]}),
        ("/modalities/orth/storage-commitment", {"DicomInstances": [{"SOPClassUID": "1"}]}),
        ("/modalities/orth/storage-commitment", {"Resources": "x"}),
        ("/modalities/orth/storage-commitment", {"Resources": ["nope"]}),
        ("/modalities/orth/storage-commitment", {"DicomInstances": [CT], "Timeout": "x"}),
        ("/modalities/orth/storage-commitment", {"DicomInstances": [CT], "Timeout": -1}),
        ("/storage-commitment/nope/remove", {}),
    ],
)
def test_bad_requests_as_orthanc(parties: Parties, path: str, payload: Any) -> None:
    assert _post(parties.cirrus, path, payload) == _orthanc_post(parties.reference, path, payload)


def test_unknown_transaction_as_orthanc(parties: Parties) -> None:
    path = "/storage-commitment/nope"
    assert _cirrus_get(parties.cirrus)(path) == _orthanc_get(parties.reference)(path)


def test_store_with_storage_commitment_as_orthanc(parties: Parties, job_runner: Any) -> None:
    """``StorageCommitment`` on a C-STORE job: the job names its transaction, and the report
    of the modality is the one R gets for the same job."""
    mr = upload(parties.cirrus, sample_file("MR_small.dcm"))["ID"]
    parties.reference.upload(sample_file("MR_small.dcm"))
    request = {"Resources": [mr], "StorageCommitment": True, "Synchronous": True}
    status, ours = _post(parties.cirrus, "/modalities/orth/store", request)
    assert status == 200, ours
    status, theirs = _orthanc_post(parties.reference, "/modalities/orth/store", request)
    assert status == 200, theirs
    ours_uid = ours.pop("StorageCommitmentTransactionUID")
    theirs_uid = theirs.pop("StorageCommitmentTransactionUID")
    assert {**ours, "LocalAet": "REFERENCE"} == theirs
    assert _final_report(_cirrus_get(parties.cirrus), ours_uid) == _final_report(
        _orthanc_get(parties.reference), theirs_uid
    )


@pytest.mark.parametrize(
    ("caller", "message"),
    [("UNKNOWN", "action"), ("NOCOMMIT", "action"), ("UNKNOWN", "report"), ("NOCOMMIT", "report")],
)
def test_refused_callers_are_aborted_as_by_orthanc(
    client: Any, configure: Any, caller: str, message: str
) -> None:
    """A request or report from an AE that is not a modality, or one with
    ``AllowStorageCommitment: false``, has its association aborted (Orthanc 1.10.1)."""
    from pydicom.dataset import Dataset
    from pynetdicom import AE

    from chalicelib.dicom_client.commitment import PUSH_MODEL, PUSH_MODEL_INSTANCE
    from scp_container.service import start

    modality = {"AET": "NOCOMMIT", "Host": "127.0.0.1", "Port": 1}
    configure(DicomModalities={"m": {**modality, "AllowStorageCommitment": False}})
    port = free_port()
    server = start("127.0.0.1", port, block=False)
    try:
        ae = AE(ae_title=caller)
        ae.add_requested_context(PUSH_MODEL)
        association = ae.associate("127.0.0.1", port, ae_title="CIRRUS")
        assert association.is_established
        dataset = Dataset()
        dataset.TransactionUID = "1.2.3"
        dataset.ReferencedSOPSequence = []
        if message == "action":
            status, _ = association.send_n_action(dataset, 1, PUSH_MODEL, PUSH_MODEL_INSTANCE)
        else:
            status, _ = association.send_n_event_report(dataset, 1, PUSH_MODEL, PUSH_MODEL_INSTANCE)
        assert status == Dataset()  # no answer: the association was aborted
        deadline = time.monotonic() + 5
        while association.is_established and time.monotonic() < deadline:
            time.sleep(0.05)
        assert association.is_aborted
    finally:
        server.shutdown()
    assert _cirrus_get(client)("/storage-commitment/1.2.3")[0] == 404


def test_allow_storage_commitment_sets_both_permissions_as_orthanc(parties: Parties) -> None:
    definition = {"AET": "M", "Host": "h", "Port": 1, "AllowNAction": True}
    for value in (False, True, "x"):
        payload = json.dumps({**definition, "AllowStorageCommitment": value}).encode()
        ours = parties.cirrus.http.put("/modalities/m", body=payload)
        theirs = parties.reference.session.put(
            f"{parties.reference.url}/modalities/m", data=payload
        )
        assert ours.status_code == theirs.status_code
        assert (
            _cirrus_get(parties.cirrus)("/modalities?expand")[1]["m"]
            == (_orthanc_get(parties.reference)("/modalities?expand")[1]["m"])
        )
