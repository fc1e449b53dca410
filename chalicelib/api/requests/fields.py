"""Fields of Orthanc's JSON bodies, checked with Orthanc's messages: Booleans, integers,
strings, timeouts, and the options every job-creating route accepts."""

from __future__ import annotations

from typing import Any

from chalicelib.errors import ErrorCode, OrthancError, bad_file
from chalicelib.jobs.model import JobOptions


def job_options(body: dict[str, Any]) -> JobOptions:
    """``Permissive``, then ``Synchronous`` (or, only when it is absent, its opposite
    ``Asynchronous``; synchronous by default), ``Priority`` and ``UserData``: Orthanc's order,
    so that a body with two faults gets Orthanc's error."""
    permissive = boolean_option(body, "Permissive", False)
    if "Synchronous" in body:
        asynchronous = not boolean_option(body, "Synchronous", True)
    else:
        asynchronous = boolean_option(body, "Asynchronous", False)
    return JobOptions(
        asynchronous=asynchronous,
        priority=integer_option(body, "Priority", 0) or 0,
        permissive=permissive,
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


def unsigned_timeout(body: dict[str, Any]) -> int | None:
    """``Timeout`` in seconds (0: none), or None when absent; Orthanc's message for a
    negative one (the query, retrieve and storage commitment routes)."""
    return _timeout(body, "Unsigned integer value expected in field: Timeout")


def nonnegative_timeout(body: dict[str, Any]) -> int | None:
    """``Timeout`` of the echo and store routes of ``/modalities`` (0: none), or None."""
    return _timeout(body, "Timeout must not be negative")


def _timeout(body: dict[str, Any], negative: str) -> int | None:
    timeout = integer_option(body, "Timeout", None)
    if timeout is not None and timeout < 0:
        raise bad_file(negative)
    return timeout
