"""Labels, as Orthanc 1.12 has them (Orthanc 1.10.1 has none, so these tests check Cirrus
against the answers 1.12 documents and its source gives): ``/{level}/{id}/labels``,
``/tools/labels``, ``Labels`` in the resources' JSON, ``Labels``/``LabelsConstraint`` of
``/tools/find`` and ``/tools/count-resources``, and what deletes do to them."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest

from tests.integration.helpers import assert_orthanc_error, body, get, upload
from tests.support.dicom_factory import make_instance

STUDY = "1.2.826.0.1.3680043.98"
LEVELS = {"Patient": "patients", "Study": "studies", "Series": "series", "Instance": "instances"}
PARENT_KEY = {"Patient": "ParentPatient", "Study": "ParentStudy", "Series": "ParentSeries"}


def _put(client: Any, path: str, status: int = 200) -> Any:
    response = client.http.put(path, body=b"")
    assert response.status_code == status, (path, response.body)
    return response


def _delete(client: Any, path: str, status: int = 200) -> Any:
    response = client.http.delete(path)
    assert response.status_code == status, (path, response.body)
    return response


def _find(client: Any, payload: dict[str, Any], path: str = "/tools/find") -> Any:
    response = client.http.post(path, body=json.dumps(payload))
    assert response.status_code == 200, response.body
    return body(response)


def _ids(answer: dict[str, Any], level: str) -> str:
    return answer["ID"] if level == "Instance" else answer[PARENT_KEY[level]]


def _fill(client: Any) -> list[dict[str, Any]]:
    """Three instances: two in one series of patient A, one under patient B."""
    return [
        upload(client, make_instance("A", STUDY, f"{STUDY}.1", f"{STUDY}.1.1")),
        upload(client, make_instance("A", STUDY, f"{STUDY}.1", f"{STUDY}.1.2")),
        upload(client, make_instance("B", sop_uid="5.5.5")),
    ]


@pytest.fixture
def dynamodb_calls() -> Iterator[Counter[str]]:
    """The DynamoDB requests the app sends, by operation."""
    from chalicelib.storage import aws

    calls: Counter[str] = Counter()

    def count(model: Any, **_: Any) -> None:
        calls.update([model.name])

    events = aws.client("dynamodb").meta.events
    events.register("before-call.dynamodb.*", count)
    yield calls
    events.unregister("before-call.dynamodb.*", count)


@pytest.mark.parametrize("level", list(LEVELS))
def test_add_test_list_remove(client: Any, level: str) -> None:
    answer = _fill(client)[0]
    path = f"/{LEVELS[level]}/{_ids(answer, level)}"
    assert get(client, f"{path}/labels") == []
    assert get(client, path)["Labels"] == []
    for label in ("zeta", "Alpha_1", "b-2", "zeta"):  # adding a present label is no error
        response = _put(client, f"{path}/labels/{label}")
        assert (response.body, response.headers["Content-Type"]) == (b"", "text/plain")
    assert get(client, f"{path}/labels") == ["Alpha_1", "b-2", "zeta"]
    assert get(client, path)["Labels"] == ["Alpha_1", "b-2", "zeta"]
    present = client.http.get(f"{path}/labels/b-2")
    assert (present.status_code, present.body) == (200, b"")
    absent = client.http.get(f"{path}/labels/b-3")
    assert (absent.status_code, absent.body) == (404, b"")  # Orthanc answers nothing
    assert get(client, "/tools/labels") == ["Alpha_1", "b-2", "zeta"]
    for label in ("b-2", "b-2", "never"):  # removing an absent label is no error either
        assert _delete(client, f"{path}/labels/{label}").body == b""
    assert get(client, f"{path}/labels") == ["Alpha_1", "zeta"]
    assert get(client, "/tools/labels") == ["Alpha_1", "zeta"]


def test_labels_are_per_resource_and_level(client: Any) -> None:
    answers = _fill(client)
    _put(client, f"/studies/{answers[0]['ParentStudy']}/labels/x")
    assert get(client, f"/patients/{answers[0]['ParentPatient']}/labels") == []
    assert get(client, f"/series/{answers[0]['ParentSeries']}")["Labels"] == []
    listed = get(client, f"/patients/{answers[0]['ParentPatient']}/studies")
    assert [s["Labels"] for s in listed] == [["x"]]


@pytest.mark.parametrize(
    "label",
    ["a" * 65, "with%20space", "caf%C3%A9", "dot.ted", "semi;colon", "plus+"],
)
def test_invalid_names_are_refused_before_the_resource_is_looked_up(
    client: Any, label: str
) -> None:
    answer = _fill(client)[0]
    for resource in (answer["ParentStudy"], "0" * 8):
        for method in (client.http.put, client.http.delete):
            response = method(f"/studies/{resource}/labels/{label}")
            assert_orthanc_error(response, 400, 3, method.__name__.upper())
    # Testing a label does not check its name: it is just absent.
    response = client.http.get(f"/studies/{answer['ParentStudy']}/labels/{label}")
    assert (response.status_code, response.body) == (404, b"")
    _put(client, f"/studies/{answer['ParentStudy']}/labels/{'a' * 64}")


def test_unknown_resources(client: Any) -> None:
    answer = _fill(client)[0]
    unknown = "11111111-22222222-33333333-44444444-55555555"
    study = answer["ParentStudy"]
    for path in (f"/studies/{unknown}", f"/patients/{study}", "/studies/not-an-id"):
        assert_orthanc_error(client.http.get(f"{path}/labels"), 404, 17, "GET")
        assert_orthanc_error(client.http.get(f"{path}/labels/x"), 404, 17, "GET")
        assert_orthanc_error(client.http.put(f"{path}/labels/x", body=b""), 404, 17, "PUT")
        assert_orthanc_error(client.http.delete(f"{path}/labels/x"), 404, 17, "DELETE")
    assert get(client, "/tools/labels") == []
    response = client.http.post(f"/studies/{study}/labels/x", body=b"")
    assert response.status_code == 405
    assert set(response.headers["Allow"].split(",")) == {"DELETE", "GET", "PUT"}


def test_system_says_labels_are_supported(client: Any) -> None:
    assert get(client, "/system")["HasLabels"] is True


def test_deletes_take_the_labels_of_the_whole_subtree(client: Any) -> None:
    """Descendants are deleted from their parents' links, which do not say which labels they
    carry: the labels still go, and /tools/labels forgets a label with its last resource."""
    from chalicelib import bootstrap
    from chalicelib.dicom.identifiers import Level

    first, second, other = _fill(client)
    _put(client, f"/instances/{first['ID']}/labels/shared")
    _put(client, f"/instances/{second['ID']}/labels/shared")
    _put(client, f"/instances/{second['ID']}/labels/second")
    _put(client, f"/series/{first['ParentSeries']}/labels/series")
    _put(client, f"/patients/{other['ParentPatient']}/labels/shared")
    assert get(client, "/tools/labels") == ["second", "series", "shared"]
    # The series keeps its first instance: only "second" goes.
    _delete(client, f"/instances/{second['ID']}")
    assert get(client, "/tools/labels") == ["series", "shared"]
    # The patient's delete reaches the instance and the series below it.
    _delete(client, f"/patients/{first['ParentPatient']}")
    assert get(client, "/tools/labels") == ["shared"]
    store = bootstrap.label_store()
    assert store.ids_with_label("shared", Level.INSTANCE) == []
    assert store.ids_with_label("series", Level.SERIES) == []
    assert store.ids_with_label("shared", Level.PATIENT) == [other["ParentPatient"]]
    # An ancestor pruned because its last instance went takes its labels too.
    _delete(client, f"/instances/{other['ID']}")
    assert get(client, "/tools/labels") == []
    assert get(client, "/statistics")["CountPatients"] == 0
    # A resource created again under the same ID starts without labels.
    again = upload(client, make_instance("B", sop_uid="5.5.5"))
    assert get(client, f"/patients/{again['ParentPatient']}")["Labels"] == []


def test_find_by_labels_at_every_level(client: Any) -> None:
    first, second, other = _fill(client)
    for answer in (first, second):
        for level in LEVELS:
            _put(client, f"/{LEVELS[level]}/{_ids(answer, level)}/labels/red")
    for level in LEVELS:
        _put(client, f"/{LEVELS[level]}/{_ids(second, level)}/labels/blue")
        _put(client, f"/{LEVELS[level]}/{_ids(other, level)}/labels/green")
    for level in LEVELS:

        def find(labels: list[str], constraint: str | None, level: str = level) -> list[str]:
            payload: dict[str, Any] = {"Level": level, "Query": {}, "Labels": labels}
            if constraint is not None:
                payload["LabelsConstraint"] = constraint
            found = _find(client, payload)
            count = _find(client, payload, "/tools/count-resources")["Count"]
            assert count == len(found)
            return sorted(found)

        def ids(*answers: dict[str, Any], level: str = level) -> list[str]:
            return sorted({_ids(a, level) for a in answers})

        assert find(["red"], None) == ids(first, second)
        assert find(["red", "blue"], "All") == ids(second)
        assert find(["red", "blue"], None) == find(["red", "blue"], "All")
        assert find(["blue", "green"], "Any") == ids(second, other)
        # first and second share their series, study and patient, which carry "blue".
        without_blue = ids(first, other) if level == "Instance" else ids(other)
        assert find(["blue"], "None") == without_blue
        assert find(["red", "green"], "None") == []
        assert find(["purple"], "All") == find(["purple"], "Any") == []
        assert find(["purple"], "None") == ids(first, second, other)
        assert find([], "Any") == find([""], "All") == ids(first, second, other)


def test_labels_combine_with_the_query_and_the_answer(client: Any) -> None:
    first, second, other = _fill(client)
    _put(client, f"/instances/{second['ID']}/labels/keep")
    _put(client, f"/instances/{other['ID']}/labels/keep")
    query = {"Level": "Instance", "Labels": ["keep"]}
    # An identifier constraint picks the candidates; the labels are checked on their records.
    assert _find(client, {**query, "Query": {"PatientID": "A"}}) == [second["ID"]]
    assert _find(client, {**query, "Query": {"PatientID": "A"}, "LabelsConstraint": "None"}) == [
        first["ID"]
    ]
    # A parent picks the candidates; the labels are checked on their records.
    assert _find(client, {**query, "Query": {}, "ParentSeries": first["ParentSeries"]}) == [
        second["ID"]
    ]
    # The labels pick the candidates; the other constraints are checked on their records.
    assert _find(client, {**query, "Query": {"PatientID": "B*"}}) == [other["ID"]]
    expanded = _find(client, {**query, "Query": {}, "Expand": True, "Limit": 1, "Since": 0})
    assert len(expanded) == 1
    assert expanded[0]["Labels"] == ["keep"]
    content = _find(client, {**query, "Query": {"PatientID": "B"}, "ResponseContent": ["Labels"]})
    assert content == [{"ID": other["ID"], "Type": "Instance", "Labels": ["keep"]}]


@pytest.mark.parametrize(
    ("extra", "orthanc_status"),
    [
        ({"Labels": ["bad label"]}, 3),
        ({"Labels": "keep"}, 8),
        ({"Labels": ["keep", 3]}, 8),
        ({"LabelsConstraint": "Some"}, 8),
        ({"LabelsConstraint": 1}, 8),
    ],
)
def test_bad_label_options(client: Any, extra: dict[str, Any], orthanc_status: int) -> None:
    for path in ("/tools/find", "/tools/count-resources"):
        payload = {"Level": "Study", "Query": {}, **extra}
        response = client.http.post(path, body=json.dumps(payload))
        assert_orthanc_error(response, 400, orthanc_status, "POST")


def test_a_label_search_reads_its_label_items_not_the_archive(
    client: Any, dynamodb_calls: Counter[str]
) -> None:
    answers = [upload(client, make_instance(f"P{n}", sop_uid=f"6.6.{n}")) for n in range(12)]
    for answer in answers[3:5]:
        _put(client, f"/studies/{answer['ParentStudy']}/labels/few")
    _put(client, f"/studies/{answers[4]['ParentStudy']}/labels/other")
    dynamodb_calls.clear()
    found = _find(client, {"Level": "Study", "Query": {}, "Labels": ["few"]})
    assert sorted(found) == sorted(a["ParentStudy"] for a in answers[3:5])
    assert dynamodb_calls == {"Query": 1, "BatchGetItem": 1}
    dynamodb_calls.clear()
    found = _find(
        client,
        {"Level": "Study", "Query": {}, "Labels": ["few", "other"], "LabelsConstraint": "All"},
    )
    assert found == [answers[4]["ParentStudy"]]
    assert dynamodb_calls == {"Query": 2, "BatchGetItem": 1}
    dynamodb_calls.clear()
    # None: the level's IDs (16 shards of ByLevel) minus the labelled ones, whose records
    # are not read.
    found = _find(
        client, {"Level": "Study", "Query": {}, "Labels": ["few"], "LabelsConstraint": "None"}
    )
    assert len(found) == 10
    assert dynamodb_calls["Query"] == 16 + 1
    assert "Scan" not in dynamodb_calls
    dynamodb_calls.clear()
    assert get(client, "/tools/labels") == ["few", "other"]
    assert dynamodb_calls == {"Query": 1}


def test_label_writes_cost_one_transaction(client: Any, dynamodb_calls: Counter[str]) -> None:
    answer = _fill(client)[0]
    path = f"/series/{answer['ParentSeries']}/labels/x"
    dynamodb_calls.clear()
    _put(client, path)
    assert dynamodb_calls == {"TransactWriteItems": 1}
    dynamodb_calls.clear()
    _put(client, path)  # refused by its condition, then one read tells why
    assert dynamodb_calls == {"TransactWriteItems": 1, "GetItem": 1}
    dynamodb_calls.clear()
    _delete(client, path)
    assert dynamodb_calls == {"TransactWriteItems": 1}


def test_labels_per_resource_are_bounded(client: Any) -> None:
    from chalicelib.services.resources.labels import MAX_LABELS_PER_RESOURCE

    answer = _fill(client)[0]
    path = f"/instances/{answer['ID']}/labels"
    for number in range(MAX_LABELS_PER_RESOURCE):
        _put(client, f"{path}/l{number}")
    _put(client, f"{path}/l0")  # present: still fine
    assert_orthanc_error(client.http.put(f"{path}/more", body=b""), 400, 3, "PUT")
    _delete(client, f"/patients/{answer['ParentPatient']}")  # fits in its transactions
    assert get(client, "/tools/labels") == []


def test_the_change_feed_ignores_label_items(client: Any, feed: Any) -> None:
    answer = _fill(client)[0]
    feed.pump()
    before = get(client, "/changes")
    _put(client, f"/studies/{answer['ParentStudy']}/labels/x")
    _put(client, f"/instances/{answer['ID']}/labels/x")
    _delete(client, f"/studies/{answer['ParentStudy']}/labels/x")
    feed.pump()
    assert get(client, "/changes")["Changes"] == before["Changes"]


def test_an_overwritten_instance_loses_its_labels_and_attachments(
    client: Any, configure: Any
) -> None:
    """Orthanc deletes the old instance when it overwrites one: its labels leave
    ``/tools/labels``, its user attachments their S3 objects and the disk size."""
    from chalicelib.storage import aws
    from chalicelib.storage.schema import bucket_name

    configure(OverwriteInstances=True, UserContentType={"notes": 1030})
    data = make_instance("A", sop_uid="7.7.7")
    instance = upload(client, data)["ID"]
    _put(client, f"/instances/{instance}/labels/first")
    attached = client.http.put(f"/instances/{instance}/attachments/notes", body=b"0123456789")
    assert attached.status_code == 200
    disk = int(get(client, "/statistics")["TotalDiskSize"])

    assert upload(client, data)["ID"] == instance  # the overwrite
    assert get(client, f"/instances/{instance}/labels") == []
    assert get(client, "/tools/labels") == []
    assert get(client, f"/instances/{instance}/attachments") == ["dicom"]
    assert int(get(client, "/statistics")["TotalDiskSize"]) == disk - 10
    listing = aws.client("s3").list_objects_v2(Bucket=bucket_name("dicom"), Prefix="attachments/")
    assert listing.get("Contents", []) == []
