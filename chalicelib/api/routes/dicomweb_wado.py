"""WADO-RS (PS3.18 10.4): retrieving the instances of a study, a series or one instance,
their metadata, and the bulk data its ``BulkDataURI`` values name, under ``/dicom-web``.

Answers larger than ``LargeObjectThreshold`` go through S3 with a 307, as archives do.
"""

from __future__ import annotations

from typing import Any

from chalice import Blueprint
from chalice.app import Request

from chalicelib import bootstrap
from chalicelib.api import dicomweb, http
from chalicelib.api.routing import RouteTable
from chalicelib.dicom.multipart_related import PartToSend
from chalicelib.errors import ErrorCode, OrthancError

blueprint = Blueprint(__name__)
routes = RouteTable(blueprint)

STUDY = f"{dicomweb.DICOMWEB_ROOT}/studies/{{study}}"
SERIES = f"{STUDY}/series/{{series}}"
INSTANCE = f"{SERIES}/instances/{{instance}}"
OCTET_STREAM = "application/octet-stream"
RELATED_DICOM = f'multipart/related; type="{dicomweb.DICOM}"'
RELATED_XML = f'multipart/related; type="{dicomweb.DICOM_XML}"'
RELATED_OCTETS = f'multipart/related; type="{OCTET_STREAM}"'
# Bulk data URIs name a tag, or a tag inside sequence items (tag/item/tag...): Chalice has no
# greedy parameter, so one route per depth, as deep as the nesting of real files goes (even
# depths too, answered 400 as the plugin does).
MAX_BULK_DEPTH = 9


def _related(request: Request, parts: Any, part_type: str, filename: str) -> Any:
    """A ``multipart/related`` answer of ``parts`` (PartToSend), through S3 when large."""
    return dicomweb.related_response(request, bootstrap.downloads(), parts, part_type, filename)


# -- retrieval ------------------------------------------------------------------------------


def _transfer_syntax(request: Request) -> str:
    """The syntax the client asks for: ``*`` (as stored), a UID, or the default (explicit VR
    little endian); 406 for a UID that is not a transfer syntax (the plugin: 400)."""
    from pydicom.uid import UID

    from chalicelib.services.dicomweb.retrieve import DEFAULT_SYNTAX, STORED

    chosen = dicomweb.negotiate(http.header(request, "accept"), (RELATED_DICOM,))
    syntax = chosen.accepted.transfer_syntax or DEFAULT_SYNTAX
    if syntax != STORED and not UID(syntax).is_transfer_syntax:
        raise OrthancError(
            ErrorCode.NOT_ACCEPTABLE, f"Unsupported transfer syntax in WADO-RS: {syntax}"
        )
    return syntax


def _instances(request: Request, study: str, series: str | None, instance: str | None) -> Any:
    syntax = _transfer_syntax(request)
    service = bootstrap.wado_retrieve()
    links = service.instances(study, series, instance)
    return _related(request, service.parts(links, syntax), dicomweb.DICOM, f"{study}.multipart")


def retrieve_study(request: Request, study: str) -> Any:
    return _instances(request, study, None, None)


def retrieve_series(request: Request, study: str, series: str) -> Any:
    return _instances(request, study, series, None)


def retrieve_instance(request: Request, study: str, series: str, instance: str) -> Any:
    return _instances(request, study, series, instance)


# -- metadata -------------------------------------------------------------------------------


def _metadata(request: Request, answer: Any) -> Any:
    """DICOM JSON (an array) or, as the plugin offers it, one PS3.19 XML part per instance;
    bulk data URIs made absolute for this client."""
    from chalicelib.services.dicomweb.metadata import with_base

    chosen = dicomweb.negotiate(
        http.header(request, "accept"), (*dicomweb.JSON_ALIASES, RELATED_XML)
    )
    instances = with_base(answer(), dicomweb.base_url(request))
    if chosen.offer == RELATED_XML:
        parts = (PartToSend(dicomweb.DICOM_XML, dicomweb.native_xml(i).encode()) for i in instances)
        return _related(request, parts, dicomweb.DICOM_XML, "metadata.multipart")
    body = dicomweb.dicom_json_response(instances).body.encode()
    download = bootstrap.downloads().generated([body], dicomweb.DICOM_JSON, "metadata.json")
    return http.generated_text_response(request, download)


def study_metadata(request: Request, study: str) -> Any:
    return _metadata(request, lambda: bootstrap.wado_metadata().study(study))


def series_metadata(request: Request, study: str, series: str) -> Any:
    return _metadata(request, lambda: bootstrap.wado_metadata().series(study, series))


def instance_metadata(request: Request, study: str, series: str, instance: str) -> Any:
    return _metadata(request, lambda: bootstrap.wado_metadata().instance(study, series, instance))


# -- bulk data ------------------------------------------------------------------------------


def bulk(request: Request, study: str, series: str, instance: str, **steps: str) -> Any:
    dicomweb.negotiate(http.header(request, "accept"), (RELATED_OCTETS,))
    path = [steps[f"p{i}"] for i in range(len(steps))]
    values = bootstrap.wado_retrieve().bulk(study, series, instance, path)
    parts = (PartToSend(OCTET_STREAM, value) for value in values)
    return _related(request, parts, OCTET_STREAM, "bulk.multipart")


routes.add(STUDY, GET=retrieve_study)
routes.add(SERIES, GET=retrieve_series)
routes.add(INSTANCE, GET=retrieve_instance)
routes.add(f"{STUDY}/metadata", GET=study_metadata)
routes.add(f"{SERIES}/metadata", GET=series_metadata)
routes.add(f"{INSTANCE}/metadata", GET=instance_metadata)
for _depth in range(1, MAX_BULK_DEPTH + 1):
    _suffix = "/".join(f"{{p{i}}}" for i in range(_depth))
    routes.add(f"{INSTANCE}/bulk/{_suffix}", GET=bulk)
