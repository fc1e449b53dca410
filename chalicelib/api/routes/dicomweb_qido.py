"""QIDO-RS (PS3.18 10.6): searching studies, series and instances under ``/dicom-web``, on
the routes of Orthanc's DICOMweb plugin (which has no ``/series/{series}/instances``).

Answers are a DICOM JSON array, or, when ``Accept`` prefers XML, a ``multipart/related``
body of one PS3.19 XML document per match, as the plugin sends them; 406 when ``Accept``
allows neither.
"""

from __future__ import annotations

from typing import Any

from chalice import Blueprint, Response
from chalice.app import Request

from chalicelib import bootstrap
from chalicelib.api import http
from chalicelib.api.dicomweb import (
    DICOM_XML,
    DICOMWEB_ROOT,
    JSON_ALIASES,
    XML_ALIASES,
    base_url,
    dicom_json_response,
    native_xml,
    negotiate,
)
from chalicelib.api.routing import RouteTable
from chalicelib.dicom.identifiers import Level

blueprint = Blueprint(__name__)
routes = RouteTable(blueprint)

_XML_RELATED = f'multipart/related; type="{DICOM_XML}"'
_OFFERS = (*JSON_ALIASES, _XML_RELATED, *XML_ALIASES)
# PS3.18 8.6.3 (Warning header): more matches than the answer holds.
_MORE_RESULTS = '299 cirrus: "There are additional results that can be requested"'
_STUDY, _SERIES = 0x0020000D, 0x0020000E


def _search(request: Request, level: Level, path_uids: dict[int, str]) -> Response:
    from chalicelib.dicom.qido import parse_qido  # pydicom's dictionary: lazily

    chosen = negotiate(http.header(request, "accept"), _OFFERS)
    params = request.query_params
    multi = {name: params.getlist(name) for name in params} if params else {}
    answer = bootstrap.qido().search(parse_qido(level, multi, path_uids), base_url(request))
    headers = {} if answer.complete else {"Warning": _MORE_RESULTS}
    if chosen.offer in JSON_ALIASES:
        response = dicom_json_response(answer.matches)
    else:
        response = _xml_related(request, answer.matches)
    response.headers.update(headers)
    return response


def _xml_related(request: Request, matches: list[dict[str, Any]]) -> Response:
    """One ``application/dicom+xml`` part per match."""
    from chalicelib.dicom.multipart_related import (
        PartToSend,
        new_boundary,
        related_chunks,
        related_content_type,
    )

    boundary = new_boundary()
    parts = (PartToSend(DICOM_XML, native_xml(match).encode("utf-8")) for match in matches)
    http.whatever_accept(request)  # a binary answer, whichever XML type was asked for
    return http.binary_response(
        b"".join(related_chunks(parts, boundary)), related_content_type(boundary, DICOM_XML)
    )


def search_studies(request: Request) -> Response:
    return _search(request, Level.STUDY, {})


def search_series(request: Request) -> Response:
    return _search(request, Level.SERIES, {})


def search_study_series(request: Request, study: str) -> Response:
    return _search(request, Level.SERIES, {_STUDY: study})


def search_instances(request: Request) -> Response:
    return _search(request, Level.INSTANCE, {})


def search_study_instances(request: Request, study: str) -> Response:
    return _search(request, Level.INSTANCE, {_STUDY: study})


def search_series_instances(request: Request, study: str, series: str) -> Response:
    return _search(request, Level.INSTANCE, {_STUDY: study, _SERIES: series})


routes.add(f"{DICOMWEB_ROOT}/studies", GET=search_studies)
routes.add(f"{DICOMWEB_ROOT}/series", GET=search_series)
routes.add(f"{DICOMWEB_ROOT}/instances", GET=search_instances)
routes.add(f"{DICOMWEB_ROOT}/studies/{{study}}/series", GET=search_study_series)
routes.add(f"{DICOMWEB_ROOT}/studies/{{study}}/instances", GET=search_study_instances)
routes.add(
    f"{DICOMWEB_ROOT}/studies/{{study}}/series/{{series}}/instances", GET=search_series_instances
)
