"""The one way the stack makes a log group: encrypted with the stack's key, kept for the
configured retention, and deleted with the stack (the logs are operational, not records:
the archive's data lives in the retained bucket and tables)."""

from __future__ import annotations

from aws_cdk import RemovalPolicy
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from constructs import Construct


def log_group(
    scope: Construct,
    construct_id: str,
    key: kms.IKey,
    retention: logs.RetentionDays,
    name: str | None = None,
) -> logs.LogGroup:
    return logs.LogGroup(
        scope,
        construct_id,
        log_group_name=name,
        retention=retention,
        encryption_key=key,
        removal_policy=RemovalPolicy.DESTROY,
    )
