"""The policy table (chalicelib/api/permissions.py) against the app's routes, and the roles
of callers (chalicelib/credentials.py)."""

from __future__ import annotations

import re

import pytest

from chalicelib.api.permissions import POLICY, required_role
from chalicelib.credentials import (
    ADMINISTRATOR,
    GROUP_ROLES,
    READ_ONLY,
    ROLES,
    UPLOADER,
    basic_role,
    grants,
    group_role,
)
from chalicelib.settings.config import ConfigError, parse_config

# What sends data out, changes what is stored or how the server behaves, whatever its method.
CHANGING = re.compile(
    r"/(modify|anonymize|merge|split|reconstruct|store|store-straight|move|get|echo|export"
    r"|bulk-delete|bulk-modify|bulk-anonymize|execute-script|invalidate-tags|compress"
    r"|uncompress|cancel|pause|resume|resubmit|storage-commitment|remove|query|retrieve"
    r"|find(-\w+)?)$"
)


def routes() -> list[tuple[str, str]]:
    from app import app

    return [(method, route) for route, methods in sorted(app.routes.items()) for method in methods]


def test_every_exception_of_the_table_is_a_route_of_the_app() -> None:
    """A renamed route must not silently fall back to the default of its method."""
    assert set(POLICY) <= set(routes())


def test_every_route_needs_a_role() -> None:
    for method, route in routes():
        assert required_role(method, route) in ROLES, (method, route)


@pytest.mark.parametrize(("method", "route"), routes())
def test_reading_is_for_everyone_changing_for_administrators(method: str, route: str) -> None:
    needed = required_role(method, route)
    if method == "GET":
        assert needed == READ_ONLY
    elif method in ("PUT", "DELETE") or (CHANGING.search(route) and route != "/tools/find"):
        assert needed == ADMINISTRATOR, (method, route)


def test_reads_posted_and_uploads_are_the_exceptions() -> None:
    assert required_role("POST", "/tools/find") == READ_ONLY
    assert required_role("POST", "/tools/count-resources") == READ_ONLY
    assert required_role("POST", "/series/{id}/archive") == READ_ONLY
    assert required_role("POST", "/instances") == UPLOADER
    assert required_role("POST", "/cirrus/uploads/{id}/complete") == UPLOADER
    assert required_role("POST", "/instances/{id}/modify") == ADMINISTRATOR


def test_unknown_paths_follow_their_method() -> None:
    assert required_role("GET", "/{proxy+}") == READ_ONLY
    assert required_role("DELETE", "/{proxy+}") == ADMINISTRATOR
    assert required_role("POST", "/{proxy+}") == ADMINISTRATOR


def test_each_role_grants_what_the_lesser_ones_grant() -> None:
    assert grants(ADMINISTRATOR, UPLOADER) and grants(ADMINISTRATOR, READ_ONLY)
    assert grants(UPLOADER, READ_ONLY) and not grants(UPLOADER, ADMINISTRATOR)
    assert not grants(READ_ONLY, UPLOADER)
    assert not grants("root", READ_ONLY)


def test_basic_users_roles() -> None:
    roles = {"rita": READ_ONLY, "typo": "admin"}
    assert basic_role("rita", roles) == READ_ONLY
    # Orthanc's RegisteredUsers can do everything: so can a user without a role.
    assert basic_role("alice", roles) == ADMINISTRATOR
    assert basic_role("alice", {**roles, "*": UPLOADER}) == UPLOADER
    # A role that is no role grants the least.
    assert basic_role("typo", roles) == READ_ONLY


def test_cognito_groups_give_the_highest_of_their_roles() -> None:
    by_role = {role: group for group, role in GROUP_ROLES.items()}
    assert group_role([]) == READ_ONLY
    assert group_role(["doctors"]) == READ_ONLY
    assert group_role([by_role[UPLOADER], "doctors"]) == UPLOADER
    assert group_role([by_role[UPLOADER], by_role[ADMINISTRATOR]]) == ADMINISTRATOR


def test_a_role_that_is_no_role_stops_start_up() -> None:
    config = parse_config('{"CirrusUserRoles": {"rita": "read-only", "*": "uploader"}}')
    assert config.CirrusUserRoles == {"rita": READ_ONLY, "*": UPLOADER}
    with pytest.raises(ConfigError, match="CirrusUserRoles.*bob"):
        parse_config('{"CirrusUserRoles": {"rita": "read-only", "bob": "admin"}}')
    with pytest.raises(ConfigError, match="CirrusUserRoles"):
        parse_config('{"CirrusUserRoles": {"rita": 1}}')
