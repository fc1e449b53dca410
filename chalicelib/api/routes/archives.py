"""ZIP archives: ``GET|POST /patients|studies|series/{id}/archive``.

The answer is built by the archive service's chunk generator. Chalice (and API Gateway behind
it) sends a body in one piece, so a small archive is joined into the body; one larger than the
large-object threshold is streamed into S3 a part at a time and answered with a redirect to a
presigned URL (chalicelib/services/downloads.py): memory stays bounded whatever the study.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from chalice import Blueprint
from chalice.app import Request

from chalicelib import bootstrap
from chalicelib.api import http
from chalicelib.api.routing import RouteTable
from chalicelib.dicom.identifiers import Level
from chalicelib.errors import ErrorCode, OrthancError, bad_request
from chalicelib.jobs.request import job_options

blueprint = Blueprint(__name__)
routes = RouteTable(blueprint)


def archive(level: Level, request: Request, id: str) -> Any:
    """The ZIP of a resource's files. A POST body carries Orthanc's job options; only the
    synchronous form is served for now (no archive jobs yet)."""
    if request.method == "POST":
        body = http.json_body(request)
        if body is None:
            body = {}
        if not isinstance(body, dict):
            raise OrthancError(ErrorCode.BAD_FILE_FORMAT)
        if job_options(body).asynchronous:
            raise bad_request("Asynchronous archives are not supported yet")
    service = bootstrap.archive()
    chunks = service.stream(service.entries(level, id))
    download = bootstrap.downloads().generated(chunks, "application/zip", f"{id}.zip")
    return http.download_response(request, download)


for _level in (Level.PATIENT, Level.STUDY, Level.SERIES):
    _handler = partial(archive, _level)
    routes.add(f"/{_level.collection}/{{id}}/archive", GET=_handler, POST=_handler)
