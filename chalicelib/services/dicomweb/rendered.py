"""Rendered images of DICOMweb: WADO-RS ``/rendered`` and ``/thumbnail`` (PS3.18 10.4.1.1.3,
8.3.5.1) of a study, a series, an instance or a frame, and WADO-URI's images (PS3.18 9).

As Orthanc's DICOMweb plugin 1.7: a study or a series is rendered as the first frame of its
first instance by Orthanc ID; WADO-RS renders with ``rendering.render_web`` (viewport, window,
else the whole dynamic range), WADO-URI as Orthanc's own ``/instances/{id}/rendered`` does
(the file's window), which is what the plugin answers it with.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from chalicelib.dicom import pixels, rendering
from chalicelib.dicom.identifiers import Level
from chalicelib.errors import ErrorCode, OrthancError
from chalicelib.model import ChildLink
from chalicelib.services.dicomweb.frames import FrameService, InstanceFile
from chalicelib.services.dicomweb.retrieve import WadoResources, unknown
from chalicelib.services.resources.browse import BrowseService

if TYPE_CHECKING:
    import numpy as np

JPEG, PNG, GIF = "image/jpeg", "image/png", "image/gif"
FORMATS = (JPEG, PNG, GIF)


@dataclass(frozen=True)
class ImageRequest:
    """What to render: a frame (from 1), in which format and JPEG quality."""

    frame: int = 1
    media_type: str = JPEG
    quality: int = 90


class RenderedService:
    def __init__(
        self, resources: WadoResources, frames: FrameService, browse: BrowseService
    ) -> None:
        self._resources = resources
        self._frames = frames
        self._browse = browse

    # -- which instance -----------------------------------------------------------------------

    def instance(self, study_uid: str, series_uid: str, sop_uid: str) -> InstanceFile:
        return self._frames.instance_file(study_uid, series_uid, sop_uid)

    def first_of_series(self, study_uid: str, series_uid: str) -> InstanceFile:
        """The series' instance with the smallest Orthanc ID (the plugin's pick): a ByUid
        Query, a Query of the series, a GetItem of its study, a GetObject."""
        located = self._resources.series(study_uid, series_uid)
        return self._first(located.links, Level.SERIES, series_uid)

    def first_of_study(self, study_uid: str) -> InstanceFile:
        """The study's instance with the smallest Orthanc ID: a ByUid Query, a Query of the
        study and one per series, a GetObject."""
        located = self._resources.study(study_uid)
        walked = self._browse.walk(located.resource, located.links)
        return self._first(walked.get(Level.INSTANCE, []), Level.STUDY, study_uid)

    def _first(self, links: list[ChildLink], level: Level, uid: str) -> InstanceFile:
        if not links:
            raise unknown(level, uid)
        first = min(links, key=lambda link: link.child)
        return self._frames.read(first.child, first.blob_key)

    # -- rendering ----------------------------------------------------------------------------

    def render(
        self,
        instance: InstanceFile,
        request: ImageRequest,
        options: rendering.WebRendering | rendering.RenderOptions,
    ) -> bytes:
        """One frame rendered as the options' kind says: WADO-RS's (``WebRendering``) or
        WADO-URI's, which is Orthanc's ``/rendered`` (``RenderOptions``: the file's window)."""
        array, inverted = self._decoded(instance, request.frame)
        index = request.frame - 1
        if isinstance(options, rendering.WebRendering):
            image = rendering.render_web(array, instance.dataset, index, options, inverted)
        else:
            image = rendering.render(array, instance.dataset, index, options, inverted)
        return encoded(image, request)

    @staticmethod
    def _decoded(instance: InstanceFile, frame: int) -> tuple[np.ndarray, bool]:
        if not 1 <= frame <= pixels.frame_count(instance.dataset):
            # The plugin's 400, where Orthanc's own /frames/{n}/rendered answers 404.
            raise OrthancError(ErrorCode.PARAMETER_OUT_OF_RANGE, f"Inexistent frame: {frame}")
        array, inverted = pixels.decode_frame(instance.dataset, frame - 1)
        if array.ndim == 3:
            array = pixels.colour_as_8_bits(array, instance.dataset)
        return array, inverted


def encoded(image: np.ndarray, request: ImageRequest) -> bytes:
    if request.media_type == PNG:
        return pixels.png(image)
    if request.media_type == GIF:
        return pixels.gif(image)
    return pixels.jpeg(image, request.quality)
