"""cdk-nag (AwsSolutions, HIPAA Security) and cfn-lint on the synthesized stack."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

# cfn-lint's W3005 flags the DependsOn that CDK writes next to a reference on purpose (a
# function waits for its role's policy, not only for the role).
CFN_LINT_IGNORED = "W3005"


@pytest.mark.parametrize("pack", ["AwsSolutions", "HIPAA.Security"])
def test_nag_pack_passes(synthesized, pack: str) -> None:
    """Every finding is fixed or acknowledged with its reason (infra/nag.py)."""
    from infra.app import nag_packs

    [checks] = [p for p in nag_packs(synthesized.stack) if p.name == pack]
    report = checks.validate_scope(synthesized.stack)
    findings = [
        (v.rule_name, [r.construct_path for r in v.violating_resources]) for v in report.violations
    ]
    assert findings == []
    assert report.success


def test_cfn_lint_is_clean(synthesized) -> None:
    cfn_lint = Path(sys.executable).with_name("cfn-lint")
    answer = subprocess.run(
        [str(cfn_lint), "--ignore-checks", CFN_LINT_IGNORED, "--", str(synthesized.template_path)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert answer.returncode == 0, answer.stdout + answer.stderr


def test_template_fits_cloudformation(synthesized) -> None:
    """CloudFormation takes templates up to 1 MB (from S3); the API's swagger document is
    most of it."""
    assert synthesized.template_path.stat().st_size < 1_000_000


def test_an_incomplete_dependency_layer_is_detected(tmp_path: Path) -> None:
    """Chalice only warns when a requirement has no wheel for the runtime; ``make synth``
    fails instead (and drops the cached layer)."""
    import zipfile

    from infra.chalice_app import missing_requirements

    layer = tmp_path / "layer.zip"
    with zipfile.ZipFile(layer, "w") as archive:
        site = "python/lib/python3.12/site-packages"
        archive.writestr(f"{site}/pydicom-3.0.2.dist-info/METADATA", "")
        archive.writestr(f"{site}/pylibjpeg_rle-2.2.0.dist-info/METADATA", "")
    requirements = "# comment\npydicom==3.0.2\npylibjpeg-rle==2.2.0\nnumpy==2.4.6\n-r other.txt\n"
    assert missing_requirements(layer, requirements) == ["numpy"]
