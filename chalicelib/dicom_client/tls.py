"""DICOM TLS as Orthanc configures it: one certificate for Cirrus, one file of trusted ones.

Orthanc's options, with their meaning kept: ``DicomTlsEnabled`` makes the DICOM service
accept TLS associations only; ``DicomTlsCertificate`` and ``DicomTlsPrivateKey`` (PEM files,
key unencrypted) are Cirrus's identity, both as a server and as a client; and
``DicomTlsTrustedCertificates`` (PEM, one or more certificates) lists whom Cirrus trusts, on
both sides. ``DicomTlsRemoteCertificateRequired`` (default true) makes the service refuse
clients that present no trusted certificate. As a client, Cirrus uses TLS towards the
modalities whose ``UseDicomTls`` is true, always checking the modality's certificate against
the trusted ones (not its host name: DICOM peers are known by AE title and address, and their
certificates seldom name them; Orthanc does not check it either).

Plain Python over ``ssl``: the SCP service and the SCU get their contexts from here.
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass


class TlsConfigurationError(ValueError):
    """DICOM TLS is asked for but the certificate files are missing or unusable."""


@dataclass(frozen=True)
class TlsSettings:
    certificate: str
    private_key: str
    trusted_certificates: str
    remote_certificate_required: bool = True

    def server_context(self) -> ssl.SSLContext:
        """The context of Cirrus's DICOM service."""
        context = self._context(ssl.PROTOCOL_TLS_SERVER)
        if self.remote_certificate_required:
            context.verify_mode = ssl.CERT_REQUIRED
        elif self.trusted_certificates:
            context.verify_mode = ssl.CERT_OPTIONAL
        return context

    def client_context(self) -> ssl.SSLContext:
        """The context Cirrus calls a ``UseDicomTls`` modality with."""
        context = self._context(ssl.PROTOCOL_TLS_CLIENT)
        context.check_hostname = False
        context.verify_mode = ssl.CERT_REQUIRED
        return context

    def _context(self, protocol: int) -> ssl.SSLContext:
        if not self.certificate or not self.private_key:
            raise TlsConfigurationError(
                "DICOM TLS needs DicomTlsCertificate and DicomTlsPrivateKey (PEM files)"
            )
        context = ssl.SSLContext(protocol)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        try:
            context.load_cert_chain(self.certificate, self.private_key)
            if self.trusted_certificates:
                context.load_verify_locations(cafile=self.trusted_certificates)
        except (OSError, ssl.SSLError) as exc:
            raise TlsConfigurationError(f"Cannot use the DICOM TLS certificates: {exc}") from exc
        if protocol == ssl.PROTOCOL_TLS_CLIENT and not self.trusted_certificates:
            raise TlsConfigurationError(
                "DICOM TLS to a modality needs DicomTlsTrustedCertificates (PEM file)"
            )
        return context
