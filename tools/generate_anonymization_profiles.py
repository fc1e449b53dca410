"""Generate Cirrus's anonymization profiles from the DICOM standard's own PS3.15 Table E.1-1.

Orthanc's ``/anonymize`` routes take ``"DicomVersion"`` (2008, 2017c, 2021b, 2023b) and apply
the Basic Application Level Confidentiality Profile of that revision of the standard. The
tables must come from the standard itself, never from Orthanc (GPL), and must be checkable:
so this script has two jobs, each a plain function the tests import:

``extract <rev> <file>``
    From the full Part 15 of a revision (the DocBook XML for 2017c and later, the PDF for
    2008), write the committed extract in ``tools/standard/``: the verbatim ``<table
    label="E.1-1">`` element, gzip-compressed, or for 2008 the table's rows as text. The full
    file's sha256 must be the one recorded in ``SOURCES`` (and tools/standard/README.md), so
    an extract can only be made from the file it claims to come from.

``generate`` (the default)
    From the committed extracts alone, write
    ``chalicelib/dicom/modification/profile_tables/<rev>.json``:
    the table as raw standard data (tag, name, action). Turning actions into operations is the
    product's job (``chalicelib/dicom/modification/profiles.py``), not this script's.

The unit tests re-run ``generate`` in memory and compare with the committed JSON, so the
shipped tables cannot drift from their source.

Run from the repository root: ``.venv/bin/python tools/generate_anonymization_profiles.py``.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import json
import logging
import re
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
STANDARD_DIR = ROOT / "tools" / "standard"
PROFILES_DIR = ROOT / "chalicelib" / "dicom" / "modification" / "profile_tables"

REVISIONS = ("2008", "2017c", "2021b", "2023b")
XML_REVISIONS = ("2017c", "2021b", "2023b")

DOCBOOK = "http://docbook.org/ns/docbook"
_NS = {"db": DOCBOOK}
TABLE_LABEL = "E.1-1"


@dataclass(frozen=True)
class Source:
    """Where a revision's extract comes from, recorded so that it can be checked and redone."""

    url: str  # the full Part 15 as published by NEMA
    sha256: str  # of that full file
    extract_sha256: str  # of the extract (uncompressed), as committed in tools/standard/
    rows: int  # rows of Table E.1-1 with a name, duplicates included


SOURCES: dict[str, Source] = {
    "2008": Source(
        url="ftp://medical.nema.org/medical/dicom/2008/08_15pu.pdf",
        sha256="8580598471c512ba2afae1a4b3dbc5f973da907d5a2d2b31bca617cab54dc2aa",
        extract_sha256="c9b2f6e41d7cac1f3e4b99ff8401e236fe0b92a1b2569bc2f97607134adc989e",
        rows=48,
    ),
    "2017c": Source(
        url="http://dicom.nema.org/medical/dicom/2017c/source/docbook/part15/part15.xml",
        sha256="51b2fdc2416a80261810c94887111ba5e93f5e20634ffb8f8d66034202168303",
        extract_sha256="afa31e3b68337b2946c2fdaff0c6e55df6830168a4d9b3083a3f4ce34e8da8d6",
        rows=278,
    ),
    "2021b": Source(
        url="http://dicom.nema.org/medical/dicom/2021b/source/docbook/part15/part15.xml",
        sha256="8da3e200b18ab26dabecc17d17549fa77758efca79fc3615ea60b46c80d0c5b1",
        extract_sha256="ebd9b2d0abd15001584595885db29ec3ae64fb535500f368e4ef2b4ad8602fa8",
        rows=460,
    ),
    "2023b": Source(
        url="https://dicom.nema.org/medical/dicom/2023b/source/docbook/part15/part15.xml",
        sha256="29e15b7449b65e37ff8e75193e12b12efc14fdb08517a88058751e73fbc1db64",
        extract_sha256="f248353a110cb2b5e599f9dcd379a56a2e1cfd682db4e618145c3af4977c699c",
        rows=611,
    ),
}

