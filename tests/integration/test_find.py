"""/tools/find, /tools/count-resources and /tools/bulk-delete: what the differential tests
against Orthanc 1.10.1 cannot cover (options of later Orthanc releases, Cirrus's stricter
errors, the configured limits, and the AWS requests a search costs)."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import pytest

from tests.integration.helpers import assert_orthanc_error, aws_requests, body, get, upload
from tests.support.dicom_factory import make_instance

STUDY = "1.2.826.0.1.3680043.97"


def _post(client: Any, path: str, payload: Any, status: int = 200) -> Any:
    response = client.http.post(path, body=json.dumps(payload))
    assert response.status_code == status, response.body
    return body(response) if response.body else None


def _fill(client: Any) -> dict[str, Any]:
    """Two patients; the first has a study of two series (CT: 2 instances, MR: 1)."""
    answers = {}
    for number, (series, modality) in enumerate([(1, "CT"), (1, "CT"), (2, "MR")], start=1):
        answers[number] = upload(
            client,
            make_instance(
                "PAT1",
                study_uid=STUDY,
                series_uid=f"{STUDY}.{series}",
                sop_uid=f"{STUDY}.{series}.{number}",
                instance_number=number,
                Modality=modality,
                PatientName=f"Zed^{number}",
                SliceThickness=str(number),
            ),
        )
    answers[4] = upload(client, make_instance("PAT2", sop_uid="4.4.4", PatientName="Abel^A"))
    return answers


def test_requested_tags_with_computed_values(client: Any) -> None:
    answers = _fill(client)
    found = _post(
        client,
        "/tools/find",
        {
            "Level": "Study",
            "Query": {"PatientID": "PAT1"},
            "Expand": True,
            "RequestedTags": [
                "ModalitiesInStudy",
                "SOPClassesInStudy",
                "NumberOfStudyRelatedSeries",
                "NumberOfStudyRelatedInstances",
                "PatientID",
                "SliceThickness",
                "InstanceAvailability",
            ],
        },
    )
    assert [s["ID"] for s in found] == [answers[1]["ParentStudy"]]
    # A tag that is not a main tag comes from one instance of the study, as in Orthanc.
    assert found[0]["RequestedTags"].pop("SliceThickness") in {"1", "2", "3"}
    assert found[0]["RequestedTags"] == {
        "ModalitiesInStudy": "CT\\MR",
        "SOPClassesInStudy": "1.2.840.10008.5.1.4.1.1.2",
        "NumberOfStudyRelatedSeries": "2",
        "NumberOfStudyRelatedInstances": "3",
        "PatientID": "PAT1",
        "InstanceAvailability": "ONLINE",
    }
    patient = _post(
        client,
        "/tools/find",
        {
            "Level": "Patient",
            "Query": {"PatientID": "PAT1"},
            "Expand": True,
            "Short": True,
            "RequestedTags": ["NumberOfPatientRelatedStudies", "NumberOfPatientRelatedInstances"],
        },
    )
    assert patient[0]["RequestedTags"] == {"0020,1200": "1", "0020,1204": "3"}
    assert patient[0]["MainDicomTags"]["0010,0020"] == "PAT1"


def test_order_by_parent_and_response_content(client: Any) -> None:
    answers = _fill(client)
    ordered = _post(
        client,
        "/tools/find",
        {
            "Level": "Instance",
            "Query": {},
            "OrderBy": [{"Type": "DicomTag", "Key": "InstanceNumber", "Direction": "DESC"}],
            "ParentStudy": answers[1]["ParentStudy"],
        },
    )
    assert ordered == [answers[3]["ID"], answers[2]["ID"], answers[1]["ID"]]
    by_name = _post(
        client,
        "/tools/find",
        {
            "Level": "Patient",
            "Query": {},
            "OrderBy": [{"Type": "DicomTag", "Key": "PatientName", "Direction": "ASC"}],
            "Since": 1,
        },
    )
    assert by_name == [answers[1]["ParentPatient"]]  # "Abel^A" first, then "Zed^1"
    content = _post(
        client,
        "/tools/find",
        {
            "Level": "Series",
            "Query": {"Modality": "MR"},
            "ResponseContent": ["MainDicomTags", "Parent"],
        },
    )
    assert content == [
        {
            "ID": answers[3]["ParentSeries"],
            "Type": "Series",
            "ParentStudy": answers[3]["ParentStudy"],
            "MainDicomTags": get(client, f"/series/{answers[3]['ParentSeries']}")["MainDicomTags"],
        }
    ]


def test_parent_still_applies_when_an_identifier_gives_the_candidates(client: Any) -> None:
    """An identifier constraint picks the candidates from its index; the ``Parent*`` option
    must still exclude those below another resource."""
    answers = _fill(client)
    for parent, expected in (
        (answers[1]["ParentSeries"], [answers[1]["ID"]]),
        (answers[3]["ParentSeries"], []),
    ):
        body = {
            "Level": "Instance",
            "Query": {"SOPInstanceUID": f"{STUDY}.1.1"},
            "ParentSeries": parent,
        }
        assert _post(client, "/tools/find", body) == expected
    other_patient = {"Level": "Series", "Query": {"StudyInstanceUID": STUDY}}
    assert len(_post(client, "/tools/find", other_patient)) == 2
    other_patient["ParentPatient"] = answers[4]["ParentPatient"]
    assert _post(client, "/tools/find", other_patient) == []


def test_labels_match_nothing_until_labels_exist(client: Any) -> None:
    _fill(client)
    query = {"Level": "Patient", "Query": {}, "Labels": ["urgent"]}
    assert _post(client, "/tools/find", query) == []
    assert len(_post(client, "/tools/find", {**query, "LabelsConstraint": "None"})) == 2


def test_count_resources(client: Any) -> None:
    _fill(client)
    assert _post(client, "/tools/count-resources", {"Level": "Instance", "Query": {}}) == {
        "Count": 4
    }
    count = _post(
        client, "/tools/count-resources", {"Level": "Series", "Query": {"Modality": "CT"}}
    )
    assert count == {"Count": 2}


def test_configured_limits_cap_the_answers(client: Any, configure: Any) -> None:
    _fill(client)
    configure(LimitFindResults=1, LimitFindInstances=2)
    assert len(_post(client, "/tools/find", {"Level": "Patient", "Query": {}})) == 1
    assert len(_post(client, "/tools/find", {"Level": "Instance", "Query": {}})) == 2
    assert len(_post(client, "/tools/find", {"Level": "Instance", "Query": {}, "Limit": 1})) == 1


@pytest.mark.parametrize(
    ("payload", "status", "orthanc_status"),
    [
        ({"Level": "Study", "Query": {"NoSuchTag": "x"}}, 400, 27),  # Orthanc: 500
        ({"Level": "Study", "Query": ["PatientID"]}, 400, 8),  # Orthanc: 500
        ({"Level": "Study", "Query": {}, "Expand": "yes"}, 400, 8),  # Orthanc: 500
        ({"Level": "Study", "Query": {"StudyDate": "2018-2019-"}}, 400, 3),  # Orthanc: 200 []
        ({"Level": "Study", "Query": {"StudyDate": "-"}}, 400, 3),
        ({"Level": "Study", "Query": {}, "Since": -2}, 400, 3),
        (
            {"Level": "Study", "Query": {}, "OrderBy": [{"Key": "PatientName", "Direction": "UP"}]},
            400,
            3,
        ),
        ({"Level": "Study", "Query": {}, "ResponseContent": ["Everything"]}, 400, 3),
        ({"Level": "Study", "Query": {}, "ParentStudy": "not-an-id"}, 400, 8),
        ({"Level": "Study", "Query": {}, "LabelsConstraint": "Some"}, 400, 8),  # as 1.12
        ([], 400, 8),
    ],
)
def test_bad_find_bodies(client: Any, payload: Any, status: int, orthanc_status: int) -> None:
    response = client.http.post("/tools/find", body=json.dumps(payload))
    assert_orthanc_error(response, status, orthanc_status, "POST")


def test_body_that_is_not_json(client: Any) -> None:
    response = client.http.post("/tools/find", body=b"{not json")
    assert_orthanc_error(response, 400, 28, "POST")


def test_identifier_queries_cost_few_requests(client: Any) -> None:
    """Answered from the ByUid index: the requests do not grow with the archive."""
    from chalicelib.storage import aws

    for number in range(12):
        upload(client, make_instance(f"P{number}", sop_uid=f"7.7.{number}"))
    calls: Counter[str] = Counter()
    aws.client("dynamodb").meta.events.register(
        "before-call.dynamodb.*", lambda model, **_: calls.update([model.name])
    )
    found = _post(
        client, "/tools/find", {"Level": "Instance", "Query": {"SOPInstanceUID": "7.7.5"}}
    )
    assert len(found) == 1
    assert calls == {"Query": 1, "BatchGetItem": 1}
    calls.clear()
    found = _post(client, "/tools/find", {"Level": "Series", "Query": {"PatientID": "P5"}})
    assert len(found) == 1
    assert calls == {"Query": 3, "BatchGetItem": 1}  # patient -> its study -> its series


def test_a_page_of_studies_with_computed_tags_reads_each_study_once(client: Any) -> None:
    """The web console's study list: a page with Expand and the computed RequestedTags costs,
    beyond the search itself, a Query per study (its record and series links, for Series, the
    series count and ModalitiesInStudy) and per series (the instance count), and one
    BatchGetItem for all the series of the page, whatever its size."""
    from chalicelib.storage import aws

    for number in range(6):
        upload(client, make_instance(f"P{number}", Modality="MR" if number % 2 else "CT"))
    calls: Counter[str] = Counter()
    aws.client("dynamodb").meta.events.register(
        "before-call.dynamodb.*", lambda model, **_: calls.update([model.name])
    )
    search = {"Level": "Study", "Query": {}, "Limit": 5}
    assert len(_post(client, "/tools/find", search)) == 5
    searching = Counter(calls)
    calls.clear()
    tags = ["PatientName", "ModalitiesInStudy", "NumberOfStudyRelatedSeries"]
    tags.append("NumberOfStudyRelatedInstances")
    found = _post(client, "/tools/find", {**search, "Expand": True, "RequestedTags": tags})
    assert len(found) == 5
    assert {f["RequestedTags"]["ModalitiesInStudy"] for f in found} == {"CT", "MR"}
    assert {f["RequestedTags"]["NumberOfStudyRelatedInstances"] for f in found} == {"1"}
    calls.subtract(searching)
    assert +calls == {"Query": 5 + 5, "BatchGetItem": 1}


def test_the_whole_level_is_listed_and_counted_without_reading_records(client: Any) -> None:
    """No constraint, label, parent or order: a page is the level's listing (paged by
    counting whole shards) and the count counts the index, reading no record."""
    from chalicelib.storage import aws

    answers = [upload(client, make_instance(f"P{number}")) for number in range(7)]
    studies = sorted(answer["ParentStudy"] for answer in answers)
    calls: Counter[str] = Counter()
    aws.client("dynamodb").meta.events.register(
        "before-call.dynamodb.*", lambda model, **_: calls.update([model.name])
    )
    page = _post(client, "/tools/find", {"Level": "Study", "Query": {}, "Since": 2, "Limit": 3})
    assert page == studies[2:5]
    assert _post(client, "/tools/count-resources", {"Level": "Study", "Query": {}}) == {"Count": 7}
    assert set(calls) == {"Query"}


def test_bulk_delete_removes_resources_of_any_level(client: Any) -> None:
    answers = _fill(client)
    _post(
        client,
        "/tools/bulk-delete",
        {"Resources": [answers[1]["ID"], answers[4]["ParentPatient"], "unknown"]},
    )
    assert sorted(get(client, "/instances")) == sorted([answers[2]["ID"], answers[3]["ID"]])
    assert get(client, "/patients") == [answers[1]["ParentPatient"]]
    statistics = get(client, "/statistics")
    assert (statistics["CountPatients"], statistics["CountInstances"]) == (1, 2)
    response = client.http.post("/tools/bulk-delete", body=json.dumps({"Resources": "x"}))
    assert_orthanc_error(response, 400, 8, "POST")


def _dated_studies(client: Any, count: int = 40) -> dict[str, tuple[str, str]]:
    """``count`` studies of one instance each (one patient each, fixed UIDs so that the IDs,
    hence the ByStudyDate shards, are the same at every run), dated over January 2020 and
    described KEEP or DROP: their StudyDate and StudyDescription by study ID."""
    studies = {}
    for number in range(count):
        date, description = f"202001{number % 28 + 1:02d}", "DROP" if number % 3 else "KEEP"
        answer = upload(
            client,
            make_instance(
                f"D{number}",
                study_uid=f"1.2.826.0.1.3680043.98.{number}",
                sop_uid=f"1.2.826.0.1.3680043.98.{number}.1.1",
                StudyDate=date,
                StudyDescription=description,
            ),
        )
        studies[answer["ParentStudy"]] = (date, description)
    return studies


def test_a_study_date_page_reads_only_the_shards_it_needs(client: Any) -> None:
    """The ByStudyDate shards are read in ID order, one at a time: a Study search with a
    ``Limit`` stops at the shard holding its last answer, and its pages are those of the
    whole answer, ``Since`` included."""
    studies = _dated_studies(client)
    in_range = sorted(i for i, (date, _) in studies.items() if "20200105" <= date <= "20200120")
    assert len({study_id[0] for study_id in in_range}) > 8  # matches spread over the shards
    query = {"Level": "Study", "Query": {"StudyDate": "20200105-20200120"}}
    with aws_requests() as calls:
        assert _post(client, "/tools/find", query) == in_range
    assert calls == {"Query": 16, "BatchGetItem": 1}
    for since, limit in ((0, 1), (0, 3), (3, 4), (10, 2), (len(in_range) - 2, 5)):
        with aws_requests() as calls:
            page = _post(client, "/tools/find", {**query, "Since": since, "Limit": limit})
        assert page == in_range[since : since + limit]
        # The shard of the last answer needed, all 16 when the answer runs out.
        last = in_range[since + limit - 1] if since + limit <= len(in_range) else "f"
        assert calls == {"Query": int(last[0], 16) + 1, "BatchGetItem": 1}
    with aws_requests() as calls:
        _post(client, "/tools/find", {**query, "Limit": 2})
    assert calls["Query"] < 16
    count = _post(client, "/tools/count-resources", {**query, "Limit": 2})
    assert count == {"Count": len(in_range)}  # a count reads every shard


def test_study_date_pages_are_the_whole_answer_cut(client: Any, configure: Any) -> None:
    """With constraints checked after the date index (so a shard yields fewer matches than
    candidates), date lists, open ranges, ``Expand`` and ``RequestedTags``, every page cut by
    ``Since``/``Limit`` is the matching slice of the answer read without a limit."""
    studies = _dated_studies(client)
    cases = [
        ({"StudyDate": "20200105-20200120", "StudyDescription": "KEEP"}, "20200105", "20200120"),
        ({"StudyDate": "-20200110"}, "", "20200110"),
        ({"StudyDate": "20200103\\20200111\\20200118"}, "", ""),
    ]
    for constraints, lower, upper in cases:
        dates = constraints["StudyDate"].split("\\")
        expected = sorted(
            study_id
            for study_id, (date, description) in studies.items()
            if (date in dates or (lower or upper) and lower <= date <= upper)
            and description == constraints.get("StudyDescription", description)
        )
        query = {"Level": "Study", "Query": constraints}
        assert _post(client, "/tools/find", query) == expected and len(expected) > 3
        for limit in (1, 2, 3):
            pages = [
                _post(client, "/tools/find", {**query, "Since": since, "Limit": limit})
                for since in range(0, len(expected) + 1, limit)
            ]
            assert [study_id for page in pages for study_id in page] == expected
        expanded = _post(
            client,
            "/tools/find",
            {**query, "Since": 1, "Limit": 2, "Expand": True, "RequestedTags": ["StudyDate"]},
        )
        assert [study["ID"] for study in expanded] == expected[1:3]
        assert [study["RequestedTags"]["StudyDate"] for study in expanded] == [
            studies[study_id][0] for study_id in expected[1:3]
        ]
        count = _post(client, "/tools/count-resources", query)
        assert count == {"Count": len(expected)}
        series = _post(client, "/tools/find", {**query, "Level": "Series"})
        series_page = {**query, "Level": "Series", "Since": 2, "Limit": 2}
        assert _post(client, "/tools/find", series_page) == series[2:4]
    configure(LimitFindResults=3)
    capped = {"Level": "Study", "Query": {"StudyDate": "20200101-20200131"}}
    assert _post(client, "/tools/find", capped) == sorted(studies)[:3]
