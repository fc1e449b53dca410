"""ZIP archives and DICOMDIR media of patients, studies, series and instances
(``/{level}/{id}/archive|media``, ``/tools/create-archive|create-media``, archive jobs).

The plan is read from the index (the resources' partitions, one Query per study or series
below them, one BatchGetItem for the records that name the folders); no DICOM is parsed. As
Orthanc does, the resources asked for are merged into one patient/study/series tree (a series
asked for with one of its instances is archived whole, once), siblings ordered by Orthanc ID.

The ZIP is produced as a generator of chunks: files are read from S3 one at a time and each is
(transcoded,) compressed and handed out before the next is read, so memory holds one file,
never the study. A media keeps the few DICOMDIR attributes of each file, read from the same
bytes (header only), and writes the DICOMDIR last, as Orthanc does. A file deleted since the
plan is skipped, as Orthanc skips it.
"""

from __future__ import annotations

import io
import logging
import time
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from botocore.exceptions import ClientError

from chalicelib.dicom import archive_naming as naming
from chalicelib.dicom.identifiers import Level
from chalicelib.dicom.zip_sink import ZipSink
from chalicelib.errors import unknown_resource
from chalicelib.model import ChildLink, Resource
from chalicelib.services.resources.browse import BrowseService
from chalicelib.storage.blobs import BlobStore
from chalicelib.storage.index import ResourceIndex

LOG = logging.getLogger(__name__)


@dataclass(frozen=True)
class ArchiveEntry:
    """One file of the archive: its path in the ZIP, where its bytes are stored, its size."""

    path: str
    blob_key: str
    size: int = 0


@dataclass
class _Tree:
    """The instances selected, and the parents of their series and studies."""

    instances: dict[str, ChildLink] = field(default_factory=dict)
    study_of: dict[str, str] = field(default_factory=dict)
    patient_of: dict[str, str] = field(default_factory=dict)


