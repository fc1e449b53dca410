"""Start the services as child processes, watch them, and stop them all together.

The stack is useful only whole: if one service dies, the supervisor stops the others and exits
non-zero, rather than leaving a REST API whose storage is gone. SIGINT and SIGTERM stop the
services in the reverse order of their start (clients first, storage last) and exit 0.
"""

from __future__ import annotations

import errno
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import FrameType
from typing import NoReturn

from local_stack.gate import GATE_VARIABLE, GO

POLL_SECONDS = 0.2
READY_TIMEOUT_SECONDS = 60.0
STOP_TIMEOUT_SECONDS = 5.0


class StackError(RuntimeError):
    """The stack cannot start or keep running; the message says why."""


class StopRequested(BaseException):
    """SIGINT or SIGTERM arrived. A BaseException, like KeyboardInterrupt, so that it interrupts
    whatever the supervisor is waiting for (a replay, a readiness probe) and no ``except
    Exception`` swallows it."""


@dataclass
class Service:
    """A child process listening on ``host:port`` once it is ready."""

    name: str
    argv: list[str]
    host: str
    port: int
    env: Mapping[str, str]
    # Runs once the port accepts connections, before the next service starts.
    on_ready: Callable[[], None] | None = None
    # Started at once with the first service, through ``local_stack.gate``, which holds it
    # (imports done) until every service not held is ready: see ``Supervisor.start_all``.
    held: bool = False
    # How long a SIGTERM may take before SIGKILL.
    stop_timeout: float = STOP_TIMEOUT_SECONDS
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)


def check_port_free(service: Service) -> None:
    """Fail fast, before starting anything, when another program holds a service's port."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        # The same option the servers use, so that a port in TIME_WAIT counts as free.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((service.host, service.port))
        except OSError as exc:
            reason = "already in use" if exc.errno == errno.EADDRINUSE else exc.strerror
            raise StackError(
                f"Cannot start the {service.name}: port {service.port} on {service.host} is "
                f"{reason}. Stop the program using it or choose another port."
            ) from exc


class Supervisor:
    """Owns the child processes. Use as a context manager: leaving it stops every child."""

    def __init__(self) -> None:
        self._services: list[Service] = []

    def __enter__(self) -> Supervisor:
        signal.signal(signal.SIGINT, _request_stop)
        signal.signal(signal.SIGTERM, _request_stop)
        return self

    def __exit__(self, *_: object) -> None:
        # A second Ctrl-C must not cut the shutdown short and leave orphans behind.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        self.stop()

    def start_all(self, services: Sequence[Service]) -> None:
        """Start ``services`` and wait until they are all ready.

        Those not ``held`` start one after the other, each once the previous one is ready (it
        may rely on them). The held ones start with the first, so that their imports (about a
        second of CPU each) overlap its start-up instead of following it, and get the go once
        the others are ready: then they are waited for in turn.
        """
        first, *others = [service for service in services if not service.held]
        held = [service for service in services if service.held]
        gate, go = os.pipe()
        try:
            try:
                self._spawn(first)
                for service in held:
                    self._spawn(service, gate)
            finally:
                os.close(gate)  # the held services have their copy
            self._wait_until_ready(first)
            for service in others:
                self._spawn(service)
                self._wait_until_ready(service)
            os.write(go, GO * len(held))
        finally:
            os.close(go)  # without a go, the held services leave
        for service in held:
            self._wait_until_ready(service)

    def _spawn(self, service: Service, gate: int | None = None) -> None:
        """Start the process of ``service``; a held one through the gate reading ``gate``."""
        if gate is None:
            service.process = subprocess.Popen(service.argv, env=dict(service.env))
        else:
            service.process = subprocess.Popen(
                _through_gate(service.argv),
                env={**service.env, GATE_VARIABLE: str(gate)},
                pass_fds=(gate,),
            )
        self._services.append(service)

    def _wait_until_ready(self, service: Service) -> None:
        deadline = time.monotonic() + READY_TIMEOUT_SECONDS
        while not _accepts_connections(service):
            self._check_alive()
            if time.monotonic() > deadline:
                raise StackError(
                    f"The {service.name} did not listen on port {service.port} "
                    f"within {READY_TIMEOUT_SECONDS:.0f} s"
                )
            time.sleep(0.05)
        if service.on_ready is not None:
            try:
                service.on_ready()
            except Exception as exc:
                raise StackError(f"Preparing the {service.name} failed: {exc}") from exc

    def watch(self) -> NoReturn:
        """Block until a service dies (raises StackError) or a signal asks to stop."""
        while True:
            self._check_alive()
            time.sleep(POLL_SECONDS)

    def stop(self) -> None:
        """SIGTERM each service, last started first; SIGKILL any that does not leave in time."""
        for service in reversed(self._services):
            process = service.process
            if process is None or process.poll() is not None:
                continue
            process.terminate()
            try:
                process.wait(service.stop_timeout)
            except subprocess.TimeoutExpired:
                print(f"The {service.name} did not stop in time; killing it", file=sys.stderr)
                process.kill()
                process.wait()
        self._services.clear()

    def _check_alive(self) -> None:
        for service in self._services:
            assert service.process is not None
            code = service.process.poll()
            if code is not None:
                raise StackError(f"The {service.name} exited unexpectedly (exit code {code})")


def _through_gate(argv: list[str]) -> list[str]:
    """``python -m MODULE ARGS`` as ``python -m local_stack.gate MODULE ARGS``."""
    if argv[1] != "-m":
        raise StackError(f"Only a service started as a module can be held: {argv}")
    return [argv[0], "-m", "local_stack.gate", *argv[2:]]


def _request_stop(signum: int, _frame: FrameType | None) -> None:
    raise StopRequested(signal.Signals(signum).name)


def _accepts_connections(service: Service) -> bool:
    host = "127.0.0.1" if service.host == "0.0.0.0" else service.host
    try:
        with socket.create_connection((host, service.port), timeout=1):
            return True
    except OSError:
        return False
