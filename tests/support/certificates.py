"""A throw-away certificate authority for HTTPS tests: a server certificate for localhost and
a client certificate (with a password-protected key), both signed by the CA."""

from __future__ import annotations

import datetime
import ipaddress
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

KEY_PASSWORD = "key-secret"


@dataclass(frozen=True)
class Certificates:
    ca: Path
    server_cert: Path
    server_key: Path
    client_cert: Path
    client_key: Path  # encrypted with KEY_PASSWORD


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _certificate(
    subject: str,
    key: ec.EllipticCurvePrivateKey,
    issuer: str,
    issuer_key: ec.EllipticCurvePrivateKey,
    extensions: list[tuple[x509.ExtensionType, bool]],
) -> x509.Certificate:
    now = datetime.datetime.now(datetime.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(_name(issuer))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
    )
    for extension, critical in extensions:
        builder = builder.add_extension(extension, critical=critical)
    return builder.sign(issuer_key, hashes.SHA256())


def make_certificates(directory: Path) -> Certificates:
    ca_key, server_key, client_key = (ec.generate_private_key(ec.SECP256R1()) for _ in range(3))
    ca = _certificate(
        "Cirrus test CA",
        ca_key,
        "Cirrus test CA",
        ca_key,
        [(x509.BasicConstraints(ca=True, path_length=None), True)],
    )
    server = _certificate(
        "localhost",
        server_key,
        "Cirrus test CA",
        ca_key,
        [
            (
                x509.SubjectAlternativeName(
                    [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
                ),
                False,
            ),
            (x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), False),
        ],
    )
    client = _certificate(
        "cirrus-client",
        client_key,
        "Cirrus test CA",
        ca_key,
        [(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), False)],
    )
    paths = Certificates(
        ca=directory / "ca.pem",
        server_cert=directory / "server.pem",
        server_key=directory / "server.key",
        client_cert=directory / "client.pem",
        client_key=directory / "client.key",
    )
    pem = serialization.Encoding.PEM
    paths.ca.write_bytes(ca.public_bytes(pem))
    paths.server_cert.write_bytes(server.public_bytes(pem))
    paths.client_cert.write_bytes(client.public_bytes(pem))
    paths.server_key.write_bytes(
        server_key.private_bytes(
            pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    paths.client_key.write_bytes(
        client_key.private_bytes(
            pem,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(KEY_PASSWORD.encode()),
        )
    )
    return paths


@dataclass(frozen=True)
class DicomNode:
    """A DICOM TLS identity: certificate and unencrypted key (as Orthanc and dcmtk read
    them), valid for localhost as a server and as a client."""

    certificate: Path
    private_key: Path


def make_dicom_certificates(directory: Path, names: list[str]) -> tuple[Path, dict[str, DicomNode]]:
    """A CA (its PEM file is what every node trusts) and one identity per name."""
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = _certificate(
        "Cirrus DICOM test CA",
        ca_key,
        "Cirrus DICOM test CA",
        ca_key,
        [(x509.BasicConstraints(ca=True, path_length=None), True)],
    )
    pem = serialization.Encoding.PEM
    ca_path = directory / "dicom-ca.pem"
    ca_path.write_bytes(ca.public_bytes(pem))
    usages = [ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]
    nodes = {}
    for name in names:
        key = ec.generate_private_key(ec.SECP256R1())
        certificate = _certificate(
            name,
            key,
            "Cirrus DICOM test CA",
            ca_key,
            [
                (
                    x509.SubjectAlternativeName(
                        [
                            x509.DNSName("localhost"),
                            x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                        ]
                    ),
                    False,
                ),
                (x509.ExtendedKeyUsage(usages), False),
            ],
        )
        node = DicomNode(directory / f"{name}.pem", directory / f"{name}.key")
        node.certificate.write_bytes(certificate.public_bytes(pem))
        node.private_key.write_bytes(
            key.private_bytes(
                pem, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()
            )
        )
        nodes[name] = node
    return ca_path, nodes
