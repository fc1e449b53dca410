"""Every AWS call a function's code makes is allowed by that function's role in the
synthesized template (the DICOM service's: its task role), and every data grant of a role is
used by some call.

moto does not enforce IAM: without this check a handler calling what its role does not allow
(the index stream's UpdateItem on the index table) passes every local test and fails on AWS.

The calls come from a representative run of the app, made here, in this module, against moto
(tests/support/aws_calls.py records them): ingest through the API and through a presigned
upload, browsing and every kind of find, metadata, attachments, labels, protection, peers and
DICOMweb servers with passwords (STOW-RS and WADO-RS jobs, proxies), modalities (Cirrus's own
DICOM service playing the modality: C-ECHO, C-FIND, C-MOVE, C-STORE, storage commitment),
settings, jobs run by the job runner, the changes feed, the stability check, deletions, the
orphan sweep. Running the scenarios here rather than recording the whole suite keeps the
check deterministic: under pytest-xdist (``--dist loadfile``) each worker sees only some test
files, and a selection (``-k``, one file) would make grants look unused; a module runs whole
on one worker. Only Allow statements are read (the roles have no
Deny or condition).
"""

from __future__ import annotations

import base64
import fnmatch
import gzip
import json
import os
import time
from typing import Any
from unittest import mock

import pytest
import requests

from tests.infra.conftest import Synthesized
from tests.support.aws_calls import DICOM_SERVICE, Call, Recorder, recording, running
from tests.support.fake_dicomweb import Canned
from tests.support.fake_peer import FakePeer
from tests.support.fake_stow import FakeStowServer

# Service prefixes whose grants serve the code's calls (the others are used by Lambda itself).
DATA_SERVICES = ("dynamodb:", "s3:", "states:", "secretsmanager:")
# The password the peers of the run require (one written through the API, one of the
# configuration file completed by the configuration secret).
PEER_PASSWORD = "peer-password"
# Grants no call of this run makes, each with the reason it stays: (function, action pattern,
# resource pattern of the template, spelled as tests/support/aws_calls.py does).
NOT_CALLED: dict[tuple[str, str, str], str] = {
    **{
        ("IndexStream", action, resource): (
            "Lambda's event source mapping reads the index stream with the function's role."
        )
        for action, resource in (
            ("dynamodb:DescribeStream", "dynamodb:table/index/stream"),
            ("dynamodb:GetRecords", "dynamodb:table/index/stream"),
            ("dynamodb:GetShardIterator", "dynamodb:table/index/stream"),
            ("dynamodb:ListStreams", "*"),
        )
    },
    ("APIHandler", "dynamodb:ConditionCheckItem", "dynamodb:table/index"): (
        "Reconstructing tags when an ancestor takes its values from an instance that is not "
        "rewritten in the same transaction (ResourceIndex.rewrite_tags guards that source)."
    ),
    ("APIHandler", "dynamodb:UpdateItem", "dynamodb:table/jobs"): (
        "Pausing, resuming, cancelling or resubmitting a job (POST /jobs/{id}/...): the "
        "running job of this run finishes before a request could reach it."
    ),
    **{
        (function, "s3:AbortMultipartUpload", "s3:dicom/*"): (
            "A streamed write (large answers, archives) that fails aborts its upload."
        )
        for function in ("APIHandler", "JobStep")
    },
}
# Other services of the roles, not called by the code: why each is there.
PLATFORM_GRANTS = {
    "logs:": "Lambda writes the function's logs with its role.",
    "xray:": "Active tracing: Lambda and the X-Ray SDK send segments with the role.",
    "ec2:": "Lambda creates the network interfaces of functions in the VPC with the role.",
    "sqs:": "Lambda sends failed events to the dead-letter queue with the role.",
    "kms:": "DynamoDB and S3 use the data key on behalf of the caller (customer-managed key).",
}
# The Lambda functions (Chalice's logical names), and with them the DICOM service's task.
FUNCTIONS = (
    "APIHandler",
    "IndexStream",
    "UploadReceived",
    "StabilityCheck",
    "JobStep",
    "OrphanSweeper",
)
PRINCIPALS = (*FUNCTIONS, DICOM_SERVICE)
SAMPLES = ("CT_small.dcm", "MR_small.dcm", "rtplan.dcm")


