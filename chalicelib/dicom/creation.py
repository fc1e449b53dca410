"""The DICOM files of ``POST /tools/create-dicom``, built as Orthanc 1.10.1 builds them.

Orthanc builds the data set in steps whose order shows in its answers (which error a request
with two faults gets, which value wins), so Cirrus takes the same steps:

1. new identifiers (a UUID as PatientID; Cirrus's UIDs are ``2.25.<uuid>``), then the
   Specific Character Set (the request's, or the default encoding's: the caller passes
   Orthanc's ``DefaultEncoding``, by name);
2. with a ``Parent``, its character set and the tags of its modules, copied from one of its
   instances;
3. the options checked (``InterpretBinaryTags``, ``PrivateCreator``, ``Force``), the dates and
   times of creation written (UTC);
4. ``Tags`` inserted in the byte order of their names, refusing to override what steps 1-3
   wrote unless ``Force`` (the dates and times and PatientID excepted);
5. ``Content`` embedded: PNG, JPEG or PAM (the Image Pixel module), PDF (Encapsulated PDF), or
   raw pixel bytes; a list makes a series, one instance per item, built one at a time.

Orthanc's deprecated form, a flat object of tag names and strings, is read too.

Values become the bytes DCMTK writes for Orthanc: text in the data set's character set, the
binary numeric VRs parsed as boost::lexical_cast parses them, binary VRs from
``data:application/octet-stream;base64,`` URIs. Elements are kept as those bytes and the file
is written here, as DCMTK writes it (explicit VR little endian, explicit lengths): pydicom
would decode and encode again the values of a data set it did not read itself. Plain Python
without AWS; pydicom (its dictionary), Pillow and imagecodecs are imported inside the
functions (cold start).
"""

from __future__ import annotations

import copy
import struct
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from chalicelib.dicom.charsets import ASCII, DEFAULT, named
from chalicelib.dicom.identifiers import Level
from chalicelib.dicom.image_decoding import Image, decode_jpeg, decode_pam, decode_png
from chalicelib.dicom.json_values import (
    DATA_URI,
    TEXT_VRS,
    WRITTEN_VRS,
    Item,
    Options,
    data_uri,
    element_vr,
    encoding_of,
    from_json,
    in_order,
    is_private_tag,
    parse_tag,
    value_bytes,
)
from chalicelib.dicom.modules import PATIENT_MODULE, SERIES_MODULE, STUDY_MODULE
from chalicelib.dicom.tag_dictionary import format_tag
from chalicelib.errors import ErrorCode, OrthancError, ServerFault, bad_file

SPECIFIC_CHARACTER_SET = 0x00080005
SOP_CLASS_UID = 0x00080016
SOP_INSTANCE_UID = 0x00080018
PATIENT_ID = 0x00100020
STUDY_INSTANCE_UID = 0x0020000D
SERIES_INSTANCE_UID = 0x0020000E
INSTANCE_NUMBER = 0x00200013
IMAGES_IN_ACQUISITION = 0x00201002
NUMBER_OF_TEMPORAL_POSITIONS = 0x00200105
IMAGE_INDEX = 0x00541330
MODALITY = 0x00080060
CONVERSION_TYPE = 0x00080064
SAMPLES_PER_PIXEL = 0x00280002
PHOTOMETRIC_INTERPRETATION = 0x00280004
PLANAR_CONFIGURATION = 0x00280006
ROWS = 0x00280010
COLUMNS = 0x00280011
BITS_ALLOCATED = 0x00280100
BITS_STORED = 0x00280101
HIGH_BIT = 0x00280102
PIXEL_REPRESENTATION = 0x00280103
ENCAPSULATED_DOCUMENT = 0x00420011
MIME_TYPE_OF_ENCAPSULATED_DOCUMENT = 0x00420012
PIXEL_DATA = 0x7FE00010

