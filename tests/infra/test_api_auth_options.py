"""The authorizer's user pool options (``cirrus:userPool``), on the auth construct alone:
the whole stack is synthesized once, with the default, in conftest.py."""

from __future__ import annotations

import json
import re
from types import SimpleNamespace
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk.assertions import Template

from infra.api_auth import ApiAuth
from infra.chalice_app import AUTHORIZER


def synthesize(user_pool: str, client_ids: tuple[str, ...] = ()) -> dict[str, Any]:
    stack = cdk.Stack(cdk.App(), "AuthOnly")
    rest_api = cdk.CfnResource(stack, "RestAPI", type="AWS::ApiGateway::RestApi")
    ApiAuth(
        stack,
        "Auth",
        app=SimpleNamespace(get_resource=lambda name: rest_api),  # what ApiAuth uses of it
        key=kms.Key(stack, "Key"),
        log_retention=logs.RetentionDays.ONE_MONTH,
        user_pool=user_pool,
        user_pool_client_ids=client_ids,
        retain=True,
    )
    return Template.from_stack(stack).to_json()


def _authorizer(template: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    resources = template["Resources"]
    [function] = [r for r in resources.values() if r["Type"] == "AWS::Lambda::Function"]
    definition = resources["RestAPI"]["Properties"]["DefinitionBody"]
    return function, definition["securityDefinitions"][AUTHORIZER]["x-amazon-apigateway-authorizer"]


def test_without_a_pool_only_basic_credentials_reach_the_authorizer() -> None:
    template = synthesize("none")
    function, authorizer = _authorizer(template)
    assert set(function["Properties"]["Environment"]["Variables"]) == {"CIRRUS_USERS_SECRET"}
    pattern = re.compile(authorizer["identityValidationExpression"])
    assert pattern.match("Basic b3J0aGFuYzpwdw==")
    assert not pattern.match("Bearer eyJh.eyJz.c2ln")
    assert not any(r["Type"].startswith("AWS::Cognito") for r in template["Resources"].values())


def test_an_existing_pool_is_trusted_for_the_named_clients() -> None:
    template = synthesize("eu-west-1_AbC", ("one", "two"))
    function, authorizer = _authorizer(template)
    variables = function["Properties"]["Environment"]["Variables"]
    assert "eu-west-1_AbC" in json.dumps(variables["CIRRUS_JWT_ISSUER"])
    assert variables["CIRRUS_JWT_CLIENT_IDS"] == "one,two"
    assert re.match(authorizer["identityValidationExpression"], "Bearer eyJh.eyJz.c2ln")
    assert not any(r["Type"].startswith("AWS::Cognito") for r in template["Resources"].values())
