"""The DICOM service process (`python -m local_stack.scp`): scp_container's application
entity on the stack's DicomPort, against the emulator like the REST process."""

from __future__ import annotations

import logging

from local_stack.child import service_address
from scp_container.service import start


def main() -> None:
    host, port = service_address(__doc__.splitlines()[0])
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    # pynetdicom logs every association at INFO: noise beside the other services.
    logging.getLogger("pynetdicom").setLevel(logging.WARNING)
    start(host, port, block=True)


if __name__ == "__main__":
    main()
