"""The DICOM hierarchy: ``POST /instances`` (the upload of files: the same storing code
serves ``/cirrus/uploads``, in ``large_uploads.py``), lists, resources, their relatives,
deletes (``/tools/bulk-delete`` too), metadata and statistics."""

from __future__ import annotations

from functools import partial
from typing import Any

from chalice import Blueprint
from chalice.app import Request

from chalicelib import bootstrap
from chalicelib.api import http
from chalicelib.api.error_map import LengthRequired
from chalicelib.api.requests.form_upload import form_upload
from chalicelib.api.routes.attachments import if_match, revised, written
from chalicelib.api.routing import RouteTable
from chalicelib.dicom.identifiers import Level
from chalicelib.errors import TooLarge, bad_request
from chalicelib.services.resources import upload

blueprint = Blueprint(__name__)
routes = RouteTable(blueprint)


# -- POST /instances -----------------------------------------------------------------------


def upload_instances(request: Request) -> Any:
    """One DICOM file, a gzip-encoded one, or a ZIP of them (answering a list), or a
    ``multipart/form-data`` form of them (answering nothing, as Orthanc). Bodies larger than
    API Gateway carries go through POST /cirrus/uploads instead."""
    from chalicelib.services.resources.ingest import (
        Origin,  # pydicom: only for uploads (cold start)
    )

    config = bootstrap.config()
    data = request.raw_body or b""
    if not data and "chunked" in http.header(request, "transfer-encoding").lower():
        raise LengthRequired(
            "Chunked uploads are not supported by this server: send a Content-Length"
        )
    if len(data) > config.LargeObjectThreshold:
        raise TooLarge(
            f"The body exceeds {config.LargeObjectThreshold} bytes, more than the API carries: "
            "upload it through POST /cirrus/uploads (see docs/compatibility.md)"
        )
    origin = Origin(
        protocol="RestApi",
        remote_ip=http.remote_ip(request),
        http_username=http.username(request),
    )
    gzipped = "gzip" in http.header(request, "content-encoding").lower()
    form = form_upload(request.headers)
    if form is not None:
        upload.store_form(bootstrap.ingest(), data, gzipped, form, config.MaximumUploadSize, origin)
        return http.empty_response()
    return upload.store_body(bootstrap.ingest(), data, gzipped, config.MaximumUploadSize, origin)


# -- lists and single resources ------------------------------------------------------------


def list_resources(level: Level, request: Request) -> Any:
    params = http.query_params(request)
    since = http.integer(params, "since")
    limit = http.integer(params, "limit")
    if (since is None) != (limit is None):
        missing = "limit" if limit is None else "since"
        raise bad_request(
            f'Missing "{missing}" argument for GET request against: /{level.collection}/'
        )
    return bootstrap.browse().list_level(level, http.flag(params, "expand"), since or 0, limit)


def show_resource(level: Level, request: Request, id: str) -> Any:
    return bootstrap.browse().resource_json(level, id)


def delete_resource(level: Level, request: Request, id: str) -> Any:
    return bootstrap.delete().delete(level, id)


def resource_statistics(level: Level, request: Request, id: str) -> Any:
    return bootstrap.statistics().resource_statistics(level, id)


def descendants(level: Level, target: Level, request: Request, id: str) -> Any:
    browse = bootstrap.browse()
    return browse.expand(target, browse.descendants(level, id, target))


def ancestor(level: Level, target: Level, request: Request, id: str) -> Any:
    browse = bootstrap.browse()
    found = browse.ancestor(level, id, target)
    return browse.resource_json(target, found.id)


def metadata_list(level: Level, request: Request, id: str) -> Any:
    values = bootstrap.metadata().values(level, id)
    if http.flag(http.query_params(request), "expand"):
        return dict(values)
    return [name for name, _ in values]


def metadata_item(level: Level, request: Request, id: str, name: str) -> Any:
    value, revision = bootstrap.metadata().value(level, id, name)
    return revised(request, revision, lambda: http.text_response(value))


def set_metadata(request: Request, id: str, name: str) -> Any:
    """User metadata (``UserMetadata``); the URI's level is not checked, as in Orthanc."""
    value = request.raw_body or b""
    revision = bootstrap.metadata().set(id, name, value, if_match(request))
    return written(revision, http.text_response(""))


def delete_metadata(request: Request, id: str, name: str) -> Any:
    bootstrap.metadata().delete(id, name, if_match(request))
    return http.text_response("")


def bulk_delete(request: Request) -> Any:
    body = http.json_body(request)
    resources = body.get("Resources") if isinstance(body, dict) else None
    if not isinstance(resources, list) or not all(isinstance(r, str) for r in resources):
        raise bad_request('The body must be an object with a "Resources" list of identifiers')
    bootstrap.delete().delete_many(resources)
    return http.text_response("")


routes.add("/tools/bulk-delete", POST=bulk_delete)
for _level in Level:
    _collection = f"/{_level.collection}"
    if _level is Level.INSTANCE:
        routes.add(_collection, GET=partial(list_resources, _level), POST=upload_instances)
    else:
        routes.add(_collection, GET=partial(list_resources, _level))
    routes.add(
        f"{_collection}/{{id}}",
        GET=partial(show_resource, _level),
        DELETE=partial(delete_resource, _level),
    )
    routes.add(f"{_collection}/{{id}}/statistics", GET=partial(resource_statistics, _level))
    routes.add(f"{_collection}/{{id}}/metadata", GET=partial(metadata_list, _level))
    routes.add(
        f"{_collection}/{{id}}/metadata/{{name}}",
        GET=partial(metadata_item, _level),
        PUT=set_metadata,
        DELETE=delete_metadata,
    )
    for _other in Level:
        if _other.depth > _level.depth:
            routes.add(
                f"{_collection}/{{id}}/{_other.collection}",
                GET=partial(descendants, _level, _other),
            )
        elif _other.depth < _level.depth:
            routes.add(
                f"{_collection}/{{id}}/{_other.value.lower()}",
                GET=partial(ancestor, _level, _other),
            )
