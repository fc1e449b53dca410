"""WADO-RS frames and rendered images (PS3.18 10.4.1.1.3-4) under ``/dicom-web``:
``.../instances/{instance}/frames/{list}``, ``/rendered`` of a study, a series, an instance
and a frame, and ``/thumbnail`` at the same four places.

Frames are a ``multipart/related`` answer (through S3 with a 307 past
``LargeObjectThreshold``); rendered images one JPEG, PNG or GIF. The work is in
chalicelib/services/dicomweb/frames.py and rendered.py, imported through bootstrap only when
a route runs (cold start).
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any

from chalice import Blueprint
from chalice.app import Request

from chalicelib import bootstrap
from chalicelib.api import dicomweb, http
from chalicelib.api.routing import RouteTable
from chalicelib.dicom.multipart_related import MULTIPART_RELATED, PartToSend
from chalicelib.errors import ErrorCode, OrthancError

if TYPE_CHECKING:
    from chalicelib.services.dicomweb.frames import InstanceFile
    from chalicelib.services.dicomweb.rendered import ImageRequest, RenderedService

blueprint = Blueprint(__name__)
routes = RouteTable(blueprint)

STUDY = f"{dicomweb.DICOMWEB_ROOT}/studies/{{study}}"
SERIES = f"{STUDY}/series/{{series}}"
INSTANCE = f"{SERIES}/instances/{{instance}}"
FRAMES = f"{INSTANCE}/frames/{{frames}}"
OCTET_STREAM = "application/octet-stream"
IMAGE_FORMATS = ("image/jpeg", "image/png", "image/gif")
DEFAULT_QUALITY = 90
# The viewport of a thumbnail when the client gives none (PS3.18 leaves its size to the
# server; later plugins render thumbnails as /rendered).
THUMBNAIL_VIEWPORT = "128,128"


# -- frames ---------------------------------------------------------------------------------


def frame_numbers(text: str) -> list[int]:
    """``1,3,5`` (``%2C`` too, as the plugin reads it): frame numbers from 1, repeats kept;
    400 for anything else, 0 included."""
    numbers = []
    for token in text.replace("%2C", ",").replace("%2c", ",").split(","):
        token = token.strip()
        if not (token.isascii() and token.lstrip("-").isdigit()):
            raise OrthancError(ErrorCode.BAD_REQUEST, f"Bad frame number: {token!r}")
        if int(token) <= 0:
            raise OrthancError(
                ErrorCode.PARAMETER_OUT_OF_RANGE, f"Invalid frame number (must be > 0): {token}"
            )
        numbers.append(int(token))
    return numbers


def asked_frames(accept: str) -> list[tuple[str, str | None]]:
    """The part type and ``transfer-syntax`` of each ``Accept`` range a frames answer can
    satisfy, most preferred first: ``*/*`` (``*``), and ``multipart/related`` (its ``type``,
    ``application/octet-stream`` when absent); 406 when there is none."""
    asked: list[tuple[str, str | None]] = []
    for media_range in dicomweb.accepted_ranges(accept):
        if media_range.media_type == "*/*":
            asked.append(("*", None))
        elif media_range.media_type in (MULTIPART_RELATED, "multipart/*"):
            asked.append((media_range.part_type or OCTET_STREAM, media_range.transfer_syntax))
    if not asked:
        raise dicomweb.not_acceptable(accept, (f'{MULTIPART_RELATED}; type="{OCTET_STREAM}"',))
    return asked


def frames(request: Request, study: str, series: str, instance: str, frames: str) -> Any:
    numbers = frame_numbers(frames)
    asked = asked_frames(http.header(request, "accept"))
    answer = bootstrap.wado_frames().frames(study, series, instance, numbers, asked)
    location = f"{dicomweb.base_url(request)}studies/{study}/series/{series}/instances/{instance}"
    target = answer.target
    parts = (
        PartToSend(target.content_type, data, location=f"{location}/frames/{number}")
        for number, data in zip(numbers, answer.frames, strict=True)
    )
    return dicomweb.related_response(
        request,
        bootstrap.downloads(),
        parts,
        target.media_type,
        f"{instance}.frames",
        transfer_syntax=target.syntax,
    )


# -- rendered and thumbnail -----------------------------------------------------------------


def _quality(params: dict[str, str]) -> int:
    text = params.get("quality", str(DEFAULT_QUALITY))
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= 100:
        raise OrthancError(
            ErrorCode.PARAMETER_OUT_OF_RANGE,
            f'The value of "quality" must be between 1 and 100, found: {text}',
        )
    return int(text)


def _rendered(
    thumbnail: bool,
    pick: Any,
    request: Request,
    frame: int = 1,
) -> Any:
    """Parses and checks everything before anything is read, then renders the instance
    ``pick(service)`` chooses."""
    from chalicelib.dicom import rendering
    from chalicelib.services.dicomweb.rendered import ImageRequest

    params = http.query_params(request)
    if thumbnail:
        params.setdefault("viewport", THUMBNAIL_VIEWPORT)
    options = rendering.parse_web_options(params)
    chosen = dicomweb.negotiate(http.header(request, "accept"), IMAGE_FORMATS)
    image_request: ImageRequest = ImageRequest(frame, chosen.offer, _quality(params))
    service: RenderedService = bootstrap.wado_rendered()
    instance: InstanceFile = pick(service)
    image = service.render(instance, image_request, options)
    http.whatever_accept(request)
    return http.binary_response(image, chosen.offer)


def study_rendered(thumbnail: bool, request: Request, study: str) -> Any:
    return _rendered(thumbnail, lambda s: s.first_of_study(study), request)


def series_rendered(thumbnail: bool, request: Request, study: str, series: str) -> Any:
    return _rendered(thumbnail, lambda s: s.first_of_series(study, series), request)


def instance_rendered(
    thumbnail: bool, request: Request, study: str, series: str, instance: str
) -> Any:
    return _rendered(thumbnail, lambda s: s.instance(study, series, instance), request)


def frame_rendered(
    thumbnail: bool, request: Request, study: str, series: str, instance: str, frames: str
) -> Any:
    numbers = frame_numbers(frames)
    if len(numbers) != 1:
        raise OrthancError(ErrorCode.BAD_REQUEST, f"One frame is rendered at a time, not {frames}")
    return _rendered(thumbnail, lambda s: s.instance(study, series, instance), request, numbers[0])


routes.add(FRAMES, GET=frames)
for _kind, _thumbnail in (("rendered", False), ("thumbnail", True)):
    routes.add(f"{STUDY}/{_kind}", GET=partial(study_rendered, _thumbnail))
    routes.add(f"{SERIES}/{_kind}", GET=partial(series_rendered, _thumbnail))
    routes.add(f"{INSTANCE}/{_kind}", GET=partial(instance_rendered, _thumbnail))
    routes.add(f"{FRAMES}/{_kind}", GET=partial(frame_rendered, _thumbnail))