# -- the run -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> Recorder:
    """The calls of one run of the scenarios below, by function."""
    from chalicelib import bootstrap
    from chalicelib.jobs.state_machine import find_state_machine
    from chalicelib.storage import aws as aws_clients
    from tests.conftest import chalice_client, moto_storage
    from tests.support.orthanc_server import free_port

    config = tmp_path_factory.mktemp("iam") / "cirrus.json"
    port = free_port()
    peer = FakePeer(credentials=("bob", PEER_PASSWORD))
    dicomweb = FakeStowServer()
    options = {
        "StableAge": 1,
        "LargeObjectThreshold": 100_000,
        "LogExportedResources": True,
        "DicomPort": port,
        "DicomModalities": {"self": ["CIRRUS", "127.0.0.1", port]},
        # Its password is in the configuration secret.
        "OrthancPeers": {"configured": [peer.url, "bob", ""]},
        "DicomWeb": {"Servers": {"configured": {"Url": dicomweb.url, "Username": "bob"}}},
    }
    config.write_text(json.dumps(options))
    try:
        # The environment restored after.
        with moto_storage(), mock.patch.dict(os.environ), peer, dicomweb:
            # As on AWS: the state machine's ARN is configured, not looked up by name.
            os.environ["CIRRUS_JOBS_STATE_MACHINE"] = find_state_machine(
                aws_clients.client("stepfunctions")
            )
            os.environ["CIRRUS_CONFIG"] = str(config)
            configured = {"configured": {"Password": PEER_PASSWORD}}
            secrets = {"OrthancPeers": configured, "DicomWeb": {"Servers": configured}}
            created = aws_clients.client("secretsmanager").create_secret(
                Name="configuration", SecretString=_json(secrets)
            )
            os.environ["CIRRUS_CONFIG_SECRET"] = created["ARN"]
            with recording() as recorder, chalice_client() as client:
                _run_scenarios(client.http, port, peer, dicomweb)
    finally:
        bootstrap.reset()
    return recorder


def _ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, (response.status_code, response.body)
    if "json" in response.headers.get("Content-Type", ""):
        return json.loads(response.body)
    return response.body


def _json(value: Any) -> str:
    return json.dumps(value)


