"""Orthanc's two ways of writing a DICOM modality."""

from __future__ import annotations

import logging

import pytest

from chalicelib.remotes.modality import ModalityError, parse_modality
from chalicelib.settings.config import ConfigError, parse_config


def test_short_and_long_forms_give_the_same_modality() -> None:
    short = parse_modality("m", ["AET", "host", 104])
    long = parse_modality("m", {"AET": "AET", "Host": "host", "Port": "104"})
    assert short == long
    assert parse_modality("m", short.to_json()) == short
    assert parse_modality("m", ["A", "h", 1, "GE"]).manufacturer == "GE"


@pytest.mark.parametrize(
    ("value", "message", "out_of_range"),
    [
        ({}, "String value expected in field: AET", False),
        (["A", "h"], "short form", False),
        (["A", "h", 1, "GE", "x"], "short form", False),
        ({"AET": "A", "Host": "h", "Port": 70000}, "range \\[1..65534\\]", True),
        ({"AET": "A", "Host": "h", "Port": "x"}, "Integer value expected in field: Port", False),
        ({"AET": "A", "Host": "h", "Port": "10²"}, "Integer value expected in field: Port", False),
        ({"AET": "A", "Host": "h", "Port": "١٠٤"}, "Integer value expected", False),
        ({"AET": "A", "Host": "h", "Port": 1, "AllowEcho": "no"}, "AllowEcho", False),
        ({"AET": "A", "Host": "h", "Port": 1, "RetrieveMethod": "C-PUT"}, "RetrieveMethod", False),
        ({"AET": "A", "Host": "h", "Port": 1, "Manufacturer": "Siemens"}, "manufacturer", True),
        (["A", "h", 1, "ge"], 'Unknown modality manufacturer: "ge"', True),
        ({"AET": "", "Host": "h", "Port": 1}, "must not be empty", False),
    ],
)
def test_malformed_modalities(value: object, message: str, out_of_range: bool) -> None:
    with pytest.raises(ModalityError, match=message) as raised:
        parse_modality("m", value)
    assert raised.value.out_of_range is out_of_range


@pytest.mark.parametrize(
    ("given", "recorded"),
    [("GE", "GE"), ("AgfaImpax", "GenericNoWildcardInDates"), ("Dcm4Chee", "Generic")],
)
def test_manufacturers_are_recorded_as_orthanc_records_them(given: str, recorded: str) -> None:
    assert parse_modality("m", ["A", "h", 1, given]).manufacturer == recorded


def test_unknown_options_are_ignored_with_a_log_line(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    modality = parse_modality("m", {"AET": "A", "Host": "h", "Port": 1, "Colour": 1})
    assert modality == parse_modality("m", ["A", "h", 1])
    assert "'Colour' is not used by Cirrus; ignored" in caplog.text
    config = parse_config(
        '{"DicomModalities": {"m": {"AET": "A", "Host": "h", "Port": 1, "X": 2}}}'
    )
    assert config.DicomModalities["m"]["X"] == 2


def test_a_malformed_modality_stops_start_up() -> None:
    with pytest.raises(ConfigError, match="'DicomModalities'"):
        parse_config('{"DicomModalities": {"m": ["A", "h"]}}')
