"""WADO-RS metadata (PS3.18 10.4.1.1.2): the DICOM JSON of every instance of a study, a
series or one instance, binary values as ``BulkDataURI`` (``/bulk/...``), as Orthanc's
DICOMweb plugin 1.7 answers in its default ``Full`` mode.

The plugin parses every file of a study on every request. Here the answer of a series is
written once to S3 when the series becomes stable (``StableSeries``, the stability check),
gzipped JSON at ``dicomweb-metadata/<series id>.json.gz``, and a study's metadata is read
from its series' documents: the study's partition (one Query, after the ByUid Query naming
it) and one GetObject per series, no instance file. A document is built from the files (one
GetObject per instance) and written when missing: the first request for a series stable
before this existed, or one whose document was dropped.

A document is dropped by the change feed when an instance of its series is deleted, when the
series is deleted, and when an instance arrives in it or is overwritten while it was stable
(``invalidate``; the feed's touch of the series, which makes it unstable, tells whether it was:
an unstable series has no document, so a series receiving a study costs no S3 request per
batch). An arrival makes the series unstable, so its next ``StableSeries`` writes it again
from the files then. It
records the files it was built from (their S3 keys, which change with every upload) and the
default encoding it decoded them with: the series route checks both against the index
(its links are read anyway), the study route checks the encoding. A document is written
only for a stable series. Known window: a document built while an instance arrives (read
before, written after the feed dropped it) names the old files until the next StableSeries
rewrites it (the study route would serve it meanwhile; the series route would not), later
arrivals to the then unstable series not dropping it again.

The documents hold bulk data URIs relative to the DICOMweb root (``studies/...``): the
absolute URL depends on how the client reached the API, so it is prefixed per request.
"""

from __future__ import annotations

import gzip
import io
import json
import logging
from collections.abc import Callable, Iterable
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from chalicelib.dicom.identifiers import Level
from chalicelib.model import ChildLink, Resource
from chalicelib.services.dicomweb.retrieve import WadoResources, in_series_order
from chalicelib.storage.blobs import BlobStore
from chalicelib.storage.index import ResourceIndex

LOG = logging.getLogger(__name__)

DicomJson = dict[str, Any]
METADATA_PREFIX = "dicomweb-metadata/"
_VERSION = 1


def document_key(series_id: str) -> str:
    return f"{METADATA_PREFIX}{series_id}.json.gz"


def _bulk_root(dataset: Any) -> str:
    """Where ``/bulk`` serves the values of this file, relative to the DICOMweb root."""
    return (
        f"studies/{dataset.get('StudyInstanceUID', '')}"
        f"/series/{dataset.get('SeriesInstanceUID', '')}"
        f"/instances/{dataset.get('SOPInstanceUID', '')}/bulk"
    )


def with_base(instances: list[DicomJson], base: str) -> list[DicomJson]:
    """``instances`` with ``base`` (the DICOMweb root as the client reached it, ending with a
    slash) before every relative BulkDataURI, in place."""
    for instance in instances:
        _prefix(instance, base)
    return instances


def _prefix(dataset: DicomJson, base: str) -> None:
    for element in dataset.values():
        if "BulkDataURI" in element:
            element["BulkDataURI"] = base + element["BulkDataURI"]
        elif element.get("vr") == "SQ":
            for item in element.get("Value", []):
                _prefix(item, base)


