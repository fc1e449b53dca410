"""CDK entry point: ``python infra/app.py`` (or ``cdk synth`` in infra/) synthesizes offline.

One stack: the storage of the shared schema (infra/storage.py), the Chalice application
packaged by Chalice's construct (infra/chalice_app.py, infra/functions.py) behind an
authenticated, throttled API (infra/api_auth.py) and a WAF (infra/waf.py), the jobs state
machine (infra/jobs.py), the DICOM service on Fargate in a VPC (infra/network.py,
infra/scp.py), the OHIF Viewer's site behind the same API (infra/viewer.py), the console's
site on the same API (infra/console.py) and the alarms (infra/monitoring.py). Settings are
CDK context (infra/settings.py). cdk-nag's AwsSolutions and HIPAA Security rules run on every
synthesis; each accepted finding is justified in infra/nag.py.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import aws_cdk as cdk
from aws_cdk import ArnFormat, Validations
from aws_cdk import aws_iam as iam
from constructs import Construct

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from infra.api_auth import ApiAuth  # noqa: E402
from infra.chalice_app import AUTHORIZER, LAMBDA_RUNTIME, LAMBDA_UNZIPPED_LIMIT  # noqa: E402
from infra.console import ConsoleSite, console_url  # noqa: E402
from infra.functions import DICOM_SERVICE, Functions, grant_data  # noqa: E402
from infra.headroom import measure  # noqa: E402
from infra.jobs import JobsOrchestration  # noqa: E402
from infra.monitoring import Alarms  # noqa: E402
from infra.nag import suppress  # noqa: E402
from infra.network import Network  # noqa: E402
from infra.scp import DicomService  # noqa: E402
from infra.settings import load_settings  # noqa: E402
from infra.storage import SERVICE_KEY_ACTIONS, Storage  # noqa: E402
from infra.viewer import ViewerSite  # noqa: E402
from infra.waf import ApiFirewall  # noqa: E402


class CirrusStack(cdk.Stack):
    def __init__(self, scope: Construct, construct_id: str, **kwargs: object) -> None:
        # The swagger document of ~140 routes makes a large template: no indentation keeps
        # it further below CloudFormation's 1 MB.
        super().__init__(scope, construct_id, suppress_template_indentation=True, **kwargs)
        # S3 access logs are granted by a bucket policy rather than the legacy ACL.
        self.node.set_context("@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy", True)
        settings = load_settings(self)
        self.settings = settings
        retention = settings.log_retention
        self.storage = Storage(
            self,
            "Storage",
            retain=settings.retain,
            intelligent_tiering=settings.intelligent_tiering,
        )
        key = self.storage.key
        # CloudWatch (the alarms' topic) writes with the key on the stack's behalf; CloudWatch
        # Logs may too, for this account's log groups only (Storage's key policy).
        key.grant(iam.ServicePrincipal("cloudwatch.amazonaws.com"), *SERVICE_KEY_ACTIONS)
        self.network = Network(
            self,
            "Network",
            max_azs=settings.max_azs,
            nat_gateways=settings.nat_gateways,
            key=key,
            log_retention=retention,
        )
        bucket = self.storage.buckets["dicom"]
        machine_name = f"{self.stack_name}-jobs"
        machine_arn = self.format_arn(
            service="states",
            resource="stateMachine",
            resource_name=machine_name,
            arn_format=ArnFormat.COLON_RESOURCE_NAME,
        )
        self.functions = Functions(
            self,
            "App",
            settings=settings,
            tables=self.storage.tables,
            bucket=bucket,
            key=key,
            environment=self._environment(),
            state_machine_arn=machine_arn,
            vpc=self.network.vpc,
            subnets=self.network.private_subnets,
        )
        app = self.functions.app
        rest_api = app.get_resource("RestAPI")
        rest_api.add_property_override("Name", f"{self.stack_name}-api")
        self.auth = ApiAuth(
            self,
            "Auth",
            app=app,
            key=key,
            log_retention=retention,
            user_pool=settings.user_pool,
            user_pool_client_ids=settings.user_pool_client_ids,
            retain=settings.retain,
            rate_limit=settings.api_rate_limit,
            burst_limit=settings.api_burst_limit,
            console_url=console_url(rest_api) if settings.console else None,
            user_pool_domain=settings.user_pool_domain,
        )
        self.firewall: ApiFirewall | None = None
        if settings.waf:
            self.firewall = ApiFirewall(
                self,
                "Firewall",
                name=f"{self.stack_name}-api",
                rest_api_id=rest_api.ref,
                rest_api_logical_id="RestAPI",
                limit=settings.waf_rate_limit,
                key=key,
                log_retention=retention,
            )
        self.viewer: ViewerSite | None = None
        if settings.viewer:
            self.viewer = ViewerSite(
                self,
                "Viewer",
                rest_api=rest_api,
                authorizer=AUTHORIZER,
                key=key,
                access_logs=self.storage.access_logs,
                retain=settings.retain,
            )
        self.console: ConsoleSite | None = None
        if settings.console:
            self.console = ConsoleSite(
                self,
                "Console",
                rest_api=rest_api,
                sign_in=self.auth.sign_in,
                upload_bucket=bucket,
                key=key,
                access_logs=self.storage.access_logs,
                retain=settings.retain,
            )
            cdk.CfnOutput(self, "ConsoleUrl", value=console_url(rest_api))
        self.jobs = JobsOrchestration(
            self, "Jobs", app.get_function("JobStep"), name=machine_name, key=key
        )
        self.scp = DicomService(
            self,
            "Dicom",
            vpc=self.network.vpc,
            subnets=self.network.private_subnets,
            settings=settings,
            environment=self._environment(),
            key=key,
        )
        self._grant_dicom_service()
        self.alarms = Alarms(
            self,
            "Alarms",
            key=key,
            email=settings.alarm_email,
            function_names=self.functions.names,
            dead_letters=self.functions.dead_letters,
            target_group=self.scp.target_group,
            state_machine=self.jobs.state_machine,
            rest_api_name=f"{self.stack_name}-api",
            failed_logins=self.auth.failed_logins,
            failed_login_threshold=settings.failed_login_alarm,
        )
        cdk.CfnOutput(
            self,
            "DicomEndpoint",
            value=self.scp.load_balancer.load_balancer_dns_name,
            description=f"Modalities send to this host, port {settings.dicom_port}, "
            f"AET {settings.dicom_aet}",
        )
        cdk.CfnOutput(self, "UsersSecret", value=self.auth.users.secret_arn)
        cdk.CfnOutput(
            self,
            "ConfigurationSecret",
            value=self.functions.configuration_secret.secret_arn,
            description="The peers' passwords: "
            '{"OrthancPeers": {"name": {"Password": "..."}}} (put-secret-value)',
        )
        if self.auth.user_pool_client is not None:
            cdk.CfnOutput(
                self, "UserPoolClientId", value=self.auth.user_pool_client.user_pool_client_id
            )
        if self.auth.user_pool is not None:
            cdk.CfnOutput(self, "UserPoolId", value=self.auth.user_pool.user_pool_id)
        suppress(self)

    def _environment(self) -> dict[str, str]:
        """What the functions and the DICOM service are told: the tables' and bucket's names,
        and the VPC's range, which outbound connections refuse unless the configuration's
        RemoteNetworksAllowed lists it (chalicelib/remotes/destinations.py)."""
        return {**self.storage.environment(), "CIRRUS_VPC_CIDRS": self.network.vpc.vpc_cidr_block}

    def _grant_dicom_service(self) -> None:
        """The DICOM service stores, finds, retrieves and answers storage commitment."""
        storage = self.storage
        grant_data(
            self.scp.task_role,
            DICOM_SERVICE,
            storage.tables,
            storage.buckets["dicom"],
            storage.key,
        )


def build(app: cdk.App) -> CirrusStack:
    """The stack, checked by cdk-nag's packs when the app synthesizes (a finding that is not
    acknowledged in infra/nag.py stops the synthesis)."""
    stack = CirrusStack(app, "Cirrus")
    Validations.of(app).add_plugins(*nag_packs(app))
    return stack


def nag_packs(scope: Construct) -> list[object]:
    from cdk_nag import AwsSolutionsChecks, HIPAASecurityChecks

    return [AwsSolutionsChecks(scope, verbose=True), HIPAASecurityChecks(scope, verbose=True)]


def main() -> None:
    """Synthesize into infra/cdk.out (or where the CDK CLI asks), and report the size of the
    Lambda bundle against Lambda's limit, and the API's resources and the templates' sizes
    against their budgets (infra/headroom.py)."""
    outdir = Path(os.environ.get("CDK_OUTDIR", str(Path(__file__).parent / "cdk.out")))
    app = cdk.App(outdir=str(outdir))
    stack = build(app)
    app.synth()
    headroom = measure(outdir)
    print(headroom.report())
    if headroom.problems():
        sys.exit("Over budget: " + "; ".join(headroom.problems()))
    sizes = stack.functions.app.bundle_sizes()
    for name, (zipped, unzipped) in sizes.items():
        print(f"{name}: {zipped / 2**20:.1f} MiB zipped, {unzipped / 2**20:.1f} MiB unzipped")
    total = sum(unzipped for _, unzipped in sizes.values())
    print(
        f"Function and layers: {total / 2**20:.1f} MiB of Lambda's {LAMBDA_UNZIPPED_LIMIT // 2**20}"
    )
    if total > LAMBDA_UNZIPPED_LIMIT:
        sys.exit("The Lambda bundle exceeds Lambda's size limit")
    missing = stack.functions.app.missing_dependencies()
    if missing:
        sys.exit(f"No wheel for {LAMBDA_RUNTIME} in the layer: {', '.join(missing)}")


if __name__ == "__main__":
    main()
