"""The C-FIND identifier Orthanc 1.10.1 sends for a REST query (``/modalities/{id}/query``,
the older ``/modalities/{id}/find-*`` and the drill-down ``/queries/{id}/answers/{i}/query-*``).

Pure Python, no AWS and no network; pydicom only to resolve tag names, lazily. The rules were
probed on a real Orthanc 1.10.1 with a C-FIND SCP recording what it receives
(docs/notes/orthanc-dicom-observed.md):

* ``Level`` is Patient, Study, Series, Instance or Image, in any case;
* ``Query`` maps tags (keywords, case-sensitive, or ``gggg,eeee``/``ggggeeee``) to strings;
* with ``Normalize`` (the default) only the tags of the DICOM modules of the level and of the
  levels above it are sent, plus the level's own counters (``NumberOf...Related...``,
  ``ModalitiesInStudy``, ``SOPClassesInStudy``); anything else, private tags included, is
  dropped. Sequences may only be asked for empty (as return keys);
* whatever ``Normalize`` says, the identifying tags of the level and of the levels above it
  (PatientID; AccessionNumber and StudyInstanceUID; SeriesInstanceUID; SOPInstanceUID) are
  added, empty, when the query does not constrain them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from chalicelib.errors import ErrorCode, OrthancError, ServerFault, bad_file

LEVELS = ("Patient", "Study", "Series", "Instance")
# QueryRetrieveLevel as Orthanc sends it, per level.
RETRIEVE_LEVELS = {"Patient": "PATIENT", "Study": "STUDY", "Series": "SERIES", "Instance": "IMAGE"}
_LEVEL_NAMES = {"patient": "Patient", "study": "Study", "series": "Series", "instance": "Instance"}
_LEVEL_NAMES["image"] = "Instance"

PATIENT_ID = "0010,0020"
ACCESSION_NUMBER = "0008,0050"
STUDY_UID = "0020,000d"
SERIES_UID = "0020,000e"
SOP_INSTANCE_UID = "0008,0018"
SOP_CLASS_UID = "0008,0016"

# The identifying tags each level adds to the identifier (those of the levels above too).
_IDENTIFIERS = {
    "Patient": (PATIENT_ID,),
    "Study": (ACCESSION_NUMBER, STUDY_UID),
    "Series": (SERIES_UID,),
    "Instance": (SOP_INSTANCE_UID,),
}

# Tags Orthanc keeps when normalizing, per level: its modules' tags (kept by the deeper levels
# too) and the level's own computed counters (kept by that level only). Probed, not copied.
_MODULES = {
    "Patient": """0008,1120 0010,0010 0010,0020 0010,0021 0010,0024 0010,0030 0010,0032
        0010,0040 0010,1000 0010,1001 0010,1002 0010,2160 0010,2201 0010,2202 0010,2292
        0010,2293 0010,2294 0010,2297 0010,2298 0010,2299 0010,4000 0012,0062 0012,0063
        0012,0064""",
    "Study": """0008,0020 0008,0030 0008,0050 0008,0051 0008,0090 0008,0096 0008,1030
        0008,1032 0008,1048 0008,1049 0008,1060 0008,1062 0008,1110 0020,000d 0020,0010
        0032,1034 0040,1012""",
    "Series": """0008,0021 0008,0031 0008,0060 0008,103e 0008,103f 0008,1050 0008,1052
        0008,1070 0008,1072 0008,1111 0008,1250 0010,2210 0018,0015 0018,1030 0018,5100
        0020,000e 0020,0011 0020,0060 0028,0108 0040,0244 0040,0245 0040,0253 0040,0254
        0040,0260 0040,0275 0040,0280""",
    "Instance": """0008,0012 0008,0013 0008,0014 0008,0016 0008,0018 0008,001a 0008,001b
        0008,0110 0008,0201 0018,a001 0020,0013 0028,0303 0040,a390 0100,0410 0100,0420
        0100,0424 0100,0426 0400,0500 0400,0561 4ffe,0001 fffa,fffa""",
}
_COUNTERS = {
    "Patient": "0020,1200 0020,1202 0020,1204",
    "Study": "0008,0061 0008,0062 0020,1206 0020,1208",
    "Series": "0020,1209",
    "Instance": "",
}

# The older /modalities/{id}/find-* routes send exactly these tags, the body's values over
# empty ones; they ignore every other tag of the body.
LEGACY_TEMPLATES = {
    "Patient": ("0010,0010", PATIENT_ID, "0010,0030", "0010,0040", "0010,1000"),
    "Study": (
        "0008,0020",
        "0008,0030",
        ACCESSION_NUMBER,
        "0008,0090",
        "0008,1030",
        PATIENT_ID,
        STUDY_UID,
        "0020,0010",
    ),  # fmt: skip
    "Series": (
        "0008,0021",
        "0008,0031",
        ACCESSION_NUMBER,
        "0008,0060",
        "0008,103e",
        "0008,1070",
        PATIENT_ID,
        "0018,0015",
        "0018,1030",
        STUDY_UID,
        SERIES_UID,
        "0020,0011",
        "0040,0254",
    ),  # fmt: skip
    "Instance": (
        "0008,0012",
        "0008,0013",
        SOP_INSTANCE_UID,
        ACCESSION_NUMBER,
        PATIENT_ID,
        STUDY_UID,
        SERIES_UID,
        "0020,0013",
    ),  # fmt: skip
}

# What a drill-down query copies from the answer it starts from, per level of that answer.
_DRILL_DOWN_KEYS = {
    "Patient": (PATIENT_ID,),
    "Study": (STUDY_UID,),
    "Series": (STUDY_UID, SERIES_UID),
}
QUERY_EXPECTED = "Associative array of DICOM tags to strings expected in field: Query"
QUERY_NOT_AN_OBJECT = "The field Query must contain a JSON object"


def _above(level: str) -> tuple[str, ...]:
    """``level`` and the levels above it, from Patient down."""
    return LEVELS[: LEVELS.index(level) + 1]


def allowed_tags(level: str) -> frozenset[str]:
    """The tags a normalized query at ``level`` keeps."""
    tags = {tag for upper in _above(level) for tag in _MODULES[upper].split()}
    return frozenset(tags | set(_COUNTERS[level].split()))


def parse_level(value: Any) -> str:
    """``Level`` of a request: Patient/Study/Series/Instance (Image is Instance), any case."""
    level = _LEVEL_NAMES.get(value.lower()) if isinstance(value, str) else None
    if level is None:
        raise OrthancError(ErrorCode.PARAMETER_OUT_OF_RANGE)
    return level


def tag_key(name: str) -> str:
    """``gggg,eeee`` (lowercase) of a tag named by keyword or number; ValueError if unknown."""
    from chalicelib.dicom.matching import resolve_tag

    try:
        return resolve_tag(name).hex
    except OrthancError as exc:
        raise ValueError(name) from exc


def parse_query(raw: Any, not_an_object: str = QUERY_NOT_AN_OBJECT) -> dict[str, str]:
    """The ``Query`` of a request, by tag; Orthanc's 400 for anything but tags to strings
    (``not_an_object`` when it is not even an object: the drill-down routes say it
    differently)."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise bad_file(not_an_object)
    query: dict[str, str] = {}
    for name, value in raw.items():
        if not isinstance(value, str):
            raise bad_file(QUERY_EXPECTED)
        try:
            query[tag_key(name)] = value
        except ValueError as exc:
            raise bad_file(QUERY_EXPECTED) from exc
    return query


