"""Structured logs and business metrics on AWS, through aws-lambda-powertools.

In a Lambda function or the Fargate DICOM service (``POWERTOOLS_SERVICE_NAME`` set by the CDK
stack, or ``AWS_LAMBDA_FUNCTION_NAME``), every ``logging`` record is written as one JSON object
(level, logger, message, service, exception...) that CloudWatch Logs Insights can query, and
``count`` emits a CloudWatch metric in the embedded metric format (a log line, so no
PutMetricData call on the request path). Locally both stay quiet: plain log lines, no metric
lines. powertools is imported only on AWS (about 90 ms), keeping local imports and tests lean.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping

NAMESPACE_VARIABLE = "POWERTOOLS_METRICS_NAMESPACE"
DEFAULT_NAMESPACE = "Cirrus"


def on_aws() -> bool:
    """Whether this process runs as a Lambda function or as the deployed DICOM service."""
    return bool(
        os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
        or os.environ.get("ECS_CONTAINER_METADATA_URI_V4")
    )


def configure_logging() -> None:
    """JSON log records on AWS (the root logger's handlers get powertools' formatter)."""
    if not on_aws():
        return
    from aws_lambda_powertools.logging.formatter import LambdaPowertoolsFormatter

    root = logging.getLogger()
    if not root.handlers:
        root.addHandler(logging.StreamHandler())
    formatter = LambdaPowertoolsFormatter(
        service=os.environ.get("POWERTOOLS_SERVICE_NAME", "cirrus")
    )
    for handler in root.handlers:
        handler.setFormatter(formatter)
    root.setLevel(os.environ.get("POWERTOOLS_LOG_LEVEL", "INFO"))


# The Python loggers writing what each of Orthanc's log categories covers (``sqlite``, Orthanc's
# database, is the DynamoDB adapters here; Cirrus has no plugins and no Lua).
CATEGORY_LOGGERS: dict[str, tuple[str, ...]] = {
    "generic": ("chalicelib", "cirrus"),
    "plugins": (),
    "http": ("chalicelib.api", "chalicelib.peer_client", "urllib3"),
    "dicom": (
        "chalicelib.dicom_client",
        "chalicelib.services.dicom_asked",
        "chalicelib.services.dicom_served",
        "cirrus.dicom",
        "cirrus.scp",
        "pynetdicom",
    ),
    "sqlite": ("chalicelib.storage",),
    "jobs": ("chalicelib.jobs", "chalicelib.services.jobs", "cirrus.jobs"),
    "lua": (),
}
_VERBOSE_LEVELS = {"verbose": logging.INFO, "trace": logging.DEBUG}
# Each logger's own level before a verbosity was first applied to it.
_initial_levels: dict[str, int] = {}


def apply_verbosity(levels: Mapping[str, str]) -> None:
    """Set the loggers of each category to Orthanc's verbosity: ``verbose`` logs INFO,
    ``trace`` DEBUG, and ``default`` gives a logger back the level it started with (usually
    none: the process's level, e.g. ``POWERTOOLS_LOG_LEVEL``, or a more verbose parent's, as
    ``generic`` holds ``chalicelib``)."""
    for category, verbosity in levels.items():
        for name in CATEGORY_LOGGERS[category]:
            logger = logging.getLogger(name)
            initial = _initial_levels.setdefault(name, logger.level)
            logger.setLevel(_VERBOSE_LEVELS.get(verbosity, initial))


def count(name: str, value: int = 1) -> None:
    """Add ``value`` to the metric ``name`` (e.g. ``InstancesStored``) on AWS."""
    if not on_aws():
        return
    from aws_lambda_powertools.metrics import MetricUnit, single_metric

    namespace = os.environ.get(NAMESPACE_VARIABLE, DEFAULT_NAMESPACE)
    with single_metric(
        name=name, unit=MetricUnit.Count, value=value, namespace=namespace
    ) as metric:
        metric.add_dimension(
            name="service", value=os.environ.get("POWERTOOLS_SERVICE_NAME", "cirrus")
        )
