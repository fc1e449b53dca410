"""Retrieving from a DICOMweb server into Cirrus (``POST /dicom-web/servers/{name}/retrieve``):
the ``DicomWebWadoRetrieveClient`` job, as Orthanc's DICOMweb plugin names it.

The plugin asks for each resource of the request with one WADO-RS call and reads the whole
answer (a study may be gigabytes). Here the job's items are single instances, so that a
Lambda holds one instance at a time and a killed worker loses one instance's work:

* planning lists the instances of each resource: an ``Instance`` names its own; a ``Study``
  or a ``Series`` is listed by QIDO-RS on the server (``/studies/{study}/instances`` or
  ``/studies/{study}/series/{series}/instances``, asking for the Series Instance UID), page
  after page (``limit``/``offset``) until a page names nothing new. A resource the server
  lists no instance of fails the job, as the plugin's WADO-RS call fails on it;
* each item is one WADO-RS call (``GET /studies/{s}/series/{r}/instances/{i}``, ``Accept:
  multipart/related; type="application/dicom"``, with ``transfer-syntax=*`` when the server
  has ``HasWadoRsUniversalTransferSyntax``, the default), its answer read up to
  :data:`FRAMING_ALLOWANCE` above the largest object Cirrus accepts, and every part stored
  through the ingest service (``resources/ingest.py``, as ``POST /instances``): durable and
  indexed before the item counts;
* a batch run again after a worker died checks its first unmarked items in the index (one
  ``ByUid`` Query each) and does not fetch those already stored. An instance fetched again
  anyway is ``AlreadyStored`` (one BatchGetItem, nothing written).

The job's ``Content`` is the plugin's: ``ReceivedInstancesCount`` and ``NetworkUsageMB`` (as
strings) once an item is handled, and ``FunctionErrorCode``/``FunctionErrorDescription``/
``FunctionErrorDetails`` when it failed.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from chalicelib.dicom.identifiers import Level
from chalicelib.errors import ErrorCode, OrthancError, RemoteError
from chalicelib.jobs.model import Job, JobOptions, JobState

if TYPE_CHECKING:
    from chalicelib.peer_client.dicomweb import DicomWebClient
    from chalicelib.services.dicomweb.servers import DicomWebServers
    from chalicelib.services.jobs.engine import JobService
    from chalicelib.services.resources.ingest import IngestService
    from chalicelib.storage.index import ResourceIndex

KIND = "DicomWebWadoRetrieveClient"

# What a WADO-RS answer of one instance may hold beyond the instance itself: the multipart
# boundaries and part headers (a few hundred bytes) with room for lax servers.
FRAMING_ALLOWANCE = 64 * 1024
# Planning: the instances asked per QIDO-RS page, and the most one page may weigh (a match
# asked for two UIDs is ~200 bytes; servers add their default attributes, ~1 KB).
QIDO_PAGE = 1000
QIDO_MAXIMUM_ANSWER = 16 * 1024 * 1024
# The attribute the listing needs besides the SOP Instance UID, which QIDO-RS returns anyway.
_INCLUDED = "0020000E"
_MEGABYTE = 1024 * 1024


@dataclass(frozen=True)
class RemoteResource:
    """A resource of the server, by its UIDs: a study, a series of it, or an instance."""

    study: str
    series: str | None = None
    instance: str | None = None

    def path(self) -> str:
        """Its WADO-RS URI, relative to the server's Url."""
        uri = f"studies/{self.study}"
        if self.series is not None:
            uri += f"/series/{self.series}"
        if self.instance is not None:
            uri += f"/instances/{self.instance}"
        return uri


@dataclass(frozen=True)
class WadoRetrieveRequest:
    """What the route asks for (read at the edge: ``api/requests/dicomweb_retrieve.py``)."""

    resources: list[RemoteResource]
    # Added to (and overriding) the server's HttpHeaders in every call of the job.
    headers: dict[str, str]
    job: JobOptions


class WadoRetrieveJobs:
    """Submits the retrieve jobs."""

    def __init__(self, jobs: JobService, servers: DicomWebServers, wait_seconds: float) -> None:
        self._jobs = jobs
        self._servers = servers
        self._wait = wait_seconds

    def submit(self, server: str, request: WadoRetrieveRequest) -> dict[str, Any]:
        """Run the job: ``{"ID", "Path"}`` at once when asynchronous, else its Content once
        it succeeded, or the error it failed with. An unknown server is Orthanc's 404 here
        (one GetItem), before any job exists."""
        self._servers.get(server)
        params = {
            "Server": server,
            "Resources": [asdict(resource) for resource in request.resources],
            "HttpHeaders": request.headers,
        }
        return self._jobs.run(KIND, params, request.job, self._wait, own_errors=True)


