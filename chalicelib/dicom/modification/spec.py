"""What a modification or anonymization does, read from Orthanc's JSON body.

A ``Modification`` is plain data (it is kept in a job's parameters and rebuilt in every job
step, so it round-trips through JSON): the top-level tags removed, emptied, remapped as UIDs
or replaced, the paths into sequences, the private tags, and the level whose identifiers are
regenerated. Each option overrides what an earlier one said of the same tag, in Orthanc's
order: the anonymization profile first, then ``Remove``, ``Replace`` and ``Keep``.

Orthanc's rules for identifiers, which decide the level and what needs ``Force``:
- a modification's level is the resource's (``/studies/{id}/modify`` regenerates the study,
  series and instance UIDs); for a single instance it is the highest identifier replaced;
- changing the PatientID is required at the patient level, refused below it; the parent's
  UIDs cannot be replaced below their level;
- replacing, removing or keeping an identifier tag (PatientID, Study/Series/SOP Instance UID)
  at the top level needs ``Force``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

from chalicelib.dicom.identifiers import Level
from chalicelib.dicom.modification.paths import DicomPath, Step, parse_path
from chalicelib.dicom.modification.profiles import DEFAULT_VERSION, DICOM_VERSIONS, load_profile
from chalicelib.errors import ErrorCode, OrthancError

PATIENT_ID = 0x00100020
PATIENT_NAME = 0x00100010
STUDY_UID = 0x0020000D
SERIES_UID = 0x0020000E
SOP_UID = 0x00080018
DEIDENTIFICATION_METHOD = 0x00120063
PATIENT_IDENTITY_REMOVED = 0x00120062
IDENTIFIER_TAGS = (PATIENT_ID, STUDY_UID, SERIES_UID, SOP_UID)
# The tag whose UID each level regenerates.
UID_OF_LEVEL = {Level.STUDY: STUDY_UID, Level.SERIES: SERIES_UID, Level.INSTANCE: SOP_UID}


@dataclass
class Modification:
    """Plain data: see the module's docstring. Tags are ints (0xGGGGEEEE)."""

    level: Level = Level.INSTANCE
    anonymization: bool = False
    removals: set[int] = field(default_factory=set)
    clearings: set[int] = field(default_factory=set)
    uids: set[int] = field(default_factory=set)
    removed_ranges: list[tuple[int, int, int, int]] = field(default_factory=list)
    replacements: dict[int, Any] = field(default_factory=dict)
    remove_private: bool = False
    private_kept: set[int] = field(default_factory=set)
    # Identifier UIDs kept by ``Keep`` (StudyInstanceUID...): their level is not regenerated.
    kept_uids: set[int] = field(default_factory=set)
    kept_paths: list[DicomPath] = field(default_factory=list)
    removed_paths: list[DicomPath] = field(default_factory=list)
    replaced_paths: list[tuple[DicomPath, Any]] = field(default_factory=list)
    private_creator: str = ""
    # The DeidentificationMethod an anonymization profile writes, until an option alters
    # the profile (Orthanc then leaves the tag as the file has it).
    method: str = ""
    # ``KeepLabels`` (Orthanc 1.12.3): the new resources get the labels of their sources.
    keep_labels: bool = False

    # -- the operations, each cancelling what was said before of the same tag --------------

    def keep(self, path: DicomPath) -> None:
        if path.top_level:
            self._forget(path.tag)
            if path.tag in UID_OF_LEVEL.values():
                self.kept_uids.add(path.tag)
            elif _is_private(path.tag):
                self.private_kept.add(path.tag)
        self.kept_paths.append(path)
        self._not_profile()

    def remove(self, path: DicomPath) -> None:
        if path.top_level:
            self._forget(path.tag)
            self.removals.add(path.tag)
        else:
            self.removed_paths.append(path)
        self._not_profile()

    def replace(self, path: DicomPath, value: Any, profile: bool = False) -> None:
        if path.top_level:
            self._forget(path.tag)
            self.replacements[path.tag] = value
        else:
            self.replaced_paths.append((path, value))
        if not profile:
            self._not_profile()

    def keep_private_tags(self) -> None:
        self.remove_private = False
        self._not_profile()

    def _not_profile(self) -> None:
        if self.method and self.replacements.get(DEIDENTIFICATION_METHOD) == self.method:
            del self.replacements[DEIDENTIFICATION_METHOD]
        self.method = ""

    def _forget(self, tag: int) -> None:
        self.removals.discard(tag)
        self.clearings.discard(tag)
        self.uids.discard(tag)
        self.replacements.pop(tag, None)
        self.private_kept.discard(tag)

    # -- questions --------------------------------------------------------------------------

    def is_removed(self, tag: int) -> bool:
        if tag in self.removals:
            return True
        group, element = tag >> 16, tag & 0xFFFF
        return any(
            g0 <= group <= g1 and e0 <= element <= e1 for g0, g1, e0, e1 in self.removed_ranges
        )

    def is_altered(self, tag: int) -> bool:
        """Whether a top-level tag is removed, emptied or replaced by an explicit option."""
        return tag in self.clearings or self.is_removed(tag) or tag in self.replacements

    def regenerates(self, level: Level) -> bool:
        """Whether the UID of ``level`` gets a new value (not replaced, not kept)."""
        tag = UID_OF_LEVEL[level]
        return (
            self.level.depth <= level.depth
            and tag not in self.replacements
            and tag not in self.kept_uids
        )

    # -- serialization ----------------------------------------------------------------------

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["level"] = self.level.value
        for key in ("removals", "clearings", "uids", "private_kept", "kept_uids"):
            data[key] = sorted(data[key])
        data["replacements"] = [[tag, value] for tag, value in self.replacements.items()]
        for key in ("kept_paths", "removed_paths"):
            data[key] = [_path_json(p) for p in getattr(self, key)]
        data["replaced_paths"] = [[_path_json(p), v] for p, v in self.replaced_paths]
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Modification:
        return cls(
            level=Level(data["level"]),
            anonymization=data["anonymization"],
            removals=set(data["removals"]),
            clearings=set(data["clearings"]),
            uids=set(data["uids"]),
            removed_ranges=[tuple(r) for r in data["removed_ranges"]],  # type: ignore[misc]
            replacements={tag: value for tag, value in data["replacements"]},
            remove_private=data["remove_private"],
            private_kept=set(data["private_kept"]),
            kept_uids=set(data["kept_uids"]),
            kept_paths=[_path_of(p) for p in data["kept_paths"]],
            removed_paths=[_path_of(p) for p in data["removed_paths"]],
            replaced_paths=[(_path_of(p), v) for p, v in data["replaced_paths"]],
            private_creator=data["private_creator"],
            method=data["method"],
            # Absent from the jobs submitted before the option existed.
            keep_labels=data.get("keep_labels", False),
        )


