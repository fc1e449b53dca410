"""Decoded images of an instance: ``/frames``, ``preview`` and ``image-uint8/uint16/int16``,
for the first frame or under ``/frames/{n}``. The pixel work is in chalicelib/dicom/pixels.py,
which imports numpy, pillow and the decoders only when one of these routes is called."""

from __future__ import annotations

from functools import partial
from typing import Any

from chalice import Blueprint
from chalice.app import Request

from chalicelib import bootstrap
from chalicelib.api import http
from chalicelib.api.routing import RouteTable
from chalicelib.dicom import pixels
from chalicelib.errors import ErrorCode, OrthancError, bad_request

blueprint = Blueprint(__name__)
routes = RouteTable(blueprint)

DEFAULT_QUALITY = 90
# Kind of image -> numpy type of its cropped values (None: the stretched 8-bit preview).
KINDS: dict[str, str | None] = {
    "preview": None,
    "image-uint8": "uint8",
    "image-uint16": "uint16",
    "image-int16": "int16",
}


def list_frames(request: Request, id: str) -> Any:
    dataset = bootstrap.content().dataset(id)
    return list(range(pixels.frame_count(dataset)))


def _frame_index(text: str) -> int:
    # Orthanc answers a non-numeric frame like a missing one: 404.
    if not text.isdigit():
        raise OrthancError(ErrorCode.INEXISTENT_ITEM, f"Bad frame number: {text}")
    return int(text)


def _wants_jpeg(request: Request) -> bool:
    """JPEG when the client names image/jpeg before image/png in Accept (PNG otherwise)."""
    accept = http.header(request, "Accept").lower()
    jpeg, png = accept.find("image/jpeg"), accept.find("image/png")
    return jpeg >= 0 and (png < 0 or jpeg < png)


def _quality(request: Request) -> int:
    text = http.query_params(request).get("quality", str(DEFAULT_QUALITY))
    if not text.isdigit() or not 1 <= int(text) <= 100:
        raise bad_request('Option "quality" must be an integer between 1 and 100')
    return int(text)


def image(kind: str, request: Request, id: str, frame: str = "0") -> Any:
    index = _frame_index(frame)
    quality = _quality(request) if _wants_jpeg(request) else None
    dataset = bootstrap.content().dataset(id)
    array, inverted = pixels.decode_frame(dataset, index)
    dtype = KINDS[kind]
    if dtype is None:
        array = pixels.preview(array, inverted)
    elif array.ndim == 3:
        # As Orthanc: image-uint8/uint16/int16 are for grey images only.
        raise pixels.undecodable(f"A colour image has no {kind} rendering")
    else:
        array = pixels.cropped(array, dtype)
    if quality is not None and array.dtype.name == "uint8":
        return http.binary_response(pixels.jpeg(array, quality), "image/jpeg")
    return http.binary_response(pixels.png(array), "image/png")


routes.add("/instances/{id}/frames", GET=list_frames)
for _kind in KINDS:
    routes.add(f"/instances/{{id}}/{_kind}", GET=partial(image, _kind))
    routes.add(f"/instances/{{id}}/frames/{{frame}}/{_kind}", GET=partial(image, _kind))
