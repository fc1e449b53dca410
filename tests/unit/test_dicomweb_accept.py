"""The shared DICOMweb edge (chalicelib/api/dicomweb.py): Accept negotiation and the Native
DICOM Model XML."""

from __future__ import annotations

from xml.etree import ElementTree

import pytest

from chalicelib.api.dicomweb import (
    DICOM_JSON,
    DICOM_XML,
    JSON_ALIASES,
    XML_ALIASES,
    accepted_ranges,
    native_xml,
    negotiate,
)
from chalicelib.errors import ErrorCode, OrthancError

DATASETS = (*JSON_ALIASES, *XML_ALIASES)
INSTANCES = 'multipart/related; type="application/dicom"'
NATIVE = "{http://dicom.nema.org/PS3.19/models/NativeDICOM}"


@pytest.mark.parametrize(
    ("accept", "chosen"),
    [
        ("", DICOM_JSON),
        ("*/*", DICOM_JSON),
        ("application/*", DICOM_JSON),
        ("application/dicom+xml", DICOM_XML),
        ("APPLICATION/DICOM+XML", DICOM_XML),
        ("text/xml", "text/xml"),
        ("application/dicom+json;q=0.5, application/dicom+xml", DICOM_XML),
        ("*/*, application/dicom+xml", DICOM_XML),  # equal q: the more specific range
        ("application/dicom+xml;q=0, */*", DICOM_JSON),
        ("garbage, application/dicom+xml;q=2, application/dicom+json;q=0.1", DICOM_JSON),
    ],
)
def test_the_preferred_acceptable_offer_is_chosen(accept: str, chosen: str) -> None:
    assert negotiate(accept, DATASETS).offer == chosen


@pytest.mark.parametrize(
    "accept", ["image/png", "application/dicom+xml;q=0", "text/*;q=0, application/pdf"]
)
def test_nothing_acceptable_is_406(accept: str) -> None:
    with pytest.raises(OrthancError) as raised:
        negotiate(accept, DATASETS)
    assert raised.value.code is ErrorCode.NOT_ACCEPTABLE


def test_multipart_type_and_transfer_syntax() -> None:
    offers = (INSTANCES, 'multipart/related; type="application/octet-stream"')
    chosen = negotiate(
        'multipart/related; type="application/octet-stream"; transfer-syntax=*', offers
    )
    assert chosen.offer == offers[1]
    assert chosen.accepted.transfer_syntax == "*"
    assert negotiate("multipart/related", offers).offer == INSTANCES
    assert negotiate("multipart/related; type=Application/Dicom", offers).offer == INSTANCES
    with pytest.raises(OrthancError):
        negotiate('multipart/related; type="image/jpeg"', offers)


def test_ranges_are_ordered_by_quality_then_specificity_then_position() -> None:
    ranges = accepted_ranges('*/*;q=0.8, image/*;q=0.8, image/png;q=0.8, "x", a/b;q=0.9')
    assert [r.media_type for r in ranges] == ["a/b", "image/png", "image/*", "*/*"]


def test_native_xml_has_tags_vrs_keywords_values_names_and_items() -> None:
    document = native_xml(
        {
            "00100010": {"vr": "PN", "Value": [{"Alphabetic": "Doe^Jane^^Dr"}]},
            "00081199": {"vr": "SQ", "Value": [{"00081155": {"vr": "UI", "Value": ["1.2"]}}]},
            "00280010": {"vr": "US", "Value": [512]},
            "00091001": {"vr": "OB", "InlineBinary": "AAE="},
            "7FE00010": {"vr": "OW", "BulkDataURI": "http://h/bulk/7FE00010"},
            "00081198": {"vr": "SQ"},
        }
    )
    root = ElementTree.fromstring(document.encode())
    assert root.tag == f"{NATIVE}NativeDicomModel"
    attributes = root.findall(f"{NATIVE}DicomAttribute")
    assert [a.get("tag") for a in attributes] == sorted(
        ["00100010", "00081199", "00280010", "00091001", "7FE00010", "00081198"]
    )
    by_tag = {a.get("tag"): a for a in attributes}
    assert by_tag["00280010"].get("keyword") == "Rows"
    assert by_tag["00091001"].get("keyword") is None  # private
    name = by_tag["00100010"].find(f"{NATIVE}PersonName[@number='1']/{NATIVE}Alphabetic")
    assert name is not None
    assert [(c.tag.removeprefix(NATIVE), c.text) for c in name] == [
        ("FamilyName", "Doe"),
        ("GivenName", "Jane"),
        ("NamePrefix", "Dr"),
    ]
    value = by_tag["00081199"].find(
        f"{NATIVE}Item[@number='1']/{NATIVE}DicomAttribute/{NATIVE}Value"
    )
    assert value is not None and value.text == "1.2"
    assert by_tag["00280010"].find(f"{NATIVE}Value[@number='1']").text == "512"
    assert by_tag["00091001"].find(f"{NATIVE}InlineBinary").text == "AAE="
    assert by_tag["7FE00010"].find(f"{NATIVE}BulkData").get("uri") == "http://h/bulk/7FE00010"
    assert list(by_tag["00081198"]) == []