def _path_json(path: DicomPath) -> list[Any]:
    return [[[s.tag, s.index] for s in path.steps], path.tag]


def _path_of(data: list[Any]) -> DicomPath:
    steps, tag = data
    return DicomPath(tuple(Step(t, i) for t, i in steps), tag)


def _is_private(tag: int) -> bool:
    return bool((tag >> 16) & 1)


# -- reading Orthanc's bodies ---------------------------------------------------------------


def parse_modify(body: Any, default_private_creator: str) -> Modification:
    """``/modify``: Orthanc's options, the level left to the caller."""
    if not isinstance(body, dict):
        raise OrthancError(ErrorCode.BAD_FILE_FORMAT)
    force = _boolean(body, "Force", False)
    modification = Modification(private_creator=default_private_creator)
    modification.remove_private = _boolean(body, "RemovePrivateTags", False)
    modification.keep_labels = _boolean(body, "KeepLabels", False)
    _read_options(modification, body, force)
    return modification


def parse_anonymize(body: Any, default_private_creator: str, product: str) -> Modification:
    """``/anonymize``: the profile of ``DicomVersion``, then Orthanc's options. The
    generated PatientName is the caller's (``patient_name_generated`` says if one is due)."""
    if not isinstance(body, dict):
        raise OrthancError(ErrorCode.BAD_FILE_FORMAT)
    force = _boolean(body, "Force", False)
    version = body.get("DicomVersion", DEFAULT_VERSION)
    if not isinstance(version, str):
        raise OrthancError(ErrorCode.BAD_FILE_FORMAT)
    if version not in DICOM_VERSIONS:
        raise OrthancError(
            ErrorCode.PARAMETER_OUT_OF_RANGE,
            f"Unknown specific version of the DICOM standard: {version}",
        )
    profile = load_profile(version)
    modification = Modification(
        level=Level.PATIENT,
        anonymization=True,
        removals=set(profile.removals),
        clearings=set(profile.clearings),
        uids={*profile.uids, PATIENT_ID, PATIENT_NAME},
        removed_ranges=list(profile.removed_ranges),
        remove_private=True,
        private_creator=default_private_creator,
    )
    modification.method = f"{product} - {profile.deidentification_method}"
    modification.replace(DicomPath((), DEIDENTIFICATION_METHOD), modification.method, True)
    modification.replace(DicomPath((), PATIENT_IDENTITY_REMOVED), "YES", profile=True)
    if _boolean(body, "KeepPrivateTags", False):
        modification.keep_private_tags()
    modification.keep_labels = _boolean(body, "KeepLabels", False)
    _read_options(modification, body, force)
    return modification


