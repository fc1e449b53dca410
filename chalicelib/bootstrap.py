"""The composition root: the one place that names concrete adapters.

Every entry point (the Chalice routes, the stream, S3 and schedule handlers and the job step
in ``app.py``, the DICOM service in ``scp_container/``) gets its services from here: the
storage adapters (DynamoDB, S3, Step Functions) and the clients of remote servers (the DICOM
client, the peers' HTTP client) are built here and handed to the services. Everything is
built on first use and kept for the life of the process, which on Lambda means once per
container: cold starts stay short and warm requests reuse connections. Services that parse
DICOM are imported inside their factories, so a cold start that only browses the index does
not pay pydicom's import time (about 250 ms).
"""

from __future__ import annotations

import os
from functools import cache
from typing import TYPE_CHECKING

from chalicelib.dicom.declared_tags import parse_dictionary, register
from chalicelib.peer_client.client import HttpSettings
from chalicelib.remotes.destinations import Destinations, destinations
from chalicelib.remotes.peer import SECRET_FIELDS
from chalicelib.services.changes.pages import LogPages
from chalicelib.services.dicom_asked.modalities import ModalityService
from chalicelib.services.jobs.sending import SendService
from chalicelib.services.peers.registry import PeerService
from chalicelib.services.resources.browse import BrowseService
from chalicelib.services.resources.delete import DeleteService
from chalicelib.settings import Config, load_config
from chalicelib.storage import aws
from chalicelib.storage.blobs import BlobStore
from chalicelib.storage.index import ResourceIndex
from chalicelib.storage.logs import SequencedLog
from chalicelib.storage.remotes import RemoteStore
from chalicelib.storage.schema import bucket_name, table_name

if TYPE_CHECKING:
    from chalicelib.dicom_client.client import DicomClient
    from chalicelib.dicom_client.tls import TlsSettings
    from chalicelib.services.changes.exports import ExportLog
    from chalicelib.services.changes.feed import ChangeFeed
    from chalicelib.services.changes.stability import StabilityService
    from chalicelib.services.dicom_asked.commitment import StorageCommitmentService
    from chalicelib.services.dicom_asked.query import QueryService
    from chalicelib.services.dicom_asked.retrieve import RetrieveJobs, RetrieveKind
    from chalicelib.services.dicom_asked.store import ModalityStoreKind
    from chalicelib.services.dicom_served.access import DicomAccess
    from chalicelib.services.dicom_served.commitment import CommitmentAnswers
    from chalicelib.services.dicom_served.retrieve import RetrieveService
    from chalicelib.services.dicomweb.frames import FrameService
    from chalicelib.services.dicomweb.metadata import WadoMetadata
    from chalicelib.services.dicomweb.qido import QidoService
    from chalicelib.services.dicomweb.rendered import RenderedService
    from chalicelib.services.dicomweb.retrieve import WadoResources, WadoRetrieve
    from chalicelib.services.dicomweb.retrieve_job import WadoRetrieveJobs, WadoRetrieveKind
    from chalicelib.services.dicomweb.servers import DicomWebServers
    from chalicelib.services.dicomweb.stow import StowService
    from chalicelib.services.dicomweb.stow_job import StowKind
    from chalicelib.services.downloads.archive import ArchiveService
    from chalicelib.services.downloads.archive_jobs import ArchiveKind
    from chalicelib.services.downloads.large_downloads import DownloadService
    from chalicelib.services.downloads.volumes import VolumeService
    from chalicelib.services.jobs.engine import JobService
    from chalicelib.services.jobs.steps import JobKind, JobSteps
    from chalicelib.services.modification.jobs import ModificationKind
    from chalicelib.services.modification.restructure import RestructureService
    from chalicelib.services.modification.service import ModificationService
    from chalicelib.services.peers.store import PeerStoreKind
    from chalicelib.services.resources.attachments import AttachmentService
    from chalicelib.services.resources.bulk_content import BulkContentService
    from chalicelib.services.resources.content import ContentService
    from chalicelib.services.resources.creation import CreationService
    from chalicelib.services.resources.ingest import IngestService
    from chalicelib.services.resources.labels import LabelService
    from chalicelib.services.resources.large_uploads import LargeUploadService
    from chalicelib.services.resources.metadata import MetadataService
    from chalicelib.services.resources.modules import ModuleService
    from chalicelib.services.resources.protection import ProtectionService
    from chalicelib.services.resources.reconstruct import (
        ReconstructJobs,
        ReconstructKind,
        ReconstructService,
    )
    from chalicelib.services.resources.recycling import RecyclingService
    from chalicelib.services.resources.statistics import StatisticsService
    from chalicelib.services.resources.sweeper import OrphanSweeper
    from chalicelib.services.search.find import FindService
    from chalicelib.services.shared.runtime_settings import RuntimeSettings
    from chalicelib.services.system.logs import LogLevels
    from chalicelib.services.system.metrics import MetricsService
    from chalicelib.services.system.settings import SystemSettings
    from chalicelib.storage.jobs import JobStore
    from chalicelib.storage.labels import LabelStore
    from chalicelib.storage.secrets import SecretStore
    from chalicelib.storage.transfers import Transfers


