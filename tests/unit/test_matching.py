"""Unit and property tests of ``/tools/find`` matching (Orthanc 1.10.1 rules, no AWS needed)."""

from __future__ import annotations

import time
from functools import cache

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.dicom.matching import (
    Constraint,
    ConstraintKind,
    TagInfo,
    parse_constraint,
    resolve_tag,
)
from chalicelib.errors import ErrorCode, OrthancError

PATIENT_NAME = TagInfo(0x00100010, "PatientName", "PN")
STUDY_DESCRIPTION = TagInfo(0x00081030, "StudyDescription", "LO")
STUDY_DATE = TagInfo(0x00080020, "StudyDate", "DA")
STUDY_TIME = TagInfo(0x00080030, "StudyTime", "TM")
ACQUISITION_DATETIME = TagInfo(0x0008002A, "AcquisitionDateTime", "DT")


def constraint(tag: TagInfo, query: str, case_sensitive: bool = True) -> Constraint:
    return parse_constraint(tag, query, case_sensitive)


def orthanc_error(tag: TagInfo, query: str) -> OrthancError:
    with pytest.raises(OrthancError) as caught:
        parse_constraint(tag, query, True)
    return caught.value


# --- resolve_tag ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["PatientName", "0010,0010", "00100010"])
def test_resolve_tag_by_keyword_or_hex(name: str) -> None:
    assert resolve_tag(name) == PATIENT_NAME
    assert resolve_tag(name).hex == "0010,0010"


@pytest.mark.parametrize("name", ["0020,000d", "0020,000D", "0020000d", "0020000D"])
def test_resolve_tag_hex_in_any_case(name: str) -> None:
    info = resolve_tag(name)
    assert (info.tag, info.keyword, info.vr, info.hex) == (
        0x0020000D,
        "StudyInstanceUID",
        "UI",
        "0020,000d",
    )


def test_resolve_tag_dictionary_entries_need_nothing_special() -> None:
    assert resolve_tag("ModalitiesInStudy") == TagInfo(0x00080061, "ModalitiesInStudy", "CS")
    assert resolve_tag("ReferencedSeriesSequence").vr == "SQ"
    assert resolve_tag("PixelData").vr == "OB"  # "OB or OW": the first alternative


def test_resolve_tag_private_hex_tag_is_accepted() -> None:
    info = resolve_tag("0009,10AB")
    assert (info.tag, info.keyword, info.vr, info.hex) == (0x000910AB, "", "UN", "0009,10ab")


@pytest.mark.parametrize("name", ["PatientNames", "patientname", "", "0010,001", "0010-0010"])
def test_resolve_tag_unknown_keyword(name: str) -> None:
    with pytest.raises(OrthancError) as caught:
        resolve_tag(name)
    assert caught.value.code is ErrorCode.UNKNOWN_DICOM_TAG
    assert caught.value.details == f'Unknown DICOM tag: "{name}"'


# --- parse_constraint ------------------------------------------------------------------------


def test_empty_query_is_not_a_constraint() -> None:
    with pytest.raises(ValueError):
        parse_constraint(PATIENT_NAME, "", True)


def test_sequences_cannot_be_searched() -> None:
    error = orthanc_error(TagInfo(0x00081115, "ReferencedSeriesSequence", "SQ"), "x")
    assert error.code is ErrorCode.BAD_PARAMETER_TYPE
    assert error.details == "Cannot search on the sequence 0008,1115"


@pytest.mark.parametrize(
    ("tag", "query", "bounds"),
    [
        (STUDY_DATE, "20180323-", ("20180323", "")),
        (STUDY_DATE, "-20180325", ("", "20180325")),
        (STUDY_DATE, "20180323-20180325", ("20180323", "20180325")),
        (STUDY_DATE, "2004-", ("2004", "")),
        (STUDY_TIME, "07-08", ("07", "08")),
        (STUDY_TIME, "07:30-08:00.5", ("07:30", "08:00.5")),
        (ACQUISITION_DATETIME, "20180323120000.5+0100-", ("20180323120000.5+0100", "")),
    ],
)
def test_ranges_on_dates_and_times(tag: TagInfo, query: str, bounds: tuple[str, str]) -> None:
    assert constraint(tag, query) == Constraint(tag, ConstraintKind.RANGE, bounds, True)


@pytest.mark.parametrize(
    ("tag", "query"),
    [
        (STUDY_DATE, "-"),
        (STUDY_DATE, "2018-2019-"),
        (STUDY_DATE, "2018*-"),
        (STUDY_DATE, "2018\\2019-"),
        (STUDY_DATE, "2018.01.01-"),
        (STUDY_TIME, "07h-08"),
        (ACQUISITION_DATETIME, "2018:01-"),
    ],
)
def test_malformed_ranges(tag: TagInfo, query: str) -> None:
    error = orthanc_error(tag, query)
    assert error.code is ErrorCode.PARAMETER_OUT_OF_RANGE
    assert error.details == f'Malformed range "{query}" for tag {tag.hex}'


