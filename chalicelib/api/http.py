"""Request parsing and response shaping shared by all routes."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from chalice import Response
from chalice.app import Request

from chalicelib.api.xml_answers import XML_CONTENT_TYPE, json_to_xml
from chalicelib.errors import ErrorCode, OrthancError, TooLarge, bad_file

if TYPE_CHECKING:
    from chalicelib.services.downloads.large_downloads import Download


def json_text(body: Any) -> str:
    """JSON as Orthanc prints it (sorted keys, indented, no newline after the last brace) so
    diffs against Orthanc are easy."""
    return json.dumps(body, indent=3, sort_keys=True, ensure_ascii=False)


def json_response(body: Any, status: int = 200) -> Response:
    return Response(
        body=json_text(body),
        status_code=status,
        headers={"Content-Type": "application/json; charset=utf-8"},
    )


def xml_response(body: Any) -> Response:
    """``body`` in Orthanc's XML form, for clients that ask for it (``Accept``)."""
    return Response(
        body=json_to_xml(body), status_code=200, headers={"Content-Type": XML_CONTENT_TYPE}
    )


def binary_response(
    data: bytes, content_type: str, headers: dict[str, str] | None = None
) -> Response:
    return Response(
        body=data, status_code=200, headers={"Content-Type": content_type, **(headers or {})}
    )


# A request carrying this header with the value "link" (the web console's downloads) gets the
# presigned URL of a large answer as JSON instead of a redirect: a page's script cannot read a
# redirect's Location, nor fetch from S3 under its Content-Security-Policy, but it can send the
# browser there to save the file. Cirrus-specific; Orthanc's clients never send it.
DOWNLOAD_LINK_HEADER = "x-cirrus-download"


def download_response(request: Request, download: Download) -> Response:
    """The body with its file name, or a redirect to where S3 serves it: 307 for a GET,
    303 for a POST (clients then GET the URL instead of posting to S3); with
    :data:`DOWNLOAD_LINK_HEADER`, that URL as ``{"Url", "FileName"}``."""
    if download.url is None:
        return binary_response(
            download.body or b"",
            download.content_type,
            {"Content-Disposition": f'filename="{download.filename}"'},
        )
    if header(request, DOWNLOAD_LINK_HEADER) == "link":
        return json_response({"Url": download.url, "FileName": download.filename})
    status = 307 if request.method in ("GET", "HEAD") else 303
    return Response(body="", status_code=status, headers={"Location": download.url})


def generated_text_response(request: Request, download: Download) -> Response:
    """A generated UTF-8 text answer (e.g. DICOM JSON) as the body, without the file name
    Orthanc does not send for it, or the redirect to S3 when it is too large."""
    if download.url is None:
        return Response(
            body=(download.body or b"").decode("utf-8"),
            status_code=200,
            headers={"Content-Type": download.content_type},
        )
    return download_response(request, download)


def whatever_accept(request: Request) -> None:
    """Answer this request whatever its ``Accept`` says, as Orthanc does on the routes that
    do not negotiate (``/file``, ``/content``): Chalice refuses a binary answer unless
    ``Accept`` names a binary type, e.g. to a client asking for ``application/json``."""
    request.headers._dict["accept"] = "*/*"  # CaseInsensitiveMapping keeps lower-cased keys


def empty_response() -> Response:
    """A 200 without body or type, as Orthanc answers a form upload."""
    return Response(body="", status_code=200, headers={})


def text_response(text: str) -> Response:
    return Response(body=text, status_code=200, headers={"Content-Type": "text/plain"})


def remote_ip(request: Request) -> str:
    """The caller's address (an instance's ``RemoteIP`` metadata)."""
    return str(request.context.get("identity", {}).get("sourceIp", ""))


def username(request: Request) -> str:
    """The authenticated user, empty without authentication (``HttpUsername``)."""
    return str(request.context.get("cirrus_user", ""))


def query_params(request: Request) -> dict[str, str]:
    """Query parameters, the last value winning (Chalice gives None when there are none)."""
    return dict(request.query_params or {})


def flag(params: dict[str, str], name: str) -> bool:
    """Orthanc's boolean query options: present without a value, or ``true``/``1`` (any
    case), means true; ``false``/``0`` means false."""
    if name not in params:
        return False
    value = params[name].strip().lower()
    if value in ("", "true", "1"):
        return True
    if value in ("false", "0"):
        return False
    raise OrthancError(
        ErrorCode.PARAMETER_OUT_OF_RANGE, f'Value for option "{name}" must be a Boolean'
    )


def integer(params: dict[str, str], name: str, default: int | None = None) -> int | None:
    """A non-negative integer query option (``since``, ``limit``): ASCII digits only, since
    ``str.isdigit`` also accepts ``²`` (which ``int`` refuses) and ``١`` (which it reads)."""
    if name not in params:
        return default
    value = params[name]
    if not (value.isascii() and value.isdigit()):
        raise OrthancError(
            ErrorCode.PARAMETER_OUT_OF_RANGE, f'Value for option "{name}" must be an integer'
        )
    return int(value)


def header(request: Request, name: str, default: str = "") -> str:
    return request.headers.get(name.lower(), default)


MAX_JSON_BODY = 1024 * 1024


def json_body(request: Request) -> Any:
    """The request body as JSON (the POST bodies of /tools/*), bounded in size."""
    data = request.raw_body or b""
    if len(data) > MAX_JSON_BODY:
        raise TooLarge("Request body too large")
    try:
        return json.loads(data or b"null")
    except (UnicodeDecodeError, ValueError) as exc:
        raise OrthancError(ErrorCode.BAD_JSON, "The body must be JSON") from exc


def json_body_or_none(request: Request) -> Any:
    """The JSON body, or None when it is not JSON: the routes where Orthanc answers such a
    body as one of the wrong type (each says with which error)."""
    try:
        return json_body(request)
    except OrthancError as error:
        if error.code is not ErrorCode.BAD_JSON:
            raise
        return None


_BOOLEANS = {"0": False, "false": False, "1": True, "true": True}


def boolean_body(request: Request) -> bool:
    """Orthanc's Boolean bodies (``PUT /patients/{id}/protected``, ``/tools/metrics``...):
    ``0``, ``1``, ``false`` or ``true`` between any white space, else "Boolean value
    expected" (read before anything is looked up, as Orthanc does)."""
    text = (request.raw_body or b"").decode("utf-8", "replace").strip(" \t\n\v\f\r")
    if text not in _BOOLEANS:
        raise bad_file("Boolean value expected")
    return _BOOLEANS[text]
