"""The product's clients skip botocore's parameter validation (for speed); the tests put it
back (tests/conftest.py), so that a request Cirrus builds wrongly fails a test rather than
reaching AWS, since moto accepts some requests AWS refuses."""

from __future__ import annotations

import boto3
import pytest
from botocore.exceptions import ClientError, ParamValidationError

from chalicelib.storage import aws as aws_clients


def test_product_clients_do_not_validate_parameters(
    aws: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The product's client, built on a session without the tests' hook.
    monkeypatch.setattr(aws_clients, "session", boto3.session.Session)
    client = aws_clients.client.__wrapped__("dynamodb")
    # The malformed key is sent: the emulator answers it (here: no such table), not botocore.
    with pytest.raises(ClientError, match="ResourceNotFoundException"):
        client.get_item(TableName="absent", Key={"pk": {"S": 1}})


def test_every_request_of_the_tests_is_validated_as_botocore_would(aws: None) -> None:
    with pytest.raises(ParamValidationError, match="Invalid type for parameter Key.pk.S"):
        aws_clients.client("dynamodb").get_item(TableName="absent", Key={"pk": {"S": 1}})
    with pytest.raises(ParamValidationError, match="Missing required parameter"):
        aws_clients.client("s3").put_object(Bucket="absent", Body=b"")
