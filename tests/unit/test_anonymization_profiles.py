"""The anonymization profiles: generated from the standard's Table E.1-1, checked against it.

The shipped tables (chalicelib/dicom/modification/profile_tables/*.json) must be exactly what the
generator makes of the committed extracts of the standard (tools/standard/), and the extracts
must be the ones recorded (tools/standard/README.md); then spot checks of what each revision
means once turned into Cirrus's operations.
"""

from __future__ import annotations

import gzip
import hashlib
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from chalicelib.dicom.modification.profiles import (
    CALLER_HANDLED,
    DEFAULT_VERSION,
    DICOM_VERSIONS,
    ORTHANC_2008_EXTRA_REMOVALS,
    ORTHANC_2008_UIDS,
    load_profile,
    operation,
    read_table,
    wildcard_range,
)

ROOT = Path(__file__).resolve().parents[2]


def _load_generator() -> ModuleType:
    path = ROOT / "tools" / "generate_anonymization_profiles.py"
    spec = importlib.util.spec_from_file_location("generate_anonymization_profiles", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


gen = _load_generator()

ACCESSION_NUMBER = 0x00080050


# -- the generated tables are their source's ------------------------------------------------


@pytest.mark.parametrize("revision", DICOM_VERSIONS)
def test_the_committed_table_is_what_the_generator_makes_of_the_extract(revision: str) -> None:
    committed = (gen.PROFILES_DIR / f"{revision}.json").read_text(encoding="utf-8")
    assert gen.generate_text(revision) == committed, (
        "regenerate: .venv/bin/python tools/generate_anonymization_profiles.py"
    )


def test_generate_writes_every_revision(tmp_path: Path) -> None:
    written = gen.generate(output=tmp_path)
    assert sorted(p.name for p in written) == sorted(f"{v}.json" for v in DICOM_VERSIONS)
    for path in written:
        assert path.read_text(encoding="utf-8") == (gen.PROFILES_DIR / path.name).read_text(
            encoding="utf-8"
        )


def test_the_generator_and_the_product_know_the_same_revisions() -> None:
    assert gen.REVISIONS == DICOM_VERSIONS
    assert DEFAULT_VERSION == "2023b"


# -- the extracts are the recorded ones -----------------------------------------------------


@pytest.mark.parametrize("revision", DICOM_VERSIONS)
def test_the_extract_is_the_recorded_one(revision: str) -> None:
    source = gen.SOURCES[revision]
    text = gen.extract_text(revision)
    assert hashlib.sha256(text.encode("utf-8")).hexdigest() == source.extract_sha256
    assert len(gen.read_rows(revision)) == source.rows


def test_the_row_counts_are_the_standards() -> None:
    """Counted by hand in the published tables (named rows, the two repeated 2023b rows
    included; 2008 has 48 rows over two pages)."""
    assert {r: s.rows for r, s in gen.SOURCES.items()} == {
        "2008": 48,
        "2017c": 278,
        "2021b": 460,
        "2023b": 611,
    }


def test_the_readme_records_each_source() -> None:
    readme = (gen.STANDARD_DIR / "README.md").read_text(encoding="utf-8")
    for revision, source in gen.SOURCES.items():
        assert source.url in readme, revision
        assert source.sha256 in readme, revision
        assert source.extract_sha256 in readme, revision
        assert gen.extract_path(revision).name in readme, revision


@pytest.mark.parametrize("revision", gen.XML_REVISIONS)
def test_an_xml_extract_is_the_docbook_table(revision: str) -> None:
    raw = gen.extract_path(revision).read_bytes()
    assert raw[:2] == b"\x1f\x8b"
    text = gzip.decompress(raw).decode("utf-8")
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<table xmlns="http://docbook')
    assert 'label="E.1-1"' in text.splitlines()[1]
    assert text.rstrip().endswith("</table>")


def test_the_xml_extraction_cuts_the_table_out_of_a_document(tmp_path: Path) -> None:
    """What ``extract`` does to a full part15.xml, on a small document of the same shape."""
    document = (
        b'<?xml version="1.0" encoding="utf-8"?>\n'
        b'<book xmlns="http://docbook.org/ns/docbook" xmlns:xl="http://www.w3.org/1999/xlink">'
        b'<table label="E.1-0"><tbody/></table>\n'
        b'<table frame="box" label="E.1-1" xml:id="table_E.1-1">\n'
        b"  <thead><tr><th>Attribute Name</th><th>Tag</th><th>R</th><th>S</th>"
        b"<th><emphasis>Basic Prof.</emphasis></th></tr></thead>\n"
        b"  <tbody><tr><td><para>Accession\n  Number</para></td><td>(0008,0050)</td>"
        b"<td>N</td><td>Y</td><td>Z</td></tr></tbody>\n"
        b"</table> after\n</book>\n"
    )
    text = gen.extract_xml_table(document)
    assert text.splitlines()[1] == (
        '<table xmlns="http://docbook.org/ns/docbook" frame="box" label="E.1-1" '
        'xml:id="table_E.1-1">'
    )
    assert "Accession\n  Number" in text  # verbatim, line breaks included
    assert text.endswith("</table>\n")
    # gzip without a time stamp: extracting twice gives the same bytes
    assert gen.gzip_bytes(text) == gen.gzip_bytes(text)
    assert gzip.decompress(gen.gzip_bytes(text)).decode() == text


def test_the_extraction_refuses_a_file_other_than_the_recorded_one(tmp_path: Path) -> None:
    other = tmp_path / "part15.xml"
    other.write_bytes(b"<book/>")
    with pytest.raises(ValueError, match="record the new source"):
        gen.extract("2021b", other, directory=tmp_path)
    assert not list(tmp_path.glob("*.gz"))


def test_the_2008_text_parser_reads_the_table_across_pages() -> None:
    text = "\n".join(
        [
            "rows listed in Table E.1-1 contained in the prose",
            "Table E.1-1 ",
            "    Basic Application Level Confidentiality Profile Attributes ",
            "Attribute Name Tag ",
            "Instance Creator UID (0008,0014) ",
            "Series Description  (0008,103E) ",
            "PS 3.15-2008 ",
            "Page 36 ",
            "- Standard - ",
            "Related Frame of Reference UID (3006,00C2) ",
            " ",
            "E.1.2 Re-Identifier ",
            "Not a row (0000,0000)",
        ]
    )
    assert gen.parse_2008_table_text(text) == [
        ("Instance Creator UID", "(0008,0014)"),
        ("Series Description", "(0008,103E)"),
        ("Related Frame of Reference UID", "(3006,00C2)"),
    ]
    with pytest.raises(ValueError, match="not a row"):
        gen.parse_2008_table_text(text.replace("Page 36", "Something else"))


def test_names_and_tags_are_normalized_as_printed() -> None:
    assert gen.clean_text("\n  GPS Altitude\u200b Ref\n ") == "GPS Altitude Ref"
    assert gen.normalize_tag("(0040, 4028)") == "(0040,4028)"
    assert gen.normalize_tag("(50XX,xxxx)") == "(50xx,xxxx)"
    assert gen.normalize_tag("(0008,103e)") == "(0008,103E)"
    with pytest.raises(ValueError):
        gen.normalize_tag("(0008,0050")


# -- the generator's refusals ---------------------------------------------------------------


def test_a_wildcard_row_that_is_not_removed_is_an_error() -> None:
    with pytest.raises(ValueError, match="wildcard"):
        gen.build_profile("2021b", [gen.Row("Curve Data", "(50xx,xxxx)", "Z")])


def test_an_unknown_action_is_an_error() -> None:
    with pytest.raises(ValueError, match="unknown action"):
        gen.build_profile("2021b", [gen.Row("Accession Number", "(0008,0050)", "Q")])


def test_a_tag_listed_twice_differently_is_an_error_and_identical_rows_merge() -> None:
    row = gen.Row("Accession Number", "(0008,0050)", "Z")
    assert len(gen.build_profile("2021b", [row, row])["attributes"]) == 1
    with pytest.raises(ValueError, match="listed twice"):
        gen.build_profile("2021b", [row, gen.Row("Accession Number", "(0008,0050)", "X")])


def test_an_unexpected_header_is_an_error() -> None:
    text = gen.extract_text("2021b").replace("Basic Prof.", "Basic Profile", 1)
    with pytest.raises(ValueError, match="unexpected header"):
        gen.parse_xml_rows("2021b", text)


def test_the_2023b_duplicates_are_merged() -> None:
    rows = gen.read_rows("2023b")
    tags = [r.tag for r in rows]
    assert sorted({t for t in tags if tags.count(t) > 1}) == [
        "(0032,1021)",
        "(0040,0001)",
        "(0040,0241)",
    ]
    assert len(read_table("2023b")["attributes"]) == 611 - 3 - 3 - 1  # ranges, private row


# -- the tables, as raw data ----------------------------------------------------------------


@pytest.mark.parametrize("revision", DICOM_VERSIONS)
def test_a_table_is_sorted_and_well_formed(revision: str) -> None:
    table = read_table(revision)
    assert table["revision"] == revision
    assert table["source"] == gen.extract_path(revision).relative_to(ROOT).as_posix()
    tags = [a["tag"] for a in table["attributes"]]
    assert tags == sorted(tags) and len(set(tags)) == len(tags)
    assert all(len(t) == 8 and int(t, 16) >= 0 for t in tags)
    assert all(a["name"] and a["action"] in gen.ACTIONS for a in table["attributes"])


def test_the_2008_table_says_why_every_action_is_x() -> None:
    table = read_table("2008")
    assert "no action column" in table["note"]
    assert {a["action"] for a in table["attributes"]} == {"X"}
    assert table["ranges"] == []


def test_no_keep_or_clean_action_appears_in_the_basic_profile() -> None:
    for revision in gen.XML_REVISIONS:
        actions = {a["action"] for a in read_table(revision)["attributes"]}
        assert not actions & {"K", "C"}, revision


# -- the profiles, as Cirrus applies them ---------------------------------------------------


def test_actions_map_to_operations() -> None:
    assert operation("U") == "uids"
    assert operation("X/Z/U*") == "relationship_sequences"
    for action in ("X", "X/Z", "X/D", "X/Z/D"):
        assert operation(action) == "removals"
    for action in ("Z", "D", "Z/D"):
        assert operation(action) == "clearings"
    assert operation("K") is None and operation("C") is None
    with pytest.raises(ValueError):
        operation("Q")


def test_wildcards_become_ranges() -> None:
    assert wildcard_range("50xxxxxx") == (0x5000, 0x50FF, 0x0000, 0xFFFF)
    assert wildcard_range("60xx3000") == (0x6000, 0x60FF, 0x3000, 0x3000)


def test_accession_number_is_cleared_in_2021b() -> None:
    profile = load_profile("2021b")
    assert ACCESSION_NUMBER in profile.clearings
    assert ACCESSION_NUMBER not in profile.removals | profile.uids
    assert profile.deidentification_method == "PS 3.15-2021b Table E.1-1 Basic Profile"


def test_treatment_site_changed_from_dummy_to_removal_in_2023b() -> None:
    """(3010,0077) Treatment Site: D in 2021b, X/D in 2023b (the one action that changed)."""
    treatment_site = 0x30100077
    assert treatment_site in load_profile("2021b").clearings
    assert treatment_site in load_profile("2023b").removals
    assert treatment_site not in load_profile("2023b").clearings


def test_attributes_new_in_2023b() -> None:
    pyramid_uid, retrieve_ae_title, instance_creation_date = 0x00080019, 0x00080054, 0x00080012
    old, new = load_profile("2021b"), load_profile("2023b")
    assert pyramid_uid in new.uids and pyramid_uid not in old.uids
    assert retrieve_ae_title in new.removals and retrieve_ae_title not in old.removals
    assert instance_creation_date in new.removals  # X/D


def test_2017c_and_2021b_differ_where_the_standard_changed() -> None:
    digital_signature_uid, content_sequence = 0x04000100, 0x0040A730
    assert digital_signature_uid in load_profile("2017c").removals  # X
    assert digital_signature_uid in load_profile("2021b").uids  # U
    assert content_sequence in load_profile("2017c").removals  # X
    assert content_sequence in load_profile("2021b").clearings  # D


@pytest.mark.parametrize("revision", ["2017c", "2021b", "2023b"])
def test_curves_and_overlays_are_removed_ranges(revision: str) -> None:
    profile = load_profile(revision)
    assert (0x5000, 0x50FF, 0x0000, 0xFFFF) in profile.removed_ranges  # (50xx,xxxx)
    assert (0x6000, 0x60FF, 0x3000, 0x3000) in profile.removed_ranges  # (60xx,3000)
    assert (0x6000, 0x60FF, 0x4000, 0x4000) in profile.removed_ranges  # (60xx,4000)


@pytest.mark.parametrize("revision", ["2017c", "2021b", "2023b"])
def test_relationship_sequences(revision: str) -> None:
    referenced_image_sequence, source_image_sequence = 0x00081140, 0x00082112
    assert load_profile(revision).relationship_sequences == {
        referenced_image_sequence,
        source_image_sequence,
    }


def test_2008_is_orthancs_reading_of_the_plain_list() -> None:
    profile = load_profile("2008")
    table = {int(a["tag"], 16) for a in read_table("2008")["attributes"]}
    assert profile.uids == ORTHANC_2008_UIDS
    assert table >= ORTHANC_2008_UIDS
    assert profile.removals >= ORTHANC_2008_EXTRA_REMOVALS
    assert not ORTHANC_2008_EXTRA_REMOVALS & table
    assert profile.removals == (table - ORTHANC_2008_UIDS - CALLER_HANDLED) | (
        ORTHANC_2008_EXTRA_REMOVALS
    )
    assert profile.clearings == profile.relationship_sequences == frozenset()
    assert profile.removed_ranges == ()
    assert profile.deidentification_method == "PS 3.15-2008 Table E.1-1"
    assert ACCESSION_NUMBER in profile.removals


@pytest.mark.parametrize("revision", DICOM_VERSIONS)
def test_the_five_identifiers_are_left_to_the_caller(revision: str) -> None:
    profile = load_profile(revision)
    every = profile.removals | profile.clearings | profile.uids | profile.relationship_sequences
    assert not every & CALLER_HANDLED
    assert {0x00080018, 0x0020000E, 0x0020000D, 0x00100010, 0x00100020} == CALLER_HANDLED
    # and they are in the tables all the same (2008: all five, later: all five too)
    listed = {int(a["tag"], 16) for a in read_table(revision)["attributes"]}
    assert listed >= CALLER_HANDLED


@pytest.mark.parametrize("revision", DICOM_VERSIONS)
def test_the_sets_are_disjoint(revision: str) -> None:
    p = load_profile(revision)
    sets = [p.removals, p.clearings, p.uids, p.relationship_sequences]
    assert sum(len(s) for s in sets) == len(frozenset().union(*sets))


def test_profiles_are_cached_and_unknown_versions_refused() -> None:
    assert load_profile("2021b") is load_profile("2021b")
    for version in ("2011", "2021", "", "2023B"):
        with pytest.raises(ValueError, match="unknown DicomVersion"):
            load_profile(version)