# The columns this script reads, by position, with the header text each revision prints
# there. The layout changed between revisions (2017c has 14 columns, "Basic Profile";
# 2021b added "Rtn. Inst. Id. Opt." and abbreviated the headers: 15 columns, "Basic
# Prof."), so each revision's header is checked rather than assumed.
NAME_COLUMN, TAG_COLUMN, BASIC_COLUMN = 0, 1, 4
EXPECTED_HEADERS: dict[str, tuple[int, tuple[str, str, str]]] = {
    "2017c": (14, ("Attribute Name", "Tag", "Basic Profile")),
    "2021b": (15, ("Attribute Name", "Tag", "Basic Prof.")),
    "2023b": (15, ("Attribute Name", "Tag", "Basic Prof.")),
}

# The action codes of the Basic Profile column, as defined in Section E.1.1 (Table E.1-1a
# "De-identification Action Codes" in 2021b and 2023b). Anything else in that column means
# the table changed in a way this script does not know: stop rather than guess.
ACTIONS = frozenset({"D", "Z", "X", "K", "C", "U", "Z/D", "X/Z", "X/D", "X/Z/D", "X/Z/U*"})

# The 2008 table has no action column: every listed attribute is to be protected (removed or
# replaced by a dummy value). Recorded as X, with this note in the generated file.
NOTE_2008 = (
    "PS 3.15-2008 Table E.1-1 is a plain list of attributes with no action column: each is "
    "to be protected (removed, or replaced by a dummy value). Recorded here as action X for "
    "all; Orthanc's own reading of it (which attributes it remaps as UIDs, which it adds) "
    "lives in chalicelib/dicom/modification/profiles.py."
)

# The one row that is neither a tag nor an x-wildcard range.
PRIVATE_ROW_TAG = "(gggg,eeee) where gggg is odd"

_TAG = re.compile(r"\(([0-9A-Fx]{4}),([0-9A-Fx]{4})\)")
_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\ufeff"))


@dataclass(frozen=True)
class Row:
    """One row of Table E.1-1: name and tag as printed (whitespace normalized), action."""

    name: str
    tag: str  # "(gggg,eeee)", hex upper-case, wildcard digits as lower-case x
    action: str


# -- helpers --------------------------------------------------------------------------------


def clean_text(text: str) -> str:
    """Cell text with zero-width spaces dropped and runs of whitespace collapsed: the XML
    wraps names across lines and sprinkles U+200B in some (e.g. "GPS Altitude\u200b Ref")."""
    return " ".join(text.translate(_ZERO_WIDTH).split())


def normalize_tag(text: str) -> str:
    """``(gggg,eeee)`` with spaces removed, hex upper-case and wildcard digits ``x``: the
    standard prints e.g. "(0040, 4028)" in 2017c and "(50xx,xxxx)" everywhere."""
    if clean_text(text) == PRIVATE_ROW_TAG:
        return PRIVATE_ROW_TAG
    compact = "".join(text.split()).upper().replace("X", "x")
    if not _TAG.fullmatch(compact):
        raise ValueError(f"not a tag: {text!r}")
    return compact


