"""A sending job's worker reads the next file from S3 while it sends the current one
(``chalicelib.services.jobs.sending.ReadAhead``): which files it reads, when, and what a
missing file or a skipped item does."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from botocore.exceptions import ClientError

from chalicelib.errors import OrthancError
from chalicelib.services.jobs import sending
from chalicelib.services.jobs.sending import ReadAhead

WAIT = 5.0


class FakeBlobs:
    """A bucket of ``key -> bytes`` whose reads are recorded, in order, with their thread;
    a key in ``held`` is read only once the test sets its event."""

    def __init__(self, files: dict[str, bytes]) -> None:
        self.files = files
        self.reads: list[tuple[str, str]] = []
        self.held: dict[str, threading.Event] = {}
        self.started = threading.Condition()

    def get(self, key: str) -> bytes:
        with self.started:
            self.reads.append((key, threading.current_thread().name))
            self.started.notify_all()
        if key in self.held:
            assert self.held[key].wait(WAIT)
        if key not in self.files:
            raise ClientError({"Error": {"Code": "NoSuchKey"}}, "GetObject")
        return self.files[key]

    def wait_read(self, key: str) -> str:
        """The name of the thread that read ``key``, once it started reading it."""
        with self.started:
            assert self.started.wait_for(lambda: key in dict(self.reads), WAIT), self.reads
            return dict(self.reads)[key]


def items(*names: str) -> list[list[str]]:
    return [[f"id-{name}", name] for name in names]


def reader(blobs: FakeBlobs) -> ReadAhead:
    fake: Any = blobs
    return ReadAhead(fake)


def test_the_next_file_is_read_while_the_current_one_is_used() -> None:
    blobs = FakeBlobs({"a": b"A", "b": b"B", "c": b"C"})
    blobs.held["b"] = threading.Event()
    files = reader(blobs)
    a, b, c = items("a", "b", "c")
    files.expect([a, b, c])
    # The first file is read at once, in the background.
    assert blobs.wait_read("a").startswith("cirrus-read-ahead")
    assert files.read(a) == b"A"
    # While "a" is sent, "b" is being read (held here until the test lets it finish).
    assert blobs.wait_read("b").startswith("cirrus-read-ahead")
    blobs.held["b"].set()
    assert files.read(b) == b"B"
    assert files.read(c) == b"C"
    files.close()
    assert [key for key, _ in blobs.reads] == ["a", "b", "c"]  # each file read once


def test_an_item_found_done_is_skipped_without_reading_the_ones_between() -> None:
    blobs = FakeBlobs({"a": b"A", "b": b"B", "c": b"C", "d": b"D"})
    files = reader(blobs)
    _, _, c, d = expected = items("a", "b", "c", "d")
    files.expect(expected)
    blobs.wait_read("a")
    # "a" and "b" were found at the destination: the step asks for "c" next. "a", read
    # ahead, is dropped; "b" is never read.
    assert files.read(c) == b"C"
    assert files.read(d) == b"D"
    files.close()
    assert [key for key, _ in blobs.reads] == ["a", "c", "d"]


def test_a_missing_file_fails_its_own_item_when_taken() -> None:
    blobs = FakeBlobs({"a": b"A", "c": b"C"})
    files = reader(blobs)
    a, b, c = items("a", "b", "c")
    files.expect([a, b, c])
    assert files.read(a) == b"A"
    blobs.wait_read("b")  # read ahead, and failed, while "a" was used
    with pytest.raises(OrthancError, match="Instance id-b was deleted before it was sent"):
        files.read(b)
    assert files.read(c) == b"C"  # the next items go on (a Permissive job)
    files.close()


def test_files_after_a_large_one_are_read_one_at_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sending, "READ_AHEAD_LIMIT", 3)
    blobs = FakeBlobs({"a": b"AAAA", "b": b"B", "c": b"C", "d": b"D"})
    files = reader(blobs)
    a, b, c, d = items("a", "b", "c", "d")
    files.expect([a, b, c, d])
    assert files.read(a) == b"AAAA"
    # Larger than the limit: nothing is read ahead while it is sent...
    assert [key for key, _ in blobs.reads] == ["a"]
    assert files.read(b) == b"B"
    assert blobs.reads[1] == ("b", threading.current_thread().name)
    # ...and reading ahead resumes after a small one.
    assert blobs.wait_read("c").startswith("cirrus-read-ahead")
    assert files.read(c) == b"C" and files.read(d) == b"D"
    files.close()


def test_close_drops_the_file_read_ahead_and_leaves_no_thread() -> None:
    blobs = FakeBlobs({"a": b"A", "b": b"B"})
    blobs.held["a"] = threading.Event()
    files = reader(blobs)
    files.expect(items("a", "b"))
    blobs.wait_read("a")
    blobs.held["a"].set()
    files.close()  # the step stops (a paused job) before taking "a"
    assert not [t for t in threading.enumerate() if t.name.startswith("cirrus-read-ahead")]
    assert [key for key, _ in blobs.reads] == ["a"]


def test_without_expected_items_each_file_is_read_when_asked() -> None:
    blobs = FakeBlobs({"a": b"A"})
    files = reader(blobs)
    assert files.read(items("a")[0]) == b"A"
    assert blobs.reads == [("a", threading.current_thread().name)]
    files.close()
