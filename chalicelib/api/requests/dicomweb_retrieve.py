"""The body of ``POST /dicom-web/servers/{name}/retrieve``, read as Orthanc's DICOMweb plugin
reads it, in its order and with its messages: ``Resources`` (an array of objects naming a
``Study``, optionally a ``Series`` and an ``Instance`` of it), then ``HttpHeaders``, then the
job options (``Synchronous``/``Asynchronous``, ``Priority``). All of it is checked before the
server is looked up.

The plugin (1.7) reads nothing else: ``Arguments``, ``Permissive`` and ``Transcode`` are
ignored, whatever their types; a faulty ``Synchronous`` or
``Priority`` gets a 400 without details, which the shared readers of ``fields.py`` give
with theirs.
"""

from __future__ import annotations

from typing import Any

from chalice.app import Request

from chalicelib.api.requests.dicomweb_servers import json_object_body, string_values
from chalicelib.api.requests.fields import boolean_option, integer_option
from chalicelib.errors import ErrorCode, OrthancError, bad_file
from chalicelib.jobs.model import JobOptions
from chalicelib.services.dicomweb.retrieve_job import RemoteResource, WadoRetrieveRequest

_LEVELS = ("Study", "Series", "Instance")


def wado_retrieve_request(request: Request) -> WadoRetrieveRequest:
    """What to retrieve, and how the job runs."""
    body = json_object_body(request)
    if not isinstance(body, dict) or not isinstance(body.get("Resources"), list):
        raise bad_file('The body must be a JSON object containing an array "Resources"')
    resources = [_resource(entry) for entry in body["Resources"]]
    headers = string_values(body, "HttpHeaders")
    if "Synchronous" in body:
        asynchronous = not boolean_option(body, "Synchronous", True)
    else:
        asynchronous = boolean_option(body, "Asynchronous", False)
    options = JobOptions(
        asynchronous=asynchronous,
        priority=integer_option(body, "Priority", 0) or 0,
        permissive=False,
        user_data=None,
    )
    return WadoRetrieveRequest(resources, headers, options)


def _resource(entry: Any) -> RemoteResource:
    """One entry of ``Resources``: the plugin requires Study, and Series when Instance is
    given; each present UID must be a string."""
    if not isinstance(entry, dict):
        raise OrthancError(ErrorCode.BAD_FILE_FORMAT)  # the plugin gives no details
    if "Study" not in entry:
        raise bad_file('Missing "Study" field in the body')
    if "Instance" in entry and "Series" not in entry:
        raise bad_file('Missing "Series" field in the body, as "Instance" is present')
    for level in _LEVELS:
        if level in entry and not isinstance(entry[level], str):
            raise bad_file(f'The field "{level}" in a JSON object should be a string')
    return RemoteResource(entry["Study"], entry.get("Series"), entry.get("Instance"))
