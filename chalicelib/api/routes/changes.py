"""The logs: GET/DELETE /changes and /exports."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint
from chalice.app import Request

from chalicelib import bootstrap
from chalicelib.api import http
from chalicelib.api.routing import RouteTable
from chalicelib.storage.logs import Page, SequencedLog

blueprint = Blueprint(__name__)
routes = RouteTable(blueprint)

DEFAULT_LIMIT = 100
# Bounds one answer; a client pages with "since" as Orthanc's documentation shows.
MAX_LIMIT = 10000


def _page(log: SequencedLog, request: Request, key: str) -> dict[str, Any]:
    params = http.query_params(request)
    page: Page
    if http.flag(params, "last"):
        page = log.newest()
    else:
        since = http.integer(params, "since", 0) or 0
        limit = min(http.integer(params, "limit", DEFAULT_LIMIT) or 0, MAX_LIMIT)
        page = log.read(since, limit)
    return {
        key: [{**entry.fields, "Seq": entry.seq} for entry in page.entries],
        "Done": page.done,
        "Last": page.last,
    }


def get_changes(request: Request) -> Any:
    return _page(bootstrap.changes_log(), request, "Changes")


def delete_changes(request: Request) -> Any:
    bootstrap.changes_log().clear()
    return http.text_response("")


def get_exports(request: Request) -> Any:
    return _page(bootstrap.exports_log(), request, "Exports")


def delete_exports(request: Request) -> Any:
    bootstrap.exports_log().clear()
    return http.text_response("")


routes.add("/changes", GET=get_changes, DELETE=delete_changes)
routes.add("/exports", GET=get_exports, DELETE=delete_exports)
