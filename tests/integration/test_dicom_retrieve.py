"""Resolving C-MOVE / C-GET requests to stored instances, through the index on moto."""

from __future__ import annotations

from typing import Any

from chalicelib.dicom.identifiers import Level
from chalicelib.services.dicom_served.retrieve import RetrieveRequest
from tests.support.dicom_factory import make_instance

CT = "1.2.840.10008.5.1.4.1.1.2"
EXPLICIT = "1.2.840.10008.1.2.1"


def store(client: Any, **keys: Any) -> None:
    assert client.http.post("/instances", body=make_instance(**keys)).status_code == 200


def uids(level: Level, *values: str) -> list[str]:
    from chalicelib import bootstrap

    found = bootstrap.dicom_retrieve().instances(RetrieveRequest(level, values))
    assert all(i.sop_class_uid == CT and i.transfer_syntax == EXPLICIT for i in found)
    assert all(i.blob_key for i in found)
    return sorted(i.sop_instance_uid for i in found)


def test_each_level_resolves_to_its_instances(client: Any) -> None:
    store(client, patient_id="P1", study_uid="1.1", series_uid="1.1.1", sop_uid="1.1.1.1")
    store(client, patient_id="P1", study_uid="1.1", series_uid="1.1.2", sop_uid="1.1.2.1")
    store(client, patient_id="P1", study_uid="1.2", series_uid="1.2.1", sop_uid="1.2.1.1")
    store(client, patient_id="p2", study_uid="2.1", series_uid="2.1.1", sop_uid="2.1.1.1")
    assert uids(Level.PATIENT, "P1") == ["1.1.1.1", "1.1.2.1", "1.2.1.1"]
    assert uids(Level.PATIENT, "P2") == []  # the key is compared exactly
    assert uids(Level.STUDY, "1.1", "2.1", "9.9") == ["1.1.1.1", "1.1.2.1", "2.1.1.1"]
    assert uids(Level.SERIES, "1.1.2") == ["1.1.2.1"]
    assert uids(Level.INSTANCE, "1.2.1.1", "1.1.1.1") == ["1.1.1.1", "1.2.1.1"]
    assert uids(Level.STUDY, "4.4") == []
