"""Requests answered without Flask (local_stack.moto_dispatch) answer as through it.

The same sequence of DynamoDB, DynamoDB Streams and S3 requests (a table with a stream, writes,
reads, a cancelled transaction, a table that does not exist, the stream read back; a bucket,
objects written, read, listed, deleted and missing, a multipart upload) goes to moto's own
dispatcher application and, on a fresh state, to ``DirectDispatch`` wrapped around it.
Statuses, headers and bodies must match, once the values that differ from run to run (times,
request and upload IDs, and the checksum of a body holding them) are blanked; the direct path
must have answered the DynamoDB requests and S3's object requests, and moto's the others. A
request moto fails on (an unknown operation, a body that is not JSON) raises through both, as
the HTTP server's 500.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.model import OperationNotFoundError
from moto import mock_aws
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from werkzeug.test import Client

from local_stack import moto_dispatch

AUTH = (
    "AWS4-HMAC-SHA256 Credential=testing/20261207/us-east-1/{service}/aws4_request, "
    "SignedHeaders=host;x-amz-date;x-amz-target, Signature=" + "0" * 64
)
TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?")
EPOCH = re.compile(r'"(\w*DateTime|SizeBytes)": ?[\d.]+')
# Stream records' IDs, sequence numbers (from the clock) and iterators; a record's SizeBytes
# (above) counts some of these.
RECORD_IDS = re.compile(r'"(eventID|\w*SequenceNumber|\w*ShardIterator)": "[^"]*"')
# A multipart upload's ID and an error's request and host IDs, in S3's XML answers.
XML_IDS = re.compile(r"<(UploadId|RequestId|HostId)>[^<]*</\1>")
# Headers that differ from one run to the next whatever answers (the length is checked alone).
VARYING = {
    "date",
    "server",
    "x-amzn-requestid",
    "x-amz-request-id",
    "x-amz-id-2",
    "x-amz-crc32",
    "content-length",
    "last-modified",
}


def _request(target: str, body: Any, raw: bytes | None = None) -> dict[str, Any]:
    return {
        "path": "/",
        "method": "POST",
        "headers": {
            "X-Amz-Target": target,
            "Content-Type": "application/x-amz-json-1.0",
            "Authorization": AUTH.format(service="dynamodb"),
            "X-Amz-Date": "20261207T220000Z",
            "Host": "localhost",
        },
        "data": raw if raw is not None else json.dumps(body),
    }


def _s3(method: str, path: str, data: bytes = b"", query: str = "") -> dict[str, Any]:
    return {
        "path": path,
        "method": method,
        "query_string": query,
        "headers": {
            "Authorization": AUTH.format(service="s3"),
            "X-Amz-Date": "20261207T220000Z",
            "Host": "localhost",
        },
        "data": data,
    }


def _ddb(operation: str, body: Any) -> dict[str, Any]:
    return _request(f"DynamoDB_20120810.{operation}", body)


def _streams(operation: str, body: Any) -> dict[str, Any]:
    return _request(f"DynamoDBStreams_20120810.{operation}", body)


KEY = {"pk": {"S": "a"}, "sk": {"S": "r"}}


def _exchanges(app: Any) -> Iterator[tuple[int, dict[str, str], str]]:
    """Each request of the sequence and its answer (status, headers, body), normalized."""
    client = Client(app)

    def send(request: dict[str, Any]) -> tuple[int, dict[str, str], str]:
        response = client.open(**request)
        body = response.get_data(as_text=True)
        length = response.headers.get("Content-Length")  # none with a 204
        if length is not None and request["method"] != "HEAD":  # a HEAD's is the object's
            assert int(length) == len(response.get_data())
        varying = VARYING - {"content-length"} if request["method"] == "HEAD" else VARYING
        headers = {k.lower(): v for k, v in response.headers.items() if k.lower() not in varying}
        body = RECORD_IDS.sub(r'"\1": ""', EPOCH.sub(r'"\1": 0', TIME.sub("<time>", body)))
        return response.status_code, headers, XML_IDS.sub(r"<\1/>", body)

    yield send(
        _ddb(
            "CreateTable",
            {
                "TableName": "t",
                "KeySchema": [
                    {"AttributeName": "pk", "KeyType": "HASH"},
                    {"AttributeName": "sk", "KeyType": "RANGE"},
                ],
                "AttributeDefinitions": [
                    {"AttributeName": "pk", "AttributeType": "S"},
                    {"AttributeName": "sk", "AttributeType": "S"},
                ],
                "BillingMode": "PAY_PER_REQUEST",
                "StreamSpecification": {"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
            },
        )
    )
    yield send(_ddb("PutItem", {"TableName": "t", "Item": {**KEY, "n": {"N": "1"}}}))
    yield send(
        _ddb(
            "UpdateItem",
            {
                "TableName": "t",
                "Key": KEY,
                "UpdateExpression": "ADD n :one",
                "ExpressionAttributeValues": {":one": {"N": "2"}},
                "ReturnValues": "ALL_NEW",
            },
        )
    )
    yield send(_ddb("GetItem", {"TableName": "t", "Key": KEY, "ConsistentRead": True}))
    yield send(_ddb("BatchGetItem", {"RequestItems": {"t": {"Keys": [KEY]}}}))
    yield send(
        _ddb(
            "Query",
            {
                "TableName": "t",
                "KeyConditionExpression": "pk = :p",
                "ExpressionAttributeValues": {":p": {"S": "a"}},
            },
        )
    )
    yield send(
        _ddb(
            "TransactWriteItems",
            {
                "TransactItems": [
                    {
                        "Put": {
                            "TableName": "t",
                            "Item": KEY,
                            "ConditionExpression": "attribute_not_exists(pk)",
                        }
                    }
                ]
            },
        )
    )
    yield send(_ddb("GetItem", {"TableName": "nothing", "Key": KEY}))
    streams = json.loads(client.open(**_streams("ListStreams", {"TableName": "t"})).get_data())
    arn = streams["Streams"][0]["StreamArn"]
    yield send(_streams("DescribeStream", {"StreamArn": arn}))
    shard = json.loads(client.open(**_streams("DescribeStream", {"StreamArn": arn})).get_data())
    shard_id = shard["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = json.loads(
        client.open(
            **_streams(
                "GetShardIterator",
                {"StreamArn": arn, "ShardId": shard_id, "ShardIteratorType": "TRIM_HORIZON"},
            )
        ).get_data()
    )["ShardIterator"]
    yield send(_streams("GetRecords", {"ShardIterator": iterator}))
    yield from _s3_exchanges(client, send)


def _s3_exchanges(client: Client, send: Any) -> Iterator[tuple[int, dict[str, str], str]]:
    """S3: a bucket's requests (moto's dispatcher), then objects' (directly)."""
    yield send(_s3("PUT", "/bucket-one"))
    yield send(_s3("PUT", "/bucket-one/dicom/a/b.dcm", b"DICM" * 100))
    yield send(_s3("GET", "/bucket-one/dicom/a/b.dcm"))
    yield send(_s3("HEAD", "/bucket-one/dicom/a/b.dcm"))
    yield send(_s3("GET", "/bucket-one/dicom/a/missing.dcm"))
    yield send(_s3("GET", "/bucket-one", query="list-type=2&prefix=dicom/"))
    created = client.open(**_s3("POST", "/bucket-one/archive.zip", query="uploads"))
    upload_id = re.search(r"<UploadId>([^<]*)</UploadId>", created.get_data(as_text=True))
    assert upload_id is not None
    uploaded = client.open(
        **_s3("PUT", "/bucket-one/archive.zip", b"z" * 64, f"partNumber=1&uploadId={upload_id[1]}")
    )
    parts = (
        "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber>"
        f"<ETag>{uploaded.headers['ETag']}</ETag></Part></CompleteMultipartUpload>"
    )
    yield send(_s3("POST", "/bucket-one/archive.zip", parts.encode(), f"uploadId={upload_id[1]}"))
    yield send(_s3("GET", "/bucket-one/archive.zip"))
    yield send(_s3("DELETE", "/bucket-one/dicom/a/b.dcm"))
    yield send(_s3("GET", "/bucket-one/dicom/a/b.dcm"))
    # Signed for S3, but S3 Control's: moto's dispatcher answers.
    yield send(_s3("GET", "/v20180820/accesspoint/one"))
    # Not DynamoDB, not an object: moto's dispatcher answers (S3's bucket list).
    yield send(
        {"path": "/", "method": "GET", "headers": {"Authorization": AUTH.format(service="s3")}}
    )


