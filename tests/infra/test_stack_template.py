"""Assertions on the synthesized template: what issue 7 asks of the deployed stack."""

from __future__ import annotations

import base64
import json
import re
import subprocess
import sys
from typing import Any

import pytest

from chalicelib.storage.schema import load_schema
from infra.chalice_app import (
    ANY_METHOD,
    AUTHORIZER,
    HTTP_METHODS,
    LAMBDA_RUNTIME,
    ROLE_PLACEHOLDER,
)
from infra.functions import ACCESS

FUNCTIONS = sorted(ACCESS)


def _props(synthesized, logical: str) -> dict[str, Any]:
    return synthesized.template["Resources"][logical]["Properties"]


def _key_ref(synthesized) -> dict[str, Any]:
    [key] = synthesized.resources("AWS::KMS::Key")
    return {"Fn::GetAtt": [key, "Arn"]}


def _role_statements(synthesized, role_logical: str) -> list[dict[str, Any]]:
    return [
        statement
        for policy in synthesized.resources("AWS::IAM::Policy").values()
        if {"Ref": role_logical} in policy["Properties"]["Roles"]
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
    ]


def _actions(statements: list[dict[str, Any]]) -> set[str]:
    actions: set[str] = set()
    for statement in statements:
        value = statement["Action"]
        actions.update([value] if isinstance(value, str) else value)
    return actions


# -- storage ------------------------------------------------------------------------------


def test_dicom_bucket_is_versioned_encrypted_with_the_key_and_tls_only(synthesized) -> None:
    [(name, bucket)] = [
        (n, b) for n, b in synthesized.resources("AWS::S3::Bucket").items() if "dicom" in n
    ]
    props = bucket["Properties"]
    assert props["VersioningConfiguration"] == {"Status": "Enabled"}
    [rule] = props["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert rule["ServerSideEncryptionByDefault"] == {
        "SSEAlgorithm": "aws:kms",
        "KMSMasterKeyID": _key_ref(synthesized),
    }
    assert rule["BucketKeyEnabled"] is True
    assert props["LoggingConfiguration"]["DestinationBucketName"]["Ref"] != name
    rules = {r["Id"] for r in props["LifecycleConfiguration"]["Rules"]}
    assert {"downloads", "uploads", "upload-answers", "multipart", "noncurrent"} <= rules
    assert "downloads/noncurrent" in rules
    assert "intelligent-tiering" not in rules  # off unless cirrus:intelligentTiering
    [policy] = [
        p["Properties"]["PolicyDocument"]
        for p in synthesized.resources("AWS::S3::BucketPolicy").values()
        if p["Properties"]["Bucket"] == {"Ref": name}
    ]
    [deny] = [s for s in policy["Statement"] if s["Effect"] == "Deny"]
    assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert deny["Action"] == "s3:*"


def test_every_bucket_blocks_public_access(synthesized) -> None:
    for bucket in synthesized.resources("AWS::S3::Bucket").values():
        block = bucket["Properties"]["PublicAccessBlockConfiguration"]
        assert all(block.values()) and len(block) == 4


@pytest.mark.parametrize("logical", sorted(load_schema()["tables"]))
def test_tables_are_encrypted_protected_and_retained(synthesized, logical: str) -> None:
    [table] = [
        t
        for n, t in synthesized.resources("AWS::DynamoDB::Table").items()
        if f"Table{logical}" in n
    ]
    props = table["Properties"]
    assert props["SSESpecification"] == {
        "KMSMasterKeyId": _key_ref(synthesized),
        "SSEEnabled": True,
        "SSEType": "KMS",
    }
    assert props["DeletionProtectionEnabled"] is True
    assert table["DeletionPolicy"] == "Retain"
    assert table["UpdateReplacePolicy"] == "Retain"


def test_key_rotates_and_is_retained(synthesized) -> None:
    [key] = synthesized.resources("AWS::KMS::Key").values()
    assert key["Properties"]["EnableKeyRotation"] is True
    assert key["DeletionPolicy"] == "Retain"


