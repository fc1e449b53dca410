"""The API's authorizer: Orthanc-style HTTP Basic credentials against Secrets Manager."""

from __future__ import annotations

import base64
import json

import boto3
import pytest
from moto import mock_aws

from infra.authorizer import basic_auth

METHOD_ARN = "arn:aws:execute-api:eu-west-1:123456789012:abcdef1234/api/GET/patients"


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


@pytest.fixture
def users_secret(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setitem(basic_auth._cache, "users", None)
    with mock_aws():
        arn = boto3.client("secretsmanager").create_secret(
            Name="users", SecretString=json.dumps({"alice": "s3cret:with colon", "bob": "pw"})
        )["ARN"]
        monkeypatch.setenv("CIRRUS_USERS_SECRET", arn)
        yield


def test_valid_credentials_allow_the_whole_api(users_secret) -> None:
    event = {"authorizationToken": basic("alice", "s3cret:with colon"), "methodArn": METHOD_ARN}
    answer = basic_auth.handler(event, None)
    assert answer["principalId"] == "alice"
    [statement] = answer["policyDocument"]["Statement"]
    assert statement == {
        "Action": "execute-api:Invoke",
        "Effect": "Allow",
        "Resource": "arn:aws:execute-api:eu-west-1:123456789012:abcdef1234/api/*/*",
    }


@pytest.mark.parametrize(
    "header",
    [
        basic("alice", "wrong"),
        basic("carol", "pw"),
        basic("bob", ""),
        "Bearer abc",
        "Basic !!!",
        "Basic " + base64.b64encode(b"no-colon").decode(),
        "",
    ],
)
def test_anything_else_is_unauthorized(users_secret, header: str) -> None:
    """API Gateway turns exactly this exception text into 401 (with WWW-Authenticate)."""
    with pytest.raises(Exception, match="^Unauthorized$"):
        basic_auth.handler({"authorizationToken": header, "methodArn": METHOD_ARN}, None)


def test_scheme_is_case_insensitive() -> None:
    header = "basic " + base64.b64encode(b"bob:pw").decode()
    assert basic_auth.authenticate(header, {"bob": "pw"}) == "bob"
