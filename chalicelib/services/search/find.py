"""Searching the index: POST /tools/find, /tools/count-resources and /tools/lookup.

A search runs in two phases (the numbers are measured by ``bench/find.py``):

1. Candidates. The most selective indexed constraint picks them: an identifier (PatientID,
   StudyInstanceUID, SeriesInstanceUID, SOPInstanceUID: ``ByUid``; AccessionNumber:
   ``ByAccession``), a ``Parent*`` option, ``Labels`` with ``All`` or ``Any`` (one Query per
   label of its items, ``storage/labels.py``), or a StudyDate (``ByStudyDate``, 16 shards,
   read in ID order one shard at a time: a Study search stops at the shards it needs).
   Their cost grows with the number of matches. ``LabelsConstraint: None`` leaves out the
   labelled resources from the candidates; labels are checked on every record read.
   Candidates at an upper level are expanded down to the query level through the child links
   (one Query per resource). Without such a constraint every resource of the level is a
   candidate, read in ID order, page by page, until enough matches are found: the cost then
   grows with the size of the archive.
2. Matching. Candidates are read in batches of 100 (BatchGetItem), with their ancestors when a
   constraint needs them, and every constraint is checked with Orthanc's rules
   (``dicom/matching.py``). ``ModalitiesInStudy`` reads the series of each candidate study.
   A tag that is not a main DICOM tag is matched against one instance of the candidate, read
   from S3: one GET per candidate, the slow path.

Like Orthanc 1.10.1, a constraint on a main tag of a level below the query level (``Modality``
on a Study search) matches nothing; ``ModalitiesInStudy`` is the way to ask that.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from chalicelib.dicom.identifiers import Level
from chalicelib.dicom.main_tags import MAIN_TAGS
from chalicelib.dicom.matching import Constraint, ConstraintKind, TagInfo
from chalicelib.dicom.tag_format import TagFormat
from chalicelib.model import ChildLink, Resource
from chalicelib.services.resources.browse import BrowseService, metadata_of
from chalicelib.services.search.query import FindQuery, OrderKey
from chalicelib.storage.index import ResourceIndex
from chalicelib.storage.labels import LabelStore

if TYPE_CHECKING:
    from pydicom.dataset import Dataset

PAGE = 100
MODALITIES_IN_STUDY = "ModalitiesInStudy"
_DEPTH = {level: depth for depth, level in enumerate(Level)}
# Identifier constraints that an index answers, most selective first.
_IDENTIFIERS = (
    ("SOPInstanceUID", Level.INSTANCE),
    ("SeriesInstanceUID", Level.SERIES),
    ("StudyInstanceUID", Level.STUDY),
    ("AccessionNumber", Level.STUDY),
    ("PatientID", Level.PATIENT),
)
_MAIN_LEVEL = {keyword: Level(level) for level, tags in MAIN_TAGS.items() for _, keyword in tags}
# Computed tags, per level where Orthanc computes them.
_COMPUTED = {
    "ModalitiesInStudy": Level.STUDY,
    "SOPClassesInStudy": Level.STUDY,
    "NumberOfStudyRelatedSeries": Level.STUDY,
    "NumberOfStudyRelatedInstances": Level.STUDY,
    "NumberOfPatientRelatedStudies": Level.PATIENT,
    "NumberOfPatientRelatedSeries": Level.PATIENT,
    "NumberOfPatientRelatedInstances": Level.PATIENT,
    "NumberOfSeriesRelatedInstances": Level.SERIES,
}


def main_tag_level(tag: TagInfo, query_level: Level) -> Level | None:
    """The level whose main tags hold ``tag`` for a search at ``query_level``: the query level
    itself if the tag is one of its main tags, else the nearest ancestor that has it. None if
    the tag is not a main tag at all (it is then read from the DICOM file)."""
    levels = [
        Level(lvl) for lvl, tags in MAIN_TAGS.items() if any(k == tag.keyword for _, k in tags)
    ]
    if tag.keyword == MODALITIES_IN_STUDY:
        levels = [Level.STUDY]
    if not levels:
        return None
    usable = [lvl for lvl in levels if _DEPTH[lvl] <= _DEPTH[query_level]]
    return max(usable, key=_DEPTH.__getitem__) if usable else levels[0]


@dataclass(frozen=True)
class _Seed:
    """Candidates from an index, at ``level``; ``exact`` is the constraint the index answered
    exactly (not checked again), if any."""

    level: Level
    ids: Iterable[str]
    exact: Constraint | None = None
    # The candidates are the descendants of the query's ``Parent*`` resource.
    from_parent: bool = False
    # ``ids`` come distinct and in ID order, read lazily: at their own level they are the
    # candidates as they come, so a search that has enough matches stops reading the index.
    in_order: bool = False


class _Chain:
    """A candidate and its ancestors, as far as the search needs them."""

    def __init__(self, resource: Resource, ancestors: dict[Level, Resource]) -> None:
        self.resource = resource
        self.records = {resource.level: resource, **ancestors}

    def main_value(self, level: Level, keyword: str) -> str | None:
        if level is Level.PATIENT and Level.PATIENT not in self.records:
            return self.records[Level.STUDY].patient_main_tags.get(keyword)
        return self.records[level].main_tags.get(keyword)


class FindService:
    def __init__(
        self,
        index: ResourceIndex,
        browse: BrowseService,
        labels: LabelStore,
        read_dataset: Callable[[str], Dataset],
        limit_results: int,
        limit_instances: int,
        default_encoding: Callable[[], str],
    ) -> None:
        self._index = index
        self._browse = browse
        self._labels = labels
        self._read_dataset = read_dataset
        # Orthanc's current DefaultEncoding: how a tag read from a file without Specific
        # Character Set (not a main tag) is matched and shown.
        self._default_encoding = default_encoding
        self._limit_results = limit_results
        self._limit_instances = limit_instances

    # -- entry points --------------------------------------------------------------------------

    def find(self, query: FindQuery) -> list[Any]:
        cap = self._limit_instances if query.level is Level.INSTANCE else self._limit_results
        limits = [n for n in (query.limit, cap) if n]
        ids = self._matching_ids(query, min(limits) if limits else None)
        if not query.expand and query.response_content is None:
            return ids
        return self._expanded(query, ids)

    def find_tags(
        self, query: FindQuery, from_instance: bool = False
    ) -> tuple[list[dict[str, str]], bool]:
        """For a DICOM C-FIND: the ``query.requested_tags`` of each match (as ``RequestedTags``
        in ``/tools/find``), and whether the answer is complete (False when LimitFindResults
        or LimitFindInstances cut it, which a C-FIND reports). With ``from_instance``, main
        tags of levels below the query level are read from the sample instance, as Orthanc's
        C-FIND does once a return key is not a main tag."""
        cap = self._limit_instances if query.level is Level.INSTANCE else self._limit_results
        limits = [n for n in (query.limit, cap) if n]
        limit = min(limits) if limits else None
        ids = self._matching_ids(query, None if limit is None else limit + 1)
        complete = limit is None or len(ids) <= limit
        records = self._index.get_many(ids[:limit])
        loaded = [(records[i], None) for i in ids[:limit] if i in records]
        return self._requested_page(query, loaded, from_instance), complete

    def count(self, query: FindQuery) -> int:
        query.since, query.order_by = 0, []
        if _lists_the_level(query):
            return self._index.count_ids(query.level)
        return len(self._matching_ids(query, None))

    def lookup(self, value: str) -> list[dict[str, str]]:
        """Resources whose DICOM identifier is ``value`` (ignoring case), at every level."""
        if not value:
            return []
        return [
            {"ID": resource_id, "Path": f"/{level.collection}/{resource_id}", "Type": level.value}
            for level in Level
            for resource_id in sorted(self._index.ids_by_identifier(level, value))
        ]

    # -- phase 1 and 2 -------------------------------------------------------------------------

    def _matching_ids(self, query: FindQuery, limit: int | None) -> list[str]:
        if _lists_the_level(query):
            # Nothing to check: a page of the level's listing, whole shards skipped by
            # counting them (the study list's pages read no record to find their IDs).
            return self._index.list_ids(query.level, query.since, limit)
        if not self._satisfiable(query):
            return []
        seed = self._seed(query)
        # The index answered its constraint exactly: no need to check it again.
        constraints = [c for c in query.constraints if seed is None or c is not seed.exact]
        wanted = None if query.order_by or limit is None else query.since + limit
        tags = [c.tag for c in constraints] + [k.tag for k in query.order_by if k.tag]
        candidates = self._candidates(query.level, seed)
        if query.parent is not None and seed is not None and not seed.from_parent:
            # An identifier gave the candidates: keep those below the Parent* resource too.
            below_parent = set(self._candidates(query.level, self._parent_seed(query.parent)))
            candidates = (i for i in candidates if i in below_parent)
        if seed is None and query.labels and query.labels_constraint == "None":
            candidates = self._without_labels(query, candidates)
        matches: list[_Chain] = []
        for page in _pages(candidates, first=wanted or PAGE):
            chains = self._chains(query.level, page, tags)
            # Labels are checked on the records read, whatever gave the candidates.
            chains = [c for c in chains if query.accepts_labels(c.resource.labels)]
            matches += [c for c in chains if self._matches(query.level, constraints, c)]
            if wanted is not None and len(matches) >= wanted:
                break
        if query.order_by:
            matches = self._ordered(matches, query.order_by, query.level)
        selected = matches[query.since :]
        return [c.resource.id for c in (selected[:limit] if limit is not None else selected)]

    @staticmethod
    def _satisfiable(query: FindQuery) -> bool:
        for constraint in query.constraints:
            level = main_tag_level(constraint.tag, query.level)
            if level is not None and _DEPTH[level] > _DEPTH[query.level]:
                return False
        return query.parent is None or _DEPTH[query.parent[0]] < _DEPTH[query.level]

    def _candidates(self, level: Level, seed: _Seed | None) -> Iterator[str]:
        """Candidate IDs at the query level: from the best index, else the whole level."""
        if seed is None:
            yield from self._index.iter_ids(level)
            return
        if seed.in_order and seed.level is level:
            yield from seed.ids
            return
        ids, current = seed.ids, seed.level
        while current is not level:
            ids = [link.child for i in ids for link in self._index.children(i)]
            current = current.child  # type: ignore[assignment]
        yield from sorted(set(ids))

    def _seed(self, query: FindQuery) -> _Seed | None:
        """The candidates given by the most selective indexed constraint, if any."""
        by_keyword = {c.tag.keyword: c for c in query.constraints}
        for keyword, level in _IDENTIFIERS:
            constraint = by_keyword.get(keyword)
            if constraint is None or _DEPTH[level] > _DEPTH[query.level]:
                continue
            if constraint.kind not in (ConstraintKind.EQUAL, ConstraintKind.LIST):
                continue
            if keyword == "AccessionNumber":
                if "" in constraint.values:
                    continue  # studies without an accession number are not in that index
                ids = [i for v in constraint.values for i in self._index.study_ids_by_accession(v)]
            else:
                ids = [
                    i for v in constraint.values for i in self._index.ids_by_identifier(level, v)
                ]
            # The index keys are upper-cased, as the case-insensitive matching compares.
            return _Seed(level, ids, None if constraint.case_sensitive else constraint)
        if query.parent is not None:
            return self._parent_seed(query.parent)
        if query.labels and query.labels_constraint != "None":
            return _Seed(query.level, self._labelled(query))
        study_date = by_keyword.get("StudyDate")
        if study_date is not None and _DEPTH[query.level] >= _DEPTH[Level.STUDY]:
            # A range, else one date or a list of dates (a DA query takes no wildcard).
            ranges = (
                [(study_date.values[0], study_date.values[1])]
                if study_date.kind is ConstraintKind.RANGE
                else [(value, value) for value in study_date.values]
            )
            ids = self._index.study_ids_by_dates(ranges)
            return _Seed(Level.STUDY, ids, study_date, in_order=True)
        return None

    def _parent_seed(self, parent: tuple[Level, str]) -> _Seed:
        """The ``Parent*`` resource as the candidates' root (none if it is not of that level)."""
        level, parent_id = parent
        found = self._index.get(parent_id)
        ids = [parent_id] if found is not None and found.level is level else []
        return _Seed(level, ids, from_parent=True)

    def _labelled(self, query: FindQuery) -> list[str]:
        """The resources of the query level carrying all (``All``) or any (``Any``) of the
        labels: one Query per label (``All`` stops at an empty intersection)."""
        found: set[str] | None = None
        for label in dict.fromkeys(query.labels):
            ids = set(self._labels.ids_with_label(label, query.level))
            if query.labels_constraint == "Any":
                found = ids | (found or set())
            else:
                found = ids if found is None else found & ids
                if not found:
                    break
        return sorted(found or ())

    def _without_labels(self, query: FindQuery, candidates: Iterator[str]) -> Iterator[str]:
        """``None``: the level's IDs minus those carrying one of the labels (one Query per
        label), so labelled records are not read."""
        excluded = {
            i for label in query.labels for i in self._labels.ids_with_label(label, query.level)
        }
        return (i for i in candidates if i not in excluded)

    def _chains(self, level: Level, ids: list[str], tags: Iterable[TagInfo]) -> list[_Chain]:
        """The records of a page of candidates, with the ancestors holding ``tags``: one
        BatchGetItem for the page, and one for the ancestors if any are needed."""
        found = self._index.get_many(ids)
        return self._with_ancestors(level, [found[i] for i in ids if i in found], tags)

    def _with_ancestors(
        self, level: Level, records: list[Resource], tags: Iterable[TagInfo]
    ) -> list[_Chain]:
        """The records of ``level`` among ``records``, with the ancestors holding ``tags``
        (one BatchGetItem for them, if any are needed)."""
        records = [record for record in records if record.level is level]
        needed = {main_tag_level(tag, level) for tag in tags}
        if level is not Level.PATIENT and Level.PATIENT in needed:
            needed.add(Level.STUDY)  # studies carry a copy of their patient's main tags
        needed -= {None, Level.PATIENT, level}
        # Main tags of deeper levels have no value at this level (no record to read for them).
        needed = {lvl for lvl in needed if lvl is not None and _DEPTH[lvl] < _DEPTH[level]}
        if not needed:
            return [_Chain(record, {}) for record in records]
        wanted = {
            ancestor_id
            for record in records
            for ancestor_level, ancestor_id in _ancestor_ids(record).items()
            if ancestor_level in needed
        }
        ancestors = self._index.get_many(wanted)
        chains = []
        for record in records:
            relatives = {
                ancestor_level: ancestors[ancestor_id]
                for ancestor_level, ancestor_id in _ancestor_ids(record).items()
                if ancestor_level in needed and ancestor_id in ancestors
            }
            if needed <= relatives.keys():  # else deleted meanwhile
                chains.append(_Chain(record, relatives))
        return chains

    def _matches(self, query_level: Level, constraints: list[Constraint], chain: _Chain) -> bool:
        dataset: Dataset | None = None
        for constraint in constraints:
            level = main_tag_level(constraint.tag, query_level)
            if constraint.tag.keyword == MODALITIES_IN_STUDY:
                if not any(constraint.matches(m) for m in self._modalities(chain.resource.id)):
                    return False
            elif level is not None:
                if not constraint.matches(chain.main_value(level, constraint.tag.keyword)):
                    return False
            else:
                dataset = dataset if dataset is not None else self._sample_dataset(chain.resource)
                value = _dataset_value(dataset, constraint.tag, self._default_encoding())
                if not constraint.matches(value):
                    return False
        return True

    def _modalities(self, study_id: str) -> list[str]:
        series = self._index.get_many(link.child for link in self._index.children(study_id))
        return _modalities(series.values())

    def _sample_dataset(self, resource: Resource) -> Dataset | None:
        """One instance of the resource, as Orthanc reads one to match non-main tags."""
        resource_id: str | None = resource.id
        level: Level | None = resource.level
        while level is not Level.INSTANCE and resource_id is not None:
            children = self._index.children(resource_id, limit=1)
            resource_id = children[0].child if children else None
            level = level.child if level else None
        return self._read_dataset(resource_id) if resource_id else None

    def _ordered(self, chains: list[_Chain], keys: list[OrderKey], level: Level) -> list[_Chain]:
        ordered = sorted(chains, key=lambda c: c.resource.id)
        for key in reversed(keys):  # stable sorts, least significant key first

            def value(chain: _Chain, key: OrderKey = key) -> str:
                if key.metadata is not None:
                    if key.metadata == "LastUpdate":
                        return chain.resource.last_update
                    return chain.resource.metadata.get(key.metadata, "")
                assert key.tag is not None
                tag_level = main_tag_level(key.tag, level)
                if (
                    tag_level is None
                    or tag_level not in chain.records
                    and tag_level is not Level.PATIENT
                ):
                    return ""
                return chain.main_value(tag_level, key.tag.keyword) or ""

            ordered.sort(key=value, reverse=key.descending)
        return ordered

    # -- answers -------------------------------------------------------------------------------

    def _expanded(self, query: FindQuery, ids: list[str]) -> list[dict[str, Any]]:
        loaded = self._browse.load_many(query.level, ids)
        answers = [self._browse.to_json(resource, links) for resource, links in loaded]
        for answer in answers:
            for key in ("MainDicomTags", "PatientMainDicomTags"):
                if key in answer:
                    answer[key] = format_tags(answer[key], query.tag_format)
        if query.requested_tags:
            requested = self._requested_page(query, loaded)
            for answer, values in zip(answers, requested, strict=True):
                answer["RequestedTags"] = format_tags(
                    values, query.tag_format, query.requested_tags
                )
        if query.response_content is not None:
            if "Metadata" in query.response_content:
                found = self._index.get_many(a["ID"] for a in answers)
                for answer in answers:
                    answer["Metadata"] = (
                        metadata_of(found[answer["ID"]]) if answer["ID"] in found else {}
                    )
            answers = [_restrict(a, query.response_content) for a in answers]
        return answers

    def _requested_page(
        self,
        query: FindQuery,
        loaded: list[tuple[Resource, list[ChildLink] | None]],
        from_instance: bool = False,
    ) -> list[dict[str, str]]:
        """The ``RequestedTags`` of a page of records (with their child links when already
        read), each answer in order: the ancestors of the whole page in one BatchGetItem, the
        series of its studies (ModalitiesInStudy) in one more, so that a page costs a Query
        per resource (its children, for the computed counts) rather than several."""
        computed = [
            tag.keyword for tag in query.requested_tags if _COMPUTED.get(tag.keyword) is query.level
        ]
        if computed:
            loaded = [
                (resource, links if links is not None else self._index.children(resource.id))
                for resource, links in loaded
            ]
        chains = {
            chain.resource.id: chain
            for chain in self._with_ancestors(
                query.level, [resource for resource, _ in loaded], query.requested_tags
            )
        }
        series: dict[str, Resource] = {}
        if "ModalitiesInStudy" in computed:
            series = self._index.get_many(link.child for _, links in loaded for link in links or [])
        return [
            self._requested(query, chains[resource.id], links or [], series, from_instance)
            if resource.id in chains
            else {}  # an ancestor deleted meanwhile
            for resource, links in loaded
        ]

    def _requested(
        self,
        query: FindQuery,
        chain: _Chain,
        links: list[ChildLink],
        series: dict[str, Resource],
        from_instance: bool,
    ) -> dict[str, str]:
        resource = chain.resource
        values: dict[str, str] = {}
        dataset: Dataset | None = None
        # The counts of one resource share one walk of its descendants.
        walk = functools.cache(lambda: self._browse.walk(resource, links))
        for tag in query.requested_tags:
            value: str | None
            if tag.keyword in _COMPUTED:
                value = (
                    self._computed(tag.keyword, links, series, walk)
                    if _COMPUTED[tag.keyword] is query.level
                    else None
                )
            elif tag.keyword == "InstanceAvailability":
                value = "ONLINE"
            elif (level := main_tag_level(tag, query.level)) is not None and (
                _DEPTH[level] <= _DEPTH[query.level] or not from_instance
            ):
                deeper = _DEPTH[level] > _DEPTH[query.level]
                value = None if deeper else chain.main_value(level, tag.keyword)
            else:
                dataset = dataset if dataset is not None else self._sample_dataset(resource)
                value = _dataset_value(dataset, tag, self._default_encoding())
            if value is not None:
                values[tag.keyword or tag.hex] = value
        return values

    def _computed(
        self,
        keyword: str,
        links: list[ChildLink],
        series: dict[str, Resource],
        walk: Callable[[], dict[Level, list[ChildLink]]],
    ) -> str:
        if keyword == "ModalitiesInStudy":
            return "\\".join(
                _modalities(series[link.child] for link in links if link.child in series)
            )
        descendants = walk()
        if keyword == "SOPClassesInStudy":
            instances = self._index.get_many(link.child for link in descendants[Level.INSTANCE])
            classes = {i.metadata.get("SopClassUid", "") for i in instances.values()}
            return "\\".join(sorted(c for c in classes if c))
        level = {"Studies": Level.STUDY, "Series": Level.SERIES, "Instances": Level.INSTANCE}
        for suffix, counted in level.items():
            if keyword.endswith(suffix):
                return str(len(descendants.get(counted, [])))
        raise ValueError(keyword)


