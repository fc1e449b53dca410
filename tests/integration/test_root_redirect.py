"""``GET /`` sends browsers to the web console (chalicelib/api/routes/console.py), as
Orthanc's sends them to its explorer: through the local gateway, through API Gateway's root
resource on AWS, and behind the same authentication as every other route."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from chalicelib.api.routes.console import CONSOLE_LOCATION
from console.site import SITE_PATH
from tests.integration.helpers import assert_orthanc_error
from tests.support.api_gateway import proxy_event

USERS = {"alice": "s3cret", "reader": "r"}


def _basic(user: str) -> dict[str, str]:
    token = base64.b64encode(f"{user}:{USERS[user]}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


def test_the_location_is_where_the_console_is_served() -> None:
    assert "/" + CONSOLE_LOCATION == SITE_PATH


@pytest.mark.parametrize("path", ["/", "/?x=1", "//"])
def test_the_root_redirects_to_the_console(client, path: str) -> None:
    answer = client.http.get(path)
    assert answer.status_code == 301
    # Relative, as Orthanc's "app/explorer.html": it resolves under API Gateway's stage.
    assert answer.headers["Location"] == "ui/app/"
    assert answer.body == b""


def test_other_methods_answer_405(client) -> None:
    answer = client.http.post("/", body=b"")
    assert_orthanc_error(answer, 405, 8, "POST")
    assert answer.headers["Allow"] == "GET"
    assert "Location" not in answer.headers


def test_the_redirect_needs_credentials_when_authentication_is_enabled(client, configure) -> None:
    configure(
        AuthenticationEnabled=True,
        RegisteredUsers=USERS,
        CirrusUserRoles={"reader": "read-only"},
    )
    refused = client.http.get("/")
    assert_orthanc_error(refused, 401, 29, "GET")
    assert refused.headers["WWW-Authenticate"].startswith("Basic realm=")
    assert "Location" not in refused.headers
    for user in USERS:  # any role may read
        answer = client.http.get("/", headers=_basic(user))
        assert (answer.status_code, answer.headers["Location"]) == (301, "ui/app/")


def test_the_root_resource_of_api_gateway_redirects(aws, configure) -> None:
    """On AWS the request reaches the function through the REST API's ``/`` resource, the
    stage (``/api``) in front: the relative location then names ``/api/ui/app/``."""
    from app import app

    configure(RemoteAccessAllowed=True, AuthenticationEnabled=False)
    answer: dict[str, Any] = app(proxy_event("GET", "/"), None)
    assert answer["statusCode"] == 301
    assert answer["headers"]["Location"] == "ui/app/"
