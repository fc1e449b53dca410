"""HTTP Basic authentication and the loopback-only default."""

from __future__ import annotations

import base64

from tests.integration.helpers import assert_orthanc_error, body


def _basic(user: str, password: str) -> dict[str, str]:
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


def test_authentication_required_when_enabled(client, configure) -> None:
    configure(AuthenticationEnabled=True, RegisteredUsers={"alice": "s3cret"})
    response = client.http.get("/system")
    assert_orthanc_error(response, 401, 29, "GET")
    assert response.headers["WWW-Authenticate"].startswith("Basic realm=")
    assert_orthanc_error(
        client.http.get("/system", headers=_basic("alice", "wrong")), 401, 29, "GET"
    )
    assert_orthanc_error(
        client.http.get("/system", headers=_basic("bob", "s3cret")), 401, 29, "GET"
    )
    assert_orthanc_error(
        client.http.get("/system", headers={"Authorization": "Basic !!!"}), 401, 29, "GET"
    )
    ok = client.http.get("/system", headers=_basic("alice", "s3cret"))
    assert ok.status_code == 200
    assert body(ok)["Name"] == "Cirrus"


def test_username_is_recorded_as_metadata(client, configure) -> None:
    from tests.integration.helpers import sample_file

    configure(AuthenticationEnabled=True, RegisteredUsers={"alice": "s3cret"})
    headers = _basic("alice", "s3cret")
    answer = body(client.http.post("/instances", body=sample_file("CT_small.dcm"), headers=headers))
    meta = client.http.get(f"/instances/{answer['ID']}/metadata/HttpUsername", headers=headers)
    assert meta.body == b"alice"


def test_remote_callers_refused_without_authentication(client, monkeypatch) -> None:
    """Without authentication, only loopback callers are served (RemoteAccessAllowed)."""
    from chalice.local import LambdaEventConverter

    monkeypatch.setattr(LambdaEventConverter, "LOCAL_SOURCE_IP", "203.0.113.9")
    assert_orthanc_error(client.http.get("/system"), 403, 45, "GET")


def test_remote_access_allowed(client, configure, monkeypatch) -> None:
    from chalice.local import LambdaEventConverter

    configure(RemoteAccessAllowed=True, AuthenticationEnabled=False)
    monkeypatch.setattr(LambdaEventConverter, "LOCAL_SOURCE_IP", "203.0.113.9")
    assert client.http.get("/system").status_code == 200
