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
# What GET /instances/{id}/frames/{n} lists: the routes under a frame, as Orthanc lists them.
FRAME_ROUTES = sorted([*KINDS, "matlab", "numpy", "raw", "raw.gz"])
PNG, JPEG, PAM = "image/png", "image/jpeg", "image/x-portable-arbitrarymap"
# Orthanc's registration order, which breaks ties in the content negotiation.
FORMATS = (PNG, JPEG, PAM)
PDF, PDF_STORAGE = "application/pdf", "1.2.840.10008.5.1.4.1.1.104.1"
PAD_BYTES = (b"\x00", b" ")


def list_frames(request: Request, id: str) -> Any:
    dataset = bootstrap.content().dataset(id)
    return list(range(pixels.listed_frames(dataset)))


def frame_routes(request: Request, id: str, frame: str) -> Any:
    # As Orthanc 1.10.1, a plain listing of the node: neither the instance nor the frame is
    # looked up.
    return FRAME_ROUTES


def _frame_index(text: str) -> int:
    """The frame number; a negative one is kept (it is out of range, which is 404 for an
    image and 400 for a raw frame, as in Orthanc); a non-numeric one is 404."""
    digits = text.removeprefix("-")
    if not (digits.isascii() and digits.isdigit()):
        raise OrthancError(ErrorCode.INEXISTENT_ITEM, f"Bad frame number: {text}")
    return int(text)


def _quality_of(parameter: str) -> float:
    value = parameter.partition("=")[2].strip().strip('"')
    try:
        quality = float(value)
    except ValueError:
        quality = -1.0
    if not 0.0 <= quality <= 1.0:
        raise bad_request(f"Quality parameter out of range in Accept: {value}")
    return quality


def _format(request: Request) -> str:
    """The answer's type by Orthanc's content negotiation: over the media ranges of Accept
    (``*/*`` when absent; case-sensitive), a more specific range wins over a wildcard
    whatever its ``q``, then the higher ``q``; ties go to the earlier range, then to PNG,
    JPEG, PAM in that order. Nothing acceptable is 404, as in Orthanc."""
    accept = request.headers.get("accept", "*/*")
    best: tuple[int, float, str] | None = None
    for media_range in accept.split(","):
        kind, *parameters = media_range.split(";")
        major, slash, minor = (part.strip() for part in kind.partition("/"))
        quality = next(
            (_quality_of(p) for p in parameters if p.partition("=")[0].strip() == "q" and "=" in p),
            1.0,
        )
        level = 0 if major == minor == "*" else 1 if minor == "*" else 2
        for output in FORMATS if slash else ():
            matches = (major, minor) in (("*", "*"), (output.split("/")[0], "*"))
            if (matches or output == f"{major}/{minor}") and (
                best is None or (level, quality) > best[:2]
            ):
                best = (level, quality, output)
    if best is None:
        raise OrthancError(ErrorCode.INEXISTENT_ITEM, f"No image format matches Accept: {accept}")
    return best[2]


def _quality(request: Request) -> int:
    """``?quality=`` of a JPEG answer; checked whatever the answer's format, as Orthanc does."""
    text = http.query_params(request).get("quality", str(DEFAULT_QUALITY))
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= 100:
        raise bad_request('Option "quality" must be an integer between 1 and 100')
    return int(text)


def image(kind: str, request: Request, id: str, frame: str = "0") -> Any:
    index = _frame_index(frame)
    quality = _quality(request)
    output = _format(request)
    if kind == "rendered":
        from chalicelib.dicom import rendering

        params = http.query_params(request)
        options = rendering.parse_options(params, http.flag(params, "smooth"))
    dataset = bootstrap.content().dataset(id)
    array, inverted = pixels.decode_frame(dataset, index)
    dtype = KINDS[kind]
    if array.ndim == 3 and dtype is not None:
        # As Orthanc: image-uint8/uint16/int16 are for grey images only.
        raise pixels.undecodable(f"A colour image has no {kind} rendering")
    if array.ndim == 3:
        array = pixels.colour_as_8_bits(array, dataset)
    if kind == "preview":
        array = pixels.preview(array, inverted)
    elif kind == "rendered":
        array = rendering.render(array, dataset, index, options, inverted)
    else:
        array = pixels.cropped(array, dtype)
    if output == PAM:
        return http.binary_response(pixels.pam(array), PAM)
    if output == JPEG:
        if array.dtype.name != "uint8":
            # Orthanc answers 404 when the negotiated JPEG cannot hold 16-bit values.
            raise OrthancError(ErrorCode.INEXISTENT_ITEM, f"No JPEG rendering of {kind}")
        return http.binary_response(pixels.jpeg(array, quality), JPEG)
    return http.binary_response(pixels.png(array), PNG)


def raw(compressed: bool, request: Request, id: str, frame: str) -> Any:
    """The frame's stored bytes (an embedded video stays a video); raw.gz gzips them."""
    index = _frame_index(frame)  # a non-numeric frame is 404, a missing one 400 (as Orthanc)
    data, content_type = pixels.raw_frame(bootstrap.content().dataset(id), index)
    if compressed:
        data, content_type = gzip.compress(data, mtime=0), "application/gzip"
    download = bootstrap.downloads().generated([data], content_type, f"{id}-{frame}")
    return http.download_response(request, download)


def pdf(request: Request, id: str) -> Any:
    """The document of an Encapsulated PDF instance (SOP class and MIME type both PDF, as
    Orthanc requires); 404 for any other instance."""
    dataset = bootstrap.content().dataset(id)
    document = dataset.get("EncapsulatedDocument")
    mime = str(dataset.get("MIMETypeOfEncapsulatedDocument", "")).strip()
    if str(dataset.get("SOPClassUID", "")) != PDF_STORAGE or mime != PDF or not document:
        raise OrthancError(ErrorCode.INEXISTENT_ITEM, "This instance is not an encapsulated PDF")
    data = bytes(document)
    if data[-1:] in PAD_BYTES:
        # The byte DICOM adds to an odd-length document. Orthanc strips any last byte that
        # is not CR or LF, even the "F" of an even-length "%%EOF"; Cirrus only a pad byte.
        data = data[:-1]
    download = bootstrap.downloads().generated([data], PDF, f"{id}.pdf")
    return http.download_response(request, download)


routes.add("/instances/{id}/frames", GET=list_frames)
routes.add("/instances/{id}/frames/{frame}", GET=frame_routes)
routes.add("/instances/{id}/pdf", GET=pdf)
for _kind in KINDS:
    routes.add(f"/instances/{{id}}/{_kind}", GET=partial(image, _kind))
    routes.add(f"/instances/{{id}}/frames/{{frame}}/{_kind}", GET=partial(image, _kind))
routes.add("/instances/{id}/frames/{frame}/raw", GET=partial(raw, False))
routes.add("/instances/{id}/frames/{frame}/raw.gz", GET=partial(raw, True))
