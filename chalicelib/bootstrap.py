"""The composition root: the one place that names concrete adapters.

Every entry point (the Chalice routes now; the stream handler, job steps and SCP service later)
gets its services from here. Everything is built on first use and kept for the life of the
process, which on Lambda means once per container: cold starts stay short and warm requests
reuse connections. Services that parse DICOM are imported inside their factories, so a cold
start that only browses the index does not pay pydicom's import time (about 250 ms).
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from chalicelib.services.browse import BrowseService
from chalicelib.services.delete import DeleteService
from chalicelib.services.statistics import StatisticsService
from chalicelib.settings import Config, load_config
from chalicelib.storage import aws
from chalicelib.storage.blobs import BlobStore
from chalicelib.storage.index import ResourceIndex
from chalicelib.storage.schema import bucket_name, table_name

if TYPE_CHECKING:
    from chalicelib.services.content import ContentService
    from chalicelib.services.ingest import IngestService


@cache
def config() -> Config:
    return load_config()


@cache
def index() -> ResourceIndex:
    return ResourceIndex(aws.client("dynamodb"), table_name("index"))


@cache
def blobs() -> BlobStore:
    return BlobStore(aws.client("s3"), bucket_name("dicom"))


@cache
def ingest() -> IngestService:
    from chalicelib.services.ingest import IngestService

    return IngestService(index(), blobs(), overwrite=config().OverwriteInstances)


@cache
def browse() -> BrowseService:
    return BrowseService(index(), stable_age=config().StableAge)


@cache
def content() -> ContentService:
    from chalicelib.services.content import ContentService

    return ContentService(index(), blobs(), browse())


@cache
def delete() -> DeleteService:
    return DeleteService(index(), blobs(), browse())


@cache
def statistics() -> StatisticsService:
    return StatisticsService(index(), browse())


def reset() -> None:
    """Forget every built object (tests switch configuration between cases)."""
    for factory in (config, index, blobs, ingest, browse, content, delete, statistics):
        factory.cache_clear()
    aws.client.cache_clear()
    aws.session.cache_clear()