class WadoMetadata:
    def __init__(
        self,
        resources: WadoResources,
        index: ResourceIndex,
        blobs: BlobStore,
        default_encoding: Callable[[], str],
    ) -> None:
        self._resources = resources
        self._index = index
        self._blobs = blobs
        self._default_encoding = default_encoding

    # -- the three routes (bulk data URIs relative to the DICOMweb root) ---------------------

    def study(self, study_uid: str) -> list[DicomJson]:
        """Every instance of the study: series by Orthanc ID, instances in series order."""
        study = self._resources.study(study_uid)
        encoding = self._default_encoding()
        answer: list[DicomJson] = []
        for link in sorted(study.links, key=lambda link: link.child):
            document = self._read(link.child)
            if document is None or document["Encoding"] != encoding:
                series, links = self._index.get_with_children(link.child)
                if series is None:
                    continue  # deleted since the study was read
                document = self._build(series, links, encoding)
            answer += document["Instances"]
        return answer

    def series(self, study_uid: str, series_uid: str) -> list[DicomJson]:
        series = self._resources.series(study_uid, series_uid)
        encoding = self._default_encoding()
        document = self._read(series.resource.id)
        if (
            document is None
            or document["Encoding"] != encoding
            or document["Files"] != _files(series.links)
        ):
            document = self._build(series.resource, series.links, encoding)
        return document["Instances"]

    def instance(self, study_uid: str, series_uid: str, sop_uid: str) -> list[DicomJson]:
        """The one instance (a GetObject of its file; not cached)."""
        instance = self._resources.instance(study_uid, series_uid, sop_uid)
        encoding = self._default_encoding()
        found = self._instance_json(instance.blob_key, encoding)
        return [] if found is None else [found]

    # -- the documents -----------------------------------------------------------------------

    def series_stable(self, series_id: str) -> None:
        """Write the document of a series that was just declared stable (the stability
        check calls this; idempotent). A failure is logged: the first request builds it."""
        try:
            series, links = self._index.get_with_children(series_id)
            if series is not None and series.level is Level.SERIES:
                self._build(series, links, self._default_encoding())
        except (BotoCoreError, ClientError):
            LOG.warning("No DICOMweb metadata written for series %s", series_id, exc_info=True)

    def invalidate(self, series_ids: Iterable[str]) -> None:
        """Drop the documents of series whose instances changed (the change feed)."""
        self._blobs.delete(document_key(s) for s in sorted(set(series_ids)))

    def _read(self, series_id: str) -> DicomJson | None:
        try:
            data = self._blobs.get(document_key(series_id))
        except ClientError as exc:
            if exc.response["Error"]["Code"] in ("NoSuchKey", "404"):
                return None
            raise
        document = json.loads(gzip.decompress(data))
        return document if document.get("Version") == _VERSION else None

    def _build(self, series: Resource, links: list[ChildLink], encoding: str) -> DicomJson:
        """The document of a series from its files, written to S3 if the series is stable
        (an unstable one is still receiving: its StableSeries writes it)."""
        instances = []
        for link in in_series_order(links):
            found = self._instance_json(link.blob_key, encoding)
            if found is not None:
                instances.append(found)
        document = {
            "Version": _VERSION,
            "Encoding": encoding,
            "Files": _files(links),
            "Instances": instances,
        }
        if not series.unstable:
            text = json.dumps(document, separators=(",", ":"), ensure_ascii=False)
            self._blobs.put(
                document_key(series.id), gzip.compress(text.encode(), 6), "application/gzip"
            )
        return document

    def _instance_json(self, blob_key: str, encoding: str) -> DicomJson | None:
        """The DICOM JSON of one stored file; None if it was deleted meanwhile or cannot be
        parsed (the plugin leaves such files out too)."""
        import pydicom

        from chalicelib.dicom.dicom_json import dataset_json

        try:
            data = self._blobs.get(blob_key)
        except ClientError as exc:
            if exc.response["Error"]["Code"] not in ("NoSuchKey", "404"):
                raise
            return None
        try:
            dataset = pydicom.dcmread(io.BytesIO(data), force=True)
            return dataset_json(dataset, encoding, bulk_root=_bulk_root(dataset))
        except Exception:  # a file pydicom cannot read: left out, not a failed answer
            LOG.warning("WADO-RS metadata: %s cannot be read", blob_key, exc_info=True)
            return None


def _files(links: list[ChildLink]) -> list[str]:
    return sorted(link.blob_key for link in links)
