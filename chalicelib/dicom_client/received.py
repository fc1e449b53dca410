"""The Part 10 file of a C-STORE request pynetdicom received, wherever it holds it.

Why: the DICOM service has pynetdicom write each received data set to a temporary file
(``STORE_RECV_CHUNKED_DATASET``, scp_container/receive.py) instead of memory, a switch that is
global to the process. Where the service and a C-GET requester share one process (the tests,
a local run), the requester's sub-operations then arrive on disk too; this reads the file from
wherever it is.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any


def received_file(event: Any) -> bytes:
    """The file (File Meta Information included) of the C-STORE request of ``event``."""
    from pynetdicom import _config

    if _config.STORE_RECV_CHUNKED_DATASET:
        return Path(event.dataset_path).read_bytes()
    return bytes(event.encoded_dataset(include_meta=True))