def _run_scenarios(http: Any, port: int, peer: FakePeer, dicomweb: FakeStowServer) -> None:
    import app
    from chalicelib.jobs.state_machine import LOCAL_STEP_ARN
    from chalicelib.storage import aws as aws_clients
    from chalicelib.storage.schema import bucket_name
    from local_stack.feed import index_stream_pump, upload_poller
    from local_stack.job_runner import JobRunner, LocalContext
    from scp_container.service import start
    from tests.integration.helpers import sample_file, wait_job
    from tests.support.dicom_factory import make_instance

    feed = index_stream_pump(start="TRIM_HORIZON")
    runner = JobRunner(
        aws_clients.client("stepfunctions"),
        {LOCAL_STEP_ARN: lambda event: app.job_step(event, LocalContext())},
        poll_seconds=0.05,
    )
    runner.start()
    try:
        # Ingest, twice (the second is a no-op on existing resources), and the changes log.
        ids = [_ok(http.post("/instances", body=sample_file(n))) for n in SAMPLES]
        _ok(http.post("/instances", body=sample_file(SAMPLES[0])))
        feed.pump()
        _ok(
            http.post(
                "/instances",
                body=gzip.compress(sample_file(SAMPLES[1])),
                headers={"Content-Encoding": "gzip"},
            )
        )
        feed.pump()
        _ok(http.get("/changes?limit=100"))
        _ok(http.get("/exports"))
        # Browsing and finding (every index of the table).
        ct = ids[0]
        for path in (
            "/patients?expand",
            "/studies",
            "/series?expand&limit=2&since=0",
            "/instances",
            f"/instances/{ct['ID']}/simplified-tags",
            f"/instances/{ct['ID']}/file",
            f"/studies/{ct['ParentStudy']}/instances",
            f"/series/{ct['ParentSeries']}/shared-tags",
            f"/instances/{ct['ID']}/metadata?expand",
            "/statistics",
            "/system",
            f"/patients/{ct['ParentPatient']}/statistics",
        ):
            _ok(http.get(path))
        for query in (
            {"PatientID": "*"},
            {"StudyInstanceUID": "1.3.6.1.4.1.5962.1.2.1.20040119072730.12322"},
            {"AccessionNumber": "1*"},
            {"StudyDate": "20000101-"},
        ):
            _ok(http.post("/tools/find", body=_json({"Level": "Study", "Query": query})))
        _ok(http.post("/tools/lookup", body=ct["ID"]))
        # Metadata, attachments, labels, protection, settings.
        _ok(http.put(f"/instances/{ct['ID']}/metadata/1024", body="value"))
        _ok(http.delete(f"/instances/{ct['ID']}/metadata/1024"))
        _ok(http.put(f"/instances/{ct['ID']}/attachments/1025", body="attached"))
        _ok(http.get(f"/instances/{ct['ID']}/attachments/1025/data"))
        _ok(http.delete(f"/instances/{ct['ID']}/attachments/1025"))
        _ok(http.put(f"/studies/{ct['ParentStudy']}/labels/reviewed", body=""))
        _ok(http.get("/tools/labels"))
        _ok(
            http.post(
                "/tools/find",
                body=_json(
                    {
                        "Level": "Study",
                        "Query": {},
                        "Labels": ["reviewed"],
                        "LabelsConstraint": "All",
                    }
                ),
            )
        )
        _ok(http.delete(f"/studies/{ct['ParentStudy']}/labels/reviewed"))
        _ok(http.put(f"/patients/{ct['ParentPatient']}/protected", body="1"))
        _ok(http.put(f"/patients/{ct['ParentPatient']}/protected", body="0"))
        _ok(http.put("/tools/log-level", body="verbose"))
        _ok(http.put("/tools/log-level", body="default"))
        # Peers and modalities (Cirrus's own DICOM service is the modality): echo, C-FIND
        # kept in the queries table, storage commitment, sending as jobs.
        with running(DICOM_SERVICE):
            server = start("127.0.0.1", port, block=False)
        try:
            _dicom_scenarios(http, port, ct, peer)
        finally:
            server.shutdown()
        _dicomweb_scenarios(http, ct, dicomweb)
        _ok(http.put("/modalities/other", body=_json(["OTHER", "127.0.0.1", 1])))
        # A commitment the modality cannot receive is forgotten.
        refused = {"Resources": [ct["ID"]]}
        failed = http.post("/modalities/other/storage-commitment", body=_json(refused))
        assert failed.status_code >= 400, failed.body
        _ok(http.delete("/modalities/other"))
        # Jobs: a modification and an archive, run by the job runner.
        for path, request in (
            (
                f"/studies/{ct['ParentStudy']}/modify",
                {"Replace": {"StudyDescription": "changed"}, "Asynchronous": True, "Force": True},
            ),
            (f"/studies/{ct['ParentStudy']}/archive", {"Asynchronous": True}),
            (f"/studies/{ct['ParentStudy']}/anonymize", {"Asynchronous": True}),
        ):
            job = _ok(http.post(path, body=_json(request)))
            assert wait_job(_Client(http), job["ID"])["State"] == "Success"
            _ok(http.get(f"/jobs/{job['ID']}"))
        _ok(http.get("/jobs?expand"))
        _ok(http.post(f"/studies/{ct['ParentStudy']}/reconstruct", body="{}"))
        # A modification replacing its source, which has a label (copied, then deleted).
        mr = ids[1]
        _ok(http.put(f"/studies/{mr['ParentStudy']}/labels/moved", body=""))
        replace = {"Replace": {"StudyDescription": "moved"}, "KeepSource": False}
        _ok(http.post(f"/studies/{mr['ParentStudy']}/modify", body=_json(replace)))
        feed.pump()
        # A presigned upload, ingested by the S3 event's function.
        created = _ok(http.post("/cirrus/uploads", body=_json({"Size": 1000})))
        requests.put(created["Url"], data=make_instance("UPLOADED"), timeout=10)
        upload_poller(aws_clients.client("s3"), bucket_name("dicom"), app.upload_received)()
        _ok(http.get(created["Path"]))
        data = make_instance("MULTIPART")
        request = {"Size": len(data), "Multipart": True}
        created = _ok(http.post("/cirrus/uploads", body=_json(request)))
        requests.put(created["Parts"][0]["Url"], data=data, timeout=10)
        _ok(http.post(created["Complete"], body=""))
        upload_poller(aws_clients.client("s3"), bucket_name("dicom"), app.upload_received)()
        # Stable resources, then deletions.
        time.sleep(1.1)
        app.stability_check(_scheduled_event("stability_check"), None)
        feed.pump()
        # DICOMweb metadata, from the document StableSeries wrote.
        study_uid = _ok(http.get(f"/studies/{ct['ParentStudy']}"))["MainDicomTags"]
        _ok(http.get(f"/dicom-web/studies/{study_uid['StudyInstanceUID']}/metadata"))
        _ok(http.delete(f"/instances/{ids[2]['ID']}"))
        _ok(http.delete(f"/patients/{ct['ParentPatient']}"))
        feed.pump()
        _ok(http.get("/exports"))
        _ok(http.delete("/exports"))
        _ok(http.delete("/changes"))
        _sweep_an_orphan(ids[1]["ID"])
    finally:
        runner.stop()
        runner.wait_idle(10)


