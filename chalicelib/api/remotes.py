"""The routes Orthanc gives every kind of remote (``/peers``, ``/modalities``): listing,
reading, writing and deleting definitions, and sending resources to one, the same way for
both."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from chalice.app import Request

from chalicelib import bootstrap
from chalicelib.api import http
from chalicelib.api.requests.fields import job_options
from chalicelib.api.requests.sending import sending_request
from chalicelib.api.routing import Handler, RouteTable
from chalicelib.services.jobs.sending import SendingKind, SendRequest
from chalicelib.services.shared.registry import RemoteRegistry


def add_remote_routes(
    routes: RouteTable,
    collection: str,
    registry: Callable[[], RemoteRegistry[Any]],
    configuration: Callable[[Any], dict[str, Any]],
    operations: list[str],
) -> None:
    """``/{collection}`` (``?expand``), ``/{collection}/{id}`` (GET lists ``operations``,
    PUT, DELETE) and ``/{collection}/{id}/configuration``."""

    def list_remotes(request: Request) -> Any:
        remotes = registry().all()
        if not http.flag(http.query_params(request), "expand"):
            return sorted(remotes)
        return {name: configuration(remotes[name]) for name in sorted(remotes)}

    def get_remote(request: Request, id: str) -> Any:
        registry().get(id)
        return operations

    def put_remote(request: Request, id: str) -> Any:
        registry().put(id, http.json_body(request))
        return http.text_response("")

    def delete_remote(request: Request, id: str) -> Any:
        registry().delete(id)
        return http.text_response("")

    def get_configuration(request: Request, id: str) -> Any:
        return configuration(registry().get(id))

    for handler in (list_remotes, get_remote, put_remote, delete_remote, get_configuration):
        handler.__name__ = f"{handler.__name__}_{collection}"
    routes.add(f"/{collection}", GET=list_remotes)
    routes.add(f"/{collection}/{{id}}", GET=get_remote, PUT=put_remote, DELETE=delete_remote)
    routes.add(f"/{collection}/{{id}}/configuration", GET=get_configuration)


def store_route(
    kind: Callable[[], SendingKind[Any]], read_options: Callable[[dict[str, Any]], Any]
) -> Handler:
    """``POST /{collection}/{id}/store``: send resources to the remote as a job (answered at
    once when asynchronous). ``read_options`` reads what the destination's kind needs."""

    def store(request: Request, id: str) -> Any:
        body, resource_ids = sending_request(request)
        service, sending_kind = bootstrap.sending(), kind()
        # Orthanc logs the export once the resources are known to exist, before it reads
        # the options or looks the remote up.
        service.log_export(sending_kind, resource_ids, id)
        send = SendRequest(resource_ids, job_options(body), read_options(body))
        return service.send(sending_kind, id, send)

    return store
