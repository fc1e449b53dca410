"""WADO-URI (PS3.18 9, formerly WADO): ``GET /wado?requestType=WADO&studyUID=...&seriesUID=
...&objectUID=...``, served at ``/wado`` as Orthanc's DICOMweb plugin serves it (its
``WadoRoot`` default).

``contentType`` ``application/dicom`` answers the file (transcoded when ``transferSyntax``
names another syntax); ``image/jpeg`` (the default), ``image/jpg`` or ``image/png`` a frame
rendered as Orthanc's ``/instances/{id}/rendered`` renders it, which is the plugin's answer,
with PS3.18's ``frameNumber``, ``rows``, ``columns``, ``windowCenter``, ``windowWidth`` and
``imageQuality``, which the plugin ignores. Missing or bad parameters are 400 (PS3.18; the
plugin answers 404), an object that is not in that series of that study 404.
"""

from __future__ import annotations

from typing import Any

from chalice import Blueprint
from chalice.app import Request

from chalicelib import bootstrap
from chalicelib.api import http
from chalicelib.api.routing import RouteTable
from chalicelib.errors import ErrorCode, OrthancError, bad_request

blueprint = Blueprint(__name__)
routes = RouteTable(blueprint)

WADO_ROOT = "/wado"
DICOM = "application/dicom"
# contentType -> the rendered image's media type ("image/jpg" is the plugin's own default).
IMAGES = {"image/jpeg": "image/jpeg", "image/jpg": "image/jpeg", "image/png": "image/png"}
REQUIRED = ("studyUID", "seriesUID", "objectUID")
DEFAULT_QUALITY = 90


def _content_type(params: dict[str, str]) -> str:
    """The first type of ``contentType`` that Cirrus serves (PS3.18 allows a list)."""
    listed = [
        item.split(";")[0].strip().lower() for item in params.get("contentType", "").split(",")
    ]
    for item in listed if any(listed) else ["image/jpeg"]:
        if item == DICOM or item in IMAGES:
            return item
    raise bad_request(f"WADO-URI: Unsupported content type: {params['contentType']!r}")


def _positive(params: dict[str, str], name: str, default: int, high: int) -> int:
    text = params.get(name, str(default))
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= high:
        raise bad_request(f'WADO-URI: "{name}" must be an integer between 1 and {high}')
    return int(text)


def _render_options(params: dict[str, str]) -> Any:
    from chalicelib.dicom import rendering

    if ("windowCenter" in params) != ("windowWidth" in params):
        raise bad_request("WADO-URI: windowCenter and windowWidth go together")
    return rendering.parse_options(
        {
            name: params[key]
            for key, name in (
                ("windowCenter", "window-center"),
                ("windowWidth", "window-width"),
                ("columns", "width"),
                ("rows", "height"),
            )
            if key in params
        },
        False,
    )


def wado(request: Request) -> Any:
    from chalicelib.services.dicomweb.rendered import ImageRequest

    params = http.query_params(request)
    if params.get("requestType") != "WADO":
        raise bad_request(f"WADO-URI: Invalid requestType: {params.get('requestType', '')!r}")
    missing = [name for name in REQUIRED if not params.get(name)]
    if missing:
        raise bad_request(f"WADO-URI: Missing parameter(s): {', '.join(missing)}")
    content_type = _content_type(params)
    syntax = params.get("transferSyntax")
    if content_type != DICOM:
        image_request = ImageRequest(
            _positive(params, "frameNumber", 1, 2**31 - 1),
            IMAGES[content_type],
            _positive(params, "imageQuality", DEFAULT_QUALITY, 100),
        )
        options = _render_options(params)
    service = bootstrap.wado_rendered()
    try:
        instance = service.instance(params["studyUID"], params["seriesUID"], params["objectUID"])
    except OrthancError as exc:
        if exc.code is not ErrorCode.INEXISTENT_ITEM:
            raise
        raise OrthancError(ErrorCode.UNKNOWN_RESOURCE, exc.details) from exc
    http.whatever_accept(request)
    if content_type == DICOM:
        data = instance.data if syntax is None else _transcoded(instance.data, syntax)
        download = bootstrap.downloads().generated([data], DICOM, f"{instance.instance_id}.dcm")
        return http.download_response(request, download)
    image = service.render(instance, image_request, options)
    return http.binary_response(image, image_request.media_type)


def _transcoded(data: bytes, syntax: str) -> bytes:
    """The file in ``syntax`` (400 for a UID that is not a transfer syntax, 406 when the
    file cannot be written in it)."""
    from chalicelib.dicom.transcoding import check_syntax, transcode

    converted = transcode(data, check_syntax(syntax))
    if converted is None:
        raise OrthancError(ErrorCode.NOT_ACCEPTABLE, f"WADO-URI: Cannot transcode to {syntax}")
    return converted


routes.add(WADO_ROOT, GET=wado)
