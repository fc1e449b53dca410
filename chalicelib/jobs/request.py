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
    return JobOptions(
        asynchronous=asynchronous,
        priority=integer_option(body, "Priority", 0) or 0,
        permissive=boolean_option(body, "Permissive", False),
        user_data=body.get("UserData"),
    )


def boolean_option(body: dict[str, Any], key: str, default: bool) -> bool:
    value = body.get(key, default)
    if not isinstance(value, bool):
        raise OrthancError(ErrorCode.BAD_FILE_FORMAT, f"Boolean value expected in field: {key}")
    return value


def integer_option(body: dict[str, Any], key: str, default: int | None) -> int | None:
    value = body.get(key, default)
    if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
        raise OrthancError(ErrorCode.BAD_FILE_FORMAT, f"Integer value expected in field: {key}")
    return value


def string_option(body: dict[str, Any], key: str) -> str:
    value = body.get(key, "")
    if not isinstance(value, str):
        raise OrthancError(ErrorCode.BAD_FILE_FORMAT, f"String value expected in field: {key}")
    return value