def _dicom_scenarios(http: Any, port: int, ct: dict[str, str], peer: FakePeer) -> None:
    """Cirrus's own DICOM service as the modality: echo, C-FIND kept in the queries table,
    C-MOVE, C-STORE (with storage commitment), and peers requiring a password, written
    through the API (its secret created, updated, read by the API and the job steps,
    deleted) and of the configuration (the configuration secret read by both); a new
    instance stored by a modality."""
    from tests.support.dicom_factory import make_instance

    _c_store(port, make_instance("FROM-MODALITY"))
    defined = {"Url": peer.url, "Username": "bob", "Password": PEER_PASSWORD}
    _ok(http.put("/peers/fake", body=_json(defined)))
    _ok(http.get("/peers/fake/system"))
    _ok(http.get("/peers?expand"))
    _ok(http.get("/modalities?expand"))
    _ok(http.post("/modalities/self/echo", body="{}"))
    found = _ok(
        http.post(
            "/modalities/self/query",
            body=_json({"Level": "Study", "Query": {"PatientID": ""}}),
        )
    )
    _ok(http.get(f"/queries/{found['ID']}/answers?expand"))
    retrieve = {"TargetAet": "CIRRUS", "Synchronous": True}
    _ok(http.post(f"/queries/{found['ID']}/answers/0/retrieve", body=_json(retrieve)))
    _ok(http.delete(f"/queries/{found['ID']}"))
    sent = {"Resources": [ct["ID"]], "Synchronous": True}
    _ok(http.post("/modalities/self/store", body=_json(sent)))
    committed = {**sent, "StorageCommitment": True}
    _ok(http.post("/modalities/self/store", body=_json(committed)))
    _ok(http.post("/peers/fake/store", body=_json(sent)))
    _ok(http.put("/peers/fake", body=_json(defined)))  # its secret exists: updated
    _ok(http.get("/peers/configured/system"))
    _ok(http.post("/peers/configured/store", body=_json(sent)))
    commitment = _ok(
        http.post(
            "/modalities/self/storage-commitment",
            body=_json({"Resources": [ct["ID"]]}),
        )
    )
    _ok(http.get(f"/storage-commitment/{commitment['ID']}"))
    _ok(http.delete("/peers/fake"))


