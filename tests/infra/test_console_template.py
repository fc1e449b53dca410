"""The console as the CDK app publishes it (infra/console.py, infra/static_sites.py): files of
a private bucket answered by API Gateway without the authorizer, read by a role that can read
nothing else, with the console's Content-Security-Policy; the user pool's hosted sign-in
(infra/api_auth.py) sending users back to the console; config.json written at deployment.

The default synthesis (tests/infra/conftest.py) has the console and a created user pool; one
more leaves the console out.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from console import site
from infra.api_auth import existing_domain_url
from infra.chalice_app import ANY_METHOD, AUTHORIZER, HTTP_METHODS
from infra.console import PREFIX
from infra.settings import user_pool_domain
from infra.static_sites import api_stage
from tests.infra.conftest import Synthesized, synthesize

CONSOLE_PATHS = {f"/{PREFIX}", f"/{PREFIX}/{{proxy+}}"}


def _render(value: Any) -> str:
    """A CloudFormation string as text, each reference written ``<LogicalId>``."""
    if isinstance(value, str):
        return value
    if "Ref" in value:
        return f"<{value['Ref']}>"
    separator, parts = value["Fn::Join"]
    return separator.join(_render(part) for part in parts)


def _upload(synthesized: Synthesized) -> dict[str, Any]:
    bucket, _ = synthesized.one("AWS::S3::Bucket", "ConsoleFiles")
    [upload] = [
        r["Properties"]
        for r in synthesized.resources("Custom::CDKBucketDeployment").values()
        if r["Properties"]["DestinationBucketName"] == {"Ref": bucket}
    ]
    return upload


def _logical(synthesized: Synthesized, kind: str) -> str:
    [logical] = synthesized.resources(kind)
    return logical


@pytest.fixture(scope="module")
def without_console(tmp_path_factory: pytest.TempPathFactory) -> Synthesized:
    return synthesize(tmp_path_factory.mktemp("cdk-no-console"), {"cirrus:console": "false"})


def test_the_console_paths_are_get_methods_without_authorizer(synthesized) -> None:
    paths = synthesized.api_paths()
    assert set(paths) >= CONSOLE_PATHS
    for path in CONSOLE_PATHS:
        assert list(paths[path]) == ["get"]
        assert "security" not in paths[path]["get"]
    index = paths[f"/{PREFIX}"]["get"]["x-amazon-apigateway-integration"]
    files = paths[f"/{PREFIX}/{{proxy+}}"]["get"]["x-amazon-apigateway-integration"]
    assert index["uri"]["Fn::Join"][1][-1] == f"/{PREFIX}/{site.INDEX}"
    assert files["uri"]["Fn::Join"][1][-1] == f"/{PREFIX}/{{proxy}}"
    assert files["requestParameters"] == {
        "integration.request.path.proxy": "method.request.path.proxy"
    }
    # Every other method of the API keeps the authorizer.
    others = [
        operation
        for path, operations in paths.items()
        if path not in CONSOLE_PATHS
        for method, operation in operations.items()
        if method in HTTP_METHODS or method == ANY_METHOD
    ]
    assert others and all(o["security"] == [{AUTHORIZER: []}] for o in others)


def test_api_gateway_reads_the_console_prefix_only_with_its_own_role(synthesized) -> None:
    bucket, _ = synthesized.one("AWS::S3::Bucket", "ConsoleFiles")
    role, props = synthesized.one("AWS::IAM::Role", "ConsoleReader")
    key, _ = synthesized.one("AWS::KMS::Key", "DataKey")
    for path in CONSOLE_PATHS:
        integration = synthesized.api_paths()[path]["get"]["x-amazon-apigateway-integration"]
        assert (integration["type"], integration["httpMethod"]) == ("aws", "GET")
        assert integration["credentials"] == {"Fn::GetAtt": [role, "Arn"]}
        assert {"Ref": bucket} in integration["uri"]["Fn::Join"][1]
        assert integration["responses"]["4\\d{2}"] == {"statusCode": "404"}
    [statement] = props["AssumeRolePolicyDocument"]["Statement"]
    assert statement["Principal"] == {"Service": "apigateway.amazonaws.com"}
    statements = [
        s
        for policy in synthesized.resources("AWS::IAM::Policy").values()
        if {"Ref": role} in policy["Properties"]["Roles"]
        for s in policy["Properties"]["PolicyDocument"]["Statement"]
    ]
    objects = {"Fn::Join": ["", [{"Fn::GetAtt": [bucket, "Arn"]}, f"/{PREFIX}/*"]]}
    assert [(s["Action"], s["Resource"]) for s in statements] == [
        ("s3:GetObject", objects),
        ("kms:Decrypt", {"Fn::GetAtt": [key, "Arn"]}),
    ]


def test_nothing_in_the_bucket_is_public(synthesized) -> None:
    bucket, props = synthesized.one("AWS::S3::Bucket", "ConsoleFiles")
    assert set(props["PublicAccessBlockConfiguration"].values()) == {True}
    assert props["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    [statement] = [
        s
        for p in synthesized.resources("AWS::S3::BucketPolicy").values()
        if p["Properties"]["Bucket"] == {"Ref": bucket}
        for s in p["Properties"]["PolicyDocument"]["Statement"]
    ]
    assert statement["Effect"] == "Deny"
    assert statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def test_the_answers_carry_the_policy_naming_the_sign_in_domain(synthesized) -> None:
    upload = _upload(synthesized)
    domain = _logical(synthesized, "AWS::Cognito::UserPoolDomain")
    sign_in = f"https://<{domain}>.auth.<AWS::Region>.amazoncognito.com"
    stack = synthesized.stack
    dicom = stack.resolve(stack.get_logical_id(stack.storage.buckets["dicom"].node.default_child))
    uploads = (
        f"https://<{dicom}>.s3.<AWS::Region>.<AWS::URLSuffix> https://<{dicom}>.s3.<AWS::URLSuffix>"
    )
    assert _render(upload["UserMetadata"]["csp"]) == site.content_security_policy(
        sign_in, upload_origin=uploads
    )
    assert upload["DestinationBucketKeyPrefix"] == f"{PREFIX}/"
    assert "SystemMetadata" not in upload  # stored as built: not gzipped
    for path in CONSOLE_PATHS:
        answer = synthesized.api_paths()[path]["get"]["x-amazon-apigateway-integration"]
        headers = answer["responses"]["default"]["responseParameters"]
        assert headers["method.response.header.Content-Security-Policy"] == (
            "integration.response.header.x-amz-meta-csp"
        )


def test_config_json_is_written_at_deployment_with_the_sign_in(synthesized) -> None:
    upload = _upload(synthesized)
    built, config = (
        synthesized.template_path.parent / f"asset.{key.removesuffix('.zip')}"
        for key in upload["SourceObjectKeys"]
    )
    # The built site without a config.json of its own...
    assert (built / site.INDEX).is_file() and not (built / site.CONFIG).exists()
    # ... and config.json, whose deploy-time values CDK's function fills in.
    text = (config / site.CONFIG).read_text()
    for marker, value in upload["SourceMarkers"][1].items():
        text = text.replace(marker, _render(value).replace("<", "{").replace(">", "}"))
    domain = _logical(synthesized, "AWS::Cognito::UserPoolDomain")
    client = _logical(synthesized, "AWS::Cognito::UserPoolClient")
    assert json.loads(text) == {
        "Cognito": {
            "Domain": f"https://{{{domain}}}.auth.{{AWS::Region}}.amazoncognito.com",
            "ClientId": f"{{{client}}}",
            "RedirectUri": "https://{RestAPI}.execute-api.{AWS::Region}.{AWS::URLSuffix}"
            f"/{api_stage()}/{PREFIX}/",
        },
        "DirectUploadLimit": site.DEFAULT_CONFIG["DirectUploadLimit"],
    }
    output = synthesized.template["Outputs"]["ConsoleUrl"]["Value"]
    assert _render(output) == (
        f"https://<RestAPI>.execute-api.<AWS::Region>.<AWS::URLSuffix>/{api_stage()}/{PREFIX}/"
    )


def test_the_app_client_signs_in_with_a_code_and_pkce_back_to_the_console(synthesized) -> None:
    _, client = synthesized.one("AWS::Cognito::UserPoolClient", "ApiClient")
    console = (
        f"https://<RestAPI>.execute-api.<AWS::Region>.<AWS::URLSuffix>/{api_stage()}/{PREFIX}/"
    )
    assert client["AllowedOAuthFlows"] == ["code"]
    assert client["AllowedOAuthFlowsUserPoolClient"] is True
    assert sorted(client["AllowedOAuthScopes"]) == ["email", "openid", "profile"]
    assert [_render(url) for url in client["CallbackURLs"]] == [console]
    assert [_render(url) for url in client["LogoutURLs"]] == [console]
    assert client["GenerateSecret"] is False  # public: the code exchange proves PKCE's verifier
    _, pool = synthesized.one("AWS::Cognito::UserPool", "UserPool")
    assert pool["MfaConfiguration"] == "ON"
    assert pool["EnabledMfas"] == ["SOFTWARE_TOKEN_MFA"]
    _, domain = synthesized.one("AWS::Cognito::UserPoolDomain", "SignIn")
    assert _render(domain["Domain"]) == "cirrus-<AWS::AccountId>"
    assert domain["ManagedLoginVersion"] == 2
    client_id = _logical(synthesized, "AWS::Cognito::UserPoolClient")
    _, pages = synthesized.one("AWS::Cognito::ManagedLoginBranding", "SignInPages")
    assert pages["ClientId"] == {"Ref": client_id}
    assert pages["UseCognitoProvidedValues"] is True


def test_the_authorizer_is_named_so_that_the_api_and_the_client_do_not_depend_on_each_other(
    synthesized,
) -> None:
    body = synthesized.template["Resources"]["RestAPI"]["Properties"]["DefinitionBody"]
    uri = body["securityDefinitions"][AUTHORIZER]["x-amazon-apigateway-authorizer"]
    [function] = [
        f["Properties"]
        for n, f in synthesized.resources("AWS::Lambda::Function").items()
        if "Authorizer" in n
    ]
    assert _render(uri["authorizerUri"]).endswith(
        f":function:{function['FunctionName']}/invocations"
    )
    assert "Fn::GetAtt" not in json.dumps(uri)


def test_without_the_console_nothing_of_it_is_synthesized(without_console) -> None:
    assert not any(
        path.startswith(f"/{PREFIX.split('/')[0]}") for path in without_console.api_paths()
    )
    assert not [k for k in without_console.resources("AWS::S3::Bucket") if "Console" in k]
    assert not without_console.resources("AWS::Cognito::UserPoolDomain")
    assert not without_console.resources("AWS::Cognito::ManagedLoginBranding")
    _, client = without_console.one("AWS::Cognito::UserPoolClient", "ApiClient")
    assert "AllowedOAuthFlows" not in client and "CallbackURLs" not in client
    assert "ConsoleUrl" not in without_console.template["Outputs"]


@pytest.mark.parametrize(
    ("value", "url"),
    [
        ("hospital-pacs", "https://hospital-pacs.auth.${Token[AWS.Region"),
        ("login.hospital.example", "https://login.hospital.example"),
        ("https://login.hospital.example/", "https://login.hospital.example"),
    ],
)
def test_an_existing_pools_domain_is_a_prefix_or_a_host(value: str, url: str) -> None:
    assert existing_domain_url(value).startswith(url)


@pytest.mark.parametrize("value", ["Upper", "my_pool", "aws-cirrus", "-start", "x" * 64])
def test_a_created_pools_domain_prefix_is_checked(value: str) -> None:
    with pytest.raises(ValueError, match="cirrus:userPoolDomain"):
        user_pool_domain(value, "create")
    assert user_pool_domain(value, "eu-west-1_AbCdEf") == value  # an existing pool's own


def test_the_build_refuses_unknown_settings() -> None:
    with pytest.raises(ValueError, match="Unknown console settings: Cognitto"):
        site.site_config({"Cognitto": None})
    assert site.site_config({"DirectUploadLimit": 1})["DirectUploadLimit"] == 1
