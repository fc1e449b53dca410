"""QIDO-RS: what the differential tests against the DICOMweb plugin cannot cover (where
Cirrus follows PS3.18 rather than the plugin, the configured limits, the URLs the answers
name) and the AWS requests a search costs."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import pytest

from tests.integration.helpers import assert_orthanc_error, upload
from tests.support.dicom_factory import make_instance

STUDY = "1.2.826.0.1.3680043.95.1"


def _search(client: Any, query: str, status: int = 200, **headers: str) -> Any:
    response = client.http.get(f"/dicom-web/{query}", headers=headers)
    assert response.status_code == status, response.body
    return json.loads(response.body)


def _uids(matches: list[dict[str, Any]], tag: str = "0020000D") -> list[str]:
    return sorted(m[tag]["Value"][0] for m in matches)


def _fill(client: Any) -> None:
    """A study of two series (CT with a time zone, MR), and a study of a Greek patient."""
    for number, modality in enumerate(("CT", "MR"), start=1):
        upload(
            client,
            make_instance(
                "PAT1",
                study_uid=STUDY,
                series_uid=f"{STUDY}.{number}",
                sop_uid=f"{STUDY}.{number}.1",
                Modality=modality,
                TimezoneOffsetFromUTC="+0100",
            ),
        )
    upload(
        client,
        make_instance(
            "PAT2",
            study_uid="1.2.3.2",
            PatientName="Παπαδόπουλος^Νίκος=山田^太郎",
            SpecificCharacterSet="ISO_IR 192",
        ),
    )


def test_names_keep_every_character(client: Any) -> None:
    """The plugin writes answers in its default encoding and loses what Latin-1 cannot
    hold; Cirrus keeps the names and says UTF-8."""
    _fill(client)
    (match,) = _search(client, "studies?PatientID=PAT2")
    assert match["00100010"] == {
        "vr": "PN",
        "Value": [{"Alphabetic": "Παπαδόπουλος^Νίκος", "Ideographic": "山田^太郎"}],
    }
    assert match["00080005"] == {"vr": "CS", "Value": ["ISO_IR 192"]}
    (latin,) = _search(client, "studies?PatientID=PAT1")
    assert latin["00080005"] == {"vr": "CS", "Value": ["ISO_IR 100"]}


def test_a_backslash_separates_uids_as_a_comma_does(client: Any) -> None:
    _fill(client)
    both = [STUDY, "1.2.3.2"]
    assert _uids(_search(client, f"studies?StudyInstanceUID={STUDY}\\1.2.3.2")) == sorted(both)
    assert _uids(_search(client, f"studies?StudyInstanceUID={STUDY},1.2.3.2")) == sorted(both)


def test_file_only_attributes_of_upper_levels_are_answered_when_named(client: Any) -> None:
    """TimezoneOffsetFromUTC is in no index: a series search reads a file for it only when
    ``includefield`` names it; an instance search reads each match's file anyway."""
    _fill(client)
    plain = _search(client, f"studies/{STUDY}/series")
    assert all("00080201" not in m for m in plain)
    named = _search(client, f"studies/{STUDY}/series?includefield=TimezoneOffsetFromUTC")
    assert [m["00080201"] for m in named] == [{"vr": "SH", "Value": ["+0100"]}] * 2
    (instance,) = _search(client, f"studies/{STUDY}/series/{STUDY}.1/instances")
    assert instance["00080201"] == {"vr": "SH", "Value": ["+0100"]}
    assert instance["00280010"] == {"vr": "US", "Value": [8]}


def test_retrieve_urls_name_the_host_the_client_reached(client: Any) -> None:
    _fill(client)
    (match,) = _search(
        client,
        f"studies/{STUDY}/series?Modality=MR",
        Host="pacs.example.org",
        **{"X-Forwarded-Proto": "https"},
    )
    assert match["00081190"]["Value"] == [
        f"https://pacs.example.org/dicom-web/studies/{STUDY}/series/{STUDY}.2"
    ]


@pytest.mark.parametrize(
    "query",
    [
        "studies?limit=-1",
        "studies?offset=x",
        "studies?fuzzymatching=yes",
        "studies?StudyDate=2018*",
        "studies?StudyDate=2018-01-01",
        "series?SeriesInstanceUID=1.2*",
    ],
)
def test_bad_values_are_400(client: Any, query: str) -> None:
    response = client.http.get(f"/dicom-web/{query}")
    assert response.status_code == 400, response.body
    assert json.loads(response.body)["HttpStatus"] == 400


def test_unknown_keys_are_ignored(client: Any) -> None:
    """PS3.18 8.3: unsupported query parameters are ignored (as the plugin does)."""
    _fill(client)
    assert len(_search(client, "studies?NoSuchAttribute=1&_=123")) == 2


def test_unsupported_accept_is_406(client: Any) -> None:
    response = client.http.get("/dicom-web/studies", headers={"Accept": "image/png"})
    assert_orthanc_error(response, 406, 34, "GET")


def test_no_search_of_instances_below_a_series_alone(client: Any) -> None:
    """Neither PS3.18 nor the plugin define ``/series/{series}/instances``."""
    response = client.http.get(f"/dicom-web/series/{STUDY}.1/instances")
    assert response.status_code == 404


def test_a_cut_answer_says_so(client: Any, configure: Any) -> None:
    configure(LimitFindResults=1)
    _fill(client)
    response = client.http.get("/dicom-web/studies")
    assert len(json.loads(response.body)) == 1
    assert response.headers["Warning"].startswith("299 ")
    whole = client.http.get(f"/dicom-web/studies?StudyInstanceUID={STUDY}")
    assert "Warning" not in whole.headers


def test_identifier_searches_cost_few_requests(client: Any) -> None:
    """A study search by PatientID is answered from the ByUid index, never a Scan: the
    requests grow with the matches (and their series), not with the archive."""
    from chalicelib.storage import aws

    for number in range(12):
        upload(client, make_instance(f"P{number}", sop_uid=f"7.7.{number}"))
    calls: Counter[str] = Counter()
    aws.client("dynamodb").meta.events.register(
        "before-call.dynamodb.*", lambda model, **_: calls.update([model.name])
    )
    aws.client("s3").meta.events.register(
        "before-call.s3.*", lambda model, **_: calls.update([model.name])
    )
    assert len(_search(client, "studies?PatientID=P5")) == 1
    # ByUid, the patient's studies; the match; its links (read once for ModalitiesInStudy
    # and the counts), its series' records, and its series' links (the counts).
    assert calls == {"Query": 4, "BatchGetItem": 3}
    calls.clear()
    assert len(_search(client, "instances?SOPInstanceUID=7.7.5")) == 1
    # ByUid; the match, its series and study; the file (Rows, Columns...).
    assert calls == {"Query": 1, "BatchGetItem": 3, "GetItem": 1, "GetObject": 1}
