"""The deployment's settings: CDK context (``infra/cdk.json``, or ``-c key=value``).

Everything Orthanc would read from its configuration file (AET, DICOM port, modalities,
peers, limits) stays in an Orthanc-style file, named by ``cirrus:orthancConfig``: it is
checked here by the runtime's own parser, so a malformed file fails the synthesis rather
than every cold start, and shipped unchanged to the functions and the DICOM service. Users
are not taken from it: their passwords live in Secrets Manager (docs/deploy.md).
"""

from __future__ import annotations

import ipaddress
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aws_cdk import aws_logs as logs
from constructs import Construct

REPO_ROOT = Path(__file__).resolve().parent.parent

DEFAULTS: dict[str, Any] = {
    # An Orthanc-style configuration file (comments allowed), relative to the repository.
    "cirrus:orthancConfig": "infra/orthanc.json",
    # The stage of .chalice/config.json whose per-function settings (memory, timeout) apply.
    "cirrus:chaliceStage": "dev",
    # "retain" keeps the bucket, tables and key when the stack is deleted; "destroy" is for
    # throw-away test deployments only.
    "cirrus:removalPolicy": "retain",
    "cirrus:intelligentTiering": False,
    # NAT gateways of the VPC (0: no internet from the VPC: peers and modalities must then be
    # reachable through the VPC, and the SCP image pulled through ECR endpoints).
    "cirrus:natGateways": 1,
    "cirrus:maxAzs": 2,
    # Who may open DICOM associations to the load balancer: the hospital's ranges (the
    # modalities' subnets behind the VPN), IPv4, none wider than /MIN_CLIENT_PREFIX.
    "cirrus:dicomClientCidrs": ["10.0.0.0/8"],
    # "asset" builds scp_container/Dockerfile at deployment (synthesis needs no Docker);
    # otherwise the URI of an image already pushed.
    "cirrus:scpImage": "asset",
    "cirrus:scpTasks": 1,
    "cirrus:scpCpu": 512,
    "cirrus:scpMemoryMiB": 1024,
    "cirrus:logRetentionDays": 30,
    # An address that receives the alarms (none: the alarms only show in CloudWatch).
    "cirrus:alarmEmail": "",
    # Besides Orthanc's HTTP Basic users, the API accepts the tokens (Bearer) of a Cognito
    # user pool: "create" makes one with an app client, "none" accepts Basic only, and the ID
    # of an existing pool (e.g. federated with the hospital's identity provider) accepts the
    # tokens of the app clients listed in cirrus:userPoolClientIds.
    "cirrus:userPool": "create",
    "cirrus:userPoolClientIds": [],
    # API Gateway's throttling of the API stage (requests per second, and the burst above it),
    # before the authorizer or the API function is called.
    "cirrus:apiRateLimit": 100,
    "cirrus:apiBurstLimit": 200,
    # A WAF web ACL on the API stage whose rate-based rule blocks an address above
    # cirrus:wafRateLimit requests per 5 minutes (false: throttling and concurrency only).
    "cirrus:waf": True,
    "cirrus:wafRateLimit": 2000,
    # Concurrent executions reserved for (and capping) the API function, so that a flood of
    # requests cannot take the account's concurrency from the other functions.
    "cirrus:apiConcurrency": 100,
    # Failed logins (refused credentials) in 5 minutes that raise the alarm.
    "cirrus:failedLoginAlarm": 50,
}

# The DICOM options a deployment changes from Orthanc's defaults unless its file sets them:
# the DICOM service faces a hospital's network, so a modality must be declared, and call from
# its declared host, to store (the local defaults stay Orthanc's: chalicelib/settings).
AWS_DICOM_DEFAULTS: dict[str, Any] = {
    "DicomCheckModalityHost": True,
    "DicomAlwaysAllowStore": False,
}
# The widest client range accepted: a /0 (or a /1 ... /7) opens DICOM to everyone.
MIN_CLIENT_PREFIX = 8


# CloudWatch Logs accepts these retention periods only (days).
RETENTIONS = {
    1: logs.RetentionDays.ONE_DAY,
    7: logs.RetentionDays.ONE_WEEK,
    14: logs.RetentionDays.TWO_WEEKS,
    30: logs.RetentionDays.ONE_MONTH,
    90: logs.RetentionDays.THREE_MONTHS,
    180: logs.RetentionDays.SIX_MONTHS,
    365: logs.RetentionDays.ONE_YEAR,
    731: logs.RetentionDays.TWO_YEARS,
    1827: logs.RetentionDays.FIVE_YEARS,
    3653: logs.RetentionDays.TEN_YEARS,
}


@dataclass(frozen=True)
class Settings:
    orthanc_config_path: Path
    orthanc_config_text: str
    dicom_port: int
    dicom_aet: str
    chalice_stage: str
    retain: bool
    intelligent_tiering: bool
    nat_gateways: int
    max_azs: int
    dicom_client_cidrs: tuple[str, ...]
    scp_image: str
    scp_tasks: int
    scp_cpu: int
    scp_memory_mib: int
    log_retention: logs.RetentionDays
    alarm_email: str
    user_pool: str
    user_pool_client_ids: tuple[str, ...]
    api_rate_limit: int
    api_burst_limit: int
    waf: bool
    waf_rate_limit: int
    api_concurrency: int
    failed_login_alarm: int


