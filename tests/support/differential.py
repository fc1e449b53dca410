"""Side-by-side requests: the same request to a real Orthanc and to Cirrus, answers compared."""

from __future__ import annotations

import json
from typing import Any

from tests.support.orthanc_server import OrthancServer


class Both:
    """Sends each request to Orthanc and to Cirrus (the chalice test client); IDs Orthanc
    creates are mapped to Cirrus's so that later answers compare equal."""

    def __init__(self, orthanc: OrthancServer, cirrus: Any) -> None:
        self.orthanc, self.cirrus = orthanc, cirrus
        self.ids: dict[str, str] = {}

    def call(self, method: str, path: str, data: Any = None) -> tuple[Any, Any]:
        """(Orthanc's, Cirrus's) answer as (status, body, content type); a str ``data`` is
        sent as is, anything else as JSON."""
        raw = data if isinstance(data, str | None) else json.dumps(data)
        theirs = self.orthanc.session.request(method, self.orthanc.url + path, data=raw, timeout=30)
        ours = getattr(self.cirrus.http, method.lower())(self._ours(path), body=raw or "")
        expected = _shape(theirs.status_code, theirs.content, theirs.headers)
        actual = _shape(ours.status_code, ours.body, ours.headers)
        if isinstance(expected[1], dict) and "ID" in expected[1] and ours.status_code == 200:
            self.ids[expected[1]["ID"]] = actual[1]["ID"]
        return expected, actual

    def same(self, method: str, path: str, data: Any = None) -> Any:
        """Orthanc's answer, checked equal to Cirrus's (Orthanc's IDs in it, for later
        requests)."""
        expected, actual = self.call(method, path, data)
        assert actual == self._mapped(expected), (method, path, data)
        return expected

    def _ours(self, path: str) -> str:
        for theirs, ours in self.ids.items():
            path = path.replace(theirs, ours)
        return path

    def _mapped(self, value: Any) -> Any:
        text = json.dumps(value)
        for theirs, ours in self.ids.items():
            text = text.replace(theirs, ours)
        return tuple(json.loads(text))


def _shape(status: int, content: bytes | str, headers: Any) -> tuple[int, Any, str]:
    text = content.decode() if isinstance(content, bytes) else content
    kind = headers.get("Content-Type", "").split(";")[0]
    if kind == "application/json" or (status >= 400 and text.strip()):
        return status, json.loads(text), "json"
    return status, text, kind
