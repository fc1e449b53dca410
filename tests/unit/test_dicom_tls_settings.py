"""DICOM TLS settings: the contexts built from Orthanc's options, and clear errors when the
files are missing (start-up of the DICOM service, or a call to a UseDicomTls modality)."""

from __future__ import annotations

import ssl
from pathlib import Path

import pytest

from chalicelib.dicom_client.tls import TlsConfigurationError, TlsSettings
from tests.support.certificates import make_dicom_certificates


def _settings(tmp_path: Path, **changes: object) -> TlsSettings:
    ca, nodes = make_dicom_certificates(tmp_path, ["cirrus"])
    options = {
        "certificate": str(nodes["cirrus"].certificate),
        "private_key": str(nodes["cirrus"].private_key),
        "trusted_certificates": str(ca),
        **changes,
    }
    return TlsSettings(**options)  # type: ignore[arg-type]


def test_server_requires_a_client_certificate_unless_told_otherwise(tmp_path: Path) -> None:
    assert _settings(tmp_path).server_context().verify_mode == ssl.CERT_REQUIRED
    relaxed = _settings(tmp_path, remote_certificate_required=False)
    assert relaxed.server_context().verify_mode == ssl.CERT_OPTIONAL


def test_client_checks_the_modality_certificate_but_not_its_name(tmp_path: Path) -> None:
    context = _settings(tmp_path).client_context()
    assert context.verify_mode == ssl.CERT_REQUIRED
    assert context.check_hostname is False
    assert context.minimum_version == ssl.TLSVersion.TLSv1_2


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"certificate": ""}, "needs DicomTlsCertificate and DicomTlsPrivateKey"),
        ({"private_key": "/nonexistent.key"}, "Cannot use the DICOM TLS certificates"),
        ({"trusted_certificates": "/nonexistent.pem"}, "Cannot use the DICOM TLS certificates"),
    ],
)
def test_unusable_files_are_named(tmp_path: Path, changes: dict, message: str) -> None:
    with pytest.raises(TlsConfigurationError, match=message):
        _settings(tmp_path, **changes).server_context()


def test_a_client_needs_trusted_certificates(tmp_path: Path) -> None:
    with pytest.raises(TlsConfigurationError, match="DicomTlsTrustedCertificates"):
        _settings(tmp_path, trusted_certificates="").client_context()
