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
from typing import Any, NamedTuple

from chalicelib.dicom import query_normalization as normalization
from chalicelib.dicom.tag_format import TagFormat
from chalicelib.dicom_client import client as scu
from chalicelib.errors import ErrorCode, OrthancError, bad_file, unknown_resource
from chalicelib.jobs.request import boolean_option, integer_option
from chalicelib.services.dicom_asked.modalities import ModalityService
from chalicelib.storage.queries import QueryRecord, QueryStore

LIFETIME_SECONDS = 7 * 24 * 3600
NOT_AN_OBJECT = "Must provide a JSON object"
UNHANDLED = "An unhandled exception was generated inside the HTTP server"


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
        history_size: int,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._store = store
        self._modalities = modalities
        self._history_size = history_size
        self._clock = clock

    # -- /modalities/{id}/query and the drill-down ---------------------------------------------

    def submit(self, modality_name: str, body: Any) -> StoredQuery:
        """``POST /modalities/{id}/query``: C-FIND now, keep the answers."""
        if not isinstance(body, dict):
            raise bad_file(NOT_AN_OBJECT)
        if not isinstance(body.get("Level"), str):
            raise bad_file("The JSON body must contain field Level")
        level = normalization.parse_level(body["Level"])
        query = normalization.parse_query(body.get("Query"))
        normalize = body.get("Normalize", True)
        if not isinstance(normalize, bool):
            raise bad_file("The field Normalize must contain a Boolean")
        timeout = _timeout(body)
        return self._run(modality_name, level, query, normalize, timeout)

    def drill_down(self, query_id: str, index: str, child_level: str, body: Any) -> StoredQuery:
        """``POST /queries/{id}/answers/{i}/query-<child level>``: a query on the same modality
        constrained by the UIDs of one answer."""
        if not isinstance(body, dict):
            raise bad_file(NOT_AN_OBJECT)
        parent = self.get(query_id)
        answer = self.answer(parent, index)
        query = normalization.parse_query(body.get("Query"), normalization.QUERY_EXPECTED)
        child = normalization.drill_down(parent.level, child_level, answer, query)
        if child is None:
            raise unknown_resource()
        return self._run(parent.modality, child_level, child, True, _timeout(body))

    # -- /modalities/{id}/find-* ---------------------------------------------------------------

    def find(self, modality_name: str, level: str, body: Any) -> list[dict[str, str]] | None:
        """The older ``/modalities/{id}/find-<level>``: answers at once, nothing kept; None
        when Orthanc refuses the request without a word (see ``legacy_identifier``)."""
        if not isinstance(body, dict):
            return None
        identifier = normalization.legacy_identifier(level, body)
        if identifier is None:
            return None
        return self._find(modality_name, level, identifier, None)

    def find_tree(self, modality_name: str, body: Any) -> list[FindNode] | None:
        """``/modalities/{id}/find``: the patients ``find-patient`` answers, each with its
        studies, each with its series (one C-FIND per patient and per study)."""
        if not isinstance(body, dict):
            return None
        patients = self.find(modality_name, "Patient", body) or []
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

    def find_worklist(self, modality_name: str, body: Any) -> WorklistAnswers:
        """C-FIND the modality's worklist now; nothing kept. The body is ``{"Query": {...},
        "Short"|"Full"|"Simplify": bool, "Timeout": s}`` or, as in Orthanc <= 1.9.4, the
        query alone. Checked in Orthanc's order: the query, the format, the modality, then
        the timeout."""
        from chalicelib.dicom_client import find as find_scu

        if body is None:
            raise bad_file(NOT_AN_OBJECT)
        if not isinstance(body, dict):
            raise OrthancError(ErrorCode.INTERNAL_ERROR, UNHANDLED)
        options = body if "Query" in body else {}
        query = normalization.worklist_query(body.get("Query", body))
        try:
            dataset = find_scu.build_worklist_identifier(query)
        except find_scu.BadValue as exc:
            raise bad_file(str(exc)) from exc
        fmt = _worklist_format(options)
        modality = self._modalities.get(modality_name)
        timeout = self._modalities.timeout(modality, _timeout(options))
        answers = _dicom(
            find_scu.find_worklist, modality, self._modalities.local_aet, timeout, dataset
        )
        return WorklistAnswers(answers, fmt)

    # -- /queries ------------------------------------------------------------------------------

    def get(self, query_id: str) -> StoredQuery:
        record = self._store.get(query_id, self._clock())
        if record is None:
            raise unknown_resource()
        return StoredQuery(record.id, record.modality, record.level, record.query, record.answers)

    def answer(self, query: StoredQuery, index: str) -> dict[str, str]:
        """Answer ``index`` (as in the URI) of a query; Orthanc's 400s for a bad index."""
        if not index.lstrip("-").isdigit():
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

    # -- internals -----------------------------------------------------------------------------

    def _run(
        self,
        modality_name: str,
        level: str,
        query: dict[str, str],
        normalize: bool,
        timeout: int | None,
    ) -> StoredQuery:
        identifier = normalization.identifier(level, query, normalize)
        answers = self._find(modality_name, level, identifier, timeout)
        now = self._clock()
        record = QueryRecord(str(uuid.uuid4()), modality_name, level, query, answers, now)
        self._store.put(record, int(now + LIFETIME_SECONDS))
        self._forget_oldest(now)
        return StoredQuery(record.id, modality_name, level, query, answers)

    def _find(
        self, modality_name: str, level: str, identifier: dict[str, str], timeout: int | None
    ) -> list[dict[str, str]]:
        from chalicelib.dicom_client import find as find_scu

        modality = self._modalities.get(modality_name)
        retrieve_level = normalization.RETRIEVE_LEVELS[level]
        try:
            dataset = find_scu.build_identifier(retrieve_level, identifier)
        except find_scu.BadValue as exc:
            raise bad_file(str(exc)) from exc
        local_aet = self._modalities.local_aet
        return _dicom(
            find_scu.find, modality, local_aet, self._modalities.timeout(modality, timeout), dataset
        )

    def _forget_oldest(self, now: float) -> None:
        """Keep at most QueryRetrieveSize queries, as Orthanc does (0: no limit)."""
        if not self._history_size:
            return
        ids = list(self._store.ids_oldest_first(now - LIFETIME_SECONDS))
        for query_id in ids[: max(0, len(ids) - self._history_size)]:
            self._store.delete(query_id)


def _dicom(find: Callable[..., Any], *args: Any) -> Any:
    """Run a C-FIND function; its failures as Orthanc reports them."""
    from chalicelib.dicom_client import find as find_scu

    try:
        return find(*args)
    except find_scu.FindFailed as exc:
        raise OrthancError(ErrorCode.NETWORK_PROTOCOL, str(exc), http_status=422) from exc
    except scu.DicomUnavailable as exc:
        raise OrthancError(ErrorCode.NETWORK_PROTOCOL, str(exc)) from exc


def _worklist_format(options: dict[str, Any]) -> TagFormat:
    """``Simplify`` wins, then ``Short``, then ``Full``; simplified by default."""
    if boolean_option(options, "Simplify", False):
        return TagFormat.SIMPLIFY
    if boolean_option(options, "Short", False):
        return TagFormat.SHORT
    return TagFormat.FULL if boolean_option(options, "Full", False) else TagFormat.SIMPLIFY


def _timeout(body: dict[str, Any]) -> int | None:
    timeout = integer_option(body, "Timeout", None)
    if timeout is not None and timeout < 0:
        raise bad_file("Unsigned integer value expected in field: Timeout")
    return timeout
