"""The same HTTP request to a real Orthanc and to Cirrus (the Chalice test client), answers
compared as raw statuses, content types and bodies: for routes that answer files, text or
JSON alike (``/content``, ``/frames``, ``/module``, ``/matlab``...)."""

from __future__ import annotations

import json
from typing import Any

from tests.support.orthanc_server import OrthancServer


class Answer:
    """Status, content type (without parameters) and body of one answer."""

    def __init__(self, status: int, content_type: str, body: bytes) -> None:
        self.status, self.content_type, self.body = status, content_type, body

    def json(self) -> Any:
        return json.loads(self.body)

    def __repr__(self) -> str:
        return f"Answer({self.status}, {self.content_type!r}, {self.body[:300]!r})"


class RawPair:
    """One Orthanc and one Cirrus holding the same files (instance IDs are the same on
    both, as they derive from the files)."""

    def __init__(self, orthanc: OrthancServer, cirrus: Any) -> None:
        self.orthanc, self.cirrus = orthanc, cirrus

    def post_both(self, data: bytes) -> tuple[Any, Any]:
        """``POST /instances`` of ``data`` to both: (Orthanc's response, Cirrus's)."""
        return self.orthanc.post("/instances", data=data), self.cirrus.http.post(
            "/instances", body=data
        )

    def delete(self, instance_id: str) -> None:
        self.orthanc.delete(f"/instances/{instance_id}")
        self.cirrus.http.delete(f"/instances/{instance_id}")

    def request(
        self,
        method: str,
        path: str,
        body: str = "",
        headers: dict[str, str] | None = None,
    ) -> tuple[Answer, Answer]:
        """(Orthanc's answer, Cirrus's)."""
        theirs = self.orthanc.session.request(
            method, self.orthanc.url + path, data=body, headers=headers or {}, timeout=30
        )
        ours = getattr(self.cirrus.http, method.lower())(path, body=body, headers=headers or {})
        ours_headers = {k.lower(): v for k, v in ours.headers.items()}
        data = ours.body if isinstance(ours.body, bytes) else ours.body.encode()
        return (
            Answer(theirs.status_code, _kind(theirs.headers.get("Content-Type")), theirs.content),
            Answer(ours.status_code, _kind(ours_headers.get("content-type")), data),
        )

    def get(self, path: str, headers: dict[str, str] | None = None) -> tuple[Answer, Answer]:
        return self.request("GET", path, headers=headers)

    def same(
        self,
        path: str,
        headers: dict[str, str] | None = None,
        method: str = "GET",
        body: str = "",
    ) -> Answer:
        """Orthanc's answer, checked equal to Cirrus's: same status and content type, same
        JSON or same bytes. Where Orthanc sends an error without a body, Cirrus's body is
        Orthanc's JSON error (docs/compatibility.md), so only the statuses are compared."""
        theirs, ours = self.request(method, path, body, headers)
        assert ours.status == theirs.status, (path, theirs, ours)
        if theirs.status >= 400:
            error = ours.json()
            assert error["HttpStatus"] == theirs.status, (path, ours)
            if theirs.body:
                assert error["OrthancStatus"] == theirs.json()["OrthancStatus"], (path, ours)
            return theirs
        assert ours.content_type == theirs.content_type, (path, theirs, ours)
        if theirs.content_type.endswith("json"):
            assert ours.json() == theirs.json(), path
        else:
            assert ours.body == theirs.body, (path, theirs, ours)
        return theirs


def _kind(content_type: str | None) -> str:
    return (content_type or "").split(";")[0].strip()
