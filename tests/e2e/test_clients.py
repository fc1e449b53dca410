"""Real clients against the running local stack: the Orthanc Book's curl recipes as printed
(only the host changed) and pyorthanc."""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from pydicom.data import get_testdata_file

from tests.e2e.stack import LocalStack
from tests.support.dicom_factory import make_instance

CT_SMALL = get_testdata_file("CT_small.dcm")
INSTANCE = "f689ddd2-662f8fe1-8b18180d-ec2a2cee-937917af"
PATIENT = "fa558bce-587a86d3-ad0da9b3-9d043d9d-4f5c5718"
STUDY = "8a8cf898-ca27c490-d0c7058c-929d0581-2bbf104d"
SERIES = "93034833-163e42c3-bc9a428b-194620cf-2c5799e5"


def curl(stack: LocalStack, command: str, cwd: Path) -> bytes:
    """Run a recipe of the Orthanc Book with ``http://localhost:8042`` pointed at the stack."""
    assert shutil.which("curl"), "curl is needed for the Orthanc Book recipes"
    command = command.replace("http://localhost:8042", stack.url)
    result = subprocess.run(
        ["bash", "-c", command], cwd=cwd, capture_output=True, timeout=60, check=True
    )
    return result.stdout


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    shutil.copy(CT_SMALL, tmp_path / "CT.X.1.2.276.0.7230010.dcm")
    (tmp_path / "multiple-files.zip").write_bytes(_zip_of_two())
    return tmp_path


def _zip_of_two() -> bytes:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("a.dcm", make_instance("ZIPPED", "1.2.826.0.9.1", "1.2.826.0.9.2"))
        archive.writestr("b.dcm", make_instance("ZIPPED", "1.2.826.0.9.1", "1.2.826.0.9.3"))
    return buffer.getvalue()


def test_book_recipes_for_upload_browse_download_delete(stack: LocalStack, workdir: Path):
    # "Sending DICOM images"
    sent = json.loads(
        curl(
            stack,
            "curl -X POST http://localhost:8042/instances --data-binary @CT.X.1.2.276.0.7230010.dcm",  # noqa: E501 (verbatim)
            workdir,
        )
    )
    assert sent["ID"] == INSTANCE and sent["Status"] in ("Success", "AlreadyStored")
    zipped = json.loads(
        curl(
            stack,
            "curl -X POST http://localhost:8042/instances --data-binary @multiple-files.zip",
            workdir,
        )
    )
    assert [z["Status"] for z in zipped] in (["Success"] * 2, ["AlreadyStored"] * 2)
    again = json.loads(
        curl(
            stack,
            'curl -X POST -H "Expect:" http://localhost:8042/instances --data-binary @CT.X.1.2.276.0.7230010.dcm',  # noqa: E501 (verbatim)
            workdir,
        )
    )
    assert again["Status"] == "AlreadyStored"
    # "Accessing the content of Orthanc"
    for collection in ("patients", "studies", "series", "instances"):
        listed = json.loads(curl(stack, f"curl http://localhost:8042/{collection}", workdir))
        assert isinstance(listed, list) and listed
    patient = json.loads(curl(stack, f"curl http://localhost:8042/patients/{PATIENT}", workdir))
    assert patient["Studies"] == [STUDY]
    study = json.loads(curl(stack, f"curl http://localhost:8042/studies/{STUDY}", workdir))
    assert study["Series"] == [SERIES]
    series = json.loads(curl(stack, f"curl http://localhost:8042/series/{SERIES}", workdir))
    assert series["Instances"] == [INSTANCE]
    instance = json.loads(curl(stack, f"curl http://localhost:8042/instances/{INSTANCE}", workdir))
    assert instance["FileSize"] == Path(CT_SMALL).stat().st_size
    curl(stack, f"curl http://localhost:8042/instances/{INSTANCE}/file > Instance.dcm", workdir)
    assert (workdir / "Instance.dcm").read_bytes() == Path(CT_SMALL).read_bytes()
    tags = json.loads(
        curl(stack, f"curl http://localhost:8042/instances/{INSTANCE}/simplified-tags", workdir)
    )
    assert tags["PatientName"] == "CompressedSamples^CT1"
    # "Deleting resources from Orthanc"
    deleted = json.loads(
        curl(stack, f"curl -X DELETE http://localhost:8042/patients/{PATIENT}", workdir)
    )
    assert deleted == {"RemainingAncestor": None}
    missing = subprocess.run(
        ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", f"{stack.url}/patients/{PATIENT}"],
        capture_output=True,
        check=True,
    )
    assert missing.stdout == b"404"


