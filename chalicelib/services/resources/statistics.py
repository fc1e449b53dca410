"""Counts and sizes: GET /statistics and /{level}/{id}/statistics."""

from __future__ import annotations

from typing import Any

from chalicelib.dicom.identifiers import Level
from chalicelib.services.resources.browse import BrowseService
from chalicelib.storage.index import ResourceIndex

_MB = 1024 * 1024
_COUNT_KEYS = {
    Level.STUDY: "CountStudies",
    Level.SERIES: "CountSeries",
    Level.INSTANCE: "CountInstances",
}


def _sizes(prefix: str, size: int) -> dict[str, Any]:
    """Orthanc prints byte counts as strings (64-bit safe in JSON) and MB as integers."""
    return {
        f"{prefix}Size": str(size),
        f"{prefix}SizeMB": size // _MB,
    }


class StatisticsService:
    def __init__(self, index: ResourceIndex, browse: BrowseService) -> None:
        self._index = index
        self._browse = browse

    def global_statistics(self) -> dict[str, Any]:
        counts = self._index.read_counts()
        return {
            "CountInstances": counts.instances,
            "CountPatients": counts.patients,
            "CountSeries": counts.series,
            "CountStudies": counts.studies,
            **_sizes("TotalDisk", counts.disk_size),
            **_sizes("TotalUncompressed", counts.disk_size),
        }

    def resource_statistics(self, level: Level, resource_id: str) -> dict[str, Any]:
        """Walk the subtree: one Query per resource above the instance level. Disk sizes
        count the user attachments of the resource and its descendants (their links carry
        them), the ``Dicom`` ones the DICOM files only, as Orthanc does."""
        resource, links = self._browse.load(level, resource_id)
        answer: dict[str, Any] = {}
        dicom_size = resource.file_size
        attachments_size = resource.attachments_size
        if level is not Level.INSTANCE:
            by_level = self._browse.walk(resource, links)
            for child_level, child_links in by_level.items():
                answer[_COUNT_KEYS[child_level]] = len(child_links)
            descendants = [link for child_links in by_level.values() for link in child_links]
            dicom_size = sum(link.file_size for link in descendants)
            attachments_size += sum(
                a.size for link in descendants for a in link.attachments.values()
            )
        for prefix in ("Disk", "Uncompressed"):
            answer.update(_sizes(prefix, dicom_size + attachments_size))
        for prefix in ("DicomDisk", "DicomUncompressed"):
            answer.update(_sizes(prefix, dicom_size))
        return answer
