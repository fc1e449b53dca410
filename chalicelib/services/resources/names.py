"""Orthanc's two user-extensible vocabularies: metadata and attachment (content) types.

Orthanc numbers both: built-in types below 1024, a site's own ones (options ``UserMetadata``
and ``UserContentType``) from 1024 to 65535. A URI names a type by its name or by any number
(``/metadata/1024``, even one the configuration does not declare), and answers show the name,
or the number when the type has none. Lists are in number order, as Orthanc keeps them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from chalicelib.errors import ErrorCode, OrthancError

FIRST_USER, LAST_USER = 1024, 65535
BINARY_MIME = "application/octet-stream"

BUILTIN_METADATA = {
    "IndexInSeries": 1,
    "ReceptionDate": 2,
    "RemoteAET": 3,
    "ExpectedNumberOfInstances": 4,
    "ModifiedFrom": 5,
    "AnonymizedFrom": 6,
    "LastUpdate": 7,
    "Origin": 8,
    "TransferSyntax": 9,
    "SopClassUid": 10,
    "RemoteIP": 11,
    "CalledAET": 12,
    "HttpUsername": 13,
    "PixelDataOffset": 14,
}
DICOM = 1
BUILTIN_CONTENT_TYPES = {"dicom": DICOM, "dicom-as-json": 2, "dicom-until-pixel-data": 3}

_INTEGER = re.compile(r"-?[0-9]+")


def is_user_type(number: int) -> bool:
    return FIRST_USER <= number <= LAST_USER


@dataclass(frozen=True)
class Names:
    """One vocabulary: names and numbers both ways, with the MIME type of user content
    types (attachments answer with it)."""

    numbers: Mapping[str, int]
    mime_types: Mapping[int, str]

    def number(self, text: str) -> int:
        """The type a URI names: a number as is, else a known name (404 otherwise)."""
        if _INTEGER.fullmatch(text):
            return int(text)
        if text not in self.numbers:
            raise OrthancError(ErrorCode.INEXISTENT_ITEM)
        return self.numbers[text]

    def name(self, number: int) -> str:
        for name, known in self.numbers.items():
            if known == number:
                return name
        return str(number)

    def mime_type(self, number: int) -> str:
        return self.mime_types.get(number, BINARY_MIME)


def metadata_names(declared: Mapping[str, Any]) -> Names:
    """The metadata vocabulary with ``UserMetadata`` (``"name": number``); ValueError names
    what Orthanc refuses at start-up."""
    numbers = dict(BUILTIN_METADATA)
    for name, value in declared.items():
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"Not a number in this user-defined metadata: {name}")
        _declare(numbers, name, value, "metadata")
    return Names(numbers, {})


def content_types(declared: Mapping[str, Any]) -> Names:
    """The attachment vocabulary with ``UserContentType``: ``"name": number`` or
    ``"name": [number, "MIME type"]``."""
    numbers = dict(BUILTIN_CONTENT_TYPES)
    mime_types: dict[int, str] = {}
    for name, value in declared.items():
        mime = BINARY_MIME
        if (
            isinstance(value, list)
            and len(value) == 2
            and isinstance(value[0], int)
            and not isinstance(value[0], bool)
            and isinstance(value[1], str)
        ):
            value, mime = value
        elif isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"Not a number in this user-defined attachment type: {name}")
        _declare(numbers, name, value, "attachment type")
        mime_types[value] = mime
    return Names(numbers, mime_types)


def _declare(numbers: dict[str, int], name: str, number: int, kind: str) -> None:
    if not is_user_type(number):
        raise ValueError(
            f"A user-defined {kind} must have an index between {FIRST_USER} and "
            f"{LAST_USER}, but {name!r} has index {number}"
        )
    if number in numbers.values() or name in numbers or _INTEGER.fullmatch(name):
        raise ValueError(f"Cannot register the user-defined {kind} {name!r} (index {number})")
    numbers[name] = number
