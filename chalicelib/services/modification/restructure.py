"""Splitting and merging studies (``POST /studies/{id}/split`` and ``/merge``), as Orthanc
1.10.1 does them: each moved instance is a copy with new Series and SOP Instance UIDs (one new
series per source series) stored into the target study; the sources are deleted at the end
unless ``KeepSource`` is true (the default is false here, unlike modify).

Both are modifications at the series level, so they run on the ``ResourceModification``
machinery (``jobs.py``) under Orthanc's job types ``SplitStudy`` and ``MergeStudy``:

- split: a new StudyInstanceUID; ``Replace``/``Remove`` only of tags of the Patient and
  General Study modules (Orthanc's lists, from DICOM 2011 PS3.3 Tables C.7-1 and C.7-3);
- merge: the moved instances take the target study's values of those modules as Orthanc's
  summary of one of its instances holds them, and lose the others (sequences and values
  longer than 256 bytes included, which that summary leaves out).

A request is checked in Orthanc's order, with its messages (clients match on them): the study
of the URL, then each field in turn; the job options come last (``submit``). Where Orthanc
1.10.1 fails with a 500 on a malformed request, Cirrus answers 400 with the same error code;
where it accepts a resource of the wrong level and then fails the job (the study itself in
``Series``, one of its series in ``Instances``), Cirrus refuses it at once.
"""

from __future__ import annotations

import io
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from chalicelib.dicom.identifiers import Level, compute_ids
from chalicelib.dicom.modification.paths import DicomPath
from chalicelib.dicom.modification.spec import PATIENT_ID, SERIES_UID, STUDY_UID, Modification
from chalicelib.dicom.modification.uids import UidMapper
from chalicelib.dicom.modules import PATIENT_MODULE, STUDY_MODULE
from chalicelib.dicom.tag_dictionary import format_tag, parse_tag, tag_name
from chalicelib.dicom.tag_values import summary_value
from chalicelib.errors import ErrorCode, OrthancError, bad_file, bad_request, unknown_resource
from chalicelib.jobs.model import JobOptions
from chalicelib.model import Resource
from chalicelib.services.jobs.engine import JobService
from chalicelib.services.resources.browse import BrowseService
from chalicelib.storage.blobs import BlobStore
from chalicelib.storage.index import ResourceIndex

SPLIT, MERGE = "SplitStudy", "MergeStudy"

# The Patient and General Study modules, which a split may change and a merge takes from the
# target study.
STUDY_LEVEL_MODULES = frozenset(PATIENT_MODULE + STUDY_MODULE)
# What a split may change.
SPLIT_EDITABLE = STUDY_LEVEL_MODULES - {STUDY_UID, SERIES_UID}


@dataclass(frozen=True)
class Restructuring:
    """A checked split or merge, ready to be submitted as a job."""

    kind: str
    modification: Modification
    resources: list[str]
    seed: str
    output: dict[str, Any]
    keep_source: bool


