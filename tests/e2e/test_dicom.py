"""The DICOM service of ``make run``: dcmtk talks to the stack's DicomPort, REST sees it."""

from __future__ import annotations

import os
import subprocess

import requests
from pydicom.data import get_testdata_file

from tests.e2e.stack import LocalStack
from tests.integration.helpers import CT_SMALL_IDS


def test_echo_and_store_through_the_stack(stack: LocalStack) -> None:
    port = str(stack.config["DicomPort"])
    env = {**os.environ, "TCP_NODELAY": "1"}
    echo = subprocess.run(["echoscu", "127.0.0.1", port], capture_output=True, env=env, timeout=60)
    assert echo.returncode == 0, echo.stderr
    path = get_testdata_file("CT_small.dcm")
    sent = subprocess.run(
        ["storescu", "-aet", "E2E", "127.0.0.1", port, path],
        capture_output=True,
        env=env,
        timeout=60,
    )
    assert sent.returncode == 0, sent.stderr
    answer = requests.get(f"{stack.url}/instances/{CT_SMALL_IDS['ID']}/metadata?expand", timeout=10)
    assert answer.status_code == 200
    assert answer.json()["RemoteAET"] == "E2E"
