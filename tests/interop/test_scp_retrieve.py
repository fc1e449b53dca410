"""C-MOVE and C-GET against the DICOM service (in-process, on moto): dcmtk's movescu with
storescp as the destination, dcmtk's getscu, pynetdicom for the statuses, and Orthanc 1.10.1
retrieving from Cirrus through its /queries API. Files must arrive as they are stored: the
data set after the file meta information is compared byte for byte."""

from __future__ import annotations

import subprocess
import tempfile
import time
import warnings
from collections.abc import Iterator
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from pydicom import dcmread
from pydicom.data import get_testdata_file
from pydicom.dataset import Dataset
from pynetdicom import AE, build_role, evt
from pynetdicom.dsutils import split_dataset
from pynetdicom.sop_class import (  # type: ignore[attr-defined]
    CTImageStorage,
    StudyRootQueryRetrieveInformationModelGet,
    StudyRootQueryRetrieveInformationModelMove,
)

from tests.integration.helpers import get
from tests.interop.test_scp_dcmtk import DCMTK_ENV
from tests.support.orthanc_server import OrthancServer, free_port

FILES = {
    "CT_small.dcm": [],
    "MR_small.dcm": [],
    "JPEG2000.dcm": ["+xw"],
}
MOVE = StudyRootQueryRetrieveInformationModelMove
GET = StudyRootQueryRetrieveInformationModelGet


def _study(name: str) -> str:
    return str(dcmread(get_testdata_file(name), stop_before_pixels=True).StudyInstanceUID)


def _data_set(path: Path) -> bytes:
    """A file's data set: what travels in a C-STORE (the file meta is each writer's own)."""
    _, offset = split_dataset(path)
    return path.read_bytes()[offset:]