def sha256_file(path: Path) -> str:
    """The hex sha256 of a file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def extract_path(revision: str) -> Path:
    """Where the committed extract of ``revision`` lives."""
    if revision == "2008":
        return STANDARD_DIR / "part15-2008-table-E.1-1.txt"
    return STANDARD_DIR / f"part15-{revision}-table-E.1-1.xml.gz"


def extract_text(revision: str, directory: Path = STANDARD_DIR) -> str:
    """The committed extract of ``revision``, uncompressed, as text."""
    path = directory / extract_path(revision).name
    data = path.read_bytes()
    if path.suffix == ".gz":
        data = gzip.decompress(data)
    return data.decode("utf-8")


# -- extract --------------------------------------------------------------------------------


def find_table(root: ET.Element) -> ET.Element:
    """The one DocBook ``<table label="E.1-1">`` of a Part 15 document."""
    tables = [t for t in root.iter(f"{{{DOCBOOK}}}table") if t.get("label") == TABLE_LABEL]
    if len(tables) != 1:
        raise ValueError(f"expected one table labelled {TABLE_LABEL}, found {len(tables)}")
    return tables[0]


def extract_xml_table(document: bytes) -> str:
    """Table E.1-1 of a full Part 15 DocBook document, as a standalone XML document.

    The element is cut verbatim out of the document's text (every attribute, every line break
    and indentation kept) and given the DocBook namespace that the document declares on its
    root, so it parses on its own; the cut is then checked to parse into the very same element
    as the one in the whole document. Nothing else of the 1-3 MB document is kept.
    """
    text = document.decode("utf-8")
    expected = find_table(ET.fromstring(document))
    opening = re.compile(r'<table\b[^>]*\blabel="E\.1-1"[^>]*>')
    starts = [match.start() for match in opening.finditer(text)]
    if len(starts) != 1:
        raise ValueError(f'expected one <table label="{TABLE_LABEL}">, found {len(starts)}')
    start = starts[0]
    end = text.index("</table>", start) + len("</table>")
    element = text[start:end]
    if "<table" in element[1:]:
        raise ValueError("Table E.1-1 contains a nested table: the cut would be wrong")
    element = f'<table xmlns="{DOCBOOK}"' + element[len("<table") :]
    expected.tail = None  # the text after the element belongs to the document, not the table
    if ET.tostring(ET.fromstring(element)) != ET.tostring(expected):
        raise ValueError("the cut of Table E.1-1 does not parse into the document's element")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{element}\n'


def gzip_bytes(text: str) -> bytes:
    """``text`` gzip-compressed reproducibly (no file name, no time stamp): re-running the
    extraction on the same file gives the same bytes, so a diff shows real changes only."""
    out = io.BytesIO()
    with gzip.GzipFile(fileobj=out, mode="wb", compresslevel=9, mtime=0, filename="") as gz:
        gz.write(text.encode("utf-8"))
    return out.getvalue()


_ROW_2008 = re.compile(r"(?P<name>.*\S)\s+(?P<tag>\([0-9A-Fa-f]{4},\s*[0-9A-Fa-f]{4}\))")
_PAGE_FURNITURE_2008 = re.compile(r"PS 3\.15-2008|Page \d+|- Standard -")


def parse_2008_table_text(text: str) -> list[tuple[str, str]]:
    """The (name, tag) rows of Table E.1-1 in the text of PS 3.15-2008's pages.

    The table starts after the line "Table E.1-1", its caption and its header "Attribute Name
    Tag", and ends at the next section, "E.1.2 Re-Identifier"; page headers in between are
    skipped. Any other line that is not "name (gggg,eeee)" is an error: a silently dropped
    row would be an attribute left in anonymized files.
    """
    lines = [line.strip() for line in text.splitlines()]
    try:
        start = lines.index("Table E.1-1")
    except ValueError:
        raise ValueError("no line 'Table E.1-1' in the text") from None
    if lines[start + 1] != "Basic Application Level Confidentiality Profile Attributes":
        raise ValueError(f"unexpected caption after Table E.1-1: {lines[start + 1]!r}")
    if lines[start + 2] != "Attribute Name Tag":
        raise ValueError(f"unexpected header of Table E.1-1: {lines[start + 2]!r}")
    rows: list[tuple[str, str]] = []
    for line in lines[start + 3 :]:
        if line.startswith("E.1.2"):
            break
        if not line or _PAGE_FURNITURE_2008.fullmatch(line):
            continue
        match = _ROW_2008.fullmatch(line)
        if match is None:
            raise ValueError(f"not a row of Table E.1-1: {line!r}")
        rows.append((clean_text(match["name"]), normalize_tag(match["tag"])))
    else:
        raise ValueError("Table E.1-1 does not end with section E.1.2")
    return rows


def extract_2008_rows(pdf: Path) -> str:
    """Table E.1-1 of PS 3.15-2008 (a PDF) as text, one ``name<TAB>(gggg,eeee)`` per line."""
    import pypdf  # only the extraction needs it: requirements-dev.txt

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # font warnings irrelevant to text
    reader = pypdf.PdfReader(pdf)
    text = "\n".join(page.extract_text() for page in reader.pages)
    return "".join(f"{name}\t{tag}\n" for name, tag in parse_2008_table_text(text))


def extract(revision: str, source: Path, directory: Path = STANDARD_DIR) -> Path:
    """Write the extract of ``revision`` from its full Part 15 file; return its path.

    The file must be the one recorded in ``SOURCES`` (by sha256): a different file is a new
    source, to be recorded first (with tools/standard/README.md).
    """
    if revision not in SOURCES:
        raise ValueError(f"unknown revision {revision!r} (known: {', '.join(REVISIONS)})")
    recorded, actual = SOURCES[revision].sha256, sha256_file(source)
    if actual != recorded:
        raise ValueError(
            f"{source} has sha256 {actual}, not the {recorded} recorded for {revision}: "
            "record the new source in SOURCES and tools/standard/README.md first"
        )
    target = directory / extract_path(revision).name
    directory.mkdir(parents=True, exist_ok=True)
    if revision == "2008":
        target.write_text(extract_2008_rows(source), encoding="utf-8")
    else:
        target.write_bytes(gzip_bytes(extract_xml_table(source.read_bytes())))
    return target


# -- generate -------------------------------------------------------------------------------


def _cell_text(cell: ET.Element) -> str:
    return clean_text("".join(cell.itertext()))


def parse_xml_rows(revision: str, document: str) -> list[Row]:
    """The named rows of an extracted Table E.1-1, after checking the revision's header."""
    table = ET.fromstring(document.encode("utf-8"))
    if table.tag != f"{{{DOCBOOK}}}table" or table.get("label") != TABLE_LABEL:
        raise ValueError(f"{revision}: the extract is not Table {TABLE_LABEL}")
    width, titles = EXPECTED_HEADERS[revision]
    header_rows = table.findall("db:thead/db:tr", _NS)
    if len(header_rows) != 1:
        raise ValueError(f"{revision}: expected one header row, found {len(header_rows)}")
    header = [_cell_text(cell) for cell in header_rows[0]]
    found = (header[NAME_COLUMN], header[TAG_COLUMN], header[BASIC_COLUMN])
    if len(header) != width or found != titles:
        raise ValueError(f"{revision}: unexpected header {header}")
    rows = []
    for tr in table.findall("db:tbody/db:tr", _NS):
        cells = list(tr)
        if len(cells) != width:
            raise ValueError(
                f"{revision}: row of {len(cells)} cells: {[_cell_text(c) for c in cells]}"
            )
        name = _cell_text(cells[NAME_COLUMN])
        if not name:
            continue
        tag = normalize_tag("".join(cells[TAG_COLUMN].itertext()))
        rows.append(Row(name, tag, _cell_text(cells[BASIC_COLUMN])))
    return rows