def _flag(value: Any) -> bool:
    """Context given on the command line arrives as a string."""
    return value if isinstance(value, bool) else str(value).lower() in {"1", "true", "yes"}


def _list(value: Any) -> tuple[str, ...]:
    """A list, or (from the command line) comma-separated values."""
    return tuple(value) if isinstance(value, list) else tuple(filter(None, str(value).split(",")))


def _retention(days: int) -> logs.RetentionDays:
    if days not in RETENTIONS:
        raise ValueError(f"cirrus:logRetentionDays must be one of {sorted(RETENTIONS)}")
    return RETENTIONS[days]


def client_cidrs(values: tuple[str, ...]) -> tuple[str, ...]:
    """The DICOM client ranges, refused when malformed, not IPv4 (the security groups' rules
    are IPv4), wider than /:data:`MIN_CLIENT_PREFIX`, or none at all."""
    if not values:
        raise ValueError("cirrus:dicomClientCidrs must list the ranges of the modalities")
    for value in values:
        try:
            network = ipaddress.ip_network(value)
        except ValueError as exc:
            raise ValueError(f"cirrus:dicomClientCidrs: {exc}") from exc
        if network.version != 4 or network.prefixlen < MIN_CLIENT_PREFIX:
            raise ValueError(
                f"cirrus:dicomClientCidrs: {value} is not an IPv4 range of at most "
                f"/{MIN_CLIENT_PREFIX}: list the hospital's ranges, not the whole network"
            )
    return values


def deployed_config_text(text: str) -> str:
    """The Orthanc-style file as the functions and the DICOM service receive it: the file's
    own options, and :data:`AWS_DICOM_DEFAULTS` for those it does not set (``text`` holds a
    JSON object: ``load_config`` has checked it)."""
    from chalicelib.settings.config import strip_comments

    return json.dumps({**AWS_DICOM_DEFAULTS, **json.loads(strip_comments(text))}, indent=1)


def load_settings(scope: Construct) -> Settings:
    from chalicelib.settings.config import load_config, parse_config

    def get(key: str) -> Any:
        value = scope.node.try_get_context(key)
        return DEFAULTS[key] if value is None else value

    removal = str(get("cirrus:removalPolicy"))
    if removal not in {"retain", "destroy"}:
        raise ValueError(f"cirrus:removalPolicy must be 'retain' or 'destroy', not {removal!r}")
    user_pool = str(get("cirrus:userPool"))
    client_ids = _list(get("cirrus:userPoolClientIds"))
    if user_pool not in {"create", "none"} and not client_ids:
        raise ValueError(
            "cirrus:userPoolClientIds must name the app clients whose tokens the API accepts "
            f"from the existing user pool {user_pool}"
        )
    path = REPO_ROOT / str(get("cirrus:orthancConfig"))
    # Read and checked as the runtime reads it (a malformed file fails here, with its name).
    load_config(path)
    deployed = deployed_config_text(path.read_text("utf-8"))
    orthanc = parse_config(deployed, str(path))
    if not (orthanc.RemoteAccessAllowed or orthanc.AuthenticationEnabled):
        # Every caller is remote behind API Gateway: Cirrus would answer 403 to all.
        raise ValueError(
            f"{path}: set RemoteAccessAllowed (the API's authorizer checks the users) or "
            "AuthenticationEnabled, or every API request is refused"
        )
    return Settings(
        orthanc_config_path=path,
        orthanc_config_text=deployed,
        dicom_port=orthanc.DicomPort,
        dicom_aet=orthanc.DicomAet,
        chalice_stage=str(get("cirrus:chaliceStage")),
        retain=removal == "retain",
        intelligent_tiering=_flag(get("cirrus:intelligentTiering")),
        nat_gateways=int(get("cirrus:natGateways")),
        max_azs=int(get("cirrus:maxAzs")),
        dicom_client_cidrs=client_cidrs(_list(get("cirrus:dicomClientCidrs"))),
        scp_image=str(get("cirrus:scpImage")),
        scp_tasks=int(get("cirrus:scpTasks")),
        scp_cpu=int(get("cirrus:scpCpu")),
        scp_memory_mib=int(get("cirrus:scpMemoryMiB")),
        log_retention=_retention(int(get("cirrus:logRetentionDays"))),
        alarm_email=str(get("cirrus:alarmEmail")),
        user_pool=user_pool,
        user_pool_client_ids=client_ids,
        api_rate_limit=int(get("cirrus:apiRateLimit")),
        api_burst_limit=int(get("cirrus:apiBurstLimit")),
        waf=_flag(get("cirrus:waf")),
        waf_rate_limit=int(get("cirrus:wafRateLimit")),
        api_concurrency=int(get("cirrus:apiConcurrency")),
        failed_login_alarm=int(get("cirrus:failedLoginAlarm")),
    )
