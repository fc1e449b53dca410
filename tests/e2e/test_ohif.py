"""The OHIF Viewer, as ``make run`` serves it at ``/ohif/``, opening a CT series in Chromium.

Debian's headless ``chromium`` is driven through its ``chromedriver`` by Selenium (nothing is
downloaded). A 20-slice CT series is uploaded, the study list must show a row naming the
patient, the study opened from it must draw its image in the viewport (the screenshot's
viewport region is not blank), and every request the page made must have stayed on the
server's origin (the Content-Security-Policy allows nothing else) and succeeded; a failing
one is named with its method, URL, Accept and status. The screenshots are kept in
``artifacts/screenshots/`` (and the requests beside them, as JSON).

The same test runs against Orthanc 1.10.1 with its DICOMweb plugin, the viewer served by a
small proxy in front of it: that variant proves the harness (the site, the policy, the
browser, the screenshot check) on the server OHIF is known to work with.
"""

from __future__ import annotations

import io
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pydicom
import pytest
import requests
from pydicom.data import get_testdata_file
from pydicom.uid import generate_uid

from local_stack.static_site import StaticSite
from tests.e2e.stack import LocalStack
from tests.support.browser import SCREENSHOTS, Browser, needs_chromium
from tests.support.orthanc_server import OrthancServer, dicomweb_config, free_port
from viewer.site import BUILD_DIR, INDEX

PATIENT_NAME = "Viewertest^Cirrus"
SLICES = 20
# A blank viewport is one flat colour; a CT slice spans many grey levels.
MIN_PIXEL_STDEV = 10.0

pytestmark = [
    needs_chromium,
    pytest.mark.skipif(
        not (BUILD_DIR / INDEX).is_file(), reason="the viewer is not built (make viewer)"
    ),
]


def ct_series() -> tuple[str, list[bytes]]:
    """pydicom's CT_small (a real 128x128 CT slice) as ``SLICES`` slices of one new series,
    1 mm apart, of a patient named :data:`PATIENT_NAME`; and the study's UID."""
    source = pydicom.dcmread(get_testdata_file("CT_small.dcm"))
    study, series, frame = generate_uid(), generate_uid(), generate_uid()
    x, y, z = (float(v) for v in source.ImagePositionPatient)
    files = []
    for index in range(SLICES):
        ds = source.copy()
        ds.PatientName = PATIENT_NAME
        ds.PatientID = "VIEWER-1"
        ds.StudyInstanceUID, ds.SeriesInstanceUID = study, series
        ds.FrameOfReferenceUID = frame
        ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID = generate_uid()
        ds.InstanceNumber = index + 1
        ds.ImagePositionPatient = [x, y, z + index]
        ds.SliceLocation = z + index
        out = io.BytesIO()
        ds.save_as(out, enforce_file_format=True)
        files.append(out.getvalue())
    return study, files


def open_study(browser: Browser, site: str, study_uid: str, name: str) -> Path:
    """Open the study list at ``site``, then the study from its row; return the screenshot
    of the drawn viewport."""
    from selenium.webdriver.common.by import By

    driver = browser.driver
    driver.get(site)
    family = PATIENT_NAME.split("^")[0]
    row = browser.wait_for(
        f"the study list row naming {family}",
        lambda: next(
            (
                element
                for element in driver.find_elements(By.CSS_SELECTOR, "tr, [role='row']")
                if family.lower() in element.text.lower()
            ),
            None,
        ),
    )
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(SCREENSHOTS / f"{name}-study-list.png"))
    row.click()
    # The row opens its preview; its mode button opens the study in the viewer.
    browser.wait_for(
        "the study's viewer button",
        lambda: _click_viewer_button(driver),
    )
    browser.wait_for("the viewer's URL", lambda: study_uid in driver.current_url)
    canvas = browser.wait_for(
        "the viewport's canvas",
        lambda: next(
            (c for c in driver.find_elements(By.CSS_SELECTOR, "canvas") if c.size["width"] > 100),
            None,
        ),
    )
    path = SCREENSHOTS / f"{name}-viewer.png"
    browser.wait_for(
        "the viewport to show the image",
        lambda: _viewport_drawn(driver, canvas, path),
    )
    return path


def _click_viewer_button(driver: Any) -> bool:
    from selenium.webdriver.common.by import By

    for button in driver.find_elements(By.CSS_SELECTOR, "button, [role='button']"):
        if button.text.strip().lower() in ("basic viewer", "viewer") and button.is_enabled():
            button.click()
            return True
    return False


def _viewport_drawn(driver: Any, canvas: Any, path: Path) -> bool:
    """Whether the screenshot's region of ``canvas`` shows an image (saved to ``path``)."""
    from PIL import Image, ImageStat

    png = driver.get_screenshot_as_png()
    path.write_bytes(png)
    image = Image.open(io.BytesIO(png)).convert("L")
    ratio = driver.execute_script("return window.devicePixelRatio") or 1
    rect = canvas.rect
    box = tuple(
        int(v * ratio)
        for v in (rect["x"], rect["y"], rect["x"] + rect["width"], rect["y"] + rect["height"])
    )
    return ImageStat.Stat(image.crop(box)).stddev[0] >= MIN_PIXEL_STDEV


