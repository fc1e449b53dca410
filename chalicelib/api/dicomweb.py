"""What every DICOMweb route (PS3.18) shares at the HTTP edge: the ``/dicom-web`` root, the
media types, ``Accept`` negotiation, the URLs answers name, and answers in DICOM JSON
(PS3.18 F.2), in the Native DICOM Model XML (PS3.19 A.1) or as ``multipart/related``.

Negotiation follows RFC 9110 12.5.1 as PS3.18 8.7.2 asks: media ranges with parameters and
q-values, ``*/*`` and ``type/*``, the most preferred acceptable range winning (ties: the most
specific, then the first); the ``type`` parameter of ``multipart/related`` must match the
offer's, and ``transfer-syntax`` is left to the caller (:attr:`MediaRange.transfer_syntax`).
When no offer is acceptable the answer is PS3.18's 406, in Orthanc's JSON error form as
Orthanc's DICOMweb plugin answers its errors. Malformed ranges are skipped, not refused.

Routes name their path parameters ``{study}``, ``{series}``, ``{instance}`` (and ``{frames}``):
the route table refuses two names at one place of a path, so every DICOMweb route file uses
these (e.g. ``f"{DICOMWEB_ROOT}/studies/{{study}}/series"``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from xml.etree import ElementTree

from chalice import Response
from chalice.app import Request

from chalicelib.api.http import binary_response, download_response, header, whatever_accept
from chalicelib.dicom.multipart_related import (
    ContentType,
    PartToSend,
    new_boundary,
    parse_content_type,
    related_chunks,
    related_content_type,
)
from chalicelib.errors import ErrorCode, MalformedBody, OrthancError

if TYPE_CHECKING:
    from chalicelib.services.downloads.large_downloads import DownloadService

DICOMWEB_ROOT = "/dicom-web"
DICOM = "application/dicom"
DICOM_JSON = "application/dicom+json"
DICOM_XML = "application/dicom+xml"
# Also accepted for the DICOM JSON and XML answers, as the plugin accepts them.
JSON_ALIASES = (DICOM_JSON, "application/json")
XML_ALIASES = (DICOM_XML, "application/xml", "text/xml")
_RANGES = re.compile(r'(?:[^,"]|"(?:[^"\\]|\\.)*")+')
_QUALITY = re.compile(r"(?:0(?:\.[0-9]{0,3})?|1(?:\.0{0,3})?)")
_NATIVE_MODEL = "http://dicom.nema.org/PS3.19/models/NativeDICOM"
_NAME_COMPONENTS = ("FamilyName", "GivenName", "MiddleName", "NamePrefix", "NameSuffix")


@dataclass(frozen=True)
class MediaRange:
    """One range of an ``Accept`` header."""

    media_type: str  # lower-cased: "multipart/related", "image/*", "*/*"
    parameters: dict[str, str]  # names lower-cased, values unquoted, without "q"
    quality: float
    position: int  # in the header, for ties

    @property
    def part_type(self) -> str | None:
        """``multipart/related``'s ``type`` (lower-cased), None when not given."""
        value = self.parameters.get("type")
        return value.lower() if value else None

    @property
    def transfer_syntax(self) -> str | None:
        """The ``transfer-syntax`` asked for (a UID or ``*``), None when not given."""
        return self.parameters.get("transfer-syntax")

    @property
    def specificity(self) -> int:
        kind, _, subtype = self.media_type.partition("/")
        return 0 if kind == "*" else 1 if subtype == "*" else 2 + bool(self.parameters)

    def allows(self, offer: ContentType) -> bool:
        """Whether this range admits ``offer`` (its media type, and its ``type`` parameter
        when both name one)."""
        kind, _, subtype = self.media_type.partition("/")
        offered_kind = offer.media_type.partition("/")[0]
        if kind != "*" and (
            kind != offered_kind or subtype not in ("*", offer.media_type[len(kind) + 1 :])
        ):
            return False
        offered_part = offer.parameter("type")
        return (
            self.part_type is None
            or offered_part is None
            or (self.part_type == offered_part.lower())
        )


