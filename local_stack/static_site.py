"""The static sites (the viewer at ``/ohif/``, the console at ``/ui/app/``), answered by the
local API Gateway before the app sees them.

On AWS, API Gateway answers ``GET /ohif/...`` and ``GET /ui/app/...`` itself from the S3
copies of the sites (``infra/viewer.py``, ``infra/console.py``) and never calls the function
(the viewer is ~170 MB; Lambda's answers are limited to 6 MB). Locally the REST server does
the same from the sites ``make run`` builds (``viewer/site.py`` in ``viewer/build``,
``console/site.py`` in ``console/build``): the same files, the same deep links (the app
routes answered with index.html), the same Content-Security-Policy. The viewer, when
``AuthenticationEnabled``, asks for the same Basic credentials as the API; the console's files
hold no data and are open, as on AWS: the console signs its users in itself (Basic, or
Cognito's hosted sign-in) and sends their credentials with every API call. Other methods
pass on to the app, which answers them as an unknown resource, as the deployed API does (the
sites' resources have GET methods only).
"""

from __future__ import annotations

import mimetypes
import os
import shutil
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from urllib.parse import unquote, urlsplit

from chalicelib import bootstrap
from chalicelib.credentials import REALM, basic_user
from console import site as console_site
from viewer import site as viewer_site

_READ_METHODS = ("GET", "HEAD")


INDEX = "index.html"


class StaticSite:
    """The built site in ``root``, served at ``prefix`` with ``policy``; ``app_routes`` are
    the first path segments answered with index.html; ``protected`` asks for the API's
    credentials."""

    def __init__(
        self,
        root: Path,
        prefix: str,
        policy: str,
        *,
        app_routes: tuple[str, ...] = (),
        protected: bool = True,
    ) -> None:
        self.root = root.resolve()
        self.prefix = prefix
        self.policy = policy
        self.app_routes = app_routes
        self.protected = protected

    @classmethod
    def viewer(cls, root: Path = viewer_site.BUILD_DIR) -> StaticSite:
        """OHIF's site, behind the API's credentials."""
        policy = viewer_site.content_security_policy((root / INDEX).read_text(encoding="utf-8"))
        return cls(root, viewer_site.SITE_PATH, policy, app_routes=viewer_site.APP_ROUTES)

    @classmethod
    def console(cls, root: Path = console_site.BUILD_DIR) -> StaticSite:
        """The console's site, open (it signs its users in itself), allowed to send large
        files to the emulator's S3 (where the REST process presigns uploads)."""
        policy = console_site.content_security_policy(
            upload_origin=os.environ.get("AWS_ENDPOINT_URL", "")
        )
        return cls(root, console_site.SITE_PATH, policy, protected=False)

    @classmethod
    def built(cls) -> list[StaticSite]:
        """The sites ``make run`` built (the tests that need neither run without them; their
        paths are then unknown resources)."""
        sites = []
        if (viewer_site.BUILD_DIR / INDEX).is_file():
            sites.append(cls.viewer())
        if (console_site.BUILD_DIR / INDEX).is_file():
            sites.append(cls.console())
        return sites

    def answer(self, handler: BaseHTTPRequestHandler) -> bool:
        """Answer ``handler``'s request if it is a read of the site; False leaves it to the
        app."""
        path = urlsplit(handler.path).path
        if handler.command not in _READ_METHODS or not (
            path == self.prefix.rstrip("/") or path.startswith(self.prefix)
        ):
            return False
        if not self._admits(handler):
            self._send(handler, 401, b"", "text/plain", {"WWW-Authenticate": REALM})
        elif path == self.prefix.rstrip("/"):
            self._send(handler, 301, b"", "text/plain", {"Location": self.prefix})
        else:
            target = self._file(unquote(path[len(self.prefix) :]))
            if target is None:
                self._send(handler, 404, b"Not found\n", "text/plain")
            else:
                self._send_file(handler, target)
        return True

    def _admits(self, handler: BaseHTTPRequestHandler) -> bool:
        """The API's rule (chalicelib/api/routing.py): with ``AuthenticationEnabled``, Basic
        credentials of a registered user; any role may read the viewer. Without it the
        stack listens on loopback only (local_stack/settings.py)."""
        config = bootstrap.config()
        if not (self.protected and config.AuthenticationEnabled):
            return True
        header = handler.headers.get("Authorization", "")
        return basic_user(header, config.RegisteredUsers) is not None

    def _file(self, relative: str) -> Path | None:
        """The file a path names under the root: itself, index.html for the root and for
        OHIF's routes, else None (also for anything resolving outside the root)."""
        first = relative.split("/", 1)[0]
        if not relative or first in self.app_routes:
            return self.root / INDEX
        candidate = (self.root / relative).resolve()
        if candidate.is_relative_to(self.root) and candidate.is_file():
            return candidate
        return None

    def _send_file(self, handler: BaseHTTPRequestHandler, path: Path) -> None:
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        with path.open("rb") as source:
            size = path.stat().st_size
            self._send_headers(handler, 200, size, content_type, {})
            if handler.command != "HEAD":
                shutil.copyfileobj(source, handler.wfile)

    def _send(
        self,
        handler: BaseHTTPRequestHandler,
        status: int,
        body: bytes,
        content_type: str,
        headers: dict[str, str] | None = None,
    ) -> None:
        self._send_headers(handler, status, len(body), content_type, headers or {})
        if handler.command != "HEAD":
            handler.wfile.write(body)

    def _send_headers(
        self,
        handler: BaseHTTPRequestHandler,
        status: int,
        length: int,
        content_type: str,
        headers: dict[str, str],
    ) -> None:
        handler.send_response(status)
        for name, value in {
            "Content-Type": content_type,
            "Content-Length": str(length),
            "Content-Security-Policy": self.policy,
            "X-Content-Type-Options": "nosniff",
            # The site changes with each `make run` build; hashed names would allow more.
            "Cache-Control": "no-cache",
            **headers,
        }.items():
            handler.send_header(name, value)
        handler.end_headers()
