"""The Chalice application, packaged by Chalice's own CDK construct with a few adjustments.

``chalice package`` makes the SAM template and the code bundle of ``app.py`` (the routes,
their API Gateway definition, the event sources). Some of its choices do not fit here, so
:class:`ChaliceApp` packages with its own generator and configuration:

* it refuses ``@app.on_s3_event`` (CloudFormation cannot add a notification to a bucket of
  another template); here the bucket is in the same stack, so the notification is left to
  CDK (:meth:`Bucket.add_event_notification`) instead;
* it picks the Lambda runtime from the Python that runs the synthesis (3.11 here, on Amazon
  Linux 2 with glibc 2.26), on which the pinned numpy (manylinux_2_27/2_28 wheels only)
  cannot be installed; the runtime is :data:`LAMBDA_RUNTIME` (Amazon Linux 2023) instead;
* Chalice asks pip for wheels of the synthesizing Python's version; ``PIP_PYTHON_VERSION``
  (with binary wheels only, which pip then requires) makes it fetch the runtime's instead;
* the REST API has two resources, ``/`` and ``/{proxy+}``, with the ANY method integrated
  with the API function, instead of one resource and method per route: the app routes
  requests itself (``chalicelib/api/proxy.py``), and the API stays far from API Gateway's
  resource quota and CloudFormation's template size however many routes it grows;
* both methods require the authorizer named :data:`AUTHORIZER` (the swagger document is
  completed before CDK includes it), and the errors API Gateway answers itself (refused
  credentials, timeouts, a crashed function) have Orthanc's JSON body, a refusal with
  Orthanc's ``WWW-Authenticate`` challenge;
* API Gateway's binary types are ``*/*``, not the list of ``app.py``, so that a client
  accepting anything (curl) receives a file's bytes rather than their base64 text.

The dependencies go to Chalice's managed layer, cached under ``.chalice/deployments`` by the
hash of ``requirements.txt``: only the first synthesis downloads wheels.

Chalice's bundles hold sources only (wheels are unzipped, not installed), and Lambda's file
system is read-only, so without help every cold start compiles every module it imports
(~1.1 s of CPU for ``import app`` and a first request). :func:`compile_bundle` adds bytecode
to the code bundle and the layer, compiled by an interpreter of the runtime's own version
(:func:`runtime_python`; bytecode is specific to a minor version), as unchecked-hash ``.pyc``
(PEP 552): the runtime loads them without reading or hashing the source, and they depend on
no file time, which zipping does not keep anyway. Without such an interpreter the bundles
stay as they are, with a warning.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import warnings
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from chalice.cdk import Chalice
from chalice.cli.factory import CLIFactory
from chalice.config import Config
from chalice.deploy.appgraph import ApplicationGraphBuilder, DependencyBuilder
from chalice.deploy.deployer import create_build_stage
from chalice.deploy.swagger import CFNSwaggerGenerator
from chalice.package import (
    AppPackager,
    CompositePostProcessor,
    JSONTemplateSerializer,
    ResourceBuilder,
    SAMCodeLocationPostProcessor,
    SAMTemplateGenerator,
)
from chalice.utils import UI, OSUtils
from constructs import Construct

from chalicelib.api.error_map import error_answer
from chalicelib.credentials import REALM
from chalicelib.errors import ErrorCode, OrthancError, TooLarge

LAMBDA_RUNTIME = "python3.12"
AUTHORIZER = "CirrusAuthorizer"
# Chalice requires a role when it does not manage them; every function's role is replaced by
# its own least-privilege role (infra/functions.py), and the tests check none is left.
ROLE_PLACEHOLDER = "arn:aws:iam::000000000000:role/replaced-by-cdk"
# An interpreter of LAMBDA_RUNTIME's version, for the bundle's bytecode, when ``python3.12``
# on the PATH is not one (see runtime_python).
RUNTIME_PYTHON_VARIABLE = "CIRRUS_LAMBDA_PYTHON"
# Where Lambda unpacks the code bundle and the layers: the paths compiled into the bytecode
# (tracebacks name the sources there).
CODE_MOUNT, LAYER_MOUNT = "/var/task", "/opt"
# Dependencies' own test suites, never imported by the functions: not worth their bytecode
# (11 of 28 MiB in the layer) under Lambda's size limit.
NOT_COMPILED = r"[/\\]tests?[/\\]"
# A function and its layers, unzipped (Lambda's limit for zip packages).
LAMBDA_UNZIPPED_LIMIT = 250 * 2**20
HTTP_METHODS = {"get", "put", "post", "delete", "patch", "head", "options"}
ANY_METHOD = "x-amazon-apigateway-any-method"
# The resources of the REST API: the root, and the greedy proxy for every other path.
PROXY_PATHS = ("/", "/{proxy+}")


class _Config(Config):
    @property
    def lambda_python_version(self) -> str:
        return LAMBDA_RUNTIME


class _Generator(SAMTemplateGenerator):
    def _generate_s3bucketnotification(self, resource: Any, template: dict[str, Any]) -> None:
        """The notification is added by CDK on the bucket of this stack."""


# The errors API Gateway answers itself, in Orthanc's JSON as the functions answer theirs
# (clients such as pyorthanc read OrthancStatus): {response type: error}.
GATEWAY_ERRORS = {
    # Missing or refused credentials (the authorizer).
    "UNAUTHORIZED": OrthancError(ErrorCode.UNAUTHORIZED),
    "ACCESS_DENIED": OrthancError(ErrorCode.FORBIDDEN_ACCESS),
    # A path no resource matches: none with the greedy proxy (the app answers unknown paths
    # itself), kept should a stage ever lack it: Orthanc's "Unknown resource" rather than 403
    # "Missing Authentication Token".
    "MISSING_AUTHENTICATION_TOKEN": OrthancError(ErrorCode.UNKNOWN_RESOURCE),
    # Above API Gateway's 10 MB payload (the functions refuse smaller bodies the same way).
    "REQUEST_TOO_LARGE": TooLarge("Request body too large"),
    "INTEGRATION_TIMEOUT": OrthancError(
        ErrorCode.TIMEOUT, "The request took longer than API Gateway's limit"
    ),
    # The function failed without answering (out of memory, Lambda's timeout): 502 otherwise.
    "INTEGRATION_FAILURE": OrthancError(ErrorCode.INTERNAL_ERROR, "The API function failed"),
    "AUTHORIZER_FAILURE": OrthancError(ErrorCode.INTERNAL_ERROR, "The authorizer failed"),
    "AUTHORIZER_CONFIGURATION_ERROR": OrthancError(
        ErrorCode.INTERNAL_ERROR, "The authorizer failed"
    ),
}


def gateway_responses() -> dict[str, Any]:
    """``x-amazon-apigateway-gateway-responses`` for :data:`GATEWAY_ERRORS`."""
    responses = {}
    for kind, error in GATEWAY_ERRORS.items():
        headers = {"gatewayresponse.header.Content-Type": "'application/json'"}
        if kind == "UNAUTHORIZED":
            headers["gatewayresponse.header.WWW-Authenticate"] = f"'{REALM}'"
        status, body = error_answer(error, "$context.httpMethod", "$context.path")
        responses[kind] = {
            "statusCode": status,
            "responseParameters": headers,
            "responseTemplates": {"application/json": json.dumps(body, indent=3)},
        }
    return responses


def proxy_paths(integration: dict[str, Any]) -> dict[str, Any]:
    """The two resources of the REST API, every method of both sent to ``integration`` (the
    API function's) behind the authorizer."""
    operation = {
        "consumes": ["*/*"],
        "produces": ["application/json"],
        "responses": {"200": {"description": "200 response"}},
        "x-amazon-apigateway-integration": integration,
        "security": [{AUTHORIZER: []}],
    }
    root, proxy = PROXY_PATHS
    parameter = {"name": "proxy", "in": "path", "required": True, "type": "string"}
    return {
        root: {ANY_METHOD: operation},
        proxy: {ANY_METHOD: {**operation, "parameters": [parameter]}},
    }


def finish_swagger(template: dict[str, Any]) -> None:
    """Replace Chalice's resource per route with the greedy proxy, require the authorizer,
    give the errors API Gateway answers itself Orthanc's form (the authorizer's definition,
    which holds the function's ARN, is added by CDK once the template is included), and let
    binary answers through whatever the client accepts."""
    body = template["Resources"]["RestAPI"]["Properties"]["DefinitionBody"]
    # Every route of Chalice's document is integrated with the same function; keep one.
    integration = next(
        operation["x-amazon-apigateway-integration"]
        for operations in body["paths"].values()
        for method, operation in operations.items()
        if method in HTTP_METHODS
    )
    body["paths"] = proxy_paths(integration)
    # API Gateway decodes a function's base64 answer only when the request's first Accept
    # type is one of the API's binary types; curl, requests and Orthanc's scripts send */*
    # or nothing, which names none of app.py's. So every type is binary to API Gateway: the
    # function still decides which answers are base64 (app.api.binary_types), and the
    # others pass through as text.
    body["x-amazon-apigateway-binary-media-types"] = ["*/*"]
    body["x-amazon-apigateway-gateway-responses"] = gateway_responses()


@contextmanager
def _pip_for_runtime() -> Iterator[None]:
    """pip (run by Chalice in a subprocess with this environment) resolves for the runtime."""
    wanted = {
        "PIP_PYTHON_VERSION": LAMBDA_RUNTIME.removeprefix("python"),
        "PIP_ONLY_BINARY": ":all:",
    }
    saved = {key: os.environ.get(key) for key in wanted}
    os.environ.update(wanted)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def missing_requirements(layer_zip: Path, requirements: str) -> list[str]:
    """The pinned requirements that have no distribution in the layer: Chalice only warns
    when it cannot find a wheel for the runtime, and caches the incomplete layer."""
    with zipfile.ZipFile(layer_zip) as archive:
        present = {
            _normalize(part.split("-")[0])
            for name in archive.namelist()
            for part in name.split("/")
            if part.endswith(".dist-info")
        }
    wanted = [
        line.split("==")[0].split("[")[0].strip()
        for line in requirements.splitlines()
        if line.strip() and not line.lstrip().startswith(("#", "-"))
    ]
    return [name for name in wanted if _normalize(name) not in present]


def _normalize(name: str) -> str:
    return name.lower().replace("-", "_").replace(".", "_")


def runtime_python() -> list[str] | None:
    """The command of an interpreter of :data:`LAMBDA_RUNTIME`'s version on this machine:
    :data:`RUNTIME_PYTHON_VARIABLE`'s, ``python3.12`` on the PATH, or the one running; None if
    none is. Each is asked for its bytecode tag rather than trusted by name."""
    version = LAMBDA_RUNTIME.removeprefix("python")
    tag = "cpython-" + version.replace(".", "")
    candidates = [os.environ.get(RUNTIME_PYTHON_VARIABLE), LAMBDA_RUNTIME, sys.executable]
    for candidate in filter(None, candidates):
        command = [candidate, "-I", "-c", "import sys; print(sys.implementation.cache_tag)"]
        try:
            answer = subprocess.run(
                command, env=runtime_env(), capture_output=True, text=True, timeout=60
            )
        except OSError:
            continue
        if answer.returncode == 0 and answer.stdout.strip() == tag:
            return [candidate]
    return None


def runtime_env(base: Mapping[str, str] | None = None) -> dict[str, str]:
    """``base`` (this process's environment by default) for :func:`runtime_python`'s
    interpreters: a pyenv shim of ``python3.12`` runs the installed 3.12 whichever version the
    shell selected (other interpreters ignore the variable)."""
    environment = dict(os.environ if base is None else base)
    return environment | {"PYENV_VERSION": LAMBDA_RUNTIME.removeprefix("python")}


def compile_bundle(bundle: Path, mount: str, python: Sequence[str]) -> int:
    """Add to the zip ``bundle`` the unchecked-hash bytecode of its Python sources, compiled
    by the interpreter ``python`` (the runtime's version), with the source paths Lambda gives
    them under ``mount``; the number of ``.pyc`` added. The entries have a fixed date, so the
    same sources make the same bundle."""
    with tempfile.TemporaryDirectory(prefix="cirrus-pyc-") as scratch:
        root = Path(scratch)
        with zipfile.ZipFile(bundle) as archive:
            archive.extractall(root, [n for n in archive.namelist() if n.endswith(".py")])
        command = [*python, "-I", "-m", "compileall", "-q", "-j", "0"]
        command += ["--invalidation-mode", "unchecked-hash", "-x", NOT_COMPILED]
        command += ["-s", str(root), "-p", mount, str(root)]
        result = subprocess.run(command, env=runtime_env(), capture_output=True, text=True)
        if result.returncode != 0:
            raise RuntimeError(f"Compiling {bundle.name} failed:\n{result.stdout}{result.stderr}")
        compiled = sorted(root.rglob("*.pyc"))
        with zipfile.ZipFile(bundle, "a", zipfile.ZIP_DEFLATED) as archive:
            for path in compiled:
                entry = zipfile.ZipInfo(path.relative_to(root).as_posix())
                entry.external_attr = 0o644 << 16
                archive.writestr(entry, path.read_bytes(), zipfile.ZIP_DEFLATED)
    return len(compiled)


def compile_bundles(output_dir: Path) -> None:
    """Bytecode in the code bundle and the dependencies' layer ``package`` wrote, or a
    warning that there is none."""
    python = runtime_python()
    if python is None:
        warnings.warn(
            f"No {LAMBDA_RUNTIME} interpreter here (name one with {RUNTIME_PYTHON_VARIABLE}): "
            "the Lambda bundle has no .pyc, so each cold start compiles every module it imports",
            stacklevel=2,
        )
        return
    for name, mount in (("deployment.zip", CODE_MOUNT), ("layer-deployment.zip", LAYER_MOUNT)):
        if (output_dir / name).exists():
            compile_bundle(output_dir / name, mount, python)


def package(project_dir: str, output_dir: str, stage: str) -> None:
    """``chalice package`` (CloudFormation flavour) with the adjustments of this module."""
    # Chalice asks botocore for the region only to spell service principals, which are the
    # same in every commercial region; the stack's own region is set at deployment.
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    factory = CLIFactory(project_dir, environ=os.environ)
    base = factory.create_config_obj(
        stage,
        user_provided_params={
            "automatic_layer": True,
            "manage_iam_role": False,
            "iam_role_arn": ROLE_PLACEHOLDER,
        },
    )
    config = _Config(
        chalice_stage=base.chalice_stage,
        user_provided_params=base._user_provided_params,
        config_from_disk=base._config_from_disk,
        default_params=base._default_params,
    )
    osutils = OSUtils()
    build_stage = create_build_stage(osutils, UI(), CFNSwaggerGenerator(), config)
    resource_builder = ResourceBuilder(ApplicationGraphBuilder(), DependencyBuilder(), build_stage)
    packager = AppPackager(
        _Generator(config, factory.create_package_options()),
        resource_builder,
        CompositePostProcessor([SAMCodeLocationPostProcessor(osutils=osutils)]),
        JSONTemplateSerializer(),
        osutils,
    )
    with _pip_for_runtime():
        packager.package_app(config, output_dir, stage)
    compile_bundles(Path(output_dir))
    template_path = Path(output_dir) / "sam.json"
    template = json.loads(template_path.read_text("utf-8"))
    finish_swagger(template)
    template_path.write_text(json.dumps(template, indent=1), "utf-8")


class ChaliceApp(Chalice):
    """Chalice's construct for ``app.py``, packaged by :func:`package` as stage ``stage``
    (whose per-function settings come from ``.chalice/config.json``)."""

    def __init__(self, scope: Construct, construct_id: str, source_dir: str, stage: str) -> None:
        self._chalice_stage = stage
        super().__init__(scope, construct_id, source_dir=source_dir)

    def _package_app(self) -> None:
        package(self.source_dir, self._sam_package_dir, self._chalice_stage)

    def bundle_sizes(self) -> dict[str, tuple[int, int]]:
        """Zipped and unzipped bytes of the code bundle and of the dependencies' layer."""
        sizes = {}
        for label, name in (("code", "deployment.zip"), ("layer", "layer-deployment.zip")):
            path = Path(self._sam_package_dir) / name
            if path.exists():
                with zipfile.ZipFile(path) as archive:
                    unzipped = sum(info.file_size for info in archive.infolist())
                sizes[label] = (path.stat().st_size, unzipped)
        return sizes

    def missing_dependencies(self) -> list[str]:
        """Requirements absent from the dependencies' layer; the cached layer is removed
        when some are, so that the next synthesis builds it again."""
        layer = Path(self._sam_package_dir) / "layer-deployment.zip"
        missing = missing_requirements(
            layer, (Path(self.source_dir) / "requirements.txt").read_text()
        )
        if missing:
            for cached in (Path(self.source_dir) / ".chalice" / "deployments").glob(
                f"managed-layer-*-{LAMBDA_RUNTIME}.zip"
            ):
                cached.unlink()
        return missing
