"""The default encoding where no Orthanc peer is needed: the one table of Orthanc's encodings,
and the C-FIND SCP reading an identifier without SpecificCharacterSet and choosing its
answers' character set (Orthanc 1.10.1 reads the former in its DefaultEncoding and writes the
latter in it; Cirrus falls back to UTF-8 where a value does not fit, docs/compatibility.md)."""

from __future__ import annotations

import pytest
from pydicom.dataset import Dataset

from chalicelib.dicom.charsets import ENCODINGS, by_term, charset_for
from chalicelib.dicom.tag_values import Charset
from chalicelib.services.dicom_served.find import answer_dataset, parse_identifier
from chalicelib.services.system.encodings import parse_encoding
from tests.support.dicom_factory import roundtrip, set_raw

CYRILLIC_NAME = "Иванов^Пётр"


def test_every_term_and_alias_names_one_encoding_and_every_name_parses() -> None:
    for encoding in ENCODINGS:
        assert parse_encoding(encoding.name.lower()) == encoding.name
        for term in filter(None, (encoding.term, *encoding.aliases)):
            assert by_term(f" {term.lower()} ") is encoding
    assert by_term("ISO_IR 999") is None


@pytest.mark.parametrize(
    ("default", "texts", "expected"),
    [
        ("Latin1", ["Jérôme"], "ISO_IR 100"),
        ("Cyrillic", [CYRILLIC_NAME], "ISO_IR 144"),
        ("Cyrillic", ["Jérôme"], "ISO_IR 192"),  # does not fit: UTF-8 rather than lost
        ("Ascii", ["plain"], "ISO_IR 6"),
        ("Windows1251", ["plain"], None),  # no defined term: none written, as Orthanc
        ("Windows1251", [CYRILLIC_NAME], "ISO_IR 192"),
    ],
)
def test_the_character_set_of_a_data_set_cirrus_builds(
    default: str, texts: list[str], expected: str | None
) -> None:
    assert charset_for(texts, default) == expected


def test_a_data_set_without_character_set_reads_in_the_default_encoding() -> None:
    ds = Dataset()
    set_raw(ds, 0x00100010, "PN", CYRILLIC_NAME.encode("iso8859_5"))
    ds = roundtrip(ds)
    assert Charset.of(ds, "Cyrillic").decode(CYRILLIC_NAME.encode("iso8859_5")) == CYRILLIC_NAME
    assert Charset.of(ds, "Ascii").decode("é1".encode("latin-1")) == "1"
    ds.SpecificCharacterSet = "ISO_IR 192"
    assert Charset.of(ds, "Cyrillic").codec == "utf-8"


def _identifier(name: bytes) -> Dataset:
    """A C-FIND identifier as the DICOM service receives it (raw elements), without
    SpecificCharacterSet."""
    ds = Dataset()
    ds.QueryRetrieveLevel = "PATIENT"
    set_raw(ds, 0x00100010, "PN", name)
    ds.PatientID = ""
    return roundtrip(ds)


@pytest.mark.parametrize(
    ("default", "constraint", "charset"),
    [
        ("Cyrillic", CYRILLIC_NAME, "ISO_IR 144"),
        ("Latin1", CYRILLIC_NAME.encode("iso8859_5").decode("latin-1"), "ISO_IR 100"),
    ],
)
def test_the_scp_reads_and_answers_in_the_default_encoding(
    default: str, constraint: str, charset: str
) -> None:
    request = parse_identifier(_identifier(CYRILLIC_NAME.encode("iso8859_5")), default)
    (found,) = request.query.constraints
    assert found.values == (constraint,)
    answer = answer_dataset(request, {"PatientName": constraint, "PatientID": "1"}, "CIRRUS")
    assert answer.SpecificCharacterSet == charset
    assert answer.PatientName == constraint