def accepted_ranges(accept: str) -> list[MediaRange]:
    """The ranges of ``accept`` (``*/*`` when empty), most preferred first, without those of
    quality 0 and the malformed ones."""
    ranges = []
    for position, text in enumerate(_RANGES.findall(accept.strip() or "*/*")):
        try:
            parsed = parse_content_type(text)
        except MalformedBody:
            continue
        parameters = dict(parsed.parameters)
        quality_text = parameters.pop("q", "1")
        if not _QUALITY.fullmatch(quality_text):
            continue
        quality = float(quality_text)
        if quality > 0:
            ranges.append(MediaRange(parsed.media_type, parameters, quality, position))
    return sorted(ranges, key=lambda r: (-r.quality, -r.specificity, r.position))


@dataclass(frozen=True)
class Negotiated:
    """The offer chosen and the client's range that admitted it."""

    offer: str
    accepted: MediaRange


def negotiate(accept: str, offers: Sequence[str]) -> Negotiated:
    """The offer (a media type, with a ``type`` parameter for ``multipart/related``) to
    answer with, the server's order deciding among the offers one range admits; 406 when the
    client accepts none of them."""
    parsed = [parse_content_type(offer) for offer in offers]
    for media_range in accepted_ranges(accept):
        for offer, content_type in zip(offers, parsed, strict=True):
            if media_range.allows(content_type):
                return Negotiated(offer, media_range)
    raise not_acceptable(accept, offers)


def not_acceptable(accept: str, offers: Sequence[str]) -> OrthancError:
    """PS3.18's 406 for an ``Accept`` none of ``offers`` satisfies."""
    return OrthancError(
        ErrorCode.NOT_ACCEPTABLE,
        f"This DICOMweb resource answers {', '.join(offers)}, not {accept.strip()!r}",
    )


def base_url(request: Request) -> str:
    """The URL of the DICOMweb root as the client reached it, ending with a slash (the
    start of the RetrieveURL and BulkDataURI values of answers).

    Scheme and host come from the first ``Forwarded`` entry as the plugin reads it, else
    from ``X-Forwarded-Proto`` (API Gateway sets it) and ``Host``. The API's own prefix (the
    stage, or a custom domain's base path) is what the request context's full path has
    before the route's segments (one per segment of the route, parameters included)."""
    forwarded = _forwarded(header(request, "forwarded"))
    scheme = forwarded.get("proto") or header(request, "x-forwarded-proto") or "http"
    host = forwarded.get("host") or header(request, "host") or "localhost"
    full = [segment for segment in str(request.context.get("path") or "").split("/") if segment]
    route = [
        segment for segment in str(request.context.get("resourcePath") or "").split("/") if segment
    ]
    prefix = "".join(f"/{segment}" for segment in full[: max(len(full) - len(route), 0)])
    return f"{scheme.lower()}://{host}{prefix}{DICOMWEB_ROOT}/"


def related_response(
    request: Request,
    downloads: DownloadService,
    parts: Iterable[PartToSend],
    part_type: str,
    filename: str,
    **parameters: str,
) -> Response:
    """A ``multipart/related`` answer of ``parts`` (consumed one at a time) with ``type``
    ``part_type`` and the Content-Type ``parameters`` (``transfer_syntax=...``): the body, or
    past the threshold a redirect to its copy in S3. ``downloads`` comes from the route, as
    this module builds no service."""
    boundary = new_boundary()
    content_type = related_content_type(boundary, part_type, **parameters)
    download = downloads.generated(related_chunks(parts, boundary), content_type, filename)
    whatever_accept(request)  # Chalice sends binary bodies only to a binary Accept
    if download.url is None:
        return binary_response(download.body or b"", content_type)
    return download_response(request, download)