def test_pyorthanc_round_trip(stack: LocalStack) -> None:
    import pyorthanc

    client = pyorthanc.Orthanc(stack.url)
    data = make_instance("PYORTHANC", "1.2.826.0.8.1", "1.2.826.0.8.2", "1.2.826.0.8.3")
    answer = client.post_instances(data)
    assert answer["Status"] in ("Success", "AlreadyStored")
    assert answer["ParentPatient"] in client.get_patients()
    patient = pyorthanc.Patient(answer["ParentPatient"], client)
    assert patient.patient_id == "PYORTHANC"
    [study] = patient.studies
    [series] = study.series
    [instance] = series.instances
    assert instance.id_ == answer["ID"]
    assert client.get_instances_id_file(answer["ID"]) == data
    assert client.get_instances_id_simplified_tags(answer["ID"])["PatientID"] == "PYORTHANC"
    assert client.get_system()["DicomAet"]
    client.delete_patients_id(answer["ParentPatient"])
    assert answer["ParentPatient"] not in client.get_patients()


def test_book_recipes_for_find_changes_and_bulk_delete(stack: LocalStack, workdir: Path):
    first = json.loads(
        curl(
            stack,
            "curl -X POST http://localhost:8042/instances --data-binary @CT.X.1.2.276.0.7230010.dcm",  # noqa: E501 (verbatim)
            workdir,
        )
    )
    # "Performing Finds within Orthanc", with CT_small's values in place of the demo's
    found = json.loads(
        curl(
            stack,
            """curl --request POST --url http://localhost:8042/tools/find \\
    --data '{
              "Level" : "Instance",
              "Query" : {
                "Modality" : "CT",
                "StudyDate" : "20040119-",
                "PatientID" : "*"
              }
            }'""",
            workdir,
        )
    )
    assert first["ID"] in found
    expanded = json.loads(
        curl(
            stack,
            """curl -X POST http://localhost:8042/tools/find -d '
    {
      "Level": "Studies",
      "Expand": true,
      "Query": {
        "StudyDate": "20040119"
      },
      "RequestedTags": ["PatientName", "PatientID", "StudyDescription", "StudyDate", "StudyInstanceUID", "ModalitiesInStudy", "NumberOfStudyRelatedSeries"]
    }'""",  # noqa: E501 (verbatim)
            workdir,
        )
    )
    [study] = [s for s in expanded if s["ID"] == STUDY]
    assert study["RequestedTags"]["ModalitiesInStudy"] == "CT"
    assert study["RequestedTags"]["NumberOfStudyRelatedSeries"] == "1"
    # "Tracking changes": the stream consumer logs the upload within a moment.
    for _ in range(100):
        changes = json.loads(
            curl(stack, "curl 'http://localhost:8042/changes?limit=100&since=0'", workdir)
        )
        if any(c["ID"] == first["ID"] for c in changes["Changes"]):
            break
        time.sleep(0.1)
    assert {"ChangeType": "NewInstance", "ID": INSTANCE}.items() <= next(
        c for c in changes["Changes"] if c["ID"] == INSTANCE
    ).items()
    # "Deleting resources from Orthanc": bulk-delete of unrelated resources.
    other = make_instance("BULK", "1.2.826.0.7.1", "1.2.826.0.7.2", "1.2.826.0.7.3")
    (workdir / "other.dcm").write_bytes(other)
    second = json.loads(
        curl(
            stack, "curl -X POST http://localhost:8042/instances --data-binary @other.dcm", workdir
        )
    )
    curl(
        stack,
        "curl http://localhost:8042/tools/bulk-delete -d "
        f"""'{{"Resources":["{first["ParentPatient"]}","{second["ID"]}"]}}'""",
        workdir,
    )
    patients = json.loads(curl(stack, "curl http://localhost:8042/patients", workdir))
    assert first["ParentPatient"] not in patients and second["ParentPatient"] not in patients


def test_pyorthanc_find(stack: LocalStack) -> None:
    import pyorthanc

    client = pyorthanc.Orthanc(stack.url)
    answer = client.post_instances(
        make_instance(
            "PYFIND", "1.2.826.0.6.1", "1.2.826.0.6.2", "1.2.826.0.6.3", StudyDate="20240505"
        )
    )
    studies = pyorthanc.find_studies(
        client, query={"PatientID": "pyfind", "StudyDate": "20240101-"}
    )
    assert [s.id_ for s in studies] == [answer["ParentStudy"]]
    assert studies[0].patient_information["PatientID"] == "PYFIND"
    assert client.post_tools_find({"Level": "Series", "Query": {"PatientID": "PYFIND"}}) == [
        answer["ParentSeries"]
    ]
    client.delete_patients_id(answer["ParentPatient"])