def check_viewer(base_url: str, study_uid: str, name: str) -> None:
    """The whole scenario in a fresh browser, its requests kept beside the screenshots."""
    browser = Browser()
    try:
        screenshot = open_study(browser, f"{base_url}/ohif/", study_uid, name)
        browser.drain_logs()
        (SCREENSHOTS / f"{name}-requests.json").write_text(
            json.dumps(list(browser.requests.values()), indent=1)
        )
        assert screenshot.is_file()
        outside = [
            r["url"]
            for r in browser.requests.values()
            if not r["url"].startswith((base_url + "/", "data:", "blob:"))
        ]
        assert not outside, f"requests left the server's origin: {outside}"
        assert not browser.failed_requests(), browser.report()
        violations = [e for e in browser.console if "Content Security Policy" in e["message"]]
        assert not violations, violations
    finally:
        browser.quit()


class _ViewerProxy(BaseHTTPRequestHandler):
    """The viewer's site, and everything else passed to the Orthanc at ``upstream``: the
    same origin for both, as Cirrus serves them."""

    site: StaticSite
    upstream: str

    def do_GET(self) -> None:
        if self.site.answer(self):
            return
        answer = requests.get(
            self.upstream + self.path,
            headers={k: v for k, v in self.headers.items() if k.lower() != "host"},
            timeout=60,
        )
        self.send_response(answer.status_code)
        for name in ("Content-Type", "Content-Security-Policy"):
            if name in answer.headers:
                self.send_header(name, answer.headers[name])
        self.send_header("Content-Length", str(len(answer.content)))
        self.end_headers()
        self.wfile.write(answer.content)

    do_HEAD = do_GET

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the browser's network log is the record."""


@pytest.fixture(scope="module")
def orthanc_behind_proxy() -> Iterator[tuple[OrthancServer, str]]:
    with OrthancServer(extra_config=dicomweb_config()) as orthanc:
        handler = type(
            "Proxy",
            (_ViewerProxy,),
            {"site": StaticSite.viewer(BUILD_DIR), "upstream": orthanc.url},
        )
        server = ThreadingHTTPServer(("127.0.0.1", free_port()), handler)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield orthanc, f"http://127.0.0.1:{server.server_address[1]}"
        finally:
            server.shutdown()
            server.server_close()


def test_ohif_opens_a_ct_series_from_orthanc_and_its_plugin(
    orthanc_behind_proxy: tuple[OrthancServer, str],
) -> None:
    orthanc, proxy_url = orthanc_behind_proxy
    study_uid, files = ct_series()
    for data in files:
        response = requests.post(f"{orthanc.url}/instances", data=data, timeout=30)
        assert response.status_code == 200, response.text

    check_viewer(proxy_url, study_uid, "orthanc")


def test_ohif_opens_a_ct_series_from_cirrus(tmp_path: Path) -> None:
    study_uid, files = ct_series()
    with LocalStack(tmp_path / "data") as stack:
        for data in files:
            response = requests.post(f"{stack.url}/instances", data=data, timeout=30)
            assert response.status_code == 200, response.text

        check_viewer(stack.url, study_uid, "cirrus")


def test_site_answers_deep_links_with_its_policy(stack: LocalStack) -> None:
    index = requests.get(f"{stack.url}/ohif/", timeout=10)
    deep = requests.get(f"{stack.url}/ohif/viewer?StudyInstanceUIDs=1.2.3", timeout=10)
    config = requests.get(f"{stack.url}/ohif/app-config.js", timeout=10)
    missing = requests.get(f"{stack.url}/ohif/no-such-file.js", timeout=10)
    outside = requests.get(f"{stack.url}/ohif/..%2f..%2fMakefile", timeout=10)
    bare = requests.get(f"{stack.url}/ohif", timeout=10, allow_redirects=False)

    assert index.status_code == deep.status_code == 200
    assert deep.content == index.content
    assert 'window.PUBLIC_URL="/ohif/"' in index.text
    policy = index.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "'unsafe-eval'" not in policy
    assert "qidoRoot: '/dicom-web'" in config.text
    assert config.headers["Content-Type"].startswith("text/javascript")
    assert missing.status_code == outside.status_code == 404
    assert (bare.status_code, bare.headers["Location"]) == (301, "/ohif/")


def test_other_methods_reach_the_api(stack: LocalStack) -> None:
    response = requests.post(f"{stack.url}/ohif/", data=b"", timeout=10)

    assert response.status_code == 404
    assert response.json()["Message"] == "Unknown resource"
