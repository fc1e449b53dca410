"""The local REST server's guards (issue 19, items 9 and 12): the loopback check of
``RemoteAccessAllowed`` sees the connection's real peer (never a header), and request bodies
above ``MaximumUploadSize`` are refused with Orthanc's 413 before they are read. The server is
the local stack's (its handler and gateway) on a free port, in-process over moto; only its
accept is wrapped, to say which peer each connection comes from."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from chalice.config import Config
from chalice.local import ThreadedHTTPServer

from tests.support.dicom_factory import make_instance
from tests.support.orthanc_server import free_port


@pytest.fixture
def server(aws: None) -> Iterator[tuple[int, list[str]]]:
    """A local REST server; the peer of the next connections is ``peers[-1]``."""
    from app import app
    from local_stack.rest import handler_class

    peers = ["127.0.0.1"]

    class PeerServer(ThreadedHTTPServer):
        def get_request(self) -> tuple[socket.socket, Any]:
            connection, address = super().get_request()
            return connection, (peers[-1], address[1])

    port = free_port()
    httpd = PeerServer(("127.0.0.1", port), handler_class(app, Config()))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield port, peers
    httpd.shutdown()
    httpd.server_close()


def _exchange(port: int, request: bytes) -> tuple[int, dict[str, Any]]:
    """Send raw ``request`` bytes; the status and JSON body of the answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(request)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
            head, _, body = answer.partition(b"\r\n\r\n")
            length = [
                int(line.split(b":")[1])
                for line in head.split(b"\r\n")
                if line.lower().startswith(b"content-length:")
            ]
            if length and len(body) >= length[0]:
                break
    head, _, body = answer.partition(b"\r\n\r\n")
    return int(head.split(b" ")[1]), json.loads(body) if body else {}


def _get(port: int, path: str, headers: str = "") -> int:
    request = f"GET {path} HTTP/1.1\r\nHost: x\r\n{headers}Connection: close\r\n\r\n"
    return _exchange(port, request.encode())[0]


def test_loopback_check_sees_the_socket_peer(server: tuple[int, list[str]]) -> None:
    port, peers = server
    assert _get(port, "/system") == 200
    peers.append("192.0.2.7")
    assert _get(port, "/system") == 403
    assert _get(port, "/system", "X-Forwarded-For: 127.0.0.1\r\nX-Real-IP: 127.0.0.1\r\n") == 403


def test_remote_peer_is_served_with_credentials(
    server: tuple[int, list[str]], configure: Any
) -> None:
    import base64

    port, peers = server
    configure(RemoteAccessAllowed=True, RegisteredUsers={"alice": "s3cret"})
    peers.append("192.0.2.7")
    assert _get(port, "/system") == 401
    token = base64.b64encode(b"alice:s3cret").decode()
    assert _get(port, "/system", f"Authorization: Basic {token}\r\n") == 200


def test_bodies_above_the_upload_limit_are_413(
    server: tuple[int, list[str]], configure: Any
) -> None:
    port, _ = server
    instance = make_instance("B1")
    configure(MaximumUploadSize=len(instance))
    head = "POST /instances HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
    declared = f"{head}Content-Length: {len(instance) + 1}\r\n\r\n".encode()
    status, body = _exchange(port, declared)  # refused before any byte of the body is sent
    assert (status, body["HttpStatus"], body["Method"], body["Uri"]) == (
        413,
        413,
        "POST",
        "/instances",
    )
    assert "MaximumUploadSize" in body["Details"]

    chunks = b"".join(b"%x\r\n%s\r\n" % (len(part), part) for part in (instance, b"x"))
    chunked = f"{head}Transfer-Encoding: chunked\r\n\r\n".encode() + chunks + b"0\r\n\r\n"
    assert _exchange(port, chunked)[0] == 413

    exact = f"{head}Content-Length: {len(instance)}\r\n\r\n".encode() + instance
    status, body = _exchange(port, exact)
    assert status == 200 and body["Status"] == "Success"
