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
    """The shared client of ``service`` ("s3", "dynamodb", ...).

    Parameter validation is off, as botocore's documentation offers "for performance
    reasons": walking every request against its model was a tenth of botocore's work on the
    ingest path (0.2 ms of 2.3 per instance, bench/README.md "Fifth session"). It only turns
    a request AWS would refuse anyway into an error raised before sending it; the requests'
    shapes are Cirrus's (a client's input only fills values the models leave unconstrained),
    and the tests validate every request as botocore would (tests/conftest.py), so a
    malformed one still fails a test first."""
    from botocore.config import Config

    config = Config(
        retries={"mode": "standard", "max_attempts": 5},
        max_pool_connections=32,
        tcp_keepalive=True,
        parameter_validation=False,
    )
    return session().client(service, config=config)
