"""The DICOM service of ``make run``: dcmtk talks to the stack's DicomPort, REST sees it."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import requests
from pydicom import dcmread
from pydicom.data import get_testdata_file

from chalicelib.services.dicom_served.access import REFRESH_SECONDS
from tests.e2e.stack import LocalStack
from tests.support.dicom_factory import make_instance


def test_echo_and_store_through_the_stack(stack: LocalStack, tmp_path: Path) -> None:
    """A file the shared stack cannot hold yet (another test may have uploaded CT_small by
    REST, which would keep its own RemoteAET) arrives by C-STORE and is seen by REST."""
    port = str(stack.config["DicomPort"])
    env = {**os.environ, "TCP_NODELAY": "1"}
    echo = subprocess.run(["echoscu", "127.0.0.1", port], capture_output=True, env=env, timeout=60)
    assert echo.returncode == 0, echo.stderr
    path = tmp_path / "new.dcm"
    path.write_bytes(make_instance(patient_id="E2E-STORE"))
    sent = subprocess.run(
        ["storescu", "-aet", "E2E", "127.0.0.1", port, str(path)],
        capture_output=True,
        env=env,
        timeout=60,
    )
    assert sent.returncode == 0, sent.stderr
    found = requests.post(
        f"{stack.url}/tools/lookup", data=dcmread(path).SOPInstanceUID, timeout=10
    ).json()
    assert [entry["Type"] for entry in found] == ["Instance"]
    answer = requests.get(f"{stack.url}/instances/{found[0]['ID']}/metadata?expand", timeout=10)
    assert answer.status_code == 200
    assert answer.json()["RemoteAET"] == "E2E"


def test_query_and_retrieve_through_the_stack(stack: LocalStack, tmp_path: Path) -> None:
    """The REST process queries the stack's own DICOM service as a modality (C-FIND between
    two processes of ``make run``), then a modality retrieves the study by C-GET."""
    port = stack.config["DicomPort"]
    study_uid = "1.3.6.1.4.1.5962.1.2.1.20040119072730.12322"  # CT_small's
    aet = requests.get(f"{stack.url}/system", timeout=10).json()["DicomAet"]
    declared = {
        "self": {"AET": aet, "Host": "127.0.0.1", "Port": port},
        "getter": {"AET": "GETTER", "Host": "127.0.0.1", "Port": 1},
    }
    for name, modality in declared.items():
        answer = requests.put(f"{stack.url}/modalities/{name}", json=modality, timeout=10)
        assert answer.status_code == 200, answer.text
    ct_small = Path(get_testdata_file("CT_small.dcm")).read_bytes()
    uploaded = requests.post(f"{stack.url}/instances", data=ct_small, timeout=30)
    assert uploaded.status_code == 200
    time.sleep(REFRESH_SECONDS + 0.5)  # the DICOM service sees the new modalities

    # The stack is shared with other tests: ask for this study only.
    query = {"Level": "Study", "Query": {"StudyInstanceUID": study_uid, "PatientID": ""}}
    created = requests.post(f"{stack.url}/modalities/self/query", json=query, timeout=30)
    assert created.status_code == 200, created.text
    answers = requests.get(
        f"{stack.url}{created.json()['Path']}/answers?expand&simplify", timeout=10
    ).json()
    assert [(a["StudyInstanceUID"], a["PatientID"]) for a in answers] == [(study_uid, "1CT1")]

    env = {**os.environ, "TCP_NODELAY": "1"}
    keys = ["-k", "QueryRetrieveLevel=STUDY", "-k", f"StudyInstanceUID={study_uid}"]
    got = subprocess.run(
        [
            "getscu",
            "-aet",
            "GETTER",
            "-aec",
            aet,
            "-od",
            str(tmp_path),
            *keys,
            "127.0.0.1",
            str(port),
        ],
        capture_output=True,
        env=env,
        timeout=60,
    )
    assert got.returncode == 0, got.stderr
    [received] = list(tmp_path.iterdir())
    assert dcmread(received).SOPInstanceUID == "1.3.6.1.4.1.5962.1.1.1.1.1.20040119072730.12322"