def test_dash_is_literal_outside_dates_and_times() -> None:
    assert constraint(PATIENT_NAME, "Smith-Jones").kind is ConstraintKind.EQUAL


def test_lists_split_on_backslash_keeping_empty_items() -> None:
    assert constraint(STUDY_DESCRIPTION, "CT\\\\MR*").values == ("CT", "", "MR*")
    assert constraint(STUDY_DATE, "20180323\\20180325").kind is ConstraintKind.LIST


def test_wildcards_on_textual_vrs() -> None:
    assert constraint(PATIENT_NAME, "Do?^*") == Constraint(
        PATIENT_NAME, ConstraintKind.WILDCARD, ("Do?^*",), True
    )


@pytest.mark.parametrize(
    ("tag", "query"),
    [
        (TagInfo(0x0020000D, "StudyInstanceUID", "UI"), "1.2.*"),
        (TagInfo(0x00100030, "PatientBirthDate", "DA"), "1970*"),
        (TagInfo(0x00200013, "InstanceNumber", "IS"), "1?"),
        (TagInfo(0x000910AB, "", "UN"), "*"),
    ],
)
def test_wildcards_refused_elsewhere(tag: TagInfo, query: str) -> None:
    error = orthanc_error(tag, query)
    assert error.code is ErrorCode.PARAMETER_OUT_OF_RANGE
    assert error.details == f"Wildcards are not allowed on tag {tag.hex}"


# --- Constraint.matches: examples ------------------------------------------------------------


def test_absent_or_binary_values_never_match() -> None:
    for query in ("*", "Doe", "A\\B"):
        assert not constraint(PATIENT_NAME, query).matches(None)
    assert not constraint(STUDY_DATE, "-20000101").matches(None)


def test_equal_is_exact() -> None:
    assert constraint(STUDY_DESCRIPTION, "Head CT").matches("Head CT")
    assert not constraint(STUDY_DESCRIPTION, "Head CT").matches("Head CT ")
    assert not constraint(STUDY_DESCRIPTION, "Head CT").matches("head ct")
    assert constraint(STUDY_DESCRIPTION, "Head CT", case_sensitive=False).matches("head ct")


def test_list_matches_any_item() -> None:
    modalities = constraint(TagInfo(0x00080060, "Modality", "CS"), "CT\\MR", case_sensitive=False)
    assert modalities.matches("mr")
    assert not modalities.matches("CT\\MR")
    assert constraint(STUDY_DESCRIPTION, "A\\").matches("")


def test_range_is_plain_string_comparison() -> None:
    assert constraint(STUDY_DATE, "2004-").matches("20040119")
    assert constraint(STUDY_DATE, "20180323-20180325").matches("20180325")
    assert not constraint(STUDY_DATE, "20180323-20180325").matches("20180326")
    assert constraint(STUDY_TIME, "07-08").matches("072730")
    assert not constraint(STUDY_TIME, "07-08").matches("080000")  # "080000" > "08"
    assert constraint(STUDY_DATE, "-20000101").matches("")


def test_wildcard_examples() -> None:
    assert constraint(PATIENT_NAME, "Do*").matches("Doe^John")
    assert constraint(PATIENT_NAME, "*").matches("")
    assert constraint(PATIENT_NAME, "D?e*").matches("Doe")
    assert not constraint(PATIENT_NAME, "D?e").matches("De")
    assert not constraint(PATIENT_NAME, "do*").matches("Doe")
    assert constraint(PATIENT_NAME, "do*", case_sensitive=False).matches("Doe")
    assert constraint(PATIENT_NAME, "*[a].(b)*").matches("x[a].(b)\ny")
    assert not constraint(PATIENT_NAME, "*[a].(b)*").matches("xa.b")
    assert constraint(PATIENT_NAME, "a?c").matches("a\nc")
    assert not constraint(PATIENT_NAME, "a*a").matches("a")  # the two "a" cannot overlap
    assert not constraint(PATIENT_NAME, "ab*?b").matches("abb")


def test_wildcard_does_not_backtrack_catastrophically() -> None:
    query = constraint(TagInfo(0x00204000, "ImageComments", "LT"), "*a" * 8 + "*b")
    start = time.perf_counter()
    assert not query.matches("a" * 10_000)
    assert time.perf_counter() - start < 1


# --- Constraint.matches: properties against simple references --------------------------------


def reference_wildcard(pattern: str, value: str) -> bool:
    """Whole-value glob matching by memoised recursion: "*" any run, "?" one character."""

    @cache
    def match(p: int, v: int) -> bool:
        if p == len(pattern):
            return v == len(value)
        if pattern[p] == "*":
            return match(p + 1, v) or (v < len(value) and match(p, v + 1))
        if v == len(value):
            return False
        return pattern[p] in ("?", value[v]) and match(p + 1, v + 1)

    return match(0, 0)


