"""One synthesis of the CDK app for every infrastructure test (it takes ~15 seconds).

The dependencies' layer is the one part not built here: Chalice fills it with pip (minutes
on a fresh machine, wheels from PyPI), and its content does not change the template. The
tests use a small stand-in layer; ``make synth`` builds the real one and reports its size.
Likewise the OHIF package the viewer's site is built from (~200 MB, copied into every cloud
assembly): a stand-in of a few files, unless a test asks for the real one
(tests/infra/test_viewer_template.py).
"""

from __future__ import annotations

import json
import os
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from unittest import mock

import boto3
import pytest
from moto import mock_aws


@dataclass(frozen=True)
class Synthesized:
    stack: Any
    template: dict[str, Any]
    template_path: Path

    def resources(self, kind: str) -> dict[str, dict[str, Any]]:
        return {k: v for k, v in self.template["Resources"].items() if v["Type"] == kind}

    def api_paths(self) -> dict[str, Any]:
        """The REST API's swagger paths (the greedy proxy's and the static sites')."""
        return self.template["Resources"]["RestAPI"]["Properties"]["DefinitionBody"]["paths"]

    def one(self, kind: str, name_part: str) -> tuple[str, dict[str, Any]]:
        """The only resource of ``kind`` whose logical ID contains ``name_part``: its ID and
        properties."""
        [(logical, resource)] = [(k, v) for k, v in self.resources(kind).items() if name_part in k]
        return logical, resource["Properties"]


def stand_in_layer(directory: Path) -> str:
    path = directory / "layer-deployment.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("python/lib/python3.12/site-packages/stand_in.py", "# dependencies\n")
    return str(path)


def stand_in_viewer(directory: Path) -> Path:
    """A dist of OHIF's shape (viewer/site.py): index.html with an inline script, the
    configuration it replaces, and a bundle holding webpack's public path."""
    dist = directory / "ohif-dist"
    dist.mkdir()
    (dist / "index.html").write_text(
        '<html><head><script>window.PUBLIC_URL="/";</script>'
        '<script src="/app.bundle.js"></script></head><body></body></html>'
    )
    (dist / "app-config.js").write_text("window.config = {};\n")
    (dist / "app.bundle.js").write_text('__webpack_require__.p = "/";\n')
    return dist


@contextmanager
def _working_directory(path: Path) -> Iterator[None]:
    previous = Path.cwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(previous)


def synthesize(
    root: Path, context: dict[str, Any] | None = None, *, real_viewer: bool = False
) -> Synthesized:
    """The app as ``build`` makes it (cdk-nag included), with ``context`` over the defaults,
    synthesized under ``root``; the viewer's site is built from a stand-in of OHIF's package
    unless ``real_viewer``."""
    os.environ.setdefault("JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION", "1")
    import aws_cdk as cdk
    from chalice.deploy.packager import LayerDeploymentPackager

    from infra import viewer
    from infra.app import build

    layer = stand_in_layer(root)
    dist = viewer.DIST_DIR if real_viewer else stand_in_viewer(root)
    # Chalice's construct writes its package under the working directory.
    with (
        mock.patch.object(
            LayerDeploymentPackager, "create_deployment_package", lambda *args: layer
        ),
        mock.patch.object(viewer, "DIST_DIR", dist),
        _working_directory(root),
    ):
        app = cdk.App(context=context, outdir=str(root / "cdk.out"))
        stack = build(app)
        app.synth()
    path = root / "cdk.out" / f"{stack.stack_name}.template.json"
    return Synthesized(stack, json.loads(path.read_text()), path)


@pytest.fixture(scope="session")
def synthesized(tmp_path_factory: pytest.TempPathFactory) -> Synthesized:
    return synthesize(tmp_path_factory.mktemp("cdk"))


@pytest.fixture
def users_secret(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The authorizer's users secret (Orthanc's ``RegisteredUsers`` form) in moto's Secrets
    Manager, named by ``CIRRUS_USERS_SECRET`` as the deployment names it."""
    from infra.authorizer.api_authorizer import basic

    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setitem(basic._cache, "users", None)
    with mock_aws():
        arn = boto3.client("secretsmanager").create_secret(
            Name="users", SecretString=json.dumps({"alice": "s3cret:with colon", "bob": "pw"})
        )["ARN"]
        monkeypatch.setenv("CIRRUS_USERS_SECRET", arn)
        yield
