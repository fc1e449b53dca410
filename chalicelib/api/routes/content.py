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

DICOM_JSON, DICOM_XML = "application/dicom+json", "application/dicom+xml"

# /content/{tag}/{index}/{tag}/... : Chalice has no greedy path parameter, so one route is
# declared per depth, deep enough for any realistic nesting of sequences.
MAX_CONTENT_DEPTH = 12


def tag_format(request: Request) -> TagFormat:
    """``?simplify``, ``?short`` (``?full``: the default of these routes). Orthanc reads them
    by presence, whatever their value: ``?simplify=false`` simplifies too."""
    params = http.query_params(request)
    if "simplify" in params:
        return TagFormat.SIMPLIFY
    if "short" in params:
        return TagFormat.SHORT
    return TagFormat.FULL


def ignored_lengths(request: Request) -> frozenset[int]:
    """``?ignore-length=``, read before the instance is looked up, as Orthanc does."""
    from chalicelib.dicom.orthanc_json import ignored_lengths  # pydicom: not at cold start

    return ignored_lengths(http.query_params(request).get("ignore-length"))


def get_file(request: Request, id: str) -> Any:
    """The stored file; above the large-object threshold, a redirect to S3 (the file is
    then not read by the Lambda at all). As in Orthanc, an ``Accept`` of exactly
    ``application/dicom+json`` asks for the DICOM JSON model instead, and any other
    ``Accept`` gets the file. Orthanc's DICOM XML (``application/dicom+xml``) is not
    reproduced (docs/compatibility.md): 406 rather than a file the client did not ask for."""
    accept = http.header(request, "accept").lstrip()
    if accept == DICOM_JSON:
        text = http.json_text(bootstrap.content().dicom_json(id))
        download = bootstrap.downloads().generated([text.encode()], DICOM_JSON, f"{id}.json")
        return http.generated_text_response(request, download)
    if accept == DICOM_XML:
        raise OrthancError(
            ErrorCode.NOT_ACCEPTABLE,
            "The DICOM XML model is not available in Cirrus: ask for application/dicom+json",
        )
    http.whatever_accept(request)
    resource = bootstrap.content().instance(id)
    download = bootstrap.downloads().stored(
        resource.blob_key, resource.file_size, "application/dicom", f"{resource.file_uuid}.dcm"
    )
    return http.download_response(request, download)


def get_tags(request: Request, id: str) -> Any:
    return bootstrap.content().tags(id, tag_format(request), ignored_lengths(request))


def get_simplified_tags(request: Request, id: str) -> Any:
    return bootstrap.content().tags(id, TagFormat.SIMPLIFY, ignored_lengths(request))


def get_header(request: Request, id: str) -> Any:
    return bootstrap.content().header(id, tag_format(request))


def get_content(request: Request, id: str, **steps: str) -> Any:
    path = [steps[f"p{i}"] for i in range(len(steps))]
    answer = bootstrap.content().content(id, path)
    if isinstance(answer, bytes):
        http.whatever_accept(request)
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
    ignore_length = ignored_lengths(request)
    return bootstrap.content().instances_tags(level, id, tag_format(request), ignore_length)


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
