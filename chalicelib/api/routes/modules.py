"""The DICOM modules of a resource: ``/patients/{id}/module``, ``/studies/{id}/module``,
``/studies/{id}/module-patient``, ``/series/{id}/module`` and ``/instances/{id}/module``, in
the formats of ``/tags`` (``?simplify``, ``?short``, ``?ignore-length``)."""

from __future__ import annotations

from functools import partial
from typing import Any

from chalice import Blueprint
from chalice.app import Request

from chalicelib import bootstrap
from chalicelib.api.routes.content import ignored_lengths, tag_format
from chalicelib.api.routing import RouteTable
from chalicelib.dicom.identifiers import Level

blueprint = Blueprint(__name__)
routes = RouteTable(blueprint)


def show_module(module: Level, request: Request, id: str) -> Any:
    # ?ignore-length is read first: a bad tag fails before the resource is looked up.
    ignore_length = ignored_lengths(request)
    return bootstrap.modules().module(module, id, tag_format(request), ignore_length)


for _level in Level:
    routes.add(f"/{_level.collection}/{{id}}/module", GET=partial(show_module, _level))
routes.add("/studies/{id}/module-patient", GET=partial(show_module, Level.PATIENT))
