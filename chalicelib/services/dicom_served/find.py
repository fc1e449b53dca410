"""C-FIND (Patient and Study Root Query/Retrieve - FIND) as Orthanc 1.10.1 answers it,
translated to and from the search engine of ``/tools/find`` (``services/search/find.py``).

Pure translation, no AWS and no network: an identifier (a pydicom ``Dataset``) becomes a
``FindQuery``, and the values the engine finds become answer datasets. The rules, probed on
a real Orthanc 1.10.1:

* ``QueryRetrieveLevel`` PATIENT/STUDY/SERIES/IMAGE (or INSTANCE, in any case) is the level;
  missing or unknown, the request fails.
* Every other non-empty element is a constraint with ``/tools/find``'s matching (ranges on
  DA/TM/DT, ``\\`` lists, ``*``/``?`` wildcards), case-sensitive except on PN (Orthanc's
  ``CaseSensitivePN`` is false by default). ``SpecificCharacterSet`` is not a constraint, and
  sequences are neither constraints nor returned.
* Every element is a return key: the answer holds each of them (empty when the resource has no
  value), plus ``QueryRetrieveLevel`` as the query wrote it, ``RetrieveAETitle`` (the server's
  AE title) and ``SpecificCharacterSet``. Values are the main tags of the query level and of
  its ancestors; the computed attributes (``NumberOf...Related...``, ``ModalitiesInStudy``,
  ``SOPClassesInStudy``) at the level they belong to. Once a key is not a main tag at all,
  Orthanc reads every value from one instance of the resource: main tags of deeper levels
  then get that instance's values too (``from_instance``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pydicom.dataelem import DataElement, RawDataElement
from pydicom.dataset import Dataset

from chalicelib.dicom.charsets import DEFAULT, charset_for
from chalicelib.dicom.identifiers import QUERY_RETRIEVE_LEVEL, QUERY_RETRIEVE_LEVELS
from chalicelib.dicom.matching import TagInfo, parse_constraint, resolve_tag
from chalicelib.dicom.tag_values import Charset, element_text, element_value
from chalicelib.errors import bad_request
from chalicelib.services.search.find import main_tag_level
from chalicelib.services.search.query import FindQuery

SPECIFIC_CHARACTER_SET = 0x00080005
RETRIEVE_AE_TITLE = 0x00080054

# Computed by Orthanc at their level, never read from a file.
COMPUTED = frozenset(
    {
        "ModalitiesInStudy",
        "SOPClassesInStudy",
        "NumberOfStudyRelatedSeries",
        "NumberOfStudyRelatedInstances",
        "NumberOfPatientRelatedStudies",
        "NumberOfPatientRelatedSeries",
        "NumberOfPatientRelatedInstances",
        "NumberOfSeriesRelatedInstances",
    }
)
# Values Orthanc never puts in an answer: it answers them empty.
_BINARY_VRS = frozenset({"OB", "OD", "OF", "OL", "OV", "OW", "UN"})
_NUMBERS = {
    "US": int,
    "SS": int,
    "UL": int,
    "SL": int,
    "UV": int,
    "SV": int,
    "FL": float,
    "FD": float,
}


@dataclass(frozen=True)
class ReturnKey:
    """One element of the identifier, to be given back in every answer."""

    tag: TagInfo
    vr: str

    @property
    def name(self) -> str:
        """The key of this tag in the engine's ``RequestedTags`` values."""
        return self.tag.keyword or self.tag.hex


@dataclass
class FindRequest:
    """An identifier, read: the engine's query and what each answer must hold."""

    query: FindQuery
    level_text: str  # QueryRetrieveLevel as written in the query, echoed in the answers
    return_keys: list[ReturnKey] = field(default_factory=list)
    from_instance: bool = False
    # Orthanc's DefaultEncoding when the request came: the character set of the answers.
    default_encoding: str = DEFAULT


