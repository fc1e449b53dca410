"""The exports log (``/exports``): which resources were sent where.

As Orthanc does with ``LogExportedResources``, one entry per resource named in a sending
request, at that resource's level, written when the request is accepted (before the transfer
itself, so a transfer that fails later is still logged). Each entry carries the DICOM
identifiers of the resource and of its ancestors, read from the index (at most one batch read
per level climbed).
"""

from __future__ import annotations

from typing import Any

from chalicelib.dicom.identifiers import Level
from chalicelib.model import Resource
from chalicelib.services.shared.clock import orthanc_now
from chalicelib.storage.index import ResourceIndex
from chalicelib.storage.logs import Entry, SequencedLog

_IDENTIFIER = {
    Level.PATIENT: "PatientID",
    Level.STUDY: "StudyInstanceUID",
    Level.SERIES: "SeriesInstanceUID",
    Level.INSTANCE: "SOPInstanceUID",
}


class ExportLog:
    def __init__(self, index: ResourceIndex, log: SequencedLog, enabled: bool) -> None:
        self._index = index
        self._log = log
        self._enabled = enabled

    def record(self, resources: list[Resource], remote: str) -> None:
        """Log that ``resources`` are being sent to ``remote`` (a peer or modality name)."""
        if not self._enabled or not resources:
            return
        known = {r.id: r for r in resources}
        pending = {r.parent for r in resources if r.parent} - known.keys()
        while pending:  # one level up per round; a vanished ancestor ends the climb
            found = self._index.get_many(pending)
            known.update(found)
            pending = {r.parent for r in found.values() if r.parent} - known.keys()
        date = orthanc_now()
        first = self._log.allocate(len(resources))
        entries = [
            Entry(first + n, self._fields(resource, known, remote, date), resource.id)
            for n, resource in enumerate(resources)
        ]
        self._log.append(entries)

    @staticmethod
    def _fields(
        resource: Resource, known: dict[str, Resource], remote: str, date: str
    ) -> dict[str, Any]:
        fields: dict[str, Any] = {
            "Date": date,
            "ID": resource.id,
            "Path": f"/{resource.level.collection}/{resource.id}",
            "RemoteModality": remote,
            "ResourceType": resource.level.value,
        }
        current: Resource | None = resource
        while current is not None:
            key = _IDENTIFIER[current.level]
            fields[key] = current.main_tags.get(key, "")
            current = known.get(current.parent or "")
        return fields