def _forwarded(value: str) -> dict[str, str]:
    """The ``host`` and ``proto`` of the first entry of a ``Forwarded`` header (RFC 7239)."""
    entry = value.split(",")[0]
    pairs = (item.split("=", 1) for item in entry.split(";") if "=" in item)
    return {key.strip().lower(): item.strip().strip('"') for key, item in pairs}


def dataset_format(request: Request) -> str:
    """:data:`DICOM_JSON` or :data:`DICOM_XML`, whichever ``Accept`` prefers (406 when it
    accepts neither): ask before doing the work, so that a 406 changes nothing."""
    chosen = negotiate(header(request, "accept"), (*JSON_ALIASES, *XML_ALIASES))
    return DICOM_XML if chosen.offer in XML_ALIASES else DICOM_JSON


def dataset_response(dataset: dict[str, Any], media_type: str, status: int = 200) -> Response:
    """``dataset`` (DICOM JSON) in the ``media_type`` :func:`dataset_format` chose."""
    if media_type == DICOM_XML:
        return dicom_xml_response(dataset, status)
    return dicom_json_response(dataset, status)


def dicom_json_response(value: Any, status: int = 200) -> Response:
    """A DICOM JSON answer (a data set, or an array of them), compact: metadata is large."""
    return Response(
        body=json.dumps(value, separators=(",", ":"), ensure_ascii=False),
        status_code=status,
        headers={"Content-Type": DICOM_JSON},
    )


def dicom_xml_response(dataset: dict[str, Any], status: int = 200) -> Response:
    return Response(
        body=native_xml(dataset),
        status_code=status,
        headers={"Content-Type": f"{DICOM_XML}; charset=utf-8"},
    )


def native_xml(dataset: dict[str, Any]) -> str:
    """A DICOM JSON data set as a ``NativeDicomModel`` document (PS3.19 A.1): attributes in
    tag order, each with its tag, VR and keyword (public tags), values numbered from 1,
    person names split into components, inline binary and bulk data references."""
    root = ElementTree.Element("NativeDicomModel", xmlns=_NATIVE_MODEL)
    _attributes(root, dataset)
    ElementTree.indent(root)
    document = ElementTree.tostring(root, encoding="unicode")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{document}\n'


def _attributes(parent: ElementTree.Element, dataset: dict[str, Any]) -> None:
    from chalicelib.dicom.tag_dictionary import public_entry  # pydicom: not at cold start

    for tag, element in sorted(dataset.items()):
        attribute = ElementTree.SubElement(parent, "DicomAttribute", tag=tag, vr=element["vr"])
        number = int(tag, 16)
        entry = None if (number >> 16) % 2 else public_entry(number)
        if entry is not None:
            attribute.set("keyword", entry[1].removeprefix("RETIRED_"))
        if "BulkDataURI" in element:
            ElementTree.SubElement(attribute, "BulkData", uri=element["BulkDataURI"])
        elif "InlineBinary" in element:
            ElementTree.SubElement(attribute, "InlineBinary").text = element["InlineBinary"]
        for number, value in enumerate(element.get("Value", []), start=1):
            _value(attribute, element["vr"], number, value)


def _value(attribute: ElementTree.Element, vr: str, number: int, value: Any) -> None:
    if vr == "SQ":
        _attributes(ElementTree.SubElement(attribute, "Item", number=str(number)), value)
    elif vr == "PN":
        name = ElementTree.SubElement(attribute, "PersonName", number=str(number))
        for group, text in (value or {}).items():
            element = ElementTree.SubElement(name, group)
            for component, part in zip(_NAME_COMPONENTS, text.split("^"), strict=False):
                if part:
                    ElementTree.SubElement(element, component).text = part
    else:
        text = "" if value is None else str(value)
        ElementTree.SubElement(attribute, "Value", number=str(number)).text = text
