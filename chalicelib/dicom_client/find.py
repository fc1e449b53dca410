"""C-FIND as a service class user: one identifier sent to a modality, its answers collected.

Orthanc 1.10.1 queries the Patient Root model at the patient level and the Study Root model
at the others; so does Cirrus. The identifier comes as ``gggg,eeee`` -> text (see
``dicom/query_normalization.py``) and each answer goes back the same way, as Orthanc's
``/queries/{id}/answers`` show it: sequences left out, and the file meta elements Orthanc's
answer files carry (``MediaStorageSOPClassUID``/``MediaStorageSOPInstanceUID``, copies of
``SOPClassUID``/``SOPInstanceUID``) added.

Worklists (``/modalities/{id}/find-worklist``) use the Modality Worklist model; there the
identifier is a JSON tree whose sequences are lists of objects, and the answers keep theirs
(``dicom/query_json.py`` shows them).
"""

from __future__ import annotations

from typing import Any

from chalicelib.dicom.charsets import DEFAULT, Encoding, by_term, charset_for, named
from chalicelib.dicom_client.association import Associate
from chalicelib.errors import RemoteError, RemoteUnprocessable
from chalicelib.remotes.modality import Modality

_PENDING = {0xFF00, 0xFF01}
_SUCCESS = 0x0000
_UNABLE_TO_PROCESS = 0xC000  # RemoteUnprocessable: the one failure Orthanc reports apart
_NUMBERS = {"US": int, "SS": int, "UL": int, "SL": int, "UV": int, "SV": int}
_NUMBERS |= {"FL": float, "FD": float}
PIXEL_DATA = 0x7FE00010
# Answer tag -> the file meta tag Orthanc adds with the same value.
_META_COPIES = {"0008,0016": "0002,0002", "0008,0018": "0002,0003"}
_SPECIFIC_CHARACTER_SET = "0008,0005"


class BadValue(ValueError):
    """A query value the tag's VR cannot hold; the message says which."""


def find(
    associate: Associate, modality: Modality, dataset: Any, default_encoding: str = DEFAULT
) -> list[dict[str, str]]:
    """C-FIND an identifier made by :func:`build_identifier`; the answers, read in
    ``default_encoding`` (an Orthanc name) when they have no SpecificCharacterSet.
    RemoteError if the modality cannot be reached or answers a failure."""
    from pynetdicom.sop_class import (  # type: ignore[attr-defined]
        PatientRootQueryRetrieveInformationModelFind,
        StudyRootQueryRetrieveInformationModelFind,
    )

    model = (
        PatientRootQueryRetrieveInformationModelFind
        if dataset.QueryRetrieveLevel == "PATIENT"
        else StudyRootQueryRetrieveInformationModelFind
    )
    answers = _c_find(associate, modality, dataset, model)
    return [answer_values(answer, default_encoding) for answer in answers]


def find_worklist(
    associate: Associate, modality: Modality, dataset: Any, default_encoding: str = DEFAULT
) -> list[dict[str, Any]]:
    """C-FIND (Modality Worklist) an identifier made by :func:`build_worklist_identifier`;
    the answers in Orthanc's full JSON format, re-encoded in ``default_encoding``."""
    from pynetdicom.sop_class import (  # type: ignore[attr-defined]
        ModalityWorklistInformationFind,
    )

    from chalicelib.dicom.query_json import worklist_answer

    answers = _c_find(associate, modality, dataset, ModalityWorklistInformationFind)
    return [worklist_answer(answer, default_encoding) for answer in answers]


def _c_find(associate: Associate, modality: Modality, dataset: Any, model: Any) -> list[Any]:
    """The answer datasets of one C-FIND, their elements raw (read as Orthanc reads them,
    not by pydicom). As Orthanc, only a final Success status is a success: Cancel and
    Warning fail the request too."""
    from pynetdicom import _config

    # Logging an answer would decode its values with pydicom's character sets first.
    _config.LOG_RESPONSE_IDENTIFIERS = False
    association = associate([(model, None)])
    answers: list[Any] = []
    try:
        for status, answer in association.send_c_find(dataset, model):
            code = status.Status if status else None
            if code in _PENDING:
                if answer is not None:
                    answers.append(answer)
                continue
            if code is None:
                raise RemoteError(f'C-FIND to AET "{modality.aet}": no answer')
            if code != _SUCCESS:
                message = f'C-FIND SCU to AET "{modality.aet}" has failed with DIMSE status '
                if code == _UNABLE_TO_PROCESS:
                    raise RemoteUnprocessable(
                        f"{message}0xC000 (unable to process - invalid query ?)"
                    )
                raise RemoteError(f"{message}0x{code:04X}")
    finally:
        if association.is_established:
            association.release()
    return answers


def build_identifier(
    retrieve_level: str, identifier: dict[str, str], default_encoding: str = DEFAULT
) -> Any:
    """The pydicom Dataset of an identifier, in the character set of ``default_encoding``
    (an Orthanc name) as Orthanc's, UTF-8 where a value does not fit (``charset_for``), or
    in the one the identifier names; BadValue for a value its VR cannot hold."""
    from pydicom.dataelem import DataElement
    from pydicom.dataset import Dataset
    from pydicom.sequence import Sequence

    dataset = Dataset()
    charset = charset_for([retrieve_level, *identifier.values()], default_encoding)
    if charset is not None:
        dataset.SpecificCharacterSet = charset
    dataset.QueryRetrieveLevel = retrieve_level
    for key, text in identifier.items():
        tag = int(key.replace(",", ""), 16)
        vr = _vr(tag)
        if vr == "SQ":
            if text:
                raise BadValue(_out_of_range(key, text))
            dataset.add(DataElement(tag, vr, Sequence()))
            continue
        dataset.add(DataElement(tag, vr, _value(key, vr, text)))
    return dataset


