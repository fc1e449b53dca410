"""Run ``python -m local_stack`` as a subprocess for end-to-end tests.

Each stack gets free ports (never the well-known 8042/4242/4566, so a developer's running
stack or Orthanc is left alone) and a data directory of the test's choosing, so that a test can
stop a stack and start another on the same data. The stack runs in its own session: ``kill()``
SIGKILLs the whole process group at once, which is how a crash of the machine looks to it.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType
from typing import Any

import requests

from local_stack.settings import StackSettings
from local_stack.stack import aws_environment
from tests.support.orthanc_server import free_port

PROJECT_ROOT = Path(__file__).resolve().parents[2]
RESOURCE_PREFIX = "cirrus-e2e"
START_TIMEOUT_SECONDS = 60.0
STOP_TIMEOUT_SECONDS = 15.0


def _accepts(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except OSError:
        return False
    return True


class LocalStack:
    """One ``python -m local_stack`` process tree.

    ``config`` holds Orthanc-style options written to a config file for the stack
    (``DicomPort`` defaults to a free port, so that the future SCP service never collides);
    ``env`` adds environment variables (``CIRRUS_JOB_RUNNER=external``...).
    """

    def __init__(
        self,
        data_dir: Path,
        config: dict[str, Any] | None = None,
        env: dict[str, str] | None = None,
    ) -> None:
        self.data_dir = data_dir
        self.http_port = free_port()
        self.emulator_port = free_port()
        self.config_path = data_dir.with_name(data_dir.name + "-config.json")
        self.config = {"DicomPort": free_port(), **(config or {})}
        self.log_path = data_dir.with_name(data_dir.name + f"-{self.http_port}.log")
        self.extra_env = env or {}
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def emulator_url(self) -> str:
        return f"http://127.0.0.1:{self.emulator_port}"

    @property
    def command(self) -> list[str]:
        return [sys.executable, "-m", "local_stack"]

    def environment(self) -> dict[str, str]:
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("AWS_", "CIRRUS_", "MOTO_"))
        }
        env.update(
            CIRRUS_CONFIG=str(self.config_path),
            CIRRUS_DATA_DIR=str(self.data_dir),
            CIRRUS_HTTP_PORT=str(self.http_port),
            CIRRUS_EMULATOR_PORT=str(self.emulator_port),
            CIRRUS_RESOURCE_PREFIX=RESOURCE_PREFIX,
        )
        env.update(self.extra_env)
        return env

    def aws_environment(self) -> dict[str, str]:
        """The environment of a process running product code against this stack's emulator
        (what the stack gives its own REST process)."""
        own = self.environment()
        return {**aws_environment(StackSettings.from_environment(own)), **own}

    def start(self) -> LocalStack:
        """Start the stack and wait until ``GET /system`` answers."""
        self.data_dir.parent.mkdir(parents=True, exist_ok=True)
        self.config_path.write_text(json.dumps(self.config))
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                self.command,
                cwd=PROJECT_ROOT,
                env=self.environment(),
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"The stack exited with {self.process.returncode}:\n{self.log}")
            try:
                # Any answer will do: with AuthenticationEnabled it is a 401.
                answered = requests.get(f"{self.url}/system", timeout=2).status_code
                # The DICOM service starts after the REST API: wait for it too.
                if answered in (200, 401) and _accepts(self.config["DicomPort"]):
                    return self
            except requests.ConnectionError:
                pass
            time.sleep(0.1)
        self.kill()
        raise RuntimeError(
            f"The stack did not answer within {START_TIMEOUT_SECONDS} s:\n{self.log}"
        )

    @property
    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def stop(self) -> int:
        """SIGTERM the supervisor, as ``make run`` gets on Ctrl-C, and return its exit code."""
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(STOP_TIMEOUT_SECONDS)

    def kill(self) -> None:
        """SIGKILL every process of the stack at once: nothing gets to clean up."""
        assert self.process is not None
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(STOP_TIMEOUT_SECONDS)

    def processes_left(self) -> bool:
        """Whether any process of the stack's process group is still alive."""
        assert self.process is not None
        try:
            os.killpg(self.process.pid, 0)
        except ProcessLookupError:
            return False
        return True

    def __enter__(self) -> LocalStack:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self.process is not None and self.process.poll() is None:
            try:
                self.stop()
            except subprocess.TimeoutExpired:
                self.kill()
        if self.process is not None and self.processes_left():
            os.killpg(self.process.pid, signal.SIGKILL)
