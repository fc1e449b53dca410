"""The console's study list (``#/studies``, the console's home) in headless Chromium.

Five studies of different patients, dates and modalities are uploaded over REST (one of them
labelled); the list must show them, find the right ones by patient name, date range and
label with the search form, sort by date, page through them two at a time
(``?PageSize=2``), show the API's error when a search is refused, and open a study from its
row. Each page of the list must cost one ``POST /tools/find`` (plus one
``/tools/count-resources`` on the first page of a search with more than one page), counted
from the browser's own network log. One stack and one browser serve the whole module; a
screenshot of each step is kept in ``artifacts/screenshots/``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

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

# PatientID -> (PatientName, StudyDate, Modality, StudyDescription)
STUDIES = {
    "E2E-1": ("Smith^Anna", "20240301", "CT", "CT HEAD"),
    "E2E-2": ("Jones^Bob", "20230615", "MR", "MR KNEE"),
    "E2E-3": ("Garcia^Carla", "20220110", "US", "US ABDOMEN"),
    "E2E-4": ("Smithson^Dora", "20240405", "CT", "CT CHEST"),
    "E2E-5": ("Brown^Eve", "20211231", "MR", "MR BRAIN"),
}
LABELLED = "E2E-1"
LABEL = "urgent"
LIST_CALLS = ("/tools/find", "/tools/count-resources")
FIELDS = (
    "PatientName",
    "PatientID",
    "AccessionNumber",
    "StudyDescription",
    "StudyDateFrom",
    "StudyDateTo",
    "ModalitiesInStudy",
    "Labels",
)


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    with LocalStack(tmp_path_factory.mktemp("console-studies") / "data") as running:
        yield running


@pytest.fixture(scope="module")
def studies(stack: LocalStack) -> dict[str, str]:
    """Upload one instance per study of :data:`STUDIES`; PatientID -> Orthanc study ID."""
    ids = {}
    for patient_id, (name, date, modality, description) in STUDIES.items():
        instance = make_instance(
            patient_id,
            PatientName=name,
            StudyDate=date,
            Modality=modality,
            StudyDescription=description,
            AccessionNumber=f"ACC-{patient_id}",
        )
        answer = requests.post(f"{stack.url}/instances", data=instance, timeout=30)
        answer.raise_for_status()
        ids[patient_id] = answer.json()["ParentStudy"]
    labelled = requests.put(f"{stack.url}/studies/{ids[LABELLED]}/labels/{LABEL}", timeout=30)
    labelled.raise_for_status()
    return ids


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    opened = Browser(window=(1280, 800))
    yield opened
    opened.quit()


@pytest.fixture(scope="module")
def console(stack: LocalStack, studies: dict[str, str], browser: Browser) -> str:
    """The console's address, opened once (the home page is the study list)."""
    url = f"{stack.url}/ui/app/"
    browser.driver.get(url)
    return url


# -- helpers ---------------------------------------------------------------------------------


def by_testid(browser: Browser, testid: str) -> Any:
    from selenium.webdriver.common.by import By

    return browser.driver.find_element(By.CSS_SELECTOR, f"[data-testid='{testid}']")


def row_ids(browser: Browser) -> list[str]:
    """The study IDs of the rows shown, top to bottom (none while a page is loading)."""
    from selenium.webdriver.common.by import By

    if browser.driver.find_elements(By.CSS_SELECTOR, "table[aria-busy='true']"):
        return []
    rows = browser.driver.find_elements(By.CSS_SELECTOR, "[data-testid='study-row']")
    return [row.get_attribute("data-study-id") for row in rows]


def wait_rows(browser: Browser, expected: list[str], what: str, ordered: bool = False) -> None:
    def shown() -> bool:
        ids = row_ids(browser)
        return ids == expected if ordered else sorted(ids) == sorted(expected)

    browser.wait_for(what, shown)


def ids_of(studies: dict[str, str], *patients: str) -> list[str]:
    return [studies[p] for p in patients]


def list_calls(browser: Browser, before: set[str]) -> list[str]:
    """The study list's API calls (their paths) since the network log held ``before``."""
    browser.drain_logs()
    return sorted(
        path
        for key, request in browser.requests.items()
        if key not in before
        for path in LIST_CALLS
        if request["url"].endswith(path)
    )


