"""boto3 clients, built lazily and once per process (a Lambda container or the local server).

Building clients at import time would slow every cold start, including routes that never touch
S3; building them per request would throw away the connection pool. The endpoint comes from the
standard ``AWS_ENDPOINT_URL`` variable, which is how the local stack points the very same code at
moto instead of AWS.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import boto3
import botocore.loaders
import botocore.session
from botocore.config import Config as BotoConfig

_BOTO_CONFIG = BotoConfig(
    retries={"mode": "standard", "max_attempts": 5},
    max_pool_connections=32,
    tcp_keepalive=True,
)


@cache
def _models() -> botocore.loaders.Loader:
    """botocore's loader of the services' JSON models, kept for the life of the process:
    parsing them is most of the cost of a new session's first clients (~50 ms each), and
    they never change. A session rebuilt by ``bootstrap.reset()`` (the tests, for moto)
    then costs a few milliseconds."""
    return botocore.loaders.create_loader()


@cache
def session() -> boto3.session.Session:
    core = botocore.session.get_session()
    core.register_component("data_loader", _models())
    return boto3.session.Session(botocore_session=core)


@cache
def client(service: str) -> Any:
    """The shared client of ``service`` ("s3", "dynamodb", ...)."""
    return session().client(service, config=_BOTO_CONFIG)