def fold(text: str, case_sensitive: bool) -> str:
    return text if case_sensitive else text.upper()


# Regex syntax must stay literal; tiny alphabets make matches and near misses (overlaps) common.
glob_queries = st.one_of(
    st.text("*?.[()^$+|{aAbB\n ", min_size=1, max_size=8),
    st.text("*?aA", min_size=1, max_size=6),
    st.text("*?a", min_size=1, max_size=5),
)
glob_values = st.one_of(
    st.text("aAbB.[(^\n ", max_size=12), st.text("aA", max_size=6), st.text("ab", max_size=4)
)


@given(query=glob_queries, value=glob_values, case_sensitive=st.booleans())
def test_wildcards_match_like_the_reference(query: str, value: str, case_sensitive: bool) -> None:
    parsed = parse_constraint(PATIENT_NAME, query, case_sensitive)
    has_wildcard = "*" in query or "?" in query
    assert parsed.kind is (ConstraintKind.WILDCARD if has_wildcard else ConstraintKind.EQUAL)
    expected = reference_wildcard(fold(query, case_sensitive), fold(value, case_sensitive))
    assert parsed.matches(value) is expected


@given(
    query=glob_queries,
    parts=st.lists(st.text("aAbB.[", max_size=3), max_size=4),
    cut=st.integers(min_value=0),
    case_sensitive=st.booleans(),
)
def test_wildcards_match_values_built_from_the_query(
    query: str, parts: list[str], cut: int, case_sensitive: bool
) -> None:
    """Random values rarely match; filling each "*" with text and each "?" with one must.

    The same value one character short is a near miss (e.g. "a*a" against "a") that random
    values seldom produce: the reference decides it.
    """
    filler = iter(parts + [""] * len(query))
    value = "".join(
        next(filler) if c == "*" else (next(filler) or "x")[:1] if c == "?" else c for c in query
    )
    parsed = parse_constraint(PATIENT_NAME, query, case_sensitive)
    assert parsed.matches(value)
    if value:
        cut %= len(value)
        shorter = value[:cut] + value[cut + 1 :]
        expected = reference_wildcard(fold(query, case_sensitive), fold(shorter, case_sensitive))
        assert parsed.matches(shorter) is expected


items = st.text("aAbB *?.-", max_size=4)


@given(
    query_items=st.lists(items, min_size=1, max_size=4).filter(lambda xs: "\\".join(xs) != ""),
    value=st.one_of(items, st.sampled_from(["a", "A", "ab", "AB", ""])),
    case_sensitive=st.booleans(),
)
def test_equal_and_lists_match_like_the_reference(
    query_items: list[str], value: str, case_sensitive: bool
) -> None:
    tag = TagInfo(0x00081030, "StudyDescription", "LO")
    query = "\\".join(query_items)
    parsed = parse_constraint(tag, query, case_sensitive)
    if len(query_items) == 1 and ("*" in query or "?" in query):
        assert parsed.kind is ConstraintKind.WILDCARD
        return
    assert parsed.kind is (ConstraintKind.LIST if len(query_items) > 1 else ConstraintKind.EQUAL)
    assert parsed.values == tuple(query_items)
    expected = fold(value, case_sensitive) in {fold(i, case_sensitive) for i in query_items}
    assert parsed.matches(value) is expected


def reference_in_range(lower: str, upper: str, value: str) -> bool:
    """Lexicographic order spelled out character by character, not via Python's comparison."""

    def at_most(a: str, b: str) -> bool:
        for x, y in zip(a, b, strict=False):
            if x != y:
                return ord(x) < ord(y)
        return len(a) <= len(b)

    return (lower == "" or at_most(lower, value)) and (upper == "" or at_most(value, upper))


digits = st.text("0123456789", max_size=8)


@given(
    lower=digits,
    upper=digits,
    value=digits,
    tag=st.sampled_from([STUDY_DATE, STUDY_TIME, ACQUISITION_DATETIME]),
)
def test_ranges_match_like_the_reference(lower: str, upper: str, value: str, tag: TagInfo) -> None:
    query = f"{lower}-{upper}"
    if not (lower or upper):
        with pytest.raises(OrthancError):
            parse_constraint(tag, query, True)
        return
    parsed = parse_constraint(tag, query, False)
    assert parsed == Constraint(tag, ConstraintKind.RANGE, (lower, upper), False)
    assert parsed.matches(value) is reference_in_range(lower, upper, value)


@given(lower=digits, upper=digits, junk=st.sampled_from(["-", "*", "a", "\\", "/", " "]))
def test_ranges_with_foreign_characters_are_malformed(lower: str, upper: str, junk: str) -> None:
    query = f"{lower}-{upper}{junk}"
    with pytest.raises(OrthancError) as caught:
        parse_constraint(STUDY_DATE, query, True)
    assert caught.value.code is ErrorCode.PARAMETER_OUT_OF_RANGE
    assert caught.value.details == f'Malformed range "{query}" for tag 0008,0020'
