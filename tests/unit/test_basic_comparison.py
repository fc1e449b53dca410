"""HTTP Basic checks do the same work for an unknown user as for a wrong password (issue 19,
item 12): one constant-time comparison of equal-length digests, so timing reveals neither
which users exist nor a password's length or prefix."""

from __future__ import annotations

import base64
import hmac
from typing import Any

import pytest

from chalicelib import credentials

USERS = {"alice": "s3cret", "bob": "a much longer password"}


def _header(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


@pytest.fixture
def comparisons(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, Any]]:
    seen: list[tuple[Any, Any]] = []
    compare = hmac.compare_digest

    def spy(a: Any, b: Any) -> bool:
        seen.append((a, b))
        return compare(a, b)

    monkeypatch.setattr(credentials.hmac, "compare_digest", spy)
    return seen


@pytest.mark.parametrize(
    ("user", "password", "answer"),
    [
        ("alice", "s3cret", "alice"),
        ("alice", "s3cre", None),
        ("alice", "s3cret and more", None),
        ("bob", "a much longer password", "bob"),
        ("mallory", "s3cret", None),
        ("mallory", "", None),
        ("", "", None),
    ],
)
def test_one_equal_length_comparison_for_every_caller(
    comparisons: list[tuple[Any, Any]], user: str, password: str, answer: str | None
) -> None:
    assert credentials.basic_user(_header(user, password), USERS) == answer
    assert len(comparisons) == 1
    given, wanted = comparisons[0]
    assert len(given) == len(wanted) == 32


def test_an_unknown_user_matches_no_password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(credentials, "_UNKNOWN_USER_PASSWORD", b"guessed")
    assert credentials.basic_user(_header("mallory", "guessed"), USERS) is None
