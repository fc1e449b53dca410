"""Labels (Orthanc 1.12): ``/{level}/{id}/labels``, ``/{level}/{id}/labels/{label}`` and
``/tools/labels``."""

from __future__ import annotations

from functools import partial
from typing import Any

from chalice import Blueprint, Response
from chalice.app import Request

from chalicelib import bootstrap
from chalicelib.api import http
from chalicelib.api.routing import RouteTable
from chalicelib.dicom.identifiers import Level

blueprint = Blueprint(__name__)
routes = RouteTable(blueprint)


def list_labels(level: Level, request: Request, id: str) -> Any:
    return bootstrap.labels().labels(level, id)


def test_label(level: Level, request: Request, id: str, label: str) -> Any:
    """An empty 200 when the resource carries the label, an empty 404 when not (Orthanc's
    answer when a GET handler answers nothing); an unknown resource is Orthanc's error."""
    if bootstrap.labels().has(level, id, label):
        return http.text_response("")
    return Response(body="", status_code=404)


def add_label(level: Level, request: Request, id: str, label: str) -> Any:
    bootstrap.labels().add(level, id, label)
    return http.text_response("")


def remove_label(level: Level, request: Request, id: str, label: str) -> Any:
    bootstrap.labels().remove(level, id, label)
    return http.text_response("")


def labels_in_use(request: Request) -> Any:
    return bootstrap.labels().in_use()


routes.add("/tools/labels", GET=labels_in_use)
for _level in Level:
    _collection = f"/{_level.collection}"
    routes.add(f"{_collection}/{{id}}/labels", GET=partial(list_labels, _level))
    routes.add(
        f"{_collection}/{{id}}/labels/{{label}}",
        GET=partial(test_label, _level),
        PUT=partial(add_label, _level),
        DELETE=partial(remove_label, _level),
    )