@cache
def config() -> Config:
    """The configuration, its ``Dictionary`` declared (the tag dictionary is per process, as
    DCMTK's is in Orthanc; ``load_config`` has already refused a clashing entry)."""
    loaded = load_config()
    register(parse_dictionary(loaded.Dictionary))
    return loaded


@cache
def index() -> ResourceIndex:
    return ResourceIndex(aws.client("dynamodb"), table_name("index"))


@cache
def blobs() -> BlobStore:
    return BlobStore(aws.client("s3"), bucket_name("dicom"))


@cache
def transfers() -> Transfers:
    from chalicelib.storage.transfers import Transfers

    return Transfers(aws.client("s3"), bucket_name("dicom"))


@cache
def downloads() -> DownloadService:
    from chalicelib.services.downloads.large_downloads import DownloadService

    settings = config()
    return DownloadService(
        transfers(), settings.LargeObjectThreshold, settings.PresignedUrlExpiration
    )


@cache
def large_uploads() -> LargeUploadService:
    from chalicelib.api.error_map import error_answer
    from chalicelib.services.resources.large_uploads import LargeUploadService

    settings = config()
    return LargeUploadService(
        transfers(),
        ingest,
        settings.MaximumUploadSize,
        settings.PresignedUrlExpiration,
        error_answer,
    )


@cache
def ingest() -> IngestService:
    from chalicelib.services.resources.ingest import IngestService

    settings = config()
    return IngestService(
        index(),
        blobs(),
        overwrite=settings.OverwriteInstances,
        recycling=recycling(),
        default_encoding=system_settings().default_encoding,
        max_inflated=_largest_object(settings),
    )


def _largest_object(settings: Config) -> int:
    """A deflated data set may inflate to the largest object accepted over REST or DICOM."""
    return max(settings.MaximumUploadSize, settings.DicomMaximumObjectSize)


@cache
def stow() -> StowService:
    """STOW-RS: the instances of a ``multipart/related`` body, each through the ingest."""
    from chalicelib.services.dicomweb.stow import StowService

    return StowService(ingest(), _largest_object(config()))


@cache
def creation() -> CreationService:
    """``/tools/create-dicom``; an embedded image may decode to what an upload may weigh."""
    from chalicelib.services.resources.creation import CreationService

    settings = config()
    return CreationService(
        index(),
        content(),
        ingest(),
        delete(),
        settings.MaximumUploadSize,
        settings.DefaultPrivateCreator,
    )


@cache
def browse() -> BrowseService:
    return BrowseService(index())


@cache
def archive() -> ArchiveService:
    from chalicelib.services.downloads.archive import ArchiveService

    return ArchiveService(index(), blobs(), browse(), system_settings().default_encoding)


