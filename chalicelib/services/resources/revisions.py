"""Revisions of metadata and attachments, as Orthanc 1.9.2+ keeps them.

Each item has a revision: 0 when it is created, one more at each replacement, 0 again after
a delete. Reads answer it in ``ETag`` as ``"<revision>-<MD5 of the value>"``; writers send it
back in ``If-Match`` so that a replacement or delete based on a stale read fails with 409
instead of silently overwriting someone else's write. With ``CheckRevisions``, replacing or
deleting an existing item requires ``If-Match``; creating one never does.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from chalicelib.errors import ErrorCode, OrthancError

IF_MATCH, IF_NONE_MATCH = "if-match", "If-None-Match"
_REVISION = re.compile(r"\+?[0-9]+")


@dataclass(frozen=True)
class Revision:
    """An item's revision and the MD5 of its value: what an ETag says."""

    number: int
    md5: str

    @property
    def etag(self) -> str:
        return f'"{self.number}-{self.md5}"'


# What Orthanc compares with the stored item when CheckRevisions is on and PUT has no
# If-Match: matches no existing item, so only a creation goes through.
NO_REVISION = Revision(-1, "")


def md5_hex(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


def parse(header: str, value: str | None) -> Revision | None:
    """The revision a conditional header names (None when absent); 400 when it is not
    ``<revision>-<md5>`` (quotes optional). ``header`` is named in the error as Orthanc
    names it."""
    if value is None:
        return None
    text = value.strip()
    if len(text) >= 2 and text[0] == text[-1] == '"':
        text = text[1:-1]
    number, dash, md5 = text.partition("-")
    if not dash or not _REVISION.fullmatch(number):
        raise OrthancError(
            ErrorCode.PARAMETER_OUT_OF_RANGE,
            f'The "{header}" HTTP header should contain the ETag (revision followed by MD5 '
            f"hash), but found: {text}",
        )
    return Revision(int(number), md5)


def replacement(current: Revision | None, given: Revision | None) -> int:
    """The revision of a value written over ``current`` (None: there is none) by a writer
    that read ``given`` (None: no check); 409 if it read another one."""
    if current is None:
        return 0
    if given is not None and given != current:
        raise OrthancError(ErrorCode.REVISION)
    return current.number + 1


def missing_if_match() -> OrthancError:
    """A delete without If-Match while CheckRevisions is on."""
    return OrthancError(
        ErrorCode.REVISION, 'HTTP header "If-Match" is missing, as "CheckRevisions" is "true"'
    )


def not_modified(current: Revision, given: Revision | None) -> bool:
    """Whether an If-None-Match names the current revision (the answer is then 304)."""
    return given == current
