"""Sending resources to an Orthanc peer: the ``OrthancPeerStore`` job.

Submitted by ``POST /peers/{id}/store``. Each item is one instance (planned as every sending
job plans, ``chalicelib.services.jobs.sending``), read from S3 and sent with
``POST /instances`` to the peer. An instance a killed worker may have sent is looked up on the
peer (``GET /instances/{id}``: Orthanc IDs are the same on every server) before it is sent
again, so each instance reaches the peer once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from chalicelib.errors import RemoteError
from chalicelib.jobs.model import Job
from chalicelib.peer_client.client import PeerClient
from chalicelib.services.jobs.sending import ReadAhead, SendingKind, SendRequest
from chalicelib.services.peers.registry import PeerService
from chalicelib.services.resources.browse import BrowseService
from chalicelib.storage.blobs import BlobStore
from chalicelib.storage.index import ResourceIndex

KIND = "OrthancPeerStore"


@dataclass(frozen=True)
class PeerStoreOptions:
    """``Compress``: gzip each file on the way (``Content-Encoding``)."""

    compress: bool = False


class PeerStoreKind(SendingKind[PeerStoreOptions]):
    KIND = KIND

    def __init__(
        self, index: ResourceIndex, blobs: BlobStore, browse: BrowseService, peers: PeerService
    ) -> None:
        super().__init__(index, blobs, browse)
        self._peers = peers

    def params(self, destination: str, request: SendRequest[PeerStoreOptions]) -> dict[str, Any]:
        """The job's parameters (404 if the peer is unknown), with the peer as the job shows
        it (its URL and user, the password blanked), as it was when the job was submitted."""
        peer = self._peers.get(destination)
        return {
            "Peer": destination,
            "PeerShown": [peer.url, peer.username, ""] if peer.username else [peer.url],
            "Resources": request.resources,
            "Compress": request.options.compress,
            "Permissive": request.job.permissive,
        }

    def worker(self, job: Job) -> PeerSender:
        client = self._peers.connect(job.params["Peer"])
        return PeerSender(client, self._blobs, bool(job.params["Compress"]))

    def content(self, job: Job) -> dict[str, Any]:
        """Orthanc's ``Content``: ``Size`` counts the bytes sent so far (compressed ones when
        compressing), over every run of the job, as Orthanc does."""
        answer: dict[str, Any] = {
            "Description": "REST API",
            "InstancesCount": job.total,
            "FailedInstancesCount": job.failed,
            "Peer": job.params["PeerShown"],
            "Compress": job.params["Compress"],
            "Size": str(job.sent),
            "SizeMB": job.sent // (1024 * 1024),
        }
        if job.params["Resources"]:
            answer["ParentResources"] = sorted(set(job.params["Resources"]))
        return answer


class PeerSender:
    """Sends the instances of one job, over the peer's connection pool, reading the next
    file from S3 while it sends the current one."""

    def __init__(self, client: PeerClient, blobs: BlobStore, compress: bool) -> None:
        self._client = client
        self._files = ReadAhead(blobs)
        self._compress = compress
        self.item_timeout = float(client.timeout)

    def expect(self, items: list[Any]) -> None:
        self._files.expect(items)

    def run(self, item: Any) -> int:
        data = self._files.read(item)
        return self._client.store(data, compress=self._compress).size

    def already_done(self, item: Any) -> bool:
        try:
            return self._client.has_instance(item[0])
        except RemoteError:
            return False

    def close(self) -> None:
        """Drop the file read ahead; the connection pool outlives the step."""
        self._files.close()
