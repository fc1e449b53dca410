"""Orthanc's timestamp format (``20261128T015822``, UTC)."""

from __future__ import annotations

from datetime import UTC, datetime


def orthanc_now() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%S")


def parse_orthanc_time(value: str) -> datetime:
    return datetime.strptime(value, "%Y%m%dT%H%M%S").replace(tzinfo=UTC)
