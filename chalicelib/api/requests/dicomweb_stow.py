"""The body of ``POST /dicom-web/servers/{name}/stow``: ``Resources`` (Orthanc IDs of
patients, studies, series or instances), ``HttpHeaders``, ``Arguments``, and the job options
(``Synchronous``/``Asynchronous``, ``Priority``), read in the plugin's order with its
messages. The job options are read by the route once the resources are known to exist, as
the plugin reads them."""

from __future__ import annotations

from typing import Any

from chalice.app import Request

from chalicelib.api.requests.dicomweb_servers import json_object_body, string_values
from chalicelib.dicom.identifiers import is_resource_id
from chalicelib.errors import bad_file, unknown_resource
from chalicelib.services.dicomweb.stow_job import StowOptions

RESOURCES = "Resources"


def stow_request(request: Request) -> tuple[dict[str, Any], list[str], StowOptions]:
    """The body, the resources to send (each a string; one that cannot name a resource is
    Orthanc's 404 at once, as one that names nothing is after the lookup), and the STOW-RS
    options."""
    body = json_object_body(request)
    if not isinstance(body, dict) or not isinstance(body.get(RESOURCES), list):
        raise bad_file(
            "A request to the DICOMweb STOW-RS client must provide a JSON object with the "
            f'field "{RESOURCES}" containing an array of resources to be sent'
        )
    headers = string_values(body, "HttpHeaders")
    arguments = string_values(body, "Arguments")
    resources: list[str] = []
    for resource in body[RESOURCES]:
        if not isinstance(resource, str):
            raise bad_file(f"The {RESOURCES} to be sent must be strings")
        if not is_resource_id(resource):
            raise unknown_resource()
        resources.append(resource)
    return body, resources, StowOptions(headers, arguments)
