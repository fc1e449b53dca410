"""Orthanc's XML form of its JSON answers (``Accept: application/xml``).

Orthanc answers any JSON route in XML when the ``Accept`` header names ``application/xml``
(clients of its early days, and XSLT pipelines, rely on it). The form is not a general JSON
to XML mapping but the one Orthanc prints, which clients parse:

* a declaration ``<?xml version="1.0" encoding="utf-8"?>``, then a ``<root>`` element;
* an object's members become elements named by their keys, in byte order of the keys, the
  names written as they are (``<0010,0010>`` in ``/tags`` is not well-formed XML, but it is
  what Orthanc sends); an empty key is ``<:anonymous>``;
* an array's items become ``<item>`` elements;
* ``null``, ``true`` and ``false`` are the text ``null``, ``true``, ``false``; integers are
  written in decimal; other numbers through a 32-bit float with 9 significant digits;
* text escapes ``&``, ``<``, ``>`` and the control characters but tab, line feed and
  carriage return (as ``&#NN;``); a NUL ends a text or a name;
* two-space indentation, an element holding text on one line, an empty object or array as
  ``<name />``, an empty string as ``<name></name>``, a line feed after the last element.

Errors stay JSON, as in Orthanc. Nothing here knows DICOM: it serializes whatever a route
answered.
"""

from __future__ import annotations

import struct
from typing import Any

XML_CONTENT_TYPE = "application/xml; charset=utf-8"
_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>'
_ROOT, _ITEM, _ANONYMOUS = "root", "item", ":anonymous"
_INDENT = "  "
# The text escapes: markup, and control characters but tab, line feed and carriage return.
_ESCAPES = str.maketrans(
    {
        "&": "&amp;",
        "<": "&lt;",
        ">": "&gt;",
        **{chr(c): f"&#{c:02d};" for c in range(1, 32) if chr(c) not in "\t\n\r"},
    }
)


def wants_xml(accept: str) -> bool:
    """Whether a request's ``Accept`` asks for XML answers, by Orthanc's rule.

    Orthanc splits the header at ``;`` (not at ``,``) and looks for a piece that is exactly
    ``application/xml`` or ``application/json``, the last one winning: ``application/xml``
    and ``application/xml;q=0.9`` ask for XML; ``application/xml, */*``, ``text/xml`` and
    ``APPLICATION/XML`` do not. Its HTTP server drops the spaces before a header's value but
    not those after it.
    """
    xml = False
    for piece in accept.lstrip().split(";"):
        if piece == "application/xml":
            xml = True
        elif piece == "application/json":
            xml = False
    return xml


def json_to_xml(value: Any) -> str:
    """The XML document Orthanc answers instead of the JSON ``value``."""
    lines = [_DECLARATION]
    _element(lines, _ROOT, value, 0)
    return "\n".join(lines) + "\n"


def _element(lines: list[str], name: str, value: Any, depth: int) -> None:
    name = _clean(name) or _ANONYMOUS
    indent = _INDENT * depth
    if isinstance(value, dict | list):
        children = (
            sorted(value.items(), key=lambda item: item[0].encode("utf-8", "surrogatepass"))
            if isinstance(value, dict)
            else [(_ITEM, item) for item in value]
        )
        if not children:
            lines.append(f"{indent}<{name} />")
            return
        lines.append(f"{indent}<{name}>")
        for child_name, child in children:
            _element(lines, child_name, child, depth + 1)
        lines.append(f"{indent}</{name}>")
        return
    lines.append(f"{indent}<{name}>{_text(value)}</{name}>")


def _text(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _float32(value)
    return _clean(str(value)).translate(_ESCAPES)


def _float32(value: float) -> str:
    """A real number as Orthanc writes it: rounded to a 32-bit float, 9 significant digits."""
    try:
        single = struct.unpack("f", struct.pack("f", value))[0]
    except OverflowError:  # beyond a float's range: infinite, as the C++ conversion makes it
        single = float("inf") if value > 0 else float("-inf")
    return f"{single:.9g}"


def _clean(text: str) -> str:
    """``text`` up to its first NUL: Orthanc hands C strings to its XML writer."""
    return text.split("\0", 1)[0]
