"""Orthanc 1.10.1's "main DICOM tags", and the series/instance bookkeeping derived from them.

Orthanc's index keeps, per level, a fixed list of top-level tags (its ``MainDicomTags``), as it
stores them: the same strings as ``/tags`` shows, but only for tags that are present and have
a textual value. Absent tags, sequences, binary or null values (e.g. an empty US) and values
longer than 256 bytes are left out; an empty string is kept as ``""``.

Patient tags are duplicated at the study level: a study's JSON shows them as
``PatientMainDicomTags`` next to its own ``MainDicomTags``.
"""

from __future__ import annotations

from collections.abc import Iterable

from pydicom.dataset import Dataset

from chalicelib.dicom.charsets import DEFAULT
from chalicelib.dicom.series_status import parse_int64
from chalicelib.dicom.tag_values import summary_value

# (tag, keyword) in Orthanc's order, per level (DicomMap.cpp in Orthanc 1.10.1).
PATIENT_MAIN_TAGS: tuple[tuple[int, str], ...] = (
    (0x00100010, "PatientName"),
    (0x00100030, "PatientBirthDate"),
    (0x00100040, "PatientSex"),
    (0x00101000, "OtherPatientIDs"),
    (0x00100020, "PatientID"),
)

STUDY_MAIN_TAGS: tuple[tuple[int, str], ...] = (
    (0x00080020, "StudyDate"),
    (0x00080030, "StudyTime"),
    (0x00200010, "StudyID"),
    (0x00081030, "StudyDescription"),
    (0x00080050, "AccessionNumber"),
    (0x0020000D, "StudyInstanceUID"),
    (0x00321060, "RequestedProcedureDescription"),
    (0x00080080, "InstitutionName"),
    (0x00321032, "RequestingPhysician"),
    (0x00080090, "ReferringPhysicianName"),
)

SERIES_MAIN_TAGS: tuple[tuple[int, str], ...] = (
    (0x00080021, "SeriesDate"),
    (0x00080031, "SeriesTime"),
    (0x00080060, "Modality"),
    (0x00080070, "Manufacturer"),
    (0x00081010, "StationName"),
    (0x0008103E, "SeriesDescription"),
    (0x00180015, "BodyPartExamined"),
    (0x00180024, "SequenceName"),
    (0x00181030, "ProtocolName"),
    (0x00200011, "SeriesNumber"),
    (0x00181090, "CardiacNumberOfImages"),
    (0x00201002, "ImagesInAcquisition"),
    (0x00200105, "NumberOfTemporalPositions"),
    (0x00540081, "NumberOfSlices"),
    (0x00540101, "NumberOfTimeSlices"),
    (0x0020000E, "SeriesInstanceUID"),
    (0x00200037, "ImageOrientationPatient"),
    (0x00541000, "SeriesType"),
    (0x00081070, "OperatorsName"),
    (0x00400254, "PerformedProcedureStepDescription"),
    (0x00181400, "AcquisitionDeviceProcessingDescription"),
    (0x00180010, "ContrastBolusAgent"),
)

INSTANCE_MAIN_TAGS: tuple[tuple[int, str], ...] = (
    (0x00080012, "InstanceCreationDate"),
    (0x00080013, "InstanceCreationTime"),
    (0x00200012, "AcquisitionNumber"),
    (0x00541330, "ImageIndex"),
    (0x00200013, "InstanceNumber"),
    (0x00280008, "NumberOfFrames"),
    (0x00200100, "TemporalPositionIdentifier"),
    (0x00080018, "SOPInstanceUID"),
    (0x00200032, "ImagePositionPatient"),
    (0x00204000, "ImageComments"),
    (0x00200037, "ImageOrientationPatient"),
)

MAIN_TAGS: dict[str, tuple[tuple[int, str], ...]] = {
    "Patient": PATIENT_MAIN_TAGS,
    "Study": STUDY_MAIN_TAGS,
    "Series": SERIES_MAIN_TAGS,
    "Instance": INSTANCE_MAIN_TAGS,
}

IMAGES_IN_ACQUISITION = 0x00201002
NUMBER_OF_TEMPORAL_POSITIONS = 0x00200105
NUMBER_OF_SLICES = 0x00540081
NUMBER_OF_TIME_SLICES = 0x00540101
CARDIAC_NUMBER_OF_IMAGES = 0x00181090
INSTANCE_NUMBER = 0x00200013
IMAGE_INDEX = 0x00541330


def _level_tags(
    ds: Dataset, tags: Iterable[tuple[int, str]], default_encoding: str
) -> dict[str, str]:
    found: dict[str, str] = {}
    for tag, keyword in tags:
        value = summary_value(ds, tag, default_encoding)
        if value is not None:
            found[keyword] = value
    return found


def extract_main_tags(ds: Dataset, default_encoding: str = DEFAULT) -> dict[str, dict[str, str]]:
    """``{"Patient": {...}, "Study": {...}, "Series": {...}, "Instance": {...}}`` of an instance,
    read in ``default_encoding`` (an Orthanc name) if it has no Specific Character Set.

    "Study" holds the study's own tags only; the study JSON's ``PatientMainDicomTags`` is the
    "Patient" dict.
    """
    return {level: _level_tags(ds, tags, default_encoding) for level, tags in MAIN_TAGS.items()}


def expected_number_of_instances(ds: Dataset) -> int | None:
    """A series' ``ExpectedNumberOfInstances``, from the first instance Orthanc receives.

    Orthanc tries, in order: ImagesInAcquisition x NumberOfTemporalPositions, then
    NumberOfSlices x NumberOfTimeSlices, then CardiacNumberOfImages. The first pair that is
    present (even if unparsable) decides; a non-positive or unparsable result means null.
    """
    pairs = (
        (IMAGES_IN_ACQUISITION, NUMBER_OF_TEMPORAL_POSITIONS),
        (NUMBER_OF_SLICES, NUMBER_OF_TIME_SLICES),
    )
    for first, second in pairs:
        a, b = summary_value(ds, first), summary_value(ds, second)
        if a is not None and b is not None:
            x, y = parse_int64(a), parse_int64(b)
            if x is None or y is None:
                return None
            product = x * y
            return product if product > 0 else None
    cardiac = summary_value(ds, CARDIAC_NUMBER_OF_IMAGES)
    if cardiac is not None:
        count = parse_int64(cardiac)
        return count if count is not None and count > 0 else None
    return None


def index_in_series_metadata(ds: Dataset) -> str | None:
    """The raw ``IndexInSeries`` metadata Orthanc stores for an instance, or None if none.

    InstanceNumber wins whenever the tag is present, even if its value is null (then there is
    no metadata at all: ImageIndex is not tried). Leading/trailing spaces are stripped.
    """
    tag = INSTANCE_NUMBER if INSTANCE_NUMBER in ds else IMAGE_INDEX
    if tag not in ds:
        return None
    value = summary_value(ds, tag)
    return None if value is None else value.strip(" ")


def index_in_series(ds: Dataset) -> int | None:
    """The instance's ``IndexInSeries`` as ``GET /instances/{id}`` shows it (None = null)."""
    return parse_int64(index_in_series_metadata(ds))