def parse_2008_rows(text: str) -> list[Row]:
    """The rows of the 2008 text extract, every action X (the table has no action column)."""
    rows = []
    for line in text.splitlines():
        name, tag = line.split("\t")
        rows.append(Row(clean_text(name), normalize_tag(tag), "X"))
    return rows


def read_rows(revision: str, directory: Path = STANDARD_DIR) -> list[Row]:
    """The named rows of a revision's committed extract, in table order."""
    text = extract_text(revision, directory)
    if revision == "2008":
        return parse_2008_rows(text)
    return parse_xml_rows(revision, text)


def build_profile(revision: str, rows: list[Row]) -> dict[str, Any]:
    """The generated document of a revision: attributes and x-wildcard ranges sorted by tag.

    Identical duplicate rows (2023b lists three attributes twice) are merged; a tag listed
    twice with different contents, an unknown action, or a wildcard row with an action other
    than X (which could not be applied as a removed range) is an error.
    """
    by_tag: dict[str, Row] = {}
    private: Row | None = None
    for row in rows:
        if row.action not in ACTIONS:
            raise ValueError(f"{revision}: unknown action {row.action!r} for {row}")
        if row.tag == PRIVATE_ROW_TAG:
            if private is not None:
                raise ValueError(f"{revision}: two private attribute rows")
            private = row
            continue
        if "x" in row.tag and row.action != "X":
            raise ValueError(f"{revision}: wildcard row with action {row.action!r}: {row}")
        previous = by_tag.setdefault(row.tag, row)
        if previous != row:
            raise ValueError(f"{revision}: {row.tag} listed twice: {previous} and {row}")

    def entry(row: Row) -> dict[str, str]:
        return {"tag": row.tag[1:5] + row.tag[6:10], "name": row.name, "action": row.action}

    def range_key(row: Row) -> tuple[int, str]:
        return int(row.tag[1:5].replace("x", "0") + row.tag[6:10].replace("x", "0"), 16), row.tag

    plain = sorted((r for r in by_tag.values() if "x" not in r.tag), key=lambda r: r.tag)
    ranges = sorted((r for r in by_tag.values() if "x" in r.tag), key=range_key)
    document: dict[str, Any] = {
        "revision": revision,
        "source": extract_path(revision).relative_to(ROOT).as_posix(),
    }
    if revision == "2008":
        document["note"] = NOTE_2008
    document["attributes"] = [entry(r) for r in plain]
    document["ranges"] = [entry(r) for r in ranges]
    if private is not None:
        document["private_attributes"] = {"name": private.name, "action": private.action}
    return document


