"""The emulator's items (local_stack.moto_items) are built as moto builds them, and refused as
moto refuses them: the same attributes, and ``ItemSizeTooLarge`` exactly when moto raises it,
for items of every attribute type, Cirrus's own records, and items just under and over the
limit; through the API too (PutItem, a transaction's Put)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws
from moto.dynamodb.exceptions import ItemSizeTooLarge
from moto.dynamodb.models.dynamo_type import DynamoType, Item

from chalicelib.dicom.identifiers import Level
from chalicelib.model import Resource
from chalicelib.storage.index import dump_item, resource_item
from local_stack import moto_items
from tests.support.moto_tables import create_one_key_table

EVERY_TYPE = {
    "pk": {"S": "a"},
    "n": {"N": "12.5"},
    "b": {"B": b"\x00\x01"},
    "ss": {"SS": ["x", "y"]},
    "ns": {"NS": ["1", "2"]},
    "bs": {"BS": [b"\x02"]},
    "m": {"M": {"k": {"S": "v"}, "deep": {"M": {"l": {"L": [{"N": "1"}, {"S": "é"}]}}}}},
    "l": {"L": [{"BOOL": True}, {"NULL": True}]},
}


def _cirrus_record() -> dict[str, Any]:
    record = Resource(
        id="f" * 44,
        level=Level.SERIES,
        parent="e" * 44,
        main_tags={"Modality": "CT", "SeriesDescription": "Thorax ü", "SeriesNumber": "3"},
        last_update="20261208T010000",
        dicom_uid="1.2.3.4",
        unstable=True,
    )
    record.metadata = {"RemoteAET": "", "ExpectedNumberOfInstances": "20"}
    return dump_item({"pk": record.id, "sk": "R", **resource_item(record)})


def _padded(total: int) -> dict[str, Any]:
    """An item whose size by moto's measure is ``total``: keys and values both count."""
    filler = total - len("pk") - len("a") - len("pad")
    return {"pk": {"S": "a"}, "pad": {"S": "x" * filler}}


ITEMS = [EVERY_TYPE, _cirrus_record(), _padded(405000), _padded(405001), _padded(900_000)]


def _built(attrs: dict[str, Any]) -> dict[str, Any] | str:
    """moto's item of ``attrs`` as JSON, or the refusal's class name."""
    try:
        item = Item(DynamoType(attrs["pk"]), None, attrs)
    except ItemSizeTooLarge as exc:
        return type(exc).__name__
    return {"json": item.to_json(), "size": item.size(), "type": type(item.attrs).__name__}


@pytest.fixture
def patched() -> Iterator[None]:
    """The patch installed, and left installed (as the suite's moto runs: conftest.py) after
    a test that took it out to compare."""
    moto_items.install()
    yield
    moto_items.install()


def test_items_are_built_and_refused_as_moto_does(patched: None) -> None:
    ours = [_built(attrs) for attrs in ITEMS]
    moto_items.uninstall()
    theirs = [_built(attrs) for attrs in ITEMS]
    assert ours == theirs
    assert [isinstance(built, str) for built in theirs] == [False, False, False, True, True]


def _api_answers() -> list[str]:
    """What PutItem and a transaction's Put answer for items under, at and over the limit."""
    answers = []
    with mock_aws():
        dynamodb = boto3.client("dynamodb", region_name="us-east-1")
        create_one_key_table(dynamodb)
        calls = [
            lambda item: dynamodb.put_item(TableName="t", Item=item),
            lambda item: dynamodb.transact_write_items(
                TransactItems=[{"Put": {"TableName": "t", "Item": item}}]
            ),
        ]
        for call in calls:
            for size in (1000, 405000, 405001):
                try:
                    call(_padded(size))
                    answers.append("stored")
                except ClientError as exc:
                    error = exc.response["Error"]
                    answers.append(f"{error['Code']}: {error['Message']}")
        stored = dynamodb.get_item(TableName="t", Key={"pk": {"S": "a"}})["Item"]
        answers.append(f"{len(stored['pad']['S'])} characters kept")
    return answers


def test_an_item_too_large_is_refused_by_the_api(patched: None) -> None:
    ours = _api_answers()
    moto_items.uninstall()
    assert ours == _api_answers()
    assert ours[:2] == ["stored", "stored"]
    assert "maximum allowed size" in ours[2]
