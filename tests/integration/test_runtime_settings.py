"""Settings changed at run time through /tools/*: where they start (the configuration file),
how they are kept (the remotes table, behind a cache with a staleness bound), and what they
change (the Python loggers, the DICOM service's C-STORE contexts, the metrics)."""

from __future__ import annotations

import io
import logging
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pydicom
import pytest
from pynetdicom import AE
from pynetdicom.sop_class import Verification  # type: ignore[attr-defined]

from chalicelib import bootstrap
from chalicelib.services.shared.runtime_settings import MAX_AGE, RuntimeSettings
from chalicelib.services.system.settings import defaults
from chalicelib.settings import Config, ConfigError
from chalicelib.settings.config import parse_config
from chalicelib.storage import aws
from chalicelib.storage.schema import table_name
from chalicelib.storage.settings_store import SettingsStore
from tests.integration.helpers import get, upload
from tests.support.dicom_factory import make_instance
from tests.support.dicom_service import dicom_service

EXPLICIT = "1.2.840.10008.1.2.1"
IMPLICIT = "1.2.840.10008.1.2"
UNKNOWN_SOP_CLASS = "1.2.3.4.5.6.7"


def _text(client: Any, path: str) -> str:
    response = client.http.get(path)
    assert response.status_code == 200, response.body
    return response.body.decode()


def _put(client: Any, path: str, body: str) -> Any:
    response = client.http.put(path, body=body)
    assert response.status_code == 200, response.body
    return response


def test_the_configuration_gives_the_starting_values(client: Any, configure: Any) -> None:
    configure(
        DefaultEncoding="utf8",
        AcceptedTransferSyntaxes=["1.2.840.10008.1.2.4.5?", IMPLICIT],
        UnknownSopClassAccepted=True,
        MetricsEnabled=False,
    )
    assert _text(client, "/tools/default-encoding") == "Utf8"
    expected = [IMPLICIT, *(f"1.2.840.10008.1.2.4.{n}" for n in range(50, 60))]
    assert get(client, "/tools/accepted-transfer-syntaxes") == expected
    assert _text(client, "/tools/unknown-sop-class-accepted") == "1"
    assert _text(client, "/tools/metrics") == "0"
    assert _text(client, "/tools/metrics-prometheus") == ""


@pytest.mark.parametrize(
    "options",
    [
        {"DefaultEncoding": "Klingon"},
        {"DefaultEncoding": 100},
        {"AcceptedTransferSyntaxes": [1]},
        {"AcceptedTransferSyntaxes": {"Uid": EXPLICIT}},
        {"MetricsEnabled": "yes"},
    ],
)
def test_a_bad_value_in_the_configuration_stops_start_up(options: dict[str, Any]) -> None:
    with pytest.raises(ConfigError, match=next(iter(options))):
        parse_config(str(options).replace("'", '"'))


def test_a_change_reaches_other_processes_within_the_staleness_bound(client: Any) -> None:
    """Another Lambda container (its own cache over the same table) sees a change once its
    cache is ``MAX_AGE`` old, and not before."""
    now = [0.0]
    store = SettingsStore(aws.client("dynamodb"), table_name("remotes"))
    other = RuntimeSettings(store, defaults(Config()), clock=lambda: now[0])
    assert other.get("DefaultEncoding") == "Latin1"
    _put(client, "/tools/default-encoding", "Cyrillic")
    assert _text(client, "/tools/default-encoding") == "Cyrillic"  # the writer, at once
    now[0] = MAX_AGE - 0.01
    assert other.get("DefaultEncoding") == "Latin1"
    now[0] = MAX_AGE
    assert other.get("DefaultEncoding") == "Cyrillic"
    # A new process (a cold start) reads the table, and the peers beside it are untouched.
    bootstrap.reset()
    assert _text(client, "/tools/default-encoding") == "Cyrillic"
    assert get(client, "/peers") == []


@pytest.fixture
def dynamodb_calls() -> Iterator[Counter[str]]:
    calls: Counter[str] = Counter()
    aws.client("dynamodb").meta.events.register(
        "before-call.dynamodb.*", lambda model, **_: calls.update([model.name])
    )
    yield calls


def test_reads_are_cached_and_writes_are_single_requests(
    client: Any, dynamodb_calls: Counter[str]
) -> None:
    _text(client, "/tools/metrics")
    assert dynamodb_calls == {"Query": 1}  # the first read of this process
    dynamodb_calls.clear()
    for path in ("/tools/metrics", "/tools/log-level", "/tools/accepted-transfer-syntaxes"):
        client.http.get(path)
    assert dynamodb_calls == {}
    _put(client, "/tools/unknown-sop-class-accepted", "1")
    assert dynamodb_calls == {"PutItem": 1}
    dynamodb_calls.clear()
    try:
        _put(client, "/tools/log-level", "verbose")  # the global bits and every category
        assert dynamodb_calls == {"TransactWriteItems": 1}
    finally:
        _put(client, "/tools/log-level", "default")


