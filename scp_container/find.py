"""The C-FIND handler (Patient and Study Root Query/Retrieve - FIND): the identifier is read
by ``services/dicom_served/find.py``, searched by the engine of ``/tools/find`` and each match sent
as a pending answer.

Like every handler, it never raises into the association: a query that cannot be run (no or
an unknown level, a malformed constraint) is answered 0xC000 (unable to process, as Orthanc
does), a storage failure 0xA700 (out of resources). An answer cut by LimitFindResults or
LimitFindInstances ends with 0xFE00, as Orthanc 1.10.1 ends it; so does a cancelled one.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

from pydicom.dataset import Dataset

from chalicelib import bootstrap
from chalicelib.errors import OrthancError
from scp_container.dimse import (
    CANCEL,
    NOT_AUTHORIZED,
    OUT_OF_RESOURCES,
    PENDING,
    SUCCESS,
    UNABLE_TO_PROCESS,
    calling_aet,
    peer_ip,
)

LOG = logging.getLogger("cirrus.scp")


def handle_find(event: Any) -> Iterator[tuple[int, Dataset | None]]:
    from chalicelib.services.dicom_served.find import answer_dataset, parse_identifier

    caller = calling_aet(event)
    if not bootstrap.dicom_access().allows(caller, peer_ip(event), "find"):
        yield NOT_AUTHORIZED, None
        return
    try:
        encoding = bootstrap.system_settings().default_encoding()
        request = parse_identifier(event.identifier, encoding)
        found, complete = bootstrap.find().find_tags(request.query, request.from_instance)
        answers = [answer_dataset(request, v, bootstrap.config().DicomAet) for v in found]
    except OrthancError as error:
        LOG.warning("C-FIND from %s refused: %s", caller, error)
        yield UNABLE_TO_PROCESS, None
        return
    except Exception:
        LOG.exception("C-FIND from %s failed", caller)
        yield OUT_OF_RESOURCES, None
        return
    for answer in answers:
        if event.is_cancelled:
            yield CANCEL, None
            return
        yield PENDING, answer
    if not complete:
        LOG.warning("Too many results for a C-FIND from %s: answer cut", caller)
    yield (SUCCESS if complete else CANCEL), None
