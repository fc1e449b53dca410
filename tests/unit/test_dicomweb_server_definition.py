"""DICOMweb server definitions (``DicomWeb.Servers``), the URIs their client asks for, and
the plugin's listing of QIDO-RS answers: pure functions, no server."""

from __future__ import annotations

import json
from typing import Any

import pytest

from chalicelib.dicom.remote_qido import orthanc_qido_answer
from chalicelib.errors import ErrorCode, OrthancError, RemoteError
from chalicelib.peer_client.dicomweb import remote_target
from chalicelib.remotes.dicomweb_server import (
    HAS_DELETE,
    UNIVERSAL_TRANSFER_SYNTAX,
    DicomWebServerError,
    boolean_property,
    parse_dicomweb_server,
)
from chalicelib.remotes.peer import secret_fields
from chalicelib.settings.config import ConfigError, dicomweb_servers, parse_config


def test_both_forms_read_as_orthanc_reads_web_services() -> None:
    short = parse_dicomweb_server("a", ["https://pacs.example/dicom-web", "u", "p"])
    assert (short.url, short.username, short.password) == (
        "https://pacs.example/dicom-web/",
        "u",
        "p",
    )
    long = parse_dicomweb_server(
        "b",
        {
            "Url": "http://h/dw/",
            "HttpHeaders": {"X-Api-Key": "k"},
            "Timeout": 9,
            "HasDelete": True,
            "ChunkedTransfers": False,
            "Floors": 3,
            "Colour": "red",
        },
    )
    assert (long.headers, long.timeout) == ({"X-Api-Key": "k"}, 9)
    # Booleans and integers are kept as the strings Orthanc keeps.
    assert long.user_properties == {
        "HasDelete": "1",
        "ChunkedTransfers": "0",
        "Floors": "3",
        "Colour": "red",
    }
    assert parse_dicomweb_server("b", long.to_json()) == long
    assert secret_fields(["http://h/", "u", "p"]) == {"Password": "p"}


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (["http://h/", "u"], "the short form is"),
        ({"Url": "http://u:p@h/"}, "must not hold a user name or password"),
        ({"Url": "ftp://h/"}, "must be an http:// or https:// URL"),
        ({"Url": "http://h/?x=1"}, "must not have a query"),
        ({"Url": "http://h/", "Colour": [1]}, "must be strings: Colour"),
        ({"Url": "http://h/", "Colour": 1.5}, "must be strings: Colour"),
        ("http://h/", "must be a list"),
    ],
)
def test_definitions_refused_with_the_servers_name(value: Any, message: str) -> None:
    with pytest.raises(DicomWebServerError, match=message) as raised:
        parse_dicomweb_server("pacs", value)
    assert "peer" not in str(raised.value).lower()


def test_boolean_properties_read_as_the_plugin_reads_them() -> None:
    server = parse_dicomweb_server(
        "a", {"Url": "http://h/", "HasDelete": "true", UNIVERSAL_TRANSFER_SYNTAX: "maybe"}
    )
    assert boolean_property(server, HAS_DELETE, False) is True
    assert boolean_property(server, "ChunkedTransfers", True) is True
    with pytest.raises(DicomWebServerError, match='Property "HasWadoRsUniversalTransfer'):
        boolean_property(server, UNIVERSAL_TRANSFER_SYNTAX, True)


def test_targets_encode_arguments_in_key_order() -> None:
    assert remote_target("/studies", {}) == "studies"
    assert remote_target("//a//b/", {"z": "1 2", "a": "", "x": "^*~._-/"}) == (
        "a/b/?a&x=%5E%2A~._-/&z=1%202"
    )
    with pytest.raises(OrthancError) as raised:
        remote_target("/studies?x=1", {})
    assert raised.value.code is ErrorCode.BAD_FILE_FORMAT


def test_qido_listing_keeps_the_plugins_subset() -> None:
    answer = [
        {
            "00100010": {"vr": "PN", "Value": [{"Alphabetic": "Doe^J"}, {"Alphabetic": "X"}]},
            "00201208": {"vr": "IS", "Value": [3]},
            "0020000d": {"vr": "UI", "Value": ["1.2", "1.3"]},
            "7fe00010": {"vr": "OB", "BulkDataURI": "http://x"},
            "Keyword": {"vr": "LO", "Value": ["skipped"]},
        }
    ]
    assert orthanc_qido_answer(answer) == [
        {
            "00100010": {
                "Group": 0x10,
                "Element": 0x10,
                "Name": "PatientName",
                "vr": "PN",
                "Value": "Doe^J",
            },
            "00201208": {
                "Group": 0x20,
                "Element": 0x1208,
                "Name": "NumberOfStudyRelatedInstances",
                "vr": "IS",
            },
            "0020000d": {
                "Group": 0x20,
                "Element": 0xD,
                "Name": "StudyInstanceUID",
                "vr": "UI",
                "Value": "1.2",
            },
            "7fe00010": {"Group": 0x7FE0, "Element": 0x10, "Name": "PixelData", "vr": "OB"},
        }
    ]


@pytest.mark.parametrize(
    "answer", [{"00100010": {}}, ["not an object"], [{"00100010": {"Value": ["no VR"]}}]]
)
def test_qido_answers_that_are_not_qido_are_the_servers_fault(answer: Any) -> None:
    with pytest.raises(RemoteError):
        orthanc_qido_answer(answer)


def test_the_configuration_files_servers_are_checked_at_start() -> None:
    servers = {"a": ["http://h/dicom-web"]}
    config = parse_config(json.dumps({"DicomWeb": {"Enable": True, "Servers": servers}}))
    assert dicomweb_servers(config) == servers
    assert dicomweb_servers(parse_config("{}")) == {}
    for bad in ({"Servers": []}, {"Servers": {"a": ["ftp://h/"]}}):
        with pytest.raises(ConfigError, match="DicomWeb.Servers"):
            parse_config(json.dumps({"DicomWeb": bad}))