def mark(browser: Browser) -> set[str]:
    browser.drain_logs()
    return set(browser.requests)


def search(browser: Browser, **fields: str) -> None:
    """Fill the form's fields (by their parameter names; the others emptied), press Search."""
    for name in FIELDS:
        field = by_testid(browser, f"search-{name}")
        # Set as a date picker would: typing into <input type=date> depends on the locale.
        browser.driver.execute_script(
            "arguments[0].value = arguments[1]", field, fields.get(name, "")
        )
    by_testid(browser, "search-submit").click()


def shot(browser: Browser, step: str) -> Path:
    return browser.screenshot(f"console-studies-{step}")


# -- the tests -------------------------------------------------------------------------------


def test_list_shows_every_study_with_one_find(
    console: str, studies: dict[str, str], browser: Browser
) -> None:
    before = mark(browser)
    browser.driver.get(console)
    wait_rows(browser, list(studies.values()), "the five uploaded studies")
    shot(browser, "1-list")
    assert by_testid(browser, "result-count").text == "Showing 1–5 of 5 studies"
    row = by_testid(browser, "study-row")  # each row shows its study's tags, from one call
    assert row.get_attribute("data-study-id") in studies.values()
    smith = browser.driver.find_element(
        "css selector", f"[data-study-id='{studies[LABELLED]}']"
    ).text
    for shown in ("Smith, Anna", "E2E-1", "2024-03-01", "CT HEAD", "ACC-E2E-1", "CT", LABEL):
        assert shown in smith
    # The whole page is one /tools/find: one page holds every match, nothing to count.
    assert list_calls(browser, before) == ["/tools/find"]
    assert browser.failed_requests() == [], browser.report()


def test_search_by_patient_name_ignores_case(
    console: str, studies: dict[str, str], browser: Browser
) -> None:
    search(browser, PatientName="SMITH")
    wait_rows(browser, ids_of(studies, "E2E-1", "E2E-4"), "the two Smiths")
    assert "PatientName=SMITH" in browser.driver.current_url
    # The form stays in place: the keyboard's focus is still on its button.
    assert browser.driver.switch_to.active_element.get_attribute("data-testid") == "search-submit"
    shot(browser, "2-by-name")
    # Back returns to the whole list, with the form emptied.
    browser.driver.back()
    wait_rows(browser, list(studies.values()), "the whole list again")
    assert by_testid(browser, "search-PatientName").get_attribute("value") == ""


def test_search_by_date_range(console: str, studies: dict[str, str], browser: Browser) -> None:
    search(browser, StudyDateFrom="2022-01-01", StudyDateTo="2023-12-31")
    wait_rows(browser, ids_of(studies, "E2E-2", "E2E-3"), "the studies of 2022-2023")
    shot(browser, "3-by-date")
    search(browser, StudyDateFrom="2024-01-01")  # an open end
    wait_rows(browser, ids_of(studies, "E2E-1", "E2E-4"), "the studies since 2024")


def test_search_by_label_and_modality(
    console: str, studies: dict[str, str], browser: Browser
) -> None:
    search(browser, Labels=LABEL)
    wait_rows(browser, ids_of(studies, LABELLED), "the labelled study")
    shot(browser, "4-by-label")
    search(browser, ModalitiesInStudy="mr")
    wait_rows(browser, ids_of(studies, "E2E-2", "E2E-5"), "the MR studies")


def test_refused_search_shows_the_api_error(console: str, browser: Browser) -> None:
    search(browser, Labels="not a label!")
    alert = browser.wait_for(
        "the API's error", lambda: by_testid(browser, "studies-error").is_displayed()
    )
    assert alert
    text = by_testid(browser, "studies-error").text
    assert "label" in text and "HTTP 400" in text, text
    shot(browser, "5-error")
    search(browser, PatientName="nobody-has-this-name")
    browser.wait_for("the empty result", lambda: by_testid(browser, "studies-empty").text)
    assert "No study matches this search" in by_testid(browser, "studies-empty").text


