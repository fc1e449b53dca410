"""STOW-RS (PS3.18 10.5): storing the instances of a ``multipart/related;
type="application/dicom"`` body through the one ingest path of ``POST /instances``.

The whole body is checked before anything is stored, so that a request refused as malformed
leaves nothing behind: its framing (``chalicelib/dicom/multipart_related.py``), every part's
type (415 otherwise, as the plugin refuses them) and every part as a DICOM file that can be
stored, with the SOP Class, SOP Instance, Study and Series Instance UIDs the answer names
(400 otherwise, naming the part). Then each instance is stored in order, one ingest call
each (3 AWS requests for a new instance, 1 for one already stored), as Orthanc's DICOMweb
plugin stores them:

* an instance already stored is a success (``POST /instances`` answers ``AlreadyStored``);
* with ``/studies/{study}``, an instance of another study is not stored: it is failed with
  reason 0x0110 (Processing failure), as in the plugin;
* an instance the store refuses is failed: 0xA700 (Refused: out of resources) when the
  storage is full, 0x0110 otherwise; a storage outage (DatabaseUnavailable) ends the request
  with 503 instead, the instances before it staying stored (a retry finds them stored).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from chalicelib.dicom.multipart_related import (
    MULTIPART_RELATED,
    ReceivedPart,
    parse_content_type,
    parse_related,
    related_boundary,
)
from chalicelib.errors import ErrorCode, OrthancError, bad_file
from chalicelib.services.resources.ingest import IngestService, Origin, ParsedFile, parse_file

DICOM = "application/dicom"
# Failure Reason (0008,1197) values, PS3.18 table 6.6.1-4 (2017c numbering).
PROCESSING_FAILURE = 0x0110
OUT_OF_RESOURCES = 0xA700


@dataclass(frozen=True)
class InstanceOutcome:
    """An instance of the body: its identifiers and, when it was not stored, why."""

    sop_class_uid: str
    sop_instance_uid: str
    study_uid: str
    series_uid: str
    failure_reason: int | None = None


@dataclass
class StowResult:
    """What a STOW-RS request did, in the order of the body's parts."""

    # The study of the first instance the request was allowed to store (the RetrieveURL).
    study_uid: str | None = None
    stored: list[InstanceOutcome] = field(default_factory=list)
    failed: list[InstanceOutcome] = field(default_factory=list)


class StowService:
    def __init__(self, ingest: IngestService, max_inflated: int | None) -> None:
        self._ingest = ingest
        # The most a deflated data set may inflate to, as the ingest bounds it.
        self._max_inflated = max_inflated

    def store(
        self,
        content_type: str,
        body: bytes,
        expected_study: str | None,
        origin: Origin,
    ) -> StowResult:
        """Store the instances of ``body`` (``expected_study``: the ``{study}`` of the URL)."""
        parts = _dicom_parts(content_type, body)
        encoding = self._ingest.default_encoding()
        files = [(part.content, self._checked(number, part, encoding)) for number, part in parts]
        result = StowResult()
        for data, parsed in files:
            identifiers = parsed.identifiers
            outcome = InstanceOutcome(
                parsed.file_metadata["SopClassUid"],
                identifiers.sop_uid,
                identifiers.study_uid,
                identifiers.series_uid,
            )
            if expected_study is not None and identifiers.study_uid != expected_study:
                result.failed.append(_failed(outcome, PROCESSING_FAILURE))
                continue
            result.study_uid = result.study_uid or identifiers.study_uid
            reason = self._store(data, origin)
            if reason is None:
                result.stored.append(outcome)
            else:
                result.failed.append(_failed(outcome, reason))
        return result

    def _checked(self, number: int, part: ReceivedPart, encoding: str) -> ParsedFile:
        """The part read as the ingest will read it; 400 naming the part if it cannot be
        stored or lacks a SOP Class UID (which the answer must name)."""
        try:
            parsed = parse_file(part.content, encoding, self._max_inflated)
        except OrthancError as error:
            if error.code not in (ErrorCode.BAD_FILE_FORMAT, ErrorCode.INEXISTENT_TAG):
                raise
            raise bad_file(
                f"Part {number} of the STOW-RS body cannot be stored: {error}"
            ) from error
        if not parsed.file_metadata.get("SopClassUid"):
            raise bad_file(f"Part {number} of the STOW-RS body has no SOP Class UID")
        return parsed

    def _store(self, data: bytes, origin: Origin) -> int | None:
        """Store one file: None when stored (or already stored), else the failure reason."""
        try:
            self._ingest.store(data, origin)
        except OrthancError as error:
            if error.code is ErrorCode.DATABASE_UNAVAILABLE:
                raise
            return OUT_OF_RESOURCES if error.code is ErrorCode.FULL_STORAGE else PROCESSING_FAILURE
        return None


def _failed(outcome: InstanceOutcome, reason: int) -> InstanceOutcome:
    return replace(outcome, failure_reason=reason)


def _unsupported(details: str) -> OrthancError:
    """PS3.18's 415, with the plugin's error (Orthanc's UnsupportedMediaType)."""
    return OrthancError(ErrorCode.UNSUPPORTED_MEDIA_TYPE, details)


def _dicom_parts(content_type: str, body: bytes) -> list[tuple[int, ReceivedPart]]:
    """The numbered parts of a STOW-RS body; 415 for a body or a part of another type, 400
    for a malformed body."""
    if not content_type.strip():
        raise _unsupported("The STOW-RS server expects a multipart/related body in its request")
    parsed = parse_content_type(content_type)
    if parsed.media_type != MULTIPART_RELATED:
        raise _unsupported('The Content-Type of a STOW-RS request must be "multipart/related"')
    if (parsed.parameter("type") or "").lower() != DICOM:
        raise _unsupported(f'A STOW-RS body must be of type "{DICOM}" (its "type" parameter)')
    parts = parse_related(body, related_boundary(parsed))
    for number, part in enumerate(parts, start=1):
        if parse_content_type(part.content_type or "text/plain").media_type != DICOM:
            raise _unsupported(
                f'Part {number} of the STOW-RS body is not "{DICOM}" '
                f"(it is {part.content_type or 'untyped'!r})"
            )
    return list(enumerate(parts, start=1))
