"""Values of the ``Replace`` option written into DICOM elements, as Orthanc writes them.

Orthanc turns a JSON value into an element with the same code as ``/tools/create-dicom``
(DCMTK's ``FromJson``), which ``chalicelib.dicom.creation`` already reproduces byte for
byte: a string is the element's value in UTF-8, converted to the data set's character set
(``\\`` separates values); the VR is DCMTK's dictionary's (a private tag's from the private
dictionary of the ``PrivateCreator`` option's creator, UN when unknown); numbers are parsed as
boost::lexical_cast parses them; a ``data:application/octet-stream;base64,`` URI is decoded
to raw bytes (a data URI image in PixelData is embedded, with its Image Pixel module); null
is the empty string; a list of objects is a sequence. Anything else is Orthanc's 400, with
its details.

The elements are built in a ``Draft`` holding the data set's character set and the tags an
embedded image or PDF writes only if absent, then handed to pydicom.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalicelib.dicom.charsets import DEFAULT
from chalicelib.dicom.creation import (
    CONVERSION_TYPE,
    MIME_TYPE_OF_ENCAPSULATED_DOCUMENT,
    MODALITY,
    PHOTOMETRIC_INTERPRETATION,
    SPECIFIC_CHARACTER_SET,
    Draft,
)
from chalicelib.dicom.json_values import Element, Item, Options, from_json
from chalicelib.dicom.tag_values import element_text
from chalicelib.errors import ErrorCode, OrthancError, ServerFault

if TYPE_CHECKING:
    from pydicom.dataelem import DataElement
    from pydicom.dataset import Dataset

# The largest image a data URI may embed in PixelData (what the default MaximumUploadSize
# lets /tools/create-dicom embed).
MAX_EMBEDDED_PIXEL_BYTES = 100 * 1024 * 1024
_PADDED_BINARY_VRS = frozenset({"OB", "UN"})
# What the draft must know of the data set: its character set, and the tags an embedded image
# or PDF writes only when the file lacks them.
_CONTEXT_TAGS = (
    SPECIFIC_CHARACTER_SET,
    PHOTOMETRIC_INTERPRETATION,
    MODALITY,
    CONVERSION_TYPE,
    MIME_TYPE_OF_ENCAPSULATED_DOCUMENT,
)


def replaced_elements(
    dataset: Dataset,
    tag: int,
    value: Any,
    private_creator: str,
    nested: bool = False,
    default_encoding: str = DEFAULT,
) -> list[DataElement]:
    """The elements Orthanc writes for ``tag`` set to ``value`` in ``dataset``: one, or
    several for a data URI image embedded in PixelData; none for a group length, which the
    writer computes. ``nested``: a path into a sequence, whose element Orthanc builds with
    FromJson alone, without the top level's cases (an empty string is then parsed like any
    other, a data URI image is not embedded). Text is written in the data set's character
    set, in ``default_encoding`` (an Orthanc name) if it has none, as Orthanc does."""
    if not tag & 0xFFFF:
        return []
    context = _context(dataset)
    draft = Draft(MAX_EMBEDDED_PIXEL_BYTES, dict(context), default_encoding)
    options = Options(True, private_creator)
    try:
        if nested:
            draft.elements[tag] = from_json(tag, value, options, draft.encoding())
        else:
            draft.replace(tag, value, options)
    except ServerFault as fault:
        if fault.code is not ErrorCode.UNKNOWN_DICOM_TAG:
            raise
        # create-dicom answers Orthanc's 500 here; an unknown tag in a modification is the
        # client's 400, as the tags of the options are (docs/compatibility.md, "Errors").
        raise OrthancError(fault.code, fault.details) from None
    encodings = _encodings(draft.elements.get(SPECIFIC_CHARACTER_SET))
    return [
        _pydicom_element(written_tag, element, encodings)
        for written_tag, element in sorted(draft.elements.items())
        if context.get(written_tag) != element or written_tag == tag
    ]


def _context(dataset: Dataset) -> Item:
    """The context tags of ``dataset`` as draft elements (text in the file's bytes)."""
    context: Item = {}
    for tag in _CONTEXT_TAGS:
        element = dataset.get(tag)
        if element is not None and element.VR != "SQ":
            context[tag] = (element.VR, element_text(element).encode("latin-1", "replace"))
    return context


def _encodings(charset: Element | None) -> list[str]:
    """pydicom's codecs for a Specific Character Set element of the draft."""
    from pydicom.charset import convert_encodings

    terms = ["ISO_IR 6"]
    if charset is not None and isinstance(charset[1], bytes):
        terms = charset[1].decode("latin-1").split("\\")
    return convert_encodings(terms)


def _pydicom_element(tag: int, element: Element, encodings: list[str]) -> DataElement:
    """A draft element (DCMTK's VR and value bytes, or items) as a pydicom element."""
    from pydicom.dataelem import DataElement, RawDataElement, convert_raw_data_element
    from pydicom.dataset import Dataset
    from pydicom.sequence import Sequence
    from pydicom.tag import BaseTag

    vr, value = element
    if isinstance(value, list):
        items = []
        for item in value:
            dataset = Dataset()
            for child, child_element in sorted(item.items()):
                dataset[child] = _pydicom_element(child, child_element, encodings)
            items.append(dataset)
        return DataElement(tag, "SQ", Sequence(items))
    if vr in _PADDED_BINARY_VRS and len(value) % 2:
        value += b"\0"  # DCMTK pads an odd binary value; pydicom writes UN as it is
    raw = RawDataElement(BaseTag(tag), vr, len(value), value, 0, False, True)
    return convert_raw_data_element(raw, encoding=encodings)
