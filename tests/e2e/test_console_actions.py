"""The console's selection actions, from a study's page, in headless Chromium.

A 3-instance study is uploaded over REST to a local stack that has a real Orthanc 1.10.1 as
its peer ``ORTHANC-B``. From the study's page the user labels it (seen then over REST),
downloads its ZIP (the file the browser saves must hold the uploaded files, byte for byte),
sends it to the peer (the job followed until the UI says it succeeded, the instances then in
that Orthanc), and deletes it after a confirmation naming it (then gone from Cirrus). One
stack, one Orthanc and one browser serve the module, whose tests run in order; a screenshot
of each step is kept in ``artifacts/screenshots/``.
"""

from __future__ import annotations

import os
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
from tests.support.orthanc_server import OrthancServer

pytestmark = [
    needs_chromium,
    pytest.mark.skipif(
        not (BUILD_DIR / INDEX).is_file(), reason="the console is not built (make console)"
    ),
]

PEER = "ORTHANC-B"
LABEL = "e2e-label"
INSTANCES = 3
ARCHIVE = "DOE_JOHN_2024-01-02_CT_chest.zip"
# Answers above this many bytes go through S3 (the study's ZIP stays below, the large one of
# test_download_a_zip_through_storage above).
THRESHOLD = 12000


@pytest.fixture(scope="module")
def orthanc() -> Iterator[OrthancServer]:
    with OrthancServer() as running:
        yield running


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory, orthanc: OrthancServer) -> Iterator[LocalStack]:
    config = {"OrthancPeers": {PEER: {"Url": orthanc.url}}, "LargeObjectThreshold": THRESHOLD}
    with LocalStack(tmp_path_factory.mktemp("console-actions") / "data", config) as running:
        yield running


def store_study(stack: LocalStack, patient_id: str, **tags: Any) -> dict[str, Any]:
    """A study of :data:`INSTANCES` instances of one series stored over REST: its ID and its
    files."""
    study_uid, series_uid = generate_uid(), generate_uid()
    files = [
        make_instance(
            patient_id,
            study_uid=study_uid,
            series_uid=series_uid,
            instance_number=n + 1,
            **tags,
        )
        for n in range(INSTANCES)
    ]
    answers = [requests.post(f"{stack.url}/instances", data=f, timeout=30) for f in files]
    for answer in answers:
        answer.raise_for_status()
    return {"id": answers[0].json()["ParentStudy"], "files": files}


@pytest.fixture(scope="module")
def study(stack: LocalStack) -> dict[str, Any]:
    return store_study(stack, "ACTIONS-1", PatientName="DOE^JOHN", StudyDescription="CT chest")


