"""Cold start: importing the API must not import the heavy libraries only some routes need."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_importing_the_app_leaves_pydicom_numpy_and_pillow_unloaded() -> None:
    probe = (
        "import sys, app; print(sorted(m for m in ('pydicom', 'numpy', 'PIL') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_reading_the_configuration_leaves_pydicom_unloaded() -> None:
    """Every request reads the configuration: without a Dictionary option, that must not
    load the tag dictionary (pydicom) either."""
    probe = (
        "import sys, app; from chalicelib import bootstrap; bootstrap.config(); "
        "print('pydicom' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"


def test_importing_the_app_leaves_the_aws_and_http_libraries_unloaded() -> None:
    """boto3 (with botocore's session, its docs and waiters, s3transfer) and urllib3 cost
    about 200 ms of a cold start's import (bench/coldstart.py): they load with the first
    request that reaches AWS or a peer, not with the module. ``botocore.exceptions`` alone
    is allowed (the error types the app catches)."""
    heavy = ("boto3", "botocore.session", "botocore.client", "s3transfer", "urllib3")
    probe = f"import sys, app; print(sorted(m for m in {heavy!r} if m in sys.modules))"
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