def render(document: dict[str, Any]) -> str:
    """The JSON text of a generated document: one attribute per line, for readable diffs."""
    parts = []
    for key, value in document.items():
        if isinstance(value, list):
            items = ",\n".join(f"    {json.dumps(item, ensure_ascii=False)}" for item in value)
            rendered = f"[\n{items}\n  ]" if value else "[]"
        else:
            rendered = json.dumps(value, ensure_ascii=False)
        parts.append(f"  {json.dumps(key)}: {rendered}")
    return "{\n" + ",\n".join(parts) + "\n}\n"


def generate_text(revision: str, directory: Path = STANDARD_DIR) -> str:
    """The JSON text ``generate`` writes for ``revision``, from the extract in ``directory``."""
    return render(build_profile(revision, read_rows(revision, directory)))


def generate(output: Path = PROFILES_DIR, directory: Path = STANDARD_DIR) -> list[Path]:
    """Write every revision's JSON from the committed extracts; return the paths written."""
    output.mkdir(parents=True, exist_ok=True)
    written = []
    for revision in REVISIONS:
        path = output / f"{revision}.json"
        path.write_text(generate_text(revision, directory), encoding="utf-8")
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    """Command line: ``extract <rev> <file>`` or ``generate`` (the default)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command")
    extract_cmd = commands.add_parser("extract", help="write a revision's extract")
    extract_cmd.add_argument("revision", choices=REVISIONS)
    extract_cmd.add_argument("source", type=Path, help="the full part15.xml, or 2008's PDF")
    commands.add_parser("generate", help="write the JSON profiles from the extracts")
    args = parser.parse_args(argv)
    if args.command == "extract":
        path = extract(args.revision, args.source)
        text = extract_text(args.revision)
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        rows = len(read_rows(args.revision))
        print(f"wrote {path.relative_to(ROOT)}: {rows} rows, extract sha256 {digest}")
        return 0
    for path in generate():
        print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
