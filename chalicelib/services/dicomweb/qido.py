"""QIDO-RS searches (PS3.18 10.6), answered from the index by the search engine of
``/tools/find``.

A search is a ``FindQuery`` run by ``FindService.find_tags``: the identifier keys
(StudyInstanceUID, SeriesInstanceUID, SOPInstanceUID, AccessionNumber, PatientID, hence the
UIDs of the path) pick the candidates from their indexes without a scan, ``limit`` and
``offset`` are its ``Limit`` and ``Since`` (capped by ``LimitFindResults`` and
``LimitFindInstances``), and the matches come in its order. The attributes of each answer are
its ``RequestedTags``: main tags from the records read, counts and ModalitiesInStudy from the
child links and series records, InstanceAvailability ``ONLINE``, and any other attribute from
one file of the match (one S3 GetObject per match: always at the instance level, for Rows,
Columns, BitsAllocated and SOPClassUID; at the upper levels only when the request names such
an attribute).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from chalicelib.dicom import qido
from chalicelib.dicom.dicom_json import DicomJson
from chalicelib.services.search.find import FindService
from chalicelib.services.search.query import FindQuery


@dataclass(frozen=True)
class QidoAnswer:
    """The matches in DICOM JSON, and whether they are all of them (False when
    ``LimitFindResults``/``LimitFindInstances`` cut the answer short)."""

    matches: list[DicomJson]
    complete: bool


class QidoService:
    def __init__(self, find: FindService, default_encoding: Callable[[], str]) -> None:
        self._find = find
        # The character set the answers name when their values fit in it (as the plugin).
        self._default_encoding = default_encoding

    def search(self, request: qido.QidoRequest, base_url: str) -> QidoAnswer:
        """The matches of ``request``; ``base_url`` (ending with ``/dicom-web/``) starts their
        Retrieve URLs."""
        fields = request.fields()
        shown = {tag.tag for tag in fields}
        requested = fields + [t for t in qido.url_tags(request.level) if t.tag not in shown]
        query = FindQuery(
            level=request.level,
            constraints=request.constraints,
            since=request.offset,
            limit=request.limit,
            requested_tags=requested,
        )
        found, complete = self._find.find_tags(query)
        encoding = self._default_encoding()
        matches = [
            qido.answer_dataset(
                fields, values, qido.retrieve_url(base_url, request.level, values), encoding
            )
            for values in found
        ]
        return QidoAnswer(matches, complete)