@cache
def volumes() -> VolumeService:
    from chalicelib.services.downloads.volumes import VolumeService, memory_for_arrays
    from chalicelib.settings.config import function_memory

    settings = config()
    memory = memory_for_arrays(function_memory(settings, os.environ), settings.LargeObjectThreshold)
    return VolumeService(index(), browse(), content(), memory)


@cache
def content() -> ContentService:
    from chalicelib.services.resources.content import ContentService

    return ContentService(index(), blobs(), browse(), system_settings().default_encoding)


@cache
def delete() -> DeleteService:
    return DeleteService(index(), blobs(), browse())


@cache
def statistics() -> StatisticsService:
    from chalicelib.services.resources.statistics import StatisticsService

    return StatisticsService(index(), browse())


@cache
def find() -> FindService:
    from chalicelib.services.search.find import FindService

    return FindService(
        index(),
        browse(),
        label_store(),
        lambda instance_id: content().dataset(instance_id, with_pixels=False),
        limit_results=config().LimitFindResults,
        limit_instances=config().LimitFindInstances,
        default_encoding=system_settings().default_encoding,
    )


@cache
def qido() -> QidoService:
    """QIDO-RS: searches run by the engine of ``/tools/find``."""
    from chalicelib.services.dicomweb.qido import QidoService

    return QidoService(find(), system_settings().default_encoding)


@cache
def dicom_retrieve() -> RetrieveService:
    """What a modality's C-MOVE or C-GET asks of Cirrus's DICOM service."""
    from chalicelib.services.dicom_served.retrieve import RetrieveService

    return RetrieveService(index(), browse(), blobs())


@cache
def changes_log() -> SequencedLog:
    return SequencedLog(aws.client("dynamodb"), table_name("logs"), "changes")


@cache
def exports_log() -> SequencedLog:
    return SequencedLog(aws.client("dynamodb"), table_name("logs"), "exports")


@cache
def change_pages() -> LogPages:
    return LogPages(changes_log(), "Changes")


@cache
def export_pages() -> LogPages:
    return LogPages(exports_log(), "Exports")


@cache
def change_feed() -> ChangeFeed:
    """The changes log; it also drops the DICOMweb metadata of series that changed."""
    from chalicelib.services.changes.feed import ChangeFeed

    return ChangeFeed(index(), changes_log(), lambda ids: wado_metadata().invalidate(ids))


@cache
def stability() -> StabilityService:
    """Stability; a stable series gets its DICOMweb metadata written."""
    from chalicelib.services.changes.stability import StabilityService

    return StabilityService(
        index(),
        changes_log(),
        config().StableAge,
        on_stable_series=lambda series_id: wado_metadata().series_stable(series_id),
    )


@cache
def wado_resources() -> WadoResources:
    """The resources WADO-RS URLs name by UIDs."""
    from chalicelib.services.dicomweb.retrieve import WadoResources

    return WadoResources(index())


@cache
def wado_retrieve() -> WadoRetrieve:
    """WADO-RS retrieval of instances and bulk data."""
    from chalicelib.services.dicomweb.retrieve import WadoRetrieve

    return WadoRetrieve(wado_resources(), browse(), blobs(), content())


@cache
def wado_metadata() -> WadoMetadata:
    """WADO-RS metadata, cached per stable series in S3."""
    from chalicelib.services.dicomweb.metadata import WadoMetadata

    return WadoMetadata(wado_resources(), index(), blobs(), system_settings().default_encoding)


@cache
def wado_frames() -> FrameService:
    """WADO-RS frames."""
    from chalicelib.services.dicomweb.frames import FrameService

    return FrameService(wado_resources(), blobs())


@cache
def wado_rendered() -> RenderedService:
    """WADO-RS rendered images and thumbnails, and WADO-URI."""
    from chalicelib.services.dicomweb.rendered import RenderedService

    return RenderedService(wado_resources(), wado_frames(), browse())


