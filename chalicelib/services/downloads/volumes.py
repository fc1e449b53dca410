"""Series as ordered slices and NumPy arrays (``/series/{id}/ordered-slices``, the ``numpy``
routes). The order comes from the index (one Query for the series' links, one BatchGetItem per
100 instances, no file read); arrays are answered as ``.npy`` (or ``.npz``) chunks, reading and
decoding one file and one frame at a time, so that the whole array is never in memory (the
chunks go to S3 part by part once past the download threshold: large_downloads.py).

What one frame and one file need is checked against the function's memory before anything is
read or decoded; the index gives the files' sizes, the first file the frames' geometry."""

from __future__ import annotations

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
    from pydicom.dataset import Dataset

    from chalicelib.model import Resource

# What a warm API function holds before an array answer starts: the interpreter, boto3,
# pydicom, numpy and the codecs (about 70 MB measured locally), Lambda's runtime, and room.
RUNTIME_RESERVE = 192 * 1024 * 1024
# The parts of the multipart upload past the threshold (storage/transfers.py's default).
UPLOAD_PART = 8 * 1024 * 1024


def memory_for_arrays(function_memory: int, threshold: int) -> int:
    """What one array answer may hold, in bytes: the function's memory less the runtime and
    the download's buffers (under the threshold: the body, its copy and its base64 form;
    above: the part being filled, its copy and the request carrying it)."""
    return function_memory - RUNTIME_RESERVE - 3 * max(threshold, UPLOAD_PART)


class VolumeService:
    def __init__(
        self,
        index: ResourceIndex,
        browse: BrowseService,
        content: ContentService,
        memory: int,
    ) -> None:
        self._index = index
        self._browse = browse
        self._content = content
        # Bytes an answer may hold while it is built (memory_for_arrays).
        self._memory = memory

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

    def series_npy(self, series_id: str, rescale: bool, compress: bool) -> Iterator[bytes]:
        """Every frame of the series in slice order, (frames, rows, columns, channels), as
        ``.npy`` chunks. Each instance gives as many frames as ordered-slices lists (its
        NumberOfFrames main tag), as in Orthanc."""
        _, ordered, records = self._ordered(series_id)
        files = [records[one.instance_id] for one in ordered]
        largest = max(record.file_size for record in files)
        volumes.check_memory(largest, 0, self._memory)
        pending = [self._content.dataset_of(files[0])]  # dropped once its frames are out
        shape = volumes.frame_shape(pending[0])
        volumes.check_memory(largest, volumes.frame_memory(pending[0], rescale), self._memory)

        def frames() -> Iterator[tuple[np.ndarray, str]]:
            for one, record in zip(ordered, files, strict=True):
                dataset = pending.pop() if pending else self._content.dataset_of(record)
                yield from volumes.instance_frames(dataset, rescale, one.frames)

        count = sum(one.frames for one in ordered)
        return _packed(volumes.npy_chunks(frames(), count, shape), compress)

    def instance_npy(
        self, instance_id: str, frame: int | None, rescale: bool, compress: bool
    ) -> Iterator[bytes]:
        """Every frame of the instance (4 dimensions), or frame ``frame`` (3 dimensions), as
        ``.npy`` chunks."""
        record = self._content.instance(instance_id)
        volumes.check_memory(record.file_size, 0, self._memory)
        dataset = self._content.dataset_of(record)
        count = pixels.frame_count(dataset)
        if frame is not None and not 0 <= frame < count:
            raise OrthancError(
                ErrorCode.PARAMETER_OUT_OF_RANGE, f"No frame {frame} in this instance"
            )
        shape = volumes.frame_shape(dataset)
        volumes.check_memory(record.file_size, volumes.frame_memory(dataset, rescale), self._memory)
        if frame is None:
            chunks = volumes.npy_chunks(volumes.instance_frames(dataset, rescale), count, shape)
        else:
            chunks = volumes.npy_chunks(_one_frame(dataset, frame, rescale), 1, shape, False)
        return _packed(chunks, compress)


def _one_frame(dataset: Dataset, index: int, rescale: bool) -> Iterator[tuple[np.ndarray, str]]:
    yield volumes.frame(dataset, index, rescale)


def _packed(npy: Iterator[bytes], compress: bool) -> Iterator[bytes]:
    """The ``.npz`` of the ``.npy`` chunks with ``?compress``, else the chunks themselves."""
    return volumes.npz_chunks(npy) if compress else npy
