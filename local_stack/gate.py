"""``python -m local_stack.gate MODULE ARGS...``: a service started before its turn.

The supervisor starts the REST API and the DICOM service at the same time as the emulator, so
that their imports (most of their start-up, about a second of CPU together) overlap the
emulator's start and restore instead of following them. This launcher imports the service's
module, then waits for the supervisor's go, a byte on the pipe whose descriptor
``CIRRUS_START_GATE`` names, before it runs the module's ``main()`` with ``ARGS``: nothing of
the service runs, and nothing calls the emulator, before the emulator's state is restored and
its tables exist. The end of the pipe without a go means the supervisor is gone: leave.
"""

from __future__ import annotations

import importlib
import os
import signal
import sys

GATE_VARIABLE = "CIRRUS_START_GATE"
GO = b"g"
# Imported while held as well, so that the services' start-up overlaps the emulator's restore:
# pydicom, which both import lazily on their first file.
PRELOADED = ("pydicom",)


def main() -> int:
    # As the services do (local_stack.child): Ctrl-C is for the supervisor, which stops us.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    module_name, *arguments = sys.argv[1:]
    module = importlib.import_module(module_name)
    for name in PRELOADED:
        importlib.import_module(name)
    with os.fdopen(int(os.environ.pop(GATE_VARIABLE)), "rb", buffering=0) as gate:
        if gate.read(1) != GO:
            return 1
    sys.argv = [module_name, *arguments]
    module.main()
    return 0


if __name__ == "__main__":
    sys.exit(main())
