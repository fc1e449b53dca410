"""Who may talk DICOM to Cirrus: Orthanc's rules for its DICOM server.

An association is accepted from anyone when one of the ``DicomAlwaysAllow*`` options is on
(``DicomAlwaysAllowEcho`` and ``DicomAlwaysAllowStore`` are, by default), otherwise only from
the AE titles of ``DicomModalities``; each request is then allowed by its ``DicomAlwaysAllow*``
option or by the calling modality's ``Allow*`` flag. With ``DicomCheckModalityHost``, a
modality is only recognised from the IP address written as its ``Host`` (compared as text, as
Orthanc does: a host name never matches). Modalities change through the REST API, so they are
read again when they are more than ``REFRESH_SECONDS`` old.
"""

from __future__ import annotations

import threading
import time

from chalicelib.remotes.modality import Modality
from chalicelib.services.dicom_asked.modalities import ModalityService

REFRESH_SECONDS = 5.0
# pynetdicom treats an empty list of required calling AE titles as "anyone": when nobody may
# call, the list holds a title no AE can have (AE titles are at most 16 characters).
NOBODY = "-" * 17


class DicomAccess:
    def __init__(
        self, modalities: ModalityService, always: dict[str, bool], check_host: bool = False
    ) -> None:
        self._modalities = modalities
        self._always = always
        self._check_host = check_host
        self._lock = threading.Lock()
        self._known: list[Modality] = []
        self._read_at = float("-inf")

    def required_callers(self) -> list[str]:
        """The calling AE titles to accept ([] for anyone), as pynetdicom wants them."""
        if any(self._always.values()):
            return []
        return sorted({m.aet for m in self._current()}) or [NOBODY]

    def allows(self, calling_aet: str, peer_ip: str, service: str) -> bool:
        """Whether ``calling_aet``, connected from ``peer_ip``, may use ``service`` ("echo",
        "store", "find", "move", "get")."""
        if self._always.get(service):
            return True
        return any(
            m.aet == calling_aet
            and (not self._check_host or m.host == peer_ip)
            and getattr(m, f"allow_{service}")
            for m in self._current()
        )

    def destination(self, aet: str) -> Modality | None:
        """The modality a C-MOVE names as its destination, by AE title."""
        return next((m for m in self._current() if m.aet == aet), None)

    def _current(self) -> list[Modality]:
        with self._lock:
            if time.monotonic() - self._read_at > REFRESH_SECONDS:
                self._known = list(self._modalities.all().values())
                self._read_at = time.monotonic()
            return self._known
