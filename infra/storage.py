"""DynamoDB tables and S3 buckets built from ``chalicelib/storage/schema.json``.

The infra app imports nothing from the runtime code: it reads the same JSON file the runtime
reads, so key schemas, indexes and stream settings have one source of truth, and passes the
physical names to the functions through environment variables (``CIRRUS_TABLE_<NAME>``,
``CIRRUS_BUCKET_<NAME>``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from aws_cdk import ArnFormat, Aws, Duration, RemovalPolicy, Stack
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from constructs import Construct

SCHEMA_PATH = Path(__file__).resolve().parent.parent / "chalicelib" / "storage" / "schema.json"

_TYPES = {"S": dynamodb.AttributeType.STRING, "N": dynamodb.AttributeType.NUMBER}
_STREAMS = {
    "NEW_AND_OLD_IMAGES": dynamodb.StreamViewType.NEW_AND_OLD_IMAGES,
    "NEW_IMAGE": dynamodb.StreamViewType.NEW_IMAGE,
    "KEYS_ONLY": dynamodb.StreamViewType.KEYS_ONLY,
}
_PROJECTIONS = {
    "KEYS_ONLY": dynamodb.ProjectionType.KEYS_ONLY,
    "ALL": dynamodb.ProjectionType.ALL,
}


# The short-lived objects of large transfers (chalicelib/storage/transfers.py): generated
# downloads are fetched within minutes, upload records are read while the client waits, and
# an upload never ingested (its URL unused or refused) must not stay forever.
TRANSFER_RULES = [
    s3.LifecycleRule(id="downloads", prefix="downloads/", expiration=Duration.days(1)),
    s3.LifecycleRule(id="uploads", prefix="uploads/", expiration=Duration.days(7)),
    s3.LifecycleRule(id="upload-answers", prefix="upload-answers/", expiration=Duration.days(7)),
    s3.LifecycleRule(id="multipart", abort_incomplete_multipart_upload_after=Duration.days(1)),
]


# Versioning keeps what a DELETE or an overwrite replaced, for a month (then it is gone for
# good, as the deletion asked): the recovery window after a mistaken deletion or a bug.
VERSION_RULES = [
    s3.LifecycleRule(
        id="noncurrent",
        noncurrent_version_expiration=Duration.days(30),
        expired_object_delete_marker=True,
    ),
    # What a transfer prefix expires or deletes is of no use the day after.
    *(
        s3.LifecycleRule(
            id=f"{prefix}noncurrent", prefix=prefix, noncurrent_version_expiration=Duration.days(1)
        )
        for prefix in ("downloads/", "uploads/", "upload-answers/")
    ),
]
# Stored DICOM files are read often in their first days and rarely after: Intelligent-Tiering
# moves each one to cheaper tiers by itself (files below 128 KiB stay in the frequent tier).
# The bucket of the presigned uploads (chalicelib/storage/transfers.py). The web console sends
# files larger than the API carries straight to it with the presigned URLs of /cirrus/uploads:
# PUT only (the URL is the authorization; CORS only lets the
# page send it and read S3's answer, and the ETag of each part of a multipart upload). Any API
# Gateway origin of the region: naming this API's would make the bucket depend on the API,
# whose functions depend on the bucket.
UPLOADS_BUCKET = "dicom"
UPLOAD_CORS = s3.CorsRule(
    allowed_methods=[s3.HttpMethods.PUT],
    allowed_origins=[f"https://*.execute-api.{Aws.REGION}.{Aws.URL_SUFFIX}"],
    allowed_headers=["*"],
    exposed_headers=["ETag"],
    max_age=3600,
)
TIERING_RULE = s3.LifecycleRule(
    id="intelligent-tiering",
    prefix="dicom/",
    transitions=[
        s3.Transition(
            storage_class=s3.StorageClass.INTELLIGENT_TIERING, transition_after=Duration.days(0)
        )
    ],
)


# What the CloudWatch services do with the data key when they encrypt on the stack's behalf
# (log groups, the alarms' topic).
SERVICE_KEY_ACTIONS = (
    "kms:Encrypt*",
    "kms:Decrypt*",
    "kms:ReEncrypt*",
    "kms:GenerateDataKey*",
    "kms:Describe*",
)


def load_schema() -> dict[str, Any]:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def _attribute(spec: dict[str, str]) -> dynamodb.Attribute:
    return dynamodb.Attribute(name=spec["name"], type=_TYPES[spec["type"]])


class Storage(Construct):
    """Every table and bucket of the schema, encrypted with one customer-managed key (whose
    policy is where access to the data can be audited and cut off), and retained when the
    stack is deleted unless ``retain`` is false."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        retain: bool = True,
        intelligent_tiering: bool = False,
    ) -> None:
        super().__init__(scope, construct_id)
        schema = load_schema()
        removal = RemovalPolicy.RETAIN if retain else RemovalPolicy.DESTROY
        self.key = kms.Key(
            self,
            "DataKey",
            description="Cirrus: DICOM files, index and logs",
            enable_key_rotation=True,
            removal_policy=removal,
        )
        self._allow_log_groups()
        self.tables: dict[str, dynamodb.Table] = {}
        for logical, spec in schema["tables"].items():
            table = dynamodb.Table(
                self,
                f"Table-{logical}",
                partition_key=_attribute(spec["partitionKey"]),
                sort_key=_attribute(spec["sortKey"]) if "sortKey" in spec else None,
                billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
                stream=_STREAMS[spec["stream"]] if spec.get("stream") else None,
                time_to_live_attribute=spec.get("timeToLive"),
                point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                    point_in_time_recovery_enabled=True
                ),
                encryption=dynamodb.TableEncryption.CUSTOMER_MANAGED,
                encryption_key=self.key,
                deletion_protection=retain,
                removal_policy=removal,
            )
            for index in spec.get("globalSecondaryIndexes", []):
                table.add_global_secondary_index(
                    index_name=index["name"],
                    partition_key=_attribute(index["partitionKey"]),
                    sort_key=_attribute(index["sortKey"]) if "sortKey" in index else None,
                    projection_type=_PROJECTIONS[index["projection"]],
                )
            self.tables[logical] = table
        # Who read or wrote which file (HIPAA): S3 server access logs, kept a year. The log
        # bucket cannot use the KMS key (S3 log delivery supports SSE-S3 only).
        access_logs = s3.Bucket(
            self,
            "AccessLogs",
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            encryption=s3.BucketEncryption.S3_MANAGED,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
            versioned=True,
            removal_policy=removal,
            lifecycle_rules=[s3.LifecycleRule(id="expire", expiration=Duration.days(365))],
        )
        self.access_logs = access_logs
        self.buckets: dict[str, s3.Bucket] = {
            logical: s3.Bucket(
                self,
                f"Bucket-{logical}",
                block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
                enforce_ssl=True,
                versioned=True,
                encryption=s3.BucketEncryption.KMS,
                encryption_key=self.key,
                # One data key per bucket and hour rather than one KMS call per object.
                bucket_key_enabled=True,
                removal_policy=removal,
                lifecycle_rules=[
                    *TRANSFER_RULES,
                    *VERSION_RULES,
                    *([TIERING_RULE] if intelligent_tiering else []),
                ],
                server_access_logs_bucket=access_logs,
                server_access_logs_prefix=f"{logical}/",
                cors=[UPLOAD_CORS] if logical == UPLOADS_BUCKET else None,
            )
            for logical in schema["buckets"]
        }

    def _allow_log_groups(self) -> None:
        """CloudWatch Logs encrypts the stack's log groups with the key, as AWS documents it:
        only for log groups of this account and region (the service names the log group in
        the encryption context), so that the service cannot be made to use the key for a log
        group of another account."""
        stack = Stack.of(self)
        log_groups = stack.format_arn(
            service="logs",
            resource="log-group",
            resource_name="*",
            arn_format=ArnFormat.COLON_RESOURCE_NAME,
        )
        self.key.add_to_resource_policy(
            iam.PolicyStatement(
                principals=[iam.ServicePrincipal(f"logs.{stack.region}.amazonaws.com")],
                actions=list(SERVICE_KEY_ACTIONS),
                resources=["*"],
                conditions={"ArnLike": {"kms:EncryptionContext:aws:logs:arn": log_groups}},
            )
        )

    def environment(self) -> dict[str, str]:
        """The variables through which the functions find the physical names."""
        env = {f"CIRRUS_TABLE_{k.upper()}": t.table_name for k, t in self.tables.items()}
        env.update({f"CIRRUS_BUCKET_{k.upper()}": b.bucket_name for k, b in self.buckets.items()})
        return env
