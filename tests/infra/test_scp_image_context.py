"""The SCP image's build context is complete: the service starts from exactly the files the
Dockerfile copies, and answers C-ECHO.

The test reads the Dockerfile's COPY instructions, copies those paths (and nothing else of the
repository) into a directory laid out as the image's WORKDIR, and runs the image's entry point
from there with the environment's Python packages (what ``pip install -r requirements.txt``
gives the image). A module the service imports from outside the copied paths makes it fail.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from tests.support.orthanc_server import free_port

REPO = Path(__file__).resolve().parents[2]
DOCKERFILE = REPO / "scp_container" / "Dockerfile"


def dockerfile_copies() -> list[tuple[str, str]]:
    """(source, destination) of each COPY, relative to the context and the WORKDIR."""
    copies = []
    for line in DOCKERFILE.read_text().splitlines():
        words = line.split()
        if words and words[0] == "COPY":
            *sources, destination = [w for w in words[1:] if not w.startswith("--")]
            copies.extend((source, destination) for source in sources)
    return copies


def build_context(workdir: Path) -> None:
    for source, destination in dockerfile_copies():
        origin = REPO / source
        target = workdir / destination
        if origin.is_dir():
            shutil.copytree(origin, target, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            target = target / origin.name if destination.endswith("/") else target
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(origin, target)


def echo(port: int, called_aet: str) -> int | None:
    """The C-ECHO status, or None if no association could be made."""
    from pynetdicom import AE
    from pynetdicom.sop_class import Verification  # type: ignore[attr-defined]

    ae = AE(ae_title="ECHOSCU")
    ae.add_requested_context(Verification)
    assoc = ae.associate("127.0.0.1", port, ae_title=called_aet)
    if not assoc.is_established:
        return None
    try:
        return int(assoc.send_c_echo().Status)
    finally:
        assoc.release()


def test_service_starts_from_the_build_context(tmp_path: Path) -> None:
    assert {s for s, _ in dockerfile_copies()} == {
        "requirements.txt",
        "chalicelib/",
        "scp_container/",
    }
    workdir = tmp_path / "app"
    workdir.mkdir()
    build_context(workdir)
    port = free_port()
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"DicomAet": "CIRRUS-IMAGE", "DicomPort": port}))
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("CIRRUS_", "AWS_", "PYTHON"))
    }
    env.update(
        CIRRUS_CONFIG=str(config),
        AWS_DEFAULT_REGION="eu-west-1",
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        # A closed port: a call to AWS fails at once instead of leaving the machine.
        AWS_ENDPOINT_URL=f"http://127.0.0.1:{free_port()}",
    )
    where = subprocess.run(
        [sys.executable, "-c", "import chalicelib, scp_container; print(chalicelib.__file__)"],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert Path(where.stdout.strip()).is_relative_to(workdir)
    service = subprocess.Popen(
        [sys.executable, "-m", "scp_container", "--host", "127.0.0.1"],
        cwd=workdir,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        status = None
        deadline = time.monotonic() + 30
        while status is None and time.monotonic() < deadline:
            assert service.poll() is None, service.communicate()[0]
            status = echo(port, "CIRRUS-IMAGE")
            if status is None:
                time.sleep(0.2)
        assert status == 0x0000
    finally:
        service.terminate()
        service.wait(timeout=10)