# (date, time) of creation, of the series, of the study: Orthanc writes them at step 3.
CREATION_TIMES = ((0x00080022, 0x00080032), (0x00080023, 0x00080033), (0x00080012, 0x00080013))
SERIES_TIMES = (0x00080021, 0x00080031)
STUDY_TIMES = (0x00080020, 0x00080030)
# What ``Tags`` may override without ``Force``.
OVERRIDABLE = frozenset(
    {PATIENT_ID, *SERIES_TIMES, *STUDY_TIMES, *(t for pair in CREATION_TIMES for t in pair)}
)

MODULES = {
    Level.PATIENT: PATIENT_MODULE,
    Level.STUDY: PATIENT_MODULE + STUDY_MODULE,
    Level.SERIES: PATIENT_MODULE + STUDY_MODULE + SERIES_MODULE,
}

ENCAPSULATED_PDF_STORAGE = "1.2.840.10008.5.1.4.1.1.104.1"
# The SOP class DCMTK writes in the meta header of a data set without one (Orthanc's images
# have no SOP Class UID).
DCMTK_GENERIC_FILE = "1.2.276.0.7230010.3.1.0.1"
EXPLICIT_VR_LITTLE_ENDIAN = "1.2.840.10008.1.2.1"

# What an unexpected type of JSON value makes Orthanc answer (jsoncpp throws).
UNHANDLED = "An unhandled exception was generated inside the HTTP server"

# The MIME types Orthanc knows, by the name it prints for each (an unknown one is a 400, a
# known one it does not embed a 500).
KNOWN_MIME_TYPES = (
    *("application/octet-stream", "application/dicom", "image/jpeg", "image/jp2"),
    *("application/json", "application/pdf", "image/png", "application/xml", "text/plain"),
    *("image/x-portable-arbitrarymap", "text/html", "application/gzip", "text/css"),
    *("application/javascript", "application/wasm", "image/gif", "application/zip"),
    *("application/x-nacl", "application/x-pnacl", "image/svg+xml", "application/x-font-woff"),
    *("font/woff2", "application/dicom+json", "application/dicom+xml", "image/x-icon"),
)
MIME_TYPES = {**{mime: mime for mime in KNOWN_MIME_TYPES}, "text/xml": "application/xml"}


@dataclass(frozen=True)
class ParentTags:
    """The resource a new instance is attached to, and the tags of one of its instances (in
    Orthanc's full JSON form, as ``/instances/{id}/tags`` shows them)."""

    level: Level
    tags: dict[str, Any]


def new_uid() -> str:
    """A UID under the 2.25 root (a UUID as a decimal number), as Cirrus makes them."""
    return f"2.25.{uuid.uuid4().int}"


# -- the request ------------------------------------------------------------------------------


class Creation:
    """What a request creates: one instance, or a series whose instances are built one at a
    time as they are stored (an item's error then comes after the earlier items are stored,
    as in Orthanc)."""

    def __init__(
        self, draft: Draft, items: list[Any] | None = None, options: Options | None = None
    ) -> None:
        self._draft = draft
        self._items = items
        self._options = options or Options()

    @property
    def is_series(self) -> bool:
        return self._items is not None

    def files(self) -> Iterator[bytes]:
        """The DICOM file of each instance, in order."""
        if self._items is None:
            yield self._draft.file()
            return
        for number, item in enumerate(self._items, 1):
            draft = self._draft.clone()
            payload = item
            if isinstance(item, dict):
                if "Content" not in item:
                    raise OrthancError(ErrorCode.CREATE_DICOM_NO_PAYLOAD)
                payload = item["Content"]
                if "Tags" in item:
                    _inject(draft, item["Tags"], self._options)
            if not isinstance(payload, str):
                raise OrthancError(ErrorCode.CREATE_DICOM_USE_DATA_URI_SCHEME)
            draft.embed(payload)
            draft.put_text(INSTANCE_NUMBER, str(number))
            draft.put_text(IMAGE_INDEX, str(number))
            yield draft.file()


