"""ZIP archives of a patient, study or series (GET /{level}/{id}/archive).

The plan is read from the index (the resource's partition, one Query per study or series below
it, one BatchGetItem for the study/series records that name the folders); no DICOM is parsed.
The ZIP is produced as a generator of chunks: files are read from S3 one at a time and each is
compressed and handed out before the next is read, so memory holds one file, never the study.
"""

from __future__ import annotations

import time
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from chalicelib.dicom import archive_naming as naming
from chalicelib.dicom.identifiers import Level
from chalicelib.errors import unknown_resource
from chalicelib.model import ChildLink, Resource
from chalicelib.services.browse import BrowseService
from chalicelib.storage.blobs import BlobStore
from chalicelib.storage.index import ResourceIndex


@dataclass(frozen=True)
class ArchiveEntry:
    """One file of the archive: its path in the ZIP and where its bytes are stored."""

    path: str
    blob_key: str


class ArchiveService:
    def __init__(self, index: ResourceIndex, blobs: BlobStore, browse: BrowseService) -> None:
        self._index = index
        self._blobs = blobs
        self._browse = browse

    def entries(self, level: Level, resource_id: str) -> list[ArchiveEntry]:
        """The files of a patient, study or series named as Orthanc names them; 404 if the
        resource is unknown."""
        resource, links = self._browse.load(level, resource_id)
        tree = self._browse.walk(resource, links)
        if level is Level.SERIES:
            study = self._index.get(resource.parent or "")
            if study is None:
                raise unknown_resource()
            studies, series = [study], [resource]
        elif level is Level.STUDY:
            studies, series = [resource], self._records(tree[Level.SERIES])
        else:
            studies, series = self._records(tree[Level.STUDY]), self._records(tree[Level.SERIES])
        patient_tags = (
            resource.main_tags if level is Level.PATIENT else studies[0].patient_main_tags
        )
        patient = naming.patient_folder(patient_tags)
        instances: dict[str, list[ChildLink]] = {}
        for link in tree[Level.INSTANCE]:
            instances.setdefault(link.parent, []).append(link)
        entries = []
        for study_name, study in _named(studies, naming.study_folder):
            children = [s for s in series if s.parent == study.id]
            for series_name, one_series in _named(children, naming.series_folder):
                folder = f"{patient}/{study_name}/{series_name}"
                for position, link in enumerate(_in_series_order(instances.get(one_series.id, []))):
                    name = naming.instance_file(one_series.main_tags, position)
                    entries.append(ArchiveEntry(f"{folder}/{name}", link.blob_key))
        return entries

    def stream(self, entries: Iterable[ArchiveEntry]) -> Iterator[bytes]:
        """The ZIP of ``entries`` as chunks (deflated, ZIP64 where a file needs it)."""
        sink = _Sink()
        stamp = time.localtime()[:6]
        with zipfile.ZipFile(sink, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
            for entry in entries:
                info = zipfile.ZipInfo(entry.path, date_time=stamp)
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, self._blobs.get(entry.blob_key))
                yield sink.take()
        yield sink.take()

    def _records(self, links: list[ChildLink]) -> list[Resource]:
        found = self._index.get_many(link.child for link in links)
        return [found[link.child] for link in links if link.child in found]


def _named(
    resources: list[Resource], folder: Callable[[dict[str, str]], str]
) -> list[tuple[str, Resource]]:
    """Siblings in Orthanc's order (by resource ID) with their distinct folder names."""
    ordered = sorted(resources, key=lambda r: r.id)
    names = naming.unique([folder(r.main_tags) for r in ordered])
    return list(zip(names, ordered, strict=True))


def _in_series_order(links: list[ChildLink]) -> list[ChildLink]:
    """Instances by InstanceNumber (Orthanc 1.10.1 uses arrival order, which the index does
    not keep; both agree when instances arrive in order), then by ID."""
    return sorted(
        links,
        key=lambda link: (link.index_in_series is None, link.index_in_series or 0, link.child),
    )


class _Sink:
    """A write-only stream collecting what zipfile writes until it is taken: zipfile sees an
    unseekable file and writes data descriptors instead of seeking back."""

    def __init__(self) -> None:
        self._chunks: list[bytes] = []

    def write(self, data: bytes) -> int:
        self._chunks.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        """Nothing buffered beyond the chunks; zipfile calls it on close."""

    def take(self) -> bytes:
        data, self._chunks = b"".join(self._chunks), []
        return data
