"""Orthanc identifiers: values checked against Orthanc 1.10.1 (see ../shared/README.md)."""

import io

import pydicom
import pytest

from chalicelib.dicom.identifiers import Level, compute_ids, hash_identifier, is_resource_id
from chalicelib.dicom.parsing import read_identifiers
from tests.support.dicom_factory import make_instance


def test_ct_small_ids_match_orthanc() -> None:
    ids = compute_ids(
        "1CT1",
        "1.3.6.1.4.1.5962.1.2.1.20040119072730.12322",
        "1.3.6.1.4.1.5962.1.3.1.1.20040119072730.12322",
        "1.3.6.1.4.1.5962.1.1.1.1.1.20040119072730.12322",
    )
    assert ids.patient == "fa558bce-587a86d3-ad0da9b3-9d043d9d-4f5c5718"
    assert ids.study == "8a8cf898-ca27c490-d0c7058c-929d0581-2bbf104d"
    assert ids.series == "93034833-163e42c3-bc9a428b-194620cf-2c5799e5"
    assert ids.instance == "f689ddd2-662f8fe1-8b18180d-ec2a2cee-937917af"


def test_missing_patient_id_hashes_the_empty_string() -> None:
    assert hash_identifier("") == "da39a3ee-5e6b4b0d-3255bfef-95601890-afd80709"


@pytest.mark.parametrize("padding", [" ", "\x00", "  \x00"])
def test_trailing_padding_is_ignored_when_reading(padding: str) -> None:
    ds = pydicom.dcmread(io.BytesIO(make_instance("P", "1.2", "1.2.3", "1.2.3.4")))
    ds.PatientID = "P" + padding.replace("\x00", " ")
    ds.StudyInstanceUID = "1.2" + padding
    found = read_identifiers(ds)
    assert (found.patient_id, found.study_uid) == ("P", "1.2")


def test_leading_spaces_are_kept() -> None:
    assert compute_ids(" P", "1", "2", "3").patient != compute_ids("P", "1", "2", "3").patient


def test_non_ascii_values_hash_as_utf8() -> None:
    # Computed independently: sha1 of the UTF-8 bytes of "Müller".
    assert hash_identifier("Müller") == "cd2562f4-b5ecc3e0-2e669737-fde72b4c-a6f2039f"


def test_id_shape() -> None:
    assert is_resource_id("f689ddd2-662f8fe1-8b18180d-ec2a2cee-937917af")
    assert not is_resource_id("F689DDD2-662f8fe1-8b18180d-ec2a2cee-937917af")
    assert not is_resource_id("f689ddd2-662f8fe1")
    assert not is_resource_id("../etc/passwd")


def test_levels_navigate() -> None:
    assert Level.PATIENT.child is Level.STUDY
    assert Level.INSTANCE.parent is Level.SERIES
    assert Level.PATIENT.parent is None
    assert Level.STUDY.collection == "studies"
