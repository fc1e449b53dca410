"""Applying a ``Modification`` to one DICOM data set (pydicom), in Orthanc's order:

1. for an anonymization, identifiers the request replaced are registered, so references to
   them follow;
2. private tags are removed (unless kept); 3. tags are emptied (only those present);
4. tags are removed (the profile's wildcard rows such as ``(50xx,xxxx)`` too: see
   docs/compatibility.md); 5. tags are replaced (inserted if absent);
6. the UIDs of the modification's level and below get their new values;
7. for an anonymization, the UIDs of the profile are remapped everywhere, and inside
   sequences the profile's removals and clearings apply as well (``Keep`` paths excepted);
8. the paths into sequences are removed, then replaced.

The file meta information follows the SOP Instance and Class UIDs. Plain Python, no AWS.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING

from chalicelib.dicom.charsets import DEFAULT
from chalicelib.dicom.identifiers import Level
from chalicelib.dicom.modification.paths import apply_at
from chalicelib.dicom.modification.spec import (
    PATIENT_ID,
    PATIENT_NAME,
    SOP_UID,
    UID_OF_LEVEL,
    Modification,
)
from chalicelib.dicom.modification.uids import UidMapper
from chalicelib.dicom.modification.values import replaced_elements
from chalicelib.dicom.parsing import DicomIdentifiers
from chalicelib.dicom.tag_values import element_text
from chalicelib.errors import ErrorCode, OrthancError

if TYPE_CHECKING:
    from pydicom.dataelem import DataElement
    from pydicom.dataset import Dataset

SOP_CLASS_UID = 0x00080016
REFERENCED_SOP_INSTANCE_UID = 0x00081155
# In RT structure sets this ReferencedSOPInstanceUID holds a StudyInstanceUID (Orthanc maps
# it as a study, which keeps RT-STRUCTs pointing at their study).
_RT_STUDY_REFERENCE = (0x30060010, 0x30060012)
# The VRs whose values Orthanc remaps or empties as text inside sequences.
_TEXT_VRS = frozenset(
    {"DS", "IS", "AS", "DA", "DT", "TM", "AE", "CS", "SH", "LO", "ST", "LT", "UT", "PN", "UI"}
) | {"UC", "UR"}
_LEVEL_OF_UID = {tag: level for level, tag in UID_OF_LEVEL.items()}


def apply(
    dataset: Dataset,
    modification: Modification,
    mapper: UidMapper,
    default_encoding: str = DEFAULT,
) -> None:
    """Modify ``dataset`` in place; new text values are written in its character set, in
    ``default_encoding`` (an Orthanc name) if it has none."""
    m = modification
    if m.anonymization:
        for tag, level in _LEVEL_OF_UID.items():
            if tag in m.replacements:
                _register(dataset, tag, m.replacements[tag], level, mapper)
    if m.remove_private:
        for element in list(dataset):
            if element.tag.is_private and int(element.tag) not in m.private_kept:
                del dataset[element.tag]
    for tag in m.clearings:
        if tag in dataset:
            _empty(dataset[tag])
    for element in list(dataset):
        if m.is_removed(int(element.tag)):
            del dataset[element.tag]
    for tag, value in sorted(m.replacements.items()):  # in tag order, as Orthanc's map
        _put(dataset, tag, value, m.private_creator, default_encoding)
    for level, tag in UID_OF_LEVEL.items():
        if m.regenerates(level):
            original = element_text(dataset[tag]) if tag in dataset else ""
            _put(dataset, tag, mapper.map(original, level), "", default_encoding)
    if m.anonymization:
        _remap(dataset, m, mapper, ())
    for path in m.removed_paths:
        apply_at(dataset, path, _delete)
    for path, value in m.replaced_paths:
        replace = _replacer(dataset, path.tag, value, m.private_creator, default_encoding)
        apply_at(dataset, path, replace)


def _register(dataset: Dataset, tag: int, value: object, level: Level, mapper: UidMapper) -> None:
    """Step 1: an identifier the request replaced, so that references to it follow. Orthanc
    reads the replacement as a string first: anything else is its 400, without details."""
    if not isinstance(value, str):
        raise OrthancError(ErrorCode.BAD_PARAMETER_TYPE)
    if tag in dataset:
        mapper.force(element_text(dataset[tag]), value, level)


def derived_identifiers(
    m: Modification, mapper: UidMapper, source: DicomIdentifiers, has_patient_id: bool = True
) -> DicomIdentifiers:
    """The identifiers a file with ``source``'s gets, as ``apply`` writes them: what a job
    names as its output before any file is read. ``has_patient_id``: whether the file has a
    PatientID element at all (an anonymization maps it, but never adds one: without it, the
    new patient is the one of an empty PatientID, as in Orthanc)."""

    def new_uid(level: Level, original: str) -> str:
        tag = UID_OF_LEVEL[level]
        if tag in m.replacements:
            return str(m.replacements[tag])
        return mapper.map(original, level) if m.regenerates(level) else original

    patient_id = source.patient_id
    if PATIENT_ID in m.replacements:
        patient_id = str(m.replacements[PATIENT_ID])
    elif m.anonymization and PATIENT_ID in m.uids and has_patient_id:
        patient_id = mapper.map(patient_id, Level.PATIENT)
    return DicomIdentifiers(
        patient_id,
        new_uid(Level.STUDY, source.study_uid),
        new_uid(Level.SERIES, source.series_uid),
        new_uid(Level.INSTANCE, source.sop_uid),
    )


def _put(
    dataset: Dataset, tag: int, value: object, private_creator: str, default_encoding: str
) -> None:
    """A top-level tag replaced (inserted if absent); the file meta information follows
    the SOP Instance and Class UIDs."""
    elements = replaced_elements(
        dataset, tag, value, private_creator, default_encoding=default_encoding
    )
    for element in elements:
        dataset[element.tag] = element
    if tag in (SOP_UID, SOP_CLASS_UID) and tag in dataset and hasattr(dataset, "file_meta"):
        meta = "MediaStorageSOPInstanceUID" if tag == SOP_UID else "MediaStorageSOPClassUID"
        setattr(dataset.file_meta, meta, element_text(dataset[tag]))


def _replacer(  # noqa: ANN202
    dataset: Dataset, tag: int, value: object, private_creator: str, default_encoding: str
):
    """The action of a path replacement: its element is built once, before any item is
    visited, so that a bad value fails even where the path reaches no item (as in Orthanc)."""
    elements = replaced_elements(dataset, tag, value, private_creator, True, default_encoding)

    def replace(item: Dataset, _tag: int) -> None:
        for element in elements:
            item[element.tag] = copy.deepcopy(element)

    return replace


def _delete(item: Dataset, tag: int) -> None:
    if tag in item:
        del item[tag]


def _remap(
    dataset: Dataset, m: Modification, mapper: UidMapper, parents: tuple[tuple[int, int], ...]
) -> None:
    """Step 7 over one data set (the top level or a sequence item)."""
    for element in list(dataset):
        tag = int(element.tag)
        if parents and not any(p.matches(parents, tag) for p in m.kept_paths):
            if (m.remove_private and element.tag.is_private) or m.is_removed(tag):
                del dataset[element.tag]
                continue
            if tag in m.clearings:
                if element.VR in _TEXT_VRS:
                    element.value = ""
                else:
                    del dataset[element.tag]
                continue
        if element.VR == "SQ":
            for index, item in enumerate(element.value):
                _remap(item, m, mapper, (*parents, (tag, index)))
            continue
        if element.VR not in _TEXT_VRS or element.value is None:
            continue
        level = _mapped_level(tag, m, parents)
        if level is not None:
            element.value = mapper.map(element_text(element), level)


def _mapped_level(tag: int, m: Modification, parents: tuple[tuple[int, int], ...]) -> Level | None:
    """The kind of identifier a text element is remapped as, None if it is left alone."""
    if not parents:
        if tag not in m.uids or m.is_altered(tag):
            return None
        return Level.PATIENT if tag in (PATIENT_ID, PATIENT_NAME) else Level.INSTANCE
    if any(p.matches(parents, tag) for p in m.kept_paths):
        return None
    if tag in _LEVEL_OF_UID:
        return _LEVEL_OF_UID[tag]
    if tag not in m.uids:
        return None
    if tag in (PATIENT_ID, PATIENT_NAME):
        return Level.PATIENT
    if tag == REFERENCED_SOP_INSTANCE_UID and tuple(t for t, _ in parents) == _RT_STUDY_REFERENCE:
        return Level.STUDY
    return Level.INSTANCE


def _empty(element: DataElement) -> None:
    element.value = element.empty_value
