"""The console's study list over a big index: time to the first row, and API calls per page.

    .venv/bin/python bench/console.py                    # 10,000 studies
    .venv/bin/python bench/console.py --studies 2000     # a quick look
    .venv/bin/python bench/console.py --fill rest        # fill through POST /instances (slow)
    .venv/bin/python bench/console.py --no-orthanc       # Cirrus only

Cirrus runs as in ``bench/find.py``: the local stack's REST server in a thread of this process
(``cirrus_target.CirrusServer``, which counts the product code's AWS requests), over the
local stack's emulator in a subprocess, here also serving the built console at ``/ui/app/``
as ``make run`` does. It is filled with ``--studies`` studies of one small instance each
(``find.py``'s deterministic data set: patients of 1 to 3 studies, dates over 2015-2024, one
study in 50 labelled), by default the fast way ``find.py`` fills it (the ingest's own records
written with BatchWriteItem, no files in S3: the study list reads none); ``--fill rest``
uploads the files through the API instead.

Headless Chromium (Debian's, through Selenium) then opens the console ``--loads`` times and
measures, in the page, the time from navigation start to the first ``study-row`` painted,
and the API requests each page view makes (from Chromium's performance log); then the time
of Next (page 2) and of a sort by study date (``OrderBy`` reads every match). The AWS
requests behind each of the console's calls are counted by replaying its exact body.

With Orthanc 1.10.1 (``bench/servers.py`` starts one; skipped with ``--no-orthanc``) holding
the same files, the same first-page ``/tools/find`` is timed against both servers. Orthanc
1.10.1 has no ``RequestedTags`` (1.11) nor ``OrderBy`` (1.12.5), so that comparison uses the
body both understand: ``Expand`` with ``Limit`` 51.
"""

from __future__ import annotations

import sys
from pathlib import Path

# This script is named like the repository's `console` package, and Python puts bench/ first
# on the path: the repository root goes before it, so that `console` is the package.
REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))
sys.path.insert(1, str(Path(__file__).resolve().parent))

import argparse  # noqa: E402
import json  # noqa: E402
import multiprocessing  # noqa: E402
import os  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
from collections import Counter  # noqa: E402
from collections.abc import Sequence  # noqa: E402
from contextlib import ExitStack  # noqa: E402
from typing import Any  # noqa: E402

import requests  # noqa: E402
from cirrus_target import CirrusServer  # noqa: E402
from find import dataset, fill_cirrus, labelled_studies, plan  # noqa: E402
from ingest import aligned, log  # noqa: E402
from servers import MotoProcess, OrthancServer, post_instances  # noqa: E402

from console import site  # noqa: E402
from local_stack.rest import CirrusRequestHandler  # noqa: E402
from local_stack.static_site import StaticSite  # noqa: E402
from tests.support.browser import Browser  # noqa: E402
from tests.support.dicom_factory import to_file  # noqa: E402

INSTANCES_PER_STUDY_IN_PLAN = 20  # find.plan() counts 2 series of 10 instances per study
UPLOAD_THREADS = 8
REPEAT_FIND = 5
# Set before the console's own script runs: the time (ms since navigation start) at which the
# first study row was painted (the frame after it entered the document).
FIRST_ROW_OBSERVER = """
window.__firstRow = null;
new MutationObserver((records, observer) => {
  if (document.querySelector('[data-testid="study-row"]')) {
    observer.disconnect();
    requestAnimationFrame(() => { window.__firstRow = performance.now(); });
  }
}).observe(document, { childList: true, subtree: true });
"""
# Click arguments[0] (a selector) and answer the ms until the list has loaded again: the table
# went busy (the new page asked) and back, and the next frame is painted.
TIMED_CLICK = """
const [selector, done] = arguments;
const table = () => document.querySelector('[data-testid="studies-table"]');
let sawBusy = false;
const started = performance.now();
const observer = new MutationObserver(() => {
  const busy = table() && table().getAttribute('aria-busy') === 'true';
  sawBusy = sawBusy || busy;
  if (sawBusy && !busy && table()) {
    observer.disconnect();
    requestAnimationFrame(() => done(performance.now() - started));
  }
});
observer.observe(document.body, { childList: true, subtree: true, attributes: true });
document.querySelector(selector).click();
"""


# -- the data ------------------------------------------------------------------------------


def study_file(study: Any) -> bytes:
    """One small instance of ``study`` (CT or MR in turn), with find.py's tags."""
    return to_file(dataset(study, study.number % 2, 0))


def generate(studies: int) -> list[bytes]:
    """One file per study, generated on every core (pydicom takes ~2 ms a file)."""
    chosen = plan(studies * INSTANCES_PER_STUDY_IN_PLAN)
    with multiprocessing.get_context("fork").Pool() as pool:
        return pool.map(study_file, chosen, chunksize=100)


