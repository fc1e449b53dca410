"""Signing in to the console (console/src/auth.js, pages/signin.js) in headless Chromium.

With ``AuthenticationEnabled`` the API answers 401 with Orthanc's ``WWW-Authenticate: Basic``
challenge, which makes Chromium open its own password prompt for a page's request that
includes the browser's credentials. The console must show its sign-in page instead: the
browser's auth challenges are watched through the DevTools protocol (``Fetch.authRequired``
is what Chromium raises before it would prompt) and none may happen, while Orthanc clients
still get the challenge.

Cognito's hosted sign-in is played by a small OAuth server of the test (``/oauth2/authorize``
redirects back with a code, ``/oauth2/token`` checks the PKCE verifier against the challenge),
with a console built for it and served, as locally, in front of the stack by a recording
proxy: the stack refuses the Bearer token (it knows Basic users only), so the test checks
what the browser sent.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import secrets
import threading
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pydicom
import pytest
import requests
from pydicom.data import get_testdata_file
from pydicom.uid import generate_uid

from console import site
from local_stack.static_site import StaticSite
from tests.e2e.stack import LocalStack
from tests.support.browser import Browser, needs_chromium
from tests.support.orthanc_server import free_port

USER, PASSWORD = "alice", "console-pw-1"
PATIENT = "Signin^Console"
CLIENT_ID = "console-client"
# What the fake pool issues: JWT-shaped, so the console keeps it as it would Cognito's.
ID_TOKEN = "eyJhbGciOiJSUzI1NiJ9.eyJ0b2tlbl91c2UiOiJpZCJ9.aWQtc2lnbmF0dXJl"

pytestmark = [
    needs_chromium,
    pytest.mark.skipif(
        not site.ESBUILD.is_file(), reason="the console's npm packages (make console)"
    ),
]


def _study() -> bytes:
    ds = pydicom.dcmread(get_testdata_file("CT_small.dcm"))
    ds.PatientName, ds.PatientID = PATIENT, "SIGNIN-1"
    ds.StudyInstanceUID, ds.SeriesInstanceUID = generate_uid(), generate_uid()
    ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID = generate_uid()
    out = io.BytesIO()
    ds.save_as(out, enforce_file_format=True)
    return out.getvalue()


def _serve(handler: type[BaseHTTPRequestHandler]) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer(("127.0.0.1", free_port()), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


class _Quiet(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """The assertions are the record."""

    def _answer(self, status: int, body: bytes, headers: dict[str, str]) -> None:
        self.send_response(status)
        for name, value in {"Content-Length": str(len(body)), **headers}.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)


class FakePool(_Quiet):
    """Cognito's two OAuth endpoints, as the console uses them; ``calls`` records them."""

    calls: list[dict[str, Any]]
    console_origin: str

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        if url.path != "/oauth2/authorize":
            self._answer(404, b"", {})
            return
        self.calls.append({"endpoint": "authorize", **query})
        back = urlencode({"code": "the-code", "state": query.get("state", "")})
        self._answer(302, b"", {"Location": f"{query['redirect_uri']}?{back}"})

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", 0))
        form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
        [authorize] = [c for c in self.calls if c["endpoint"] == "authorize"]
        digest = hashlib.sha256(form.get("code_verifier", "").encode()).digest()
        verified = (
            base64.urlsafe_b64encode(digest).rstrip(b"=").decode() == authorize["code_challenge"]
        )
        self.calls.append({"endpoint": "token", "verified": verified, **form})
        body = {"id_token": ID_TOKEN, "access_token": "access", "token_type": "Bearer"}
        status = 200 if verified and form.get("code") == "the-code" else 400
        if status != 200:
            body = {"error": "invalid_grant"}
        self._answer(
            status,
            json.dumps(body).encode(),
            {
                "Content-Type": "application/json",
                "Access-Control-Allow-Origin": self.console_origin,
            },
        )


class RecordingFront(_Quiet):
    """A console site (built for the fake pool) and, for every other request, the stack;
    ``sent`` records the Authorization header of each API request."""

    site: StaticSite
    upstream: str
    sent: list[tuple[str, str, str | None]]

    def _forward(self) -> None:
        if self.site.answer(self):
            return
        length = int(self.headers.get("Content-Length", 0))
        body = self.rfile.read(length) if length else None
        self.sent.append((self.command, self.path, self.headers.get("Authorization")))
        answer = requests.request(
            self.command,
            self.upstream + self.path,
            data=body,
            headers={k: v for k, v in self.headers.items() if k.lower() != "host"},
            timeout=30,
        )
        headers = {
            k: v
            for k, v in answer.headers.items()
            if k.lower() in ("content-type", "www-authenticate")
        }
        self._answer(answer.status_code, answer.content, headers)

    do_GET = do_HEAD = do_POST = do_PUT = do_DELETE = _forward


