"""A stand-in DICOMweb server that stores what it receives by STOW-RS (the recording
server of fake_dicomweb.py, plus a store).

It answers what exactly-once and chunking tests must know and a real server cannot tell:
the parts of each STOW-RS request as they arrived, how many times each instance arrived,
and a chosen failure for chosen instances (listed in the answer's Failed SOP Sequence). A
QIDO-RS query of one instance (``studies/{s}/series/{se}/instances?SOPInstanceUID=``)
answers whether it was stored. A path listed in ``answers`` still answers as canned (an
error status, a body that is not JSON).
"""

from __future__ import annotations

import io
import json
import threading
from collections import Counter
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pydicom

from chalicelib.dicom.multipart_related import (
    parse_content_type,
    parse_related,
    related_boundary,
)
from tests.support.fake_dicomweb import Canned, FakeDicomWeb, Recorded


class FakeStowServer(FakeDicomWeb):
    def __init__(self) -> None:
        super().__init__()
        # Each STOW-RS request's parts (their content), in the order they arrived.
        self.stow_parts: list[list[bytes]] = []
        self.received: Counter[str] = Counter()  # SOP Instance UID -> times received
        self.stored: dict[str, bytes] = {}  # SOP Instance UID -> the file last received
        # SOP Instance UIDs answered as failures (not stored).
        self.refuse: set[str] = set()
        self._lock = threading.Lock()

    def respond(self, request: Recorded) -> Canned:
        path = urlsplit(request.target).path
        if path in self.answers:
            return self.answers[path]
        if request.method == "POST" and path.endswith("/studies"):
            return self._store(request)
        if request.method == "GET" and path.endswith("/instances"):
            wanted = parse_qs(urlsplit(request.target).query).get("SOPInstanceUID", [""])[0]
            matches = [_uid_item("00080018", wanted)] if wanted in self.stored else []
            return Canned(body=json.dumps(matches).encode())
        return Canned()

    def _store(self, request: Recorded) -> Canned:
        boundary = related_boundary(parse_content_type(request.headers["content-type"]))
        parts = [part.content for part in parse_related(request.body, boundary)]
        stored, failed = [], []
        with self._lock:
            self.stow_parts.append(parts)
            for content in parts:
                uid = str(pydicom.dcmread(io.BytesIO(content)).SOPInstanceUID)
                self.received[uid] += 1
                if uid in self.refuse:
                    failed.append(_uid_item("00081155", uid))
                    continue
                self.stored[uid] = content
                stored.append(_uid_item("00081155", uid))
        answer: dict[str, Any] = {"00081199": {"vr": "SQ", "Value": stored}}
        if failed:
            answer["00081198"] = {"vr": "SQ", "Value": failed}
        return Canned(body=json.dumps(answer).encode())


def _uid_item(tag: str, uid: str) -> dict[str, Any]:
    """A DICOM JSON object holding one UID (a QIDO-RS match, a STOW-RS answer's item)."""
    return {tag: {"vr": "UI", "Value": [uid]}}
