"""STOW-RS: ``POST /dicom-web/studies`` and ``POST /dicom-web/studies/{study}`` store the
instances of a ``multipart/related; type="application/dicom"`` body
(``chalicelib/services/dicomweb/stow.py``) and answer the Store Instances Response (PS3.18
6.6.1.3.2; DICOM JSON, or XML when ``Accept`` asks for it) as Orthanc's DICOMweb plugin
shapes it: SpecificCharacterSet, the study's RetrieveURL (0008,1190), FailedSOPSequence
(0008,1198) and ReferencedSOPSequence (0008,1199), both always present.

The status follows PS3.18 6.6.1.3.1: 200 when every instance is stored (or was already),
409 when none is, 202 when some are; 400 for a malformed body (nothing stored), 415 for a
body or part of another type. Bodies larger than API Gateway carries cannot reach the
function: such files go through ``POST /cirrus/uploads`` (presigned S3 uploads).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalice import Blueprint, Response
from chalice.app import Request

from chalicelib import bootstrap
from chalicelib.api import http
from chalicelib.api.dicomweb import DICOMWEB_ROOT, base_url, dataset_format, dataset_response
from chalicelib.api.routing import RouteTable
from chalicelib.errors import TooLarge

if TYPE_CHECKING:
    from chalicelib.services.dicomweb.stow import InstanceOutcome, StowResult

blueprint = Blueprint(__name__)
routes = RouteTable(blueprint)

# DICOM JSON of the answer's attributes.
_CHARACTER_SET = {"00080005": {"vr": "CS", "Value": ["ISO_IR 100"]}}
_RETRIEVE_URL, _FAILED, _REFERENCED = "00081190", "00081198", "00081199"
_SOP_CLASS, _SOP_INSTANCE, _FAILURE_REASON = "00081150", "00081155", "00081197"


def store_instances(request: Request, study: str | None = None) -> Response:
    """Store the instances of the body; ``study``: the one study they must belong to."""
    from chalicelib.services.resources.ingest import Origin  # pydicom: not at cold start

    answer_type = dataset_format(request)  # a 406 before anything is stored
    config = bootstrap.config()
    data = request.raw_body or b""
    limit = min(config.LargeObjectThreshold, config.MaximumUploadSize)
    if len(data) > limit:
        raise TooLarge(
            f"The body exceeds {limit} bytes: store large files through POST /cirrus/uploads "
            "(presigned S3 uploads, docs/compatibility.md)"
        )
    origin = Origin(remote_ip=http.remote_ip(request), http_username=http.username(request))
    result = bootstrap.stow().store(http.header(request, "content-type"), data, study, origin)
    return dataset_response(_answer(result, base_url(request)), answer_type, _status(result))


def _status(result: StowResult) -> int:
    if not result.failed:
        return 200
    return 202 if result.stored else 409


def _answer(result: StowResult, base: str) -> dict[str, Any]:
    """The Store Instances Response in DICOM JSON."""
    answer: dict[str, Any] = dict(_CHARACTER_SET)
    if result.study_uid is not None:
        answer[_RETRIEVE_URL] = _url(f"{base}studies/{result.study_uid}")
    answer[_FAILED] = _sequence([_item(outcome, base) for outcome in result.failed])
    answer[_REFERENCED] = _sequence([_item(outcome, base) for outcome in result.stored])
    return answer


def _item(outcome: InstanceOutcome, base: str) -> dict[str, Any]:
    item = {
        _SOP_CLASS: {"vr": "UI", "Value": [outcome.sop_class_uid]},
        _SOP_INSTANCE: {"vr": "UI", "Value": [outcome.sop_instance_uid]},
    }
    if outcome.failure_reason is not None:
        item[_FAILURE_REASON] = {"vr": "US", "Value": [outcome.failure_reason]}
    else:
        item[_RETRIEVE_URL] = _url(
            f"{base}studies/{outcome.study_uid}/series/{outcome.series_uid}"
            f"/instances/{outcome.sop_instance_uid}"
        )
    return item


def _url(url: str) -> dict[str, Any]:
    return {"vr": "UR", "Value": [url]}


def _sequence(items: list[dict[str, Any]]) -> dict[str, Any]:
    """A sequence attribute; without items it has no Value, as the plugin writes it."""
    return {"vr": "SQ", "Value": items} if items else {"vr": "SQ"}


routes.add(f"{DICOMWEB_ROOT}/studies", POST=store_instances)
routes.add(f"{DICOMWEB_ROOT}/studies/{{study}}", POST=store_instances)
