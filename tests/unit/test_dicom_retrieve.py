"""Reading a C-MOVE / C-GET identifier, with Orthanc 1.10.1's rules (probed)."""

from __future__ import annotations

import warnings

import pytest
from pydicom.dataset import Dataset

from chalicelib.dicom.identifiers import Level
from chalicelib.errors import OrthancError
from chalicelib.services.dicom_served.retrieve import RetrieveRequest, parse_identifier


def identifier(**keys: object) -> Dataset:
    ds = Dataset()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # wildcards in UIDs, on purpose
        for keyword, value in keys.items():
            setattr(ds, keyword, value)
    return ds


@pytest.mark.parametrize(
    ("keys", "expected"),
    [
        ({"QueryRetrieveLevel": "STUDY", "StudyInstanceUID": "1.2"}, (Level.STUDY, ("1.2",))),
        ({"QueryRetrieveLevel": "study", "StudyInstanceUID": "1.2"}, (Level.STUDY, ("1.2",))),
        (
            {"QueryRetrieveLevel": "STUDY", "StudyInstanceUID": ["1.2", "1.3", "1.2"]},
            (Level.STUDY, ("1.2", "1.3")),
        ),
        # Only the level's own key counts.
        (
            {"QueryRetrieveLevel": "SERIES", "StudyInstanceUID": "9", "SeriesInstanceUID": "1.4"},
            (Level.SERIES, ("1.4",)),
        ),
        ({"QueryRetrieveLevel": "PATIENT", "PatientID": "P1"}, (Level.PATIENT, ("P1",))),
        ({"QueryRetrieveLevel": "IMAGE", "SOPInstanceUID": "1.5"}, (Level.INSTANCE, ("1.5",))),
        # No level: the deepest unique key given.
        ({"StudyInstanceUID": "1.2", "SeriesInstanceUID": "1.4"}, (Level.SERIES, ("1.4",))),
        ({"PatientID": "P1"}, (Level.PATIENT, ("P1",))),
    ],
)
def test_levels_and_keys(keys: dict[str, object], expected: tuple[Level, tuple[str, ...]]) -> None:
    assert parse_identifier(identifier(**keys)) == RetrieveRequest(*expected)


@pytest.mark.parametrize(
    "keys",
    [
        {"QueryRetrieveLevel": "STUDY"},
        {"QueryRetrieveLevel": "STUDY", "StudyInstanceUID": ""},
        {"QueryRetrieveLevel": "STUDY", "StudyInstanceUID": "1.2.*"},
        {"QueryRetrieveLevel": "PATIENT", "PatientID": "P?"},
        {"QueryRetrieveLevel": "WORKLIST", "StudyInstanceUID": "1.2"},
        {"PatientName": "X"},
        {},
    ],
)
def test_identifiers_orthanc_refuses(keys: dict[str, object]) -> None:
    with pytest.raises(OrthancError):
        parse_identifier(identifier(**keys))
