"""What a search asks for (``/tools/find``, ``/tools/count-resources``, and the DICOM
service's C-FIND): the ``FindQuery`` the search engine runs. The body of ``/tools/find`` is read
into one at the edge (``chalicelib/api/requests/find.py``)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from chalicelib.dicom.identifiers import Level
from chalicelib.dicom.matching import Constraint, TagInfo
from chalicelib.dicom.tag_format import TagFormat

LABELS_CONSTRAINTS = ("All", "Any", "None")
RESPONSE_CONTENT = (
    "MainDicomTags",
    "Metadata",
    "Children",
    "Parent",
    "Labels",
    "Status",
    "IsStable",
    "RequestedTags",
)


@dataclass(frozen=True)
class OrderKey:
    """One ``OrderBy`` criterion: a DICOM tag or a metadata name, ascending or not."""

    metadata: str | None
    tag: TagInfo | None
    descending: bool


@dataclass
class FindQuery:
    level: Level
    constraints: list[Constraint] = field(default_factory=list)
    expand: bool = False
    tag_format: TagFormat = TagFormat.SIMPLIFY
    since: int = 0
    limit: int = 0  # 0: no limit
    requested_tags: list[TagInfo] = field(default_factory=list)
    order_by: list[OrderKey] = field(default_factory=list)
    parent: tuple[Level, str] | None = None
    labels: list[str] = field(default_factory=list)
    labels_constraint: str = "All"
    response_content: list[str] | None = None

    def accepts_labels(self, carried: Iterable[str]) -> bool:
        """Orthanc 1.12's ``LabelsConstraint`` on the labels a resource carries: ``All`` of
        ``labels``, ``Any`` of them, or ``None`` of them; no ``labels`` accepts everything."""
        wanted = set(self.labels)
        if not wanted:
            return True
        shared = len(wanted.intersection(carried))
        if self.labels_constraint == "All":
            return shared == len(wanted)
        if self.labels_constraint == "Any":
            return shared > 0
        return shared == 0