@cache
def orphan_sweeper() -> OrphanSweeper:
    """Deletes the stored objects no index record names (the scheduled ``orphan_sweeper``);
    its position between runs lives in the ``remotes`` table."""
    from chalicelib.services.resources.sweeper import OrphanSweeper
    from chalicelib.storage.progress import ProgressStore

    progress = ProgressStore(aws.client("dynamodb"), table_name("remotes"))
    return OrphanSweeper(index(), blobs(), progress)


@cache
def http_settings() -> HttpSettings:
    """Orthanc's HTTP client options, shared by the peers' and the DICOMweb servers'
    clients, and where they may connect."""
    settings = config()
    return HttpSettings(
        destinations=remote_destinations(),
        timeout=settings.HttpTimeout,
        verify=settings.HttpsVerifyPeers,
        ca_file=settings.HttpsCACertificates,
    )


@cache
def peers() -> PeerService:
    store = RemoteStore(
        aws.client("dynamodb"), table_name("remotes"), "peer", secrets(), SECRET_FIELDS
    )
    return PeerService(config().OrthancPeers, store, http_settings(), secrets)


@cache
def dicomweb_servers() -> DicomWebServers:
    """The DICOMweb servers (``DicomWeb.Servers``, changed through the API), kept as the
    peers are: items ``pk="dicomweb"`` of the ``remotes`` table, passwords in Secrets
    Manager."""
    from chalicelib.services.dicomweb.servers import KIND, DicomWebServers
    from chalicelib.settings.config import dicomweb_servers as configured_servers

    store = RemoteStore(
        aws.client("dynamodb"), table_name("remotes"), KIND, dicomweb_secrets(), SECRET_FIELDS
    )
    return DicomWebServers(configured_servers(config()), store, http_settings(), dicomweb_secrets)


@cache
def dicomweb_secrets() -> SecretStore:
    """The DICOMweb servers' passwords: secrets named under ``<prefix>dicomweb/``, apart
    from the peers' (a peer and a server may share a name; remote names hold no "/"), and
    the same configuration secret."""
    return _secret_store("dicomweb/")


@cache
def secrets() -> SecretStore:
    """The peers' passwords in Secrets Manager (its client is built at the first call, when
    a peer is written or connected to), and the deployment's configuration secret."""
    return _secret_store("")


def _secret_store(folder: str) -> SecretStore:
    """A store of remotes' secrets named under the deployment's prefix and ``folder``."""
    from chalicelib.storage.secrets import SecretStore, secrets_prefix

    return SecretStore(
        lambda: aws.client("secretsmanager"),
        secrets_prefix() + folder,
        key=os.environ.get("CIRRUS_SECRETS_KEY", ""),
        configuration_secret=os.environ.get("CIRRUS_CONFIG_SECRET", ""),
    )


@cache
def dicom_client() -> DicomClient:
    """The DICOM client every association Cirrus opens to a modality goes through."""
    from chalicelib.dicom_client.client import DicomClient

    settings = config()
    return DicomClient(
        settings.DicomAet,
        settings.DicomScuTimeout,
        dicom_tls(),
        system_settings().default_encoding,
        destinations=remote_destinations(),
    )


@cache
def remote_destinations() -> Destinations:
    """The networks peers and modalities may be reached in: the configuration's
    ``RemoteNetworksAllowed``, and the deployment's own networks guarded (CIRRUS_VPC_CIDRS)."""
    return destinations(config().RemoteNetworksAllowed, os.environ)


@cache
def modalities() -> ModalityService:
    store = RemoteStore(aws.client("dynamodb"), table_name("remotes"), "modality")
    return ModalityService(config().DicomModalities, store, dicom_client())


@cache
def queries() -> QueryService:
    from chalicelib.services.dicom_asked.query import QueryService
    from chalicelib.storage.queries import QueryStore

    store = QueryStore(aws.client("dynamodb"), table_name("queries"))
    return QueryService(store, modalities(), dicom_client(), config().QueryRetrieveSize)


