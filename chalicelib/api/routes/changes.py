"""The logs: GET/DELETE /changes and /exports."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint
from chalice.app import Request

from chalicelib import bootstrap
from chalicelib.api import http
from chalicelib.api.routing import RouteTable
from chalicelib.services.changes.pages import LogPages

blueprint = Blueprint(__name__)
routes = RouteTable(blueprint)


def _page(pages: LogPages, request: Request) -> dict[str, Any]:
    params = http.query_params(request)
    last = http.flag(params, "last")
    since = 0 if last else http.integer(params, "since", 0) or 0
    limit = None if last else http.integer(params, "limit")
    return pages.page(since, limit, last)


def get_changes(request: Request) -> Any:
    return _page(bootstrap.change_pages(), request)


def delete_changes(request: Request) -> Any:
    bootstrap.change_pages().clear()
    return http.text_response("")


def get_exports(request: Request) -> Any:
    return _page(bootstrap.export_pages(), request)


def delete_exports(request: Request) -> Any:
    bootstrap.export_pages().clear()
    return http.text_response("")


routes.add("/changes", GET=get_changes, DELETE=delete_changes)
routes.add("/exports", GET=get_exports, DELETE=delete_exports)