def fill(cirrus: CirrusServer, files: Sequence[bytes], how: str, studies: int) -> str:
    """Fill Cirrus ``how`` ('index' or 'rest'); a line saying how long it took."""
    started = time.monotonic()
    if how == "rest":
        post_instances(cirrus.url, files, UPLOAD_THREADS)
        detail = f"POST /instances x{UPLOAD_THREADS} threads"
    else:
        labelled = frozenset(
            dataset(s, 0, 0).StudyInstanceUID
            for s in labelled_studies(studies * INSTANCES_PER_STUDY_IN_PLAN)
        )
        written = fill_cirrus(files, labelled)
        detail = f"{written} index items with BatchWriteItem"
    elapsed = time.monotonic() - started
    return f"Cirrus filled with {len(files)} studies in {elapsed:.1f} s ({detail})"


# -- the browser ---------------------------------------------------------------------------


class ConsoleProbe:
    """Headless Chromium on the console, with the API requests it makes read from the
    performance log."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.browser = Browser(window=(1280, 800))
        self.driver = self.browser.driver
        self.driver.set_script_timeout(600)
        self.driver.execute_cdp_cmd(
            "Page.addScriptToEvaluateOnNewDocument", {"source": FIRST_ROW_OBSERVER}
        )

    def api_requests(self) -> list[tuple[str, str, Any]]:
        """The API requests sent since the last call: (method, path, JSON body)."""
        sent = []
        for entry in self.driver.get_log("performance"):
            message = json.loads(entry["message"])["message"]
            if message["method"] != "Network.requestWillBeSent":
                continue
            request = message["params"]["request"]
            path = "/" + request["url"].split("/", 3)[-1]
            if request["url"].startswith(self.url.split("/ui/app/")[0]) and "/ui/app/" not in path:
                body = request.get("postData")
                sent.append((request["method"], path, json.loads(body) if body else None))
        return sent

    def load(self) -> float:
        """Open the console afresh; ms from navigation start to the first row painted."""
        self.driver.get("about:blank")
        self.driver.get(self.url)
        return self._wait("window.__firstRow")

    def wait_total(self) -> None:
        """Until the list shows its total (the count has answered)."""
        self._wait(
            "(document.querySelector('[data-testid=\"result-count\"]') || {}).textContent"
            "?.match(/of [0-9]/)"
        )

    def click(self, selector: str) -> float:
        """Click ``selector``; ms until the list has loaded the page it asked for."""
        return float(self.driver.execute_async_script(TIMED_CLICK, selector))

    def resource_ms(self, path: str) -> float:
        """Duration of the page's last request to ``path`` (Resource Timing)."""
        return float(
            self.driver.execute_script(
                "const entries = performance.getEntriesByType('resource')"
                ".filter((e) => e.name.endsWith(arguments[0]));"
                "return entries.length ? entries[entries.length - 1].duration : -1;",
                path,
            )
        )

    def _wait(self, expression: str, timeout: float = 600.0) -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = self.driver.execute_script(f"return {expression};")
            if value:
                return value
            time.sleep(0.02)
        raise RuntimeError(f"the console did not show {expression} in {timeout} s")

    def quit(self) -> None:
        self.browser.quit()


def summary(sent: list[tuple[str, str, Any]]) -> str:
    """'2: POST /tools/find, POST /tools/count-resources'."""
    return f"{len(sent)}: " + ", ".join(f"{method} {path}" for method, path, _ in sent)


# -- the server side -----------------------------------------------------------------------


def aws_cost(cirrus: CirrusServer, path: str, body: Any) -> tuple[str, str, str]:
    """Replay one call of the console: its ms, the ms of it spent waiting for the emulator,
    and the AWS requests behind it."""
    cirrus.counter.reset()
    started = time.perf_counter()
    response = requests.post(f"{cirrus.url}{path}", json=body, timeout=600)
    elapsed = (time.perf_counter() - started) * 1000
    response.raise_for_status()
    counts = cirrus.counter.snapshot()[0]
    by_operation = ", ".join(f"{op.split(':')[-1]} {n}" for op, n in counts.most_common())
    waited = cirrus.counter.total_seconds * 1000
    return f"{elapsed:.0f}", f"{waited:.0f}", f"{sum(counts.values())} ({by_operation})"


def median_find_ms(url: str, body: dict[str, Any]) -> float:
    """Median ms of ``REPEAT_FIND`` runs of one /tools/find (after one untimed)."""
    times = []
    with requests.Session() as session:
        for run in range(REPEAT_FIND + 1):
            started = time.perf_counter()
            session.post(f"{url}/tools/find", json=body, timeout=600).raise_for_status()
            if run:
                times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


class ConsoleHandler(CirrusRequestHandler):
    """The REST server's handler with the built console at /ui/app/, as ``make run`` has."""

    SITES = (StaticSite.console(),)

    def __init__(self, *args: Any, gateway: Any) -> None:
        super().__init__(*args, gateway=gateway, sites=self.SITES)


