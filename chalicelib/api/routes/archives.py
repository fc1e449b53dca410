"""ZIP archives and DICOMDIR media: ``GET|POST /patients|studies|series/{id}/archive|media``
and ``POST /tools/create-archive|create-media|create-media-extended``.

The options are read as Orthanc 1.10.1 reads them (``Synchronous``/``Asynchronous``,
``Priority``, ``Extended``, ``Transcode``; ``?extended`` and ``?transcode=`` on GET). The
synchronous answer is built by the archive service's chunk generator: Chalice (and API Gateway
behind it) sends a body in one piece, so a small archive is joined into the body; one larger
than the large-object threshold is streamed into S3 a part at a time and answered with a
redirect to a presigned URL (chalicelib/services/downloads/large_downloads.py). The
asynchronous form submits an ``Archive`` or ``Media`` job whose ZIP is fetched at
``/jobs/{id}/archive``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from functools import partial
from typing import Any

from chalice import Blueprint
from chalice.app import Request

from chalicelib import bootstrap
from chalicelib.api import http
from chalicelib.api.requests.fields import boolean_option, job_options, string_option
from chalicelib.api.routing import RouteTable
from chalicelib.dicom.identifiers import Level
from chalicelib.dicom.transcoding import check_syntax
from chalicelib.errors import ErrorCode, OrthancError
from chalicelib.jobs.model import JobOptions
from chalicelib.services.downloads.archive import ArchiveEntry

blueprint = Blueprint(__name__)
routes = RouteTable(blueprint)

NOT_A_LIST = "Expected a list of strings (Orthanc identifiers)"


@dataclass(frozen=True)
class _Request:
    """An archive request: what to put in it, how, and how to answer."""

    media: bool
    extended: bool
    transcode: str | None
    filename: str


def single(level: Level, media: bool, request: Request, id: str) -> Any:
    """One patient, study or series (its ID in the URL)."""
    if request.method == "GET":
        params = http.query_params(request)
        transcode = check_syntax(params["transcode"]) if "transcode" in params else None
        # Orthanc looks at the presence of ?extended, whatever its value.
        wanted = _Request(media, media and "extended" in params, transcode, f"{id}.zip")
        return _synchronous(request, wanted, bootstrap.archive().entries(level, id, media))
    body = _body(request, None)
    options = job_options(body if isinstance(body, dict) else {})
    wanted = _options(body, media, False, f"{id}.zip")
    entries = bootstrap.archive().entries(level, id, media)
    return _answer(request, options, wanted, [id], entries)


def batch(media: bool, default_extended: bool, request: Request) -> Any:
    """Several resources of any level: ``{"Resources": [...], ...}`` or a bare list."""
    body = _body(request, "Expected a list of resources to archive in the body")
    options = job_options(body if isinstance(body, dict) else {})
    wanted = _options(body, media, default_extended, "Archive.zip")
    resources = body.get("Resources") if isinstance(body, dict) else body
    if isinstance(body, dict) and "Resources" not in body:
        raise OrthancError(ErrorCode.BAD_FILE_FORMAT, "Missing field Resources in the JSON body")
    if not isinstance(body, dict | list):
        raise OrthancError(ErrorCode.BAD_FILE_FORMAT)
    if not isinstance(resources, list) or not all(isinstance(r, str) for r in resources):
        raise OrthancError(ErrorCode.BAD_FILE_FORMAT, NOT_A_LIST)
    entries = bootstrap.archive().plan(resources, media)
    return _answer(request, options, wanted, resources, entries)


def _body(request: Request, details: str | None) -> Any:
    """The JSON body; Orthanc's 400 (Bad file format) when there is none or it is not JSON."""
    body = http.json_body_or_none(request)
    if body is None:
        raise OrthancError(ErrorCode.BAD_FILE_FORMAT, details)
    return body


def _options(body: Any, media: bool, default_extended: bool, filename: str) -> _Request:
    """``Extended`` and ``Transcode``, read from an object body only (as Orthanc does)."""
    extended, transcode = default_extended, None
    if isinstance(body, dict):
        extended = boolean_option(body, "Extended", default_extended)
        if "Transcode" in body:
            transcode = check_syntax(string_option(body, "Transcode"))
    return _Request(media, media and extended, transcode, filename)


def _answer(
    request: Request,
    options: JobOptions,
    wanted: _Request,
    resources: list[str],
    entries: list[ArchiveEntry],
) -> Any:
    """The ZIP itself, or the job that builds it (``{"ID", "Path"}``) when asynchronous."""
    if not options.asynchronous:
        return _synchronous(request, wanted, entries)
    from chalicelib.services.downloads.archive_jobs import ARCHIVE, MEDIA, job_params

    params = job_params(entries, resources, wanted.extended, wanted.transcode)
    kind = MEDIA if wanted.media else ARCHIVE
    # Orthanc's archive jobs do not keep UserData.
    return bootstrap.jobs().run(kind, params, replace(options, user_data=None), 0)


def _synchronous(request: Request, wanted: _Request, entries: list[ArchiveEntry]) -> Any:
    service = bootstrap.archive()
    chunks: Iterator[bytes]
    if wanted.media:
        chunks = service.stream_media(entries, wanted.extended, wanted.transcode)
    else:
        chunks = service.stream(entries, wanted.transcode)
    download = bootstrap.downloads().generated(chunks, "application/zip", wanted.filename)
    return http.download_response(request, download)


for _level in (Level.PATIENT, Level.STUDY, Level.SERIES):
    for _media, _name in ((False, "archive"), (True, "media")):
        _handler = partial(single, _level, _media)
        routes.add(f"/{_level.collection}/{{id}}/{_name}", GET=_handler, POST=_handler)
routes.add("/tools/create-archive", POST=partial(batch, False, False))
routes.add("/tools/create-media", POST=partial(batch, True, False))
routes.add("/tools/create-media-extended", POST=partial(batch, True, True))