class RestructureService:
    """Checks split and merge requests (``split``/``merge``), then submits their job
    (``submit``), the route reading the job options in between as Orthanc does."""

    def __init__(
        self,
        index: ResourceIndex,
        browse: BrowseService,
        blobs: BlobStore,
        jobs: JobService,
        wait_seconds: float,
        default_encoding: Callable[[], str],
    ) -> None:
        self._index = index
        self._browse = browse
        self._blobs = blobs
        self._jobs = jobs
        self._wait = wait_seconds
        # Orthanc's current DefaultEncoding: how the target study's file reads without a
        # Specific Character Set.
        self._default_encoding = default_encoding

    # -- split ------------------------------------------------------------------------------

    def split(self, study_id: str, body: Any) -> Restructuring:
        """``body`` is the parsed JSON (anything: Orthanc checks the study first)."""
        study = self._index.get(study_id)
        if study is None or study.level is not Level.STUDY:
            raise unknown_resource(f"Cannot split unknown study {study_id}")
        body = _object(body)
        moved = []
        for series_id in _strings(body, "Series"):
            self._check_split(series_id, Level.SERIES, study_id)
            moved.append(series_id)
        for instance_id in _strings(body, "Instances"):
            self._check_split(instance_id, Level.INSTANCE, study_id)
            moved.append(instance_id)
        if not moved:
            raise bad_request('Both the "Series" and the "Instances" fields are missing')
        keep_source = _keep_source(body)
        modification = Modification(level=Level.SERIES)
        for tag in _split_removals(body):
            modification.remove(DicomPath((), tag))
        for tag, value in _split_replacements(body).items():
            modification.replace(DicomPath((), tag), value)
        seed = str(uuid.uuid4())
        target_uid = UidMapper(seed).map(study.main_tags.get("StudyInstanceUID", ""), Level.STUDY)
        modification.replace(DicomPath((), STUDY_UID), target_uid)
        output = {
            "TargetStudy": compute_ids(_patient_id(modification, study), target_uid, "", "").study,
            "TargetStudyUID": target_uid,
        }
        return Restructuring(SPLIT, modification, moved, seed, output, keep_source)

    def _check_split(self, resource_id: str, level: Level, study_id: str) -> None:
        """Orthanc's checks of a series or instance to split off: unknown, 404 without
        details; an instance of the study given as a series, Orthanc's 400 (it then asks the
        instance for its children); anything else not at ``level`` in the study, "does not
        belong" (Orthanc accepts the study itself as a series and a series as an instance,
        then fails the job)."""
        resource = self._index.get(resource_id)
        if resource is None:
            raise unknown_resource()
        in_study = self._ancestor(resource, Level.STUDY) == study_id
        if in_study and resource.level is level:
            return
        if in_study and level is Level.SERIES and resource.level is Level.INSTANCE:
            raise OrthancError(ErrorCode.BAD_PARAMETER_TYPE)
        name = "series" if level is Level.SERIES else "instance"
        raise unknown_resource(
            f"This {name} does not belong to the study to be split: {resource_id}"
        )

    def _ancestor(self, resource: Resource, level: Level) -> str | None:
        """The ID of ``resource``'s ancestor at ``level`` (itself at its own level), None if
        it is above that level."""
        current: Resource | None = resource
        while current is not None and current.level is not level:
            if current.level is Level.PATIENT:
                return None
            current = self._index.get(current.parent or "")
        return current.id if current is not None else None

    # -- merge ------------------------------------------------------------------------------

    def merge(self, study_id: str, body: Any) -> Restructuring:
        """``body`` is the parsed JSON (anything: Orthanc checks the study first)."""
        target, links = self._index.get_with_children(study_id)
        if target is None or target.level is not Level.STUDY:
            raise unknown_resource(f"Cannot merge into an unknown study: {study_id}")
        instances = self._browse.walk(target, links)[Level.INSTANCE]
        if not instances:
            raise unknown_resource()
        resources = body.get("Resources") if isinstance(body, dict) else None
        if not isinstance(resources, list) or not all(isinstance(r, str) for r in resources):
            raise bad_file("List of strings expected in field: Resources")
        for resource_id in resources:
            self._check_merged(resource_id, study_id)
        keep_source = _keep_source(body)
        modification = Modification(level=Level.SERIES)
        # The module values of one instance of the target (Orthanc too reads only one).
        values = _module_values(self._blobs.get(instances[0].blob_key), self._default_encoding())
        for tag in sorted(STUDY_LEVEL_MODULES):
            if tag in values:
                modification.replace(DicomPath((), tag), values[tag])
            else:
                modification.remove(DicomPath((), tag))
        output = {"TargetStudy": study_id}
        return Restructuring(MERGE, modification, resources, str(uuid.uuid4()), output, keep_source)

    def _check_merged(self, resource_id: str, target_id: str) -> None:
        """Orthanc's checks of a resource to merge (404 with its messages)."""
        resource = self._index.get(resource_id)
        if resource is None:
            raise unknown_resource(f"Cannot find this resource: {resource_id}")
        if resource.level is Level.PATIENT:
            raise unknown_resource(
                "This resource is neither a study, nor a series, nor an instance: "
                f"{resource_id} is a Patient"
            )
        if resource.level is Level.STUDY:
            if resource_id == target_id:
                raise unknown_resource(f"Cannot merge a study into the same study: {resource_id}")
        elif self._ancestor(resource, Level.STUDY) == target_id:
            name = "series" if resource.level is Level.SERIES else "instance"
            raise unknown_resource(
                f"Cannot merge {name} {resource_id} into its parent study {target_id}"
            )

    # -- both -------------------------------------------------------------------------------

    def submit(
        self, restructuring: Restructuring, options: JobOptions, remote_ip: str, username: str
    ) -> Any:
        """Run the job; Orthanc's synchronous answer (the job's Content) or ``{ID, Path}``.
        ``remote_ip`` and ``username`` are who asked: the new instances' RemoteIP and
        HttpUsername metadata, as Orthanc records them."""
        params = {
            "Modification": restructuring.modification.to_json(),
            "IsAnonymization": False,
            "Derivation": None,
            "Resources": restructuring.resources,
            "Seed": restructuring.seed,
            "KeepSource": restructuring.keep_source,
            "Output": restructuring.output,
            "Permissive": options.permissive,
            "RemoteIp": remote_ip,
            "Username": username,
        }
        return self._jobs.run(restructuring.kind, params, options, self._wait)