def test_same_answers_as_through_flask(monkeypatch: pytest.MonkeyPatch) -> None:
    moto = DomainDispatcherApplication(create_backend_app)
    with mock_aws():
        expected = list(_exchanges(moto))
    answered: list[tuple[str, str]] = []
    handler_of = moto_dispatch.handler_of

    def counted(environ: dict[str, Any], dispatcher: Any) -> Any:
        handler = handler_of(environ, dispatcher)
        route = "direct" if handler else "moto"
        answered.append((route, f"{environ['REQUEST_METHOD']} {environ['PATH_INFO']}"))
        return handler

    monkeypatch.setattr(moto_dispatch, "handler_of", counted)
    with mock_aws():
        got = list(_exchanges(moto_dispatch.DirectDispatch(moto)))
    for number, (answer, want) in enumerate(zip(got, expected, strict=True)):
        assert answer == want, f"answer {number} differs"
    through_moto = [request for route, request in answered if route == "moto"]
    assert through_moto == [
        "PUT /bucket-one",
        "GET /bucket-one",
        "GET /v20180820/accesspoint/one",
        "GET /",
    ]
    direct = [request for route, request in answered if route == "direct"]
    assert direct.count("POST /") == 13  # every DynamoDB and Streams request
    assert len(direct) == 13 + 10  # and every request on an object's path
    statuses = [status for status, _, _ in expected]
    assert statuses.count(400) == 2  # DynamoDB's failures answer too
    assert statuses.count(404) == 3  # a missing object (twice), S3 Control's unknown route
    records = next(json.loads(body)["Records"] for _, _, body in expected if '"Records"' in body)
    assert [r["eventName"] for r in records] == ["INSERT", "MODIFY"]


