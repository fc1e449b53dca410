"""``python -m scp_container``: the DICOM service, as the container runs it.

Listens on all interfaces at ``DicomPort`` of the configuration (``CIRRUS_CONFIG``); the
boto3 clients find AWS (or the emulator) from the standard environment.
"""

from __future__ import annotations

import argparse
import logging

from chalicelib import bootstrap, observability
from scp_container.service import start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="0.0.0.0")
    parser.add_argument("--port", type=int, default=None, help="default: DicomPort")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    observability.configure_logging()  # JSON records when deployed
    logging.getLogger("pynetdicom").setLevel(logging.WARNING)
    start(args.host, args.port or bootstrap.config().DicomPort, block=True)


if __name__ == "__main__":
    main()