def _object(body: Any) -> dict[str, Any]:
    """The body as an object: JSON null reads as an empty one (as JsonCpp's ``isMember``
    does); anything else is Orthanc's 500, here a 400."""
    if body is None:
        return {}
    if not isinstance(body, dict):
        raise OrthancError(ErrorCode.BAD_FILE_FORMAT)
    return body


def _strings(body: dict[str, Any], key: str) -> list[str]:
    if key not in body:
        return []
    value = body[key]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise bad_file(f"List of strings expected in field: {key}")
    return value


def _keep_source(body: dict[str, Any]) -> bool:
    value = body.get("KeepSource", False)
    if not isinstance(value, bool):
        raise bad_file("Boolean value expected in field: KeepSource")
    return value


def _patient_id(modification: Modification, study: Resource) -> str:
    """The PatientID of the split-off instances, which names the new study's ID."""
    if PATIENT_ID in modification.replacements:
        return str(modification.replacements[PATIENT_ID])
    if PATIENT_ID in modification.removals:
        return ""
    return study.patient_main_tags.get("PatientID", "")


def _parse_tag(name: str) -> int:
    """A tag as Orthanc's ``ParseTag`` reads it; Orthanc answers 500 for anything else,
    Cirrus 400."""
    tag = parse_tag(name)
    if tag is None:
        raise OrthancError(ErrorCode.UNKNOWN_DICOM_TAG)
    return tag


def _editable(name: str) -> int:
    tag = _parse_tag(name)
    if tag not in SPLIT_EDITABLE:
        raise OrthancError(
            ErrorCode.PARAMETER_OUT_OF_RANGE,
            "Cannot modify the following tag while splitting a study (not in the "
            f"patient/study modules): {tag_name(tag)} ({format_tag(tag)})",
        )
    return tag


def _split_removals(body: dict[str, Any]) -> list[int]:
    """``Remove``, checked one entry after the other as Orthanc does."""
    removals = body.get("Remove", [])
    if not isinstance(removals, list):
        raise OrthancError(ErrorCode.BAD_FILE_FORMAT)
    answer = []
    for name in removals:
        if not isinstance(name, str):
            raise OrthancError(ErrorCode.BAD_FILE_FORMAT)
        answer.append(_editable(name))
    return answer


def _split_replacements(body: dict[str, Any]) -> dict[int, str]:
    """``Replace``, checked in the order of its keys (JsonCpp keeps object keys sorted)."""
    replacements = body.get("Replace", {})
    if not isinstance(replacements, dict):
        raise OrthancError(ErrorCode.BAD_FILE_FORMAT)
    answer = {}
    for name in sorted(replacements):
        value = replacements[name]
        if not isinstance(value, str):
            raise OrthancError(ErrorCode.BAD_FILE_FORMAT)
        answer[_editable(name)] = value
    return answer


def _module_values(data: bytes, default_encoding: str) -> dict[int, str]:
    """The Patient and General Study module values of a file as Orthanc's summary of it holds
    them (what a merged instance takes from the target study): text only, decoded from the
    file's character set (``default_encoding`` without one), absent when a sequence, binary
    or longer than 256 bytes."""
    import pydicom

    dataset = pydicom.dcmread(io.BytesIO(data), force=True, stop_before_pixels=True)
    values = {}
    for tag in STUDY_LEVEL_MODULES:
        value = summary_value(dataset, tag, default_encoding)
        if value is not None:
            values[tag] = value
    return values