def identifier(level: str, query: Mapping[str, str], normalize: bool = True) -> dict[str, str]:
    """The C-FIND identifier (tag -> value, without QueryRetrieveLevel and
    SpecificCharacterSet) Orthanc sends for ``query`` at ``level``."""
    allowed = allowed_tags(level) if normalize else None
    sent = {tag: value for tag, value in query.items() if allowed is None or tag in allowed}
    for upper in _above(level):
        for tag in _IDENTIFIERS[upper]:
            sent.setdefault(tag, "")
    return sent


def legacy_identifier(
    level: str, body: Mapping[str, Any], guard: bool = True
) -> dict[str, str] | None:
    """The identifier of ``/modalities/{id}/find-<level>``: its template, the body's values
    over it; None when Orthanc refuses to run it (a 400 with an empty body): the study and
    deeper levels want a PatientID or AccessionNumber, and the UIDs of the levels above, each
    longer than two characters, so that a mistyped request does not list a whole archive."""
    template = dict.fromkeys(LEGACY_TEMPLATES[level], "")
    for name, value in body.items():
        try:
            tag = tag_key(name)
        except ValueError as exc:
            raise ServerFault(ErrorCode.UNKNOWN_DICOM_TAG) from exc
        if tag in template:
            template[tag] = value if isinstance(value, str) else _legacy_text(value)
    if guard and level != "Patient":
        required = [max(template[PATIENT_ID], template[ACCESSION_NUMBER], key=len)]
        required += [template[tag] for tag in (STUDY_UID, SERIES_UID)[: LEVELS.index(level) - 1]]
        if any(len(value) <= 2 for value in required):
            return None
    return template