def prepare(
    body: dict[str, Any],
    find_parent: Callable[[str], ParentTags],
    max_pixel_bytes: int,
    now: datetime,
    default_private_creator: str = "",
    default_encoding: str = DEFAULT,
) -> Creation:
    """Read a request body (a JSON object) and build what it asks for; ``find_parent`` is
    called with the ``Parent`` ID where Orthanc looks it up (it raises Orthanc's errors for an
    unknown parent or an instance). Images decoding to more than ``max_pixel_bytes`` are
    refused; ``default_private_creator`` is the configuration's ``DefaultPrivateCreator``,
    ``default_encoding`` Orthanc's name of the current ``DefaultEncoding``."""
    if "Tags" not in body:
        return _version1(body, max_pixel_bytes, default_encoding)
    tags = body["Tags"]
    if not isinstance(tags, dict):
        raise OrthancError(ErrorCode.BAD_REQUEST)
    draft = Draft.with_identifiers(max_pixel_bytes, default_encoding)
    draft.set_encoding(_requested_encoding(tags) or default_encoding)
    parent_level = None
    if "Parent" in body:
        parent = find_parent(_as_string(body["Parent"]))
        parent_level = parent.level
        _copy_parent(draft, parent)
    options = _options(body, default_private_creator)
    _write_times(draft, now, parent_level)
    _inject(draft, tags, options)
    if "Content" not in body:
        return Creation(draft)
    content = body["Content"]
    if isinstance(content, str):
        draft.embed(content)
        return Creation(draft)
    if not isinstance(content, list):
        raise OrthancError(ErrorCode.CREATE_DICOM_USE_DATA_URI_SCHEME)
    if not content:
        return Creation(draft)
    draft.put_text(IMAGES_IN_ACQUISITION, str(len(content)))
    draft.put_text(NUMBER_OF_TEMPORAL_POSITIONS, "1")
    return Creation(draft, content, options)


def _version1(body: dict[str, Any], max_pixel_bytes: int, default_encoding: str) -> Creation:
    """Orthanc's deprecated form: tag names to strings, ``PixelData`` a data URI; no dates,
    no Specific Character Set (values in the default encoding)."""
    draft = Draft.with_identifiers(max_pixel_bytes, default_encoding)
    for name in in_order(body):
        value = body[name]
        if not isinstance(value, str):
            raise OrthancError(ErrorCode.CREATE_DICOM_NOT_STRING)
        tag = parse_tag(name)
        if tag == PIXEL_DATA:
            draft.embed(value)
        else:
            draft.put_text(tag, value)
    return Creation(draft)


def _as_string(value: Any) -> str:
    """A JSON value read as jsoncpp's ``asString`` reads it (an object or array throws)."""
    if isinstance(value, dict | list):
        raise OrthancError(ErrorCode.INTERNAL_ERROR, UNHANDLED)
    return value if isinstance(value, str) else ""


def _requested_encoding(tags: dict[str, Any]) -> str | None:
    """The encoding the request's SpecificCharacterSet names, None without one."""
    if "SpecificCharacterSet" not in tags:
        return None
    requested = tags["SpecificCharacterSet"]
    if not isinstance(requested, str):
        raise OrthancError(ErrorCode.INTERNAL_ERROR, UNHANDLED)
    encoding = encoding_of(requested)
    if encoding is None:
        raise OrthancError(
            ErrorCode.PARAMETER_OUT_OF_RANGE, f"Unknown specific character set: {requested}"
        )
    return encoding


def _copy_parent(draft: Draft, parent: ParentTags) -> None:
    """The parent's character set (the default encoding if it is not one value Orthanc
    knows), then the values of its modules' tags (sequences and values too long to show are
    not copied)."""
    charset = parent.tags.get("0008,0005")
    if charset is not None:
        value = charset.get("Value")
        encoding = encoding_of(value) if isinstance(value, str) else None
        draft.set_encoding(encoding or draft.default_encoding)
    for tag in sorted(set(MODULES[parent.level])):
        entry = parent.tags.get(format_tag(tag))
        if entry is None:
            continue
        if entry.get("Type") == "Null":
            draft.put_text(tag, "")
        elif entry.get("Type") == "String":
            draft.put_text(tag, entry["Value"])


