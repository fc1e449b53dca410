"""Authentication of the REST API: no method is open.

Orthanc's clients authenticate with HTTP Basic against ``RegisteredUsers``; so does Cirrus on
AWS, through a TOKEN authorizer (infra/authorizer/api_authorizer) that checks the credentials
against a Secrets Manager secret. The same authorizer accepts the ID and access tokens of a
Cognito user pool as ``Bearer`` (the AWS way of signing in, with MFA, federation and token
expiry), from the pool it creates or an existing one (``cirrus:userPool``). Every method of
Chalice's swagger document requires it (infra/chalice_app.py); here the authorizer itself is
defined, with the access log of the API stage (who called what, for the audit trail).

With the console (``infra/console.py``), people sign in to the pool on Cognito's managed
login pages (the pool's domain), which send them back to the console's URL with a code the
console exchanges for tokens (the authorization-code grant with PKCE, for a public client).
That URL holds the REST API's ID, and the authorizer's environment the client's ID: the
authorizer's URI in the API's document therefore names the function by its name rather
than by a reference, or the API, the client and the function would depend on one another.
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
from pathlib import Path

from aws_cdk import Aws, Duration, Fn, RemovalPolicy, Stack
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from chalicelib.credentials import GROUP_ROLES
from infra.chalice_app import AUTHORIZER, ChaliceApp
from infra.log_groups import log_group
from infra.settings import DEFAULTS, REPO_ROOT

# The authorizer's package, and the modules of chalicelib it imports (standard library only).
AUTHORIZER_PACKAGE = REPO_ROOT / "infra" / "authorizer" / "api_authorizer"
SHARED_MODULES = ("chalicelib/__init__.py", "chalicelib/credentials.py")
# How long API Gateway reuses an authorizer's answer for the same Authorization header.
AUTH_CACHE_SECONDS = 300
# What the authorizer logs when it refuses credentials, and the metric that counts it.
DENIED_MESSAGE = "Denied"
FAILED_LOGINS_METRIC = "FailedLogins"
METRIC_NAMESPACE = "Cirrus"
BASIC_HEADER = r"[Bb]asic [A-Za-z0-9+/=]+"
BEARER_HEADER = r"Bearer [A-Za-z0-9_=-]+\.[A-Za-z0-9_=-]+\.[A-Za-z0-9_=-]+"
ACCESS_LOG_FORMAT = json.dumps(
    {
        "requestId": "$context.requestId",
        "ip": "$context.identity.sourceIp",
        "user": "$context.authorizer.principalId",
        "time": "$context.requestTime",
        "method": "$context.httpMethod",
        "path": "$context.path",
        "status": "$context.status",
        "bytes": "$context.responseLength",
        "latency": "$context.responseLatency",
        "error": "$context.error.message",
    }
)


class ApiAuth(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        app: ChaliceApp,
        key: kms.IKey,
        log_retention: logs.RetentionDays,
        user_pool: str,
        user_pool_client_ids: tuple[str, ...],
        retain: bool,
        rate_limit: int = DEFAULTS["cirrus:apiRateLimit"],
        burst_limit: int = DEFAULTS["cirrus:apiBurstLimit"],
        console_url: str | None = None,
        user_pool_domain: str = "",
    ) -> None:
        super().__init__(scope, construct_id)
        self.user_pool: cognito.IUserPool | None = None
        self.user_pool_client: cognito.UserPoolClient | None = None
        # The console's hosted sign-in, {"Domain": "https://...", "ClientId": ...}, if any.
        self.sign_in: dict[str, str] | None = None
        self.console_url = console_url
        jwt_environment = self._user_pool(user_pool, user_pool_client_ids, retain, user_pool_domain)
        # Orthanc's RegisteredUsers, as a JSON object {"user": "password"}, or
        # {"RegisteredUsers": {...}, "CirrusUserRoles": {...}} to give roles
        # (infra/authorizer/api_authorizer/basic.py); the deployment creates one user,
        # "orthanc", with a random password and no role, hence an administrator
        # (docs/deploy.md).
        self.users = secretsmanager.Secret(
            self,
            "Users",
            description='Cirrus API users: {"user": "password"} (Orthanc\'s RegisteredUsers)',
            encryption_key=key,
            generate_secret_string=secretsmanager.SecretStringGenerator(
                secret_string_template="{}",
                generate_string_key="orthanc",
                exclude_punctuation=True,
                password_length=32,
            ),
            removal_policy=RemovalPolicy.RETAIN,
        )
        self.log_group = log_group(self, "AuthorizerLogs", key, log_retention)
        function_name = f"{_name_part(Stack.of(self).stack_name)}-authorizer"
        self.function = lambda_.Function(
            self,
            "Authorizer",
            function_name=function_name,
            runtime=lambda_.Runtime.PYTHON_3_14,
            handler="api_authorizer.handler.handler",
            code=lambda_.Code.from_asset(_authorizer_asset()),
            timeout=Duration.seconds(10),
            memory_size=256,
            environment={"CIRRUS_USERS_SECRET": self.users.secret_arn, **jwt_environment},
            log_group=self.log_group,
            # One JSON object per record, as the functions' powertools logs (docs/deploy.md).
            logging_format=lambda_.LoggingFormat.JSON,
            tracing=lambda_.Tracing.ACTIVE,
            reserved_concurrent_executions=50,
        )
        self.users.grant_read(self.function)
        # Refused credentials, counted from the authorizer's log (an alarm watches the count).
        self.failed_logins = logs.MetricFilter(
            self,
            "FailedLoginsFilter",
            log_group=self.log_group,
            filter_pattern=logs.FilterPattern.string_value("$.message", "=", DENIED_MESSAGE),
            metric_namespace=METRIC_NAMESPACE,
            metric_name=FAILED_LOGINS_METRIC,
            metric_value="1",
            default_value=0,
        ).metric(statistic="Sum", period=Duration.minutes(5))
        rest_api = app.get_resource("RestAPI")
        rest_api.add_property_override(
            "DefinitionBody.securityDefinitions",
            {
                AUTHORIZER: {
                    "type": "apiKey",
                    "name": "Authorization",
                    "in": "header",
                    "x-amazon-apigateway-authtype": "custom",
                    "x-amazon-apigateway-authorizer": {
                        "type": "token",
                        # By name: see the module's docstring.
                        "authorizerUri": (
                            f"arn:{Aws.PARTITION}:apigateway:{Aws.REGION}:lambda:path/"
                            f"2015-03-31/functions/arn:{Aws.PARTITION}:lambda:{Aws.REGION}:"
                            f"{Aws.ACCOUNT_ID}:function:{function_name}/invocations"
                        ),
                        "authorizerResultTtlInSeconds": AUTH_CACHE_SECONDS,
                        # Anything else is refused without a call.
                        "identityValidationExpression": (
                            f"^({BASIC_HEADER}|{BEARER_HEADER})$"
                            if jwt_environment
                            else f"^{BASIC_HEADER}$"
                        ),
                    },
                }
            },
        )
        lambda_.CfnPermission(
            self,
            "AuthorizerInvoke",
            action="lambda:InvokeFunction",
            function_name=self.function.function_arn,
            principal="apigateway.amazonaws.com",
            source_arn=(
                f"arn:{Aws.PARTITION}:execute-api:{Aws.REGION}:{Aws.ACCOUNT_ID}:"
                f"{rest_api.ref}/authorizers/*"
            ),
        )
        self.access_logs = log_group(self, "AccessLogs", key, log_retention)
        rest_api.add_property_override(
            "AccessLogSetting",
            {"DestinationArn": self.access_logs.log_group_arn, "Format": ACCESS_LOG_FORMAT},
        )
        rest_api.add_property_override(
            "MethodSettings",
            [
                {
                    "ResourcePath": "/*",
                    "HttpMethod": "*",
                    "LoggingLevel": "ERROR",
                    "MetricsEnabled": True,
                    # Above this rate API Gateway answers 429 without calling the authorizer
                    # or the function.
                    "ThrottlingRateLimit": rate_limit,
                    "ThrottlingBurstLimit": burst_limit,
                }
            ],
        )
        rest_api.add_property_override("TracingEnabled", True)
        # API Gateway writes logs with the account's role (one per account and region).
        logging_role = iam.Role(
            self,
            "ApiGatewayLogging",
            assumed_by=iam.ServicePrincipal("apigateway.amazonaws.com"),
            managed_policies=[
                iam.ManagedPolicy.from_aws_managed_policy_name(
                    "service-role/AmazonAPIGatewayPushToCloudWatchLogs"
                )
            ],
        )
        account = apigateway.CfnAccount(
            self, "ApiGatewayAccount", cloud_watch_role_arn=logging_role.role_arn
        )
        rest_api.node.add_dependency(account)

    def _user_pool(
        self, user_pool: str, client_ids: tuple[str, ...], retain: bool, domain: str
    ) -> dict[str, str]:
        """The user pool whose tokens the API accepts, as the authorizer's environment."""
        if user_pool == "none":
            return {}
        if user_pool == "create":
            pool = cognito.UserPool(
                self,
                "UserPool",
                self_sign_up_enabled=False,
                sign_in_aliases=cognito.SignInAliases(username=True, email=True),
                password_policy=cognito.PasswordPolicy(
                    min_length=14,
                    require_lowercase=True,
                    require_uppercase=True,
                    require_digits=True,
                    require_symbols=True,
                ),
                # Protected health information: a second factor (an authenticator app) for
                # every user, and the Plus plan's detection of compromised credentials and
                # risky sign-ins ($0.02 per monthly active user, docs/deploy.md).
                mfa=cognito.Mfa.REQUIRED,
                mfa_second_factor=cognito.MfaSecondFactor(otp=True, sms=False),
                feature_plan=cognito.FeaturePlan.PLUS,
                standard_threat_protection_mode=cognito.StandardThreatProtectionMode.FULL_FUNCTION,
                account_recovery=cognito.AccountRecovery.EMAIL_ONLY,
                deletion_protection=retain,
                removal_policy=RemovalPolicy.RETAIN if retain else RemovalPolicy.DESTROY,
            )
            # A public client (scripts and browser apps cannot keep a secret): password or
            # SRP sign-in, one-hour tokens, refresh tokens that sign-out revokes; with the
            # console, the managed login's authorization-code grant back to the console.
            self.user_pool_client = pool.add_client(
                "ApiClient",
                auth_flows=cognito.AuthFlow(user_password=True, user_srp=True),
                o_auth=self._console_oauth(),
                disable_o_auth=self.console_url is None,
                generate_secret=False,
                prevent_user_existence_errors=True,
                access_token_validity=Duration.hours(1),
                id_token_validity=Duration.hours(1),
                refresh_token_validity=Duration.days(30),
                enable_token_revocation=True,
            )
            client_ids = (self.user_pool_client.user_pool_client_id,)
            self._role_groups(pool)
            if self.console_url is not None:
                self._managed_login(pool, self.user_pool_client, domain)
        else:
            pool = cognito.UserPool.from_user_pool_id(self, "UserPool", user_pool)
            if self.console_url is not None and domain:
                self.sign_in = {"Domain": existing_domain_url(domain), "ClientId": client_ids[0]}
        self.user_pool = pool
        return {
            "CIRRUS_JWT_ISSUER": (
                f"https://cognito-idp.{Aws.REGION}.{Aws.URL_SUFFIX}/{pool.user_pool_id}"
            ),
            "CIRRUS_JWT_CLIENT_IDS": Fn.join(",", list(client_ids)),
        }

    def _console_oauth(self) -> cognito.OAuthSettings | None:
        """The managed login's grant: an authorization code (with PKCE, the console being a
        public client) for the OpenID scopes, back to the console's URL only."""
        if self.console_url is None:
            return None
        return cognito.OAuthSettings(
            flows=cognito.OAuthFlows(authorization_code_grant=True),
            scopes=[
                cognito.OAuthScope.OPENID,
                cognito.OAuthScope.EMAIL,
                cognito.OAuthScope.PROFILE,
            ],
            callback_urls=[self.console_url],
            logout_urls=[self.console_url],
        )

    def _managed_login(
        self, pool: cognito.UserPool, client: cognito.UserPoolClient, prefix: str
    ) -> None:
        """The pool's domain with Cognito's managed login pages (their default look) for the
        console's client: sign-in, then the pool's required second factor."""
        domain = pool.add_domain(
            "SignIn",
            cognito_domain=cognito.CognitoDomainOptions(
                domain_prefix=prefix or default_domain_prefix(Stack.of(self).stack_name)
            ),
            managed_login_version=cognito.ManagedLoginVersion.NEWER_MANAGED_LOGIN,
        )
        cognito.CfnManagedLoginBranding(
            self,
            "SignInPages",
            user_pool_id=pool.user_pool_id,
            client_id=client.user_pool_client_id,
            use_cognito_provided_values=True,
        )
        self.sign_in = {"Domain": domain.base_url(), "ClientId": client.user_pool_client_id}

    def _role_groups(self, pool: cognito.UserPool) -> None:
        """The groups whose members the authorizer gives a role (chalicelib/credentials.py);
        a user in none is read-only. (An existing pool needs groups of the same names.)"""
        for group, role in GROUP_ROLES.items():
            cognito.CfnUserPoolGroup(
                self,
                f"Group-{group}",
                user_pool_id=pool.user_pool_id,
                group_name=group,
                description=f"Cirrus API callers with the role {role}",
            )