@cache
def storage_commitment() -> StorageCommitmentService:
    from chalicelib.services.dicom_asked.commitment import StorageCommitmentService
    from chalicelib.storage.commitments import CommitmentStore

    store = CommitmentStore(aws.client("dynamodb"), table_name("commitments"))
    return StorageCommitmentService(
        store, dicom_client(), index(), browse(), dicom_retrieve(), delete()
    )


@cache
def commitment_answers() -> CommitmentAnswers:
    from chalicelib.services.dicom_served.commitment import CommitmentAnswers

    return CommitmentAnswers(dicom_retrieve(), dicom_client())


@cache
def dicom_access() -> DicomAccess:
    """Who may call Cirrus's DICOM service, and for what."""
    from chalicelib.services.dicom_served.access import DicomAccess

    settings = config()
    always = {
        "echo": settings.DicomAlwaysAllowEcho,
        "store": settings.DicomAlwaysAllowStore,
        "find": settings.DicomAlwaysAllowFind,
        "get": settings.DicomAlwaysAllowGet,
        "move": settings.DicomAlwaysAllowMove,
    }
    return DicomAccess(modalities(), always, settings.DicomCheckModalityHost)


@cache
def dicom_tls() -> TlsSettings:
    from chalicelib.dicom_client.tls import TlsSettings

    settings = config()
    return TlsSettings(
        certificate=settings.DicomTlsCertificate,
        private_key=settings.DicomTlsPrivateKey,
        trusted_certificates=settings.DicomTlsTrustedCertificates,
        remote_certificate_required=settings.DicomTlsRemoteCertificateRequired,
    )


@cache
def job_store() -> JobStore:
    from chalicelib.storage.jobs import JobStore

    return JobStore(aws.client("dynamodb"), table_name("jobs"))


@cache
def peer_store() -> PeerStoreKind:
    from chalicelib.services.peers.store import PeerStoreKind

    return PeerStoreKind(index(), blobs(), browse(), peers())


@cache
def dicomweb_stow() -> StowKind:
    """The ``DicomWebStowClient`` job (STOW-RS to a DICOMweb server)."""
    from chalicelib.services.dicomweb.stow_job import StowKind

    return StowKind(index(), blobs(), browse(), dicomweb_servers())


@cache
def exports() -> ExportLog:
    from chalicelib.services.changes.exports import ExportLog

    return ExportLog(index(), exports_log(), config().LogExportedResources)


@cache
def modality_store() -> ModalityStoreKind:
    from chalicelib.services.dicom_asked.store import ModalityStoreKind

    return ModalityStoreKind(
        index(), blobs(), browse(), modalities(), storage_commitment(), dicom_client()
    )


@cache
def wado_retrieve_jobs() -> WadoRetrieveJobs:
    """Retrieving from DICOMweb servers (WADO-RS) as jobs."""
    from chalicelib.services.dicomweb.retrieve_job import WadoRetrieveJobs

    return WadoRetrieveJobs(jobs(), dicomweb_servers(), config().SynchronousJobTimeout)


@cache
def wado_retrieve_kind() -> WadoRetrieveKind:
    """The ``DicomWebWadoRetrieveClient`` job: each instance fetched is stored through
    ingest(), read up to the largest object the ingest accepts."""
    from chalicelib.services.dicomweb.retrieve_job import WadoRetrieveKind

    return WadoRetrieveKind(dicomweb_servers(), index(), ingest, _largest_object(config()))


@cache
def retrieve_jobs() -> RetrieveJobs:
    """Retrieving from modalities (C-MOVE and C-GET as SCU) as jobs."""
    from chalicelib.services.dicom_asked.retrieve import RetrieveJobs

    return RetrieveJobs(jobs(), dicom_client().local_aet, config().SynchronousJobTimeout)


