"""Orthanc peers: /peers, their configuration, connectivity test, and sending to them."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint
from chalice.app import Request

from chalicelib import bootstrap
from chalicelib.api.remotes import add_remote_routes, store_route
from chalicelib.api.requests.sending import peer_store_options
from chalicelib.api.routing import RouteTable
from chalicelib.services.peers.registry import configuration_json

blueprint = Blueprint(__name__)
routes = RouteTable(blueprint)

PEER_OPERATIONS = ["configuration", "store", "store-straight", "system"]


def get_system(request: Request, id: str) -> Any:
    return bootstrap.peers().connect(id).system()


def store_straight(request: Request, id: str) -> Any:
    """Forward the body, a DICOM file, to the peer's POST /instances; its answer is ours."""
    return bootstrap.peers().connect(id).store(request.raw_body or b"").answer


routes.add("/peers/{id}/system", GET=get_system)
routes.add("/peers/{id}/store", POST=store_route(bootstrap.peer_store, peer_store_options))
routes.add("/peers/{id}/store-straight", POST=store_straight)
add_remote_routes(routes, "peers", bootstrap.peers, configuration_json, PEER_OPERATIONS)
