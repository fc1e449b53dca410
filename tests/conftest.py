"""Fixtures shared by the unit and integration layers.

Integration tests run the product code unchanged against moto's in-process AWS (the same boto3
calls as on AWS), through Chalice's test client behind the local stack's gateway: every
request reaches the app as API Gateway's greedy proxy event, routed by the app as on AWS.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from tests.support.serial_moto import serial_moto  # noqa: F401 (a fixture of job_runner)

# Set before anything builds a boto3 client: moto must never reach real AWS.
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
os.environ["AWS_ACCESS_KEY_ID"] = "testing"
os.environ["AWS_SECRET_ACCESS_KEY"] = "testing"
os.environ["AWS_ACCOUNT_ID_ENDPOINT_MODE"] = "disabled"
os.environ.pop("AWS_ENDPOINT_URL", None)
os.environ.pop("CIRRUS_CONFIG", None)
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")


def _validate_aws_requests() -> None:
    """Put botocore's parameter validation back, for the tests only.

    The product's clients skip it for speed (chalicelib/storage/aws.py), and moto accepts
    requests AWS refuses; this hook on every session the app's clients come from validates
    each request against its model exactly as botocore would have (after botocore's own
    hooks have shaped it), so a malformed request fails the test that makes it."""
    from functools import cache

    from botocore.validate import validate_parameters

    from chalicelib.storage import aws

    build = aws.session.__wrapped__

    def validate(params: dict[str, Any], model: Any, **_: Any) -> None:
        if model.input_shape is not None:
            validate_parameters(params, model.input_shape)

    @cache
    def session() -> Any:
        built = build()
        built.events.register("before-parameter-build", validate)
        return built

    aws.session = session


_validate_aws_requests()
pytest_plugins = ["tests.support.orthanc_fixture"]
ROOT = Path(__file__).resolve().parents[1]
# A test's ``record_property`` of this name is printed at the end of the run (the API
# headroom): properties travel with the reports, so this works across pytest-xdist workers.
PRINTED_AT_THE_END = "printed at the end"
_printed: dict[str, None] = {}


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    for name, value in report.user_properties:
        if name == PRINTED_AT_THE_END:
            _printed[str(value)] = None


def pytest_terminal_summary(terminalreporter: Any) -> None:
    for text in _printed:
        terminalreporter.write_line(text)


@contextmanager
def moto_storage() -> Iterator[None]:
    """moto's in-process AWS with Cirrus's tables and bucket created from the schema, with
    the local stack's changes to moto (its TransactWriteItems, Queries and DynamoDB answers,
    each checked against moto's own in tests/integration/test_emulator_*.py)."""
    from moto import mock_aws

    from chalicelib import bootstrap
    from chalicelib.jobs.state_machine import LOCAL_STEP_ARN, ensure_state_machine
    from chalicelib.storage import aws as aws_clients
    from chalicelib.storage.schema import ensure_storage
    from local_stack import moto_patches

    moto_patches.install()

    os.environ["CIRRUS_RESOURCE_PREFIX"] = f"test-{uuid.uuid4().hex[:8]}"
    with mock_aws():
        bootstrap.reset()
        ensure_storage(aws_clients.client("dynamodb"), aws_clients.client("s3"))
        ensure_state_machine(aws_clients.client("stepfunctions"), LOCAL_STEP_ARN)
        yield
        bootstrap.reset()


@contextmanager
def chalice_client() -> Iterator[Any]:
    """Chalice's test client over the real app, through the local stack's gateway (which
    sends API Gateway's greedy proxy events instead of Chalice's pre-routed ones)."""
    from chalice.cli.factory import CLIFactory
    from chalice.test import TestHTTPClient

    from app import app
    from local_stack.gateway import OrthancGateway

    class GatewayHTTPClient(TestHTTPClient):
        def __init__(self, config: Any) -> None:
            super().__init__(app, config)
            self._local_gateway = OrthancGateway(app, config)

    config = CLIFactory(str(ROOT)).create_config_obj(chalice_stage_name="dev")
    yield SimpleNamespace(http=GatewayHTTPClient(config))


@pytest.fixture
def aws() -> Iterator[None]:
    with moto_storage():
        yield


@pytest.fixture
def configure(tmp_path: Path):
    """Point CIRRUS_CONFIG at a file holding the given options (on top of the defaults)."""
    from chalicelib import bootstrap

    def apply(**options: object) -> None:
        path = tmp_path / "cirrus.json"
        path.write_text(json.dumps(options))
        os.environ["CIRRUS_CONFIG"] = str(path)
        bootstrap.reset()  # every service built from the previous configuration

    yield apply
    os.environ.pop("CIRRUS_CONFIG", None)
    bootstrap.config.cache_clear()


@pytest.fixture
def feed(aws: None) -> Any:
    """The local stream consumer over moto's stream of the index table, from its start: tests
    call ``feed.pump()`` where Lambda would have been triggered."""
    from local_stack.feed import index_stream_pump

    return index_stream_pump(start="TRIM_HORIZON")


@pytest.fixture
def client(aws: None) -> Iterator[Any]:
    """Chalice's test client over the real app, backed by moto."""
    with chalice_client() as test_client:
        yield test_client


@pytest.fixture
def job_runner(aws: None, request: pytest.FixtureRequest) -> Iterator[Any]:
    """The local stack's job runner, executing the jobs state machine in a background thread
    with the app's real ``job_step`` handler, as Step Functions would on AWS. Its thread and
    the test's (a synchronous job route polling the record) reach the in-process moto one
    request at a time, as they reach the local stack's emulator (``serial_moto``)."""
    request.getfixturevalue("serial_moto")
    from app import job_step
    from chalicelib.jobs.state_machine import LOCAL_STEP_ARN
    from chalicelib.storage import aws as aws_clients
    from local_stack.job_runner import JobRunner, LocalContext

    runner = JobRunner(
        aws_clients.client("stepfunctions"),
        {LOCAL_STEP_ARN: lambda event: job_step(event, LocalContext())},
        poll_seconds=0.05,
    )
    runner.start()
    yield runner
    runner.stop()
    runner.wait_idle(10)