def test_storage_options() -> None:
    """Intelligent-Tiering of the stored files, and a throw-away deployment."""
    import aws_cdk as cdk
    from aws_cdk.assertions import Match, Template

    from infra.storage import Storage

    stack = cdk.Stack(cdk.App(), "Options")
    Storage(stack, "Storage", retain=False, intelligent_tiering=True)
    template = Template.from_stack(stack)
    template.has_resource(
        "AWS::S3::Bucket",
        {
            "DeletionPolicy": "Delete",
            "Properties": Match.object_like(
                {
                    "LifecycleConfiguration": {
                        "Rules": Match.array_with(
                            [
                                {
                                    "Id": "intelligent-tiering",
                                    "Prefix": "dicom/",
                                    "Status": "Enabled",
                                    "Transitions": [
                                        {
                                            "StorageClass": "INTELLIGENT_TIERING",
                                            "TransitionInDays": 0,
                                        }
                                    ],
                                }
                            ]
                        )
                    }
                }
            ),
        },
    )
    template.has_resource_properties("AWS::DynamoDB::Table", {"DeletionProtectionEnabled": False})


# -- the Chalice application ---------------------------------------------------------------


def test_the_chalice_package_is_included(synthesized) -> None:
    functions = synthesized.resources("AWS::Serverless::Function")
    assert sorted(functions) == FUNCTIONS
    assert synthesized.template["Transform"] == "AWS::Serverless-2016-10-31"
    [layer] = synthesized.resources("AWS::Serverless::LayerVersion")
    for props in (f["Properties"] for f in functions.values()):
        assert props["Runtime"] == LAMBDA_RUNTIME
        assert props["Layers"][0] == {"Ref": layer}
        assert props["Tracing"] == "Active"


@pytest.mark.parametrize("logical", FUNCTIONS)
def test_each_function_has_its_own_role_and_environment(synthesized, logical: str) -> None:
    props = _props(synthesized, logical)
    role = props["Role"]["Fn::GetAtt"][0]
    assert ROLE_PLACEHOLDER not in json.dumps(props)
    assert logical in role  # e.g. AppAPIHandlerRole...
    others = {_props(synthesized, f)["Role"]["Fn::GetAtt"][0] for f in FUNCTIONS if f != logical}
    assert role not in others
    variables = props["Environment"]["Variables"]
    for table in load_schema()["tables"]:
        assert f"CIRRUS_TABLE_{table.upper()}" in variables
    assert "CIRRUS_BUCKET_DICOM" in variables
    assert variables["CIRRUS_CONFIG"] == "/opt/cirrus/config.json"
    assert variables["POWERTOOLS_SERVICE_NAME"] == "cirrus"
    assert variables["POWERTOOLS_METRICS_NAMESPACE"] == "Cirrus"
    assert "CIRRUS_JOBS_STATE_MACHINE" in variables


def test_least_privilege(synthesized) -> None:
    """Each role has what its function uses: the stream and the stability check touch only
    the DICOMweb metadata documents in S3 (and the check reads files), no jobs but from the
    API and the job step."""

    def role_of(logical: str) -> str:
        return _props(synthesized, logical)["Role"]["Fn::GetAtt"][0]

    actions = {f: _actions(_role_statements(synthesized, role_of(f))) for f in FUNCTIONS}
    s3_grants = {
        logical: {
            (action, json.dumps(statement["Resource"]))
            for statement in _role_statements(synthesized, role_of(logical))
            for action in _actions([statement])
            if action.startswith("s3:")
        }
        for logical in ("IndexStream", "StabilityCheck")
    }
    documents = "/dicomweb-metadata/*"
    assert {a for a, _ in s3_grants["IndexStream"]} == {"s3:DeleteObject"}
    assert all(documents in resource for _, resource in s3_grants["IndexStream"])
    assert {a for a, r in s3_grants["StabilityCheck"] if documents in r} == {"s3:PutObject"}
    assert {a for a, r in s3_grants["StabilityCheck"] if documents not in r} == {"s3:GetObject"}
    assert "s3:PutObject" in actions["UploadReceived"]
    assert "dynamodb:GetRecords" in actions["IndexStream"]
    assert "states:StartExecution" in actions["APIHandler"]
    assert "states:StartExecution" not in actions["JobStep"]  # no step starts a job
    for logical in ("IndexStream", "UploadReceived", "StabilityCheck"):
        assert "states:StartExecution" not in actions[logical]
        assert "ec2:CreateNetworkInterface" not in actions[logical]
    statements = _role_statements(synthesized, role_of("IndexStream"))
    index = next(n for n in synthesized.resources("AWS::DynamoDB::Table") if "Tableindex" in n)
    writes = [
        s
        for s in statements
        if "dynamodb:PutItem" in _actions([s]) and index in json.dumps(s["Resource"])
    ]
    assert writes == []
    for statement in _role_statements(synthesized, role_of("APIHandler")):
        if statement["Resource"] == "*":
            assert _actions([statement]) <= {
                "xray:PutTraceSegments",
                "xray:PutTelemetryRecords",
                "ec2:CreateNetworkInterface",
                "ec2:DescribeNetworkInterfaces",
                "ec2:DeleteNetworkInterface",
                "ec2:AssignPrivateIpAddresses",
                "ec2:UnassignPrivateIpAddresses",
            }