class WadoRetrieveKind:
    """The ``DicomWebWadoRetrieveClient`` job kind (chalicelib.services.jobs.steps). Items are
    ``[study, series, instance]`` UIDs."""

    KIND = KIND

    def __init__(
        self,
        servers: DicomWebServers,
        index: ResourceIndex,
        ingest: Callable[[], IngestService],
        largest_object: int,
    ) -> None:
        self._servers = servers
        self._index = index
        self._ingest = ingest
        self._largest_object = largest_object

    def plan(self, job: Job) -> list[Any]:
        """The instances to fetch, resource after resource (QIDO-RS for studies and series:
        one page of up to QIDO_PAGE instances per call, and one more finding nothing new)."""
        client = self._servers.connect(job.params["Server"])
        headers = job.params["HttpHeaders"]
        items: list[Any] = []
        for entry in job.params["Resources"]:
            resource = RemoteResource(**entry)
            if resource.instance is not None:
                items.append([resource.study, resource.series, resource.instance])
                continue
            listed = _listed(client, resource, headers)
            if not listed:
                raise RemoteError(
                    f"The DICOMweb server {client.server.name!r} has no instance of "
                    f"{resource.path()}"
                )
            items.extend([resource.study, series, sop] for series, sop in listed)
        return items

    def worker(self, job: Job) -> WadoFetcher:
        from chalicelib.remotes.dicomweb_server import UNIVERSAL_TRANSFER_SYNTAX, boolean_property

        client = self._servers.connect(job.params["Server"])
        accept = 'multipart/related; type="application/dicom"'
        if boolean_property(client.server, UNIVERSAL_TRANSFER_SYNTAX, True):
            accept += "; transfer-syntax=*"
        headers = {"Accept": accept, **job.params["HttpHeaders"]}
        return WadoFetcher(client, headers, self._index, self._ingest(), self._largest_object)

    def content(self, job: Job) -> dict[str, Any]:
        """The plugin's ``Content``: the counts once an item is handled, the error once the
        job failed."""
        content: dict[str, Any] = {}
        if job.done:
            content["NetworkUsageMB"] = str(job.sent // _MEGABYTE)
            content["ReceivedInstancesCount"] = str(job.completed)
        if job.state is JobState.FAILURE:
            code = ErrorCode.of(job.error_code)
            content["FunctionErrorCode"] = job.error_code
            content["FunctionErrorDescription"] = code.text
            if job.error_details:
                content["FunctionErrorDetails"] = job.error_details
        return content


def _listed(
    client: DicomWebClient, resource: RemoteResource, headers: dict[str, str]
) -> list[tuple[str, str]]:
    """The (series, instance) UIDs the server lists under a study or series, without
    repeats; a server ignoring ``offset`` answers its first page again, which ends it."""
    from chalicelib.dicom.wado_answer import listed_instances

    listed: dict[tuple[str, str], None] = {}
    while True:
        arguments = {"includefield": _INCLUDED, "limit": str(QIDO_PAGE), "offset": str(len(listed))}
        answer = client.request(
            "GET",
            f"{resource.path()}/instances",
            arguments,
            {"Accept": "application/dicom+json", **headers},
            maximum=QIDO_MAXIMUM_ANSWER,
        )
        try:
            matches = json.loads(answer.body)
        except ValueError as error:
            raise RemoteError(
                f"The QIDO-RS answer of the DICOMweb server {client.server.name!r} is not JSON"
            ) from error
        page = [
            (series, sop)
            for series, sop in listed_instances(matches)
            if resource.series is None or series == resource.series
        ]
        new = [uids for uids in page if uids not in listed]
        if not new:
            return list(listed)
        listed.update(dict.fromkeys(new))


class WadoFetcher:
    """Fetches and stores the instances of one job step, through the server's connection
    pool (kept alive from one instance to the next)."""

    def __init__(
        self,
        client: DicomWebClient,
        headers: dict[str, str],
        index: ResourceIndex,
        ingest: IngestService,
        largest_object: int,
    ) -> None:
        from chalicelib.services.resources.ingest import Origin

        self._client = client
        self._headers = headers
        self._index = index
        self._ingest = ingest
        self._largest_object = largest_object
        # How Orthanc records instances a plugin stores.
        self._origin = Origin("Plugins")
        self.item_timeout = float(client.timeout)

    def run(self, item: Any) -> int:
        """Fetch one instance and store it; the bytes received."""
        from chalicelib.dicom.wado_answer import dicom_parts

        study, series, instance = item
        uri = RemoteResource(study, series, instance).path()
        answer = self._client.request(
            "GET",
            uri,
            headers=self._headers,
            maximum=self._largest_object + FRAMING_ALLOWANCE,
        )
        files = dicom_parts(answer.content_type, answer.body, self._largest_object)
        if not files:
            raise RemoteError(f"The WADO-RS answer to {uri} holds no instance")
        for data in files:
            self._store(uri, data)
        return len(answer.body)

    def _store(self, uri: str, data: bytes) -> None:
        """Through the ingest path; a file the ingest cannot read is the server's fault."""
        try:
            self._ingest.store(data, self._origin)
        except OrthancError as error:
            if error.code is not ErrorCode.BAD_FILE_FORMAT:
                raise
            raise RemoteError(
                f"The WADO-RS answer to {uri} holds a file that is not DICOM: {error}"
            ) from error

    def already_done(self, item: Any) -> bool:
        """Whether the instance is stored (one ByUid Query), so that a batch run again does
        not fetch it again."""
        return bool(self._index.ids_by_identifier(Level.INSTANCE, item[2]))

    def close(self) -> None:
        """The connection pool stays with the server's client, for the next step."""
