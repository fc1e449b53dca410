"""Reading the headers of a ``multipart/form-data`` upload to ``POST /instances`` (browsers,
HTML forms, jQuery File Upload), with Orthanc 1.10.1's checks, errors and order: the
``X-Requested-With`` header, then jQuery File Upload's ``X-File-Name`` and ``X-File-Size``.
Orthanc makes these checks before reading the body, so a bad header fails the whole upload.
"""

from __future__ import annotations

from collections.abc import Mapping

from chalicelib.errors import MalformedBody, OrthancError
from chalicelib.services.resources.multipart import Form, form_boundary, int64


def form_upload(headers: Mapping[str, str]) -> Form | None:
    """The form a request's headers (lower-cased names) announce; None when the body is not
    ``multipart/form-data``."""
    boundary = form_boundary(headers.get("content-type", ""))
    if boundary is None:
        return None
    requested_with = headers.get("x-requested-with")
    if requested_with is not None and requested_with != "XMLHttpRequest":
        raise _refused('"X-Requested-With" should be "XMLHttpRequest" in multipart uploads')
    name, size = headers.get("x-file-name"), headers.get("x-file-size")
    if name is None and size is None:
        return Form(boundary)
    if name is None:
        raise _refused('"X-File-Name" is missing')
    if size is None:
        raise _refused('"X-File-Size" is missing')
    file_size = int64(size)
    if file_size is None:
        raise _refused('"X-File-Size" is not an integer')
    if file_size < 0:
        raise _refused('"X-File-Size" has negative value')
    return Form(boundary, file_size)


def _refused(what: str) -> OrthancError:
    """Orthanc's error for a bad header of a form upload (``NetworkProtocol``; Orthanc answers
    500, Cirrus 400)."""
    return MalformedBody(f"HTTP header {what}")