def _lists_the_level(query: FindQuery) -> bool:
    """Whether every resource of the query's level matches, in ID order: no constraint,
    label, parent or order (then the listing is the answer, as ``GET /studies``)."""
    return not (query.constraints or query.labels or query.parent or query.order_by)


def _modalities(series: Iterable[Resource]) -> list[str]:
    """ModalitiesInStudy: the distinct modalities of a study's series, sorted."""
    return sorted({s.main_tags["Modality"] for s in series if "Modality" in s.main_tags})


def _ancestor_ids(record: Resource) -> dict[Level, str]:
    """The ancestors a record names without further reads (instances list all three)."""
    if record.level is Level.INSTANCE:
        levels = (Level.SERIES, Level.STUDY, Level.PATIENT)
        return dict(zip(levels, record.ancestors, strict=False))
    if record.level is Level.SERIES and record.parent:
        return {Level.STUDY: record.parent}
    return {}


def _pages(ids: Iterable[str], first: int) -> Iterator[list[str]]:
    """Candidates in pages (one BatchGetItem each): the first one the size of the answer
    wanted, so that ``Limit 20`` does not check 100 candidates when 20 suffice, then doubling
    up to ``PAGE`` when the matches are sparser."""
    size = max(1, min(first, PAGE))
    page: list[str] = []
    for resource_id in ids:
        page.append(resource_id)
        if len(page) == size:
            yield page
            page = []
            size = min(size * 2, PAGE)
    if page:
        yield page


