"""Query/retrieve from the REST API: C-FIND a modality, keep the query and its answers for
``/queries/{id}`` (and for the retrieve routes, which read them through :meth:`get`).

Orthanc keeps the last ``QueryRetrieveSize`` queries in memory. Cirrus stores them in the
``queries`` table: after each new query, the oldest beyond that number are deleted, and every
query expires after ``LIFETIME_SECONDS`` in any case (the table's TTL).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

from chalicelib.dicom import query_normalization as normalization
from chalicelib.dicom.tag_format import TagFormat
from chalicelib.errors import ErrorCode, OrthancError, bad_file, unknown_resource
from chalicelib.remotes.modality import Modality
from chalicelib.services.dicom_asked.modalities import ModalityService
from chalicelib.storage.queries import QueryRecord, QueryStore

if TYPE_CHECKING:
    from chalicelib.dicom_client.client import DicomClient

LIFETIME_SECONDS = 7 * 24 * 3600


@dataclass(frozen=True)
class QueryRequest:
    """A C-FIND to ask a modality now and keep (``/modalities/{id}/query``, and the
    drill-down from an answer). ``query`` is by ``gggg,eeee`` tag, as the request gave it."""

    level: str  # Patient, Study, Series or Instance
    query: dict[str, str]
    normalize: bool = True
    timeout: int | None = None


@dataclass(frozen=True)
class WorklistRequest:
    """A worklist C-FIND (``/modalities/{id}/find-worklist``): its identifier, already
    built (a pydicom Dataset), how to show the answers, and the timeout."""

    identifier: Any
    fmt: TagFormat
    timeout: int | None


@dataclass(frozen=True)
class StoredQuery:
    """A query as ``/queries/{id}`` shows it; answers and query by ``gggg,eeee`` tag."""

    id: str
    modality: str  # symbolic name
    level: str  # Patient, Study, Series or Instance
    query: dict[str, str]  # as the request gave it, before normalization
    answers: list[dict[str, str]]


class FindNode(NamedTuple):
    """An answer of ``/modalities/{id}/find`` and the answers below it, shown under ``key``."""

    answer: dict[str, str]
    children: list[FindNode]
    key: str


class WorklistAnswers(NamedTuple):
    """What ``find-worklist`` answers: the answers in full format, to show as ``fmt``."""

    answers: list[dict[str, Any]]
    fmt: TagFormat


class QueryService:
    def __init__(
        self,
        store: QueryStore,
        modalities: ModalityService,
        client: DicomClient,
        history_size: int,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._store = store
        self._modalities = modalities
        self._client = client
        self._history_size = history_size
        self._clock = clock

    # -- /modalities/{id}/query and the drill-down ---------------------------------------------

    def submit(self, modality_name: str, request: QueryRequest) -> StoredQuery:
        """``POST /modalities/{id}/query``: C-FIND now, keep the answers."""
        identifier = normalization.identifier(request.level, request.query, request.normalize)
        answers = self._find(modality_name, request.level, identifier, request.timeout)
        now = self._clock()
        record = QueryRecord(
            str(uuid.uuid4()), modality_name, request.level, request.query, answers, now
        )
        self._store.put(record, int(now + LIFETIME_SECONDS))
        self._forget_oldest(now)
        return StoredQuery(record.id, modality_name, request.level, request.query, answers)

    def child_query(
        self, parent: StoredQuery, answer: dict[str, str], level: str, query: dict[str, str]
    ) -> dict[str, str]:
        """``POST /queries/{id}/answers/{i}/query-<level>``: ``query`` constrained by the UIDs
        of one answer of ``parent`` (submitted to the same modality); 404 if none can be."""
        child = normalization.drill_down(parent.level, level, answer, query)
        if child is None:
            raise unknown_resource()
        return child

    # -- /modalities/{id}/find-* ---------------------------------------------------------------

    def find(
        self, modality_name: str, level: str, identifier: dict[str, str]
    ) -> list[dict[str, str]]:
        """The older ``/modalities/{id}/find-<level>`` of an identifier made by
        ``query_normalization.legacy_identifier``: answers at once, nothing kept."""
        return self._find(modality_name, level, identifier, None)

    def find_tree(self, modality_name: str, identifier: dict[str, str]) -> list[FindNode]:
        """``/modalities/{id}/find``: the patients ``find-patient`` answers for a patient
        identifier, each with its studies, each with its series (one C-FIND per patient and
        per study)."""
        patients = self.find(modality_name, "Patient", identifier)
        tree = []
        for patient in patients:
            studies = []
            for study in self._children(modality_name, "Study", patient):
                series = self._children(modality_name, "Series", study)
                studies.append(FindNode(study, [FindNode(s, [], "") for s in series], "Series"))
            tree.append(FindNode(patient, studies, "Studies"))
        return tree

    def _children(
        self, modality_name: str, level: str, parent: dict[str, str]
    ) -> list[dict[str, str]]:
        keys = (normalization.PATIENT_ID, normalization.STUDY_UID)
        body = {key: parent.get(key, "") for key in keys[: normalization.LEVELS.index(level)]}
        identifier = normalization.legacy_identifier(level, body, guard=False)
        return self._find(modality_name, level, identifier or {}, None)

    # -- /modalities/{id}/find-worklist -------------------------------------------------------

    def find_worklist(self, modality: Modality, request: WorklistRequest) -> WorklistAnswers:
        """C-FIND the modality's worklist now; nothing kept."""
        answers = self._client.find_worklist(modality, request.identifier, request.timeout)
        return WorklistAnswers(answers, request.fmt)

    # -- /queries ------------------------------------------------------------------------------

    def get(self, query_id: str) -> StoredQuery:
        record = self._store.get(query_id, self._clock())
        if record is None:
            raise unknown_resource()
        return StoredQuery(record.id, record.modality, record.level, record.query, record.answers)

    def answer(self, query: StoredQuery, index: str) -> dict[str, str]:
        """Answer ``index`` (as in the URI) of a query; Orthanc's 400s for a bad index."""
        digits = index.lstrip("-")
        if not (digits.isascii() and digits.isdigit()):
            raise OrthancError(
                ErrorCode.BAD_PARAMETER_TYPE, "Syntax error in some user-supplied data"
            )
        position = int(index)
        if not 0 <= position < len(query.answers):
            raise OrthancError(ErrorCode.PARAMETER_OUT_OF_RANGE)
        return query.answers[position]

    def list(self) -> list[str]:
        """The IDs of the queries kept, sorted as Orthanc sorts them."""
        return sorted(self._store.ids_oldest_first(self._clock() - LIFETIME_SECONDS))

    def delete(self, query_id: str) -> None:
        """Forget a query; an unknown ID is not an error (Orthanc answers 200 too)."""
        self._store.delete(query_id)

    def default_encoding(self) -> str:
        """The encoding identifiers are built in where they name no character set (the
        default encoding, an Orthanc name, as the DICOM client reads answers in it)."""
        return self._client.default_encoding()

    # -- internals -----------------------------------------------------------------------------

    def _find(
        self, modality_name: str, level: str, identifier: dict[str, str], timeout: int | None
    ) -> list[dict[str, str]]:
        from chalicelib.dicom_client import find

        modality = self._modalities.get(modality_name)
        retrieve_level = normalization.RETRIEVE_LEVELS[level]
        try:
            dataset = find.build_identifier(retrieve_level, identifier, self.default_encoding())
        except find.BadValue as exc:
            raise bad_file(str(exc)) from exc
        return self._client.find(modality, dataset, timeout)

    def _forget_oldest(self, now: float) -> None:
        """Keep at most QueryRetrieveSize queries, as Orthanc does (0: no limit)."""
        if not self._history_size:
            return
        ids = list(self._store.ids_oldest_first(now - LIFETIME_SECONDS))
        for query_id in ids[: max(0, len(ids) - self._history_size)]:
            self._store.delete(query_id)