def patient_name_generated(modification: Modification) -> bool:
    """Whether an anonymization still maps PatientName (no Replace/Keep/Remove of it): it
    then gets Orthanc's ``Anonymized<N>`` name."""
    return PATIENT_NAME in modification.uids


def set_generated_name(modification: Modification, name: str) -> None:
    modification.replace(DicomPath((), PATIENT_NAME), name, profile=True)


def _read_options(modification: Modification, body: dict[str, Any], force: bool) -> None:
    for name in _tag_list(body, "Remove"):
        modification.remove(_checked_path(name, force, "removed"))
    replace = body.get("Replace", {})
    if not isinstance(replace, dict):
        raise OrthancError(ErrorCode.BAD_REQUEST)
    # jsoncpp, which reads Orthanc's bodies, keeps an object's members in byte order.
    for name in sorted(replace, key=lambda key: key.encode("utf-8", "surrogatepass")):
        modification.replace(_checked_path(name, force, "replaced"), replace[name])
    for name in _tag_list(body, "Keep"):
        modification.keep(_checked_path(name, force, "kept"))
    if "PrivateCreator" in body:
        creator = body["PrivateCreator"]
        if not isinstance(creator, str):
            raise OrthancError(
                ErrorCode.BAD_FILE_FORMAT, "String value expected in field: PrivateCreator"
            )
        modification.private_creator = creator


def _tag_list(body: dict[str, Any], key: str) -> Iterator[str]:
    """The names of a list option, each checked as Orthanc reaches it."""
    value = body.get(key, [])
    if not isinstance(value, list):
        raise OrthancError(ErrorCode.BAD_REQUEST)
    for name in value:
        if not isinstance(name, str):
            raise OrthancError(ErrorCode.BAD_REQUEST)
        yield name


def _checked_path(name: str, force: bool, operation: str) -> DicomPath:
    path = parse_path(name)
    if path.top_level and not force and path.tag in IDENTIFIER_TAGS:
        raise OrthancError(
            ErrorCode.BAD_REQUEST,
            f'Marking tag "{name}" as to be {operation} requires the "Force" option to be set '
            "to true",
        )
    return path


def _boolean(body: dict[str, Any], key: str, default: bool) -> bool:
    value = body.get(key, default)
    if not isinstance(value, bool):
        raise OrthancError(ErrorCode.BAD_FILE_FORMAT, f'Member "{key}" should be a Boolean value')
    return value


def check_level(modification: Modification) -> None:
    """Orthanc's checks of identifiers against the level (400 with its messages)."""
    level = modification.level
    if any(modification.is_removed(tag) for tag in IDENTIFIER_TAGS):
        raise OrthancError(ErrorCode.BAD_REQUEST)
    patient_changed = PATIENT_ID in modification.replacements or PATIENT_ID in modification.uids
    if level is Level.PATIENT and not patient_changed:
        raise OrthancError(
            ErrorCode.BAD_REQUEST,
            "When modifying a patient, her PatientID is required to be modified",
        )
    names = {Level.STUDY: "a study", Level.SERIES: "a series", Level.INSTANCE: "an instance"}
    if level is not Level.PATIENT and patient_changed:
        raise OrthancError(
            ErrorCode.BAD_REQUEST,
            f"When modifying {names[level]}, the parent PatientID cannot be manually modified",
        )
    parents = {STUDY_UID: "StudyInstanceUID", SERIES_UID: "SeriesInstanceUID"}
    for tag, name in parents.items():
        tag_level = Level.STUDY if tag == STUDY_UID else Level.SERIES
        if level.depth > tag_level.depth and tag in modification.replacements:
            raise OrthancError(
                ErrorCode.BAD_REQUEST,
                f"When modifying {names[level]}, the parent {name} cannot be manually modified",
            )


def detect_level(modification: Modification) -> Level:
    """The level of a single instance's modification, or of a bulk one without ``Level``."""
    for tag, level in ((PATIENT_ID, Level.PATIENT), (STUDY_UID, Level.STUDY)):
        if tag in modification.replacements:
            return level
    return Level.SERIES if SERIES_UID in modification.replacements else Level.INSTANCE
