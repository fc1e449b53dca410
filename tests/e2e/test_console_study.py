"""The console's study page (``#/study/<id>``) in headless Chromium.

A study of two series (3 and 2 CT instances) is uploaded over REST. Its page must show the
patient's and the study's tags, both series with a thumbnail the browser really decoded
(``naturalWidth > 0``), the instances of the series picked, the tags of the instance picked
(PatientName's value, and a sequence's item nested), and a viewer link that opens the study
in the OHIF viewer of the same origin. The page's own API calls are counted from the
browser's network log. One stack and one browser serve the module; a screenshot of each step
is kept in ``artifacts/screenshots/`` (also at a tablet's width).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import quote, urlsplit

import pytest
import requests
from pydicom.dataset import Dataset
from pydicom.uid import generate_uid

from console.site import BUILD_DIR, INDEX
from tests.e2e.stack import LocalStack
from tests.support.browser import Browser, needs_chromium
from tests.support.dicom_factory import make_instance
from viewer.site import BUILD_DIR as VIEWER_BUILD_DIR

pytestmark = [
    needs_chromium,
    pytest.mark.skipif(
        not (BUILD_DIR / INDEX).is_file(), reason="the console is not built (make console)"
    ),
]

PATIENT_NAME = "DOE^JOHN"
# SeriesDescription -> number of instances
SERIES = {"Axial 5mm": 3, "Scout": 2}


def two_series_study() -> tuple[str, list[bytes]]:
    """The StudyInstanceUID and the files of a study of :data:`SERIES`."""
    study = generate_uid()
    files = []
    for number, (description, count) in enumerate(SERIES.items(), start=1):
        series = generate_uid()
        for index in range(count):
            region = Dataset()
            region.CodeValue, region.CodingSchemeDesignator = "T-D3000", "SRT"
            region.CodeMeaning = "Chest"
            files.append(
                make_instance(
                    "STUDY-PAGE-1",
                    study_uid=study,
                    series_uid=series,
                    instance_number=index + 1,
                    size=64,
                    PatientName=PATIENT_NAME,
                    StudyDescription="CT chest",
                    AccessionNumber="ACC-SP1",
                    SeriesDescription=description,
                    SeriesNumber=number,
                    AnatomicRegionSequence=[region],
                )
            )
    return study, files


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    with LocalStack(tmp_path_factory.mktemp("console-study") / "data") as running:
        yield running


@pytest.fixture(scope="module")
def study(stack: LocalStack) -> dict[str, Any]:
    uid, files = two_series_study()
    answers = [requests.post(f"{stack.url}/instances", data=f, timeout=30) for f in files]
    for answer in answers:
        answer.raise_for_status()
    return {"uid": uid, "id": answers[0].json()["ParentStudy"]}


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    opened = Browser(window=(1280, 800))
    yield opened
    opened.quit()


def find_all(browser: Browser, selector: str) -> list[Any]:
    from selenium.webdriver.common.by import By

    return browser.driver.find_elements(By.CSS_SELECTOR, selector)


def thumbnails_decoded(browser: Browser) -> bool:
    return browser.driver.execute_script(
        "const images = [...document.querySelectorAll('[data-testid=series-thumbnail]')];"
        "return images.length === 2 && images.every((i) => i.complete && i.naturalWidth > 0);"
    )


def api_calls(browser: Browser, origin: str) -> list[str]:
    """The API paths the page fetched (the site's own files and the previews left out)."""
    browser.drain_logs()
    paths = []
    for request in browser.requests.values():
        url = urlsplit(request["url"])
        if url.netloc == urlsplit(origin).netloc and not url.path.startswith("/ui/app/"):
            paths.append(f"{request['method']} {url.path}")
    return [p for p in paths if not p.endswith("/preview")]


def test_study_page_shows_tags_series_and_thumbnails(
    stack: LocalStack, study: dict[str, Any], browser: Browser
) -> None:
    browser.drain_logs()
    browser.requests.clear()
    browser.driver.get(f"{stack.url}/ui/app/#/study/{study['id']}")
    summary = browser.wait_for(
        "the study's summary", lambda: find_all(browser, "[data-testid=study-summary]")[0]
    )
    assert "STUDY-PAGE-1" in summary.text and "ACC-SP1" in summary.text
    assert "CT chest" in summary.text and study["uid"] in summary.text
    browser.wait_for("two series", lambda: len(find_all(browser, "[data-testid=series-card]")) == 2)
    texts = [card.text for card in find_all(browser, "[data-testid=series-card]")]
    assert "Axial 5mm" in texts[0] and "3 instances" in texts[0]
    assert "Scout" in texts[1] and "2 instances" in texts[1]
    browser.wait_for("both thumbnails decoded", lambda: thumbnails_decoded(browser))
    browser.screenshot("console-study-page")
    # Three calls for the page (study, series expanded, patient's protection), then a preview each.
    patient = requests.get(f"{stack.url}/studies/{study['id']}", timeout=10).json()["ParentPatient"]
    assert sorted(api_calls(browser, stack.url)) == sorted(
        [
            f"GET /studies/{study['id']}",
            f"GET /studies/{study['id']}/series",
            f"GET /patients/{patient}/protected",
        ]
    )


def test_instance_tags(stack: LocalStack, study: dict[str, Any], browser: Browser) -> None:
    find_all(browser, "[data-testid=series-card]")[0].click()
    browser.wait_for(
        "3 instances", lambda: len(find_all(browser, "[data-testid=instance-row]")) == 3
    )
    first = find_all(browser, "[data-testid=instance-row] a")[0]
    first.click()
    name = browser.wait_for(
        "PatientName's tag row",
        lambda: find_all(browser, "[data-testid=tag-row][data-tag=PatientName] td")[0],
    )
    assert name.text == PATIENT_NAME
    region = find_all(browser, "[data-testid=tag-row][data-tag=AnatomicRegionSequence]")[0]
    assert "Item 1" in region.text and "Chest" in region.text
    assert "series=" in browser.driver.current_url and "instance=" in browser.driver.current_url
    browser.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", region)
    browser.screenshot("console-study-instance-tags")
    browser.driver.set_window_size(800, 1100)
    try:
        browser.wait_for("the page at a tablet's width", lambda: thumbnails_decoded(browser))
        browser.screenshot("console-study-tablet")
    finally:
        browser.driver.set_window_size(1280, 800)


def test_viewer_link(stack: LocalStack, study: dict[str, Any], browser: Browser) -> None:
    viewer = find_all(browser, "[data-testid=viewer-link]")[0]
    href = viewer.get_attribute("href")
    assert href == f"{stack.url}/ohif/viewer?StudyInstanceUIDs={quote(study['uid'])}"
    if (VIEWER_BUILD_DIR / "index.html").is_file():
        answer = requests.get(href, timeout=10)
        assert answer.status_code == 200 and "text/html" in answer.headers["Content-Type"]