class Destination:
    """dcmtk's storescp, writing what it receives bit for bit into a temporary directory."""

    def __init__(self, aet: str) -> None:
        self.port = free_port()
        self.directory = Path(tempfile.mkdtemp())
        self._process = subprocess.Popen(
            ["storescp", "+B", "+xa", "-aet", aet, "-od", str(self.directory), str(self.port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=DCMTK_ENV,
        )
        time.sleep(0.3)

    def received(self) -> dict[str, bytes]:
        """Data sets received, by SOPInstanceUID."""
        return {
            str(dcmread(p, stop_before_pixels=True).SOPInstanceUID): _data_set(p)
            for p in self.directory.iterdir()
        }

    def stop(self) -> None:
        self._process.terminate()
        self._process.wait()


@pytest.fixture
def stored(client: Any, configure: Any) -> Iterator[tuple[Any, int, Destination]]:
    """The DICOM service holding FILES; DEST (storescp) and the callers declared."""
    from scp_container.service import start

    destination = Destination("DEST")
    configure(
        DicomAet="CIRRUS",
        DicomModalities={
            "dest": ["DEST", "127.0.0.1", destination.port],
            "mover": ["MOVER", "127.0.0.1", 104],
            # The instance metadata service: never a destination (docs/security.md).
            "metadata": ["METADATA", "169.254.169.254", 80],
            "viewer": {
                "AET": "VIEWER",
                "Host": "127.0.0.1",
                "Port": 104,
                "AllowMove": False,
                "AllowGet": False,
            },
        },
    )
    for name in FILES:
        response = client.http.post("/instances", body=Path(get_testdata_file(name)).read_bytes())
        assert response.status_code == 200
    port = free_port()
    server = start("127.0.0.1", port, block=False)
    try:
        yield client, port, destination
    finally:
        server.shutdown()
        destination.stop()


def stored_data_sets(client: Any) -> dict[str, bytes]:
    """Cirrus's stored files' data sets, by SOPInstanceUID."""
    found = {}
    for instance_id in get(client, "/instances"):
        path = Path(tempfile.mkdtemp()) / "file.dcm"
        path.write_bytes(client.http.get(f"/instances/{instance_id}/file").body)
        found[str(dcmread(path, stop_before_pixels=True).SOPInstanceUID)] = _data_set(path)
    return found


def dcmtk(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, capture_output=True, text=True, timeout=60, env=DCMTK_ENV)


def test_movescu_moves_every_file_as_stored(stored: tuple[Any, int, Destination]) -> None:
    client, port, destination = stored
    studies = "\\".join(_study(name) for name in FILES)
    moved = dcmtk(
        *("movescu", "-S", "-aet", "MOVER", "-aec", "CIRRUS", "-aem", "DEST"),
        *("-k", "QueryRetrieveLevel=STUDY", "-k", f"StudyInstanceUID={studies}"),
        *("127.0.0.1", str(port)),
    )
    assert moved.returncode == 0, moved.stderr
    assert destination.received() == stored_data_sets(client)


@pytest.mark.parametrize("name", list(FILES))
def test_getscu_gets_each_file_as_stored(stored: tuple[Any, int, Destination], name: str) -> None:
    client, port, _ = stored
    target = Path(tempfile.mkdtemp())
    got = dcmtk(
        *("getscu", "-S", "+B", *FILES[name], "-aet", "MOVER", "-aec", "CIRRUS"),
        *("-od", str(target), "-k", "QueryRetrieveLevel=STUDY"),
        *("-k", f"StudyInstanceUID={_study(name)}", "127.0.0.1", str(port)),
    )
    assert got.returncode == 0, got.stderr
    [path] = target.iterdir()
    uid = str(dcmread(path, stop_before_pixels=True).SOPInstanceUID)
    assert _data_set(path) == stored_data_sets(client)[uid]


def _move(port: int, keys: dict[str, Any], destination: str, calling: str = "MOVER") -> list[Any]:
    ae = AE(ae_title=calling)
    ae.add_requested_context(MOVE)
    association = ae.associate("127.0.0.1", port, ae_title="CIRRUS")
    assert association.is_established
    answers = list(association.send_c_move(_identifier(keys), destination, MOVE))
    if _aborted(association):
        return ["aborted"]
    association.release()
    return [status for status, _ in answers]


def _aborted(association: Any) -> bool:
    """Whether the peer aborted (the requester learns it a moment after its answer ends)."""
    deadline = time.monotonic() + 2
    while association.is_established and time.monotonic() < deadline:
        time.sleep(0.05)
    return association.is_aborted


def _identifier(keys: dict[str, Any]) -> Dataset:
    identifier = Dataset()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # wildcards in UIDs, on purpose
        for keyword, value in keys.items():
            setattr(identifier, keyword, value)
    return identifier


def _final(statuses: list[Any]) -> tuple[int, int, int]:
    last = statuses[-1]
    return last.Status, last.NumberOfCompletedSuboperations, last.NumberOfFailedSuboperations


def test_move_statuses(stored: tuple[Any, int, Destination]) -> None:
    _, port, destination = stored
    ct = {"QueryRetrieveLevel": "STUDY", "StudyInstanceUID": _study("CT_small.dcm")}
    assert _final(_move(port, ct, "DEST")) == (0x0000, 1, 0)
    # Unknown destination: 0xA801 (Orthanc 1.10.1 answers 0xC000), nothing sent.
    assert _move(port, ct, "NOBODY")[-1].Status == 0xA801
    # A destination outside RemoteNetworksAllowed (link-local) is refused the same way.
    assert _move(port, ct, "METADATA")[-1].Status == 0xA801
    # Unknown UIDs are skipped; none known: nothing to do (Orthanc: 0xC000).
    with_unknown = dict(ct, StudyInstanceUID=[ct["StudyInstanceUID"], "1.2.3"])
    assert _final(_move(port, with_unknown, "DEST")) == (0x0000, 1, 0)
    assert _final(_move(port, dict(ct, StudyInstanceUID="1.2.3"), "DEST")) == (0x0000, 0, 0)
    # An identifier that names nothing the way Orthanc requires: 0xC000, as Orthanc.
    for keys in (
        {"QueryRetrieveLevel": "STUDY"},
        {"QueryRetrieveLevel": "STUDY", "StudyInstanceUID": "1.2.*"},
        {"QueryRetrieveLevel": "WHATEVER", "StudyInstanceUID": "1.2.3"},
        {"PatientName": "X"},
    ):
        assert _move(port, keys, "DEST")[-1].Status == 0xC000, keys
    # Without QueryRetrieveLevel, the deepest unique key given names the level (Orthanc).
    sop = str(dcmread(get_testdata_file("MR_small.dcm"), stop_before_pixels=True).SOPInstanceUID)
    assert _final(_move(port, {"SOPInstanceUID": sop}, "DEST")) == (0x0000, 1, 0)
    assert set(destination.received()) == {
        str(dcmread(get_testdata_file(n), stop_before_pixels=True).SOPInstanceUID)
        for n in ("CT_small.dcm", "MR_small.dcm")
    }


def test_a_destination_that_refuses_a_file_fails_that_sub_operation(
    stored: tuple[Any, int, Destination],
) -> None:
    """Each failed sub-operation is counted and the others go on; the final 0xB000 lists the
    failed UIDs (Orthanc 1.10.1 stops at the first failure and answers 0xC000)."""
    _, port, destination = stored
    destination.stop()
    only_ct = AE(ae_title="DEST")
    only_ct.add_supported_context(CTImageStorage)
    server = only_ct.start_server(
        ("127.0.0.1", destination.port),
        block=False,
        evt_handlers=[(evt.EVT_C_STORE, lambda event: 0x0000)],
    )
    try:
        both = [_study("CT_small.dcm"), _study("MR_small.dcm")]
        keys = {"QueryRetrieveLevel": "STUDY", "StudyInstanceUID": both}
        ae = AE(ae_title="MOVER")
        ae.add_requested_context(MOVE)
        association = ae.associate("127.0.0.1", port, ae_title="CIRRUS")
        answers = list(association.send_c_move(_identifier(keys), "DEST", MOVE))
        association.release()
    finally:
        server.shutdown()
    status, identifier = answers[-1]
    mr = dcmread(get_testdata_file("MR_small.dcm"), stop_before_pixels=True)
    assert (status.Status, status.NumberOfCompletedSuboperations) == (0xB000, 1)
    assert status.NumberOfFailedSuboperations == 1
    assert identifier.FailedSOPInstanceUIDList == mr.SOPInstanceUID


def test_callers_without_allow_move_or_get_are_aborted(
    stored: tuple[Any, int, Destination],
) -> None:
    """As Orthanc 1.10.1: DicomAlwaysAllowMove/Get are off by default, a modality may be
    denied with AllowMove/AllowGet, and a refused request aborts the association."""
    _, port, destination = stored
    ct = {"QueryRetrieveLevel": "STUDY", "StudyInstanceUID": _study("CT_small.dcm")}
    assert _move(port, ct, "DEST", calling="VIEWER") == ["aborted"]
    assert _move(port, ct, "DEST", calling="STRANGER") == ["aborted"]
    ae = AE(ae_title="VIEWER")
    ae.add_requested_context(GET)
    ae.add_requested_context(CTImageStorage)
    association = ae.associate(
        "127.0.0.1", port, ae_title="CIRRUS", ext_neg=[build_role(CTImageStorage, scp_role=True)]
    )
    list(association.send_c_get(_identifier(ct), GET))
    assert _aborted(association)
    assert destination.received() == {}


def test_dicom_check_modality_host(client: Any, configure: Any) -> None:
    """With DicomCheckModalityHost, a known AE title calling from another IP address than
    its Host is treated as a stranger: here its C-ECHO is refused (0x0124)."""
    from pynetdicom.sop_class import Verification  # type: ignore[attr-defined]

    from scp_container.service import start

    def echo() -> int:
        ae = AE(ae_title="PACS")
        ae.add_requested_context(Verification)
        association = ae.associate("127.0.0.1", port, ae_title="CIRRUS")
        assert association.is_established
        status = association.send_c_echo().Status
        association.release()
        return int(status)

    port = free_port()
    server = None
    try:
        for check, host, status in (
            (False, "10.9.9.9", 0x0000),
            (True, "10.9.9.9", 0x0124),
            (True, "127.0.0.1", 0x0000),
        ):
            configure(
                DicomAet="CIRRUS",
                DicomAlwaysAllowEcho=False,
                DicomCheckModalityHost=check,
                DicomModalities={"pacs": ["PACS", host, 104]},
            )
            if server is None:
                server = start("127.0.0.1", port, block=False)
            assert echo() == status, (check, host)
    finally:
        if server is not None:
            server.shutdown()


def test_orthanc_retrieves_from_cirrus_with_its_query_api(
    stored: tuple[Any, int, Destination], configure: Any
) -> None:
    """Orthanc 1.10.1 queries Cirrus, then asks it to move the study to Orthanc itself."""
    client, port, _ = stored
    with OrthancServer({"DicomModalities": {"cirrus": ["CIRRUS", "127.0.0.1", port]}}) as orthanc:
        client.http.put(
            "/modalities/orthanc", body=f'["ORTHANCTEST", "127.0.0.1", {orthanc.dicom_port}]'
        )
        from chalicelib import bootstrap

        bootstrap.dicom_access.cache_clear()  # the service re-reads modalities every 5 s
        query = orthanc.post(
            "/modalities/cirrus/query",
            json={"Level": "Study", "Query": {"StudyInstanceUID": _study("JPEG2000.dcm")}},
        )
        assert query.status_code == 200, query.text
        query_id = query.json()["ID"]
        assert orthanc.get_json(f"/queries/{query_id}/answers") == ["0"]
        retrieved = orthanc.post(f"/queries/{query_id}/retrieve", json={"TargetAet": "ORTHANCTEST"})
        assert retrieved.status_code == 200, retrieved.text
        [instance] = orthanc.get_json("/instances")
        theirs = orthanc.get(f"/instances/{instance}/file").content
    # Orthanc writes what it receives through DCMTK, which re-encodes the data set: the
    # received instance must hold the same elements, in the same transfer syntax.
    received = dcmread(BytesIO(theirs))
    original = dcmread(get_testdata_file("JPEG2000.dcm"))
    assert received.file_meta.TransferSyntaxUID == original.file_meta.TransferSyntaxUID
    assert received == original
