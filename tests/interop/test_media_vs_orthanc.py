"""DICOMDIR media (GET|POST /{level}/{id}/media, /tools/create-media[-extended]) and archive
jobs: the same files uploaded to Cirrus and to a real Orthanc 1.10.1 give the same ZIP entries,
the same files, and the same DICOMDIR records (parsed with pydicom; the byte offsets and the
file-set's own UIDs may differ). The Asynchronous forms give jobs with Orthanc's type and
Content keys, whose /jobs/{id}/archive has the same entries."""

from __future__ import annotations

import json
import time
import zipfile
from io import BytesIO
from typing import Any

import pydicom
import pytest
from pydicom.uid import generate_uid

from tests.integration.helpers import body, sample_file, upload
from tests.support.dicom_factory import make_instance, to_file
from tests.support.orthanc_server import OrthancServer

ZIP = {"Accept": "application/zip"}
OFFSETS = (0x00041400, 0x00041420)
JPEG_BASELINE = "1.2.840.10008.1.2.4.50"  # 16-bit pixels cannot be: files stay as stored


def _files() -> list[bytes]:
    """Two studies of one patient (odd characters, a character set, a missing series
    number...), series uploaded in InstanceNumber order, and a pydicom sample."""
    study, other = generate_uid(), generate_uid()
    mr = generate_uid()
    patient = f"P{mr[-10:]}"
    tags = {
        "PatientName": "Doe^Jöhn*?",
        "SpecificCharacterSet": "ISO_IR 192",
        "StudyTime": "101010",
        "StudyDescription": "Brain",
        "AccessionNumber": "ACC",
        "StudyID": "S1",
    }
    files = [
        make_instance(patient, study, mr, instance_number=n, Modality="MR", SeriesNumber=4, **tags)
        for n in (1, 2)
    ]
    files.append(
        make_instance(patient, study, generate_uid(), SeriesDescription="Axial/T1", **tags)
    )
    files.append(make_instance(patient, other, generate_uid(), StudyDate="", StudyTime="1200"))
    return files