@cache
def retrieve_kinds() -> dict[str, RetrieveKind]:
    """The C-MOVE and C-GET SCU jobs (a C-GET stores what it receives through ingest())."""
    from chalicelib.services.dicom_asked.retrieve import Method, RetrieveKind

    return {m.kind: RetrieveKind(m, modalities(), dicom_client(), ingest) for m in Method}


@cache
def archive_kinds() -> dict[str, ArchiveKind]:
    """The ``Archive`` and ``Media`` jobs (the asynchronous archive routes)."""
    from chalicelib.services.downloads.archive_jobs import ARCHIVE, MEDIA, ArchiveKind

    return {
        kind: ArchiveKind(
            archive(), transfers(), downloads(), kind == MEDIA, config().MediaArchiveSize
        )
        for kind in (ARCHIVE, MEDIA)
    }


@cache
def modification_kind() -> ModificationKind:
    """The ``ResourceModification`` job (modify/anonymize of patients, studies, series)."""
    from chalicelib.services.modification.jobs import ModificationKind

    return ModificationKind(
        index(), blobs(), browse(), ingest(), delete(), job_store(), label_store()
    )


@cache
def restructure_kinds() -> dict[str, ModificationKind]:
    """The ``SplitStudy`` and ``MergeStudy`` jobs."""
    from chalicelib.services.modification.jobs import RestructureKind
    from chalicelib.services.modification.restructure import MERGE, SPLIT

    parts = (index(), blobs(), browse(), ingest(), delete(), job_store(), label_store())
    return {kind: RestructureKind(kind, *parts) for kind in (SPLIT, MERGE)}


@cache
def restructure() -> RestructureService:
    from chalicelib.services.modification.restructure import RestructureService

    return RestructureService(
        index(),
        browse(),
        blobs(),
        jobs(),
        config().SynchronousJobTimeout,
        system_settings().default_encoding,
    )


@cache
def modification() -> ModificationService:
    from chalicelib.services.modification.service import ModificationService

    names = SequencedLog(aws.client("dynamodb"), table_name("logs"), "anonymization")
    settings = config()
    return ModificationService(
        index(),
        content(),
        jobs(),
        names,
        settings.DefaultPrivateCreator,
        settings.SynchronousJobTimeout,
    )


@cache
def job_kinds() -> dict[str, JobKind]:
    """Every type of job, by Orthanc's name for it."""
    from chalicelib.services.dicom_asked import store as modality
    from chalicelib.services.dicomweb import stow_job
    from chalicelib.services.modification import jobs as modification_jobs
    from chalicelib.services.peers import store as peer

    return {
        peer.KIND: peer_store(),
        modality.KIND: modality_store(),
        stow_job.KIND: dicomweb_stow(),
        modification_jobs.KIND: modification_kind(),
        **restructure_kinds(),
        **retrieve_kinds(),
        **archive_kinds(),
        wado_retrieve_kind().KIND: wado_retrieve_kind(),
        reconstruct_kind().KIND: reconstruct_kind(),
    }


@cache
def sending() -> SendService:
    """Sending resources to peers and modalities as jobs."""
    return SendService(jobs(), exports(), config().SynchronousJobTimeout)


@cache
def jobs() -> JobService:
    from chalicelib.jobs.launcher import JobLauncher
    from chalicelib.jobs.state_machine import find_state_machine
    from chalicelib.services.jobs.engine import JobService

    client = aws.client("stepfunctions")
    launcher = JobLauncher(client, lambda: find_state_machine(client))
    return JobService(job_store(), launcher, job_kinds(), config().JobsHistorySize)


@cache
def job_steps() -> JobSteps:
    from chalicelib.services.jobs.steps import JobSteps

    return JobSteps(job_store(), job_kinds(), config().JobsHistorySize)


