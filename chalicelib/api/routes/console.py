"""The API's root: ``GET /`` sends browsers to the web console, as Orthanc's sends them to its
explorer.

Orthanc 1.10.1 answers ``GET /`` with ``301 Moved Permanently`` and the relative
``Location: app/explorer.html``; Cirrus answers the same status with ``Location: ui/app/``,
where the console is served (``console/site.py``: locally by the REST server, on AWS by API
Gateway from S3). Relative, so that it resolves under API Gateway's stage path too
(``/api/`` leads to ``/api/ui/app/``). The route goes through :func:`serve` like every other:
with ``AuthenticationEnabled`` the redirect itself needs credentials, as Orthanc's does.
"""

from __future__ import annotations

from chalice import Blueprint, Response
from chalice.app import Request

from chalicelib.api.routing import RouteTable

blueprint = Blueprint(__name__)
routes = RouteTable(blueprint)

# console/site.py's SITE_PATH, relative to the API's root (the console package is not part of
# the function's bundle; tests/integration/test_root_redirect.py checks the two agree).
CONSOLE_LOCATION = "ui/app/"


def root(request: Request) -> Response:
    return Response(
        body="",
        status_code=301,
        headers={"Location": CONSOLE_LOCATION, "Content-Type": "text/plain"},
    )


routes.add("/", GET=root)