def _options(body: dict[str, Any], default_private_creator: str) -> Options:
    def boolean(key: str, default: bool) -> bool:
        value = body.get(key, default)
        if not isinstance(value, bool):
            raise OrthancError(ErrorCode.BAD_REQUEST)
        return value

    decode_binary = boolean("InterpretBinaryTags", True)
    creator = body.get("PrivateCreator", default_private_creator)
    if not isinstance(creator, str):
        raise OrthancError(ErrorCode.BAD_REQUEST)
    return Options(decode_binary, creator, boolean("Force", False))


def _write_times(draft: Draft, now: datetime, parent_level: Level | None) -> None:
    """Creation date and time everywhere; the series' and study's unless the parent has
    them. Orthanc writes whole seconds with six zero decimals."""
    date, time = now.strftime("%Y%m%d"), now.strftime("%H%M%S") + ".000000"
    pairs = list(CREATION_TIMES)
    if parent_level is not Level.SERIES:
        pairs.append(SERIES_TIMES)
    if parent_level in (None, Level.PATIENT):
        pairs.append(STUDY_TIMES)
    for date_tag, time_tag in pairs:
        draft.put_text(date_tag, date)
        draft.put_text(time_tag, time)


def _inject(draft: Draft, tags: Any, options: Options) -> None:
    """The request's tags, in the byte order of their names (jsoncpp's)."""
    if not isinstance(tags, dict):
        raise OrthancError(ErrorCode.BAD_REQUEST, "Tags field is not an array")
    for name in in_order(tags):
        tag = parse_tag(name)
        if tag == SPECIFIC_CHARACTER_SET:
            continue
        if not options.force and tag not in OVERRIDABLE and draft.has(tag):
            raise OrthancError(ErrorCode.CREATE_DICOM_OVERRIDE_TAG, name)
        if tag == PIXEL_DATA:
            raise OrthancError(ErrorCode.CREATE_DICOM_USE_CONTENT)
        draft.replace(tag, tags[name], options)


# -- the data set being built -----------------------------------------------------------------


