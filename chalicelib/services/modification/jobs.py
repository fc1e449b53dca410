"""Modifying and anonymizing stored resources: the ``ResourceModification`` job.

Submitted by ``POST /{patients|studies|series}/{id}/modify|anonymize`` and
``/tools/bulk-modify|bulk-anonymize``. The plan lists the instances of the resources (as
every job over stored resources plans); each item reads one file from S3, modifies it in
memory and stores the result through the one ingest path, with ``ModifiedFrom`` or
``AnonymizedFrom`` naming the source at each level whose ID changed. New identifiers derive
from the job's seed (``chalicelib.dicom.modification.uids``), so a batch replayed after a crash
stores the same instances again (already stored: nothing duplicated) and every Lambda of the
job maps a referenced UID as the instance it references. With ``KeepLabels`` the new resources
of each stored instance get its sources' labels (``kept_labels.py``). Without ``KeepSource``
the sources are deleted once every item is handled, as Orthanc does at the end of the job.
"""

from __future__ import annotations

from typing import Any

from chalicelib.dicom.identifiers import Level, ResourceIds, compute_ids
from chalicelib.dicom.modification.apply import derived_identifiers
from chalicelib.dicom.modification.files import modify_file
from chalicelib.dicom.modification.spec import Modification
from chalicelib.dicom.modification.uids import UidMapper
from chalicelib.dicom.parsing import DicomIdentifiers
from chalicelib.errors import unknown_resource
from chalicelib.jobs.model import Job, JobState
from chalicelib.services.jobs.sending import instance_items, read_file
from chalicelib.services.modification.kept_labels import LabelCopier
from chalicelib.services.resources.browse import BrowseService
from chalicelib.services.resources.delete import DeleteService
from chalicelib.services.resources.ingest import IngestService, Origin
from chalicelib.storage.blobs import BlobStore
from chalicelib.storage.index import ResourceIndex
from chalicelib.storage.jobs import JobStore
from chalicelib.storage.labels import LabelStore

KIND = "ResourceModification"


def identifier_values(identifiers: DicomIdentifiers) -> tuple[str, str, str, str]:
    """The four identifiers in ``compute_ids``'s order."""
    return (
        identifiers.patient_id,
        identifiers.study_uid,
        identifiers.series_uid,
        identifiers.sop_uid,
    )


def id_values(ids: ResourceIds) -> tuple[str, str, str, str]:
    """The four Orthanc IDs, patient first."""
    return ids.patient, ids.study, ids.series, ids.instance


def output_json(level: Level, ids: ResourceIds) -> dict[str, Any]:
    """Orthanc's description of a new resource: ``{ID, Path, PatientID, Type}``."""
    resource_id = ids.of(level)
    return {
        "ID": resource_id,
        "Path": f"/{level.collection}/{resource_id}",
        "PatientID": ids.patient,
        "Type": level.value,
    }


