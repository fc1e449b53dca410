"""A modality that goes away in the middle of a C-STORE leaves nothing behind: the DICOM
service stores a file only once the whole data set has arrived, so an association aborted
(A-ABORT) or a connection cut after part of the data set stores nothing, and the service
keeps serving. A caller that connects and says nothing is dropped after DicomScpTimeout."""

from __future__ import annotations

import io
import socket
import time
from collections.abc import Iterator
from typing import Any

import pytest
from pydicom import dcmread
from pydicom.dataset import Dataset
from pydicom.uid import UID
from pynetdicom import AE
from pynetdicom.dimse_messages import C_STORE_RQ
from pynetdicom.dimse_primitives import C_STORE
from pynetdicom.pdu import P_DATA_TF
from pynetdicom.sop_class import CTImageStorage, Verification  # type: ignore[attr-defined]

from tests.integration.helpers import get
from tests.support.dicom_factory import make_instance
from tests.support.dicom_service import dicom_service, end_abruptly

SCP_TIMEOUT = 2


@pytest.fixture
def scp(client: Any, configure: Any) -> Iterator[tuple[Any, int]]:
    configure(DicomAet="CIRRUS", DicomScpTimeout=SCP_TIMEOUT)
    with dicom_service() as port:
        yield client, port


def _associate(port: int) -> Any:
    ae = AE(ae_title="MODALITY")
    ae.add_requested_context(CTImageStorage)
    ae.add_requested_context(Verification)
    assoc = ae.associate("127.0.0.1", port, ae_title="CIRRUS")
    assert assoc.is_established
    return assoc


def _store_pdus(assoc: Any, dataset: Dataset) -> list[bytes]:
    """The P-DATA-TF PDUs of a C-STORE of ``dataset``, as pynetdicom would send them."""
    from pynetdicom.dsutils import encode

    [context] = [c for c in assoc.accepted_contexts if c.abstract_syntax == CTImageStorage]
    syntax = UID(context.transfer_syntax[0])
    encoded = encode(dataset, syntax.is_implicit_VR, syntax.is_little_endian)
    request = C_STORE()
    request.MessageID = 1
    request.AffectedSOPClassUID = CTImageStorage
    request.AffectedSOPInstanceUID = dataset.SOPInstanceUID
    request.Priority = 2
    request.DataSet = io.BytesIO(encoded)
    message = C_STORE_RQ()
    message.primitive_to_message(request)
    pdus = []
    for primitive in message.encode_msg(context.context_id, 16382):
        pdu = P_DATA_TF()
        pdu.from_primitive(primitive)
        pdus.append(pdu.encode())
    assert len(pdus) > 3, "the data set must take several PDUs"
    return pdus


def _large_dataset() -> Dataset:
    """A 256x256 16-bit CT: about 128 KB, several PDUs."""
    dataset = dcmread(io.BytesIO(make_instance(size=256)))
    del dataset.file_meta
    return dataset


def _assert_nothing_stored_and_still_serving(client: Any, port: int) -> None:
    time.sleep(0.5)  # let the service notice the end of the association
    assert get(client, "/instances") == []
    assert get(client, "/statistics")["CountInstances"] == 0
    assoc = _associate(port)
    try:
        assert assoc.send_c_echo().Status == 0x0000
    finally:
        assoc.release()


@pytest.mark.parametrize("ending", ["a-abort", "tcp-close"])
def test_a_store_cut_in_the_middle_stores_nothing(scp: tuple[Any, int], ending: str) -> None:
    client, port = scp
    assoc = _associate(port)
    raw = assoc.dul.socket.socket
    for pdu in _store_pdus(assoc, _large_dataset())[:-1]:
        raw.sendall(pdu)
    end_abruptly(assoc, ending)
    _assert_nothing_stored_and_still_serving(client, port)


def test_the_same_pdus_complete_store_the_instance(scp: tuple[Any, int]) -> None:
    """The control case: the PDUs above, all of them, make a stored instance."""
    client, port = scp
    assoc = _associate(port)
    # Keep the association's reactor from taking the answer (as send_c_store does).
    assoc._reactor_checkpoint.clear()
    while not assoc._is_paused:
        time.sleep(0.001)
    for pdu in _store_pdus(assoc, _large_dataset()):
        assoc.dul.socket.socket.sendall(pdu)
    _, answer = assoc.dimse.get_msg(block=True)
    assoc._reactor_checkpoint.set()
    assert answer.Status == 0x0000
    assoc.release()
    assert len(get(client, "/instances")) == 1


def test_a_silent_caller_is_dropped_after_the_timeout(scp: tuple[Any, int]) -> None:
    client, port = scp
    began = time.monotonic()
    with socket.create_connection(("127.0.0.1", port)) as silent:
        silent.settimeout(SCP_TIMEOUT + 10)
        assert silent.recv(1024) in (b"", b"\x07\x00\x00\x00\x00\x04\x00\x00\x02\x00")
    assert time.monotonic() - began < SCP_TIMEOUT + 5
    _assert_nothing_stored_and_still_serving(client, port)


def test_garbage_instead_of_an_association_request(scp: tuple[Any, int]) -> None:
    client, port = scp
    with socket.create_connection(("127.0.0.1", port)) as talker:
        talker.settimeout(SCP_TIMEOUT + 10)
        talker.sendall(b"GET / HTTP/1.1\r\nHost: cirrus\r\n\r\n")
        answer = talker.recv(1024)
    # An A-ABORT (PDU type 0x07) or the connection closed; never an HTTP answer or a hang.
    assert answer == b"" or answer[0] == 0x07
    _assert_nothing_stored_and_still_serving(client, port)


def test_associations_beyond_the_limit_are_rejected_as_transient(
    client: Any, configure: Any
) -> None:
    configure(DicomAet="CIRRUS", DicomMaximumAssociations=1)
    with dicom_service() as port:
        first = _associate(port)
        try:
            ae = AE(ae_title="MODALITY")
            ae.add_requested_context(Verification)
            second = ae.associate("127.0.0.1", port, ae_title="CIRRUS")
            assert second.is_rejected
            assert second.acceptor.primitive.result == 0x02  # rejected (transient)
        finally:
            first.release()
        # The slot is free once the service has finished with the first association.
        deadline = time.monotonic() + 5
        while True:
            again = AE(ae_title="MODALITY")
            again.add_requested_context(Verification)
            third = again.associate("127.0.0.1", port, ae_title="CIRRUS")
            if third.is_established or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        assert third.is_established
        third.release()
