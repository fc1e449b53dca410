"""Folder and file names inside archives (rules observed on Orthanc 1.10.1)."""

from __future__ import annotations

from chalicelib.dicom import archive_naming as naming


def test_odd_characters_are_dropped_and_carets_become_spaces() -> None:
    assert naming.clean("Doe^Jöhn*?") == "Doe Jhn"
    assert naming.clean("P/1:x-y.z_w") == "P1xy.z_w"
    assert naming.clean("  lead   trail  ") == "lead trail"


def test_folders_join_their_tags() -> None:
    assert naming.patient_folder({"PatientID": "P1", "PatientName": "Doe^J"}) == "P1 Doe J"
    assert naming.study_folder({"StudyDescription": "Brain <MRI>|"}) == "Brain MRI"
    tags = {"Modality": "MR", "SeriesDescription": "Axial/T1"}
    assert naming.series_folder(tags) == "MR AxialT1"
    assert naming.series_folder({"Modality": "CT", "SeriesDescription": ""}) == "CT"


def test_missing_tags_fall_back() -> None:
    assert naming.patient_folder({}) == "Unknown Patient"
    assert naming.patient_folder({"PatientID": "", "PatientName": "N"}) == "N"
    assert naming.study_folder({"StudyDescription": "<>"}) == "Unknown Study"
    assert naming.series_folder({}) == "Unknown Series"


def test_instance_files_are_numbered_from_zero() -> None:
    assert naming.instance_file({"Modality": "MR"}, 0) == "MR000000.dcm"
    assert naming.instance_file({"Modality": "CT"}, 12) == "CT000012.dcm"
    assert naming.instance_file({}, 3) == "00000003.dcm"
    assert naming.instance_file({"Modality": "seg"}, 1) == "SE000001.dcm"
    assert naming.instance_file({"Modality": "X"}, 1) == "X0000001.dcm"
    assert naming.media_file(12) == "IMAGES/IM12"


def test_study_folders_start_with_the_accession_number() -> None:
    tags = {"AccessionNumber": "A1", "StudyDescription": "Brain"}
    assert naming.study_folder(tags) == "A1 Brain"
    assert naming.study_folder({"AccessionNumber": "A1"}) == "A1"


def test_duplicate_siblings_get_a_counter() -> None:
    assert naming.unique(["D", "D", "E", "D"]) == ["D", "D-2", "E", "D-3"]


def test_no_segment_climbs_stays_put_or_hides() -> None:
    """Cirrus's own rule (Orthanc 1.10.1 writes ``../../../..000000.dcm``): leading dots
    are dropped, an emptied name takes its fallback."""
    dots = {"PatientID": "..", "AccessionNumber": "..", "Modality": "..", "PatientName": ""}
    assert naming.patient_folder(dots) == "Unknown Patient"
    assert naming.study_folder(dots) == "Unknown Study"
    assert naming.series_folder(dots) == "Unknown Series"
    assert naming.instance_file(dots, 0) == "00000000.dcm"
    assert naming.patient_folder({"PatientID": ". . .hidden", "PatientName": "Doe"}) == (
        "hidden Doe"
    )
    assert naming.series_folder({"Modality": ".", "SeriesDescription": ".x"}) == "x"
    assert naming.instance_file({"Modality": ".M"}, 2) == "M0000002.dcm"
    # Dots inside a name are kept, as Orthanc keeps them.
    assert naming.patient_folder({"PatientID": "a..b", "PatientName": "c."}) == "a..b c."
