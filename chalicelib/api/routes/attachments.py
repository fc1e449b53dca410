"""Attachments of patients, studies, series and instances: ``/{level}/{id}/attachments``,
each attachment's sub-routes, and user attachments written and deleted with revisions.

Every read of one attachment answers its revision in ``ETag`` (and 304 to an
``If-None-Match`` naming it), as Orthanc 1.9.2+ does; the metadata routes use the same
answer (``revised``).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from chalice import Blueprint, Response
from chalice.app import Request

from chalicelib import bootstrap
from chalicelib.api import http
from chalicelib.api.routing import RouteTable
from chalicelib.dicom.identifiers import Level
from chalicelib.errors import OrthancError, TooLarge
from chalicelib.services.resources import revisions
from chalicelib.services.resources.attachments import StoredAttachment
from chalicelib.services.resources.revisions import Revision

blueprint = Blueprint(__name__)
routes = RouteTable(blueprint)


def revised(request: Request, revision: Revision, answer: Callable[[], Response]) -> Response:
    """``answer()`` with the ``ETag`` of ``revision``, or 304 when the client's
    ``If-None-Match`` names that revision (the body is then not produced at all). As in
    Orthanc, the ``ETag`` is sent even when ``If-None-Match`` is malformed (400)."""
    try:
        given = revisions.parse(
            revisions.IF_NONE_MATCH, request.headers.get(revisions.IF_NONE_MATCH.lower())
        )
    except OrthancError as error:
        error.headers["ETag"] = revision.etag
        raise
    if revisions.not_modified(revision, given):
        response = Response(body="", status_code=304)
    else:
        response = answer()
    response.headers["ETag"] = revision.etag
    return response


def written(revision: Revision, response: Response) -> Response:
    """The answer of a PUT, with the new revision's ``ETag``."""
    response.headers["ETag"] = revision.etag
    return response


def if_match(request: Request) -> str | None:
    return request.headers.get(revisions.IF_MATCH)


# -- the list ------------------------------------------------------------------------------


def list_attachments(level: Level, request: Request, id: str) -> Any:
    found = bootstrap.attachments().listing(level, id)
    if "full" in http.query_params(request):
        return dict(found)
    return [name for name, _ in found]


# -- one attachment --------------------------------------------------------------------------


def _read(
    request: Request, id: str, name: str, answer: Callable[[StoredAttachment], Response]
) -> Response:
    attachment = bootstrap.attachments().get(id, name)
    return revised(request, attachment.revision_tag, lambda: answer(attachment))


def operations(request: Request, id: str, name: str) -> Response:
    """What Orthanc lists (``uuid`` included, though Orthanc 1.10.1 routes no such call)."""
    listed = [
        "compress",
        "compressed-data",
        "compressed-md5",
        "compressed-size",
        "data",
        "info",
        "is-compressed",
        "md5",
        "size",
        "uncompress",
        "verify-md5",
        "uuid",
    ]
    return _read(request, id, name, lambda _: http.json_response(listed))


def data(request: Request, id: str, name: str) -> Response:
    """The bytes, with Orthanc's MIME type and file name; a large DICOM file redirects to
    S3 as ``/file`` does."""
    return _read(request, id, name, partial(_data, request, True))


def compressed_data(request: Request, id: str, name: str) -> Response:
    """The bytes as stored: the same, since Cirrus stores attachments uncompressed."""
    return _read(request, id, name, partial(_data, request, False))


def _data(request: Request, named: bool, attachment: StoredAttachment) -> Response:
    http.whatever_accept(request)
    mime = attachment.mime_type if named else "application/octet-stream"
    _carry_as_binary(mime)
    if attachment.is_dicom_file:
        filename = f"{attachment.uuid}.dcm"
        download = bootstrap.downloads().stored(attachment.key, attachment.size, mime, filename)
        if named or download.url is not None:
            return http.download_response(request, download)
    headers = {"Content-Disposition": f'filename="{attachment.uuid}"'} if named else {}
    return http.binary_response(bootstrap.attachments().data(attachment), mime, headers)


def _carry_as_binary(mime: str) -> None:
    """Chalice sends a bytes body only under a binary type: add a site's declared MIME type
    (``UserContentType``) to the app's list the first time it is answered."""
    binary_types = blueprint.current_app.api.binary_types
    if mime not in binary_types:
        binary_types.append(mime)


def _text(value: Callable[[StoredAttachment], object]) -> Callable[..., Response]:
    def route(request: Request, id: str, name: str) -> Response:
        return _read(request, id, name, lambda a: http.text_response(str(value(a))))

    route.__name__ = "attachment_text"
    return route


def info(request: Request, id: str, name: str) -> Response:
    return _read(request, id, name, lambda a: http.json_response(a.info()))


def verify_md5(request: Request, id: str, name: str) -> Response:
    service = bootstrap.attachments()
    service.verify(service.get(id, name))
    return Response(body="{}", status_code=200, headers={"Content-Type": "application/json"})


def keep_uncompressed(request: Request, id: str, name: str) -> Response:
    bootstrap.attachments().keep_uncompressed(id, name)
    return Response(body="{}", status_code=200, headers={"Content-Type": "application/json"})


# -- writes ----------------------------------------------------------------------------------


def put_attachment(request: Request, id: str, name: str) -> Response:
    body = request.raw_body or b""
    limit = bootstrap.config().LargeObjectThreshold
    if len(body) > limit:
        raise TooLarge(f"An attachment is limited to {limit} bytes (LargeObjectThreshold)")
    revision = bootstrap.attachments().put(id, name, body, if_match(request))
    return written(
        revision, Response(body="{}", status_code=200, headers={"Content-Type": "application/json"})
    )


def delete_attachment(request: Request, id: str, name: str) -> Response:
    bootstrap.attachments().delete(id, name, if_match(request))
    return http.text_response("")


_SIZE = _text(lambda a: a.size)
_MD5 = _text(lambda a: a.md5)

for _level in Level:
    _base = f"/{_level.collection}/{{id}}/attachments"
    routes.add(_base, GET=partial(list_attachments, _level))
    routes.add(f"{_base}/{{name}}", GET=operations, PUT=put_attachment, DELETE=delete_attachment)
    routes.add(f"{_base}/{{name}}/data", GET=data)
    routes.add(f"{_base}/{{name}}/compressed-data", GET=compressed_data)
    routes.add(f"{_base}/{{name}}/size", GET=_SIZE)
    routes.add(f"{_base}/{{name}}/compressed-size", GET=_SIZE)
    routes.add(f"{_base}/{{name}}/md5", GET=_MD5)
    routes.add(f"{_base}/{{name}}/compressed-md5", GET=_MD5)
    routes.add(f"{_base}/{{name}}/is-compressed", GET=_text(lambda a: 0))
    routes.add(f"{_base}/{{name}}/info", GET=info)
    routes.add(f"{_base}/{{name}}/verify-md5", POST=verify_md5)
    routes.add(f"{_base}/{{name}}/compress", POST=keep_uncompressed)
    routes.add(f"{_base}/{{name}}/uncompress", POST=keep_uncompressed)
