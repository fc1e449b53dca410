"""Where a long background task stopped, so that its next run goes on from there: one item
per task in the ``remotes`` table, beside the runtime settings (``pk="progress"``,
``sk=<task>``, ``Values``: the task's own JSON, ``Step``: how many times it was written).

A task that cannot finish within one Lambda invocation (the orphan sweep of a large bucket)
keeps its position here rather than in a table of its own: one small item read and written a
few times per run. Writes are conditioned on the step read, so two overlapping runs (a
retried scheduled invocation beside the next one) cannot move the position back: the slower
one learns that it lost and stops.
"""

from __future__ import annotations

import json
from typing import Any

from botocore.exceptions import ClientError

from chalicelib.storage.index import dump_item, load_item

KIND = "progress"


class ProgressStore:
    def __init__(self, client: Any, table: str) -> None:
        self._client = client
        self._table = table

    def read(self, task: str) -> tuple[dict[str, Any], int]:
        """The task's saved values (empty before its first write) and their step."""
        answer = self._client.get_item(
            TableName=self._table,
            Key=dump_item({"pk": KIND, "sk": task}),
            ConsistentRead=True,
        )
        if "Item" not in answer:
            return {}, 0
        item = load_item(answer["Item"])
        return json.loads(item["Values"]), int(item["Step"])

    def write(self, task: str, values: dict[str, Any], step: int) -> bool:
        """Save ``values`` as step ``step + 1`` if the saved step is still ``step``; False
        when another run wrote in between (nothing is written then)."""
        item = {"pk": KIND, "sk": task, "Values": json.dumps(values), "Step": step + 1}
        try:
            self._client.put_item(
                TableName=self._table,
                Item=dump_item(item),
                ConditionExpression="attribute_not_exists(pk) OR Step = :step",
                ExpressionAttributeValues=dump_item({":step": step}),
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            return False
        return True
