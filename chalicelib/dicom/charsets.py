"""Orthanc's character encodings, the one table of them: Orthanc's name (``DefaultEncoding``,
``/tools/default-encoding``), the Specific Character Set it writes for each and the other
defined terms that name it, and the Python codec of its conversions.

The default encoding is passed down as an Orthanc name: Windows1251 has no defined term
(Orthanc writes no Specific Character Set for it), so a term cannot stand for every encoding.
Orthanc uses it wherever a data set has no Specific Character Set: to read one, to write
values into one, and as the character set of the data sets it builds (``/tools/create-dicom``,
C-FIND identifiers and answers). The services read the current setting and pass it here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Encoding:
    """One of Orthanc's encodings. ``codec`` None is Orthanc's ASCII, which drops every
    character but printable ASCII and newlines; ``term`` None: no DICOM defined term."""

    name: str
    term: str | None
    codec: str | None
    aliases: tuple[str, ...] = ()


# In Orthanc's order (its Encoding enumeration), as GetDicomEncoding and
# GetDicomSpecificCharacterSet map them.
ENCODINGS = (
    Encoding("Ascii", "ISO_IR 6", None, ("ISO 2022 IR 6",)),
    Encoding("Utf8", "ISO_IR 192", "utf-8"),
    Encoding("Latin1", "ISO_IR 100", "iso8859_1", ("ISO 2022 IR 100",)),
    Encoding("Latin2", "ISO_IR 101", "iso8859_2", ("ISO 2022 IR 101",)),
    Encoding("Latin3", "ISO_IR 109", "iso8859_3", ("ISO 2022 IR 109",)),
    Encoding("Latin4", "ISO_IR 110", "iso8859_4", ("ISO 2022 IR 110",)),
    Encoding("Latin5", "ISO_IR 148", "iso8859_9", ("ISO 2022 IR 148",)),
    Encoding("Cyrillic", "ISO_IR 144", "iso8859_5", ("ISO 2022 IR 144",)),
    Encoding("Windows1251", None, "cp1251"),
    Encoding("Arabic", "ISO_IR 127", "iso8859_6", ("ISO 2022 IR 127",)),
    Encoding("Greek", "ISO_IR 126", "iso8859_7", ("ISO 2022 IR 126",)),
    Encoding("Hebrew", "ISO_IR 138", "iso8859_8", ("ISO 2022 IR 138",)),
    Encoding("Thai", "ISO_IR 166", "tis_620", ("ISO 2022 IR 166",)),
    Encoding("Japanese", "ISO_IR 13", "shift_jis", ("ISO 2022 IR 13",)),
    Encoding("Chinese", "GB18030", "gb18030", ("GBK",)),
    Encoding("JapaneseKanji", "ISO 2022 IR 87", "iso2022_jp"),
    Encoding("Korean", "ISO 2022 IR 149", "euc_kr"),
    Encoding("SimplifiedChinese", "ISO 2022 IR 58", "gb2312"),
)
BY_NAME = {encoding.name: encoding for encoding in ENCODINGS}
_BY_TERM = {
    term: encoding
    for encoding in ENCODINGS
    for term in (encoding.term, *encoding.aliases)
    if term is not None
}
# Orthanc's ORTHANC_DEFAULT_DICOM_ENCODING, the "DefaultEncoding" of its configuration.
DEFAULT = "Latin1"
ASCII = "Ascii"
UTF8 = "ISO_IR 192"


def named(name: str) -> Encoding:
    """The encoding of an Orthanc name (as ``DefaultEncoding`` holds it, checked)."""
    return BY_NAME[name]


def by_term(text: str) -> Encoding | None:
    """The encoding one Specific Character Set term names (spaces around and case ignored,
    as Orthanc's GetDicomEncoding), None if Orthanc does not know it."""
    return _BY_TERM.get(text.strip(" ").upper())


def charset_for(texts: Iterable[str], default: str = DEFAULT) -> str | None:
    """``SpecificCharacterSet`` for a data set Cirrus builds holding ``texts`` (C-FIND
    identifiers it sends, answers it gives): the default encoding's term, as Orthanc, unless
    a value does not fit in it; then UTF-8 rather than losing characters as Orthanc does.
    None (no Specific Character Set) for Windows1251, which has no term, when every value
    is ASCII."""
    encoding = named(default)
    values = list(texts)
    if encoding.term is not None and all(_fits(text, encoding) for text in values):
        return encoding.term
    if encoding.term is None and all(text.isascii() for text in values):
        return None
    return UTF8


def _fits(text: str, encoding: Encoding) -> bool:
    if encoding.codec is None:
        return text.isascii()
    try:
        text.encode(encoding.codec)
    except UnicodeEncodeError:
        return False
    return True