def test_sort_by_study_date(console: str, studies: dict[str, str], browser: Browser) -> None:
    by_testid(browser, "search-clear").click()
    wait_rows(browser, list(studies.values()), "the whole list")
    by_date = sorted(studies, key=lambda patient: STUDIES[patient][1])
    by_testid(browser, "sort-StudyDate").click()
    wait_rows(browser, ids_of(studies, *by_date), "the oldest study first", ordered=True)
    header = browser.driver.find_element("xpath", "//th[.//*[@data-testid='sort-StudyDate']]")
    assert header.get_attribute("aria-sort") == "ascending"
    by_testid(browser, "sort-StudyDate").click()
    wait_rows(browser, ids_of(studies, *reversed(by_date)), "the newest first", ordered=True)
    assert header.get_attribute("aria-sort") == "descending"
    shot(browser, "6-sorted")


def test_pages_of_two(console: str, studies: dict[str, str], browser: Browser) -> None:
    by_date = ids_of(studies, *sorted(studies, key=lambda patient: STUDIES[patient][1]))
    before = mark(browser)
    browser.driver.get(f"{console}#/studies?OrderBy=StudyDate&PageSize=2")
    wait_rows(browser, by_date[:2], "the first page", ordered=True)
    count = by_testid(browser, "result-count")
    browser.wait_for("the total", lambda: count.text == "Showing 1–2 of 5 studies")
    assert by_testid(browser, "page-previous").get_attribute("disabled")
    assert by_testid(browser, "page-number").text == "Page 1 of 3"
    # The first page of a search: one find, and the count since the page is full.
    assert list_calls(browser, before) == ["/tools/count-resources", "/tools/find"]
    shot(browser, "7-page-1")

    before = mark(browser)
    by_testid(browser, "page-next").click()
    wait_rows(browser, by_date[2:4], "the second page", ordered=True)
    assert "Page=2" in browser.driver.current_url
    assert by_testid(browser, "result-count").text == "Showing 3–4 of 5 studies"
    assert list_calls(browser, before) == ["/tools/find"]  # the total is known already
    shot(browser, "8-page-2")

    by_testid(browser, "page-next").click()
    wait_rows(browser, by_date[4:], "the last page", ordered=True)
    assert by_testid(browser, "result-count").text == "Showing 5–5 of 5 studies"
    assert by_testid(browser, "page-next").get_attribute("disabled")
    browser.driver.back()
    wait_rows(browser, by_date[2:4], "the second page again (Back)", ordered=True)
    by_testid(browser, "page-previous").click()
    wait_rows(browser, by_date[:2], "the first page again", ordered=True)


def test_selection_of_the_page(console: str, studies: dict[str, str], browser: Browser) -> None:
    from selenium.webdriver.common.by import By

    def checked() -> int:
        boxes = browser.driver.find_elements(By.CSS_SELECTOR, "[data-testid='study-select']")
        return sum(box.is_selected() for box in boxes)

    browser.driver.get(f"{console}#/studies?PageSize=2")
    browser.wait_for("a page of two rows", lambda: len(row_ids(browser)) == 2)
    select_all = by_testid(browser, "select-all")
    select_all.click()
    assert checked() == 2
    browser.driver.find_elements(By.CSS_SELECTOR, "[data-testid='study-select']")[0].click()
    assert checked() == 1
    assert select_all.get_property("indeterminate")
    shot(browser, "9-selection")
    select_all.click()  # indeterminate -> the whole page
    assert checked() == 2
    by_testid(browser, "selection-clear").click()
    assert checked() == 0
    assert not select_all.get_property("indeterminate")


def test_open_study_from_its_row(console: str, studies: dict[str, str], browser: Browser) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    browser.driver.get(f"{console}#/studies")
    wait_rows(browser, list(studies.values()), "the whole list")
    target = studies["E2E-2"]
    row = browser.driver.find_element(By.CSS_SELECTOR, f"[data-study-id='{target}']")
    row.find_elements(By.TAG_NAME, "td")[5].click()  # the description cell
    browser.wait_for("the study's page", lambda: f"#/study/{target}" in browser.driver.current_url)
    shot(browser, "10-opened")
    browser.driver.back()
    wait_rows(browser, list(studies.values()), "the list again")
    other = studies["E2E-3"]
    link = browser.driver.find_element(
        By.CSS_SELECTOR, f"[data-study-id='{other}'] [data-testid='study-link']"
    )
    link.send_keys(Keys.ENTER)  # the keyboard's way: the patient's name is the row's link
    browser.wait_for(
        "the other study's page", lambda: f"#/study/{other}" in browser.driver.current_url
    )
