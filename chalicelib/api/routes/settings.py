"""Settings changed at run time and usage metrics: /tools/default-encoding,
/tools/accepted-transfer-syntaxes, /tools/unknown-sop-class-accepted, /tools/log-level[-*],
/tools/metrics and /tools/metrics-prometheus.

Orthanc answers these in plain text (a boolean as ``1``/``0``, an empty body after a change),
except the transfer syntaxes (JSON).
"""

from __future__ import annotations

from typing import Any

from chalice import Blueprint, Response
from chalice.app import Request

from chalicelib import bootstrap
from chalicelib.api.http import boolean_body, text_response
from chalicelib.api.routing import RouteTable
from chalicelib.services.system.logs import CATEGORIES

blueprint = Blueprint(__name__)
routes = RouteTable(blueprint)

PROMETHEUS_TEXT = "text/plain; version=0.0.4"


def _body(request: Request) -> str:
    return (request.raw_body or b"").decode("utf-8", "replace")


def _flag(value: bool) -> Response:
    return text_response("1" if value else "0")


def get_default_encoding(request: Request) -> Response:
    return text_response(bootstrap.system_settings().default_encoding())


def put_default_encoding(request: Request) -> Response:
    return text_response(bootstrap.system_settings().set_default_encoding(_body(request)))


def get_accepted_transfer_syntaxes(request: Request) -> Any:
    return bootstrap.system_settings().accepted_transfer_syntaxes()


def put_accepted_transfer_syntaxes(request: Request) -> Any:
    return bootstrap.system_settings().set_accepted_transfer_syntaxes(request.raw_body or b"")


def get_unknown_sop_class_accepted(request: Request) -> Response:
    return _flag(bootstrap.system_settings().unknown_sop_class_accepted())


def put_unknown_sop_class_accepted(request: Request) -> Response:
    bootstrap.system_settings().set_unknown_sop_class_accepted(boolean_body(request))
    return text_response("")


def get_metrics(request: Request) -> Response:
    return _flag(bootstrap.system_settings().metrics_enabled())


def put_metrics(request: Request) -> Response:
    bootstrap.system_settings().set_metrics_enabled(boolean_body(request))
    return text_response("")


def get_metrics_prometheus(request: Request) -> Response:
    text = bootstrap.metrics().prometheus()
    return Response(body=text, status_code=200, headers={"Content-Type": PROMETHEUS_TEXT})


def log_level_routes(category: str | None) -> dict[str, Any]:
    """GET and PUT of the global log level (``None``) or of one category's."""

    def get_log_level(request: Request) -> Response:
        return text_response(bootstrap.log_levels().get(category))

    def put_log_level(request: Request) -> Response:
        bootstrap.log_levels().put(category, _body(request))
        return text_response("")

    suffix = f"_{category}" if category else ""
    get_log_level.__name__ += suffix  # Chalice names views by their function
    put_log_level.__name__ += suffix
    return {"GET": get_log_level, "PUT": put_log_level}


routes.add("/tools/default-encoding", GET=get_default_encoding, PUT=put_default_encoding)
routes.add(
    "/tools/accepted-transfer-syntaxes",
    GET=get_accepted_transfer_syntaxes,
    PUT=put_accepted_transfer_syntaxes,
)
routes.add(
    "/tools/unknown-sop-class-accepted",
    GET=get_unknown_sop_class_accepted,
    PUT=put_unknown_sop_class_accepted,
)
routes.add("/tools/metrics", GET=get_metrics, PUT=put_metrics)
routes.add("/tools/metrics-prometheus", GET=get_metrics_prometheus)
routes.add("/tools/log-level", **log_level_routes(None))
for _category in CATEGORIES:
    routes.add(f"/tools/log-level-{_category}", **log_level_routes(_category))
