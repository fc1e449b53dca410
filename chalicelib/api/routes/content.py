"""Inside an instance: its file, tags, header and raw element values; tags shared by the
instances of a patient, study or series."""

from __future__ import annotations

from functools import partial
from typing import Any

from chalice import Blueprint
from chalice.app import Request

from chalicelib import bootstrap
from chalicelib.api import http
from chalicelib.api.routing import RouteTable
from chalicelib.dicom.identifiers import Level
from chalicelib.dicom.tag_format import TagFormat
from chalicelib.errors import ErrorCode, OrthancError

blueprint = Blueprint(__name__)
routes = RouteTable(blueprint)

# /content/{tag}/{index}/{tag}/... : Chalice has no greedy path parameter, so one route is
# declared per depth, deep enough for any realistic nesting of sequences.
MAX_CONTENT_DEPTH = 12


def tag_format(request: Request) -> TagFormat:
    params = http.query_params(request)
    if http.flag(params, "simplify"):
        return TagFormat.SIMPLIFY
    if http.flag(params, "short"):
        return TagFormat.SHORT
    return TagFormat.FULL


def get_file(request: Request, id: str) -> Any:
    """The stored file; above the large-object threshold, a redirect to S3 (the file is
    then not read by the Lambda at all)."""
    resource = bootstrap.content().instance(id)
    download = bootstrap.downloads().stored(
        resource.blob_key, resource.file_size, "application/dicom", f"{resource.file_uuid}.dcm"
    )
    return http.download_response(request, download)


def get_tags(request: Request, id: str) -> Any:
    return bootstrap.content().tags(id, tag_format(request))


def get_simplified_tags(request: Request, id: str) -> Any:
    return bootstrap.content().tags(id, TagFormat.SIMPLIFY)


def get_header(request: Request, id: str) -> Any:
    return bootstrap.content().header(id, tag_format(request))


def get_content(request: Request, id: str, **steps: str) -> Any:
    path = [steps[f"p{i}"] for i in range(len(steps))]
    answer = bootstrap.content().content(id, path)
    if isinstance(answer, bytes):
        return http.binary_response(answer, "application/octet-stream")
    return answer


def export(request: Request, id: str) -> Any:
    raise OrthancError(
        ErrorCode.FORBIDDEN_ACCESS,
        "Writing to the server's file system is not available in Cirrus: "
        "download /instances/{id}/file instead",
    )


def shared_tags(level: Level, request: Request, id: str) -> Any:
    return bootstrap.content().shared_tags(level, id, tag_format(request))


def instances_tags(level: Level, request: Request, id: str) -> Any:
    return bootstrap.content().instances_tags(level, id, tag_format(request))


routes.add("/instances/{id}/file", GET=get_file)
routes.add("/instances/{id}/tags", GET=get_tags)
routes.add("/instances/{id}/simplified-tags", GET=get_simplified_tags)
routes.add("/instances/{id}/header", GET=get_header)
routes.add("/instances/{id}/export", POST=export)
routes.add("/instances/{id}/content", GET=get_content)
for _depth in range(1, MAX_CONTENT_DEPTH + 1):
    _suffix = "/".join(f"{{p{i}}}" for i in range(_depth))
    routes.add(f"/instances/{{id}}/content/{_suffix}", GET=get_content)
for _level in (Level.PATIENT, Level.STUDY, Level.SERIES):
    routes.add(f"/{_level.collection}/{{id}}/shared-tags", GET=partial(shared_tags, _level))
    routes.add(f"/{_level.collection}/{{id}}/instances-tags", GET=partial(instances_tags, _level))
