"""Decoded images of an instance: ``/frames``, ``preview``, ``rendered``,
``image-uint8/uint16/int16``, and the undecoded ``raw``/``raw.gz`` frame, for the first frame
or under ``/frames/{n}``; and ``/pdf``. The pixel work is in chalicelib/dicom/pixels.py and
rendering.py, which import numpy, pillow and the decoders only when one of these routes is
called."""

from __future__ import annotations

import gzip
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
# Kind of image -> numpy type of its cropped values (None: an 8-bit rendering).
KINDS: dict[str, str | None] = {
    "preview": None,
    "rendered": None,
    "image-uint8": "uint8",
    "image-uint16": "uint16",
    "image-int16": "int16",
}
# What GET /instances/{id}/frames/{n} lists (Orthanc also lists "matlab", not served here).
FRAME_ROUTES = sorted([*KINDS, "numpy", "raw", "raw.gz"])
PNG, JPEG, PAM = "image/png", "image/jpeg", "image/x-portable-arbitrarymap"
PDF_STORAGE = "1.2.840.10008.5.1.4.1.1.104.1"


def list_frames(request: Request, id: str) -> Any:
    dataset = bootstrap.content().dataset(id)
    return list(range(pixels.frame_count(dataset)))


def frame_routes(request: Request, id: str, frame: str) -> Any:
    bootstrap.content().instance(id)  # 404 for an unknown instance
    return FRAME_ROUTES


def _frame_index(text: str) -> int:
    # Orthanc answers a non-numeric frame like a missing one: 404.
    if not text.isdigit():
        raise OrthancError(ErrorCode.INEXISTENT_ITEM, f"Bad frame number: {text}")
    return int(text)


def _format(request: Request) -> str:
    """The first of PNG, JPEG and PAM that Accept names (PNG when it names none)."""
    accept = http.header(request, "Accept").lower()
    named = [(accept.find(kind), kind) for kind in (PNG, JPEG, PAM) if kind in accept]
    return min(named)[1] if named else PNG


def _quality(request: Request) -> int:
    text = http.query_params(request).get("quality", str(DEFAULT_QUALITY))
    if not text.isdigit() or not 1 <= int(text) <= 100:
        raise bad_request('Option "quality" must be an integer between 1 and 100')
    return int(text)


def image(kind: str, request: Request, id: str, frame: str = "0") -> Any:
    index = _frame_index(frame)
    output = _format(request)
    quality = _quality(request) if output == JPEG else DEFAULT_QUALITY
    if kind == "rendered":
        from chalicelib.dicom import rendering

        params = http.query_params(request)
        options = rendering.parse_options(params, http.flag(params, "smooth"))
    dataset = bootstrap.content().dataset(id)
    array, inverted = pixels.decode_frame(dataset, index)
    dtype = KINDS[kind]
    if kind == "preview":
        array = pixels.preview(array, inverted)
    elif kind == "rendered":
        array = rendering.resized(rendering.windowed(array, dataset, options, inverted), options)
    elif array.ndim == 3:
        # As Orthanc: image-uint8/uint16/int16 are for grey images only.
        raise pixels.undecodable(f"A colour image has no {kind} rendering")
    else:
        array = pixels.cropped(array, dtype)
    if output == PAM:
        return http.binary_response(pixels.pam(array), PAM)
    if output == JPEG and array.dtype.name == "uint8":
        return http.binary_response(pixels.jpeg(array, quality), JPEG)
    return http.binary_response(pixels.png(array), PNG)


def raw(compressed: bool, request: Request, id: str, frame: str) -> Any:
    """The frame's stored bytes (an embedded video stays a video); raw.gz gzips them."""
    if not frame.isdigit():
        raise OrthancError(ErrorCode.PARAMETER_OUT_OF_RANGE, f"Bad frame number: {frame}")
    data, content_type = pixels.raw_frame(bootstrap.content().dataset(id), int(frame))
    if compressed:
        data, content_type = gzip.compress(data, mtime=0), "application/gzip"
    download = bootstrap.downloads().generated([data], content_type, f"{id}-{frame}")
    return http.download_response(request, download)


def pdf(request: Request, id: str) -> Any:
    """The document of an Encapsulated PDF instance; 404 for any other instance."""
    dataset = bootstrap.content().dataset(id)
    document = dataset.get("EncapsulatedDocument")
    if str(dataset.get("SOPClassUID", "")) != PDF_STORAGE or not document:
        raise OrthancError(ErrorCode.INEXISTENT_ITEM, "This instance is not an encapsulated PDF")
    data = bytes(document)
    if len(data) % 2 == 0 and data.endswith(b"\x00"):
        data = data[:-1]  # the padding byte DICOM adds to an odd-length document
    download = bootstrap.downloads().generated([data], "application/pdf", f"{id}.pdf")
    return http.download_response(request, download)


routes.add("/instances/{id}/frames", GET=list_frames)
routes.add("/instances/{id}/frames/{frame}", GET=frame_routes)
routes.add("/instances/{id}/pdf", GET=pdf)
for _kind in KINDS:
    routes.add(f"/instances/{{id}}/{_kind}", GET=partial(image, _kind))
    routes.add(f"/instances/{{id}}/frames/{{frame}}/{_kind}", GET=partial(image, _kind))
routes.add("/instances/{id}/frames/{frame}/raw", GET=partial(raw, False))
routes.add("/instances/{id}/frames/{frame}/raw.gz", GET=partial(raw, True))
