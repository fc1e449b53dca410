"""The anonymization profiles of Orthanc's ``"DicomVersion"``: PS3.15 Table E.1-1, per revision.

``/anonymize`` applies the Basic Application Level Confidentiality Profile of the revision of
the standard the client names (``2008``, ``2017c``, ``2021b``, ``2023b``; Orthanc 1.10.1
knows the first three and defaults to 2021b, Cirrus defaults to the newest). The tables are
the standard's own, as data: ``profile_tables/<rev>.json``, generated from the standard by
``tools/generate_anonymization_profiles.py`` (see tools/standard/README.md). This module only
turns the standard's action codes into the operations Cirrus applies:

- ``U`` (replace with a consistently mapped UID) -> ``uids``;
- ``X/Z/U*`` (the relationship sequences, e.g. Referenced Image Sequence) ->
  ``relationship_sequences``: kept, their items visited so the UIDs inside are remapped;
- ``X`` and ``X/...`` (remove, or a choice that includes removing) -> ``removals``;
- ``Z``, ``D`` and ``Z/...`` (empty, or a dummy value) -> ``clearings``: emptied if present;
- ``K`` and ``C`` (keep, clean) -> in no set: the attribute is kept;
- an x-wildcard row (``(50xx,xxxx)`` Curve Data...) -> ``removed_ranges`` (its action is X;
  the generator refuses any other).

These choices, and the 2008 reading below, are those of Orthanc 1.10.1 (checked against it by
tests/interop/test_anonymization_profiles_vs_orthanc.py). The five identifiers that lead to
a resource (PatientID, PatientName, Study/Series/SOP Instance UID) are in no set: the caller
maps them itself, as Orthanc does. The table's "Private attributes" row is not applied here
either: private tags follow Orthanc's ``KeepPrivateTags`` option, handled by the caller.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path

DICOM_VERSIONS = ("2008", "2017c", "2021b", "2023b")
DEFAULT_VERSION = "2023b"

PROFILES_DIR = Path(__file__).with_name("profile_tables")

# Mapped by the caller (new identifiers of the resource), never by the profile.
CALLER_HANDLED = frozenset(
    {
        0x00080018,  # SOP Instance UID
        0x0020000E,  # Series Instance UID
        0x0020000D,  # Study Instance UID
        0x00100010,  # Patient's Name
        0x00100020,  # Patient ID
    }
)

# PS 3.15-2008's Table E.1-1 only lists attributes to protect, with no action column.
# Orthanc's own reading of it, observed in Orthanc 1.10.1: every listed attribute is
# removed, except these references, which it remaps as UIDs (all of them are listed in
# the 2008 table; the last two, RT's Referenced and Related Frame of Reference UIDs, are
# the ones Orthanc adds to the UID set beside the generic UIDs).
ORTHANC_2008_UIDS = frozenset(
    {
        0x00080014,  # Instance Creator UID
        0x00081155,  # Referenced SOP Instance UID
        0x00200052,  # Frame of Reference UID
        0x00200200,  # Synchronization Frame of Reference UID
        0x0040A124,  # UID
        0x00880140,  # Storage Media File-set UID
        0x30060024,  # Referenced Frame of Reference UID
        0x300600C2,  # Related Frame of Reference UID
    }
)

# Orthanc's additions, observed in Orthanc 1.10.1: removed by its 2008 profile although
# the 2008 table does not list them.
ORTHANC_2008_EXTRA_REMOVALS = frozenset(
    {
        0x00101040,  # Patient's Address
        0x00321032,  # Requesting Physician
        0x00102154,  # Patient's Telephone Numbers
        0x00102000,  # Medical Alerts
    }
)

RELATIONSHIP_ACTION = "X/Z/U*"


@dataclass(frozen=True)
class Profile:
    """What an anonymization profile does to the attributes it names (top-level or nested)."""

    version: str  # "2021b"
    removals: frozenset[int]  # tags (0xGGGGEEEE) removed (X and X/..., except X/Z/U*)
    clearings: frozenset[int]  # tags emptied if present (Z, D, Z/D...)
    uids: frozenset[int]  # tags whose UID value is remapped consistently (U)
    relationship_sequences: frozenset[int]  # X/Z/U* sequences: kept, their contents visited
    # (group_from, group_to, element_from, element_to) of the x-wildcard rows, all X
    removed_ranges: tuple[tuple[int, int, int, int], ...]
    deidentification_method: str  # "PS 3.15-2021b Table E.1-1 Basic Profile"


def operation(action: str) -> str | None:
    """The set an action code of the Basic Profile column goes to: ``"removals"``,
    ``"clearings"``, ``"uids"``, ``"relationship_sequences"``, or None (kept: K, C).

    An unknown code is a ValueError: a new revision of the standard must be read, not guessed.
    """
    if action == RELATIONSHIP_ACTION:
        return "relationship_sequences"
    if action == "U":
        return "uids"
    if action == "X" or action.startswith("X/"):
        return "removals"
    if action in ("Z", "D") or action.startswith("Z/"):
        return "clearings"
    if action in ("K", "C"):
        return None
    raise ValueError(f"unknown action {action!r} in the Basic Profile")


def wildcard_range(tag: str) -> tuple[int, int, int, int]:
    """``(group_from, group_to, element_from, element_to)`` of an x-wildcard tag such as
    ``"50xxxxxx"``: each x is 0 in the low bound and f in the high one."""
    group, element = tag[:4], tag[4:]
    return (
        int(group.replace("x", "0"), 16),
        int(group.replace("x", "f"), 16),
        int(element.replace("x", "0"), 16),
        int(element.replace("x", "f"), 16),
    )


def read_table(version: str) -> dict:
    """The generated table of a revision, as raw standard data (see the generator)."""
    return json.loads((PROFILES_DIR / f"{version}.json").read_text(encoding="utf-8"))


@functools.cache
def load_profile(version: str) -> Profile:
    """The profile of ``DicomVersion`` ``version``; ValueError for a version Cirrus lacks."""
    if version not in DICOM_VERSIONS:
        raise ValueError(f"unknown DicomVersion {version!r} (known: {', '.join(DICOM_VERSIONS)})")
    table = read_table(version)
    sets: dict[str, set[int]] = {
        "removals": set(),
        "clearings": set(),
        "uids": set(),
        "relationship_sequences": set(),
    }
    for attribute in table["attributes"]:
        tag = int(attribute["tag"], 16)
        if tag in CALLER_HANDLED:
            continue
        if version == "2008":  # no action column: Orthanc's reading, see above
            target = "uids" if tag in ORTHANC_2008_UIDS else "removals"
        else:
            target = operation(attribute["action"])
        if target is not None:
            sets[target].add(tag)
    if version == "2008":
        sets["removals"] |= ORTHANC_2008_EXTRA_REMOVALS
    ranges = []
    for row in table["ranges"]:
        if row["action"] != "X":
            raise ValueError(f"{version}: wildcard row {row} is not removed (X)")
        ranges.append(wildcard_range(row["tag"]))
    method = f"PS 3.15-{version} Table E.1-1"
    if version != "2008":
        method += " Basic Profile"
    return Profile(
        version=version,
        removals=frozenset(sets["removals"]),
        clearings=frozenset(sets["clearings"]),
        uids=frozenset(sets["uids"]),
        relationship_sequences=frozenset(sets["relationship_sequences"]),
        removed_ranges=tuple(ranges),
        deidentification_method=method,
    )
