"""The routes Orthanc gives every kind of remote (``/peers``, ``/modalities``): listing,
reading, writing and deleting definitions, the same way for both."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from chalice.app import Request

from chalicelib.api import http
from chalicelib.api.routing import RouteTable
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
