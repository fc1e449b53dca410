"""The options every job-creating route of Orthanc accepts in its JSON body."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from chalicelib.errors import ErrorCode, OrthancError


@dataclass(frozen=True)
class JobOptions:
    asynchronous: bool
    priority: int
    permissive: bool
    user_data: Any


def job_options(body: dict[str, Any]) -> JobOptions:
    """``Asynchronous`` (or its opposite ``Synchronous``; synchronous by default),
    ``Priority``, ``Permissive`` and ``UserData``."""
    asynchronous = boolean_option(body, "Asynchronous", False)
    if "Synchronous" in body:
        asynchronous = not boolean_option(body, "Synchronous", True)
    priority = body.get("Priority", 0)
    if isinstance(priority, bool) or not isinstance(priority, int):
        raise OrthancError(ErrorCode.BAD_FILE_FORMAT, "Integer value expected in field: Priority")
    return JobOptions(
        asynchronous=asynchronous,
        priority=priority,
        permissive=boolean_option(body, "Permissive", False),
        user_data=body.get("UserData"),
    )


def boolean_option(body: dict[str, Any], key: str, default: bool) -> bool:
    value = body.get(key, default)
    if not isinstance(value, bool):
        raise OrthancError(ErrorCode.BAD_FILE_FORMAT, f"Boolean value expected in field: {key}")
    return value