def _dataset_value(dataset: Dataset | None, tag: TagInfo, default_encoding: str) -> str | None:
    from chalicelib.dicom.tag_values import summary_value

    return summary_value(dataset, tag.tag, default_encoding) if dataset is not None else None


def format_tags(
    values: dict[str, str], fmt: TagFormat, tags: list[TagInfo] | None = None
) -> dict[str, Any]:
    """Tags keyed by name (``simplify``), by ``gggg,eeee`` (``short``) or in full format."""
    if fmt is TagFormat.SIMPLIFY:
        return values
    from chalicelib.dicom.matching import resolve_tag

    known = {t.keyword or t.hex: t for t in tags or []}
    formatted: dict[str, Any] = {}
    for name, value in values.items():
        tag = known.get(name) or resolve_tag(name)
        if fmt is TagFormat.SHORT:
            formatted[tag.hex] = value
        else:
            formatted[tag.hex] = {"Name": tag.keyword, "Type": "String", "Value": value}
    return formatted


_CONTENT_KEYS = {
    "MainDicomTags": ("MainDicomTags", "PatientMainDicomTags"),
    "Children": ("Studies", "Series", "Instances"),
    "Parent": ("ParentPatient", "ParentStudy", "ParentSeries"),
    "Labels": ("Labels",),
    "Status": ("Status", "ExpectedNumberOfInstances"),
    "IsStable": ("IsStable", "LastUpdate"),
    "RequestedTags": ("RequestedTags",),
    "Metadata": ("Metadata",),
}


def _restrict(answer: dict[str, Any], content: list[str]) -> dict[str, Any]:
    """``ResponseContent``: the ID and type, plus the parts asked for."""
    keep = {"ID", "Type"} | {key for part in content for key in _CONTENT_KEYS[part]}
    return {k: v for k, v in answer.items() if k in keep}
