"""What the app's own routing behind API Gateway's greedy proxy costs (chalicelib/api/proxy.py).

Printed figures, in one run on this machine:

* resolving a path against the route table, averaged over one concrete path per route;
* the API function's handler called with ``GET /system`` as a greedy proxy event (resolved by
  the app) and as the pre-routed event API Gateway used to send (Chalice routes it directly):
  the difference is what the dispatch adds per request;
* ``GET /system`` on Orthanc 1.10.1 over keep-alive HTTP, for scale;
* the import time of ``app.py`` (the cold start's share that the route table adds to).

Usage: ``.venv/bin/python bench/dispatch.py [--n 5000]``.
"""

from __future__ import annotations

import argparse
import http.client
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from chalicelib.api.proxy import RouteMatch, RouteResolver, routed_event  # noqa: E402
from tests.support.api_gateway import concrete, proxy_event  # noqa: E402
from tests.support.orthanc_server import OrthancServer  # noqa: E402


def per_call_us(call: Callable[[], object], n: int) -> float:
    """The median over 5 rounds of the mean time of ``n`` calls, in microseconds."""
    rounds = []
    for _ in range(5):
        started = time.perf_counter()
        for _ in range(n):
            call()
        rounds.append((time.perf_counter() - started) / n * 1e6)
    return statistics.median(rounds)


def resolve_us(routes: list[str], n: int) -> float:
    resolver = RouteResolver(routes)
    paths = [concrete(route)[0] for route in routes]

    def resolve_all() -> None:
        for path in paths:
            resolver.resolve(path)

    return per_call_us(resolve_all, max(1, n // len(paths))) / len(paths)


def handler_us(n: int) -> tuple[float, float]:
    """(proxy event, pre-routed event) per call of the API function's handler."""
    from app import app

    proxied = proxy_event("GET", "/system")
    proxied["requestContext"]["identity"]["sourceIp"] = "127.0.0.1"  # no config file here
    routed = routed_event(proxied, RouteMatch("/system", {}))
    for event in (proxied, routed):
        assert app(event, None)["statusCode"] == 200
    return per_call_us(lambda: app(proxied, None), n), per_call_us(lambda: app(routed, None), n)


def orthanc_system_us(n: int) -> float:
    with OrthancServer() as orthanc:
        connection = http.client.HTTPConnection("127.0.0.1", orthanc.http_port)

        def get() -> None:
            connection.request("GET", "/system")
            connection.getresponse().read()

        get()
        return per_call_us(get, max(1, n // 5))


def import_ms() -> float:
    probe = "import time; t = time.perf_counter(); import app; print(time.perf_counter() - t)"
    runs = [
        float(
            subprocess.run(
                [sys.executable, "-c", probe],
                cwd=REPO_ROOT,
                check=True,
                capture_output=True,
                text=True,
            ).stdout
        )
        for _ in range(7)
    ]
    return statistics.median(runs) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=5000, help="calls per timed round")
    args = parser.parse_args()
    from app import app

    routes = [route for route, methods in app.routes.items() if methods]
    proxied, routed = handler_us(args.n)
    print(f"routes: {len(routes)}")
    print(f"resolve one path:                        {resolve_us(routes, args.n * 10):7.2f} µs")
    print(f"API handler, GET /system, proxy event:   {proxied:7.1f} µs")
    print(f"API handler, GET /system, routed event:  {routed:7.1f} µs")
    print(f"dispatch added per request:              {proxied - routed:7.1f} µs")
    print(f"Orthanc 1.10.1, GET /system over HTTP:   {orthanc_system_us(args.n):7.1f} µs")
    print(f"import app.py (median of 7):             {import_ms():7.0f} ms")


if __name__ == "__main__":
    main()
