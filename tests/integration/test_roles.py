"""Read-only, uploader and administrator callers, locally (``CirrusUserRoles``) and on AWS
(the role the authorizer puts in the request's context), method faking included."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from tests.integration.helpers import assert_orthanc_error, body
from tests.support.api_gateway import proxy_event
from tests.support.dicom_factory import make_instance

USERS = {"admin": "a", "reader": "r", "clinician": "c", "stranger": "s"}
ROLES = {"reader": "read-only", "clinician": "uploader"}


def auth(user: str) -> dict[str, str]:
    token = base64.b64encode(f"{user}:{USERS[user]}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


@pytest.fixture
def users(client, configure) -> dict[str, str]:
    """The users, and one instance stored by the administrator: its IDs by level."""
    configure(AuthenticationEnabled=True, RegisteredUsers=USERS, CirrusUserRoles=ROLES)
    stored = client.http.post("/instances", body=make_instance(), headers=auth("admin"))
    assert stored.status_code == 200, stored.body
    answer = body(stored)
    return {"instance": answer["ID"], "study": answer["ParentStudy"]}


def fill(text: str, ids: dict[str, str]) -> str:
    """``text`` with ``{instance}`` and ``{study}`` replaced (JSON bodies hold other braces)."""
    return text.replace("{instance}", ids["instance"]).replace("{study}", ids["study"])


def instances(client) -> list[str]:
    return body(client.http.get("/instances", headers=auth("admin")))


@pytest.mark.parametrize("user", ["reader", "clinician", "admin", "stranger"])
def test_everyone_browses_searches_and_downloads(client, users, user) -> None:
    """``stranger`` has no role of its own: an administrator, as every user of Orthanc."""
    headers = auth(user)
    assert client.http.get(f"/instances/{users['instance']}", headers=headers).status_code == 200
    assert client.http.get(f"/studies/{users['study']}/archive", headers=headers).status_code == 200
    query = json.dumps({"Level": "Study", "Query": {}})
    found = client.http.post("/tools/find", body=query, headers=headers)
    assert body(found) == [users["study"]]
    archive = client.http.post(f"/studies/{users['study']}/archive", body="{}", headers=headers)
    assert archive.status_code == 200
    assert archive.body[:2] == b"PK"


@pytest.mark.parametrize("user", ["reader", "clinician"])
@pytest.mark.parametrize(
    ("method", "path", "request_body"),
    [
        ("DELETE", "/instances/{instance}", None),
        ("POST", "/studies/{study}/modify", '{"Replace": {"StudyDescription": "x"}}'),
        ("PUT", "/studies/{study}/labels/seen", ""),
        ("PUT", "/peers/evil", '{"Url": "http://169.254.169.254/"}'),
        ("PUT", "/modalities/evil", '["EVIL", "10.0.0.1", 104]'),
        ("PUT", "/tools/log-level", "verbose"),
        ("POST", "/peers/evil/store", '["{instance}"]'),
        ("POST", "/tools/dicom-echo", '{"AET": "X", "Host": "10.0.0.1", "Port": 104}'),
    ],
)
def test_only_administrators_change_delete_or_send(
    client, users, user: str, method: str, path: str, request_body: str | None
) -> None:
    url = fill(path, users)
    data = None if request_body is None else fill(request_body, users)
    answer = client.http.request(method, url, body=data, headers=auth(user))
    assert_orthanc_error(answer, 403, 45, method)
    assert instances(client) == [users["instance"]]
    assert body(client.http.get("/peers", headers=auth("admin"))) == []


@pytest.mark.parametrize("user", ["reader", "clinician"])
@pytest.mark.parametrize(
    ("method", "url", "headers", "faked"),
    [
        ("POST", "/instances/{instance}", {"X-HTTP-Method-Override": "DELETE"}, "DELETE"),
        ("GET", "/instances/{instance}?_method=delete", {}, "DELETE"),
        ("POST", "/studies/{study}/labels/seen", {"x-http-method-override": "put"}, "PUT"),
    ],
)
def test_a_faked_method_needs_the_role_of_the_method_it_fakes(
    client, users, user: str, method: str, url: str, headers: dict[str, str], faked: str
) -> None:
    """A POST or GET standing for a DELETE or PUT is checked as the DELETE or PUT."""
    answer = client.http.request(
        method, fill(url, users), body="", headers={**headers, **auth(user)}
    )
    assert_orthanc_error(answer, 403, 45, faked)
    assert instances(client) == [users["instance"]]
    labels = client.http.get(f"/studies/{users['study']}/labels", headers=auth("admin"))
    assert body(labels) == []


def test_administrators_fake_methods(client, users) -> None:
    headers = {"X-HTTP-Method-Override": "DELETE", **auth("admin")}
    answer = client.http.post(f"/instances/{users['instance']}", headers=headers)
    assert answer.status_code == 200
    assert instances(client) == []


def test_uploaders_store_and_readers_do_not(client, users) -> None:
    refused = client.http.post(
        "/instances", body=make_instance(patient_id="R"), headers=auth("reader")
    )
    assert_orthanc_error(refused, 403, 45, "POST")
    stored = client.http.post(
        "/instances", body=make_instance(patient_id="C"), headers=auth("clinician")
    )
    assert stored.status_code == 200, stored.body
    assert sorted(instances(client)) == sorted([users["instance"], body(stored)["ID"]])


def test_unlisted_users_take_the_role_of_the_star(client, configure) -> None:
    configure(
        AuthenticationEnabled=True,
        RegisteredUsers=USERS,
        CirrusUserRoles={**ROLES, "admin": "administrator", "*": "read-only"},
    )
    refused = client.http.post("/instances", body=make_instance(), headers=auth("stranger"))
    assert_orthanc_error(refused, 403, 45, "POST")
    stored = client.http.post("/instances", body=make_instance(), headers=auth("admin"))
    assert stored.status_code == 200


def test_unknown_paths_follow_the_default_of_their_method(client, users) -> None:
    """As Orthanc's filter, which runs before routing: a read-only caller learns nothing of
    what it may not call."""
    assert_orthanc_error(client.http.delete("/nowhere", headers=auth("reader")), 403, 45, "DELETE")
    assert_orthanc_error(client.http.get("/nowhere", headers=auth("reader")), 404, 17, "GET")


# -- on AWS: the authorizer's role in the request's context --------------------------------


def aws_call(event: dict[str, Any], role: str | None) -> dict[str, Any]:
    from app import app

    authorizer = event["requestContext"]["authorizer"]
    if role is None:
        authorizer.pop("role")
    else:
        authorizer["role"] = role
    return app(event, None)


@pytest.fixture
def stored_on_aws(aws, configure) -> str:
    # As infra/orthanc.json: the authorizer checks the users.
    configure(RemoteAccessAllowed=True, AuthenticationEnabled=False)
    answer = aws_call(proxy_event("POST", "/instances", body=make_instance()), "administrator")
    assert answer["statusCode"] == 200
    raw = answer["body"]
    return json.loads(base64.b64decode(raw) if answer.get("isBase64Encoded") else raw)["ID"]


@pytest.mark.parametrize("role", ["read-only", "uploader", None, "root"])
@pytest.mark.parametrize(
    ("method", "headers", "query"),
    [
        ("DELETE", {}, None),
        ("POST", {"X-HTTP-Method-Override": "DELETE"}, None),
        ("GET", {}, {"_method": ["DELETE"]}),
    ],
)
def test_the_authorizers_role_is_enforced_after_faking(
    stored_on_aws: str, role: str | None, method: str, headers: dict[str, str], query: Any
) -> None:
    """A context without a role, or with one that is no role, is read-only."""
    path = f"/instances/{stored_on_aws}"
    event = proxy_event(method, path, headers=headers, query=query)
    answer = aws_call(event, role)
    assert answer["statusCode"] == 403
    assert json.loads(answer["body"])["Method"] == "DELETE"
    assert aws_call(proxy_event("GET", path), role)["statusCode"] == 200
    deleted = aws_call(proxy_event(method, path, headers=headers, query=query), "administrator")
    assert deleted["statusCode"] == 200