class Draft:
    """A data set under construction, with the operations Orthanc's ParsedDicomFile applies;
    images it embeds may decode to ``max_pixel_bytes`` at most. Text goes in as the data
    set's Specific Character Set says, or in ``default_encoding`` (an Orthanc name) when it
    has none."""

    def __init__(
        self, max_pixel_bytes: int, elements: Item | None = None, default_encoding: str = DEFAULT
    ) -> None:
        self.max_pixel_bytes = max_pixel_bytes
        self.elements: Item = elements or {}
        self.default_encoding = default_encoding

    @classmethod
    def with_identifiers(cls, max_pixel_bytes: int, default_encoding: str = DEFAULT) -> Draft:
        draft = cls(max_pixel_bytes, default_encoding=default_encoding)
        draft.put_text(PATIENT_ID, str(uuid.uuid4()))
        for tag in (STUDY_INSTANCE_UID, SERIES_INSTANCE_UID, SOP_INSTANCE_UID):
            draft.put_text(tag, new_uid())
        return draft

    def clone(self) -> Draft:
        """A copy with a new SOP Instance UID."""
        twin = Draft(self.max_pixel_bytes, copy.deepcopy(self.elements), self.default_encoding)
        twin.put_text(SOP_INSTANCE_UID, new_uid())
        return twin

    def has(self, tag: int) -> bool:
        return tag in self.elements

    def encoding(self) -> str:
        """The encoding of the values, by Orthanc's name: the first term of Specific
        Character Set (ASCII if Orthanc does not know it), the default one without one."""
        element = self.elements.get(SPECIFIC_CHARACTER_SET)
        if element is None or not isinstance(element[1], bytes):
            return self.default_encoding
        for term in element[1].decode("latin-1").split("\\"):
            if term.strip():
                return encoding_of(term) or ASCII
        return self.default_encoding

    def set_encoding(self, encoding: str) -> None:
        """Orthanc's SetEncoding: its term written, nothing done for Windows1251, which has
        none."""
        term = named(encoding).term
        if term is not None:
            self.put_text(SPECIFIC_CHARACTER_SET, term)

    def put_text(self, tag: int, text: str) -> None:
        """A public tag set from a string (Orthanc's ReplacePlainString)."""
        if is_private_tag(tag):
            raise OrthancError(
                ErrorCode.INTERNAL_ERROR,
                f"Cannot apply this function to private tags: {format_tag(tag)}",
            )
        self._replace_text(tag, text, False, "")

    def set_if_absent(self, tag: int, text: str) -> None:
        if tag not in self.elements:
            self.put_text(tag, text)

    def replace(self, tag: int, value: Any, options: Options) -> None:
        """A tag of the request: a string, null, or a list of items for a sequence."""
        if tag & 0xFFFF == 0:
            return  # group lengths are DCMTK's to write
        if isinstance(value, str):
            self._replace_text(tag, value, options.decode_binary, options.private_creator)
            return
        if tag in (SOP_CLASS_UID, SOP_INSTANCE_UID):
            raise OrthancError(ErrorCode.BAD_PARAMETER_TYPE)
        self.elements.pop(tag, None)
        self.elements[tag] = from_json(tag, value, options, self.encoding())

    def _replace_text(self, tag: int, text: str, decode: bool, creator: str) -> None:
        if tag & 0xFFFF == 0:
            return
        self.elements.pop(tag, None)
        if decode and tag in (ENCAPSULATED_DOCUMENT, PIXEL_DATA) and DATA_URI.fullmatch(text):
            self.embed(text)
            return
        vr = element_vr(tag, creator)
        value: bytes | list[Item]
        if vr == "SQ" and not text:
            value = []
        elif not text:
            value = b""
        else:
            value = value_bytes(tag, vr, text, decode, self.encoding())
        self.elements[tag] = (WRITTEN_VRS.get(vr, vr), value)

    # -- content --

    def embed(self, uri: str) -> None:
        """``Content`` (or a data URI in PixelData or EncapsulatedDocument): an image, a PDF
        or raw pixel bytes."""
        decoded = data_uri(uri)
        if decoded is None:
            raise OrthancError(ErrorCode.BAD_FILE_FORMAT)
        mime = MIME_TYPES.get(decoded[0].lower())
        if mime is None:
            raise OrthancError(ErrorCode.PARAMETER_OUT_OF_RANGE)
        data = decoded[1]
        if mime == "image/png":
            self._embed_image(decode_png(data, self.max_pixel_bytes))
        elif mime == "image/jpeg":
            self._embed_image(decode_jpeg(data, self.max_pixel_bytes))
        elif mime == "image/x-portable-arbitrarymap":
            self._embed_image(decode_pam(data))
        elif mime == "application/pdf":
            self._embed_pdf(data)
        elif mime == "application/octet-stream":
            self.elements[PIXEL_DATA] = ("OW", data)
        else:
            raise ServerFault(
                ErrorCode.NOT_IMPLEMENTED,
                f"Unsupported MIME type for the content of a new DICOM file: {mime}",
            )

    def _embed_image(self, image: Image) -> None:
        """The Image Pixel module as Orthanc writes it (MONOCHROME2 unless the request chose
        another photometric interpretation for a grey image)."""
        if image.kind == "rgb48":
            raise ServerFault(ErrorCode.NOT_IMPLEMENTED)
        self.elements.pop(PIXEL_DATA, None)
        self.put_text(COLUMNS, str(image.width))
        self.put_text(ROWS, str(image.height))
        self.put_text(SAMPLES_PER_PIXEL, "1")
        self.put_text(PIXEL_REPRESENTATION, "0")
        bits = "16" if image.kind == "gray16" else "8"
        if image.kind == "rgb24":
            self.put_text(PHOTOMETRIC_INTERPRETATION, "RGB")
            self.put_text(SAMPLES_PER_PIXEL, "3")
        else:
            self.set_if_absent(PHOTOMETRIC_INTERPRETATION, "MONOCHROME2")
        self.put_text(BITS_ALLOCATED, bits)
        self.put_text(BITS_STORED, bits)
        self.put_text(HIGH_BIT, str(int(bits) - 1))
        if image.kind == "rgb24":
            self.put_text(PLANAR_CONFIGURATION, "0")
        self.elements[PIXEL_DATA] = ("OW", image.pixels)

    def _embed_pdf(self, pdf: bytes) -> None:
        if not pdf.startswith(b"%PDF-"):
            raise bad_file("Not a PDF file")
        self.put_text(SOP_CLASS_UID, ENCAPSULATED_PDF_STORAGE)
        self.set_if_absent(MODALITY, "OT")
        self.set_if_absent(CONVERSION_TYPE, "WSD")
        self.set_if_absent(MIME_TYPE_OF_ENCAPSULATED_DOCUMENT, "application/pdf")
        self.elements[ENCAPSULATED_DOCUMENT] = ("OB", pdf)

    # -- the file --

    def file(self) -> bytes:
        """The DICOM file, explicit VR little endian, written as DCMTK writes it (explicit
        lengths, values padded to an even length: spaces for text, NUL for UIDs and binary
        values). The meta header names the SOP class and instance of the data set (DCMTK's
        generic class when there is none) and pydicom as the implementation, as the other
        files Cirrus writes; the groups DCMTK drops from a data set are dropped."""
        from pydicom import __version__
        from pydicom.uid import PYDICOM_IMPLEMENTATION_UID

        meta: Item = {
            0x00020001: ("OB", b"\0\1"),
            0x00020002: ("UI", (self._uid(SOP_CLASS_UID) or DCMTK_GENERIC_FILE).encode()),
            0x00020003: ("UI", self._uid(SOP_INSTANCE_UID).encode()),
            0x00020010: ("UI", EXPLICIT_VR_LITTLE_ENDIAN.encode()),
            0x00020012: ("UI", PYDICOM_IMPLEMENTATION_UID.encode()),
            0x00020013: ("SH", f"PYDICOM {__version__}".encode()),
        }
        header = _encoded(meta)
        length = _encoded({0x00020000: ("UL", struct.pack("<I", len(header)))})
        kept = {t: e for t, e in self.elements.items() if t >> 16 not in DROPPED_GROUPS}
        return bytes(128) + b"DICM" + length + header + _encoded(kept)

    def _uid(self, tag: int) -> str:
        element = self.elements.get(tag)
        if element is None or not isinstance(element[1], bytes):
            return ""
        return element[1].rstrip(b"\0 ").decode("ascii", errors="replace")


