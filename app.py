"""Cirrus's Chalice application: only wiring. Routes live in chalicelib/api/routes."""

import logging
import os
from collections.abc import Callable
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from chalice import Rate

from chalicelib import bootstrap, observability
from chalicelib.api.proxy import ProxyApp
from chalicelib.api.routes import (
    archives,
    arrays,
    attachments,
    changes,
    console,
    content,
    creation,
    dicomweb_frames,
    dicomweb_qido,
    dicomweb_servers,
    dicomweb_stow,
    dicomweb_wado,
    dicomweb_wado_uri,
    images,
    jobs,
    labels,
    large_uploads,
    matlab,
    modalities,
    modification,
    modules,
    peers,
    protection,
    queries,
    reconstruct,
    resources,
    retrieve,
    search,
    settings,
    split_merge,
    storage_commitment,
    system,
    tools,
)
from chalicelib.storage.schema import bucket_name

# Routed by the app itself behind API Gateway's greedy proxy (chalicelib/api/proxy.py).
app = ProxyApp(app_name="cirrus")
observability.configure_logging()
# Binary answers are sent for these types when the client's Accept allows them (curl and
# requests send */*). Keep the list explicit: "*/*" would make Chalice refuse every request
# that has no Accept header.
app.api.binary_types = [
    "application/dicom",
    "application/octet-stream",
    "application/zip",
    "application/gzip",
    "image/png",
    "image/jpeg",
    "image/jp2",
    "image/gif",
    "image/x-portable-arbitrarymap",
    "image/*",  # so that Chalice lets an image route answer Accept: image/* (as Orthanc does)
    "application/pdf",
    "video/mpeg",
    "video/mp4",
    "multipart/related",
]

for _blueprint in (
    console,
    system,
    resources,
    content,
    search,
    changes,
    jobs,
    peers,
    modalities,
    queries,
    retrieve,
    storage_commitment,
    archives,
    images,
    arrays,
    large_uploads,
    modification,
    split_merge,
    creation,
    labels,
    tools,
    modules,
    matlab,
    protection,
    settings,
    attachments,
    reconstruct,
    dicomweb_frames,
    dicomweb_qido,
    dicomweb_servers,
    dicomweb_stow,
    dicomweb_wado,
    dicomweb_wado_uri,
):
    app.register_blueprint(_blueprint.blueprint)


@app.middleware("all")
def apply_log_levels(event: Any, get_response: Callable[[Any], Any]) -> Any:
    """Every invocation (request, stream batch, job step...) first brings this container's
    loggers to the log levels set through /tools/log-level (cached: at most one DynamoDB
    read per few seconds). If DynamoDB cannot be read, the loggers stay as they are and the
    invocation goes on: it answers its own storage errors."""
    try:
        bootstrap.log_levels().apply()
    except (BotoCoreError, ClientError):
        logging.getLogger("cirrus").warning("Log levels not refreshed", exc_info=True)
    return get_response(event)


# The index table's stream feeds the changes log. CDK passes the stream's ARN; the local stack
# calls this same handler with the records it reads from moto's stream.
INDEX_STREAM_ARN = os.environ.get(
    "CIRRUS_INDEX_STREAM_ARN",
    "arn:aws:dynamodb:us-east-1:000000000000:table/cirrus-index/stream/local",
)


@app.on_dynamodb_record(stream_arn=INDEX_STREAM_ARN, batch_size=100)
def index_stream(event: object) -> dict:
    """Answers Lambda's partial batch response: the records to retry, if any."""
    failed = bootstrap.change_feed().handle(event.to_dict()["Records"])  # type: ignore[attr-defined]
    return {"batchItemFailures": [{"itemIdentifier": sequence} for sequence in failed]}


# Uploads through presigned URLs (POST /cirrus/uploads) land under uploads/ in the DICOM
# bucket; S3 announces each one. The local stack calls this handler for the objects it finds.
@app.on_s3_event(bucket=bucket_name("dicom"), prefix="uploads/", events=["s3:ObjectCreated:*"])
def upload_received(event: object) -> None:
    bootstrap.large_uploads().ingest(event.key)  # type: ignore[attr-defined]


@app.schedule(Rate(1, unit=Rate.MINUTES))
def stability_check(event: object) -> None:
    """StableSeries/StableStudy/StablePatient (the local stack runs it every 3 seconds)."""
    bootstrap.stability().run()


@app.schedule(Rate(1, unit=Rate.HOURS))
def orphan_sweeper(event: object) -> None:
    """Deletes the stored objects no index record names, within this invocation's time
    (chalicelib/services/resources/sweeper.py; the local stack runs it every 10 minutes)."""
    context = event.context  # type: ignore[attr-defined]
    seconds_left = context.get_remaining_time_in_millis() / 1000 if context else None
    bootstrap.orphan_sweeper().run(seconds_left)


@app.lambda_function(name="job_step")
def job_step(event: dict, context: object) -> dict:
    """One step of a job, called by the jobs state machine (chalicelib/jobs/state_machine.json);
    the local stack's job runner calls it the same way."""
    return bootstrap.job_steps().handle(event, context.get_remaining_time_in_millis)  # type: ignore[attr-defined]