@pytest.fixture(scope="module")
def downloads(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("console-downloads")


@pytest.fixture(scope="module")
def browser(stack: LocalStack, study: dict[str, Any], downloads: Path) -> Iterator[Browser]:
    """The study's page open at 1280x800, saving downloads in ``downloads``."""
    opened = Browser(window=(1280, 800))
    behavior = {"behavior": "allow", "downloadPath": str(downloads)}
    opened.driver.execute_cdp_cmd("Browser.setDownloadBehavior", behavior)
    opened.driver.get(f"{stack.url}/ui/app/#/study/{study['id']}")
    opened.wait_for("the study's actions", lambda: one(opened, "[data-testid=action-labels]"))
    yield opened
    opened.quit()


def one(browser: Browser, selector: str) -> Any:
    from selenium.webdriver.common.by import By

    return browser.driver.find_elements(By.CSS_SELECTOR, selector)[0]


def shown(browser: Browser, selector: str) -> Any:
    """The first element matching ``selector`` once a person could use it, else None. A
    dialog's content is in the page before the dialog opens (``showModal`` runs after the
    first render): typing into it or clicking it then fails, and a busy machine shows that
    gap to the test."""
    element = one(browser, selector)
    return element if element.is_displayed() and element.is_enabled() else None


def notice(browser: Browser) -> str:
    return one(browser, "[data-testid=actions-notice]").text


def test_label(stack: LocalStack, study: dict[str, Any], browser: Browser) -> None:
    one(browser, "[data-testid=action-labels]").click()
    field = browser.wait_for("the label field", lambda: shown(browser, "[data-testid=label-input]"))
    field.send_keys("not valid!")
    one(browser, "[data-testid=labels-dialog] button[type=submit]").click()
    refused = browser.wait_for(
        "the label refused", lambda: one(browser, "[data-testid=labels-dialog] .error")
    )
    assert "letters, digits" in refused.text
    field.clear()
    field.send_keys(LABEL)
    browser.screenshot("console-actions-label-dialog")
    one(browser, "[data-testid=labels-dialog] button[type=submit]").click()
    told = browser.wait_for("the label's notice", lambda: notice(browser))
    assert told == f"Added the label {LABEL} to 1 study"
    browser.wait_for("the label's chip", lambda: one(browser, "[data-testid=study-label]"))
    browser.screenshot("console-actions-labelled")
    labels = requests.get(f"{stack.url}/studies/{study['id']}/labels", timeout=10).json()
    assert labels == [LABEL]


def test_download_zip(study: dict[str, Any], browser: Browser, downloads: Path) -> None:
    one(browser, "[data-testid=action-zip]").click()
    saved = browser.wait_for(
        "the archive's link", lambda: one(browser, "[data-testid=download-link]")
    )
    href, name = saved.get_attribute("href"), saved.get_attribute("download")
    assert href.startswith("blob:") and name == ARCHIVE
    browser.screenshot("console-actions-downloaded")
    # The page saved the blob at once: the file the browser wrote is the study's ZIP.
    path = browser.wait_for(
        "the saved archive", lambda: (downloads / ARCHIVE).is_file() and downloads / ARCHIVE
    )
    with zipfile.ZipFile(path) as archive:
        entries = [archive.read(n) for n in archive.namelist() if n.endswith(".dcm")]
    assert sorted(entries) == sorted(study["files"])


def test_send_to_a_peer(study: dict[str, Any], browser: Browser, orthanc: OrthancServer) -> None:
    from selenium.webdriver.support.select import Select

    one(browser, "[data-testid=action-send]").click()
    target = browser.wait_for(
        "the peers",
        lambda: (
            shown(browser, "[data-testid=send-dialog] button[type=submit]")
            and one(browser, "[data-testid=send-target] option").text == PEER
        ),
    )
    assert target
    assert Select(one(browser, "[data-testid=send-target]")).first_selected_option.text == PEER
    browser.screenshot("console-actions-send-dialog")
    one(browser, "[data-testid=send-dialog] button[type=submit]").click()
    browser.wait_for("the job's progress", lambda: one(browser, "[data-testid=job]"))
    browser.screenshot("console-actions-sending")
    told = browser.wait_for("the job's end", lambda: notice(browser))
    assert told == f"Sent {INSTANCES} instances to {PEER}"
    browser.screenshot("console-actions-sent")
    assert len(orthanc.get_json(f"/studies/{study['id']}/instances")) == INSTANCES


def test_delete(stack: LocalStack, study: dict[str, Any], browser: Browser) -> None:
    one(browser, "[data-testid=action-delete]").click()
    summary = browser.wait_for(
        "the confirmation", lambda: shown(browser, "[data-testid=delete-summary]")
    )
    assert "Delete 1 study: DOE^JOHN 2024-01-02 CT chest?" in summary.text
    browser.screenshot("console-actions-delete-confirm")
    one(browser, "dialog[open] button.danger").click()
    browser.wait_for("the study gone", lambda: one(browser, "[data-testid=study-deleted]"))
    browser.screenshot("console-actions-deleted")
    assert requests.get(f"{stack.url}/studies/{study['id']}", timeout=10).status_code == 404


def test_download_a_zip_through_storage(
    stack: LocalStack, browser: Browser, downloads: Path
) -> None:
    """An archive above ``LargeObjectThreshold`` is answered by a presigned S3 URL: the
    console asks for it as JSON (a page cannot read a redirect) and the browser saves the
    file from the storage itself."""
    # Incompressible pixels: the ZIP stays larger than the threshold.
    large = store_study(stack, "ACTIONS-2", size=64, PixelData=os.urandom(64 * 64 * 2))
    study_id, files = large["id"], large["files"]
    before = set(downloads.iterdir())
    browser.driver.get(f"{stack.url}/ui/app/#/study/{study_id}")
    summary = "[data-testid=study-summary]"
    browser.wait_for("the study's page", lambda: "ACTIONS-2" in one(browser, summary).text)
    one(browser, "[data-testid=action-zip]").click()
    saved = browser.wait_for(
        "the archive's link", lambda: one(browser, "[data-testid=download-link]")
    )
    assert saved.get_attribute("href").startswith(stack.emulator_url)
    browser.screenshot("console-actions-downloaded-through-storage")
    path = browser.wait_for(
        "the saved archive",
        lambda: [p for p in set(downloads.iterdir()) - before if p.suffix == ".zip"],
    )[0]
    assert path.stat().st_size > THRESHOLD
    with zipfile.ZipFile(path) as archive:
        entries = [archive.read(n) for n in archive.namelist() if n.endswith(".dcm")]
    assert sorted(entries) == sorted(files)