class AuthChallenges:
    """Chromium's HTTP auth challenges for the page, seen through the DevTools protocol:
    every request is let through, and a challenge (what would open the native prompt) is
    recorded and cancelled."""

    def __init__(self, driver: Any) -> None:
        import websocket

        address = driver.capabilities["goog:chromeOptions"]["debuggerAddress"]
        with urllib.request.urlopen(f"http://{address}/json", timeout=10) as answer:
            targets = json.load(answer)
        page = next(t for t in targets if t["type"] == "page")
        self.urls: list[str] = []
        self._socket = websocket.create_connection(
            page["webSocketDebuggerUrl"], suppress_origin=True, timeout=None
        )
        self._lock = threading.Lock()
        self._next_id = 0
        self._send("Fetch.enable", {"handleAuthRequests": True, "patterns": [{"urlPattern": "*"}]})
        threading.Thread(target=self._pump, daemon=True).start()

    def _send(self, method: str, params: dict[str, Any]) -> None:
        with self._lock:
            self._next_id += 1
            self._socket.send(json.dumps({"id": self._next_id, "method": method, "params": params}))

    def _pump(self) -> None:
        while True:
            try:
                message = json.loads(self._socket.recv())
            except Exception:  # the browser quit
                return
            params = message.get("params", {})
            if message.get("method") == "Fetch.requestPaused":
                self._send("Fetch.continueRequest", {"requestId": params["requestId"]})
            elif message.get("method") == "Fetch.authRequired":
                self.urls.append(params["request"]["url"])
                self._send(
                    "Fetch.continueWithAuth",
                    {
                        "requestId": params["requestId"],
                        "authChallengeResponse": {"response": "CancelAuth"},
                    },
                )

    def close(self) -> None:
        self._socket.close()


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    config = {"AuthenticationEnabled": True, "RegisteredUsers": {USER: PASSWORD}}
    with LocalStack(tmp_path_factory.mktemp("signin") / "data", config=config) as running:
        stored = requests.post(
            f"{running.url}/instances", data=_study(), auth=(USER, PASSWORD), timeout=30
        )
        assert stored.status_code == 200, stored.text
        yield running


@pytest.fixture(scope="module")
def pool() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """The fake pool's URL and the calls it received."""
    calls: list[dict[str, Any]] = []
    server = _serve(type("Pool", (FakePool,), {"calls": calls}))
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", calls
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def front(
    stack: LocalStack,
    pool: tuple[str, list[dict[str, Any]]],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[str, list[tuple[str, str, str | None]]]]:
    """The console at ``<front>/ui/app/``, built with a config naming the fake pool."""
    pool_url, _ = pool
    port = free_port()
    origin = f"http://127.0.0.1:{port}"
    config = {
        "Cognito": {
            "Domain": pool_url,
            "ClientId": CLIENT_ID,
            "RedirectUri": f"{origin}{site.SITE_PATH}",
        }
    }
    root = site.build(tmp_path_factory.mktemp("console") / "site", config=config)
    served = StaticSite(
        root, site.SITE_PATH, site.content_security_policy(pool_url), protected=False
    )
    sent: list[tuple[str, str, str | None]] = []
    handler = type(
        "Front", (RecordingFront,), {"site": served, "upstream": stack.url, "sent": sent}
    )
    FakePool.console_origin = origin  # the pool's answers to the console's token request
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield origin, sent
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def browser() -> Iterator[tuple[Browser, AuthChallenges]]:
    opened = Browser(window=(1280, 800))
    challenges = AuthChallenges(opened.driver)
    try:
        yield opened, challenges
    finally:
        challenges.close()
        opened.quit()


def _shown(driver: Any, testid: str) -> list[Any]:
    from selenium.webdriver.common.by import By

    return [
        e
        for e in driver.find_elements(By.CSS_SELECTOR, f"[data-testid='{testid}']")
        if e.is_displayed()
    ]


def _type(driver: Any, testid: str, text: str) -> None:
    [field] = _shown(driver, testid)
    field.clear()
    field.send_keys(text)