def _legacy_text(value: Any) -> str:
    """A non-string value of a find-* body, as Orthanc reads it (numbers as text)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return ""


def drill_down(
    answer_level: str, child_level: str, answer: Mapping[str, str], query: Mapping[str, str]
) -> dict[str, str] | None:
    """The query of ``/queries/{id}/answers/{i}/query-<child level>``: the request's query with
    the answer's identifying UIDs over it; None if ``child_level`` is not below the answer's."""
    keys = _DRILL_DOWN_KEYS.get(answer_level)
    if keys is None or LEVELS.index(child_level) <= LEVELS.index(answer_level):
        return None
    child = dict(query)
    child.update({tag: answer.get(tag, "") for tag in keys})
    return child


def worklist_query(raw: Any) -> dict[str, Any]:
    """The query of ``/modalities/{id}/find-worklist`` by tag, as Orthanc checks it: tags
    (keywords or numbers) to strings (null is an empty string), sequences to lists of such
    objects, and a SpecificCharacterSet Orthanc knows. Tags are checked in the order of
    their names, as Orthanc's JSON parser sorts them."""
    query = _worklist_item(raw)
    charset = query.get("0008,0005")
    if charset and not _known_charset(charset):
        raise OrthancError(
            ErrorCode.BAD_REQUEST, f'Unknown encoding while creating DICOM from JSON: "{charset}"\n'
        )
    return query


def _worklist_item(raw: Any) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise OrthancError(ErrorCode.BAD_PARAMETER_TYPE)
    item: dict[str, Any] = {}
    for name in sorted(raw):
        try:
            tag = tag_key(name)
        except ValueError as exc:
            raise ServerFault(ErrorCode.UNKNOWN_DICOM_TAG) from exc
        value = raw[name]
        if value is None or isinstance(value, str):
            item[tag] = value or ""
        elif isinstance(value, list) and _is_sequence(tag):
            item[tag] = [_worklist_item(child) for child in value]
        else:
            raise OrthancError(ErrorCode.BAD_PARAMETER_TYPE, f"Bad Parameter type for tag {tag}")
    return item


def _is_sequence(tag: str) -> bool:
    from pydicom import datadict

    try:
        return datadict.dictionary_VR(int(tag.replace(",", ""), 16)) == "SQ"
    except KeyError:
        return False


def _known_charset(value: str) -> bool:
    from pydicom.charset import python_encoding

    return all(term.strip() in python_encoding for term in value.split("\\") if term.strip())
