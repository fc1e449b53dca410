"""The bodies of ``/dicom-web/servers/{name}``: a server's definition (``PUT``) and what to
ask it (``/qido``, ``/get``, ``/post``: ``Uri``, ``Arguments``, ``HttpHeaders``, and ``Body``
for a POST), checked in the plugin's order with its messages, before the server is looked
up."""

from __future__ import annotations

from typing import Any

from chalice.app import Request

from chalicelib.api import http
from chalicelib.errors import bad_file
from chalicelib.remotes.dicomweb_server import check_uri
from chalicelib.services.dicomweb.servers import ProxyRequest


def json_object_body(request: Request) -> Any:
    """The body as JSON, or the plugin's error when it is not JSON."""
    body = http.json_body_or_none(request)
    if body is None:
        raise bad_file("A JSON file was expected")
    return body


def proxy_request(request: Request, with_body: bool = False) -> ProxyRequest:
    """What a proxy asks the server for (``Body`` read only for ``/post``)."""
    body = json_object_body(request)
    if not isinstance(body, dict) or "Uri" not in body:
        raise bad_file(
            'A request to the DICOMweb client must provide a JSON object with the field "Uri" '
            "containing the URI of interest"
        )
    uri = _string(body, "Uri")
    arguments = string_values(body, "Arguments")
    check_uri(uri)
    headers = string_values(body, "HttpHeaders")
    payload = _string(body, "Body").encode() if with_body and "Body" in body else None
    return ProxyRequest(uri, arguments, headers, payload)


def _string(body: dict[str, Any], key: str) -> str:
    if not isinstance(body[key], str):
        raise bad_file(f'The field "{key}" in a JSON object should be a string')
    return str(body[key])


def string_values(body: dict[str, Any], key: str) -> dict[str, str]:
    """An optional object of strings (the plugin's associative arrays)."""
    value = body.get(key, {})
    if not isinstance(value, dict):
        raise bad_file("The JSON object is not a JSON associative array as expected")
    for name, text in value.items():
        if not isinstance(text, str):
            raise bad_file(f'Value "{name}" in the associative array is not a string as expected')
    return dict(value)
