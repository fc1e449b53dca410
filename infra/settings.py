"""The deployment's settings: CDK context (``infra/cdk.json``, or ``-c key=value``).

Everything Orthanc would read from its configuration file (AET, DICOM port, modalities,
peers, limits) stays in an Orthanc-style file, named by ``cirrus:orthancConfig``: it is
checked here by the runtime's own parser, so a malformed file fails the synthesis rather
than every cold start, and shipped unchanged to the functions and the DICOM service. Users
are not taken from it: their passwords live in Secrets Manager (docs/deploy.md); nor are
peers' passwords, refused here: the deployment's configuration secret holds them.
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aws_cdk import aws_logs as logs
from constructs import Construct

if TYPE_CHECKING:
    from chalicelib.settings.config import Config

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
    # The console's sign-in page (Cognito's managed login, infra/api_auth.py): with "create",
    # the prefix of the pool's domain (<prefix>.auth.<region>.amazoncognito.com; empty: the
    # stack's name and the account's ID); with an existing pool, its domain (a prefix, or the
    # host name of a custom domain), whose first client of cirrus:userPoolClientIds then has
    # the console's URL as callback (empty: the console signs in Basic users only).
    "cirrus:userPoolDomain": "",
    # API Gateway's throttling of the API stage (requests per second, and the burst above it),
    # before the authorizer or the API function is called.
    "cirrus:apiRateLimit": 100,
    "cirrus:apiBurstLimit": 200,
    # A WAF web ACL on the API stage whose rate-based rule blocks an address above
    # cirrus:wafRateLimit requests per 5 minutes (false: throttling and concurrency only).
    # 30,000 is the stage's rate for 5 minutes: one address alone taking the whole API. A
    # site's uploaders usually share one address (its NAT): 2,000 (6.7 requests a second)
    # stopped an import script after 2,000 files (docs/cost.md, "How it scales").
    "cirrus:waf": True,
    "cirrus:wafRateLimit": 30000,
    # Concurrent executions reserved for (and capping) the API function, so that a flood of
    # requests cannot take the account's concurrency from the other functions.
    "cirrus:apiConcurrency": 100,
    # Failed logins (refused credentials) in 5 minutes that raise the alarm.
    "cirrus:failedLoginAlarm": 50,
    # The TCP ports the functions and the DICOM service may connect to in the networks of
    # RemoteNetworksAllowed (their security groups' egress, infra/egress.py), besides the
    # ports of the file's DicomModalities and OrthancPeers: DICOM's (104, 11112, Orthanc's
    # 4242) and HTTP's (Orthanc's 8042, 80, 443). A modality or peer added at run time on
    # another port needs its port listed here.
    "cirrus:remotePorts": [104, 11112, 4242, 8042, 80, 443],
    # The OHIF Viewer at the API's /ohif/ (infra/viewer.py), published from the npm package
    # that `make viewer` installs; false leaves it out.
    "cirrus:viewer": True,
    # The web console at the API's /ui/app/ (infra/console.py), built from console/ with the
    # npm packages that `make console` installs; false leaves it out.
    "cirrus:console": True,
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
# Where peers and modalities may be reached when a deployment's file does not say (Orthanc's
# file has no such option; locally Cirrus allows everywhere): the private ranges, which the
# security groups' egress rules then open (infra/egress.py).
AWS_REMOTE_DEFAULTS: dict[str, Any] = {
    "RemoteNetworksAllowed": ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"],
}
# The scheme's port of a peer URL that names none.
_URL_PORTS = {"http": 80, "https": 443}


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
    user_pool_domain: str
    api_rate_limit: int
    api_burst_limit: int
    waf: bool
    waf_rate_limit: int
    api_concurrency: int
    failed_login_alarm: int
    # The IPv4 networks of RemoteNetworksAllowed, and the ports peers and modalities listen
    # on: the egress rules of the functions in the VPC and of the DICOM service.
    remote_networks: tuple[str, ...]
    remote_ports: tuple[int, ...]
    viewer: bool
    console: bool


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


def user_pool_domain(value: str, user_pool: str) -> str:
    """``cirrus:userPoolDomain``, checked: a prefix the created pool's domain can have
    (Cognito's rule: lowercase letters, digits and inner hyphens, no "aws", "amazon" or
    "cognito"), or for an existing pool a prefix or a host name."""
    value = value.strip()
    if not value or user_pool != "create":
        return value
    if not re.fullmatch(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?", value) or any(
        word in value for word in ("aws", "amazon", "cognito")
    ):
        raise ValueError(
            f"cirrus:userPoolDomain {value!r} is not a Cognito domain prefix: lowercase "
            "letters, digits and hyphens, without aws, amazon or cognito"
        )
    return value


def remote_networks(cidrs: list[str]) -> tuple[str, ...]:
    """The IPv4 networks of ``RemoteNetworksAllowed`` (already checked as CIDRs) that the
    security groups open, refused when wider than /:data:`MIN_CLIENT_PREFIX`: ``0.0.0.0/0``
    would be an egress rule to everywhere, so the deployer lists the hospital's ranges (and
    the /32 of each peer outside them) rather than having a wide entry narrowed in silence.
    IPv6 networks open no rule: the VPC has no IPv6 range, so nothing in it reaches an IPv6
    destination whatever the file says."""
    networks = [ipaddress.ip_network(cidr.strip()) for cidr in cidrs]
    for network in networks:
        if network.version == 4 and network.prefixlen < MIN_CLIENT_PREFIX:
            raise ValueError(
                f"RemoteNetworksAllowed: {network} would open egress to more than a /"
                f"{MIN_CLIENT_PREFIX}: list the hospital's ranges and the peers' addresses"
            )
    return tuple(str(network) for network in networks if network.version == 4)


def remote_ports(configured: tuple[str, ...], orthanc: Any) -> tuple[int, ...]:
    """``cirrus:remotePorts`` and the ports of the modalities, peers and DICOMweb servers of
    the file (``orthanc``, a parsed ``Config``), sorted, once each. ``parse_config`` has
    checked the remotes in both of Orthanc's forms: a modality ``[AET, host, port, ...]`` or an
    object with ``Port`` (a number, or digits), a peer or a DICOMweb server ``[url, ...]`` or
    an object with ``Url``."""
    from urllib.parse import urlsplit

    from chalicelib.settings.config import dicomweb_servers

    ports = set()
    for value in configured:
        text = str(value).strip()
        port = int(text) if text.isascii() and text.isdigit() else 0
        if not 0 < port < 65536:
            raise ValueError(f"cirrus:remotePorts: {value!r} is not a TCP port")
        ports.add(port)
    for modality in orthanc.DicomModalities.values():
        ports.add(int(modality[2] if isinstance(modality, list) else modality["Port"]))
    for peer in (*orthanc.OrthancPeers.values(), *dicomweb_servers(orthanc).values()):
        url = urlsplit(peer[0] if isinstance(peer, list) else peer["Url"])
        ports.add(url.port or _URL_PORTS[url.scheme])
    return tuple(sorted(ports))


def deployed_config_text(text: str) -> str:
    """The Orthanc-style file as the functions and the DICOM service receive it: the file's
    own options, and :data:`AWS_DICOM_DEFAULTS` and :data:`AWS_REMOTE_DEFAULTS` for those it
    does not set (``text`` holds a JSON object: ``load_config`` has checked it)."""
    from chalicelib.settings.config import strip_comments

    own = json.loads(strip_comments(text))
    return json.dumps({**AWS_DICOM_DEFAULTS, **AWS_REMOTE_DEFAULTS, **own}, indent=1)


def refuse_inline_secrets(path: Path, orthanc: Config) -> None:
    """A deployed file holding a peer's or a DICOMweb server's password would put it in a
    Lambda layer and in the DICOM service's task definition, readable by whoever may read
    them: the password goes to the deployment's configuration secret, which the functions
    read when they connect."""
    from chalicelib.settings.config import inline_dicomweb_secrets, inline_peer_secrets

    inline: list[tuple[str, dict[str, list[str]], Callable[[str, Any], Any]]] = [
        ("OrthancPeers", inline_peer_secrets(orthanc), lambda n, f: {"OrthancPeers": {n: f}}),
        (
            "DicomWeb.Servers",
            inline_dicomweb_secrets(orthanc),
            lambda n, f: {"DicomWeb": {"Servers": {n: f}}},
        ),
    ]
    for option, found, shape in inline:
        for name, fields in found.items():
            example = json.dumps(shape(name, {field: "..." for field in fields}))
            raise ValueError(
                f"{path}: {option} {name!r} holds {' and '.join(fields)} in the file, which "
                "the deployment packages in clear: remove it (in the short form, leave the "
                "third element empty) and, once deployed, put it in the configuration secret "
                "(output ConfigurationSecret): aws secretsmanager put-secret-value --secret-id "
                f"<its ARN> --secret-string '{example}'"
            )


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
    refuse_inline_secrets(path, orthanc)
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
        user_pool_domain=user_pool_domain(str(get("cirrus:userPoolDomain")), user_pool),
        api_rate_limit=int(get("cirrus:apiRateLimit")),
        api_burst_limit=int(get("cirrus:apiBurstLimit")),
        waf=_flag(get("cirrus:waf")),
        waf_rate_limit=int(get("cirrus:wafRateLimit")),
        api_concurrency=int(get("cirrus:apiConcurrency")),
        failed_login_alarm=int(get("cirrus:failedLoginAlarm")),
        remote_networks=remote_networks(orthanc.RemoteNetworksAllowed),
        remote_ports=remote_ports(_list(get("cirrus:remotePorts")), orthanc),
        viewer=_flag(get("cirrus:viewer")),
        console=_flag(get("cirrus:console")),
    )