# The groups DCMTK drops from a data set before writing it (command, meta, illegal odd
# groups), and the item delimitation tags, which no element may have.
DROPPED_GROUPS = frozenset({0x0000, 0x0001, 0x0002, 0x0003, 0x0005, 0x0007, 0xFFFE, 0xFFFF})
# The VRs whose length takes 4 bytes in explicit VR (after 2 reserved ones).
LONG_LENGTH_VRS = frozenset(
    {"OB", "OD", "OF", "OL", "OV", "OW", "SQ", "SV", "UC", "UN", "UR", "UT", "UV"}
)


def _encoded(elements: Item) -> bytes:
    """Elements in explicit VR little endian, sequences and items of explicit length. A
    value too long for its VR's 2-byte length is written as UN, as DCMTK does."""
    out = bytearray()
    for tag in sorted(elements):
        vr, value = elements[tag]
        if isinstance(value, list):
            body = b"".join(
                struct.pack("<HHI", 0xFFFE, 0xE000, len(item)) + item
                for item in map(_encoded, value)
            )
        elif len(value) % 2:
            body = value + (b" " if vr in TEXT_VRS and vr != "UI" else b"\0")
        else:
            body = value
        if vr not in LONG_LENGTH_VRS and len(body) > 0xFFFF:
            vr = "UN"
        out += struct.pack("<HH", tag >> 16, tag & 0xFFFF) + vr.encode("ascii")
        if vr in LONG_LENGTH_VRS:
            out += struct.pack("<HI", 0, len(body))
        else:
            out += struct.pack("<H", len(body))
        out += body
    return bytes(out)