def test_index_stream_reports_partial_failures_to_a_dead_letter_queue(synthesized) -> None:
    events = _props(synthesized, "IndexStream")["Events"]
    [source] = events.values()
    assert source["Type"] == "DynamoDB"
    props = source["Properties"]
    index = next(n for n in synthesized.resources("AWS::DynamoDB::Table") if "Tableindex" in n)
    assert props["Stream"] == {"Fn::GetAtt": [index, "StreamArn"]}
    assert props["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert props["BisectBatchOnFunctionError"] is True
    assert props["StartingPosition"] == "TRIM_HORIZON"
    [queue] = synthesized.resources("AWS::SQS::Queue")
    assert props["DestinationConfig"] == {
        "OnFailure": {"Type": "SQS", "Destination": {"Fn::GetAtt": [queue, "Arn"]}}
    }
    for logical in ("UploadReceived", "StabilityCheck"):
        dead_letters = _props(synthesized, logical)["DeadLetterQueue"]
        assert dead_letters == {"Type": "SQS", "TargetArn": {"Fn::GetAtt": [queue, "Arn"]}}


def test_uploads_notify_the_upload_function(synthesized) -> None:
    [notification] = synthesized.resources("Custom::S3BucketNotifications").values()
    [config] = notification["Properties"]["NotificationConfiguration"][
        "LambdaFunctionConfigurations"
    ]
    assert config["Events"] == ["s3:ObjectCreated:*"]
    assert config["Filter"] == {"Key": {"FilterRules": [{"Name": "prefix", "Value": "uploads/"}]}}
    assert config["LambdaFunctionArn"] == {"Fn::GetAtt": ["UploadReceived", "Arn"]}
    permissions = [
        p["Properties"]
        for p in synthesized.resources("AWS::Lambda::Permission").values()
        if p["Properties"]["Principal"] == "s3.amazonaws.com"
    ]
    assert [p["FunctionName"] for p in permissions] == [{"Fn::GetAtt": ["UploadReceived", "Arn"]}]


def test_stability_check_runs_every_minute(synthesized) -> None:
    [event] = _props(synthesized, "StabilityCheck")["Events"].values()
    assert event == {"Type": "Schedule", "Properties": {"Schedule": "rate(1 minute)"}}


def test_functions_that_call_modalities_and_peers_are_in_the_vpc(synthesized) -> None:
    private = {
        n for n, s in synthesized.resources("AWS::EC2::Subnet").items() if "private" in n.lower()
    }
    for logical in FUNCTIONS:
        config = _props(synthesized, logical).get("VpcConfig")
        if ACCESS[logical].in_vpc:
            assert {s["Ref"] for s in config["SubnetIds"]} == private
        else:
            assert config is None


# -- the API --------------------------------------------------------------------------------


def test_api_is_regional_with_binary_types(synthesized) -> None:
    props = _props(synthesized, "RestAPI")
    assert props["EndpointConfiguration"] == "REGIONAL"
    # Every type is binary to API Gateway, so that clients sending "Accept: */*" (curl) or
    # no Accept get the bytes of a file; app.py's list says which answers are base64.
    assert props["DefinitionBody"]["x-amazon-apigateway-binary-media-types"] == ["*/*"]
    from app import app

    dicom_zip_images = {"application/dicom", "application/zip", "image/png", "multipart/related"}
    assert dicom_zip_images <= set(app.api.binary_types)


def test_the_api_is_a_greedy_proxy_to_the_api_function(synthesized) -> None:
    """Two resources, ``/`` and ``/{proxy+}``, whose ANY method reaches the function that
    routes requests itself (chalicelib/api/proxy.py), with the resource names it expects;
    the others are the viewer's and the console's files (tests/infra/test_viewer_template.py,
    tests/infra/test_console_template.py)."""
    from chalicelib.api.proxy import PROXY_RESOURCE, ROOT_RESOURCE

    body = _props(synthesized, "RestAPI")["DefinitionBody"]
    viewer = {*synthesized.stack.viewer.paths(), *synthesized.stack.console.paths()}
    assert set(body["paths"]) - viewer == {ROOT_RESOURCE, PROXY_RESOURCE}
    for path, operations in body["paths"].items():
        if path in viewer:
            continue
        [(method, operation)] = operations.items()
        assert method == ANY_METHOD
        integration = operation["x-amazon-apigateway-integration"]
        assert (integration["type"], integration["httpMethod"]) == ("aws_proxy", "POST")
        assert "${APIHandler.Arn}" in integration["uri"]["Fn::Sub"]
    [parameter] = body["paths"][PROXY_RESOURCE][ANY_METHOD]["parameters"]
    assert parameter == {"name": "proxy", "in": "path", "required": True, "type": "string"}


def test_every_api_method_requires_the_authorizer(synthesized) -> None:
    body = _props(synthesized, "RestAPI")["DefinitionBody"]
    methods = [
        (path, method, operation)
        for path, operations in body["paths"].items()
        for method, operation in operations.items()
        if method in HTTP_METHODS or method == ANY_METHOD
    ]
    console = synthesized.stack.console.paths()
    assert len(methods) == 2 + len(synthesized.stack.viewer.paths()) + len(console)
    # The console's files only: its sign-in page must load (infra/console.py).
    open_methods = [(p, m) for p, m, o in methods if o.get("security") != [{AUTHORIZER: []}]]
    assert open_methods == [(path, "get") for path in console]
    authorizer = body["securityDefinitions"][AUTHORIZER]["x-amazon-apigateway-authorizer"]
    assert authorizer["type"] == "token"
    [function] = [
        f for n, f in synthesized.resources("AWS::Lambda::Function").items() if "Authorizer" in n
    ]
    # By name (infra/api_auth.py: a reference would make a dependency cycle with the client).
    assert f":function:{function['Properties']['FunctionName']}/" in json.dumps(
        authorizer["authorizerUri"]
    )
    # Basic credentials or a token of the user pool reach the function; nothing else.
    pattern = re.compile(authorizer["identityValidationExpression"])
    assert pattern.match("Basic " + base64.b64encode(b"orthanc:pw").decode())
    assert pattern.match("Bearer eyJhbGciOi.eyJzdWIiOi.c2lnbmF0dXJl")
    assert not pattern.match("Bearer not-a-jwt")
    assert not pattern.match("Digest username=orthanc")


@pytest.mark.parametrize(
    ("kind", "code", "status"),
    [
        ("UNAUTHORIZED", 29, 401),
        ("ACCESS_DENIED", 45, 403),
        ("MISSING_AUTHENTICATION_TOKEN", 17, 404),
        ("REQUEST_TOO_LARGE", 8, 413),
        ("INTEGRATION_TIMEOUT", 16, 504),
        ("AUTHORIZER_FAILURE", -1, 500),
        ("INTEGRATION_FAILURE", -1, 500),
    ],
)
def test_gateway_errors_have_orthancs_body(synthesized, kind, code, status) -> None:
    """What API Gateway answers by itself reads like Orthanc's errors, as the functions'."""
    body = _props(synthesized, "RestAPI")["DefinitionBody"]
    answer = body["x-amazon-apigateway-gateway-responses"][kind]
    assert answer["statusCode"] == status
    assert answer["responseParameters"]["gatewayresponse.header.Content-Type"] == (
        "'application/json'"
    )
    gateway = json.loads(answer["responseTemplates"]["application/json"])
    assert gateway["HttpStatus"] == status and gateway["OrthancStatus"] == code
    assert (gateway["Method"], gateway["Uri"]) == ("$context.httpMethod", "$context.path")
    assert set(gateway) >= {"HttpError", "Message", "OrthancError"}


def test_refusals_carry_orthancs_challenge(synthesized) -> None:
    body = _props(synthesized, "RestAPI")["DefinitionBody"]
    answer = body["x-amazon-apigateway-gateway-responses"]["UNAUTHORIZED"]
    header = answer["responseParameters"]["gatewayresponse.header.WWW-Authenticate"]
    assert header == "'Basic realm=\"Orthanc Secure Area\"'"


def test_unknown_paths_answer_orthancs_unknown_resource(synthesized) -> None:
    from chalicelib.api.error_map import error_body
    from chalicelib.errors import ErrorCode, OrthancError

    body = _props(synthesized, "RestAPI")["DefinitionBody"]
    answer = body["x-amazon-apigateway-gateway-responses"]["MISSING_AUTHENTICATION_TOKEN"]
    gateway = json.loads(answer["responseTemplates"]["application/json"])
    orthanc = error_body(
        OrthancError(ErrorCode.UNKNOWN_RESOURCE), "$context.httpMethod", "$context.path"
    )
    assert gateway == orthanc


def test_user_pool_tokens_are_checked_by_the_authorizer(synthesized) -> None:
    [pool] = synthesized.resources("AWS::Cognito::UserPool").values()
    props = pool["Properties"]
    assert props["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True
    assert props["Policies"]["PasswordPolicy"]["MinimumLength"] >= 14
    assert props["MfaConfiguration"] == "ON"
    assert props["UserPoolAddOns"]["AdvancedSecurityMode"] == "ENFORCED"
    assert props["DeletionProtection"] == "ACTIVE" and pool["DeletionPolicy"] == "Retain"
    [(client_id, client)] = synthesized.resources("AWS::Cognito::UserPoolClient").items()
    assert not client["Properties"].get("GenerateSecret")
    [authorizer] = [
        f for n, f in synthesized.resources("AWS::Lambda::Function").items() if "Authorizer" in n
    ]
    variables = authorizer["Properties"]["Environment"]["Variables"]
    assert "/.well-known" not in json.dumps(variables["CIRRUS_JWT_ISSUER"])
    assert "https://cognito-idp." in json.dumps(variables["CIRRUS_JWT_ISSUER"])
    assert client_id in json.dumps(variables["CIRRUS_JWT_CLIENT_IDS"])
    assert authorizer["Properties"]["Handler"] == "api_authorizer.handler.handler"
    assert authorizer["Properties"]["LoggingConfig"]["LogFormat"] == "JSON"


def test_authorizer_runs_from_its_asset(synthesized) -> None:
    """The handler named in the template imports from the asset's files alone."""
    [authorizer] = [
        f for n, f in synthesized.resources("AWS::Lambda::Function").items() if "Authorizer" in n
    ]
    asset_hash = authorizer["Properties"]["Code"]["S3Key"].removesuffix(".zip")
    directory = synthesized.template_path.parent / f"asset.{asset_hash}"
    assert sorted(p.name for p in directory.iterdir()) == ["api_authorizer", "chalicelib"]
    assert sorted(p.name for p in (directory / "chalicelib").iterdir()) == [
        "__init__.py",
        "credentials.py",
    ]
    module, function = authorizer["Properties"]["Handler"].rsplit(".", 1)
    check = f"import {module} as m; assert callable(m.{function})"
    subprocess.run([sys.executable, "-E", "-s", "-c", check], cwd=directory, check=True)


def test_users_secret_is_read_by_the_authorizer_only(synthesized) -> None:
    secrets = synthesized.resources("AWS::SecretsManager::Secret")
    [secret] = [name for name in secrets if name.startswith("AuthUsers")]
    readers = [
        policy["Properties"]["Roles"]
        for policy in synthesized.resources("AWS::IAM::Policy").values()
        if "secretsmanager:GetSecretValue" in json.dumps(policy) and secret in json.dumps(policy)
    ]
    assert len(readers) == 1 and "Authorizer" in readers[0][0]["Ref"]


def test_api_access_is_logged(synthesized) -> None:
    props = _props(synthesized, "RestAPI")
    assert "DestinationArn" in props["AccessLogSetting"]
    assert "$context.authorizer.principalId" in props["AccessLogSetting"]["Format"]


# -- network and the DICOM service --------------------------------------------------------


def test_vpc_has_gateway_endpoints_and_no_public_ips(synthesized) -> None:
    endpoints = synthesized.resources("AWS::EC2::VPCEndpoint").values()
    services = sorted(json.dumps(e["Properties"]["ServiceName"]) for e in endpoints)
    assert len(services) == 2
    assert "dynamodb" in services[0] and "s3" in services[1]
    assert {e["Properties"]["VpcEndpointType"] for e in endpoints} == {"Gateway"}
    for subnet in synthesized.resources("AWS::EC2::Subnet").values():
        assert subnet["Properties"]["MapPublicIpOnLaunch"] is False
    assert synthesized.resources("AWS::EC2::FlowLog")


def test_dicom_service_runs_on_fargate_behind_an_internal_nlb(synthesized) -> None:
    [service] = synthesized.resources("AWS::ECS::Service").values()
    props = service["Properties"]
    assert props["LaunchType"] == "FARGATE"
    network = props["NetworkConfiguration"]["AwsvpcConfiguration"]
    assert network["AssignPublicIp"] == "DISABLED"
    [balancer] = synthesized.resources("AWS::ElasticLoadBalancingV2::LoadBalancer").values()
    assert balancer["Properties"]["Type"] == "network"
    assert balancer["Properties"]["Scheme"] == "internal"
    [listener] = synthesized.resources("AWS::ElasticLoadBalancingV2::Listener").values()
    assert listener["Properties"]["Port"] == 4242  # DicomPort of the configuration
    assert listener["Properties"]["Protocol"] == "TCP"
    [task] = synthesized.resources("AWS::ECS::TaskDefinition").values()
    [container] = task["Properties"]["ContainerDefinitions"]
    assert container["PortMappings"] == [{"ContainerPort": 4242, "Protocol": "tcp"}]
    variables = {v["Name"] for v in container["Environment"]}
    assert {"CIRRUS_TABLE_INDEX", "CIRRUS_BUCKET_DICOM", "CIRRUS_CONFIG"} <= variables
    # The image is built from scp_container/Dockerfile at deployment (a CDK asset).
    assert "cdk-hnb659fds-container-assets" in json.dumps(container["Image"])


def test_dicom_port_is_open_to_the_site_only(synthesized) -> None:
    ingress = [
        g["Properties"]
        for g in synthesized.resources("AWS::EC2::SecurityGroup").values()
        for g in [g]
        if "load balancer" in g["Properties"]["GroupDescription"]
    ]
    [group] = ingress
    [rule] = group["SecurityGroupIngress"]
    assert (rule["CidrIp"], rule["FromPort"], rule["ToPort"]) == ("10.0.0.0/8", 4242, 4242)
    [targets] = synthesized.resources("AWS::ElasticLoadBalancingV2::TargetGroup").values()
    attributes = {a["Key"]: a["Value"] for a in targets["Properties"]["TargetGroupAttributes"]}
    # The service sees the modality's address (DicomCheckModalityHost).
    assert attributes["preserve_client_ip.enabled"] == "true"


# -- alarms ---------------------------------------------------------------------------------


def test_alarms(synthesized) -> None:
    alarms = synthesized.resources("AWS::CloudWatch::Alarm").values()
    by_metric: dict[str, list[dict[str, Any]]] = {}
    for alarm in alarms:
        by_metric.setdefault(alarm["Properties"].get("MetricName", ""), []).append(alarm)
        assert alarm["Properties"]["AlarmActions"]
    for metric in ("Errors", "Throttles"):
        names = {a["Properties"]["Dimensions"][0]["Value"] for a in by_metric[metric]}
        assert names == {f"Cirrus-{f}" for f in FUNCTIONS}
    assert by_metric["ApproximateNumberOfMessagesVisible"]
    assert by_metric["HealthyHostCount"][0]["Properties"]["ComparisonOperator"] == (
        "LessThanThreshold"
    )
    assert by_metric["ExecutionsFailed"]
    assert by_metric["5XXError"]