def _dicomweb_scenarios(http: Any, ct: dict[str, str], remote: FakeStowServer) -> None:
    """DICOMweb servers requiring a password, written through the API (its secret created,
    updated, read by the API's proxies and by the job steps, deleted) and of the
    configuration (the configuration secret read by both): STOW-RS as a job, synchronous and
    not, the three proxies, and a WADO-RS retrieval as a job, storing a new instance."""
    from chalicelib.dicom.multipart_related import PartToSend, related_chunks
    from tests.integration.helpers import wait_job
    from tests.support.dicom_factory import make_instance

    defined = {"Url": remote.url, "Username": "bob", "Password": PEER_PASSWORD}
    _ok(http.put("/dicom-web/servers/fake", body=_json(defined)))
    _ok(http.get("/dicom-web/servers?expand"))
    _ok(http.get("/dicom-web/servers/configured"))
    sent = {"Resources": [ct["ID"]], "Synchronous": True}
    _ok(http.post("/dicom-web/servers/fake/stow", body=_json(sent)))
    queued = {"Resources": [ct["ID"]], "Asynchronous": True}
    job = _ok(http.post("/dicom-web/servers/configured/stow", body=_json(queued)))
    assert wait_job(_Client(http), job["ID"])["State"] == "Success"
    for route, request in (
        ("qido", {"Uri": "/studies"}),
        ("get", {"Uri": "/studies"}),
        ("post", {"Uri": "/workitems", "Body": "{}"}),
    ):
        _ok(http.post(f"/dicom-web/servers/fake/{route}", body=_json(request)))
    _ok(http.put("/dicom-web/servers/fake", body=_json(defined)))  # its secret exists: updated
    study = "1.2.826.0.1.3680043.97.1"
    series, sop = f"{study}.1", f"{study}.1.1"
    boundary = "iam"
    parts = [PartToSend("application/dicom", make_instance("FROM-DICOMWEB", study, series, sop))]
    remote.answers[f"/dicom-web/studies/{study}/series/{series}/instances/{sop}"] = Canned(
        content_type=f'multipart/related; type="application/dicom"; boundary={boundary}',
        body=b"".join(related_chunks(parts, boundary)),
    )
    wanted = {"Resources": [{"Study": study, "Series": series, "Instance": sop}]}
    retrieved = _ok(http.post("/dicom-web/servers/configured/retrieve", body=_json(wanted)))
    assert retrieved["ReceivedInstancesCount"] == "1", retrieved
    _ok(http.delete("/dicom-web/servers/fake"))
    # Both stows arrived, and every request carried the password of a secret.
    assert len(remote.stow_parts) == 2
    credentials = base64.b64encode(f"bob:{PEER_PASSWORD}".encode()).decode()
    assert {r.headers.get("authorization") for r in remote.requests} == {f"Basic {credentials}"}


def _c_store(port: int, data: bytes) -> None:
    """A known modality sends ``data`` to the DICOM service."""
    import io

    import pydicom
    from pynetdicom import AE
    from pynetdicom.sop_class import CTImageStorage  # type: ignore[attr-defined]

    ae = AE("CIRRUS")  # the modality "self" of the configuration
    ae.add_requested_context(CTImageStorage, pydicom.uid.ExplicitVRLittleEndian)
    ae.add_requested_context(CTImageStorage, pydicom.uid.ImplicitVRLittleEndian)
    association = ae.associate("127.0.0.1", port, ae_title="CIRRUS")
    assert association.is_established
    try:
        status = association.send_c_store(pydicom.dcmread(io.BytesIO(data)))
        assert status.Status == 0x0000, status
    finally:
        association.release()


class _Client:
    """The shape tests.integration.helpers expect (``client.http``)."""

    def __init__(self, http: Any) -> None:
        self.http = http


def _sweep_an_orphan(instance_id: str) -> None:
    """An object left by a crashed upload of a stored instance (its record names another
    file), swept once older than the grace period."""
    from datetime import UTC, datetime, timedelta

    import app
    from chalicelib import bootstrap
    from chalicelib.services.resources.sweeper import GRACE_PERIOD
    from chalicelib.storage import aws as aws_clients
    from chalicelib.storage.blobs import blob_key
    from chalicelib.storage.schema import bucket_name

    s3, bucket = aws_clients.client("s3"), bucket_name("dicom")
    orphan = blob_key(instance_id, "crashed-upload")
    s3.put_object(Bucket=bucket, Key=orphan, Body=b"DICM")
    later = datetime.now(UTC) + GRACE_PERIOD + timedelta(minutes=1)
    with mock.patch.object(bootstrap.orphan_sweeper(), "clock", lambda: later):
        app.orphan_sweeper(_scheduled_event("orphan_sweeper"), None)
    assert "Contents" not in s3.list_objects_v2(Bucket=bucket, Prefix=orphan)


def _scheduled_event(rule: str) -> dict[str, Any]:
    """EventBridge's event of the schedule rule of the handler named ``rule``."""
    return {
        "version": "0",
        "id": "scheduled",
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": "000000000000",
        "time": "2026-01-01T00:00:00Z",
        "region": "us-east-1",
        "resources": [f"arn:aws:events:us-east-1:000000000000:rule/{rule}"],
        "detail": {},
    }


# -- the roles ---------------------------------------------------------------------------------


