"""The body of Orthanc's routes that send resources somewhere (``/peers/{id}/store``,
``/modalities/{id}/store``): the same forms and the same error messages for both, then the
options of each kind of destination."""

from __future__ import annotations

import json
from typing import Any

from chalice.app import Request

from chalicelib.api import http
from chalicelib.api.requests.fields import (
    boolean_option,
    integer_option,
    nonnegative_timeout,
    string_option,
)
from chalicelib.dicom.identifiers import is_resource_id
from chalicelib.errors import ErrorCode, OrthancError, TooLarge, bad_file
from chalicelib.services.dicom_asked.store import ModalityStoreOptions
from chalicelib.services.peers.store import PeerStoreOptions


def sending_request(request: Request) -> tuple[dict[str, Any], list[str]]:
    """The body as an object, and the identifiers of the resources to send."""
    body = _body(request)
    return body, _resource_ids(body)


def _body(request: Request) -> dict[str, Any]:
    """Orthanc accepts a bare identifier (not even quoted), a JSON list of them, or an
    object with ``Resources``."""
    data = request.raw_body or b""
    if len(data) > http.MAX_JSON_BODY:
        raise TooLarge("Request body too large")
    text = data.decode("utf-8", errors="replace").strip()
    if is_resource_id(text):
        return {"Resources": [text]}
    try:
        body = json.loads(text)
    except ValueError:
        raise bad_file("Must provide a JSON value") from None
    if isinstance(body, str):
        return {"Resources": [body]}
    if isinstance(body, list):
        return {"Resources": body}
    if isinstance(body, dict):
        return body
    raise bad_file("Must provide a JSON object, or a JSON array of strings")


def _resource_ids(body: dict[str, Any]) -> list[str]:
    if "Resources" not in body:
        raise bad_file('Missing field in JSON: "Resources"')
    resources = body["Resources"]
    if not isinstance(resources, list):
        raise bad_file('JSON field "Resources" must contain an array')
    if not all(isinstance(r, str) for r in resources):
        raise bad_file("Resources to be exported must be specified as a JSON array of strings")
    for resource_id in resources:
        if not is_resource_id(resource_id):
            raise bad_file(f"This string is not a valid Orthanc identifier: {resource_id}")
    return resources


def peer_store_options(body: dict[str, Any]) -> PeerStoreOptions:
    compress = boolean_option(body, "Compress", False)
    if "Transcode" in body:
        raise OrthancError(
            ErrorCode.NOT_IMPLEMENTED, "Transcoding while sending to a peer is not supported yet"
        )
    return PeerStoreOptions(compress)


def modality_store_options(body: dict[str, Any]) -> ModalityStoreOptions:
    return ModalityStoreOptions(
        local_aet=string_option(body, "LocalAet"),
        move_originator_aet=string_option(body, "MoveOriginatorAet"),
        move_originator_id=integer_option(body, "MoveOriginatorID", 0) or 0,
        timeout=nonnegative_timeout(body),
        storage_commitment=boolean_option(body, "StorageCommitment", False),
    )