def _entries(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(BytesIO(data)) as archive:
        assert archive.testzip() is None
        return {info.filename: archive.read(info) for info in archive.infolist()}


def _records(dicomdir: bytes) -> list[dict[str, Any]]:
    """The DICOMDIR's records, offsets left out, and its file-set attributes."""
    ds = pydicom.dcmread(BytesIO(dicomdir))
    assert ds.file_meta.MediaStorageSOPClassUID == "1.2.840.10008.1.3.10"
    assert ds.FileSetID == "ORTHANC_MEDIA"
    return [
        {elem.keyword: str(elem.value) for elem in record if elem.tag not in OFFSETS}
        for record in ds.DirectoryRecordSequence
    ]


def _same_media(ours: bytes, theirs: bytes) -> None:
    mine, expected = _entries(ours), _entries(theirs)
    assert list(mine) == list(expected)
    assert list(mine)[-1] == "DICOMDIR"
    assert _records(mine.pop("DICOMDIR")) == _records(expected.pop("DICOMDIR"))
    assert mine == expected


def _both(client: Any, orthanc: OrthancServer, files: list[bytes]) -> list[dict[str, Any]]:
    for data in files:
        orthanc.upload(data)
    return [upload(client, data) for data in files]


@pytest.mark.parametrize("level", ["patients", "studies", "series"])
@pytest.mark.parametrize("query", ["", "?extended", "?extended=false"])
def test_get_media_matches_orthanc(
    client: Any, orthanc: OrthancServer, level: str, query: str
) -> None:
    ours = _both(client, orthanc, _files())
    key = {"patients": "ParentPatient", "studies": "ParentStudy", "series": "ParentSeries"}[level]
    path = f"/{level}/{ours[0][key]}/media{query}"
    answer, expected = client.http.get(path, headers=ZIP), orthanc.get(path)
    assert answer.status_code == expected.status_code == 200
    assert answer.headers["Content-Type"] == expected.headers["Content-Type"]
    assert answer.headers["Content-Disposition"] == expected.headers["Content-Disposition"]
    _same_media(answer.body, expected.content)


@pytest.mark.parametrize(
    ("route", "options"),
    [
        ("/patients/{patient}/media", {}),
        ("/patients/{patient}/media", {"Extended": True}),
        ("/tools/create-media", {"Resources": ["{patient}", "{instance}"]}),
        ("/tools/create-media", {"Resources": ["{instance}"], "Extended": True}),
        ("/tools/create-media-extended", {"Resources": ["{study}"]}),
        ("/tools/create-media-extended", {"Resources": ["{study}"], "Extended": False}),
        ("/tools/create-media", {"Resources": ["{study}"], "Transcode": "1.2.840.10008.1.2"}),
        ("/tools/create-media", {"Resources": ["{study}"], "Transcode": "1.2.840.10008.1.2.4.50"}),
    ],
)
def test_post_media_matches_orthanc(
    client: Any, orthanc: OrthancServer, route: str, options: dict[str, Any]
) -> None:
    ours = _both(client, orthanc, _files())
    ids = {
        "patient": ours[0]["ParentPatient"],
        "study": ours[0]["ParentStudy"],
        "instance": ours[3]["ID"],
    }
    path = route.format(**ids)
    request = json.loads(json.dumps(options))
    if "Resources" in request:
        request["Resources"] = [r.format(**ids) for r in request["Resources"]]
    answer = client.http.post(path, body=json.dumps(request), headers=ZIP)
    expected = orthanc.post(path, json=request)
    assert answer.status_code == expected.status_code == 200
    assert answer.headers["Content-Disposition"] == expected.headers["Content-Disposition"]
    if request.get("Transcode", JPEG_BASELINE) == JPEG_BASELINE:  # not transcoded
        _same_media(answer.body, expected.content)
    else:  # transcoded files differ in their bytes (implementation UIDs...), not their records
        mine, theirs = _entries(answer.body), _entries(expected.content)
        assert list(mine) == list(theirs)
        assert _records(mine["DICOMDIR"]) == _records(theirs["DICOMDIR"])


def test_rle_is_written_where_orthanc_keeps_the_file(client: Any) -> None:
    """Orthanc 1.10.1 has no RLE encoder and keeps the files; Cirrus writes RLE (pydicom),
    and the records name the syntax of the files written."""
    data = sample_file("CT_small.dcm")
    study = upload(client, data)["ParentStudy"]
    request = {"Resources": [study], "Transcode": "1.2.840.10008.1.2.5"}
    answer = client.http.post("/tools/create-media", body=json.dumps(request), headers=ZIP)
    files = _entries(answer.body)
    written = pydicom.dcmread(BytesIO(files["IMAGES/IM0"]))
    assert written.file_meta.TransferSyntaxUID == "1.2.840.10008.1.2.5"
    original = pydicom.dcmread(BytesIO(data))
    assert (written.pixel_array == original.pixel_array).all()
    image = _records(files["DICOMDIR"])[-1]
    assert image["ReferencedTransferSyntaxUIDInFile"] == "1.2.840.10008.1.2.5"


def test_pydicom_samples_media_matches_orthanc(client: Any, orthanc: OrthancServer) -> None:
    files = [sample_file(name) for name in ("CT_small.dcm", "MR_small.dcm", "rtplan.dcm")]
    ours = _both(client, orthanc, files)
    request = {"Resources": [answer["ID"] for answer in ours]}
    answer = client.http.post("/tools/create-media", body=json.dumps(request), headers=ZIP)
    _same_media(answer.body, orthanc.post("/tools/create-media", json=request).content)


def test_missing_study_date_and_time_are_the_current_time(
    client: Any, orthanc: OrthancServer
) -> None:
    """Orthanc falls back to the current UTC date and time; compared apart from the time."""
    dataset = pydicom.dcmread(BytesIO(make_instance("NOW")))
    del dataset.StudyDate
    data = to_file(dataset)
    series = _both(client, orthanc, [data])[0]["ParentSeries"]
    path = f"/series/{series}/media"
    mine = _records(_entries(client.http.get(path, headers=ZIP).body)["DICOMDIR"])
    theirs = _records(_entries(orthanc.get(path).content)["DICOMDIR"])
    for records in (mine, theirs):
        study = records[1]
        assert study["DirectoryRecordType"] == "STUDY"
        assert len(study.pop("StudyTime")) == len("HHMMSS.000000")
        assert study.pop("StudyDate") == time.strftime("%Y%m%d", time.gmtime())
    assert mine == theirs


CONTENT_KEYS = {
    "ArchiveSize",
    "ArchiveSizeMB",
    "Description",
    "InstancesCount",
    "UncompressedSize",
    "UncompressedSizeMB",
}


@pytest.mark.parametrize(
    ("route", "options", "kind"),
    [
        ("/tools/create-archive", {"Resources": ["{study}"], "Asynchronous": True}, "Archive"),
        ("/tools/create-media", {"Resources": ["{study}"], "Synchronous": False}, "Media"),
        ("/studies/{study}/archive", {"Asynchronous": True, "Priority": 3}, "Archive"),
        (
            "/studies/{study}/media",
            {"Asynchronous": True, "Transcode": "1.2.840.10008.1.2", "UserData": {"a": 1}},
            "Media",
        ),
    ],
)
def test_asynchronous_jobs_match_orthanc(
    client: Any,
    job_runner: Any,
    orthanc: OrthancServer,
    route: str,
    options: dict[str, Any],
    kind: str,
) -> None:
    ours = _both(client, orthanc, _files())
    study = ours[0]["ParentStudy"]
    request = {**options}
    if "Resources" in request:
        request["Resources"] = [study]
    path = route.format(study=study)
    submitted = body(client.http.post(path, body=json.dumps(request)))
    theirs = orthanc.post(path, json=request).json()
    assert set(submitted) == set(theirs) == {"ID", "Path"}
    assert submitted["Path"] == f"/jobs/{submitted['ID']}"
    mine_job = _finished(lambda: body(client.http.get(submitted["Path"])))
    their_job = _finished(lambda: orthanc.get_json(theirs["Path"]))
    assert set(mine_job) == set(their_job)
    for key in ("Type", "State", "Progress", "Priority", "ErrorCode", "ErrorDetails"):
        assert mine_job[key] == their_job[key], key
    assert mine_job["Type"] == kind
    assert mine_job.get("UserData") == their_job.get("UserData")
    mine_content, their_content = mine_job["Content"], their_job["Content"]
    assert set(mine_content) == set(their_content) >= CONTENT_KEYS
    for key in ("Description", "InstancesCount", "UncompressedSize", "Transcode"):
        assert mine_content.get(key) == their_content.get(key), key
    output = client.http.get(f"{submitted['Path']}/archive", headers=ZIP)
    expected = orthanc.get(f"{theirs['Path']}/archive")
    assert output.status_code == expected.status_code == 200
    assert output.headers["Content-Type"] == expected.headers["Content-Type"]
    assert output.headers["Content-Disposition"] == expected.headers["Content-Disposition"]
    assert mine_content["ArchiveSize"] == str(len(output.body))
    assert list(_entries(output.body)) == list(_entries(expected.content))


def _finished(read: Any) -> dict[str, Any]:
    deadline = time.monotonic() + 20
    while True:
        job = read()
        if job["State"] in ("Success", "Failure") or time.monotonic() > deadline:
            return job
        time.sleep(0.1)


@pytest.mark.parametrize("key", ["archive", "other"])
def test_outputs_of_unknown_jobs_match_orthanc(
    client: Any, orthanc: OrthancServer, key: str
) -> None:
    answer = client.http.get(f"/jobs/nope/{key}")
    expected = orthanc.get(f"/jobs/nope/{key}")
    assert answer.status_code == expected.status_code == 404
    mine, theirs = body(answer), expected.json()
    for field in ("OrthancStatus", "Message", "Details"):
        assert mine[field] == theirs[field]


def test_only_the_newest_outputs_are_kept_as_in_orthanc(
    client: Any, job_runner: Any, orthanc: OrthancServer
) -> None:
    """MediaArchiveSize (1 by default): a finished archive or media job's output goes once a
    newer one is written."""
    study = _both(client, orthanc, _files())[0]["ParentStudy"]
    mine, theirs = [], []
    for route in ("archive", "media", "archive"):
        path = f"/studies/{study}/{route}"
        submitted = body(client.http.post(path, body=json.dumps({"Asynchronous": True})))
        _finished(lambda s=submitted: body(client.http.get(s["Path"])))
        mine.append(submitted["Path"])
        their_job = orthanc.post(path, json={"Asynchronous": True}).json()
        _finished(lambda j=their_job: orthanc.get_json(j["Path"]))
        theirs.append(their_job["Path"])
    mine_statuses = [client.http.get(f"{job}/archive").status_code for job in mine]
    their_statuses = [orthanc.get(f"{job}/archive").status_code for job in theirs]
    assert mine_statuses == their_statuses == [404, 404, 200]