@cache
def recycling() -> RecyclingService | None:
    """Keeps the archive within its limits; None without any, so the ingest path then reads
    no totals at all."""
    from chalicelib.services.resources.recycling import RecyclingService, StorageLimits

    settings = config()
    limits = StorageLimits.of(
        settings.MaximumStorageSize, settings.MaximumPatientCount, settings.MaximumStorageMode
    )
    return RecyclingService(index(), browse(), delete(), limits) if limits.configured else None


@cache
def protection() -> ProtectionService:
    from chalicelib.services.resources.protection import ProtectionService

    return ProtectionService(index())


@cache
def metadata() -> MetadataService:
    from chalicelib.services.resources.metadata import MetadataService
    from chalicelib.services.resources.names import metadata_names

    settings = config()
    return MetadataService(index(), metadata_names(settings.UserMetadata), settings.CheckRevisions)


@cache
def attachments() -> AttachmentService:
    """Attachment bodies travel in the API's requests, hence its LargeObjectThreshold."""
    from chalicelib.services.resources.attachments import AttachmentService
    from chalicelib.services.resources.names import content_types

    settings = config()
    return AttachmentService(
        index(),
        blobs(),
        content_types(settings.UserContentType),
        settings.CheckRevisions,
        settings.LargeObjectThreshold,
    )


def reset() -> None:
    """Forget every built object (tests switch configuration between cases): every factory
    of this module, so that a new one cannot be forgotten here."""
    for factory in list(globals().values()):
        if getattr(factory, "__module__", None) == __name__ and hasattr(factory, "cache_clear"):
            factory.cache_clear()
    aws.client.cache_clear()
    aws.session.cache_clear()
    register([])


@cache
def labels() -> LabelService:
    """Labels of resources (Orthanc 1.12)."""
    from chalicelib.services.resources.labels import LabelService

    return LabelService(index(), label_store())


@cache
def label_store() -> LabelStore:
    from chalicelib.storage.labels import LabelStore

    return LabelStore(aws.client("dynamodb"), table_name("index"))


@cache
def modules() -> ModuleService:
    """``/{level}/{id}/module``: the module tags of one instance of a resource."""
    from chalicelib.services.resources.modules import ModuleService

    return ModuleService(index(), content())


@cache
def runtime_settings() -> RuntimeSettings:
    """The settings ``/tools/*`` changes for the whole deployment (``remotes`` table), over
    the configuration's values; every function and the DICOM service read them."""
    from chalicelib.services.shared.runtime_settings import RuntimeSettings
    from chalicelib.services.system.settings import defaults
    from chalicelib.storage.settings_store import SettingsStore

    store = SettingsStore(aws.client("dynamodb"), table_name("remotes"))
    return RuntimeSettings(store, defaults(config()))


@cache
def system_settings() -> SystemSettings:
    from chalicelib.services.system.settings import SystemSettings

    return SystemSettings(runtime_settings())


@cache
def log_levels() -> LogLevels:
    """Orthanc's log levels, applied to this process's loggers."""
    from chalicelib.services.system.logs import LogLevels

    return LogLevels(runtime_settings())


@cache
def metrics() -> MetricsService:
    from chalicelib.services.system.metrics import MetricsService

    return MetricsService(index(), jobs(), system_settings())


@cache
def bulk_content() -> BulkContentService:
    from chalicelib.services.resources.bulk_content import BulkContentService

    return BulkContentService(index(), browse())


@cache
def reconstruct() -> ReconstructService:
    from chalicelib.services.resources.reconstruct import ReconstructService

    return ReconstructService(index(), blobs(), browse(), system_settings().default_encoding)


@cache
def reconstruct_kind() -> ReconstructKind:
    from chalicelib.services.resources.reconstruct import ReconstructKind

    return ReconstructKind(index(), reconstruct())


@cache
def reconstruct_jobs() -> ReconstructJobs:
    from chalicelib.services.resources.reconstruct import ReconstructJobs

    return ReconstructJobs(jobs(), config().SynchronousJobTimeout)
