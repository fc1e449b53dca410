"""Pixel data as NumPy arrays for scripts and AI pipelines: ``/instances/{id}/numpy``,
``/instances/{id}/frames/{n}/numpy``, ``/series/{id}/numpy`` (``?compress``, ``?rescale``),
and ``/series/{id}/ordered-slices``. numpy is imported by the services, not here; the arrays
come as chunks, which go to S3 as they come once past the download threshold."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from chalice import Blueprint
from chalice.app import Request

from chalicelib import bootstrap
from chalicelib.api import http
from chalicelib.api.routing import RouteTable
from chalicelib.errors import ErrorCode, OrthancError

_UNSIGNED = re.compile(r"\+?([0-9]+)")
blueprint = Blueprint(__name__)
routes = RouteTable(blueprint)


def _options(request: Request) -> tuple[bool, bool]:
    """(compress, rescale), checked before anything is read, as Orthanc does."""
    params = http.query_params(request)
    rescale = http.flag(params, "rescale") if "rescale" in params else True
    return http.flag(params, "compress"), rescale


def _answer(request: Request, chunks: Iterator[bytes], name: str, compress: bool) -> Any:
    """The .npy (or .npz with ``?compress``) chunks; through S3 when they are large."""
    filename = f"{name}.npz" if compress else f"{name}.npy"
    download = bootstrap.downloads().generated(chunks, "application/octet-stream", filename)
    return http.download_response(request, download)


def _frame_number(text: str) -> int:
    """An unsigned 32-bit integer as Orthanc parses it (spaces and a leading + allowed)."""
    match = _UNSIGNED.fullmatch(text.strip(" "))
    if match is None or int(match.group(1)) >= 2**32:
        raise OrthancError(
            ErrorCode.PARAMETER_OUT_OF_RANGE,
            'Expected an unsigned integer for the "frame" argument',
        )
    return int(match.group(1))


def instance_numpy(request: Request, id: str, frame: str | None = None) -> Any:
    compress, rescale = _options(request)
    index = None if frame is None else _frame_number(frame)
    chunks = bootstrap.volumes().instance_npy(id, index, rescale, compress)
    return _answer(request, chunks, id, compress)


def series_numpy(request: Request, id: str) -> Any:
    compress, rescale = _options(request)
    return _answer(request, bootstrap.volumes().series_npy(id, rescale, compress), id, compress)


def ordered_slices(request: Request, id: str) -> Any:
    return bootstrap.volumes().ordered_slices(id)


routes.add("/instances/{id}/numpy", GET=instance_numpy)
routes.add("/instances/{id}/frames/{frame}/numpy", GET=instance_numpy)
routes.add("/series/{id}/numpy", GET=series_numpy)
routes.add("/series/{id}/ordered-slices", GET=ordered_slices)