def build_worklist_identifier(query: dict[str, Any], default_encoding: str = DEFAULT) -> Any:
    """The pydicom Dataset of a worklist query checked by
    ``query_normalization.worklist_query``, as Orthanc builds it: in its own
    SpecificCharacterSet if it has one, else in ``default_encoding`` (an Orthanc name; its
    term written, none for Windows1251), characters the encoding cannot hold dropped.
    BadValue for a value its VR cannot hold."""
    from pydicom.dataset import Dataset

    given = str(query.get(_SPECIFIC_CHARACTER_SET) or "")
    terms = [term for term in given.split("\\") if term.strip(" ")]
    encoding = named(default_encoding)
    if terms:  # a term Orthanc knows: worklist_query refused the others
        encoding = by_term(terms[0]) or encoding
    dataset = Dataset()
    charset = given if terms else encoding.term
    if charset is not None:
        dataset.SpecificCharacterSet = charset
    _fill(dataset, {k: v for k, v in query.items() if k != _SPECIFIC_CHARACTER_SET}, encoding)
    return dataset


def _fill(dataset: Any, query: dict[str, Any], encoding: Encoding) -> None:
    """Add ``query``'s tags to ``dataset``, sequences as lists of datasets, text values as
    the bytes of ``encoding`` (the data set may name no character set)."""
    from pydicom.dataelem import DataElement, RawDataElement
    from pydicom.dataset import Dataset
    from pydicom.sequence import Sequence
    from pydicom.tag import BaseTag

    from chalicelib.dicom.query_json import representable

    codec = encoding.codec or "ascii"
    for key, value in sorted(query.items()):
        tag = int(key.replace(",", ""), 16)
        vr = _vr(tag)
        if tag == PIXEL_DATA:
            raise BadValue("")
        if vr == "SQ":
            if isinstance(value, str) and value:
                raise BadValue(_out_of_range(key, value))
            items = []
            for item in value or []:
                items.append(Dataset())
                _fill(items[-1], item, encoding)
            dataset.add(DataElement(tag, vr, Sequence(items)))
            continue
        element = _value(key, vr, representable(value, encoding))
        if isinstance(element, str):
            data = element.encode(codec)
            data += (b"\0" if vr == "UI" else b" ") * (len(data) % 2)  # even, padded as DCMTK
            dataset[tag] = RawDataElement(BaseTag(tag), vr, len(data), data, 0, False, True)
        else:
            dataset.add(DataElement(tag, vr, element))


def _vr(tag: int) -> str:
    from pydicom import datadict

    if (tag >> 16) % 2 and 0x0010 <= tag & 0xFFFF <= 0x00FF:
        return "LO"  # a private creator
    try:
        return str(datadict.dictionary_VR(tag)).split(" or ")[0]
    except KeyError:
        return "UN"


def _value(key: str, vr: str, text: str) -> Any:
    if vr in _NUMBERS:
        try:
            numbers = [_NUMBERS[vr](part) for part in text.split("\\") if part]
        except ValueError as exc:
            raise BadValue(_out_of_range(key, text)) from exc
        return numbers[0] if len(numbers) == 1 else numbers
    if vr in ("OB", "OW", "OD", "OF", "OL", "OV", "UN"):
        data = text.encode("utf-8")
        return data + b"\0" * (len(data) % 2)  # even length, padded as DCMTK pads
    if vr in ("IS", "DS"):
        if not text:
            return None
        from pydicom.valuerep import DS, IS

        try:  # pydicom cannot send what is not a number (Orthanc sends it as is)
            [DS(part) if vr == "DS" else IS(part) for part in text.split("\\")]
        except ValueError as exc:
            raise BadValue(_out_of_range(key, text)) from exc
    return text


def _out_of_range(key: str, text: str) -> str:
    return f'While creating a DICOM instance, tag ({key}) has out-of-range value: "{text}"'


def answer_values(answer: Any, default_encoding: str = DEFAULT) -> dict[str, str]:
    """An answer as Orthanc shows it (``?short``): tag -> text, sequences and binary values
    left out; unlike ``/tags``, long values are shown whole. Orthanc keeps an answer in its
    default encoding (an Orthanc name): read in it without SpecificCharacterSet, characters
    it lacks dropped, and its term as SpecificCharacterSet (Windows1251 has none)."""
    from chalicelib.dicom.orthanc_json import full_tags
    from chalicelib.dicom.query_json import representable
    from chalicelib.dicom.tag_values import Charset, element_value

    values: dict[str, str] = {}
    encoding = named(default_encoding)
    charset = Charset.of(answer, default_encoding)
    for key, node in full_tags(answer, default_encoding=default_encoding).items():
        if node["Type"] == "String":
            values[key] = representable(node["Value"], encoding)
        elif node["Type"] == "TooLong":
            tag = int(key.replace(",", ""), 16)
            creator = node.get("PrivateCreator")
            text = element_value(answer, tag, creator, charset) or ""
            values[key] = representable(text, encoding)
    if encoding.term is not None:
        values[_SPECIFIC_CHARACTER_SET] = encoding.term
    for source, meta in _META_COPIES.items():
        if source in values:
            values[meta] = values[source]
    return dict(sorted(values.items()))
