"""DICOM TLS both ways: dcmtk and Orthanc 1.10.1 (DicomTlsEnabled) talk to Cirrus's DICOM
service over TLS, and Cirrus calls Orthanc over TLS when the modality has UseDicomTls. All
certificates come from a throw-away CA that every node trusts."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pydicom.data import get_testdata_file

from tests.integration.helpers import body, get
from tests.interop.test_scp_dcmtk import dcmtk
from tests.support.certificates import DicomNode, make_dicom_certificates
from tests.support.dicom_service import dicom_service
from tests.support.orthanc_server import OrthancServer, free_port

CT_SMALL = get_testdata_file("CT_small.dcm")


@pytest.fixture(scope="module")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, DicomNode]]:
    return make_dicom_certificates(
        tmp_path_factory.mktemp("dicom-tls"), ["cirrus", "orthanc", "dcmtk", "stranger"]
    )


def _tls_options(ca: Path, node: DicomNode) -> dict[str, Any]:
    return {
        "DicomTlsEnabled": True,
        "DicomTlsCertificate": str(node.certificate),
        "DicomTlsPrivateKey": str(node.private_key),
        "DicomTlsTrustedCertificates": str(ca),
    }


@pytest.fixture
def tls_setup(
    client: Any, configure: Any, certificates: tuple[Path, dict[str, DicomNode]]
) -> Iterator[tuple[Any, int, OrthancServer]]:
    """Cirrus's DICOM service over TLS on a free port, and an Orthanc over TLS that knows it."""
    ca, nodes = certificates
    port = free_port()
    cirrus = {"AET": "CIRRUS", "Host": "127.0.0.1", "Port": port, "UseDicomTls": True}
    orthanc_config = {**_tls_options(ca, nodes["orthanc"]), "DicomModalities": {"cirrus": cirrus}}
    with OrthancServer(orthanc_config) as orthanc:
        remote = {
            "AET": "ORTHANCTEST",
            "Host": "127.0.0.1",
            "Port": orthanc.dicom_port,
            "UseDicomTls": True,
        }
        plain = {**remote, "UseDicomTls": False}
        configure(
            DicomAet="CIRRUS",
            DicomModalities={"orthanc": remote, "orthanc-plain": plain},
            **_tls_options(ca, nodes["cirrus"]),
        )
        with dicom_service(port):
            yield client, port, orthanc


def _dcmtk_tls(ca: Path, node: DicomNode) -> list[str]:
    return ["+tls", str(node.private_key), str(node.certificate), "+cf", str(ca)]


def test_dcmtk_echoes_and_stores_over_tls_only(
    tls_setup: tuple[Any, int, OrthancServer],
    certificates: tuple[Path, dict[str, DicomNode]],
) -> None:
    client, port, _ = tls_setup
    ca, nodes = certificates
    tls = _dcmtk_tls(ca, nodes["dcmtk"])
    assert dcmtk("echoscu", *tls, "-aec", "CIRRUS", "127.0.0.1", str(port)).returncode == 0
    stored = dcmtk("storescu", *tls, "-aec", "CIRRUS", "127.0.0.1", str(port), CT_SMALL)
    assert stored.returncode == 0, stored.stderr
    assert len(get(client, "/instances")) == 1
    # Without TLS the service does not even answer the association request.
    assert dcmtk("echoscu", "-to", "5", "-aec", "CIRRUS", "127.0.0.1", str(port)).returncode != 0


def test_a_certificate_from_an_untrusted_authority_is_refused(
    tls_setup: tuple[Any, int, OrthancServer], tmp_path: Path
) -> None:
    _, port, _ = tls_setup
    other_ca, others = make_dicom_certificates(tmp_path, ["intruder"])
    intruder = _dcmtk_tls(other_ca, others["intruder"])
    assert dcmtk("echoscu", *intruder, "-aec", "CIRRUS", "127.0.0.1", str(port)).returncode != 0


def test_orthanc_stores_to_cirrus_over_tls(tls_setup: tuple[Any, int, OrthancServer]) -> None:
    client, _, orthanc = tls_setup
    orthanc.session.post(f"{orthanc.url}/modalities/cirrus/echo", json={}).raise_for_status()
    uploaded = orthanc.session.post(f"{orthanc.url}/instances", data=Path(CT_SMALL).read_bytes())
    instance_id = uploaded.json()["ID"]
    sent = orthanc.session.post(f"{orthanc.url}/modalities/cirrus/store", data=instance_id)
    assert sent.status_code == 200, sent.text
    assert get(client, "/instances") == [instance_id]
    origin = get(client, f"/instances/{instance_id}/metadata/RemoteAET").body
    assert origin == b"ORTHANCTEST"


def test_cirrus_calls_orthanc_over_tls_when_the_modality_says_so(
    tls_setup: tuple[Any, int, OrthancServer],
) -> None:
    client, _, _ = tls_setup
    assert client.http.post("/modalities/orthanc/echo", body=b"{}").status_code == 200
    # Orthanc's DICOM port speaks TLS only: a plain association cannot be made.
    refused = client.http.post("/modalities/orthanc-plain/echo", body=b'{"Timeout": 5}')
    assert refused.status_code == 500
    assert "DicomAssociation" in body(refused)["Details"]


def test_a_tls_modality_without_certificates_is_a_clear_error(client: Any, configure: Any) -> None:
    modality = {"AET": "X", "Host": "127.0.0.1", "Port": free_port(), "UseDicomTls": True}
    configure(DicomModalities={"x": modality})
    refused = client.http.post("/modalities/x/echo", body=b"{}")
    assert refused.status_code == 500
    assert "DicomTlsCertificate" in body(refused)["Details"]
