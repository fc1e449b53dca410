"""The DICOM service's image holds nothing but the shared code and its entry point."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_dockerfile_copies_the_shared_code_and_runs_the_service() -> None:
    dockerfile = (ROOT / "scp_container" / "Dockerfile").read_text()
    assert "COPY chalicelib/ chalicelib/" in dockerfile
    assert "COPY scp_container/ scp_container/" in dockerfile
    assert 'ENTRYPOINT ["python", "-m", "scp_container"]' in dockerfile
    assert "USER cirrus" in dockerfile


def test_the_service_needs_only_what_the_image_copies() -> None:
    """No import from local_stack, tests or app.py: the image does not contain them."""
    for path in (ROOT / "scp_container").glob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                assert node.module.split(".")[0] not in {"local_stack", "tests", "app"}, path
            if isinstance(node, ast.Import):
                for alias in node.names:
                    assert alias.name.split(".")[0] not in {"local_stack", "tests", "app"}, path


def test_the_application_entity_follows_the_configuration() -> None:
    from chalicelib.settings import Config
    from scp_container.service import build_ae

    config = Config(
        DicomAet="ARCHIVE",
        DicomScpTimeout=7,
        MaximumPduLength=65536,
        DicomMaximumAssociations=3,
        DicomCheckCalledAet=True,
    )
    ae = build_ae(config)
    assert ae.ae_title == "ARCHIVE"
    assert (ae.acse_timeout, ae.dimse_timeout, ae.network_timeout) == (7, 7, 7)
    assert ae.maximum_pdu_size == 65536
    assert ae.maximum_associations == 3
    assert ae.require_called_aet is True
    assert build_ae(Config(DicomScpTimeout=0)).network_timeout is None
