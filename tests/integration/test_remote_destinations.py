"""Peers and modalities cannot be used to reach what the deployment must not reach
(server-side request forgery, issue 19 item 2): destinations checked after name resolution
against RemoteNetworksAllowed, peer URLs without credentials, fragments or queries, answers
read up to a cap, and refusals worded as a closed port is."""

from __future__ import annotations

import gzip
import json
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import urllib3

from chalicelib.peer_client.client import MAXIMUM_ANSWER
from chalicelib.settings.config import ConfigError, parse_config
from tests.integration.helpers import assert_orthanc_error, body, get, sample_file, upload
from tests.support.fake_peer import FakePeer
from tests.support.orthanc_server import free_port

NO_LOOPBACK = ["0.0.0.0/0", "::/0"]
LOOPBACK_NAME = "pacs.test"


@pytest.fixture(autouse=True)
def loopback_name(monkeypatch: pytest.MonkeyPatch) -> None:
    """``pacs.test`` resolves to 127.0.0.1, whatever the machine's hosts file says."""
    real = socket.getaddrinfo

    def resolve(host: Any, *args: Any, **kwargs: Any) -> Any:
        return real("127.0.0.1" if host == LOOPBACK_NAME else host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolve)


@pytest.fixture
def connections(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, int]]:
    """Every TCP connection the peers' HTTP client opens (still opened for real)."""
    opened: list[tuple[str, int]] = []
    real = urllib3.util.connection.create_connection

    def recording(address: tuple[str, int], *args: Any, **kwargs: Any) -> Any:
        opened.append(address)
        return real(address, *args, **kwargs)

    monkeypatch.setattr(urllib3.util.connection, "create_connection", recording)
    return opened


@pytest.mark.parametrize(
    "url",
    [
        "http://bob:secret@10.0.0.1:8042/",
        "http://bob@10.0.0.1:8042/",
        "http://10.0.0.1:8042/#",
        "http://10.0.0.1:8042/orthanc/#x",
        "http://10.0.0.1:8042/admin?",
    ],
)
def test_urls_with_credentials_fragments_or_queries_are_refused(
    client: Any, configure: Any, url: str
) -> None:
    configure()
    for payload in ([url], {"Url": url}):
        response = client.http.put("/peers/new", body=json.dumps(payload))
        assert_orthanc_error(response, 400, 15, "PUT")
        assert "secret" not in body(response)["Details"]
    assert get(client, "/peers") == []
    with pytest.raises(ConfigError, match="OrthancPeers"):
        parse_config(json.dumps({"OrthancPeers": {"new": [url]}}))


def test_the_metadata_service_is_never_connected_to(
    client: Any, configure: Any, job_runner: Any, connections: list[tuple[str, int]]
) -> None:
    configure(RemoteNetworksAllowed=["0.0.0.0/0", "::/0", "127.0.0.0/8"])
    instance = upload(client, sample_file("CT_small.dcm"))["ID"]
    for url in ("http://169.254.169.254/latest/", "http://2852039166/", "http://[fd00:ec2::254]/"):
        assert client.http.put("/peers/imds", body=json.dumps([url])).status_code == 200
        response = client.http.get("/peers/imds/system")
        assert_orthanc_error(response, 500, 9, "GET")
        assert body(response)["Details"] == f"Cannot reach peer 'imds' at {url}system"
        store = client.http.post("/peers/imds/store", body=json.dumps([instance]))
        assert_orthanc_error(store, 500, 9, "POST")
    assert connections == []


