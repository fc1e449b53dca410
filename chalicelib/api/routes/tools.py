"""The ``/tools`` node and its stateless routes: ``now``, ``now-local``, ``generate-uid``,
``dicom-conformance``, ``invalidate-tags`` and ``execute-script``; and ``bulk-content``."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint
from chalice.app import Request

from chalicelib import bootstrap
from chalicelib.api import http
from chalicelib.api.routing import RouteTable
from chalicelib.errors import ErrorCode, OrthancError
from chalicelib.services.system import tools

blueprint = Blueprint(__name__)
routes = RouteTable(blueprint)

TOOLS = "/tools/"


def list_tools(request: Request) -> Any:
    """The names under ``/tools``, sorted as Orthanc lists a node's children: read from the
    routes the app serves, so the list is what Cirrus answers, whichever Blueprint
    declares them."""
    paths = (path for path, methods in blueprint.current_app.routes.items() if methods)
    return sorted({p[len(TOOLS) :].split("/")[0] for p in paths if p.startswith(TOOLS)})


def now(request: Request) -> Any:
    return http.text_response(tools.now(utc=True))


def now_local(request: Request) -> Any:
    return http.text_response(tools.now(utc=False))


def generate_uid(request: Request) -> Any:
    return http.text_response(tools.generate_uid(http.query_params(request).get("level")))


def dicom_conformance(request: Request) -> Any:
    return http.text_response(tools.dicom_conformance(bootstrap.config().DicomAet))


def bulk_content(request: Request) -> Any:
    from chalicelib.api.requests.bulk_content import bulk_content_request  # not at cold start

    return bootstrap.bulk_content().describe(bulk_content_request(http.json_body_or_none(request)))


def invalidate_tags(request: Request) -> Any:
    """Orthanc drops the DICOM-as-JSON summaries it caches beside each file. Cirrus caches
    none (tags are read from the file each time, with the ``Dictionary`` of the moment), so
    there is nothing to drop."""
    return http.text_response("")


def execute_script(request: Request) -> Any:
    """Orthanc runs Lua here only with ``ExecuteLuaEnabled`` and otherwise answers 403;
    Cirrus has no Lua engine, so it always answers as Orthanc does with the option off."""
    raise OrthancError(
        ErrorCode.FORBIDDEN_ACCESS,
        "Lua scripts are not available in Cirrus (/tools/execute-script)",
    )


routes.add("/tools", GET=list_tools)
routes.add("/tools/now", GET=now)
routes.add("/tools/now-local", GET=now_local)
routes.add("/tools/generate-uid", GET=generate_uid)
routes.add("/tools/dicom-conformance", GET=dicom_conformance)
routes.add("/tools/bulk-content", POST=bulk_content)
routes.add("/tools/invalidate-tags", POST=invalidate_tags)
routes.add("/tools/execute-script", POST=execute_script)