class Roles:
    """The Allow statements of each function's role, resources spelled as the recorder
    spells them (tables, indexes, streams, the bucket and the state machine by name)."""

    def __init__(self, synthesized: Synthesized) -> None:
        stack = synthesized.stack
        self._symbols: dict[str, str] = {}
        for name, table in stack.storage.tables.items():
            self._symbol(stack, table.table_arn, f"dynamodb:table/{name}")
            self._symbol(stack, table.table_stream_arn, f"dynamodb:table/{name}/stream")
        for name, bucket in stack.storage.buckets.items():
            self._symbol(stack, bucket.bucket_arn, f"s3:{name}")
        self._symbol(stack, stack.functions.state_machine_arn, "states:stateMachine/jobs")
        functions = stack.functions
        self._symbol(stack, functions.peer_secrets_arn, "secretsmanager:secret/remotes/*")
        self._symbol(
            stack,
            functions.configuration_secret.secret_arn,
            "secretsmanager:secret/configuration",
        )
        resources = synthesized.template["Resources"]
        policies = [r for r in resources.values() if r["Type"] == "AWS::IAM::Policy"]
        self.statements: dict[str, list[tuple[list[str], list[str]]]] = {}
        roles = {f: resources[f]["Properties"]["Role"]["Fn::GetAtt"][0] for f in FUNCTIONS}
        roles[DICOM_SERVICE] = stack.get_logical_id(stack.scp.task_role.node.default_child)
        for function, role in roles.items():
            self.statements[function] = [
                (_list(s["Action"]), [self.resolve(r) for r in _list(s["Resource"])])
                for policy in policies
                if {"Ref": role} in policy["Properties"]["Roles"]
                for s in policy["Properties"]["PolicyDocument"]["Statement"]
                if s["Effect"] == "Allow"
            ]

    def _symbol(self, stack: Any, token: str, symbol: str) -> None:
        self._symbols[json.dumps(stack.resolve(token), sort_keys=True)] = symbol

    def resolve(self, value: Any) -> str:
        symbol = self._symbols.get(json.dumps(value, sort_keys=True))
        if symbol is not None:
            return symbol
        if isinstance(value, str):
            return value
        if isinstance(value, dict) and "Fn::Join" in value:
            separator, parts = value["Fn::Join"]
            return separator.join(self.resolve(part) for part in parts)
        return json.dumps(value)  # matches no recorded resource

    def allows(self, call: Call) -> bool:
        return any(
            _matches(call.action, actions, fold=True) and _matches(call.resource, resources)
            for actions, resources in self.statements[call.function]
        )


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _matches(value: str, patterns: list[str], fold: bool = False) -> bool:
    if fold:
        return any(fnmatch.fnmatch(value.lower(), p.lower()) for p in patterns)
    return any(fnmatch.fnmatchcase(value, p) for p in patterns)


@pytest.fixture(scope="module")
def roles(synthesized: Synthesized) -> Roles:
    return Roles(synthesized)


def test_every_function_was_exercised(recorded: Recorder) -> None:
    from infra.functions import ACCESS

    assert set(FUNCTIONS) == set(ACCESS)
    assert {call.function for call in recorded.calls} == set(PRINCIPALS)


@pytest.mark.parametrize("function", PRINCIPALS)
def test_every_call_is_allowed_by_the_role(recorded: Recorder, roles: Roles, function: str) -> None:
    denied = sorted(
        f"{c.action} on {c.resource}"
        for c in recorded.calls
        if c.function == function and not roles.allows(c)
    )
    assert denied == [], f"{function}'s role lacks: {denied}"


@pytest.mark.parametrize("function", PRINCIPALS)
def test_every_grant_is_used(recorded: Recorder, roles: Roles, function: str) -> None:
    calls = [c for c in recorded.calls if c.function == function]
    unused = []
    for actions, resources in roles.statements[function]:
        for action in actions:
            if not action.startswith(DATA_SERVICES):
                assert any(action.startswith(p) for p in PLATFORM_GRANTS), action
                continue
            for resource in resources:
                used = any(
                    _matches(c.action, [action], fold=True) and _matches(c.resource, [resource])
                    for c in calls
                )
                if not used and (function, action, resource) not in NOT_CALLED:
                    unused.append(f"{action} on {resource}")
    assert unused == [], f"{function}'s role grants what its code never uses: {sorted(unused)}"


def test_exceptions_are_still_granted(roles: Roles) -> None:
    """An exception of :data:`NOT_CALLED` whose grant is gone is removed too."""
    for function, action, resource in NOT_CALLED:
        granted = [
            (a, r)
            for actions, resources in roles.statements[function]
            for a in actions
            for r in resources
        ]
        assert (action, resource) in granted, (function, action, resource)
