"""Orthanc peers: /peers, their configuration, connectivity test, and sending to them."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint
from chalice.app import Request

from chalicelib import bootstrap
from chalicelib.api.remotes import add_remote_routes
from chalicelib.api.routing import RouteTable
from chalicelib.api.sending import sending_request
from chalicelib.errors import ErrorCode, OrthancError
from chalicelib.jobs.request import boolean_option, job_options
from chalicelib.peer_client.client import PeerUnavailable
from chalicelib.services.peers.registry import configuration_json
from chalicelib.services.peers.store import KIND

blueprint = Blueprint(__name__)
routes = RouteTable(blueprint)

PEER_OPERATIONS = ["configuration", "store", "store-straight", "system"]


def get_system(request: Request, id: str) -> Any:
    service = bootstrap.peers()
    try:
        return service.client(service.get(id)).system()
    except PeerUnavailable as exc:
        raise OrthancError(ErrorCode.NETWORK_PROTOCOL, str(exc)) from exc


def store(request: Request, id: str) -> Any:
    """Send resources to the peer, as a job (answered at once when asynchronous).

    Checks come in Orthanc's order, which matters for ``/exports``: Orthanc logs the export
    once the resources are known to exist, even if the peer or an option is then refused.
    """
    body, resource_ids = sending_request(request)
    resources = bootstrap.peer_store().resources(resource_ids)
    bootstrap.exports().record(resources, id)
    options = job_options(body)
    compress = boolean_option(body, "Compress", False)
    if "Transcode" in body:
        raise OrthancError(
            ErrorCode.NOT_IMPLEMENTED, "Transcoding while sending to a peer is not supported yet"
        )
    params = bootstrap.peer_store().params(id, resource_ids, compress, options.permissive)
    return bootstrap.jobs().run(KIND, params, options, bootstrap.config().SynchronousJobTimeout)


def store_straight(request: Request, id: str) -> Any:
    """Forward the body, a DICOM file, to the peer's POST /instances; its answer is ours."""
    service = bootstrap.peers()
    client = service.client(service.get(id))
    try:
        return client.store(request.raw_body or b"").answer
    except PeerUnavailable as exc:
        raise OrthancError(ErrorCode.NETWORK_PROTOCOL, str(exc)) from exc


routes.add("/peers/{id}/system", GET=get_system)
routes.add("/peers/{id}/store", POST=store)
routes.add("/peers/{id}/store-straight", POST=store_straight)
add_remote_routes(routes, "peers", bootstrap.peers, configuration_json, PEER_OPERATIONS)
