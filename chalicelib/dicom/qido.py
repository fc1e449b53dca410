"""QIDO-RS (PS3.18 10.6) without I/O: the query parameters read into a search, the attributes
each answer carries, and an answer's values written as DICOM JSON.

The reference is Orthanc's DICOMweb plugin 1.7, which turns a QIDO-RS request into a
``/tools/find`` body and answers, per match, the attributes of PS3.18 tables 6.7.1-2, -2a and
-2b (the plugin's lists), the ``includefield`` ones, the matched keys, and, when the request
does not narrow the search to one study (or one series), those of the upper levels too. Values
are Orthanc's textual form (multiple values joined by ``\\``), as the index keeps main tags.

Where the plugin and PS3.18 differ, PS3.18 wins (docs/compatibility.md lists the cases):

* a backslash separates the values of a list as a comma does (PS3.18 8.3.4.1, UID list
  matching); the plugin deletes backslashes, so ``1.2\\1.3`` matches nothing there;
* a negative or non-numeric ``limit``/``offset`` is a 400 (the plugin answers 500 to ``-1``);
* names keep every character: the plugin writes answers in its default encoding and loses
  what Latin-1 cannot hold, Cirrus writes UTF-8 and says ``ISO_IR 192`` then.

Query keys that name no attribute are ignored (PS3.18 8.3: unsupported parameters are
ignored), as the plugin does; ``fuzzymatching`` is read and ignored, as the plugin does.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from chalicelib.dicom.charsets import BY_NAME
from chalicelib.dicom.dicom_json import DicomJson, value_element
from chalicelib.dicom.identifiers import Level
from chalicelib.dicom.matching import Constraint, TagInfo, parse_constraint, resolve_tag
from chalicelib.dicom.tag_values import NUMERIC_VRS
from chalicelib.errors import ErrorCode, OrthancError, bad_request

SPECIFIC_CHARACTER_SET = 0x00080005
RETRIEVE_URL = 0x00081190
STUDY_INSTANCE_UID = 0x0020000D
SERIES_INSTANCE_UID = 0x0020000E
SOP_INSTANCE_UID = 0x00080018
UTF8_TERM = "ISO_IR 192"

# PS3.18 tables 6.7.1-2, -2a and -2b as the plugin answers them (Specific Character Set and
# Retrieve URL are added to every answer; the computed counts and ModalitiesInStudy below).
LEVEL_ATTRIBUTES: dict[Level, tuple[int, ...]] = {
    Level.STUDY: (
        0x00080020,  # StudyDate
        0x00080030,  # StudyTime
        0x00080050,  # AccessionNumber
        0x00080056,  # InstanceAvailability
        0x00080090,  # ReferringPhysicianName
        0x00080201,  # TimezoneOffsetFromUTC
        0x00100010,  # PatientName
        0x00100020,  # PatientID
        0x00100030,  # PatientBirthDate
        0x00100040,  # PatientSex
        0x0020000D,  # StudyInstanceUID
        0x00200010,  # StudyID
    ),
    Level.SERIES: (
        0x00080060,  # Modality
        0x00080201,  # TimezoneOffsetFromUTC
        0x0008103E,  # SeriesDescription
        0x0020000E,  # SeriesInstanceUID
        0x00200011,  # SeriesNumber
        0x00400244,  # PerformedProcedureStepStartDate
        0x00400245,  # PerformedProcedureStepStartTime
    ),
    Level.INSTANCE: (
        0x00080016,  # SOPClassUID
        0x00080018,  # SOPInstanceUID
        0x00080056,  # InstanceAvailability
        0x00080201,  # TimezoneOffsetFromUTC
        0x00200013,  # InstanceNumber
        0x00280008,  # NumberOfFrames
        0x00280010,  # Rows
        0x00280011,  # Columns
        0x00280100,  # BitsAllocated
    ),
}
# Computed from the index at their level, in every answer of that level (as the plugin does).
COMPUTED_ATTRIBUTES: dict[Level, tuple[int, ...]] = {
    Level.STUDY: (
        0x00080061,  # ModalitiesInStudy
        0x00201206,  # NumberOfStudyRelatedSeries
        0x00201208,  # NumberOfStudyRelatedInstances
    ),
    Level.SERIES: (0x00201209,),  # NumberOfSeriesRelatedInstances
    Level.INSTANCE: (),
}
# Required attributes that only the DICOM files hold (not the index): at the study and series
# levels they are answered only when the request names them, since reading a file per match
# is what makes a search slow; at the instance level the file of each match is read anyway
# (Rows, Columns, BitsAllocated).
FILE_ONLY_DEFAULTS = frozenset({0x00080201, 0x00400244, 0x00400245})
_NOT_QUERY_KEYS = frozenset({"limit", "offset", "fuzzymatching", "includefield"})


@dataclass
class QidoRequest:
    """A QIDO-RS search at ``level``: its constraints (query keys and the UIDs of the path),
    the attributes to answer, and the page."""

    level: Level
    constraints: list[Constraint] = field(default_factory=list)
    # Every matching key, empty ones included (a universal match is still answered).
    keys: dict[int, TagInfo] = field(default_factory=dict)
    # Tags given as query keys (not from the path): they decide which upper levels' attributes
    # the answers leave out.
    queried: set[int] = field(default_factory=set)
    included: dict[int, TagInfo] = field(default_factory=dict)
    limit: int = 0  # 0: no limit
    offset: int = 0

    def fields(self) -> list[TagInfo]:
        """The attributes each answer carries when they have a value, in tag order:
        ``includefield``, the matching keys, the level's attributes, and those of the study
        (series and instance searches not narrowed by a StudyInstanceUID key) and of the
        series (instance searches without a SeriesInstanceUID key)."""
        levels = [self.level]
        if self.level is not Level.STUDY and STUDY_INSTANCE_UID not in self.queried:
            levels.append(Level.STUDY)
        if self.level is Level.INSTANCE and SERIES_INSTANCE_UID not in self.queried:
            levels.append(Level.SERIES)
        named = {**self.included, **self.keys}
        tags = set(named) | set(COMPUTED_ATTRIBUTES[self.level])
        for level in levels:
            tags.update(LEVEL_ATTRIBUTES[level])
        if self.level is not Level.INSTANCE:
            tags -= FILE_ONLY_DEFAULTS - set(named)
        tags -= {SPECIFIC_CHARACTER_SET, RETRIEVE_URL}
        infos = [named[tag] if tag in named else _tag_info(tag) for tag in sorted(tags)]
        return [info for info in infos if info.vr != "SQ"]


def parse_qido(
    level: Level, params: Mapping[str, list[str]], path_uids: Mapping[int, str]
) -> QidoRequest:
    """The search a QIDO-RS request asks for; ``path_uids`` are the UIDs its path names
    (``/studies/{study}/series``: the StudyInstanceUID). Bad values answer 400."""
    request = QidoRequest(level)
    request.limit = _count(params, "limit")
    request.offset = _count(params, "offset")
    for value in params.get("fuzzymatching", []):
        if value not in ("true", "false"):
            raise bad_request(f"Not a proper value for fuzzy matching (true or false): {value}")
    for value in params.get("includefield", []):
        for name in value.split(","):
            tag = _known_tag(name.strip()) if name.strip() != "all" else None
            if tag is not None:
                request.included[tag.tag] = tag
    values: dict[int, str] = {}
    for name, given in params.items():
        tag = None if name in _NOT_QUERY_KEYS or not given else _known_tag(name)
        if tag is not None:
            request.keys[tag.tag] = tag
            request.queried.add(tag.tag)
            values[tag.tag] = given[-1]
    for tag_number, uid in path_uids.items():
        request.keys[tag_number] = _tag_info(tag_number)
        values[tag_number] = uid
    for tag_number, value in values.items():
        text = _as_list(value)
        if text:  # an empty value matches everything
            constraint = parse_constraint(request.keys[tag_number], text, case_sensitive=False)
            request.constraints.append(constraint)
    return request


def _count(params: Mapping[str, list[str]], name: str) -> int:
    """``limit`` or ``offset``: a non-negative integer in ASCII digits (the last one given)."""
    given = params.get(name)
    if not given:
        return 0
    value = given[-1]
    if not (value.isascii() and value.isdigit()):
        raise bad_request(f'The "{name}" parameter must be a non-negative integer, not "{value}"')
    return int(value)


def _known_tag(name: str) -> TagInfo | None:
    """The attribute a query key or ``includefield`` names (keyword or tag), None if none."""
    try:
        return resolve_tag(name) if name else None
    except OrthancError as exc:
        if exc.code is ErrorCode.UNKNOWN_DICOM_TAG:
            return None
        raise


def _tag_info(tag: int) -> TagInfo:
    return resolve_tag(f"{tag:08X}")


def _as_list(value: str) -> str:
    """A list of values in the ``/tools/find`` form (backslash-separated): commas (also sent
    as ``%2C``, which the URL decoding already undid) and backslashes separate values."""
    return value.replace(",", "\\")


def answer_dataset(
    fields: Iterable[TagInfo],
    values: Mapping[str, str],
    retrieve_url: str,
    default_encoding: str,
) -> DicomJson:
    """One match in DICOM JSON: the ``fields`` that have a value (``values`` keyed by keyword,
    or by ``gggg,eeee`` for tags without one, as the search engine answers them), the
    Retrieve URL and the Specific Character Set."""
    dataset: DicomJson = {}
    for tag in fields:
        value = values.get(tag.keyword or tag.hex)
        if value is not None:
            dataset[f"{tag.tag:08X}"] = _element(tag.vr, value)
    dataset[f"{RETRIEVE_URL:08X}"] = {"vr": "UR", "Value": [retrieve_url]}
    charset = specific_character_set(values.values(), default_encoding)
    if charset is not None:
        dataset[f"{SPECIFIC_CHARACTER_SET:08X}"] = {"vr": "CS", "Value": [charset]}
    return dict(sorted(dataset.items()))


def _element(vr: str, value: str) -> DicomJson:
    """A value of Orthanc's textual form as a DICOM JSON element: binary numbers (US, FL...)
    as numbers, as the plugin writes them; the rest as ``/file``'s DICOM JSON does."""
    if vr not in NUMERIC_VRS or not value:
        return value_element(vr, value)
    numbers: list[Any] = []
    for part in value.split("\\"):
        try:
            numbers.append(float(part) if vr in ("FL", "FD") else int(part))
        except ValueError:
            break  # as DICOM JSON reads numbers: up to the first malformed one
    return {"vr": vr, "Value": numbers} if numbers else {"vr": vr}