class ModificationKind:
    """The job kind (see ``chalicelib.services.jobs.steps.JobKind``)."""

    KIND = KIND

    def __init__(
        self,
        index: ResourceIndex,
        blobs: BlobStore,
        browse: BrowseService,
        ingest: IngestService,
        delete: DeleteService,
        jobs: JobStore,
        labels: LabelStore,
    ) -> None:
        self._index = index
        self._blobs = blobs
        self._browse = browse
        self._ingest = ingest
        self._delete = delete
        self._jobs = jobs
        self._labels = labels

    def plan(self, job: Job) -> list[Any]:
        """The instances; for a bulk job each with the IDs its copy gets (``[instance ID,
        S3 key, [patient, study, series, instance]]``), which its ``Content`` lists once
        finished, as Orthanc does, even after ``KeepSource: false`` removed the sources."""
        items = instance_items(self._index, self._browse, job.params["Resources"], "modified")
        if job.params.get("Output") is not None:
            return items
        modification = Modification.from_json(job.params["Modification"])
        mapper = UidMapper(job.params["Seed"])
        return [
            [*item, list(id_values(compute_ids(*identifier_values(new))))]
            for item, new in zip(
                items,
                (
                    derived_identifiers(modification, mapper, source, has_patient_id)
                    for source, has_patient_id in self._sources([i[0] for i in items])
                ),
                strict=True,
            )
        ]

    def _sources(self, instance_ids: list[str]) -> list[tuple[DicomIdentifiers, bool]]:
        """The DICOM identifiers of instances, from the index (their own record, and the
        records of their series and study: two batched reads per 100 instances), each with
        whether the file has a PatientID element at all."""
        instances = self._index.get_many(instance_ids)
        parents = {i for r in instances.values() for i in r.ancestors[:2]}
        ancestors = self._index.get_many(sorted(parents))
        answer = []
        for instance_id in instance_ids:
            record = instances.get(instance_id)
            if record is None or any(i not in ancestors for i in record.ancestors[:2]):
                raise unknown_resource(f"Instance {instance_id} was deleted before it was modified")
            series, study = (ancestors[i] for i in record.ancestors[:2])
            identifiers = DicomIdentifiers(
                study.patient_main_tags.get("PatientID", ""),
                study.main_tags.get("StudyInstanceUID", ""),
                series.main_tags.get("SeriesInstanceUID", ""),
                record.main_tags.get("SOPInstanceUID", ""),
            )
            answer.append((identifiers, "PatientID" in study.patient_main_tags))
        return answer

    def worker(self, job: Job) -> ModificationWorker:
        return ModificationWorker(self._blobs, self._ingest, job.params, self._index, self._labels)

    def content(self, job: Job) -> dict[str, Any]:
        """Orthanc's ``Content``: the counts, and the new resource (single resource: once
        the first instance is stored) or every new resource (bulk: once finished)."""
        params = job.params
        answer: dict[str, Any] = {
            "Description": "REST API",
            "InstancesCount": job.total,
            "FailedInstancesCount": job.failed,
            "IsAnonymization": params["IsAnonymization"],
        }
        output = params.get("Output")
        if output is not None and job.completed:
            answer.update(output)
        elif output is None and job.state is JobState.SUCCESS:
            answer["Resources"] = self._bulk_output(job)
        if params.get("Transcode"):
            answer["Transcode"] = params["Transcode"]
        return answer

    def _bulk_output(self, job: Job) -> list[dict[str, str]]:
        """Every new resource of a finished bulk job, by level then ID (Orthanc's order)."""
        ids: dict[Level, set[str]] = {level: set() for level in Level}
        for item in self._jobs.planned_items(job.id):
            for level, resource_id in zip(Level, item[2], strict=True):
                ids[level].add(resource_id)
        order = (Level.INSTANCE, Level.SERIES, Level.STUDY, Level.PATIENT)
        return [
            {"ID": i, "Path": f"/{level.collection}/{i}", "Type": level.value}
            for level in order
            for i in sorted(ids[level])
        ]

    def conclude(self, job: Job) -> None:
        """Without ``KeepSource``, delete the source instances (deleting an instance already
        gone is a no-op, so a retried step is harmless)."""
        if job.params.get("KeepSource", True):
            return
        planned = self._jobs.planned_items(job.id)
        self._delete.delete_many([item[0] for item in planned])


class ModificationWorker:
    """Modifies and stores the instances of one job step."""

    item_timeout = 60.0

    def __init__(
        self,
        blobs: BlobStore,
        ingest: IngestService,
        params: dict[str, Any],
        index: ResourceIndex,
        labels: LabelStore,
    ) -> None:
        self._blobs = blobs
        self._ingest = ingest
        self._modification = Modification.from_json(params["Modification"])
        self._labels = LabelCopier(index, labels) if self._modification.keep_labels else None
        self._mapper = UidMapper(params["Seed"])
        self._transcode = params.get("Transcode") or None
        # ModifiedFrom or AnonymizedFrom; none for a split or merge (as in Orthanc).
        self._key: str | None = params["Derivation"]
        self._origin = Origin(
            protocol="RestApi",
            remote_ip=params.get("RemoteIp", ""),
            http_username=params.get("Username", ""),
        )

    def run(self, item: Any) -> int:
        data = read_file(self._blobs, item, "modified")
        modified = modify_file(
            data,
            self._modification,
            self._mapper,
            self._transcode,
            self._ingest.default_encoding(),
        )
        self._ingest.store(
            modified.data, self._origin, self._metadata(modified.source, modified.result)
        )
        if self._labels is not None:  # once stored (or found stored: a replayed step)
            self._labels.copy(modified.source, modified.result)
        return 0

    def _metadata(self, source: ResourceIds, result: ResourceIds) -> dict[Level, dict[str, str]]:
        """ModifiedFrom/AnonymizedFrom: on the instance always, on each ancestor whose ID
        changed (Orthanc's rule)."""
        if self._key is None:
            return {}
        metadata = {Level.INSTANCE: {self._key: source.instance}}
        for level in (Level.SERIES, Level.STUDY, Level.PATIENT):
            if source.of(level) != result.of(level):
                metadata[level] = {self._key: source.of(level)}
        return metadata

    def already_done(self, item: Any) -> bool:
        """Always redone: the same seed gives the same file, which the index then finds
        already stored."""
        return False

    def close(self) -> None:
        """Nothing held between items."""


class RestructureKind(ModificationKind):
    """``SplitStudy`` and ``MergeStudy``: the same work, Orthanc's other ``Content``."""

    def __init__(self, kind: str, *args: Any) -> None:
        super().__init__(*args)
        self.KIND = kind

    def content(self, job: Job) -> dict[str, Any]:
        answer: dict[str, Any] = {
            "Description": "REST API",
            "InstancesCount": job.total,
            "FailedInstancesCount": job.failed,
        }
        output = dict(job.params["Output"])
        if "TargetStudyUID" in output and not job.completed:
            del output["TargetStudy"]  # Orthanc names it once an instance is stored
        return {**answer, **output}
