"""The viewer's files at ``/ohif/``, answered by the local API Gateway before the app sees them.

On AWS, API Gateway answers ``GET /ohif/...`` itself from the S3 copy of the site
(``infra/viewer.py``), behind the API's authorizer, and never calls the function (the site is
~170 MB; Lambda's answers are limited to 6 MB). Locally the REST server does the same from
the site ``make run`` builds (``viewer/site.py``, in ``viewer/build``): the same files, the
same deep links (OHIF's routes answered with index.html), the same Content-Security-Policy,
and, when ``AuthenticationEnabled``, the same Basic challenge as the API's. Other methods
pass on to the app, which answers them as an unknown resource, as the deployed API does
(its ``/ohif`` resources have GET methods only).
"""

from __future__ import annotations

import mimetypes
import shutil
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from urllib.parse import unquote, urlsplit

from chalicelib import bootstrap
from chalicelib.credentials import REALM, basic_user
from viewer.site import APP_ROUTES, BUILD_DIR, INDEX, SITE_PATH, content_security_policy

_READ_METHODS = ("GET", "HEAD")


class StaticSite:
    """The built site in ``root``, served at ``prefix``."""

    def __init__(self, root: Path, prefix: str = SITE_PATH) -> None:
        self.root = root.resolve()
        self.prefix = prefix
        self.policy = content_security_policy((self.root / INDEX).read_text(encoding="utf-8"))

    @classmethod
    def built(cls) -> StaticSite | None:
        """The site ``make run`` built, or None when there is none (the tests that do not
        need the viewer run without it; ``/ohif/`` is then an unknown resource)."""
        return cls(BUILD_DIR) if (BUILD_DIR / INDEX).is_file() else None

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
        if not config.AuthenticationEnabled:
            return True
        header = handler.headers.get("Authorization", "")
        return basic_user(header, config.RegisteredUsers) is not None

    def _file(self, relative: str) -> Path | None:
        """The file a path names under the root: itself, index.html for the root and for
        OHIF's routes, else None (also for anything resolving outside the root)."""
        first = relative.split("/", 1)[0]
        if not relative or first in APP_ROUTES:
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
