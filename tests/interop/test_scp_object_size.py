"""The DICOM service receives each C-STORE data set to a temporary file, within
DicomMaximumObjectSize: an object over the limit is refused (0xA700 when it crossed the limit
with its last PDU, an A-ABORT as soon as it exceeds the limit by a PDU) and nothing is stored;
objects within the limit are stored as before, and no temporary file outlives its C-STORE,
whether it was stored, refused, aborted or cut."""

from __future__ import annotations

import io
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pydicom import dcmread
from pynetdicom import AE
from pynetdicom.sop_class import CTImageStorage  # type: ignore[attr-defined]

from tests.integration.helpers import get
from tests.interop.test_scp_interrupted import _associate, _large_dataset, _store_pdus
from tests.support.dicom_factory import make_instance
from tests.support.dicom_service import dicom_service, end_abruptly

MAXIMUM = 64 * 1024
OUT_OF_RESOURCES = 0xA700


@pytest.fixture
def spool(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Where pynetdicom's temporary files go during the test (the service is in-process)."""
    directory = tmp_path / "spool"
    directory.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(directory))
    return directory


@pytest.fixture
def scp(client: Any, configure: Any, spool: Path) -> Iterator[tuple[Any, int]]:
    configure(DicomAet="CIRRUS", DicomScpTimeout=5, DicomMaximumObjectSize=MAXIMUM)
    with dicom_service() as port:
        yield client, port


def _send(port: int, size: int) -> tuple[Any, Any]:
    """C-STORE a ``size`` x ``size`` 16-bit CT; the answer and the association."""
    ae = AE(ae_title="MODALITY")
    ae.add_requested_context(CTImageStorage)
    assoc = ae.associate("127.0.0.1", port, ae_title="CIRRUS")
    assert assoc.is_established
    answer = assoc.send_c_store(dcmread(io.BytesIO(make_instance(size=size))))
    if assoc.is_established:
        assoc.release()
    return answer, assoc


def _settled(spool: Path) -> list[Path]:
    """The temporary files left once the service has finished with the association."""
    time.sleep(0.5)
    return list(spool.iterdir())


def test_objects_within_the_limit_are_stored(scp: tuple[Any, int], spool: Path) -> None:
    client, port = scp
    answer, _ = _send(port, 128)  # about 32 KB
    assert answer.Status == 0x0000
    assert len(get(client, "/instances")) == 1
    assert _settled(spool) == []


def test_crossing_the_limit_with_the_last_pdu_is_out_of_resources(
    client: Any, configure: Any, spool: Path
) -> None:
    """One PDU (16 KB) carries the whole 12 KB object, over a 4 KB limit: the handler
    answers 0xA700 without reading it."""
    configure(DicomAet="CIRRUS", DicomMaximumObjectSize=4096)
    with dicom_service() as port:
        answer, assoc = _send(port, 76)
        assert answer.Status == OUT_OF_RESOURCES
        assert not assoc.is_aborted
        assert get(client, "/instances") == []
        assert _settled(spool) == []


def test_an_object_far_over_the_limit_is_aborted_early(scp: tuple[Any, int], spool: Path) -> None:
    client, port = scp
    answer, assoc = _send(port, 1024)  # 2 MB, 32 times the limit
    assert assoc.is_aborted
    assert "Status" not in answer
    assert get(client, "/instances") == []
    assert _settled(spool) == []
    follow_up, _ = _send(port, 8)  # the service keeps serving
    assert follow_up.Status == 0x0000


def test_the_abort_comes_before_the_data_set_is_sent(scp: tuple[Any, int], spool: Path) -> None:
    """The data set's PDUs, sent without waiting: the A-ABORT arrives after about the limit
    (64 KB, 4 PDUs), the service stops reading, and nothing is left on disk."""
    _, port = scp
    assoc = _associate(port)
    assoc._reactor_checkpoint.clear()  # keep the association's reactor off the socket
    while not assoc._is_paused:
        time.sleep(0.001)
    raw = assoc.dul.socket.socket
    raw.settimeout(5)
    pdus = _store_pdus(assoc, dcmread(io.BytesIO(make_instance(size=1024))))
    sent = 0
    with pytest.raises(OSError):  # reset by the peer once it aborted and closed
        for pdu in pdus:
            raw.sendall(pdu)
            sent += 1
            time.sleep(0.005)
    assert sent < len(pdus) // 2
    assoc.kill()
    assert _settled(spool) == []


@pytest.mark.parametrize("ending", ["a-abort", "tcp-close"])
def test_a_store_cut_in_the_middle_leaves_no_temporary_file(
    scp: tuple[Any, int], spool: Path, ending: str
) -> None:
    client, port = scp
    assoc = _associate(port)
    raw = assoc.dul.socket.socket
    pdus = _store_pdus(assoc, _large_dataset())
    for pdu in pdus[:2]:  # under the limit
        raw.sendall(pdu)
    time.sleep(0.2)
    assert len(list(spool.iterdir())) == 1  # the data set is being received to disk
    end_abruptly(assoc, ending)
    assert _settled(spool) == []
    assert get(client, "/instances") == []