class ArchiveService:
    def __init__(
        self,
        index: ResourceIndex,
        blobs: BlobStore,
        browse: BrowseService,
        default_encoding: Callable[[], str],
    ) -> None:
        """``default_encoding`` reads the current default encoding, in which the DICOMDIR
        reads the files without SpecificCharacterSet, as Orthanc does."""
        self._index = index
        self._blobs = blobs
        self._browse = browse
        self._default_encoding = default_encoding

    # -- planning ----------------------------------------------------------------------------

    def entries(self, level: Level, resource_id: str, media: bool = False) -> list[ArchiveEntry]:
        """The files of one patient, study or series; 404 if there is no such resource."""
        resource, links = self._browse.load(level, resource_id)
        tree = _Tree()
        self._select(resource, links, tree)
        return self._layout(tree, media)

    def plan(self, resource_ids: list[str], media: bool = False) -> list[ArchiveEntry]:
        """The files of resources of any level (``/tools/create-archive``); 404 if one is
        unknown, as Orthanc refuses the whole request."""
        tree = _Tree()
        for resource_id in dict.fromkeys(resource_ids):
            resource, links = self._index.get_with_children(resource_id)
            if resource is None:
                raise unknown_resource()
            self._select(resource, links, tree)
        return self._layout(tree, media)

    def _select(self, resource: Resource, links: list[ChildLink], tree: _Tree) -> None:
        if resource.level is Level.INSTANCE:
            series, study, patient = self._ancestors(resource)
            tree.instances[resource.id] = ChildLink(
                series, resource.id, Level.INSTANCE, resource.file_size, resource.blob_key,
                resource.index_in_series,
            )  # fmt: skip
            tree.study_of[series], tree.patient_of[study] = study, patient
            return
        walked = self._browse.walk(resource, links)
        if resource.level is Level.SERIES:
            study = resource.parent or ""
            tree.study_of[resource.id] = study
            if study not in tree.patient_of:
                tree.patient_of[study] = self._parent(study)
        for link in walked.get(Level.STUDY, []):
            tree.patient_of[link.child] = link.parent
        for link in walked.get(Level.SERIES, []):
            tree.study_of[link.child] = link.parent
        if resource.level is Level.STUDY:
            tree.patient_of[resource.id] = resource.parent or ""
        for link in walked[Level.INSTANCE]:
            tree.instances[link.child] = link

    def _ancestors(self, instance: Resource) -> tuple[str, str, str]:
        """The series, study and patient of an instance (recorded when it was stored)."""
        if len(instance.ancestors) == 3:
            series, study, patient = instance.ancestors
            return series, study, patient
        series = instance.parent or ""
        study = self._parent(series)
        return series, study, self._parent(study)

    def _parent(self, resource_id: str) -> str:
        resource = self._index.get(resource_id)
        if resource is None or resource.parent is None:
            raise unknown_resource()
        return resource.parent

    def _layout(self, tree: _Tree, media: bool) -> list[ArchiveEntry]:
        """Entries in Orthanc's order: patients, studies and series by ID, instances in series
        order; named by folders (archive) or ``IMAGES/IM<n>`` (media)."""
        records = self._index.get_many(
            [*tree.patient_of.values(), *tree.patient_of, *tree.study_of]
        )
        by_series: dict[str, list[ChildLink]] = {}
        for link in tree.instances.values():
            by_series.setdefault(link.parent, []).append(link)
        entries: list[ArchiveEntry] = []
        patients = _children(records, set(tree.patient_of.values()))
        for patient_name, patient in _named(patients, naming.patient_folder):
            studies = _children(records, {s for s, p in tree.patient_of.items() if p == patient.id})
            for study_name, study in _named(studies, naming.study_folder):
                series = _children(records, {s for s, t in tree.study_of.items() if t == study.id})
                for series_name, one in _named(series, naming.series_folder):
                    links = _in_series_order(by_series.get(one.id, []))
                    for position, link in enumerate(links):
                        if media:
                            path = naming.media_file(len(entries))
                        else:
                            name = naming.instance_file(one.main_tags, position)
                            path = f"{patient_name}/{study_name}/{series_name}/{name}"
                        entries.append(ArchiveEntry(path, link.blob_key, link.file_size))
        return entries

    # -- writing -----------------------------------------------------------------------------

    def stream(
        self, entries: Iterable[ArchiveEntry], transcode: str | None = None
    ) -> Iterator[bytes]:
        """The ZIP of ``entries`` as chunks (deflated, ZIP64 where a file needs it)."""
        writer = _ZipChunks()
        for entry, data in self._files(entries, transcode):
            yield writer.add(entry.path, data)
        yield writer.close()

    def stream_media(
        self, entries: Iterable[ArchiveEntry], extended: bool, transcode: str | None = None
    ) -> Iterator[bytes]:
        """The ZIP of ``entries`` (named ``IMAGES/IM<n>``) followed by their DICOMDIR."""
        import pydicom

        from chalicelib.dicom.dicomdir import DicomDir

        directory = DicomDir(extended, default_encoding=self._default_encoding())
        writer = _ZipChunks()
        for entry, data in self._files(entries, transcode):
            header = pydicom.dcmread(io.BytesIO(data), stop_before_pixels=True)
            directory.add(entry.path, header)
            yield writer.add(entry.path, data)
        yield writer.add("DICOMDIR", directory.encode())
        yield writer.close()

    def _files(
        self, entries: Iterable[ArchiveEntry], transcode: str | None
    ) -> Iterator[tuple[ArchiveEntry, bytes]]:
        """Each entry with its bytes (transcoded when asked and possible), one at a time."""
        for entry in entries:
            try:
                data = self._blobs.get(entry.blob_key)
            except ClientError as exc:
                if exc.response["Error"]["Code"] not in ("NoSuchKey", "404"):
                    raise
                LOG.warning("An instance was deleted after the archive was planned: %s", entry)
                continue
            if transcode is not None:
                from chalicelib.dicom.transcoding import transcode as change_syntax

                data = change_syntax(data, transcode) or data
            yield entry, data


def _children(records: dict[str, Resource], ids: set[str]) -> list[Resource]:
    return [records[i] for i in ids if i in records]


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


class _ZipChunks:
    """A ZIP written into memory a file at a time: each call hands out the bytes written
    since the last one (zipfile sees an unseekable stream and writes data descriptors)."""

    def __init__(self) -> None:
        self._sink = ZipSink()
        self._stamp = time.localtime()[:6]
        self._zip = zipfile.ZipFile(self._sink, "w", zipfile.ZIP_DEFLATED, allowZip64=True)

    def add(self, path: str, data: bytes) -> bytes:
        info = zipfile.ZipInfo(path, date_time=self._stamp)
        info.compress_type = zipfile.ZIP_DEFLATED
        self._zip.writestr(info, data)
        return self._sink.take()

    def close(self) -> bytes:
        self._zip.close()
        return self._sink.take()