def test_a_refused_value_changes_nothing(client: Any) -> None:
    _put(client, "/tools/accepted-transfer-syntaxes", f'["{IMPLICIT}"]')
    assert client.http.put("/tools/accepted-transfer-syntaxes", body=EXPLICIT).status_code == 400
    assert client.http.put("/tools/default-encoding", body="ISO_IR 100").status_code == 400
    bootstrap.reset()  # what the table holds
    assert get(client, "/tools/accepted-transfer-syntaxes") == [IMPLICIT]
    assert _text(client, "/tools/default-encoding") == "Latin1"


def test_log_levels_reach_the_python_loggers_of_every_process(client: Any) -> None:
    http, storage = logging.getLogger("chalicelib.api"), logging.getLogger("chalicelib.storage")
    initial = (http.level, storage.level)
    try:
        _put(client, "/tools/log-level-http", "trace")
        assert (http.level, storage.level) == (logging.DEBUG, initial[1])
        assert http.isEnabledFor(logging.DEBUG) and not storage.isEnabledFor(logging.DEBUG)
        # Another container: its loggers at their start, its first invocation applies them.
        http.setLevel(initial[0])
        bootstrap.reset()
        client.http.get("/system")
        assert http.level == logging.DEBUG
        _put(client, "/tools/log-level", "verbose")
        assert (http.level, storage.level) == (logging.INFO, logging.INFO)
        _put(client, "/tools/log-level", "default")
        assert (http.level, storage.level) == initial
    finally:
        _put(client, "/tools/log-level", "default")


def test_metrics_count_the_archive_and_the_jobs(client: Any) -> None:
    for number in range(2):
        upload(client, make_instance("P", study_uid="1.2.3", instance_number=number))
    upload(client, make_instance("Q"))
    lines = _text(client, "/tools/metrics-prometheus").splitlines()
    values = {line.split(" ")[0]: line.split(" ")[1] for line in lines}
    assert values["orthanc_count_patients"] == "2"
    assert values["orthanc_count_studies"] == "2"
    assert values["orthanc_count_instances"] == "3"
    size = get(client, "/statistics")["TotalDiskSize"]
    assert float(values["orthanc_disk_size_mb"]) == pytest.approx(int(size) / 2**20)
    assert values["orthanc_jobs_running"] == values["orthanc_jobs_completed"] == "0"
    _put(client, "/tools/metrics", "false")
    assert _text(client, "/tools/metrics-prometheus") == ""


def _store(port: int, data: bytes, syntax: str) -> int | None:
    """The C-STORE status of ``data`` sent in ``syntax``; None when the context is refused."""
    dataset = pydicom.dcmread(io.BytesIO(data))
    ae = AE(ae_title="MODALITY")
    ae.add_requested_context(dataset.SOPClassUID, syntax)
    ae.add_requested_context(Verification)  # accepted whatever the settings
    assoc = ae.associate("127.0.0.1", port, ae_title="CIRRUS")
    assert assoc.is_established
    try:
        if dataset.SOPClassUID not in {cx.abstract_syntax for cx in assoc.accepted_contexts}:
            return None
        if syntax == IMPLICIT:
            dataset.file_meta.TransferSyntaxUID = IMPLICIT
            buffer = io.BytesIO()
            dataset.save_as(buffer, enforce_file_format=True)  # encoded as its meta says
            dataset = pydicom.dcmread(io.BytesIO(buffer.getvalue()))
        return int(assoc.send_c_store(dataset).Status)
    finally:
        assoc.release()


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_the_dicom_service_follows_the_settings(client: Any, configure: Any) -> None:
    configure(DicomAet="CIRRUS")
    ct = make_instance("SCP")
    unknown = make_instance("SCP", SOPClassUID=UNKNOWN_SOP_CLASS)
    with dicom_service() as port:
        assert _store(port, unknown, EXPLICIT) is None
        _put(client, "/tools/accepted-transfer-syntaxes", f'"{IMPLICIT}"')
        assert _store(port, ct, EXPLICIT) is None
        assert _store(port, ct, IMPLICIT) == 0
        _put(client, "/tools/unknown-sop-class-accepted", "1")
        assert _store(port, unknown, EXPLICIT) is None  # not an accepted syntax
        assert _store(port, unknown, IMPLICIT) == 0
    assert len(get(client, "/instances")) == 2
