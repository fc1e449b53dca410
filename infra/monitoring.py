"""CloudWatch alarms, all sent to one SNS topic (with an e-mail subscription if configured).

What an operator must hear about: a function failing or throttled (stored files not indexed,
changes not logged), events parked in the dead-letter queue (each one is a change or an upload
that needs a look), the DICOM service without a healthy task (modalities cannot send), jobs
failing, the API answering 5xx, and refused credentials piling up (someone guessing
passwords, or a client left with an old one).
"""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_sqs as sqs
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

FIVE_MINUTES = Duration.minutes(5)


def _lambda_metric(function_name: str, metric: str) -> cloudwatch.Metric:
    return cloudwatch.Metric(
        namespace="AWS/Lambda",
        metric_name=metric,
        dimensions_map={"FunctionName": function_name},
        statistic="Sum",
        period=FIVE_MINUTES,
    )


class Alarms(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        key: kms.IKey,
        email: str,
        function_names: dict[str, str],
        dead_letters: sqs.IQueue,
        target_group: elbv2.NetworkTargetGroup,
        state_machine: sfn.IStateMachine,
        rest_api_name: str,
        failed_logins: cloudwatch.IMetric,
        failed_login_threshold: int,
    ) -> None:
        super().__init__(scope, construct_id)
        self.topic = sns.Topic(self, "Topic", master_key=key, enforce_ssl=True)
        if email:
            self.topic.add_subscription(subscriptions.EmailSubscription(email))
        self.alarms: dict[str, cloudwatch.Alarm] = {}
        for logical, name in function_names.items():
            for metric in ("Errors", "Throttles"):
                self._alarm(
                    f"{logical}{metric}",
                    _lambda_metric(name, metric),
                    f"{logical} {metric.lower()}",
                )
        self._alarm(
            "DeadLetters",
            dead_letters.metric_approximate_number_of_messages_visible(
                period=FIVE_MINUTES, statistic="Maximum"
            ),
            "Events parked in the dead-letter queue",
        )
        self._alarm(
            "DicomServiceUnhealthy",
            target_group.metrics.healthy_host_count(
                period=Duration.minutes(1), statistic="Minimum"
            ),
            "No healthy DICOM service task behind the load balancer",
            comparison=cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
            threshold=1,
            evaluation_periods=3,
            treat_missing_data=cloudwatch.TreatMissingData.BREACHING,
        )
        self._alarm(
            "JobsFailed",
            state_machine.metric_failed(period=FIVE_MINUTES, statistic="Sum"),
            "Job executions failed",
        )
        self._alarm(
            "Api5xx",
            cloudwatch.Metric(
                namespace="AWS/ApiGateway",
                metric_name="5XXError",
                dimensions_map={"ApiName": rest_api_name},
                statistic="Sum",
                period=FIVE_MINUTES,
            ),
            "The API answered 5xx",
            threshold=5,
        )
        self._alarm(
            "FailedLogins",
            failed_logins,
            "Credentials refused by the API's authorizer",
            threshold=failed_login_threshold,
        )

    def _alarm(
        self,
        construct_id: str,
        metric: cloudwatch.IMetric,
        description: str,
        *,
        comparison: cloudwatch.ComparisonOperator = (
            cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD
        ),
        threshold: float = 1,
        evaluation_periods: int = 1,
        treat_missing_data: cloudwatch.TreatMissingData = cloudwatch.TreatMissingData.NOT_BREACHING,
    ) -> None:
        alarm = cloudwatch.Alarm(
            self,
            construct_id,
            metric=metric,
            alarm_description=f"Cirrus: {description}",
            comparison_operator=comparison,
            threshold=threshold,
            evaluation_periods=evaluation_periods,
            treat_missing_data=treat_missing_data,
        )
        alarm.add_alarm_action(actions.SnsAction(self.topic))
        self.alarms[construct_id] = alarm
