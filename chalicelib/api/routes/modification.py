"""Modify and anonymize: ``POST /instances/{id}/modify|anonymize`` (answers the new file),
``POST /{patients|studies|series}/{id}/modify|anonymize`` and
``POST /tools/bulk-modify|bulk-anonymize`` (store new resources, as a job).

The bodies are Orthanc's (``Replace``, ``Remove``, ``Keep``, ``Force``, ``DicomVersion``,
``KeepPrivateTags``, ``RemovePrivateTags``, ``PrivateCreator``, ``Transcode``,
``KeepSource``, ``KeepLabels``, and the job options); see ``chalicelib/services/modification/``.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from chalice import Blueprint, Response
from chalice.app import Request

from chalicelib import bootstrap
from chalicelib.api import http
from chalicelib.api.requests.fields import boolean_option, job_options
from chalicelib.api.routing import RouteTable
from chalicelib.dicom.identifiers import Level
from chalicelib.errors import ErrorCode, OrthancError, bad_file

blueprint = Blueprint(__name__)
routes = RouteTable(blueprint)

# The names of ``Level`` (Orthanc's StringToResourceType): any case, plurals, "Image".
_LEVEL_NAMES = {
    **{name: Level.PATIENT for name in ("PATIENT", "PATIENTS")},
    **{name: Level.STUDY for name in ("STUDY", "STUDIES")},
    "SERIES": Level.SERIES,
    **{name: Level.INSTANCE for name in ("INSTANCE", "INSTANCES", "IMAGE", "IMAGES")},
}


def _job_request(request: Request, body: dict[str, Any], modification: Any) -> Any:
    """The options of a job route, read in Orthanc's order (``KeepSource``, ``Transcode``,
    then the job options), with who asked (the new instances' RemoteIP and HttpUsername)."""
    from chalicelib.services.modification.service import ModificationRequest, check_transcode

    keep_source = boolean_option(body, "KeepSource", True)
    return ModificationRequest(
        modification=modification,
        transcode=check_transcode(body.get("Transcode"), job=True),
        keep_source=keep_source,
        job=job_options(body),
        remote_ip=http.remote_ip(request),
        username=http.username(request),
    )


def _object_body(request: Request) -> dict[str, Any]:
    """The JSON object of the body; anything else, an empty body included, is Orthanc's 400
    (``BadFileFormat``)."""
    body = http.json_body_or_none(request)
    if not isinstance(body, dict):
        raise OrthancError(ErrorCode.BAD_FILE_FORMAT)
    return body


def instance(anonymize: bool, request: Request, id: str) -> Response:
    """The modified file; the job options and ``KeepSource`` mean nothing here, and an
    anonymization ignores ``Transcode`` (as Orthanc)."""
    from chalicelib.services.modification.service import check_transcode

    body = _object_body(request)
    service = bootstrap.modification()
    modification = service.read(body, anonymize)
    transcode = None if anonymize else check_transcode(body.get("Transcode"), job=False)
    data = service.instance(id, modification, transcode)
    download = bootstrap.downloads().generated([data], "application/dicom", f"{id}.dcm")
    if download.url is None:
        http.whatever_accept(request)
        return http.binary_response(download.body or b"", "application/dicom")
    return http.download_response(request, download)


def resource(level: Level, anonymize: bool, request: Request, id: str) -> Any:
    body = _object_body(request)
    service = bootstrap.modification()
    modification = service.read(body, anonymize)
    return service.resource(level, id, _job_request(request, body, modification))


def bulk(anonymize: bool, request: Request) -> Any:
    """Orthanc's order: the modification, ``Level`` (modify only), ``Resources``, the job's
    options; an unknown resource is 404 whatever its spelling."""
    body = _object_body(request)
    service = bootstrap.modification()
    modification = service.read(body, anonymize)
    level = None
    if "Level" in body and not anonymize:
        level = _LEVEL_NAMES.get(str(body["Level"]).upper())
        if level is None:
            raise OrthancError(ErrorCode.PARAMETER_OUT_OF_RANGE)
    resources = body.get("Resources")
    if not isinstance(resources, list) or not all(isinstance(r, str) for r in resources):
        raise bad_file("List of strings expected in field: Resources")
    return service.bulk(resources, level, _job_request(request, body, modification))


for _anonymize, _action in ((False, "modify"), (True, "anonymize")):
    routes.add(f"/instances/{{id}}/{_action}", POST=partial(instance, _anonymize))
    for _level in (Level.PATIENT, Level.STUDY, Level.SERIES):
        routes.add(
            f"/{_level.collection}/{{id}}/{_action}", POST=partial(resource, _level, _anonymize)
        )
    routes.add(f"/tools/bulk-{_action}", POST=partial(bulk, _anonymize))
