"""The Dictionary option's tags in the tag dictionary (chalicelib/dicom/declared_tags.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from chalicelib.dicom.declared_tags import parse_dictionary, register
from chalicelib.dicom.tag_dictionary import (
    UNKNOWN_TAG_NAME,
    check_declarable,
    dictionary_entry,
    tag_name,
)


@pytest.fixture(autouse=True)
def forget() -> Iterator[None]:
    yield
    register([])


def test_declared_tags_are_named_then_forgotten() -> None:
    entries = {"0099,1001": ["LO", "Label", 1, 1, "SITE"], "0018,9999": ["US", "N", 1, 1]}
    register(check_declarable(parse_dictionary(entries)))
    assert tag_name(0x00991001, "SITE") == "Label"
    assert tag_name(0x00991001, "OTHER") == UNKNOWN_TAG_NAME  # another creator's element
    assert dictionary_entry(0x00189999, None) == ("US", "N")
    register([])
    assert tag_name(0x00991001, "SITE") == tag_name(0x00189999) == UNKNOWN_TAG_NAME


def test_a_creator_on_a_public_tag_is_ignored() -> None:
    [entry] = parse_dictionary({"0018,9999": ["LO", "N", 1, 1, "SITE"]})
    assert entry.creator is None