# -- the run -------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--studies", type=int, default=10000, help="studies in the index")
    parser.add_argument("--loads", type=int, default=5, help="page loads measured (5)")
    parser.add_argument(
        "--fill", choices=("index", "rest"), default="index", help="how Cirrus is filled"
    )
    parser.add_argument("--no-orthanc", action="store_true", help="skip Orthanc 1.10.1")
    args = parser.parse_args(argv)
    if args.studies < 2 or args.loads < 1:
        parser.error("--studies must be at least 2 and --loads positive")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    began = time.monotonic()
    if not (site.BUILD_DIR / site.INDEX).is_file():
        site.build()
    files = generate(args.studies)
    log(f"generated {len(files)} files in {time.monotonic() - began:.1f} s")
    lines: list[str] = []
    with ExitStack() as stack:
        moto = stack.enter_context(MotoProcess())
        cirrus = stack.enter_context(CirrusServer(moto.url))
        cirrus.use_handler(ConsoleHandler)
        lines.append(fill(cirrus, files, args.fill, args.studies))
        log(lines[-1])
        orthanc = None
        if not args.no_orthanc:
            orthanc = stack.enter_context(OrthancServer())
            started = time.monotonic()
            post_instances(orthanc.url, files, UPLOAD_THREADS)
            lines.append(
                f"Orthanc 1.10.1 filled in {time.monotonic() - started:.1f} s "
                f"(POST /instances x{UPLOAD_THREADS} threads)"
            )
            log(lines[-1])
        del files

        probe = ConsoleProbe(f"{cirrus.url}{site.SITE_PATH}#/studies")
        stack.callback(probe.quit)
        rows, calls = measure_console(probe, args.loads)
        cost_rows = [("call of the first page, replayed", "ms", "AWS ms", "AWS requests")]
        for method, path, body in calls:
            cost_rows.append((f"{method} {path}", *aws_cost(cirrus, path, body)))
        find_body = next(b for m, p, b in calls if p == "/tools/find")
        plain = {"Level": "Study", "Query": {}, "Expand": True, "Limit": find_body["Limit"]}
        compare = [
            ("first page, /tools/find", "cirrus ms", "orthanc ms"),
            ("the console's body", f"{median_find_ms(cirrus.url, find_body):.0f}", "-"),
            (
                f"Expand, Limit {plain['Limit']} (both)",
                f"{median_find_ms(cirrus.url, plain):.0f}",
                f"{median_find_ms(orthanc.url, plain):.0f}" if orthanc else "-",
            ),
        ]

    print(f"Console study list, {args.studies} studies (one instance each)")
    print("\n".join(lines))
    print()
    print("\n".join(aligned(rows)))
    print()
    print("\n".join(aligned(cost_rows)))
    print()
    print("\n".join(aligned(compare)))
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"\nTotal run time {time.monotonic() - began:.0f} s; load average at the end {load}.")
    return 0


def measure_console(
    probe: ConsoleProbe, loads: int
) -> tuple[list[tuple[str, ...]], list[tuple[str, str, Any]]]:
    """The browser's figures as table rows, and the calls of the first page view."""
    first_rows, finds, counts = [], [], []
    first_calls: list[tuple[str, str, Any]] = []
    probe.api_requests()  # forget the set-up's
    for number in range(loads):
        log(f"load {number + 1}/{loads}...")
        first_rows.append(probe.load())
        finds.append(probe.resource_ms("/tools/find"))
        probe.wait_total()
        counts.append(probe.resource_ms("/tools/count-resources"))
        calls = probe.api_requests()
        first_calls = first_calls or calls
    kinds = Counter(path for _, path, _ in first_calls)
    log("next page...")
    next_ms = probe.click("[data-testid='page-next']")
    next_calls = probe.api_requests()
    log("sort by study date...")
    sort_ms = probe.click("[data-testid='sort-StudyDate']")
    sort_calls = probe.api_requests()
    later = slice(1, None) if loads > 1 else slice(None)
    warm, finds, counts = first_rows[later], finds[later], counts[later]

    def ms(values: list[float]) -> str:
        return f"{statistics.mean(values):.0f}"

    rows = [
        ("study list", "ms", "API requests"),
        ("first row, first load (cold cache)", f"{first_rows[0]:.0f}", summary(first_calls)),
        (
            f"first row, later loads (mean of {len(warm)})",
            ms(warm),
            f"{sum(kinds.values())} per load",
        ),
        ("  of which POST /tools/find", ms(finds), ""),
        ("  then the count (after the rows)", ms(counts), ""),
        ("Next page", f"{next_ms:.0f}", summary(next_calls)),
        ("sort by study date (reads every match)", f"{sort_ms:.0f}", summary(sort_calls)),
    ]
    return rows, first_calls


if __name__ == "__main__":
    sys.exit(main())
