"""DICOMweb servers as remotes, as Orthanc's DICOMweb plugin has them: ``/dicom-web/servers``
(``?expand``), ``GET|PUT|DELETE /dicom-web/servers/{name}``, and the proxies ``/qido``,
``/get`` and ``/post``, which pass one request to the server and hand its answer back."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint, Response
from chalice.app import Request

from chalicelib import bootstrap
from chalicelib.api import http
from chalicelib.api.requests.dicomweb_retrieve import wado_retrieve_request
from chalicelib.api.requests.dicomweb_servers import json_object_body, proxy_request
from chalicelib.api.requests.dicomweb_stow import stow_request
from chalicelib.api.requests.fields import job_options
from chalicelib.api.routing import RouteTable
from chalicelib.services.jobs.sending import SendRequest
from chalicelib.services.peers.registry import configuration_json

blueprint = Blueprint(__name__)
routes = RouteTable(blueprint)

# What GET /dicom-web/servers/{name} lists: the operations Cirrus serves on a server, in the
# plugin's order (the plugin also lists wado, and delete with HasDelete).
OPERATIONS = ["get", "retrieve", "stow", "qido", "post"]


def list_servers(request: Request) -> Any:
    """The names, or with ``expand`` what the plugin shows of each (Orthanc's public form of
    a web service: the Url, the user name, the header names, no password)."""
    servers = bootstrap.dicomweb_servers().all()
    if not http.flag(http.query_params(request), "expand"):
        return sorted(servers)
    return {name: configuration_json(servers[name]) for name in sorted(servers)}


def get_server(request: Request, name: str) -> Any:
    bootstrap.dicomweb_servers().get(name)
    return OPERATIONS


def put_server(request: Request, name: str) -> Any:
    bootstrap.dicomweb_servers().put(name, json_object_body(request))
    return {}


def delete_server(request: Request, name: str) -> Any:
    bootstrap.dicomweb_servers().delete(name)
    return {}


def qido(request: Request, name: str) -> Any:
    return bootstrap.dicomweb_servers().proxy_qido(name, proxy_request(request))


def get(request: Request, name: str) -> Response:
    answer = bootstrap.dicomweb_servers().proxy_get(name, proxy_request(request))
    return _relayed(request, answer.content_type, answer.body)


def post(request: Request, name: str) -> Response:
    answer = bootstrap.dicomweb_servers().proxy_post(name, proxy_request(request, with_body=True))
    return _relayed(request, answer.content_type, answer.body)


def stow(request: Request, name: str) -> Any:
    """Send resources by STOW-RS as a job: the resources must exist (404) before the job
    options are read, as the plugin reads them; the server is looked up last (404)."""
    body, resource_ids, options = stow_request(request)
    kind = bootstrap.dicomweb_stow()
    kind.resources(resource_ids)
    send = SendRequest(resource_ids, job_options(body), options)
    return bootstrap.sending().send(kind, name, send)


def retrieve(request: Request, name: str) -> Any:
    """Retrieve studies, series or instances by WADO-RS into Cirrus, as a job (the body is
    checked before the server is looked up)."""
    return bootstrap.wado_retrieve_jobs().submit(name, wado_retrieve_request(request))


def _relayed(request: Request, content_type: str, body: bytes) -> Response:
    """The server's body under its type, whatever ``Accept`` says (the client asked the
    server, not Cirrus). A type the API sends as binary goes as bytes, another as text when
    it is UTF-8; bytes under a type the API would not encode go as
    ``application/octet-stream``, the one way to deliver them intact."""
    if not _binary(content_type):
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            content_type = "application/octet-stream"
        else:
            return Response(body=text, status_code=200, headers={"Content-Type": content_type})
    http.whatever_accept(request)
    return http.binary_response(body, content_type)


def _binary(content_type: str) -> bool:
    """Whether the API sends answers of this type as binary (``app.api.binary_types``)."""
    media = content_type.split(";", 1)[0].strip().lower()
    for kind in blueprint.current_app.api.binary_types:
        kind = kind.lower()
        if media == kind or (kind.endswith("/*") and media.startswith(kind[:-1])):
            return True
    return False


routes.add("/dicom-web/servers", GET=list_servers)
routes.add("/dicom-web/servers/{name}", GET=get_server, PUT=put_server, DELETE=delete_server)
routes.add("/dicom-web/servers/{name}/qido", POST=qido)
routes.add("/dicom-web/servers/{name}/get", POST=get)
routes.add("/dicom-web/servers/{name}/post", POST=post)
routes.add("/dicom-web/servers/{name}/stow", POST=stow)
routes.add("/dicom-web/servers/{name}/retrieve", POST=retrieve)
