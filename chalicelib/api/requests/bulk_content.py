"""The body of ``POST /tools/bulk-content``, read in Orthanc 1.10.1's order: the tag format
(``Simplify``, ``Short``, ``Full``, each read only if the ones before are not true), then
``Metadata``, ``Level`` and ``Resources``, so that a body with two faults gets Orthanc's
error."""

from __future__ import annotations

from typing import Any

from chalicelib.api.requests.fields import boolean_option, string_option
from chalicelib.api.requests.find import parse_level
from chalicelib.dicom.tag_format import TagFormat
from chalicelib.errors import bad_file, bad_request
from chalicelib.services.resources.bulk_content import BulkContentRequest

# Orthanc's boolean fields choosing the format of the tags, in the order it reads them.
_FORMATS = (("Simplify", TagFormat.SIMPLIFY), ("Short", TagFormat.SHORT), ("Full", TagFormat.FULL))


def body_tag_format(body: dict[str, Any], default: TagFormat) -> TagFormat:
    """The format a POST body asks for: the first of ``Simplify``, ``Short``, ``Full`` set
    to true (a later one is not even checked), else ``default``."""
    for field, tag_format in _FORMATS:
        if field in body and boolean_option(body, field, False):
            return tag_format
    return default


def bulk_content_request(body: Any) -> BulkContentRequest:
    if not isinstance(body, dict):
        raise bad_request("The body must contain a JSON object")
    tag_format = body_tag_format(body, TagFormat.SIMPLIFY)
    metadata = boolean_option(body, "Metadata", True)
    level = parse_level(string_option(body, "Level")) if "Level" in body else None
    resources = body.get("Resources")
    if not isinstance(resources, list) or not all(isinstance(r, str) for r in resources):
        raise bad_file("List of strings expected in field: Resources")
    return BulkContentRequest(resources, level, metadata, tag_format)
