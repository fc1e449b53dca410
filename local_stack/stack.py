"""What the local stack is made of: the services, in start order, and how each is prepared."""

from __future__ import annotations

import os
import sys
import time
from typing import Any

import boto3
import requests

from chalicelib.jobs.state_machine import LOCAL_STEP_ARN, ensure_state_machine
from chalicelib.storage.schema import ensure_storage
from local_stack.settings import LOOPBACK, RESTORE_PATH, StackSettings
from local_stack.supervisor import Service

REGION = "us-east-1"
# The emulator's last snapshot, taken when it stops, takes seconds at 10,000 instances (more on
# a busy machine): cut short, it would leave the next start the recording's tail to replay,
# which costs more than the snapshot did.
EMULATOR_STOP_TIMEOUT_SECONDS = 60.0
DUMMY_CREDENTIALS = "testing"


def services(settings: StackSettings) -> list[Service]:
    """The services to start, in order: each may rely on those before it. The REST API and the
    DICOM service rely only on the emulator: they are held (``Supervisor.start_all``), their
    imports done, while it starts and restores its state."""
    return [
        Service(
            name="AWS emulator (moto)",
            argv=_module("local_stack.emulator", LOOPBACK, settings.emulator_port),
            host=LOOPBACK,
            port=settings.emulator_port,
            env=_emulator_environment(settings),
            on_ready=lambda: restore_emulator(settings),
            stop_timeout=EMULATOR_STOP_TIMEOUT_SECONDS,
        ),
        Service(
            # Also runs the DynamoDB stream consumer and the stability timer (local_stack/feed.py)
            # and the job runner (local_stack/job_runner.py).
            name="REST API (Chalice local)",
            argv=_module("local_stack.rest", settings.rest_host, settings.http_port),
            host=settings.rest_host,
            port=settings.http_port,
            env=aws_environment(settings),
            held=True,
        ),
        Service(
            name="DICOM SCP (pynetdicom)",
            argv=_module("local_stack.scp", settings.rest_host, settings.dicom_port),
            host=settings.rest_host,
            port=settings.dicom_port,
            env=aws_environment(settings),
            held=True,
        ),
    ]


def aws_environment(settings: StackSettings) -> dict[str, str]:
    """The environment of a process running product code: the standard AWS variables point the
    unchanged boto3 code at the emulator (CIRRUS_CONFIG and the rest pass through)."""
    env = _child_environment()
    env.pop("AWS_PROFILE", None)
    env.pop("AWS_SESSION_TOKEN", None)
    env.update(
        AWS_ENDPOINT_URL=settings.emulator_url,
        AWS_DEFAULT_REGION=REGION,
        AWS_ACCESS_KEY_ID=DUMMY_CREDENTIALS,
        AWS_SECRET_ACCESS_KEY=DUMMY_CREDENTIALS,
        # Otherwise botocore sends DynamoDB calls to account-specific host names.
        AWS_ACCOUNT_ID_ENDPOINT_MODE="disabled",
    )
    return env


def restore_emulator(settings: StackSettings) -> None:
    """Bring back the saved state, then create what is missing.

    The emulator loads its last snapshot and replays the requests recorded after it, then
    records from there on, before ``ensure_storage``, so that the tables and bucket it creates
    on a first start are recorded too.
    """
    started = time.monotonic()
    # No timeout: replaying a long recording (one made before snapshots) takes what it takes.
    response = requests.post(f"{settings.emulator_url}{RESTORE_PATH}", timeout=None)
    response.raise_for_status()
    restored = response.json()
    if restored["fresh"]:
        # A position in a stream that is gone: the new stream's records must all be read.
        settings.stream_checkpoint_path.unlink(missing_ok=True)
    else:
        print(
            f"Restored the emulator's snapshot in {restored['snapshot_seconds']:.1f} s and "
            f"replayed {restored['replayed']} recorded requests ({restored['dropped']} reads "
            f"dropped) in {time.monotonic() - started:.1f} s",
            flush=True,
        )
    ensure_storage(_client("dynamodb", settings), _client("s3", settings))
    ensure_state_machine(_client("stepfunctions", settings), LOCAL_STEP_ARN)


def banner(settings: StackSettings) -> str:
    """The lines telling the user where everything is."""
    lines = [
        f"REST API (Orthanc-compatible): {settings.rest_url}"
        + (" (all interfaces)" if settings.rest_host != LOOPBACK else ""),
        f"AWS emulator (S3, DynamoDB, Streams, Step Functions, Secrets Manager): "
        f"{settings.emulator_url}",
        f"Data directory: {settings.data_dir}",
    ]
    lines.append(f"DICOM SCP (C-ECHO, C-STORE): {settings.rest_host}:{settings.dicom_port}")
    lines.append("Press Ctrl-C to stop.")
    return "\n".join(lines)


def _module(name: str, host: str, port: int) -> list[str]:
    return [sys.executable, "-m", name, "--host", host, "--port", str(port)]


def _child_environment() -> dict[str, str]:
    # Logs of the children reach the terminal as they are written, not at exit.
    return {**os.environ, "PYTHONUNBUFFERED": "1"}


def _emulator_environment(settings: StackSettings) -> dict[str, str]:
    return {
        **_child_environment(),
        "CIRRUS_DATA_DIR": str(settings.data_dir),
        # moto calls itself back on this port (Step Functions tasks, for instance).
        "MOTO_PORT": str(settings.emulator_port),
    }


def emulator_client(service: str, endpoint_url: str) -> Any:
    """A boto3 client of the emulator at ``endpoint_url`` (the stack's, a test's, a bench's)."""
    return boto3.client(
        service,
        endpoint_url=endpoint_url,
        region_name=REGION,
        aws_access_key_id=DUMMY_CREDENTIALS,
        aws_secret_access_key=DUMMY_CREDENTIALS,
    )


def _client(service: str, settings: StackSettings) -> Any:
    return emulator_client(service, settings.emulator_url)