@pytest.mark.parametrize("direct", [False, True], ids=["flask", "direct"])
@pytest.mark.parametrize(
    ("request_", "error"),
    [
        (_ddb("NoSuchOperation", {}), OperationNotFoundError),
        (_request("DynamoDB_20120810.GetItem", None, raw=b"{not json"), KeyError),
    ],
    ids=["unknown-operation", "not-json"],
)
def test_an_exception_in_moto_propagates(
    direct: bool, request_: dict[str, Any], error: type[Exception]
) -> None:
    # Through Flask (moto's debug mode) as directly: the HTTP server then answers 500.
    moto = DomainDispatcherApplication(create_backend_app)
    app = moto_dispatch.DirectDispatch(moto) if direct else moto
    with mock_aws(), pytest.raises(error):
        Client(app).open(**request_)


@pytest.mark.parametrize(
    ("method", "path", "target", "service", "direct"),
    [
        ("POST", "/", "DynamoDB_20120810.GetItem", "dynamodb", True),
        ("POST", "/", "DynamoDBStreams_20120810.GetRecords", "dynamodb", True),
        ("GET", "/", "DynamoDB_20120810.GetItem", "dynamodb", False),
        ("POST", "/other", "DynamoDB_20120810.GetItem", "dynamodb", False),
        ("POST", "/", "AWSStepFunctions.StartExecution", "states", False),
        ("POST", "/", "DynamoDB_20111205.GetItem", "dynamodb", False),
        ("POST", "/", "", "dynamodb", False),
        ("PUT", "/bucket/dicom/a.dcm", "", "s3", True),
        ("GET", "/bucket/k", "", "s3", True),
        ("POST", "/bucket/k", "", "s3", True),
        ("PUT", "/bucket/k", "", "", False),  # unsigned (a presigned URL's query)
        ("PUT", "/bucket/k", "", "sqs", False),
        ("GET", "/bucket", "", "s3", False),
        ("GET", "/bucket/", "", "s3", False),
        ("GET", "/", "", "s3", False),
        ("GET", "/v20180820/accesspoint/one", "", "s3", False),
        ("GET", "/moto-api/reset", "", "", False),
    ],
)
def test_which_requests_go_direct(
    method: str, path: str, target: str, service: str, direct: bool
) -> None:
    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "HTTP_X_AMZ_TARGET": target,
        "HTTP_HOST": "localhost",
    }
    if service:
        environ["HTTP_AUTHORIZATION"] = AUTH.format(service=service)
    dispatcher = DomainDispatcherApplication(create_backend_app)
    assert (moto_dispatch.handler_of(environ, dispatcher) is not None) is direct
