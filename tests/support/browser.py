"""Headless Chromium for the end-to-end tests of the web pages (the viewer, the console).

Debian's ``chromium`` is driven through its ``chromedriver`` by Selenium: nothing is
downloaded. The browser's console messages and network events are recorded, so that a test
can fail naming the requests that failed; :meth:`Browser.screenshot` keeps a screenshot in
``artifacts/screenshots/`` (CI keeps that directory as an artefact).
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
WAIT_SECONDS = 90.0
# Skips a module whose tests need the browser when it is not installed.
needs_chromium = pytest.mark.skipif(
    not (CHROMIUM.exists() and CHROMEDRIVER.exists()),
    reason="Debian's chromium and chromium-driver are needed (make system-deps)",
)


class Browser:
    """Headless Chromium with its console and network events recorded."""

    def __init__(self, window: tuple[int, int] = (1400, 1000)) -> None:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service

        options = webdriver.ChromeOptions()
        options.binary_location = str(CHROMIUM)
        for argument in (
            "--headless=new",
            "--no-sandbox",
            "--disable-dev-shm-usage",
            f"--window-size={window[0]},{window[1]}",
            # WebGL on the CPU (SwiftShader): there is no GPU in CI.
            "--use-angle=swiftshader",
            "--enable-unsafe-swiftshader",
        ):
            options.add_argument(argument)
        options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
        self.driver = webdriver.Chrome(
            service=Service(executable_path=str(CHROMEDRIVER)), options=options
        )
        self.console: list[dict[str, Any]] = []
        self.requests: dict[str, dict[str, Any]] = {}

    def drain_logs(self) -> None:
        """Move the browser's buffered console and network events into this object."""
        self.console.extend(self.driver.get_log("browser"))
        for entry in self.driver.get_log("performance"):
            message = json.loads(entry["message"])["message"]
            params = message.get("params", {})
            if message["method"] == "Network.requestWillBeSent":
                request = params["request"]
                headers = {k.lower(): v for k, v in request["headers"].items()}
                self.requests[params["requestId"]] = {
                    "method": request["method"],
                    "url": request["url"],
                    "accept": headers.get("accept", ""),
                    "status": None,
                }
            elif message["method"] == "Network.responseReceived":
                known = self.requests.get(params["requestId"])
                if known is not None:
                    known["status"] = params["response"]["status"]
            elif message["method"] == "Network.loadingFailed":
                known = self.requests.get(params["requestId"])
                if known is not None and known["status"] is None:
                    known["status"] = params.get("blockedReason") or params.get("errorText")

    def wait_for(self, what: str, condition: Any, timeout: float = WAIT_SECONDS) -> Any:
        """Poll ``condition()`` until it is truthy; on timeout fail naming ``what`` and the
        requests that failed."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                found = condition()
            except Exception:  # the page is still being rebuilt under the query
                found = None
            if found:
                return found
            time.sleep(0.5)
        self.drain_logs()
        shot = self.screenshot("timed-out-" + "-".join(what.split())[:60])
        pytest.fail(f"Timed out waiting for {what} (the page: {shot}); {self.report()}")

    def failed_requests(self) -> list[dict[str, Any]]:
        return [r for r in self.requests.values() if not _succeeded(r["status"])]

    def report(self) -> str:
        errors = [e["message"] for e in self.console if e["level"] == "SEVERE"]
        return (
            f"failed requests: {json.dumps(self.failed_requests(), indent=1)}\n"
            f"console errors: {json.dumps(errors[:30], indent=1)}"
        )

    def screenshot(self, name: str) -> Path:
        """Keep the page as it is now in ``artifacts/screenshots/<name>.png``."""
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        self.driver.save_screenshot(str(path))
        return path

    def quit(self) -> None:
        self.driver.quit()


def _succeeded(status: Any) -> bool:
    # 304 and the 1xx interim are fine; None is a request still in flight (a prefetch).
    return status is None or (isinstance(status, int) and status < 400)
