"""Sending resources to an Orthanc peer: the ``OrthancPeerStore`` job.

Submitted by ``POST /peers/{id}/store``. The plan lists the instances of the resources asked
for (read from the index, no DICOM parsed); each item is then one instance, read from S3 and
sent with ``POST /instances`` to the peer. An instance a killed worker may have sent is looked
up on the peer (``GET /instances/{id}``: Orthanc IDs are the same on every server) before it
is sent again, so each instance reaches the peer once.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from chalicelib.dicom.identifiers import Level
from chalicelib.errors import ErrorCode, OrthancError, unknown_resource
from chalicelib.jobs.model import Job
from chalicelib.model import Resource
from chalicelib.peers.client import PeerClient, PeerUnavailable
from chalicelib.services.browse import BrowseService
from chalicelib.services.job_steps import ItemFailed
from chalicelib.services.peers import PeerService
from chalicelib.storage.blobs import BlobStore
from chalicelib.storage.index import ResourceIndex

KIND = "OrthancPeerStore"


class PeerStoreKind:
    def __init__(
        self, index: ResourceIndex, blobs: BlobStore, browse: BrowseService, peers: PeerService
    ) -> None:
        self._index = index
        self._blobs = blobs
        self._browse = browse
        self._peers = peers

    # -- submission (API side) ---------------------------------------------------------------

    def resources(self, resource_ids: list[str]) -> list[Resource]:
        """The records of the resources asked for, in order; 404 if one is unknown (Orthanc
        refuses the whole request rather than failing a job later)."""
        found = self._index.get_many(resource_ids)
        missing = [r for r in resource_ids if r not in found]
        if missing:
            raise unknown_resource()
        return [found[r] for r in resource_ids]

    def params(
        self, peer_name: str, resource_ids: list[str], compress: bool, permissive: bool
    ) -> dict[str, Any]:
        """The job's parameters (404 if the peer is unknown)."""
        self._peers.get(peer_name)
        return {
            "Peer": peer_name,
            "Resources": resource_ids,
            "Compress": compress,
            "Permissive": permissive,
        }

    # -- JobKind -----------------------------------------------------------------------------

    def plan(self, job: Job) -> list[Any]:
        """``[instance ID, S3 key]`` of every instance to send, each once, in request order."""
        items: dict[str, list[Any]] = {}
        for resource_id in job.params["Resources"]:
            resource, links = self._index.get_with_children(resource_id)
            if resource is None:
                raise unknown_resource(f"Resource {resource_id} was deleted before it was sent")
            if resource.level is Level.INSTANCE:
                items.setdefault(resource.id, [resource.id, resource.blob_key])
                continue
            for link in self._browse.walk(resource, links)[Level.INSTANCE]:
                items.setdefault(link.child, [link.child, link.blob_key])
        return list(items.values())

    def worker(self, job: Job) -> PeerSender:
        peer = self._peers.get(job.params["Peer"])
        return PeerSender(self._peers.client(peer), self._blobs, bool(job.params["Compress"]))

    def content(self, job: Job) -> dict[str, Any]:
        """Orthanc's ``Content``: ``Size`` counts the bytes sent so far (compressed ones when
        compressing), over every run of the job, as Orthanc does."""
        answer: dict[str, Any] = {
            "Description": "REST API",
            "InstancesCount": job.total,
            "FailedInstancesCount": job.failed,
            "Peer": self._peer_json(job.params["Peer"]),
            "Compress": job.params["Compress"],
            "Size": str(job.sent),
            "SizeMB": job.sent // (1024 * 1024),
        }
        if job.params["Resources"]:
            answer["ParentResources"] = sorted(set(job.params["Resources"]))
        return answer

    def _peer_json(self, name: str) -> list[str]:
        """The peer's URL and user (the password blanked), as the job was shown."""
        try:
            peer = self._peers.get(name)
        except OrthancError:  # deleted since the job was submitted
            return [name]
        return [peer.url, peer.username, ""] if peer.username else [peer.url]


class PeerSender:
    """Sends the instances of one job, over the peer's connection pool."""

    def __init__(self, client: PeerClient, blobs: BlobStore, compress: bool) -> None:
        self._client = client
        self._blobs = blobs
        self._compress = compress
        self.item_timeout = float(client.timeout)

    def run(self, item: Any) -> int:
        instance_id, key = item
        try:
            data = self._blobs.get(key)
        except ClientError as exc:
            if exc.response["Error"]["Code"] not in ("NoSuchKey", "404"):
                raise
            raise ItemFailed(
                ErrorCode.UNKNOWN_RESOURCE, f"Instance {instance_id} was deleted before it was sent"
            ) from exc
        try:
            return self._client.store(data, compress=self._compress).size
        except PeerUnavailable as exc:
            raise ItemFailed(ErrorCode.NETWORK_PROTOCOL, str(exc)) from exc

    def already_done(self, item: Any) -> bool:
        try:
            return self._client.has_instance(item[0])
        except PeerUnavailable:
            return False