def test_a_name_resolving_to_loopback_is_refused_as_a_closed_port_is(
    client: Any, configure: Any, connections: list[tuple[str, int]]
) -> None:
    closed = free_port()
    with FakePeer() as peer:
        port = int(peer.url.rsplit(":", 1)[1].rstrip("/"))
        peers = {
            "open": [f"http://{LOOPBACK_NAME}:{port}/"],
            "closed": [f"http://{LOOPBACK_NAME}:{closed}/"],
        }
        configure(OrthancPeers=peers)  # the local default allows loopback
        assert get(client, "/peers/open/system")["Name"] == "FakePeer"
        closed_error = body(client.http.get("/peers/closed/system"))
        assert connections, "the allowed destinations were connected to"
        connections.clear()

        configure(OrthancPeers=peers, RemoteNetworksAllowed=NO_LOOPBACK)
        response = client.http.get("/peers/open/system")
        assert_orthanc_error(response, 500, 9, "GET")
        refused_error = body(response)
        assert connections == []
    # The same words as the closed port's: the answer does not say the port is open.
    closed_words = json.dumps(closed_error).replace("closed", "open")
    assert json.dumps(refused_error) == closed_words.replace(str(closed), str(port))


@pytest.mark.parametrize("encoding", ["identity", "gzip"])
def test_oversized_answers_are_not_read(client: Any, configure: Any, encoding: str) -> None:
    with _peer_answering(b'{"Name": "' + b"x" * MAXIMUM_ANSWER + b'"}', encoding) as url:
        configure(OrthancPeers={"big": [url]})
        response = client.http.get("/peers/big/system")
    assert_orthanc_error(response, 500, 9, "GET")
    assert f"answered more than {MAXIMUM_ANSWER} bytes" in body(response)["Details"]


def test_modalities_on_refused_destinations_answer_as_a_closed_port(
    client: Any, configure: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pynetdicom import AE
    from pynetdicom.sop_class import Verification  # type: ignore[attr-defined]

    called: list[str] = []
    real = AE.associate

    def recording(self: AE, addr: str, *args: Any, **kwargs: Any) -> Any:
        called.append(addr)
        return real(self, addr, *args, **kwargs)

    monkeypatch.setattr(AE, "associate", recording)

    ae = AE(ae_title="ECHOSCP")
    ae.add_supported_context(Verification)
    port, closed = free_port(), free_port()
    server = ae.start_server(("127.0.0.1", port), block=False)
    try:

        def echo(host: str, target: int) -> Any:
            request = {"AET": "ECHOSCP", "Host": host, "Port": target, "Timeout": 3}
            return client.http.post("/tools/dicom-echo", body=json.dumps(request))

        configure()
        assert echo(LOOPBACK_NAME, port).status_code == 200
        closed_error = body(echo(LOOPBACK_NAME, closed))
        configure(RemoteNetworksAllowed=NO_LOOPBACK)
        refused = echo(LOOPBACK_NAME, port)
        assert_orthanc_error(refused, 500, 9, "POST")
        assert body(refused) == {
            **closed_error,
            "Details": closed_error["Details"].replace(str(closed), str(port)),
        }
        modality = json.dumps(["ECHOSCP", "169.254.169.254", 104])
        assert client.http.put("/modalities/imds", body=modality).status_code == 200
        response = client.http.post("/modalities/imds/echo", body="")
        assert_orthanc_error(response, 500, 9, "POST")
        assert body(response)["Details"].endswith("cannot connect to 169.254.169.254:104")
        assert called == ["127.0.0.1", "127.0.0.1"]  # the checked address, not the name
    finally:
        server.shutdown()


class _Answer(BaseHTTPRequestHandler):
    """Answers every GET with the server's ``answer`` body, in its ``encoding``."""

    protocol_version = "HTTP/1.1"
    server: Any

    def log_message(self, *args: Any) -> None:
        """Quiet."""

    def do_GET(self) -> None:
        data = self.server.answer
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        if self.server.encoding == "gzip":
            data = gzip.compress(data)
            self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        with suppress(OSError):  # the client stopped reading: what the test expects
            self.wfile.write(data)


@contextmanager
def _peer_answering(answer: bytes, encoding: str) -> Iterator[str]:
    """A local HTTP server answering ``answer``; yields its URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Answer)
    server.daemon_threads = True
    server.answer = answer  # type: ignore[attr-defined]
    server.encoding = encoding  # type: ignore[attr-defined]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
