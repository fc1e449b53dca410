"""The functions of ``app.py`` as Chalice packages them, wired to the rest of the stack.

Chalice writes the API, the functions and their event sources; what it cannot know is set
here on the included template: one role per function holding only what that function uses
(:data:`ACCESS`), the physical names, the state machine and the configuration file, the
VPC for the functions that call modalities and peers, the index stream's partial batch
failures and dead letters, and the S3 notification of large uploads.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from aws_cdk import ArnFormat, Aws, Duration, RemovalPolicy, SecretValue, Stack
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_notifications as s3n
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra.chalice_app import ChaliceApp
from infra.egress import restrict_egress
from infra.log_groups import log_group as make_log_group
from infra.settings import REPO_ROOT, Settings

# Where the configuration layer puts the Orthanc-style file (layers are unpacked in /opt).
CONFIG_PATH = "/opt/cirrus/config.json"


@dataclass(frozen=True)
class Access:
    """What one function may do, action by action, as its code calls AWS: DynamoDB actions
    per table (``Query`` on the table itself), the tables whose indexes it queries, S3
    actions on the bucket's objects and on the bucket, starting jobs, the network.

    tests/infra/test_iam_calls.py records the calls of each function and checks both ways:
    every call is allowed, and every action listed here is called (or its exception says
    why not)."""

    tables: dict[str, tuple[str, ...]] = field(default_factory=dict)
    index_queries: tuple[str, ...] = ()
    objects: tuple[str, ...] = ()
    # S3 actions on the DICOMweb metadata documents only (services/dicomweb/metadata.py).
    metadata_documents: tuple[str, ...] = ()
    bucket: tuple[str, ...] = ()
    start_jobs: bool = False
    in_vpc: bool = False
    # Secrets Manager actions on the peers' secrets (chalicelib/storage/secrets.py); a
    # function reading them also reads the configuration secret (the file's peers).
    peer_secrets: tuple[str, ...] = ()


# Where the DICOMweb metadata documents live in the bucket (METADATA_PREFIX of
# chalicelib/services/dicomweb/metadata.py).
METADATA_DOCUMENTS = "dicomweb-metadata/"

# The data key, for the tables and the bucket it encrypts: DynamoDB and S3 use it on the
# caller's behalf, and every function writes to some table.
KEY_ACTIONS = (
    "kms:Decrypt",
    "kms:DescribeKey",
    "kms:Encrypt",
    "kms:ReEncrypt*",
    "kms:GenerateDataKey*",
)
# Every function reads "remotes" for the log levels set through /tools/log-level (app.py's
# middleware, chalicelib/storage/settings_store.py).
LOG_LEVELS = ("Query",)
# The sequenced logs (chalicelib/storage/logs.py): appending (a counter update, the entry's
# transaction), reading, clearing (batched deletes); "unseen" reads event markers in batches.
LOG_APPEND = ("PutItem", "UpdateItem")
LOG_READ = ("GetItem", "Query")
# The resource index as the services that store, modify and delete resources use it.
INDEX_WRITE = ("GetItem", "BatchGetItem", "Query", "PutItem", "UpdateItem", "DeleteItem")

# Per function of app.py (Chalice's logical names), from the services each one builds in
# chalicelib/bootstrap.py.
ACCESS: dict[str, Access] = {
    # Every route: the whole data model, and jobs are started from it.
    "APIHandler": Access(
        tables={
            "index": (*INDEX_WRITE, "ConditionCheckItem"),
            "logs": (*LOG_READ, *LOG_APPEND, "BatchWriteItem"),
            "jobs": ("GetItem", "BatchGetItem", "PutItem", "UpdateItem"),
            "remotes": ("GetItem", "Query", "PutItem"),
            "queries": ("Query", "BatchWriteItem"),
            "commitments": ("GetItem", "PutItem", "DeleteItem"),
        },
        index_queries=("index", "jobs", "queries"),
        objects=(
            "s3:GetObject",
            "s3:PutObject",
            "s3:DeleteObject",
            "s3:AbortMultipartUpload",
            "s3:ListMultipartUploadParts",
        ),
        start_jobs=True,
        in_vpc=True,
        # PUT and DELETE /peers/{id} write them; /system and store-straight connect.
        peer_secrets=("GetSecretValue", "CreateSecret", "PutSecretValue", "DeleteSecret"),
    ),
    # Job steps send to modalities and peers (with storage commitment), modify, restructure
    # and retrieve resources, and write archives.
    "JobStep": Access(
        tables={
            "index": INDEX_WRITE,
            "jobs": ("GetItem", "BatchGetItem", "Query", "UpdateItem", "BatchWriteItem"),
            "remotes": ("GetItem", "Query"),
            "commitments": ("PutItem",),
        },
        index_queries=("jobs",),
        objects=("s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"),
        bucket=("s3:ListBucket",),
        in_vpc=True,
        peer_secrets=("GetSecretValue",),
    ),
    # The changes log from the index stream, touching the ancestors of what changed
    # (ChangeFeed: an update guarded by conditions in the log's transaction), and dropping
    # the DICOMweb metadata of the series that changed.
    "IndexStream": Access(
        tables={
            "index": ("UpdateItem", "ConditionCheckItem"),
            "logs": ("BatchGetItem", "Query", *LOG_APPEND, "BatchWriteItem"),
            "remotes": LOG_LEVELS,
        },
        # The metadata document of a series that received or lost an instance.
        metadata_documents=("s3:DeleteObject",),
    ),
    # Ingesting a file uploaded through a presigned URL.
    "UploadReceived": Access(
        tables={"index": ("BatchGetItem", "PutItem", "UpdateItem"), "remotes": LOG_LEVELS},
        objects=("s3:GetObject", "s3:PutObject", "s3:DeleteObject"),
    ),
    # StableSeries/StableStudy/StablePatient, and the DICOMweb metadata of a stable series
    # written from its files (services/dicomweb/metadata.py).
    "StabilityCheck": Access(
        tables={
            "index": ("BatchGetItem", "UpdateItem", "Query"),
            "logs": ("BatchGetItem", *LOG_APPEND),
            "remotes": LOG_LEVELS,
        },
        index_queries=("index",),
        objects=("s3:GetObject",),
        metadata_documents=("s3:PutObject",),
    ),
    # Deleting the stored objects no index record names (services/resources/sweeper.py):
    # listing, reading the records that would name them, deleting; its position between
    # runs is an item of "remotes".
    "OrphanSweeper": Access(
        tables={"index": ("BatchGetItem",), "remotes": (*LOG_LEVELS, "GetItem", "PutItem")},
        objects=("s3:DeleteObject",),
        bucket=("s3:ListBucket",),
    ),
}
# The DICOM service's task (infra/scp.py): C-STORE ingests, C-FIND, C-MOVE and C-GET read
# the index and the files, storage commitment reports are recorded; who may call comes from
# the modalities of "remotes" (with the log levels).
DICOM_SERVICE = Access(
    tables={
        "index": ("BatchGetItem", "Query", "PutItem", "UpdateItem"),
        "commitments": ("PutItem",),
        "remotes": ("Query",),
    },
    index_queries=("index",),
    objects=("s3:GetObject", "s3:PutObject"),
)


class Functions(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        settings: Settings,
        tables: dict[str, dynamodb.Table],
        bucket: s3.Bucket,
        key: kms.IKey,
        environment: dict[str, str],
        state_machine_arn: str,
        vpc: ec2.IVpc,
        subnets: ec2.SubnetSelection,
    ) -> None:
        super().__init__(scope, construct_id)
        self.app = ChaliceApp(self, "Chalice", str(REPO_ROOT), settings.chalice_stage)
        stack = Stack.of(self)
        self.security_group = ec2.SecurityGroup(
            self,
            "VpcFunctions",
            vpc=vpc,
            description="Cirrus functions in the VPC",
            allow_all_outbound=False,
        )
        restrict_egress(self.security_group, settings)
        # Events that failed after their retries (index stream batches, uploads, stability
        # checks) wait here to be looked at, and raise an alarm.
        self.dead_letters = sqs.Queue(
            self,
            "DeadLetters",
            encryption=sqs.QueueEncryption.KMS,
            encryption_master_key=key,
            retention_period=Duration.days(14),
            enforce_ssl=True,
        )
        config_layer = lambda_.LayerVersion(
            self,
            "Configuration",
            code=lambda_.Code.from_asset(_config_layer_dir(settings.orthanc_config_text)),
            description="The Orthanc-style configuration file of the deployment",
        )
        # The secrets of the file's peers (refused in the file: infra/settings.py), filled by
        # the deployer, {"OrthancPeers": {"name": {"Password": "..."}}}; and where the peers
        # written through the API keep theirs.
        self.configuration_secret = secretsmanager.Secret(
            self,
            "ConfigurationSecret",
            description='Cirrus configuration secrets: {"OrthancPeers": {"name": {"Password": '
            '"..."}}}, completing the Orthanc-style file',
            encryption_key=key,
            secret_string_value=SecretValue.unsafe_plain_text("{}"),
            removal_policy=RemovalPolicy.RETAIN if settings.retain else RemovalPolicy.DESTROY,
        )
        self.peer_secrets_prefix = f"{stack.stack_name}/remotes/"
        self.peer_secrets_arn = stack.format_arn(
            service="secretsmanager",
            resource="secret",
            resource_name=f"{self.peer_secrets_prefix}*",
            arn_format=ArnFormat.COLON_RESOURCE_NAME,
        )
        secret_variables = {
            "CIRRUS_SECRETS_PREFIX": self.peer_secrets_prefix,
            "CIRRUS_SECRETS_KEY": key.key_arn,
            "CIRRUS_CONFIG_SECRET": self.configuration_secret.secret_arn,
        }
        managed_layer = self.app.get_resource("ManagedLayer")
        # What the roles grant jobs on (tests/infra/test_iam_calls.py resolves it).
        self.state_machine_arn = state_machine_arn
        self.names: dict[str, str] = {}
        for logical, access in ACCESS.items():
            name = f"{stack.stack_name}-{logical}"
            self.names[logical] = name
            function = self.app.get_resource(logical)
            log_group = make_log_group(
                self, f"{logical}Logs", key, settings.log_retention, f"/aws/lambda/{name}"
            )
            role = self._role(logical, access, tables, bucket, key, state_machine_arn, log_group)
            function.add_property_override("FunctionName", name)
            function.add_property_override("Role", role.role_arn)
            function.add_property_override(
                "Layers", [managed_layer.ref, config_layer.layer_version_arn]
            )
            function.add_property_override("Tracing", "Active")
            function.node.add_dependency(role)
            function.node.add_dependency(log_group)
            variables = {
                **environment,
                "CIRRUS_JOBS_STATE_MACHINE": state_machine_arn,
                "CIRRUS_CONFIG": CONFIG_PATH,
                "POWERTOOLS_METRICS_NAMESPACE": "Cirrus",
                "POWERTOOLS_LOG_LEVEL": "INFO",
                **(secret_variables if access.peer_secrets else {}),
            }
            for variable, value in variables.items():
                self.app.add_environment_variable(variable, value, logical)
            if access.in_vpc:
                function.add_property_override(
                    "VpcConfig",
                    {
                        "SubnetIds": vpc.select_subnets(subnet_type=subnets.subnet_type).subnet_ids,
                        "SecurityGroupIds": [self.security_group.security_group_id],
                    },
                )
        # A flood of requests takes at most this share of the account's concurrency (the
        # stream and the uploads keep theirs) and answers 429 above it (cirrus:apiConcurrency).
        self.app.get_resource("APIHandler").add_property_override(
            "ReservedConcurrentExecutions", settings.api_concurrency
        )
        self._wire_index_stream(tables["index"])
        for logical in ("UploadReceived", "StabilityCheck"):
            self.app.get_resource(logical).add_property_override(
                "DeadLetterQueue", {"Type": "SQS", "TargetArn": self.dead_letters.queue_arn}
            )
        self._wire_uploads(bucket)

    def _role(
        self,
        logical: str,
        access: Access,
        tables: dict[str, dynamodb.Table],
        bucket: s3.Bucket,
        key: kms.IKey,
        state_machine_arn: str,
        log_group: logs.LogGroup,
    ) -> iam.Role:
        role = iam.Role(
            self,
            f"{logical}Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description=f"Cirrus {logical}: only what it uses",
        )
        role.add_to_policy(
            iam.PolicyStatement(
                actions=["logs:CreateLogStream", "logs:PutLogEvents"],
                resources=[log_group.log_group_arn],
            )
        )
        role.add_to_policy(
            iam.PolicyStatement(
                actions=["xray:PutTraceSegments", "xray:PutTelemetryRecords"], resources=["*"]
            )
        )
        grant_data(role, access, tables, bucket, key)
        if access.start_jobs:
            role.add_to_policy(
                iam.PolicyStatement(
                    actions=["states:StartExecution"], resources=[state_machine_arn]
                )
            )
        if access.in_vpc:
            role.add_to_policy(
                iam.PolicyStatement(
                    actions=[
                        "ec2:CreateNetworkInterface",
                        "ec2:DescribeNetworkInterfaces",
                        "ec2:DeleteNetworkInterface",
                        "ec2:AssignPrivateIpAddresses",
                        "ec2:UnassignPrivateIpAddresses",
                    ],
                    resources=["*"],
                )
            )
        if access.peer_secrets:
            self._grant_peer_secrets(role, access.peer_secrets)
        if logical in ("IndexStream", "UploadReceived", "StabilityCheck"):
            self.dead_letters.grant_send_messages(role)
        if logical == "IndexStream":
            tables["index"].grant_stream_read(role)
        return role

    def _grant_peer_secrets(self, role: iam.Role, actions: tuple[str, ...]) -> None:
        """``actions`` on the peers' secrets, by name prefix (they are created at run time),
        and reading the configuration secret. The data key that encrypts them is granted
        with the tables' (:func:`grant_data`): Secrets Manager uses it on the caller's
        behalf."""
        role.add_to_policy(
            iam.PolicyStatement(
                actions=[f"secretsmanager:{action}" for action in actions],
                resources=[self.peer_secrets_arn],
            )
        )
        if "GetSecretValue" in actions:
            role.add_to_policy(
                iam.PolicyStatement(
                    actions=["secretsmanager:GetSecretValue"],
                    resources=[self.configuration_secret.secret_arn],
                )
            )

    def _wire_index_stream(self, index: dynamodb.Table) -> None:
        """Each change reaches the changes log once the batch is processed: a failing record
        is retried alone (bisect, partial batch response) and parked in the dead-letter
        queue after its retries, so one bad record cannot block the stream. Reading from the
        oldest record loses no change made while the function is (re)deployed."""
        prefix = "Events.IndexStreamDynamodbEventSource.Properties"
        function = self.app.get_resource("IndexStream")
        function.add_property_override(f"{prefix}.Stream", index.table_stream_arn)
        function.add_property_override(f"{prefix}.StartingPosition", "TRIM_HORIZON")
        function.add_property_override(
            f"{prefix}.FunctionResponseTypes", ["ReportBatchItemFailures"]
        )
        function.add_property_override(f"{prefix}.BisectBatchOnFunctionError", True)
        function.add_property_override(f"{prefix}.MaximumRetryAttempts", 5)
        function.add_property_override(
            f"{prefix}.DestinationConfig",
            {"OnFailure": {"Type": "SQS", "Destination": self.dead_letters.queue_arn}},
        )

    def _wire_uploads(self, bucket: s3.Bucket) -> None:
        """``@app.on_s3_event(prefix="uploads/")``, which ``chalice package`` leaves to CDK."""
        function = self.app.get_function("UploadReceived")
        permission = lambda_.CfnPermission(
            self,
            "UploadsInvoke",
            action="lambda:InvokeFunction",
            function_name=function.function_arn,
            principal="s3.amazonaws.com",
            source_account=Aws.ACCOUNT_ID,
            source_arn=bucket.bucket_arn,
        )
        bucket.add_event_notification(
            s3.EventType.OBJECT_CREATED,
            s3n.LambdaDestination(function),
            s3.NotificationKeyFilter(prefix="uploads/"),
        )
        notifications = bucket.node.try_find_child("Notifications")
        if notifications is not None:
            notifications.node.add_dependency(permission)


def grant_data(
    role: iam.IRole,
    access: Access,
    tables: dict[str, dynamodb.Table],
    bucket: s3.IBucket,
    key: kms.IKey,
) -> None:
    """The statements of ``access`` on the tables, their indexes and the bucket, action by
    action (CDK's ``grant_read_write_data`` and ``grant_read_write`` grant far more: scans,
    stream reads, object ACLs, legal holds), and the data key they are encrypted with."""
    for name, actions in access.tables.items():
        role.add_to_principal_policy(
            iam.PolicyStatement(
                actions=[f"dynamodb:{action}" for action in actions],
                resources=[tables[name].table_arn],
            )
        )
    for name in access.index_queries:
        role.add_to_principal_policy(
            iam.PolicyStatement(
                actions=["dynamodb:Query"], resources=[f"{tables[name].table_arn}/index/*"]
            )
        )
    if access.objects:
        role.add_to_principal_policy(
            iam.PolicyStatement(
                actions=list(access.objects), resources=[bucket.arn_for_objects("*")]
            )
        )
    if access.metadata_documents:
        role.add_to_principal_policy(
            iam.PolicyStatement(
                actions=list(access.metadata_documents),
                resources=[bucket.arn_for_objects(f"{METADATA_DOCUMENTS}*")],
            )
        )
    if access.bucket:
        role.add_to_principal_policy(
            iam.PolicyStatement(actions=list(access.bucket), resources=[bucket.bucket_arn])
        )
    key.grant(role, *KEY_ACTIONS)


def _config_layer_dir(text: str) -> str:
    """A directory holding ``cirrus/config.json`` (the layer's content)."""
    root = Path(tempfile.mkdtemp(prefix="cirrus-config-layer-"))
    (root / "cirrus").mkdir()
    (root / "cirrus" / "config.json").write_text(text, "utf-8")
    return str(root)
