"""``/file`` and ``/content`` answers as the API function gives them to API Gateway: the DICOM
JSON model as text, and binary answers whatever the client's ``Accept`` (Orthanc does not
negotiate there; Chalice would refuse a binary answer to ``Accept: application/json``)."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from tests.integration.helpers import sample_file
from tests.support.api_gateway import proxy_event


@pytest.fixture
def lambda_app(aws, configure) -> Any:
    from app import app

    configure(RemoteAccessAllowed=True, AuthenticationEnabled=False)
    return lambda event: app(event, None)


def _store(lambda_app) -> str:
    answer = lambda_app(proxy_event("POST", "/instances", body=sample_file("CT_small.dcm")))
    assert answer["statusCode"] == 200
    body = answer["body"]
    return json.loads(base64.b64decode(body) if answer.get("isBase64Encoded") else body)["ID"]


def test_dicom_json_is_a_text_answer(lambda_app) -> None:
    instance = _store(lambda_app)
    answer = lambda_app(
        proxy_event(
            "GET", f"/instances/{instance}/file", headers={"Accept": "application/dicom+json"}
        )
    )
    assert (answer["statusCode"], answer.get("isBase64Encoded", False)) == (200, False)
    assert answer["headers"]["Content-Type"] == "application/dicom+json"
    model = json.loads(answer["body"])
    assert model["00100020"] == {"vr": "LO", "Value": ["1CT1"]}
    assert "Content-Disposition" not in answer["headers"]


@pytest.mark.parametrize("accept", ["application/json", "text/html", "image/png"])
@pytest.mark.parametrize("route", ["file", "content/7fe0-0010/0", "content/0010-0010"])
def test_binary_answers_whatever_is_accepted(lambda_app, route: str, accept: str) -> None:
    instance = _store(lambda_app)
    answer = lambda_app(
        proxy_event("GET", f"/instances/{instance}/{route}", headers={"Accept": accept})
    )
    assert (answer["statusCode"], answer["isBase64Encoded"]) == (200, True), answer
    assert base64.b64decode(answer["body"])


def test_tags_with_a_malformed_ignore_length_is_a_client_error(lambda_app) -> None:
    instance = _store(lambda_app)
    answer = lambda_app(
        proxy_event("GET", f"/instances/{instance}/tags", query={"ignore-length": ["0010,0010"]})
    )
    assert answer["statusCode"] == 400
    assert json.loads(answer["body"])["OrthancStatus"] == 27


def test_the_dicom_xml_model_is_not_acceptable(lambda_app) -> None:
    """Known difference: Orthanc answers its DICOM XML model, Cirrus a 406."""
    instance = _store(lambda_app)
    answer = lambda_app(
        proxy_event(
            "GET", f"/instances/{instance}/file", headers={"Accept": "application/dicom+xml"}
        )
    )
    assert answer["statusCode"] == 406
    assert json.loads(answer["body"])["OrthancStatus"] == 34
