"""Storing a file that arrived over DICOM, whether a modality C-STOREd it to the DICOM service
or it came back on a C-GET that Cirrus asked for: the ingest of ``POST /instances``, answered
with the C-STORE status the modality understands.

Success is answered only once the file is in S3 and indexed (that is when ``store`` returns);
a file Cirrus cannot store is "cannot understand", a storage failure, a full archive
(``MaximumStorageSize``, ``MaximumPatientCount``) or a file over ``DicomMaximumObjectSize``
"out of resources", so the modality knows to send it again later.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from chalicelib.errors import ErrorCode, OrthancError

if TYPE_CHECKING:
    from chalicelib.services.resources.ingest import IngestService, Origin

LOG = logging.getLogger("cirrus.dicom")

SUCCESS = 0x0000
OUT_OF_RESOURCES = 0xA700
CANNOT_UNDERSTAND = 0xC210


def store_received(ingest: IngestService, data: bytes, origin: Origin) -> int:
    """Store ``data`` (a Part 10 file) through the ingest service; the C-STORE status."""
    try:
        ingest.store(data, origin)
    except OrthancError as error:
        LOG.warning("C-STORE from %s refused: %s", origin.remote_aet, error)
        return OUT_OF_RESOURCES if error.code is ErrorCode.FULL_STORAGE else CANNOT_UNDERSTAND
    except Exception:
        LOG.exception("C-STORE from %s could not be stored", origin.remote_aet)
        return OUT_OF_RESOURCES
    return SUCCESS


def store_received_file(ingest: IngestService, path: Path, origin: Origin, maximum: int) -> int:
    """Store the Part 10 file the DICOM service received at ``path``, unless it is larger than
    ``maximum`` bytes (0: no limit): its size is read first, so an object over the limit is
    refused without being read into memory; a file within it is read once, the one copy the
    ingest needs (it hashes, parses and uploads bytes)."""
    size = path.stat().st_size
    if maximum and size > maximum:
        LOG.warning(
            "C-STORE from %s refused: %d bytes exceed DicomMaximumObjectSize (%d)",
            origin.remote_aet,
            size,
            maximum,
        )
        return OUT_OF_RESOURCES
    return store_received(ingest, path.read_bytes(), origin)