def _name_part(name: str) -> str:
    """``name`` (a stack's) as the lowercase start of a resource's name."""
    return re.sub(r"[^a-z0-9-]+", "-", name.lower()).strip("-")[:40] or "cirrus"


def default_domain_prefix(stack_name: str) -> str:
    """The created pool's domain prefix, unique in the region as Cognito requires: the
    stack's name and the account's ID (Cognito refuses a prefix holding "aws", "amazon" or
    "cognito": those words are dropped)."""
    name = re.sub("aws|amazon|cognito", "", _name_part(stack_name)).strip("-") or "cirrus"
    return f"{name}-{Aws.ACCOUNT_ID}"


def existing_domain_url(domain: str) -> str:
    """The URL of an existing pool's domain (``cirrus:userPoolDomain``): a custom domain's
    host name, or a prefix of Cognito's domain in the stack's region."""
    if domain.startswith("https://"):
        return domain.rstrip("/")
    if "." in domain:
        return f"https://{domain}"
    return f"https://{domain}.auth.{Aws.REGION}.amazoncognito.com"


def _authorizer_asset() -> str:
    """A directory holding the authorizer's package and the chalicelib modules it shares with
    the local app, as the Lambda sees them (``api_authorizer.handler.handler``)."""
    root = Path(tempfile.mkdtemp(prefix="cirrus-authorizer-"))
    shutil.copytree(
        AUTHORIZER_PACKAGE,
        root / AUTHORIZER_PACKAGE.name,
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    for module in SHARED_MODULES:
        (root / module).parent.mkdir(exist_ok=True)
        shutil.copyfile(REPO_ROOT / module, root / module)
    return str(root)
