"""``/instances/{id}/matlab`` and ``/instances/{id}/frames/{n}/matlab``: a decoded frame as
an Octave/MATLAB matrix (text to ``eval``). numpy and the decoders are imported when called."""

from __future__ import annotations

import re
from typing import Any

from chalice import Blueprint
from chalice.app import Request

from chalicelib import bootstrap
from chalicelib.api import http
from chalicelib.api.routing import RouteTable
from chalicelib.errors import ErrorCode, OrthancError

blueprint = Blueprint(__name__)
routes = RouteTable(blueprint)

_NUMBER = re.compile(r"[+-]?[0-9]+")
_UNSIGNED_RANGE = 2**32


def _frame_index(text: str) -> int:
    """The frame as Orthanc reads it (an unsigned 32-bit integer: ``+1`` and ``01`` are 1,
    ``-1`` wraps around and is out of range); anything else, an overflow included, is an
    empty 404 in Orthanc."""
    number = int(text) if _NUMBER.fullmatch(text) else None
    if number is None or not -_UNSIGNED_RANGE < number < _UNSIGNED_RANGE:
        raise OrthancError(ErrorCode.INEXISTENT_ITEM, f"Bad frame number: {text}")
    return number % _UNSIGNED_RANGE


def matlab(request: Request, id: str, frame: str = "0") -> Any:
    from chalicelib.dicom import pixels
    from chalicelib.dicom.matlab import matlab_text

    index = _frame_index(frame)
    dataset = bootstrap.content().dataset(id)
    if index >= pixels.frame_count(dataset):
        # Orthanc's error depends on its decoder: DCMTK's for an encapsulated file.
        encapsulated = dataset.file_meta.TransferSyntaxUID.is_encapsulated
        code = ErrorCode.BAD_FILE_FORMAT if encapsulated else ErrorCode.PARAMETER_OUT_OF_RANGE
        raise OrthancError(code, f"No frame {index} in {id}")
    array, _ = pixels.decode_frame(dataset, index)
    if array.ndim == 3:
        # Orthanc 1.10.1 decodes 8-bit colour only; Cirrus shows deeper colour in 8 bits, as
        # its previews do.
        array = pixels.colour_as_8_bits(array, dataset)
    text = matlab_text(array).encode()
    download = bootstrap.downloads().generated([text], "text/plain", f"{id}.m")
    return http.generated_text_response(request, download)


routes.add("/instances/{id}/matlab", GET=matlab)
routes.add("/instances/{id}/frames/{frame}/matlab", GET=matlab)
