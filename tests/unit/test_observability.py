"""Structured logs and EMF metrics on AWS (chalicelib/observability.py); quiet locally."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from chalicelib import observability


@pytest.fixture
def root_logger() -> Iterator[logging.Logger]:
    """The root logger writing to a string, whatever other tests did to logging."""
    root = logging.getLogger()
    handlers, level, disabled = list(root.handlers), root.level, logging.root.manager.disable
    logging.disable(logging.NOTSET)
    stream = io.StringIO()
    root.handlers = [logging.StreamHandler(stream)]
    root.stream = stream  # type: ignore[attr-defined]
    logger = logging.getLogger("test_observability")
    logger.disabled, logger.propagate = False, True
    yield root
    root.handlers, root.level = handlers, level
    logging.disable(disabled)


def test_logs_are_json_in_lambda(monkeypatch, root_logger) -> None:
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "cirrus-dev")
    monkeypatch.setenv("POWERTOOLS_SERVICE_NAME", "cirrus")
    observability.configure_logging()
    logging.getLogger("test_observability").warning("stored %d files", 3)
    record = json.loads(root_logger.stream.getvalue().splitlines()[-1])
    assert record["level"] == "WARNING"
    assert record["message"] == "stored 3 files"
    assert record["service"] == "cirrus"


def test_logs_stay_plain_locally(monkeypatch, root_logger) -> None:
    monkeypatch.delenv("AWS_LAMBDA_FUNCTION_NAME", raising=False)
    monkeypatch.delenv("ECS_CONTAINER_METADATA_URI_V4", raising=False)
    observability.configure_logging()
    logging.getLogger("test_observability").warning("plain")
    assert root_logger.stream.getvalue().strip() == "plain"


def test_counts_are_emf_metrics_on_aws(monkeypatch, capsys) -> None:
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "cirrus-dev")
    observability.count("InstancesStored", 2)
    emf = json.loads(capsys.readouterr().out.splitlines()[-1])
    [definition] = emf["_aws"]["CloudWatchMetrics"]
    assert definition["Namespace"] == "Cirrus"
    assert definition["Metrics"] == [{"Name": "InstancesStored", "Unit": "Count"}]
    assert emf["InstancesStored"] == [2.0]
    assert emf["service"] == "cirrus"


def test_counts_are_silent_locally(monkeypatch, capsys) -> None:
    monkeypatch.delenv("AWS_LAMBDA_FUNCTION_NAME", raising=False)
    monkeypatch.delenv("ECS_CONTAINER_METADATA_URI_V4", raising=False)
    observability.count("InstancesStored")
    assert capsys.readouterr().out == ""
