"""The console's upload page in headless Chromium against the local stack as ``make run`` serves
it: files chosen through the file input (two DICOM files and one that is not), the same again
(already stored), a ZIP, the cancel of files still waiting, and a file larger than the API
carries, which goes through ``/cirrus/uploads`` and S3; files dropped on the zone, and a folder
chosen at a tablet's width. Each step keeps a screenshot; what the
page says is checked against what the server then holds.

The stack's ``LargeObjectThreshold`` is lowered so that a small file is "large": the console
sends it to ``POST /instances``, gets the 413, and sends it on through S3 by itself (the site's
``DirectUploadLimit`` would spare that first attempt, but ``config.json`` belongs to the shared
build). Until the console's Content-Security-Policy admits the emulator's origin in
``connect-src``, the browser blocks the PUT to the presigned URL: that test then checks that the
page says so and is an expected failure.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from pydicom.uid import generate_uid

from console.site import BUILD_DIR, INDEX
from tests.e2e.stack import LocalStack
from tests.support.browser import Browser, needs_chromium
from tests.support.dicom_factory import make_instance

pytestmark = [
    needs_chromium,
    pytest.mark.skipif(
        not (BUILD_DIR / INDEX).is_file(), reason="the console is not built (make console)"
    ),
]
WAIT = 30.0
THRESHOLD = 64 * 1024
CANCELLED_BATCH = 40


class Upload:
    """The stack, the browser on the upload page, and the files the test hands it."""

    def __init__(self, stack: LocalStack, browser: Browser, files: Path) -> None:
        self.stack, self.browser, self.files = stack, browser, files

    def rest(self, method: str, path: str, **kwargs: Any) -> Any:
        response = requests.request(method, self.stack.url + path, timeout=30, **kwargs)
        assert response.ok, (method, path, response.status_code, response.text)
        return response.json()

    def find(self, selector: str) -> Any:
        return self.browser.driver.find_element("css selector", selector)

    def find_all(self, selector: str) -> list[Any]:
        return self.browser.driver.find_elements("css selector", selector)

    def open(self) -> None:
        self.browser.driver.get(f"{self.stack.url}/ui/app/#/upload")
        self.browser.wait_for("the drop zone", lambda: self.find('[data-testid="upload-drop"]'))

    def choose(self, *names: str) -> None:
        """Choose files in the file input, as a user picking several in the dialog."""
        paths = "\n".join(str(self.files / name) for name in names)
        self.find('[data-testid="upload-files-input"]').send_keys(paths)

    def finished(self, count: int) -> dict[str, str]:
        """Wait until the page shows ``count`` rows, none of them waiting or travelling, and
        return {file name: status text}."""

        def settled() -> bool:
            rows = self.find_all('[data-testid="upload-row"]')
            states = [row.get_attribute("data-state") for row in rows]
            return len(rows) == count and all(
                state in ("done", "refused", "cancelled") for state in states
            )

        self.browser.wait_for(f"{count} finished uploads", settled, timeout=WAIT)
        return {
            row.find_element("css selector", ".upload-name").text: row.find_element(
                "css selector", '[data-testid="upload-result"]'
            ).text
            for row in self.find_all('[data-testid="upload-row"]')
        }

    def counts(self) -> tuple[str, str, str]:
        return tuple(
            self.find(f'[data-testid="upload-count-{kind}"]').text
            for kind in ("stored", "already", "refused")
        )

    def study_links(self) -> set[str]:
        links = self.find_all('[data-testid="upload-study-link"]')
        return {link.get_attribute("href").rsplit("#/study/", 1)[1] for link in links}

    def clear(self) -> None:
        self.find('[data-testid="upload-clear"]').click()
        self.browser.wait_for(
            "an empty list", lambda: not self.find_all('[data-testid="upload-row"]')
        )

    def stored_uids(self) -> set[str]:
        found = self.rest(
            "POST", "/tools/find", json={"Level": "Instance", "Query": {}, "Expand": True}
        )
        return {instance["MainDicomTags"]["SOPInstanceUID"] for instance in found}

    def studies_of(self, *patients: str) -> set[str]:
        """The Orthanc IDs of the studies of these patients."""
        return {
            study
            for patient in patients
            for study in self.rest(
                "POST", "/tools/find", json={"Level": "Study", "Query": {"PatientID": patient}}
            )
        }


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, set[str]]]:
    """The files of the tests, and the SOP Instance UIDs each holds."""
    folder = tmp_path_factory.mktemp("upload-files")
    uids: dict[str, set[str]] = {}

    def dicom(name: str, **tags: Any) -> bytes:
        uid = generate_uid()
        uids.setdefault(name, set()).add(uid)
        return make_instance(sop_uid=uid, **tags)

    for n in (1, 2):
        name = f"ct{n}.dcm"
        (folder / name).write_bytes(
            dicom(
                name, patient_id=f"UP{n}", PatientName=f"Upload^File{n}", StudyDescription="Chosen"
            )
        )
    (folder / "notes.txt").write_text("Not a DICOM file\n")
    study = generate_uid()
    with zipfile.ZipFile(folder / "two.zip", "w") as archive:
        for n in (1, 2):
            member = dicom("two.zip", patient_id="UPZIP", study_uid=study, instance_number=n)
            archive.writestr(f"series/{n}.dcm", member)
    for n in range(CANCELLED_BATCH):
        (folder / f"batch{n:02}.dcm").write_bytes(dicom(f"batch{n:02}.dcm", patient_id="UPBATCH"))
    (folder / "folder" / "sub").mkdir(parents=True)
    (folder / "folder" / "ct3.dcm").write_bytes(dicom("ct3.dcm", patient_id="UP3"))
    (folder / "folder" / "sub" / "notes.txt").write_text("Not a DICOM file either\n")
    big = dicom("big.dcm", patient_id="UPBIG", PatientName="Large^File", size=200)
    assert len(big) > THRESHOLD
    (folder / "big.dcm").write_bytes(big)
    return folder, uids


@pytest.fixture(scope="module")
def upload(
    tmp_path_factory: pytest.TempPathFactory, files: tuple[Path, dict[str, set[str]]]
) -> Iterator[Upload]:
    stack = LocalStack(
        tmp_path_factory.mktemp("upload-stack") / "data",
        config={"LargeObjectThreshold": THRESHOLD},
    )
    browser = Browser(window=(1280, 800))
    try:
        with stack:
            page = Upload(stack, browser, files[0])
            page.open()
            browser.screenshot("console-upload-empty")
            yield page
    finally:
        browser.quit()


def test_chosen_files_are_stored_or_refused_with_the_reason(upload: Upload) -> None:
    upload.choose("ct1.dcm", "ct2.dcm", "notes.txt")
    results = upload.finished(3)
    upload.browser.screenshot("console-upload-three-files")
    assert results["ct1.dcm"] == results["ct2.dcm"] == "Stored"
    assert results["notes.txt"].startswith("Refused: Cannot parse an invalid DICOM file")
    assert upload.counts() == ("2 stored", "0 already stored", "1 refused")
    assert upload.study_links() == upload.studies_of("UP1", "UP2")


def test_the_uploaded_studies_are_in_the_list(upload: Upload) -> None:
    """What a person does next: the Studies page lists them, and a search finds one."""
    upload.find('header nav a[href="#/studies"]').click()

    def listed() -> set[str]:
        rows = upload.find_all('[data-testid="study-row"]')
        return {row.get_attribute("data-study-id") for row in rows}

    upload.browser.wait_for(
        "the uploaded studies", lambda: listed() == upload.studies_of("UP1", "UP2")
    )
    upload.browser.screenshot("console-upload-listed")
    field = upload.find('[data-testid="search-PatientID"]')
    field.send_keys("UP2")
    upload.find('[data-testid="search-submit"]').click()
    upload.browser.wait_for("the search", lambda: listed() == upload.studies_of("UP2"))
    upload.open()


def test_the_same_files_again_are_already_stored(
    upload: Upload, files: tuple[Path, dict[str, set[str]]]
) -> None:
    upload.clear()
    upload.choose("ct1.dcm", "ct2.dcm", "notes.txt")
    results = upload.finished(3)
    upload.browser.screenshot("console-upload-already-stored")
    assert results["ct1.dcm"] == results["ct2.dcm"] == "Already stored"
    assert upload.counts() == ("0 stored", "2 already stored", "1 refused")
    uids = files[1]
    assert upload.stored_uids() == uids["ct1.dcm"] | uids["ct2.dcm"]


def test_a_zip_row_sums_up_its_members(
    upload: Upload, files: tuple[Path, dict[str, set[str]]]
) -> None:
    upload.clear()
    upload.choose("two.zip")
    results = upload.finished(1)
    upload.browser.screenshot("console-upload-zip")
    assert results["two.zip"] == "ZIP of 2 instances: 2 stored"
    assert upload.counts() == ("2 stored", "0 already stored", "0 refused")
    assert upload.study_links() == upload.studies_of("UPZIP")
    uids = files[1]
    assert upload.stored_uids() == uids["ct1.dcm"] | uids["ct2.dcm"] | uids["two.zip"]


def test_files_still_waiting_can_be_cancelled(
    upload: Upload, files: tuple[Path, dict[str, set[str]]]
) -> None:
    upload.clear()
    before = upload.stored_uids()
    names = [f"batch{n:02}.dcm" for n in range(CANCELLED_BATCH)]
    upload.choose(*names)
    upload.find('[data-testid="upload-cancel"]').click()
    upload.finished(CANCELLED_BATCH)
    upload.browser.screenshot("console-upload-cancelled")
    rows = upload.find_all('[data-testid="upload-row"]')
    states = {
        row.find_element("css selector", ".upload-name").text: row.get_attribute("data-state")
        for row in rows
    }
    sent = {name for name, state in states.items() if state == "done"}
    # Some were cancelled (how many were sent first depends on the machine's speed).
    assert "cancelled" in set(states.values()) <= {"done", "cancelled"}, states
    uids = files[1]
    assert upload.stored_uids() == before | {uid for name in sent for uid in uids[name]}


def test_a_file_larger_than_the_api_carries_goes_through_s3(
    upload: Upload, files: tuple[Path, dict[str, set[str]]]
) -> None:
    upload.clear()
    before = upload.stored_uids()
    upload.choose("big.dcm")
    results = upload.finished(1)
    upload.browser.screenshot("console-upload-large-file")
    row = upload.find('[data-testid="upload-row"]')
    assert row.get_attribute("data-route") == "s3"
    # The page may send the file to the emulator's S3: the policy admits it.
    policy = requests.get(f"{upload.stack.url}/ui/app/", timeout=10).headers
    assert upload.stack.emulator_url in policy["Content-Security-Policy"]
    assert results["big.dcm"] == "Stored through S3"
    upload.browser.drain_logs()
    calls = [(call["method"], call["url"]) for call in upload.browser.requests.values()]
    assert ("POST", f"{upload.stack.url}/cirrus/uploads") in calls
    assert any(m == "PUT" and u.startswith(upload.stack.emulator_url) for m, u in calls)
    assert upload.stored_uids() == before | files[1]["big.dcm"]


def test_dropped_files_are_uploaded(upload: Upload) -> None:
    """A drop on the zone (a DataTransfer built in the page: Selenium cannot drag from the
    desktop): a file the server already holds, fetched from it, and a text file."""
    upload.clear()
    # ct1.dcm's instance: small (the large one of another test would go through S3).
    [stored] = upload.rest(
        "POST", "/tools/find", json={"Level": "Instance", "Query": {"PatientID": "UP1"}}
    )
    upload.browser.driver.execute_async_script(
        """
        const [id, done] = arguments;
        const dicom = await (await fetch(`/instances/${id}/file`)).blob();
        const transfer = new DataTransfer();
        transfer.items.add(new File([dicom], 'dropped.dcm'));
        transfer.items.add(new File(['Not DICOM'], 'dropped.txt'));
        const zone = document.querySelector('[data-testid="upload-drop"]');
        const init = { dataTransfer: transfer, bubbles: true, cancelable: true };
        zone.dispatchEvent(new DragEvent('drop', init));
        done();
        """,
        stored,
    )
    results = upload.finished(2)
    assert results["dropped.dcm"] == "Already stored"
    assert results["dropped.txt"].startswith("Refused: Cannot parse an invalid DICOM file")


def test_a_chosen_folder_on_a_tablet(
    upload: Upload, files: tuple[Path, dict[str, set[str]]]
) -> None:
    upload.browser.driver.set_window_size(800, 1100)
    upload.clear()
    before = upload.stored_uids()
    upload.find('[data-testid="upload-folder-input"]').send_keys(str(upload.files / "folder"))
    results = upload.finished(2)
    upload.browser.screenshot("console-upload-folder-tablet")
    assert results["folder/ct3.dcm"] == "Stored"
    assert results["folder/sub/notes.txt"].startswith("Refused: Cannot parse")
    assert upload.stored_uids() == before | files[1]["ct3.dcm"]
    page_width = upload.browser.driver.execute_script("return document.documentElement.scrollWidth")
    assert page_width <= 800
