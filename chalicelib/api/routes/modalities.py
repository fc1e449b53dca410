"""DICOM modalities: /modalities, their configuration, and C-ECHO."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint
from chalice.app import Request

from chalicelib import bootstrap
from chalicelib.api import http
from chalicelib.api.remotes import add_remote_routes
from chalicelib.api.routing import RouteTable
from chalicelib.api.sending import sending_request
from chalicelib.dicom_client import client as scu
from chalicelib.errors import ErrorCode, OrthancError, bad_file
from chalicelib.jobs.request import boolean_option, integer_option, job_options, string_option
from chalicelib.remotes.modality import Modality
from chalicelib.services.dicom_asked.store import KIND

blueprint = Blueprint(__name__)
routes = RouteTable(blueprint)

# What /modalities/{id} offers so far (Orthanc lists its query/retrieve routes too).
MODALITY_OPERATIONS = [
    "configuration",
    "echo",
    "find",
    "find-instance",
    "find-patient",
    "find-series",
    "find-study",
    "find-worklist",
    "move",
    "query",
    "storage-commitment",
    "store",
    "store-straight",
]


def echo(request: Request, id: str) -> Any:
    """C-ECHO the modality; the body may be empty or ``{"Timeout": seconds}`` (0: none)."""
    service = bootstrap.modalities()
    modality = service.get(id)
    body = http.json_body(request) if request.raw_body else {}
    if not isinstance(body, dict):
        raise bad_file("The body must be empty or a JSON object")
    service.echo(modality, _timeout(body))
    return {}


def dicom_echo(request: Request) -> Any:
    """``POST /tools/dicom-echo``: C-ECHO a modality given in the body (not stored)."""
    service = bootstrap.modalities()
    body = http.json_body(request)
    timeout = _timeout(body) if isinstance(body, dict) else None
    service.echo(service.definition(body), timeout)
    return {}


def store(request: Request, id: str) -> Any:
    """C-STORE resources to the modality, as a job (answered at once when asynchronous).
    Exports are logged once the resources are known to exist, as Orthanc does."""
    body, resource_ids = sending_request(request)
    sending = bootstrap.modality_store()
    bootstrap.exports().record(sending.resources(resource_ids), id)
    options = job_options(body)
    checked = {
        "LocalAet": string_option(body, "LocalAet"),
        "MoveOriginatorAet": string_option(body, "MoveOriginatorAet"),
        "MoveOriginatorID": integer_option(body, "MoveOriginatorID", 0),
        "Timeout": _timeout(body),
        "Permissive": options.permissive,
        "StorageCommitment": boolean_option(body, "StorageCommitment", False),
    }
    params = sending.params(id, resource_ids, checked)
    return bootstrap.jobs().run(KIND, params, options, bootstrap.config().SynchronousJobTimeout)


def store_straight(request: Request, id: str) -> Any:
    """C-STORE the body, a DICOM file, as it is; answers its SOP class and instance UIDs."""
    sending = bootstrap.modality_store()
    session = sending.session(sending.params(id, [], {}))
    try:
        sop_class, sop_instance = session.send(request.raw_body or b"")
    except scu.DicomUnavailable as exc:
        raise OrthancError(ErrorCode.NETWORK_PROTOCOL, str(exc)) from exc
    except (ValueError, AttributeError, EOFError) as exc:
        raise bad_file("The body must be a DICOM file") from exc
    finally:
        session.close()
    return {"SOPClassUID": sop_class, "SOPInstanceUID": sop_instance}


def _timeout(body: dict[str, Any]) -> int | None:
    timeout = integer_option(body, "Timeout", None)
    if timeout is not None and timeout < 0:
        raise bad_file("Timeout must not be negative")
    return timeout


routes.add("/modalities/{id}/echo", POST=echo)
routes.add("/modalities/{id}/store", POST=store)
routes.add("/modalities/{id}/store-straight", POST=store_straight)
routes.add("/tools/dicom-echo", POST=dicom_echo)
add_remote_routes(routes, "modalities", bootstrap.modalities, Modality.to_json, MODALITY_OPERATIONS)
