"""Malformed datasets sent by C-STORE (tests/support/fuzz.py, the meta header intact as a
peer's DICOM stack would send it): each is answered 0x0000 or 0xC210 "cannot understand",
never 0xA700 "out of resources", which makes a modality send the same bad file again and
again, and a refused file is not stored."""

from __future__ import annotations

import io
import struct
import tempfile
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pydicom
import pynetdicom
import pytest
from pynetdicom import AE

from scp_container.dimse import CANNOT_UNDERSTAND
from tests.integration.helpers import get
from tests.support.dicom_service import dicom_service
from tests.support.fuzz import SOURCES, mutations, source_bytes

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


def _meta(name: str) -> Any:
    data = source_bytes(name)
    if data[128:132] != b"DICM":
        return None
    return pydicom.dcmread(io.BytesIO(data), stop_before_pixels=True).file_meta


# Sources with what the SCU takes from the meta header: the SOP class and transfer syntax.
PEER_SOURCES = tuple(
    name
    for name in SOURCES
    if (meta := _meta(name)) is not None and meta.get("MediaStorageSOPClassUID")
)


@pytest.fixture
def association(client: Any, configure: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    # pynetdicom's documented switch to send a file's dataset bytes as they are, reading only
    # the meta header (otherwise it decodes the dataset first and refuses the bad ones).
    monkeypatch.setattr(pynetdicom._config, "STORE_SEND_CHUNKED_DATASET", True)
    configure(DicomAet="CIRRUS")
    ae = AE(ae_title="MODALITY")
    for name in PEER_SOURCES:
        meta = _meta(name)
        ae.add_requested_context(meta.MediaStorageSOPClassUID, meta.TransferSyntaxUID)
    with dicom_service() as port:
        assoc = ae.associate("127.0.0.1", port, ae_title="CIRRUS")
        assert assoc.is_established
        yield assoc
        assoc.release()


def test_bad_datasets_get_cannot_understand(association: Any, client: Any) -> None:
    statuses: Counter[int] = Counter()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzzed.dcm"
        for mutation in mutations(seed=19, count=300, sources=PEER_SOURCES, keep_meta=True):
            path.write_bytes(mutation.data)
            try:
                status = association.send_c_store(str(path))
            except struct.error:
                continue  # pynetdicom reads past the meta header to find its end, and fails
            statuses[status.Status] += 1
    assert set(statuses) <= {0x0000, CANNOT_UNDERSTAND}, statuses
    assert statuses[CANNOT_UNDERSTAND] > 50 and statuses[0x0000] > 20, statuses


def test_a_file_cut_short_is_not_stored(association: Any, client: Any) -> None:
    data = source_bytes("CT_small.dcm")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "cut.dcm"
        path.write_bytes(data[:3000])
        assert association.send_c_store(str(path)).Status == CANNOT_UNDERSTAND
    assert get(client, "/instances") == []
