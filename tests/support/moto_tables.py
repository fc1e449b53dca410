"""The small DynamoDB table the emulator's differential tests run their requests against."""

from __future__ import annotations

from typing import Any


def create_one_key_table(client: Any, name: str = "t", stream_view: str | None = None) -> None:
    """An on-demand table keyed by the string ``pk`` alone, with a stream of ``stream_view``
    (``NEW_IMAGE``, ``NEW_AND_OLD_IMAGES``...) if given."""
    stream = (
        {"StreamSpecification": {"StreamEnabled": True, "StreamViewType": stream_view}}
        if stream_view
        else {}
    )
    client.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
        **stream,
    )