def specific_character_set(values: Iterable[str], default_encoding: str) -> str | None:
    """The term the answer names: the default encoding's (as the plugin, which writes its
    answers in it), or ``ISO_IR 192`` when a value has characters that encoding cannot
    hold (the plugin loses them). None for an encoding without a term (Windows1251)."""
    encoding = BY_NAME[default_encoding]
    codec = encoding.codec or "ascii"
    for value in values:
        try:
            value.encode(codec)
        except UnicodeEncodeError:
            return UTF8_TERM
    return encoding.term


def retrieve_url(base_url: str, level: Level, values: Mapping[str, str]) -> str:
    """The WADO-RS URL of a match (``base_url`` ends with ``/dicom-web/``)."""
    url = f"{base_url}studies/{values.get('StudyInstanceUID', '')}"
    if level is not Level.STUDY:
        url += f"/series/{values.get('SeriesInstanceUID', '')}"
    if level is Level.INSTANCE:
        url += f"/instances/{values.get('SOPInstanceUID', '')}"
    return url


def url_tags(level: Level) -> list[TagInfo]:
    """The UIDs a match's Retrieve URL is made of."""
    tags = [STUDY_INSTANCE_UID, SERIES_INSTANCE_UID, SOP_INSTANCE_UID]
    return [_tag_info(tag) for tag in tags[: {Level.STUDY: 1, Level.SERIES: 2}.get(level, 3)]]
