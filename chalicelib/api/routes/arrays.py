"""Pixel data as NumPy arrays for scripts and AI pipelines: ``/instances/{id}/numpy``,
``/instances/{id}/frames/{n}/numpy``, ``/series/{id}/numpy`` (``?compress``, ``?rescale``),
and ``/series/{id}/ordered-slices``. numpy is imported by the services, not here."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint
from chalice.app import Request

from chalicelib import bootstrap
from chalicelib.api import http
from chalicelib.api.routing import RouteTable
from chalicelib.errors import ErrorCode, OrthancError

blueprint = Blueprint(__name__)
routes = RouteTable(blueprint)


def _answer(request: Request, array: Any, name: str) -> Any:
    """The array as .npy (or .npz with ``?compress``); through S3 when it is large."""
    from chalicelib.dicom.volumes import serialize

    params = http.query_params(request)
    compress = http.flag(params, "compress")
    data = serialize(array, compress)
    filename = f"{name}.npz" if compress else f"{name}.npy"
    download = bootstrap.downloads().generated([data], "application/octet-stream", filename)
    return http.download_response(request, download)


def _rescale(request: Request) -> bool:
    params = http.query_params(request)
    return http.flag(params, "rescale") if "rescale" in params else True


def instance_numpy(request: Request, id: str, frame: str | None = None) -> Any:
    index = None
    if frame is not None:
        if not frame.isdigit():
            raise OrthancError(ErrorCode.PARAMETER_OUT_OF_RANGE, f"Bad frame number: {frame}")
        index = int(frame)
    array = bootstrap.volumes().instance_array(id, index, _rescale(request))
    return _answer(request, array, id)


def series_numpy(request: Request, id: str) -> Any:
    return _answer(request, bootstrap.volumes().series_array(id, _rescale(request)), id)


def ordered_slices(request: Request, id: str) -> Any:
    return bootstrap.volumes().ordered_slices(id)


routes.add("/instances/{id}/numpy", GET=instance_numpy)
routes.add("/instances/{id}/frames/{frame}/numpy", GET=instance_numpy)
routes.add("/series/{id}/numpy", GET=series_numpy)
routes.add("/series/{id}/ordered-slices", GET=ordered_slices)
