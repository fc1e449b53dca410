"""WADO-RS RetrieveFrames (PS3.18 10.4.1.1.4): frames of one instance, each a part of a
``multipart/related`` answer.

The instance is resolved as every WADO-RS URL is (``retrieve.WadoResources``), then its file
is read with one GetObject and parsed once for all the frames asked. Which bytes each part
holds is ``frame_media``'s choice from ``Accept``: the stored frame (``transfer-syntax=*``,
what OHIF asks for: no decoding, the fragments of an encapsulated frame joined), the frame
decoded to uncompressed little endian (the default), or, when a client names another
compressed syntax, the frame of the file transcoded to it (406 when it cannot be).

Frames are numbered from 1 in URLs; a number beyond the instance's frames is the plugin's 400
(checked before anything is decoded), as is 0.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from chalicelib.dicom import frame_media, pixels
from chalicelib.errors import ErrorCode, OrthancError
from chalicelib.services.dicomweb.retrieve import WadoResources
from chalicelib.storage.blobs import BlobStore

if TYPE_CHECKING:
    from pydicom.dataset import Dataset


@dataclass(frozen=True)
class InstanceFile:
    """An instance a DICOMweb URL names: its Orthanc ID, its file and the file parsed."""

    instance_id: str
    data: bytes
    dataset: Dataset


def parsed(data: bytes) -> Dataset:
    import pydicom

    return pydicom.dcmread(io.BytesIO(data), force=True)


@dataclass(frozen=True)
class FrameAnswer:
    """The frames to send, in the order asked, as one media type and transfer syntax."""

    target: frame_media.FrameTarget
    frames: Iterable[bytes]


class FrameService:
    def __init__(self, resources: WadoResources, blobs: BlobStore) -> None:
        self._resources = resources
        self._blobs = blobs

    def instance_file(self, study_uid: str, series_uid: str, sop_uid: str) -> InstanceFile:
        """The instance's file: a ByUid Query, a GetItem, a BatchGetItem (its series and
        study, checked against the URL), a GetObject."""
        resource = self._resources.instance(study_uid, series_uid, sop_uid)
        return self.read(resource.id, resource.blob_key)

    def read(self, instance_id: str, blob_key: str) -> InstanceFile:
        """An instance's file, read (a GetObject) and parsed."""
        data = self._blobs.get(blob_key)
        return InstanceFile(instance_id, data, parsed(data))

    def frames(
        self,
        study_uid: str,
        series_uid: str,
        sop_uid: str,
        numbers: Sequence[int],
        asked: Sequence[tuple[str, str | None]],
    ) -> FrameAnswer:
        """Frames ``numbers`` (from 1) in the most preferred form of ``asked`` (see
        ``frame_media.candidates``) that this instance can be answered in."""
        instance = self.instance_file(study_uid, series_uid, sop_uid)
        dataset = instance.dataset
        count = pixels.frame_count(dataset)
        for number in numbers:
            if number > count:
                raise OrthancError(
                    ErrorCode.PARAMETER_OUT_OF_RANGE,
                    f"Frame {number} is out of range: the instance has {count} frame(s)",
                )
        stored = str(dataset.file_meta.get("TransferSyntaxUID", frame_media.EXPLICIT_LE))
        for target in frame_media.candidates(asked, stored):
            if target.stored:
                return FrameAnswer(target, _stored_frames(dataset, numbers))
            if target.syntax in frame_media.UNCOMPRESSED:
                return FrameAnswer(target, _decoded_frames(dataset, numbers))
            transcoded = _transcoded(instance.data, target.syntax)
            if transcoded is not None:
                return FrameAnswer(target, _stored_frames(transcoded, numbers))
        raise OrthancError(
            ErrorCode.NOT_ACCEPTABLE,
            f"The frames of this instance ({stored}) cannot be answered as the Accept header asks",
        )


def _stored_frames(dataset: Dataset, numbers: Sequence[int]) -> Iterator[bytes]:
    for number in numbers:
        yield pixels.raw_frame(dataset, number - 1)[0]


def _decoded_frames(dataset: Dataset, numbers: Sequence[int]) -> Iterator[bytes]:
    """Decoded one at a time while the answer is written, so that a long multi-frame list
    holds one decoded frame in memory beside the answer."""
    for number in numbers:
        yield pixels.native_frame(dataset, number - 1)


def _transcoded(data: bytes, syntax: str) -> Dataset | None:
    from chalicelib.dicom.transcoding import transcode

    converted = transcode(data, syntax)
    return None if converted is None else parsed(converted)
