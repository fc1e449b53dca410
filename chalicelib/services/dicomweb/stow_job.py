"""Sending resources to a DICOMweb server by STOW-RS: the ``DicomWebStowClient`` job of
``POST /dicom-web/servers/{name}/stow``, as Orthanc's DICOMweb plugin names it.

The items are the instances, planned as every sending job plans them
(``chalicelib.services.jobs.sending``): one ``[instance ID, S3 key]`` each, so the job's
progress, its ``InstancesCount`` and the engine's per-item records count instances. The
worker sends them in bounded ``multipart/related; type="application/dicom"`` requests to
``<Url>studies``: the first item of a request reads the files of the items expected after it
(``expect``, within the step's batch) until :data:`MAX_INSTANCES_PER_REQUEST` files or
:data:`MAX_BYTES_PER_REQUEST` bytes, POSTs them at once, and the following items only report
the outcome their request had. The plugin sends a whole job in one request streamed with
chunked transfer encoding; Cirrus holds a request's body in the memory of a Lambda, so it
sends several, each with its ``Content-Length``, which every server accepts whatever the
server's ``ChunkedTransfers`` says.

The server's answer must list every instance of a request in its Referenced SOP Sequence and
none in its failure sequences (``chalicelib.dicom.stow_answer``, the plugin's rule); else
every instance of that request fails, and the job with them unless ``Permissive``.

Sent once: an instance a killed worker may have sent is first looked for on the server by
QIDO-RS (its Study, Series and SOP Instance UIDs, read from the file about to be sent
anyway); the engine asks this of the first unrecorded items of a batch run again, until one
is not there, and the request sent next starts at that one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from chalicelib.dicom.multipart_related import (
    PartToSend,
    new_boundary,
    related_chunks,
    related_content_type,
)
from chalicelib.dicom.stow_answer import check_stow_answer
from chalicelib.errors import OrthancError, error_text
from chalicelib.jobs.model import Job, JobState
from chalicelib.peer_client.dicomweb import DicomWebClient
from chalicelib.services.dicomweb.servers import DicomWebServers
from chalicelib.services.jobs.sending import ReadAhead, SendingKind, SendRequest
from chalicelib.services.resources.browse import BrowseService
from chalicelib.storage.blobs import BlobStore
from chalicelib.storage.index import ResourceIndex

KIND = "DicomWebStowClient"

# The most instances one STOW-RS request carries: a request is one item's work for the
# engine, so a killed worker leaves at most this many instances to look for on the server.
MAX_INSTANCES_PER_REQUEST = 25
# The most bytes of DICOM files one request carries (a file larger than this goes alone).
# The body is built in the worker's memory: with the file read ahead, a step holds at most
# about twice this plus READ_AHEAD_LIMIT, within a 512 MB Lambda.
MAX_BYTES_PER_REQUEST = 32 * 1024 * 1024

# Where STOW-RS requests go, relative to the server's Url (PS3.18 10.5).
STOW_URI = "studies"
DICOM = "application/dicom"
DICOM_JSON = "application/dicom+json"
SOP_INSTANCE_UID = "00080018"
MEBIBYTE = 1024 * 1024


@dataclass(frozen=True)
class StowOptions:
    """``HttpHeaders`` added to the server's own, and ``Arguments``, the query of each
    request (Cirrus's addition: plugin 1.7 ignores it)."""

    headers: dict[str, str] = field(default_factory=dict)
    arguments: dict[str, str] = field(default_factory=dict)


class StowKind(SendingKind[StowOptions]):
    KIND = KIND

    def __init__(
        self,
        index: ResourceIndex,
        blobs: BlobStore,
        browse: BrowseService,
        servers: DicomWebServers,
    ) -> None:
        super().__init__(index, blobs, browse)
        self._servers = servers

    def params(self, destination: str, request: SendRequest[StowOptions]) -> dict[str, Any]:
        """The job's parameters; Orthanc's 404 if the server is unknown (one GetItem)."""
        self._servers.get(destination)
        return {
            "Server": destination,
            "Resources": request.resources,
            "HttpHeaders": request.options.headers,
            "Arguments": request.options.arguments,
            "Permissive": request.job.permissive,
        }

    def worker(self, job: Job) -> StowSender:
        client = self._servers.connect(job.params["Server"])
        return StowSender(client, self._blobs, job.params["HttpHeaders"], job.params["Arguments"])

    def content(self, job: Job) -> dict[str, Any]:
        """The plugin's ``Content``: numbers as strings, ``NetworkSizeMB`` (the DICOM bytes
        sent) once an instance was sent, and the error a failed job met under the plugin's
        ``FunctionError...`` keys."""
        answer: dict[str, Any] = {"InstancesCount": str(job.total)}
        if job.completed:
            answer["NetworkSizeMB"] = str(job.sent // MEBIBYTE)
        if job.state is JobState.FAILURE and job.error_code:
            answer["FunctionErrorCode"] = job.error_code
            answer["FunctionErrorDescription"] = error_text(job.error_code)
            if job.error_details:
                answer["FunctionErrorDetails"] = job.error_details
        return answer


class StowSender:
    """Sends the instances of one step in STOW-RS requests (see the module docstring),
    over the server's connection pool."""

    def __init__(
        self,
        client: DicomWebClient,
        blobs: BlobStore,
        headers: dict[str, str],
        arguments: dict[str, str],
    ) -> None:
        self._client = client
        self._files = ReadAhead(blobs)
        self._headers = headers
        self._arguments = arguments
        self.item_timeout = float(client.timeout)
        self._upcoming: list[Any] = []
        # A file read but not sent yet (looked for on the server, or left out of a full
        # request): the next request starts with it.
        self._held: tuple[str, bytes] | None = None
        # The outcome of each instance of the last request: bytes sent, or its failure.
        self._outcomes: dict[str, int | OrthancError] = {}

    def expect(self, items: list[Any]) -> None:
        self._upcoming = list(items)
        self._files.expect(items)

    def run(self, item: Any) -> int:
        if item[0] not in self._outcomes:
            self._send_from(item)
        outcome = self._outcomes.pop(item[0])
        if isinstance(outcome, OrthancError):
            raise outcome
        return outcome

    def already_done(self, item: Any) -> bool:
        """Whether the server has the instance (QIDO-RS); not when it cannot tell."""
        from chalicelib.dicom.parsing import parse_dicom, read_identifiers

        try:
            data = self._read(item)
        except OrthancError:
            return False  # deleted since: run() fails it
        self._held = (item[0], data)
        try:
            ids = read_identifiers(parse_dicom(data).dataset)
            answer = self._client.request(
                "GET",
                f"studies/{ids.study_uid}/series/{ids.series_uid}/instances",
                {"SOPInstanceUID": ids.sop_uid},
                {"Accept": DICOM_JSON},
            )
            matches = json.loads(answer.body)
        except (OrthancError, ValueError):  # InvalidDicom is a ValueError
            return False
        return isinstance(matches, list) and any(
            _sop_instance_uid(match) == ids.sop_uid for match in matches
        )

    def close(self) -> None:
        """Drop the files read; the connection pool outlives the step."""
        self._files.close()
        self._held = None

    def _read(self, item: Any) -> bytes:
        held, self._held = self._held, None
        if held is not None and held[0] == item[0]:
            return held[1]
        return self._files.read(item)

    def _send_from(self, item: Any) -> None:
        """Send ``item`` and the expected items after it, as many as one request may carry;
        record each one's outcome. A file of a later item that cannot be read ends the
        request before it, and is that item's failure."""
        files = [(item[0], self._read(item))]  # the first item's failure is its own
        size = len(files[0][1])
        ids = [upcoming[0] for upcoming in self._upcoming]
        start = ids.index(item[0]) + 1 if item[0] in ids else len(ids)
        for upcoming in self._upcoming[start:]:
            if len(files) == MAX_INSTANCES_PER_REQUEST:
                break
            try:
                data = self._read(upcoming)
            except OrthancError as failure:
                self._outcomes[upcoming[0]] = failure
                break
            if size + len(data) > MAX_BYTES_PER_REQUEST:
                self._held = (upcoming[0], data)
                break
            files.append((upcoming[0], data))
            size += len(data)
        outcome: OrthancError | None = None
        try:
            self._post([data for _, data in files])
        except OrthancError as failure:
            outcome = failure
        for instance_id, data in files:
            self._outcomes[instance_id] = outcome or len(data)

    def _post(self, files: list[bytes]) -> None:
        """One STOW-RS request; OrthancError unless the server stored every file."""
        boundary = new_boundary()
        body = b"".join(related_chunks((PartToSend(DICOM, data) for data in files), boundary))
        headers = {
            **self._headers,
            "Accept": DICOM_JSON,
            "Content-Type": related_content_type(boundary, DICOM),
        }
        answer = self._client.request("POST", STOW_URI, self._arguments, headers, body)
        check_stow_answer(answer.body, len(files), self._client.server.name)


def _sop_instance_uid(match: Any) -> str | None:
    """The SOP Instance UID of a QIDO-RS match (DICOM JSON), None if it has none."""
    value = match.get(SOP_INSTANCE_UID, {}).get("Value") if isinstance(match, dict) else None
    return value[0] if isinstance(value, list) and value else None
