"""The WAF web ACL in front of the API stage (``cirrus:waf``, on by default).

API Gateway's stage throttling (infra/api_auth.py) caps the whole API, so one client sending
random ``Authorization`` headers (each one a call of the authorizer, whose answers are cached
per header) would throttle every other caller with it. The rate-based rule blocks such a
client by its address first: above ``limit`` requests in 5 minutes from one address, WAF
answers 403 until its rate falls back. The requests WAF sees are logged, the
``Authorization`` header redacted, to a log group whose name WAF requires to start with
``aws-waf-logs-``.
"""

from __future__ import annotations

from aws_cdk import Acknowledgment, ArnFormat, Aws, Fn, Stack, Validations
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_wafv2 as wafv2
from constructs import Construct

from infra.log_groups import log_group

RATE_RULE = "RequestsPerAddress"
# WAF counts a rate-based rule's requests over this window (seconds).
RATE_WINDOW_SECONDS = 300


def _visibility(metric_name: str) -> wafv2.CfnWebACL.VisibilityConfigProperty:
    return wafv2.CfnWebACL.VisibilityConfigProperty(
        cloud_watch_metrics_enabled=True,
        metric_name=metric_name,
        sampled_requests_enabled=True,
    )


class ApiFirewall(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        name: str,
        rest_api_id: str,
        rest_api_logical_id: str,
        limit: int,
        key: kms.IKey,
        log_retention: logs.RetentionDays,
    ) -> None:
        super().__init__(scope, construct_id)
        self.web_acl = wafv2.CfnWebACL(
            self,
            "WebAcl",
            name=name,
            scope="REGIONAL",
            default_action=wafv2.CfnWebACL.DefaultActionProperty(allow={}),
            visibility_config=_visibility(name),
            rules=[
                wafv2.CfnWebACL.RuleProperty(
                    name=RATE_RULE,
                    priority=0,
                    action=wafv2.CfnWebACL.RuleActionProperty(block={}),
                    statement=wafv2.CfnWebACL.StatementProperty(
                        rate_based_statement=wafv2.CfnWebACL.RateBasedStatementProperty(
                            aggregate_key_type="IP",
                            limit=limit,
                            evaluation_window_sec=RATE_WINDOW_SECONDS,
                        )
                    ),
                    visibility_config=_visibility(f"{name}-{RATE_RULE}"),
                )
            ],
        )
        association = wafv2.CfnWebACLAssociation(
            self,
            "Association",
            web_acl_arn=self.web_acl.attr_arn,
            resource_arn=(
                f"arn:{Aws.PARTITION}:apigateway:{Aws.REGION}::/restapis/{rest_api_id}"
                # SAM's reference to the stage it makes for the API: its name, and the
                # dependency that creates the stage before the association.
                f"/stages/{Fn.ref(f'{rest_api_logical_id}.Stage')}"
            ),
        )
        Validations.of(association).acknowledge(
            Acknowledgment(
                id="CloudFormation-Validate::F1020",
                reason="RestAPI.Stage is defined by the SAM transform, which CDK does not run "
                "(cfn-lint, which does, checks the reference: tests/infra/test_policy_checks.py)",
            )
        )
        log_name = f"aws-waf-logs-{name}"
        self.log_group = log_group(self, "Logs", key, log_retention, log_name)
        logging = wafv2.CfnLoggingConfiguration(
            self,
            "Logging",
            resource_arn=self.web_acl.attr_arn,
            # WAF takes the group's ARN without the ":*" of its Arn attribute.
            log_destination_configs=[
                Stack.of(self).format_arn(
                    service="logs",
                    resource="log-group",
                    resource_name=log_name,
                    arn_format=ArnFormat.COLON_RESOURCE_NAME,
                )
            ],
            redacted_fields=[
                wafv2.CfnLoggingConfiguration.FieldToMatchProperty(
                    single_header={"Name": "authorization"}
                )
            ],
        )
        logging.node.add_dependency(self.log_group)
