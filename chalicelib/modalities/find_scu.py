"""C-FIND as a service class user: one identifier sent to a modality, its answers collected.

Orthanc 1.10.1 queries the Patient Root model at the patient level and the Study Root model
at the others; so does Cirrus. The identifier comes as ``gggg,eeee`` -> text (see
``dicom/query_normalization.py``) and each answer goes back the same way, as Orthanc's
``/queries/{id}/answers`` show it: sequences left out, and the file meta elements Orthanc's
answer files carry (``MediaStorageSOPClassUID``/``MediaStorageSOPInstanceUID``, copies of
``SOPClassUID``/``SOPInstanceUID``) added.
"""

from __future__ import annotations

from typing import Any

from chalicelib.modalities import scu
from chalicelib.modalities.definition import Modality

LATIN1 = "ISO_IR 100"  # what Orthanc declares in every query
UTF8 = "ISO_IR 192"  # when a value does not fit in Latin-1
_PENDING = {0xFF00, 0xFF01}
_SUCCESS_OR_CANCEL = {0x0000, 0xFE00}
_NUMBERS = {"US": int, "SS": int, "UL": int, "SL": int, "UV": int, "SV": int}
_NUMBERS |= {"FL": float, "FD": float}
# What Orthanc adds to the status in its message, by the status' first hex digit.
_FAILURES = {0xC: " (unable to process - invalid query ?)"}
# Answer tag -> the file meta tag Orthanc adds with the same value.
_META_COPIES = {"0008,0016": "0002,0002", "0008,0018": "0002,0003"}


class FindFailed(scu.DicomUnavailable):
    """The modality answered the C-FIND with a failure status (Orthanc answers 422)."""


class BadValue(ValueError):
    """A query value the tag's VR cannot hold; the message says which."""


def find(
    modality: Modality,
    local_aet: str,
    timeout: float | None,
    dataset: Any,
) -> list[dict[str, str]]:
    """C-FIND an identifier made by :func:`build_identifier`; the answers. DicomUnavailable
    if the modality cannot be reached or answers a failure."""
    from pynetdicom.sop_class import (  # type: ignore[attr-defined]
        PatientRootQueryRetrieveInformationModelFind,
        StudyRootQueryRetrieveInformationModelFind,
    )

    model = (
        PatientRootQueryRetrieveInformationModelFind
        if dataset.QueryRetrieveLevel == "PATIENT"
        else StudyRootQueryRetrieveInformationModelFind
    )
    association = scu.associate(modality, local_aet, timeout, [(model, None)])
    answers: list[dict[str, str]] = []
    try:
        for status, answer in association.send_c_find(dataset, model):
            code = status.Status if status else None
            if code in _PENDING:
                if answer is not None:
                    answers.append(answer_values(answer))
                continue
            if code is None:
                raise scu.DicomUnavailable(f'C-FIND to AET "{modality.aet}": no answer')
            if code not in _SUCCESS_OR_CANCEL:
                raise FindFailed(
                    f'C-FIND SCU to AET "{modality.aet}" has failed with DIMSE status '
                    f"0x{code:04X}{_FAILURES.get(code >> 12, '')}"
                )
    finally:
        if association.is_established:
            association.release()
    return answers


def build_identifier(retrieve_level: str, identifier: dict[str, str]) -> Any:
    """The pydicom Dataset of an identifier; BadValue for a value its VR cannot hold."""
    from pydicom.dataelem import DataElement
    from pydicom.dataset import Dataset
    from pydicom.sequence import Sequence

    dataset = Dataset()
    texts = [retrieve_level, *identifier.values()]
    dataset.SpecificCharacterSet = LATIN1 if all(_fits_latin1(t) for t in texts) else UTF8
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
        return text.encode("utf-8")
    if not text and vr in ("IS", "DS"):
        return None
    return text


def _out_of_range(key: str, text: str) -> str:
    return f'While creating a DICOM instance, tag ({key}) has out-of-range value: "{text}"'


def answer_values(answer: Any) -> dict[str, str]:
    """An answer as Orthanc shows it (``?short``): tag -> text, sequences and binary values
    left out; unlike ``/tags``, long values are shown whole."""
    from chalicelib.dicom.orthanc_json import Charset, element_value, full_tags

    values: dict[str, str] = {}
    for key, node in full_tags(answer).items():
        if node["Type"] == "String":
            values[key] = node["Value"]
        elif node["Type"] == "TooLong":
            tag = int(key.replace(",", ""), 16)
            creator = node.get("PrivateCreator")
            values[key] = element_value(answer, tag, creator, Charset.of(answer)) or ""
    for source, meta in _META_COPIES.items():
        if source in values:
            values[meta] = values[source]
    return values


def _fits_latin1(text: str) -> bool:
    try:
        text.encode("latin-1")
    except UnicodeEncodeError:
        return False
    return True
