"""Series as ordered slices and NumPy arrays (``/series/{id}/ordered-slices``, the ``numpy``
routes). The order comes from the index (one Query for the series' links, one BatchGetItem per
100 instances, no file read); arrays read and decode one file at a time into one array
allocated once."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import TYPE_CHECKING

from chalicelib.dicom import pixels, slices, volumes
from chalicelib.dicom.identifiers import Level
from chalicelib.errors import ErrorCode, OrthancError, unknown_resource
from chalicelib.services.resources.browse import BrowseService
from chalicelib.services.resources.content import ContentService
from chalicelib.storage.index import ResourceIndex

if TYPE_CHECKING:
    import numpy as np

    from chalicelib.model import Resource


class VolumeService:
    def __init__(
        self, index: ResourceIndex, browse: BrowseService, content: ContentService
    ) -> None:
        self._index = index
        self._browse = browse
        self._content = content

    def _ordered(self, series_id: str) -> tuple[str, list[slices.SliceSource], dict[str, Resource]]:
        series, links = self._browse.load(Level.SERIES, series_id)
        records = self._index.get_many(link.child for link in links)
        sources = [
            slices.source(i, r.main_tags, r.metadata.get("IndexInSeries"))
            for i, r in sorted(records.items())
        ]
        if not sources:
            raise unknown_resource()
        normal = slices.normal(series.main_tags.get("ImageOrientationPatient"))
        kind, ordered = slices.order(series_id, normal, sources)
        return kind, ordered, records

    def ordered_slices(self, series_id: str) -> dict[str, object]:
        kind, ordered, _ = self._ordered(series_id)
        return slices.ordered_slices_json(kind, ordered)

    def series_array(self, series_id: str, rescale: bool) -> np.ndarray:
        """Every frame of the series in slice order: (frames, rows, columns, channels). Each
        instance gives as many frames as ordered-slices lists (its NumberOfFrames main tag),
        as in Orthanc."""
        _, ordered, records = self._ordered(series_id)
        datasets = (self._content.dataset_of(records[one.instance_id]) for one in ordered)
        first = next(datasets)
        shape = volumes.frame_shape(first)
        count = sum(s.frames for s in ordered)
        volumes.check_size(count, shape)

        def frames() -> Iterator[tuple[np.ndarray, str]]:
            for one, dataset in zip(ordered, itertools.chain([first], datasets), strict=True):
                yield from volumes.instance_frames(dataset, rescale, one.frames)

        return volumes.stack(frames(), count, shape)

    def instance_array(self, instance_id: str, frame: int | None, rescale: bool) -> np.ndarray:
        """Every frame of the instance (4 dimensions), or frame ``frame`` (3 dimensions)."""
        dataset = self._content.dataset(instance_id)
        count = pixels.frame_count(dataset)
        if frame is not None:
            if not 0 <= frame < count:
                raise OrthancError(
                    ErrorCode.PARAMETER_OUT_OF_RANGE, f"No frame {frame} in this instance"
                )
            return volumes.frame(dataset, frame, rescale)[0]
        shape = volumes.frame_shape(dataset)
        volumes.check_size(count, shape)
        return volumes.stack(volumes.instance_frames(dataset, rescale), count, shape)