def parse_identifier(identifier: Dataset, default_encoding: str = DEFAULT) -> FindRequest:
    """The search an identifier asks for; an ``OrthancError`` if it cannot be run (no or an
    unknown level, a malformed range, a wildcard on a UID...), which a C-FIND answers with a
    failure status. An identifier without SpecificCharacterSet is read in
    ``default_encoding`` (an Orthanc name), as Orthanc reads it."""
    texts = _default_encoded_texts(identifier, default_encoding)
    level_text = element_text(identifier.get(QUERY_RETRIEVE_LEVEL)).strip()
    level = QUERY_RETRIEVE_LEVELS.get(level_text.upper())
    if level is None:
        raise bad_request(
            f"C-FIND request with an unknown QueryRetrieveLevel: {level_text!r}"
            if level_text
            else "C-FIND request without the tag 0008,0052 (QueryRetrieveLevel)"
        )
    request = FindRequest(FindQuery(level=level), level_text, default_encoding=default_encoding)
    for element in identifier:
        if element.tag in (QUERY_RETRIEVE_LEVEL, SPECIFIC_CHARACTER_SET):
            continue
        if element.tag.element == 0 or element.VR == "SQ":
            continue  # group lengths; sequences to return are not supported
        tag = resolve_tag(f"{element.tag:08X}")
        key = ReturnKey(tag, element.VR if tag.vr == "UN" else tag.vr)
        request.return_keys.append(key)
        if tag.keyword not in COMPUTED and main_tag_level(tag, level) is None:
            request.from_instance = True
        value = "" if key.vr in _BINARY_VRS else texts.get(tag.tag, element_text(element))
        if value:
            request.query.constraints.append(parse_constraint(tag, value, tag.vr != "PN"))
    # /tools/find answers InstanceAvailability "ONLINE"; Orthanc 1.10.1's C-FIND does not.
    request.query.requested_tags = [
        key.tag for key in request.return_keys if key.tag.keyword != "InstanceAvailability"
    ]
    return request


def answer_dataset(request: FindRequest, values: dict[str, str], retrieve_aet: str) -> Dataset:
    """One C-FIND answer: every return key, with the resource's value or empty."""
    texts = {key.name: values.get(key.name, "") for key in request.return_keys}
    answer = Dataset()
    charset = charset_for([*texts.values(), request.level_text], request.default_encoding)
    if charset is not None:
        answer.SpecificCharacterSet = charset
    answer.QueryRetrieveLevel = request.level_text
    answer.RetrieveAETitle = retrieve_aet
    for key in request.return_keys:
        answer.add(_element(key, texts[key.name]))
    return answer


def _default_encoded_texts(identifier: Dataset, default_encoding: str) -> dict[int, str]:
    """The non-ASCII text values of an identifier without SpecificCharacterSet, decoded in
    the default encoding as Orthanc decodes them (pydicom would read Latin-1). Read before
    anything converts the elements: the raw bytes are needed."""
    if SPECIFIC_CHARACTER_SET in identifier:
        return {}
    charset = Charset.of(identifier, default_encoding)
    texts = {}
    for tag in identifier.keys():  # noqa: SIM118 - iterating would convert every element
        raw = identifier.get_item(tag)
        data = raw.value if isinstance(raw, RawDataElement) else None
        if isinstance(data, bytes) and not data.isascii():
            text = element_value(identifier, int(tag), None, charset)
            if text is not None:
                texts[int(tag)] = text
    return texts


def _element(key: ReturnKey, text: str) -> DataElement:
    if key.vr in _BINARY_VRS:
        return DataElement(key.tag.tag, key.vr, b"")
    parts = text.split("\\") if key.vr not in ("LT", "ST", "UT", "UR") else [text]
    if key.vr in _NUMBERS:
        try:
            numbers = [_NUMBERS[key.vr](part) for part in parts if part]
        except ValueError:
            numbers = []  # not a number: Orthanc could not send it either
        return DataElement(key.tag.tag, key.vr, numbers[0] if len(numbers) == 1 else numbers)
    if not text and key.vr in ("IS", "DS"):
        return DataElement(key.tag.tag, key.vr, None)
    return DataElement(key.tag.tag, key.vr, parts if len(parts) > 1 else text)
