"""Behaviour shared by the service processes the supervisor starts.

Only the supervisor reacts to Ctrl-C: it stops the services one by one, the REST API before
the emulator, so that no request is cut in half. Children therefore ignore SIGINT (which the
terminal sends to the whole process group) and leave on SIGTERM, the supervisor's request.
If the supervisor itself is killed (``kill -9``), the children notice that their parent is gone
and die too, instead of holding the ports.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
import time

_PARENT_POLL_SECONDS = 0.2


def service_address(description: str) -> tuple[str, int]:
    """The ``--host``/``--port`` every service is started with, then the service set-up."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    run_as_service()
    return args.host, args.port


def run_as_service() -> None:
    """Install the signal policy above and the watch on the parent process."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    parent = os.getppid()
    threading.Thread(target=_die_with_parent, args=(parent,), daemon=True).start()


def _die_with_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(_PARENT_POLL_SECONDS)
    # The supervisor vanished without stopping us: behave like the rest of a killed stack.
    os.kill(os.getpid(), signal.SIGKILL)
