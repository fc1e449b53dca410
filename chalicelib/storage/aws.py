"""boto3 clients, built lazily and once per process (a Lambda container or the local server).

Building clients at import time would slow every cold start, including routes that never touch
S3; building them per request would throw away the connection pool. Importing boto3 itself
costs about 150 ms (botocore's session, its docs and waiters, urllib3, s3transfer), so this
module imports it on the first client, not when the API module is imported: a cold start pays
for it only on the first request that reaches AWS. The endpoint comes from the standard
``AWS_ENDPOINT_URL`` variable, which is how the local stack points the very same code at moto
instead of AWS.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import boto3.session
    import botocore.loaders


@cache
def _models() -> botocore.loaders.Loader:
    """botocore's loader of the services' JSON models, kept for the life of the process:
    parsing them is most of the cost of a new session's first clients (~50 ms each), and
    they never change. A session rebuilt by ``bootstrap.reset()`` (the tests, for moto)
    then costs a few milliseconds."""
    import botocore.loaders

    return botocore.loaders.create_loader()


@cache
def session() -> boto3.session.Session:
    import boto3.session
    import botocore.session

    core = botocore.session.get_session()
    core.register_component("data_loader", _models())
    return boto3.session.Session(botocore_session=core)


@cache
def client(service: str) -> Any:
    """The shared client of ``service`` ("s3", "dynamodb", ...)."""
    from botocore.config import Config

    config = Config(
        retries={"mode": "standard", "max_attempts": 5},
        max_pool_connections=32,
        tcp_keepalive=True,
    )
    return session().client(service, config=config)
