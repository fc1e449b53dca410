"""The jobs API: GET /jobs, /jobs/{id}, its control actions and its outputs."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint
from chalice.app import Request

from chalicelib import bootstrap
from chalicelib.api import http
from chalicelib.api.routing import RouteTable

blueprint = Blueprint(__name__)
routes = RouteTable(blueprint)


def list_jobs(request: Request) -> Any:
    return bootstrap.jobs().list_jobs(http.flag(http.query_params(request), "expand"))


def get_job(request: Request, id: str) -> Any:
    return bootstrap.jobs().job_json(id)


def delete_job(request: Request, id: str) -> Any:
    bootstrap.jobs().delete(id)
    return {}


def _action(name: str) -> Any:
    def control(request: Request, id: str) -> Any:
        getattr(bootstrap.jobs(), name)(id)
        return {}

    control.__name__ = f"{name}_job"
    return control


def get_output(request: Request, id: str, key: str) -> Any:
    """Job outputs: the ZIP of an archive or media job at ``/jobs/{id}/archive`` (a redirect
    to S3 when large); other jobs have none."""
    return http.download_response(request, bootstrap.jobs().output(id, key))


routes.add("/jobs", GET=list_jobs)
routes.add("/jobs/{id}", GET=get_job, DELETE=delete_job)
for _name in ("cancel", "pause", "resume", "resubmit"):
    routes.add(f"/jobs/{{id}}/{_name}", POST=_action(_name))
routes.add("/jobs/{id}/{key}", GET=get_output)
