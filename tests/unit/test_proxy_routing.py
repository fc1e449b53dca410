"""The app's own routing behind API Gateway's greedy proxy (chalicelib/api/proxy.py): every
declared route is reached by its paths, with API Gateway's matching rules."""

from __future__ import annotations

import pytest

from chalicelib.api.proxy import RouteMatch, RouteResolver
from tests.support.api_gateway import concrete


def test_every_route_of_the_app_is_reached_by_its_paths() -> None:
    from app import app

    routes = [route for route, methods in app.routes.items() if methods]
    assert len(routes) > 100
    resolver = RouteResolver(routes)
    for route in routes:
        path, params = concrete(route)
        assert resolver.resolve(path) == RouteMatch(route, params), route


def test_literal_segments_win_over_parameters() -> None:
    resolver = RouteResolver(["/jobs/{id}", "/jobs/{id}/{key}", "/jobs/{id}/cancel"])
    assert resolver.resolve("/jobs/7/cancel") == RouteMatch("/jobs/{id}/cancel", {"id": "7"})
    assert resolver.resolve("/jobs/7/archive") == RouteMatch(
        "/jobs/{id}/{key}", {"id": "7", "key": "archive"}
    )
    assert resolver.resolve("/jobs/7") == RouteMatch("/jobs/{id}", {"id": "7"})


def test_a_literal_that_leads_nowhere_falls_back_to_the_parameter() -> None:
    resolver = RouteResolver(["/a/b/c", "/a/{x}/d"])
    assert resolver.resolve("/a/b/d") == RouteMatch("/a/{x}/d", {"x": "b"})
    assert resolver.resolve("/a/b/c") == RouteMatch("/a/b/c", {})


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/instances", RouteMatch("/instances", {})),
        ("/instances/", RouteMatch("/instances", {})),  # as Orthanc, and API Gateway
        ("//instances", RouteMatch("/instances", {})),  # as Orthanc
        ("/instances/x1", RouteMatch("/instances/{id}", {"id": "x1"})),
        ("/", None),
        ("/unknown", None),
        ("/instances/x1/unknown", None),
        ("/instances/x1/file/more", None),
    ],
)
def test_paths(path: str, expected: RouteMatch | None) -> None:
    resolver = RouteResolver(["/instances", "/instances/{id}", "/instances/{id}/file"])
    assert resolver.resolve(path) == expected


def test_the_root_is_a_route_like_any_other() -> None:
    assert RouteResolver(["/"]).resolve("/") == RouteMatch("/", {})


def test_two_parameter_names_at_one_place_are_refused_as_api_gateway_would() -> None:
    with pytest.raises(ValueError, match=r"\{other\} beside \{id\}"):
        RouteResolver(["/instances/{id}", "/instances/{other}/file"])
