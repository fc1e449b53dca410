"""The console's jobs and system pages, and ``/`` leading to the console, in headless Chromium
against the local stack as ``make run`` serves it: a real Orthanc 1.10.1 as peer and modality,
a modality nobody listens for (its tests and jobs fail) and one that accepts connections but
never answers (its jobs stay running until cancelled). Each step keeps a screenshot."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from pydicom.uid import generate_uid

from console.site import BUILD_DIR, INDEX
from tests.e2e.stack import LocalStack
from tests.support.browser import Browser, needs_chromium
from tests.support.dicom_factory import make_instance
from tests.support.orthanc_server import OrthancServer, free_port

pytestmark = [
    needs_chromium,
    pytest.mark.skipif(
        not (BUILD_DIR / INDEX).is_file(), reason="the console is not built (make console)"
    ),
]
WAIT = 30.0


class Console:
    """The stack, its REST API, the browser on the console, and the remotes' names."""

    def __init__(self, stack: LocalStack, browser: Browser, orthanc: OrthancServer) -> None:
        self.stack, self.browser, self.orthanc = stack, browser, orthanc
        self.api = requests.Session()
        self.study = ""

    def rest(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self.api.request(method, self.stack.url + path, timeout=30, **kwargs)
        assert response.ok, (method, path, response.status_code, response.text)
        return response.json()

    def open(self, page: str) -> None:
        """Load the console on ``page``, afresh (a hash alone would not reload it)."""
        url = f"{self.stack.url}/ui/app/#/{page}"
        if self.browser.driver.current_url == url:
            self.browser.driver.refresh()
        else:
            self.browser.driver.get(url)

    def find(self, selector: str) -> Any:
        return self.browser.driver.find_element("css selector", selector)

    def find_all(self, selector: str) -> list[Any]:
        return self.browser.driver.find_elements("css selector", selector)

    def wait_for(self, what: str, condition: Any) -> Any:
        return self.browser.wait_for(what, condition, timeout=WAIT)

    def store(self, modality: str, **options: Any) -> str:
        """Start sending the study to ``modality``: the job's ID."""
        body = {"Resources": [self.study], "Asynchronous": True, **options}
        return self.rest("POST", f"/modalities/{modality}/store", json=body)["ID"]

    def job(self, job_id: str) -> dict[str, Any]:
        return self.rest("GET", f"/jobs/{job_id}")

    def wait_job(self, job_id: str, states: tuple[str, ...]) -> dict[str, Any]:
        deadline = time.monotonic() + WAIT
        while (job := self.job(job_id))["State"] not in states:
            assert time.monotonic() < deadline, job
            time.sleep(0.1)
        return job

    def job_row(self, job_id: str) -> Any:
        return self.find(f'[data-testid="job-row"][data-job-id="{job_id}"]')


@pytest.fixture(scope="module")
def silent_modality() -> Iterator[socket.socket]:
    """A listening socket: it accepts DICOM connections (the system's backlog) and never
    answers them."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", free_port()))
        listener.listen(8)
        yield listener


@pytest.fixture(scope="module")
def console(
    tmp_path_factory: pytest.TempPathFactory, silent_modality: socket.socket
) -> Iterator[Console]:
    with OrthancServer() as orthanc:
        modalities = {
            "orthanc": ["ORTHANCTEST", "127.0.0.1", orthanc.dicom_port],
            "dead": ["DEAD", "127.0.0.1", free_port()],
            "silent": ["SILENT", "127.0.0.1", silent_modality.getsockname()[1]],
        }
        config = {"DicomModalities": modalities, "OrthancPeers": {"orthanc": [orthanc.url]}}
        with LocalStack(tmp_path_factory.mktemp("console-pages") / "data", config) as stack:
            browser = Browser(window=(1280, 800))
            try:
                yield Console(stack, browser, orthanc)
            finally:
                browser.quit()


def test_the_root_lands_on_the_console(console: Console) -> None:
    console.browser.driver.get(console.stack.url + "/")
    console.wait_for("the console's navigation", lambda: console.find("header nav"))
    assert console.browser.driver.current_url.split("#")[0] == f"{console.stack.url}/ui/app/"
    console.browser.screenshot("console-pages-root")


def test_the_system_page_shows_the_server_and_its_statistics(console: Console) -> None:
    study = generate_uid()
    for number in (1, 2, 3):
        stored = console.rest(
            "POST", "/instances", data=make_instance(study_uid=study, instance_number=number)
        )
    console.study = stored["ParentStudy"]
    system = console.rest("GET", "/system")
    statistics = console.rest("GET", "/statistics")
    console.open("system")
    version = console.wait_for(
        "the version", lambda: console.find('[data-testid="system-version"]')
    )
    assert version.text == system["Cirrus"]["Version"]
    assert console.find('[data-testid="system-aet"]').text == system["DicomAet"]
    assert console.find('[data-testid="system-port"]').text == str(system["DicomPort"])
    assert statistics["CountInstances"] == 3
    # The page loads /system and /statistics separately: the version says nothing of the
    # statistics, which a busy machine shows later.
    console.wait_for("the statistics", lambda: console.find('[data-testid="stat-CountPatients"]'))
    for key in ("CountPatients", "CountStudies", "CountSeries", "CountInstances"):
        shown = console.find(f'[data-testid="stat-{key}"]')
        assert shown.text.replace(",", "") == str(statistics[key]), key
    assert console.find('[data-testid="stat-TotalDiskSize"]').get_attribute("data-value") == str(
        statistics["TotalDiskSize"]
    )
    console.browser.screenshot("console-pages-system")


def _probe(console: Console, row: str) -> Any:
    """Click the row's Test button: its result, once there."""
    console.find(f'{row} [data-testid="probe"]').click()
    result = f'{row} [data-testid="probe-result"]'
    console.wait_for(
        f"the test of {row}", lambda: console.find(result).get_attribute("data-outcome")
    )
    return console.find(result)


def test_the_connectivity_tests(console: Console) -> None:
    console.open("system")
    console.wait_for("the modalities", lambda: console.find('[data-testid="modalities-table"]'))
    live = _probe(console, '[data-testid="modality-row"][data-name="orthanc"]')
    assert live.get_attribute("data-outcome") == "ok"
    assert "C-ECHO succeeded" in live.text
    dead = _probe(console, '[data-testid="modality-row"][data-name="dead"]')
    assert dead.get_attribute("data-outcome") == "error"
    assert "DEAD" in dead.text and "HTTP 500" in dead.text
    peer = _probe(console, '[data-testid="peer-row"][data-name="orthanc"]')
    assert peer.get_attribute("data-outcome") == "ok"
    remote = console.orthanc.get_json("/system")
    assert f"{remote['Name']}: Orthanc {remote['Version']}" in peer.text
    assert remote["Version"] == "1.10.1"
    console.browser.screenshot("console-pages-system-tests")


def test_the_jobs_page_follows_a_job_to_its_success(console: Console) -> None:
    job_id = console.store("orthanc")
    console.open("jobs")
    console.wait_for("the job's row", lambda: console.job_row(job_id))
    console.wait_for(
        "the job to succeed",
        lambda: console.job_row(job_id).get_attribute("data-state") == "Success",
    )
    row = console.job_row(job_id)
    assert "Send to modality" in row.text and "to ORTHANCTEST" in row.text
    assert "3 instances" in row.find_element("css selector", '[data-testid="job-summary"]').text
    assert console.job(job_id)["State"] == "Success"
    assert len(console.orthanc.get_json("/instances")) >= 3
    row.find_element("css selector", '[data-testid="job-details-toggle"]').click()
    details = console.wait_for("the details", lambda: console.find('[data-testid="job-details"]'))
    assert f'"ID": "{job_id}"' in details.text
    console.browser.screenshot("console-pages-jobs-success")


def test_a_failed_job_is_resubmitted(console: Console) -> None:
    job_id = console.store("dead")
    failed = console.wait_job(job_id, ("Failure",))
    console.open("jobs")
    button = f'[data-job-id="{job_id}"] [data-testid="job-resubmit"]'
    console.wait_for("the resubmit button", lambda: console.find(button))
    assert (
        console.job_row(job_id).find_element("css selector", '[data-testid="job-state"]').text
        == "Failure"
    )
    console.browser.screenshot("console-pages-jobs-failed")
    console.find(button).click()

    def ran_again() -> bool:
        job = console.job(job_id)
        return job["State"] == "Failure" and job["CompletionTime"] > failed["CompletionTime"]

    console.wait_for("the job to run again", ran_again)
    console.wait_for("the page to show it", lambda: console.find(button))
    assert console.find_all('[data-testid="jobs-error"] .error') == []
    console.browser.screenshot("console-pages-jobs-resubmitted")


def test_a_running_job_is_paused_resumed_and_cancelled_after_a_confirmation(
    console: Console, silent_modality: socket.socket
) -> None:
    job_id = console.store("silent", Timeout=60)
    console.wait_job(job_id, ("Running",))
    console.open("jobs")
    row = f'[data-job-id="{job_id}"]'
    console.wait_for("the pause button", lambda: console.find(f'{row} [data-testid="job-pause"]'))
    console.find(f'{row} [data-testid="job-pause"]').click()
    resume = f'{row} [data-testid="job-resume"]'
    console.wait_for("the resume button", lambda: console.find(resume))
    assert console.job(job_id)["State"] == "Paused"
    console.browser.screenshot("console-pages-jobs-paused")
    console.find(resume).click()
    cancel = f'{row} [data-testid="job-cancel"]'
    console.wait_for(
        "the job to run again", lambda: console.find(f'{row} [data-testid="job-pause"]')
    )
    assert console.job(job_id)["State"] in ("Pending", "Running")
    console.find(cancel).click()
    dialog = console.wait_for("the confirmation", lambda: console.find("dialog[open]"))
    console.browser.screenshot("console-pages-jobs-cancel-asked")
    assert console.job(job_id)["State"] in ("Pending", "Running")  # nothing before the answer
    dialog.find_element("css selector", "button.danger").click()
    console.wait_for(
        "the page to show the cancellation",
        lambda: (
            console.job_row(job_id).find_element("css selector", '[data-testid="job-state"]').text
            == "Canceled"
        ),
    )
    assert _cancelled(console.job(job_id))
    console.browser.screenshot("console-pages-jobs-cancelled")
    # Refuse the associations the job's runs were left waiting on (closing the listener resets
    # them), so that the stack stops at once.
    silent_modality.close()
    console.browser.drain_logs()
    unexpected = [r for r in console.browser.failed_requests() if "/dead/" not in r["url"]]
    assert unexpected == [], console.browser.report()


def _cancelled(job: dict[str, Any]) -> bool:
    return (job["State"], job["ErrorCode"], job["ErrorDescription"]) == (
        "Failure",
        37,  # Orthanc's CanceledJob
        "This job was canceled",
    )
