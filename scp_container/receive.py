"""Receiving C-STORE data sets to temporary files, within ``DicomMaximumObjectSize``.

Why: pynetdicom keeps a received data set in memory by default (and copies it twice to hand
it over), so a modality, or anyone allowed to store, could fill the task's memory with one
large object or a few at once. With ``STORE_RECV_CHUNKED_DATASET`` pynetdicom writes each
P-DATA fragment to a temporary file as it arrives. Its handlers only run once a data set is
complete, so the limit is also enforced while the data set arrives: ``EVT_PDU_RECV`` (fired
for each PDU before pynetdicom writes it) aborts the association once the file already holds
more than the limit, which bounds the disk and the time an oversized object takes; an object
that only crosses the limit with its last PDU is answered 0xA700 by the C-STORE handler
(chalicelib/services/dicom_served/store.py). A data set left incomplete by an abort or a
dropped connection has its temporary file removed (pynetdicom only removes complete ones).

pynetdicom (3.0) exposes the message being received only as ``Association.dimse.message``
and its file as ``_data_set_file``: private names, read defensively.
"""

from __future__ import annotations

import contextlib
import logging
import os
from typing import Any

from scp_container.dimse import calling_aet

LOG = logging.getLogger("cirrus.scp")


def receive_to_files() -> None:
    """Have pynetdicom write received C-STORE data sets to temporary files (process-wide)."""
    from pynetdicom import _config

    _config.STORE_RECV_CHUNKED_DATASET = True


def _partial_file(event: Any) -> Any:
    """The temporary file of the C-STORE data set being received on this association, if
    any (None between messages)."""
    dimse = getattr(event.assoc, "dimse", None)
    message = getattr(dimse, "message", None)
    return getattr(message, "_data_set_file", None)


def _remove(file: Any) -> None:
    """Unlink ``file``: pynetdicom may still write the PDU in hand to it, which an unlinked
    file accepts, and frees once pynetdicom drops the message."""
    with contextlib.suppress(OSError):
        os.unlink(file.name)


def limit_received(event: Any, maximum: int) -> None:
    """EVT_PDU_RECV: abort the association when the data set being received already holds
    more than ``maximum`` bytes (0: no limit)."""
    file = _partial_file(event)
    if not maximum or file is None or file.tell() <= maximum:
        return
    LOG.warning(
        "C-STORE from %s aborted: more than DicomMaximumObjectSize (%d bytes)",
        calling_aet(event),
        maximum,
    )
    _remove(file)
    event.assoc.abort()


def discard_partial(event: Any) -> None:
    """EVT_ABORTED and EVT_CONN_CLOSE: remove the file of a data set left incomplete."""
    file = _partial_file(event)
    if file is not None:
        _remove(file)
