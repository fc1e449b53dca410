"""The records Cirrus keeps about each resource, independent of how they are stored."""

from __future__ import annotations

from dataclasses import dataclass, field

from chalicelib.dicom.identifiers import Level


@dataclass
class Resource:
    """One patient, study, series or instance as the index knows it."""

    id: str
    level: Level
    parent: str | None
    main_tags: dict[str, str]
    last_update: str
    # The DICOM identifier that names the resource at its level (PatientID, ...UID). The index
    # keys it case-insensitively; the value as received is in ``main_tags``.
    dicom_uid: str = ""
    # Patients, studies and series: received something less than StableAge seconds ago.
    unstable: bool = False
    # Study only: a copy of the patient's main tags (GET /studies shows them without a 2nd read).
    patient_main_tags: dict[str, str] = field(default_factory=dict)
    metadata: dict[str, str] = field(default_factory=dict)
    # Series: ExpectedNumberOfInstances. Instances: the count read from their own file (Orthanc
    # decides CompletedSeries with the count of the instance that arrived).
    expected_instances: int | None = None
    # Instance only.
    file_size: int = 0
    file_uuid: str = ""
    blob_key: str = ""
    index_in_series: int | None = None
    # Instance only: its series, study and patient IDs, and how many of them this instance
    # created (the change feed derives NewSeries/NewStudy/NewPatient from that count).
    ancestors: tuple[str, ...] = ()
    new_ancestors: int = 0
    # Patient only: kept out of recycling (PUT /patients/{id}/protected).
    protected: bool = False
    # Patients: their place in the recycling order (when they last received an instance, to
    # the microsecond, then their ID); instances: the place their arrival gives their patient.
    recycling_position: str = ""
    # Orthanc 1.12's labels, sorted (storage/labels.py keeps the index of them).
    labels: tuple[str, ...] = ()
    # Instance only: the MD5 of its file (Orthanc's MD5 of the ``dicom`` attachment).
    file_md5: str = ""
    # The user attachments (UserContentType, by number) and the revisions of the metadata
    # rewritten since their creation (by ``metadata`` key; absent: revision 0).
    attachments: dict[int, Attachment] = field(default_factory=dict)
    metadata_revisions: dict[str, int] = field(default_factory=dict)

    @property
    def attachments_size(self) -> int:
        """Bytes of the user attachments (counted in the disk sizes, as Orthanc does)."""
        return sum(a.size for a in self.attachments.values())


@dataclass(frozen=True)
class Attachment:
    """A user attachment of a resource: its S3 object is named by the resource and ``uuid``
    (storage/blobs.py), a new one per write."""

    uuid: str
    size: int
    md5: str
    revision: int = 0


@dataclass(frozen=True)
class ChildLink:
    """A parent's pointer to one child, carrying what walks over the tree need without reading
    the child itself (file size and blob key for statistics and deletes, index for Status)."""

    parent: str
    child: str
    level: Level
    file_size: int = 0
    blob_key: str = ""
    index_in_series: int | None = None
    # The child's user attachments (a copy of its record's): sizes for statistics, objects
    # for deletes, without reading the child.
    attachments: dict[int, Attachment] = field(default_factory=dict, hash=False)


@dataclass(frozen=True)
class Counts:
    """Totals of the whole archive (GET /statistics) or deltas to apply to them."""

    patients: int = 0
    studies: int = 0
    series: int = 0
    instances: int = 0
    disk_size: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(
            self.patients + other.patients,
            self.studies + other.studies,
            self.series + other.series,
            self.instances + other.instances,
            self.disk_size + other.disk_size,
        )

    def __neg__(self) -> Counts:
        return Counts(-self.patients, -self.studies, -self.series, -self.instances, -self.disk_size)

    @classmethod
    def one(cls, level: Level, disk_size: int = 0) -> Counts:
        """The delta for one resource of ``level`` (with its file size for instances)."""
        return cls(
            patients=int(level is Level.PATIENT),
            studies=int(level is Level.STUDY),
            series=int(level is Level.SERIES),
            instances=int(level is Level.INSTANCE),
            disk_size=disk_size,
        )


@dataclass(frozen=True)
class Reference:
    """One instance of a storage commitment transaction; ``reason`` is the DICOM failure
    reason (0: committed)."""

    sop_class_uid: str
    sop_instance_uid: str
    reason: int = 0