def test_basic_users_sign_in_on_the_console_page_not_the_browser_prompt(
    stack: LocalStack, browser: tuple[Browser, AuthChallenges]
) -> None:
    if not (site.BUILD_DIR / site.INDEX).is_file():
        pytest.skip("the console is not built (make console)")
    chromium, challenges = browser
    driver = chromium.driver
    driver.get(f"{stack.url}{site.SITE_PATH}")
    chromium.wait_for("the sign-in form", lambda: _shown(driver, "signin-basic"))
    assert not _shown(driver, "signout") and not _shown(driver, "signin-cognito")
    chromium.screenshot("console-signin")

    _type(driver, "signin-username", USER)
    _type(driver, "signin-password", "not-the-password")
    _shown(driver, "signin-submit")[0].click()
    error = chromium.wait_for(
        "the refusal",
        lambda: _shown(driver, "signin") and driver.find_element("css selector", ".error"),
    )
    assert "wrong password" in error.text

    _type(driver, "signin-password", PASSWORD)
    _shown(driver, "signin-submit")[0].click()
    row = chromium.wait_for("the study row", lambda: _shown(driver, "study-row"))
    assert "Signin" in row[0].text
    assert _shown(driver, "signout")
    chromium.screenshot("console-signed-in")
    # The API's 401s met no native prompt, and Orthanc's clients still get the challenge.
    assert challenges.urls == []
    refused = requests.get(f"{stack.url}/system", timeout=10)
    assert refused.status_code == 401
    assert refused.headers["WWW-Authenticate"].startswith("Basic ")

    _shown(driver, "signout")[0].click()
    chromium.wait_for("the sign-in form again", lambda: _shown(driver, "signin-basic"))
    assert not _shown(driver, "signout")
    assert driver.execute_script("return sessionStorage.getItem('cirrus.authorization')") is None
    # The watch works: a fetch that includes the browser's credentials meets the challenge.
    driver.execute_script("fetch('/system')")
    chromium.wait_for("a challenge", lambda: challenges.urls == [f"{stack.url}/system"])
    challenges.urls.clear()


def test_cognito_sign_in_exchanges_the_code_with_its_verifier_and_sends_the_id_token(
    front: tuple[str, list[tuple[str, str, str | None]]],
    pool: tuple[str, list[dict[str, Any]]],
    browser: tuple[Browser, AuthChallenges],
) -> None:
    origin, sent = front
    pool_url, calls = pool
    chromium, challenges = browser
    driver = chromium.driver
    driver.set_window_size(800, 1100)
    driver.get(f"{origin}{site.SITE_PATH}#/jobs")
    button = chromium.wait_for("the Cognito button", lambda: _shown(driver, "signin-cognito"))
    assert _shown(driver, "signin-basic")  # Basic users can still sign in
    chromium.screenshot("console-signin-cognito-tablet")
    button[0].click()

    # Off to the pool, back with a code, exchanged; the console then calls the API with the
    # ID token, which this stack refuses: the sign-in page says so.
    chromium.wait_for("the refusal of the token", lambda: _shown(driver, "signin-reason"))
    authorize, token = calls
    assert authorize["endpoint"] == "authorize"
    assert (authorize["response_type"], authorize["client_id"]) == ("code", CLIENT_ID)
    assert authorize["redirect_uri"] == f"{origin}{site.SITE_PATH}"
    assert authorize["scope"] == "openid email profile"
    assert authorize["code_challenge_method"] == "S256"
    assert token["endpoint"] == "token" and token["verified"] is True
    assert (token["grant_type"], token["code"]) == ("authorization_code", "the-code")
    assert (token["client_id"], token["redirect_uri"]) == (CLIENT_ID, authorize["redirect_uri"])
    bearer = [(method, path) for method, path, header in sent if header == f"Bearer {ID_TOKEN}"]
    assert bearer, sent
    # The address lost the code and came back to the page the user left.
    assert urlsplit(driver.current_url).query == ""
    assert driver.current_url.endswith("#/jobs")
    [current] = driver.find_elements("css selector", "nav a[aria-current='page']")
    assert current.text == "Jobs"
    assert driver.execute_script("return sessionStorage.getItem('cirrus.pkce')") is None
    assert challenges.urls == []
    chromium.screenshot("console-signin-refused-token")


def test_a_forged_return_is_refused_without_a_token_exchange(
    front: tuple[str, list[tuple[str, str, str | None]]],
    pool: tuple[str, list[dict[str, Any]]],
    browser: tuple[Browser, AuthChallenges],
) -> None:
    origin, _ = front
    _, calls = pool
    chromium, _ = browser
    driver = chromium.driver
    before = len(calls)
    driver.get(f"{origin}{site.SITE_PATH}?code=stolen&state={secrets.token_urlsafe(8)}")
    error = chromium.wait_for("the refusal", lambda: driver.find_element("css selector", ".error"))
    assert "not started in this tab" in error.text
    assert len(calls) == before
    assert _shown(driver, "signin-cognito")


def test_the_console_files_are_open_and_carry_the_policy(stack: LocalStack) -> None:
    if not (site.BUILD_DIR / site.INDEX).is_file():
        pytest.skip("the console is not built (make console)")
    index = requests.get(f"{stack.url}{site.SITE_PATH}", timeout=10)
    config = requests.get(f"{stack.url}{site.SITE_PATH}{site.CONFIG}", timeout=10)

    assert index.status_code == config.status_code == 200
    policy = index.headers["Content-Security-Policy"]
    assert policy.startswith("default-src 'self'; script-src 'self'; style-src 'self';")
    assert "unsafe" not in policy
    assert config.json()["Cognito"] is None
    assert config.json()["DirectUploadLimit"] == site.DEFAULT_CONFIG["DirectUploadLimit"]
