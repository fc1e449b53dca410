"""API cold start: the import of ``app`` and the first JSON requests, in fresh interpreters.

    .venv/bin/python bench/coldstart.py                                  # 5 runs per mode
    .venv/bin/python bench/coldstart.py --runs 9 --baseline /tmp/before  # before/after
    .venv/bin/python bench/coldstart.py --bundle              # Lambda's bundle, with/without .pyc

What a Lambda container pays before its first answer: ``import app`` (the init phase), then
its first request, which imports boto3 and builds the clients it needs. Each run is a new
interpreter (``python -X importtime``) that imports ``app``, then calls the app's Lambda
handler with API Gateway's greedy proxy event for ``GET /system`` and then ``GET /studies``,
against the local stack's emulator (moto, started on a free port, tables created first). It
runs in three modes (:data:`MODES`): no module has bytecode (Lambda as packaged today), only
the project's modules are compiled (this machine's sessions), everything has bytecode.

Printed, as medians over the runs: the wall and CPU milliseconds of each step, the modules
loaded after it, and whether boto3, pydicom, numpy or PIL were (none must be after ``import
app``: tests/unit/test_cold_start.py), plus ``app``'s heaviest direct imports.

The machine is shared, so absolute times are noisy: ``--baseline DIR`` measures another
checkout of the project (e.g. a copy from before a change) in alternation with this one, so
that both see the same load, and the load average is printed with the figures. The CPU time
(user + system of the process) is less sensitive to other processes than the wall time.

``--bundle [DIR]`` measures what Lambda runs instead: the code bundle and the dependencies'
layer that infra/chalice_app.py packages (into DIR, or a temporary directory if none is
named), unpacked as Lambda unpacks them and run by an interpreter of the runtime's version
(``runtime_python``), once without the bundle's ``.pyc`` (Chalice's own package) and once
with them, alternately, nothing written back (Lambda's file system is read-only).

bench/images.py's ``coldstart`` section prints the import figures from here.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
HEAVY_MODULES = ("boto3", "pydicom", "numpy", "PIL")
FIRST_REQUESTS = ("/system", "/studies")
IMPORTTIME_LINE = re.compile(r"import time:\s+(\d+) \|\s+(\d+) \| (\s*)(\S+)")


# -- the probe: runs in the fresh interpreter ------------------------------------------------


def proxy_event(path: str) -> dict[str, Any]:
    """API Gateway's event for ``GET path`` through the deployed API's ``/{proxy+}``
    resource (chalicelib/api/proxy.py), as local_stack/gateway.py sends it."""
    return {
        "resource": "/{proxy+}",
        "path": path,
        "httpMethod": "GET",
        "headers": {"host": "localhost", "accept": "application/json"},
        "multiValueHeaders": {},
        "multiValueQueryStringParameters": None,
        "pathParameters": {"proxy": path.lstrip("/")},
        "stageVariables": {},
        "requestContext": {
            "resourcePath": "/{proxy+}",
            "httpMethod": "GET",
            "path": path,
            "identity": {"sourceIp": "127.0.0.1"},
        },
        "body": None,
        "isBase64Encoded": False,
    }


class LambdaContext:
    """What the handlers read of Lambda's context object."""

    aws_request_id = "coldstart"
    function_name = "cirrus-api"
    memory_limit_in_mb = 1024

    @staticmethod
    def get_remaining_time_in_millis() -> int:
        return 30_000


def first_requests(app: Any) -> list[dict[str, Any]]:
    """The first requests of the fresh interpreter that just imported ``app``: one step
    each, as :data:`PROBE` times ``import app``."""
    steps = []
    for path in FIRST_REQUESTS:
        started = time.perf_counter(), time.process_time()
        answer = app(proxy_event(path), LambdaContext())
        steps.append(step(f"first GET {path}", started) | {"status": answer["statusCode"]})
    return steps


def step(name: str, started: tuple[float, float]) -> dict[str, Any]:
    """Wall and CPU milliseconds since ``started``, and the modules loaded by then."""
    wall, cpu = time.perf_counter() - started[0], time.process_time() - started[1]
    heavy = [m for m in HEAVY_MODULES if m in sys.modules]
    return {"step": name, "wall_ms": wall * 1e3, "cpu_ms": cpu * 1e3, "heavy": heavy} | {
        "modules": len(sys.modules)
    }


# Run with ``-c`` in the checkout measured: nothing but ``sys`` and ``time`` is imported
# before ``app`` (this module's own imports would otherwise be paid before the clock starts).
PROBE = """
import sys, time
started = time.perf_counter(), time.process_time()
import app
sys.path.insert(0, {bench!r})
import coldstart
steps = [coldstart.step("import app", started)]
if {requests!r}:
    steps += coldstart.first_requests(app.app)
print(coldstart.json.dumps(steps))
"""


# -- the driver ------------------------------------------------------------------------------


@dataclass
class Run:
    """One fresh interpreter: its steps (see :data:`PROBE`), ``app``'s cumulative import time
    under ``-X importtime`` and that of each module imported directly under it."""

    steps: list[dict[str, Any]]
    app_us: int
    children: dict[str, int] = field(default_factory=dict)


def run_once(
    root: Path, env: dict[str, str], requests: bool, python: Sequence[str] = (sys.executable,)
) -> Run:
    """One fresh interpreter ``python`` in the checkout ``root``, with ``env``; with
    ``requests`` (then ``env`` names the emulator) it also answers the first requests."""
    result = subprocess.run(
        [
            *python,
            "-X",
            "importtime",
            "-c",
            PROBE.format(bench=str(Path(__file__).parent), requests=requests),
        ],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    app_us, children = 0, {}
    for line in result.stderr.splitlines():
        match = IMPORTTIME_LINE.match(line)
        if match is None:
            continue
        cumulative, indent, name = int(match[2]), len(match[3]), match[4]
        if indent == 0 and name == "app":
            app_us = cumulative
            break  # what follows was imported by the requests
        if indent == 0:  # a module imported before app: its children are not app's
            children.clear()
        elif indent == 2:  # importtime indents two spaces per level: app's own imports
            children[name] = children.get(name, 0) + cumulative
    return Run(json.loads(result.stdout.splitlines()[-1]), app_us, children)


# How modules load, the three ways a process meets them:
MODES = {
    # Nothing has bytecode: every module is compiled at each start. Lambda as Chalice
    # packages Cirrus today: the wheels are unzipped, not installed (no .pyc), and the
    # function's file system is read-only, so nothing is cached between cold starts.
    "no .pyc": "empty",
    # The libraries have their installed .pyc, the project has none (sessions that set
    # PYTHONDONTWRITEBYTECODE, as here; a checkout with __pycache__ directories reads them).
    "project source": "installed",
    # Everything cached: a developer's machine, or a Lambda package compiled for its runtime.
    "bytecode": "cache",
}


def with_mode(env: dict[str, str], cache: Path, mode: str) -> dict[str, str]:
    """``env`` for one of :data:`MODES`; ``cache`` is a fresh directory for it."""
    env = {**env, "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("PYTHONPYCACHEPREFIX", None)
    if MODES[mode] == "empty":  # read from (and write to) an empty, unwritten cache
        env["PYTHONPYCACHEPREFIX"] = str(cache)
    elif MODES[mode] == "cache":
        env.pop("PYTHONDONTWRITEBYTECODE")
        env["PYTHONPYCACHEPREFIX"] = str(cache)
    return env


def measure(
    roots: dict[str, Path], env: dict[str, str], runs: int, requests: bool
) -> dict[str, list[Run]]:
    """``runs`` fresh interpreters per checkout and mode, the checkouts alternated so that
    they see the same load; keyed "<checkout>, <mode>"."""
    results: dict[str, list[Run]] = {}
    with tempfile.TemporaryDirectory(prefix="cirrus-coldstart-") as caches:
        for mode in MODES:
            cache = Path(caches) / MODES[mode]
            cache.mkdir()
            envs = with_mode(env, cache, mode)
            if MODES[mode] == "cache":  # writes the cache; not counted
                for root in roots.values():
                    run_once(root, envs, requests)
            for _ in range(runs):
                for label, root in roots.items():
                    results.setdefault(f"{label}, {mode}", []).append(
                        run_once(root, envs, requests)
                    )
    return results


# The two ways of the Lambda bundle (--bundle): as Chalice packages it, and with the bytecode
# infra/chalice_app.py adds.
BUNDLE_MODES = {"bundle without .pyc": False, "bundle with .pyc": True}


def unpack_bundle(bundle: Path, into: Path, bytecode: bool) -> dict[str, str]:
    """Unpack the code bundle and the layer of the package directory ``bundle`` under
    ``into`` as Lambda does (``task/``, and ``opt/`` for the layer), with or without their
    ``.pyc``; the import path the runtime gives the function."""
    from infra.chalice_app import LAMBDA_RUNTIME

    for name, directory in (("deployment.zip", "task"), ("layer-deployment.zip", "opt")):
        with zipfile.ZipFile(bundle / name) as archive:
            members = [n for n in archive.namelist() if bytecode or not n.endswith(".pyc")]
            archive.extractall(into / directory, members)
    site = into / "opt" / "python" / "lib" / LAMBDA_RUNTIME / "site-packages"
    return {"PYTHONPATH": os.pathsep.join([str(site), str(into / "opt" / "python")])}


def measure_bundle(
    bundle: Path, env: dict[str, str], runs: int, requests: bool
) -> dict[str, list[Run]]:
    """``runs`` fresh interpreters of the runtime's version per :data:`BUNDLE_MODES`,
    alternated, each after one untimed run (the file cache)."""
    from infra.chalice_app import runtime_env, runtime_python

    python = runtime_python()
    if python is None:
        raise SystemExit("--bundle needs an interpreter of the Lambda runtime's version")
    results: dict[str, list[Run]] = {}
    with tempfile.TemporaryDirectory(prefix="cirrus-coldstart-bundle-") as scratch:
        modes = {}
        for mode, bytecode in BUNDLE_MODES.items():
            into = Path(scratch) / str(bytecode)
            path = unpack_bundle(bundle, into, bytecode)
            lambda_env = runtime_env(env) | path
            lambda_env |= {"PYTHONDONTWRITEBYTECODE": "1", "PYTHONNOUSERSITE": "1"}
            modes[mode] = into / "task", lambda_env
            run_once(into / "task", lambda_env, requests, python)
        for _ in range(runs):
            for mode, (root, lambda_env) in modes.items():
                results.setdefault(mode, []).append(run_once(root, lambda_env, requests, python))
    return results


def packaged_bundle(directory: Path | None, stack: ExitStack) -> Path:
    """The package directory of ``--bundle``: ``directory``, or the app packaged now as a
    synthesis packages it (stage ``dev``) into a temporary one."""
    if directory is not None:
        return directory.resolve()
    from infra.chalice_app import package

    directory = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="cirrus-bundle-")))
    package(str(REPO_ROOT), str(directory), "dev")
    return directory


def report(results: dict[str, list[Run]]) -> list[str]:
    """The table of medians, and the heaviest imports of app (from source) per checkout."""
    from ingest import aligned

    header = ["checkout, modules from", "step", "ms median", "range", "CPU ms", "modules"]
    rows = [row for label, runs in results.items() for row in summary(label, runs)]
    lines = aligned([[*header, "loaded"], *rows])
    for label, runs in results.items():
        lines.append(f"{label}: heaviest direct imports of app: {heaviest(runs[-1])}")
    return lines


def summary(label: str, runs: Sequence[Run]) -> list[list[str]]:
    """Table rows for one checkout: per step, the medians over ``runs``."""
    rows = []
    importtimes = sorted(r.app_us / 1e3 for r in runs)
    rows.append(
        [
            label,
            "import app (-X importtime)",
            f"{statistics.median(importtimes):.0f}",
            f"{importtimes[0]:.0f}-{importtimes[-1]:.0f}",
            "",
            "",
            "",
        ]
    )
    for i, step in enumerate(runs[0].steps):
        wall = sorted(r.steps[i]["wall_ms"] for r in runs)
        cpu = statistics.median(r.steps[i]["cpu_ms"] for r in runs)
        heavy = sorted({m for r in runs for m in r.steps[i]["heavy"]})
        status = step.get("status", "")
        rows.append(
            [
                label,
                step["step"] + (f" ({status})" if status else ""),
                f"{statistics.median(wall):.0f}",
                f"{wall[0]:.0f}-{wall[-1]:.0f}",
                f"{cpu:.0f}",
                str(step["modules"]),
                ",".join(heavy) or "-",
            ]
        )
    return rows


def heaviest(run: Run, count: int = 5) -> str:
    top = sorted(run.children.items(), key=lambda kv: -kv[1])[:count]
    return ", ".join(f"{name} {us / 1e3:.0f} ms" for name, us in top)


def cold_start(runs: int) -> list[str]:
    """The import figures alone (no emulator), for bench/images.py's ``coldstart`` section:
    ``runs`` fresh interpreters per loading mode (the first may pay for a cold file cache:
    medians)."""
    results = measure({"this": REPO_ROOT}, dict(os.environ), runs, requests=False)
    title = f'== Cold start: python -X importtime -c "import app", {runs} fresh interpreters =='
    return [title, *report(results)]


def emulator_environment(emulator_port: int, data_dir: Path) -> dict[str, str]:
    """The environment the local stack gives product code (local_stack/stack.py)."""
    from local_stack.settings import StackSettings
    from local_stack.stack import aws_environment

    settings = StackSettings("127.0.0.1", 0, emulator_port, 0, data_dir)
    return aws_environment(settings)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--runs", type=int, default=5, help="fresh interpreters per checkout and mode"
    )
    parser.add_argument("--baseline", type=Path, help="another checkout, measured alternately")
    parser.add_argument(
        "--bundle",
        type=Path,
        nargs="?",
        const=False,
        help="measure the Lambda bundle in this package directory (packaged now if none)",
    )
    args = parser.parse_args(argv)
    if args.runs <= 0:
        parser.error("--runs must be positive")
    if args.bundle is not None and args.baseline:
        parser.error("--bundle and --baseline are exclusive")
    sys.path.insert(0, str(REPO_ROOT))
    from ingest import log
    from servers import MotoProcess

    from chalicelib.storage.schema import ensure_storage
    from local_stack.stack import emulator_client

    roots = {"this": REPO_ROOT} | ({"baseline": args.baseline.resolve()} if args.baseline else {})
    with ExitStack() as stack:
        moto = stack.enter_context(MotoProcess())
        ensure_storage(emulator_client("dynamodb", moto.url), emulator_client("s3", moto.url))
        data_dir = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        env = emulator_environment(moto.port, data_dir)
        if args.bundle is not None:
            bundle = packaged_bundle(args.bundle or None, stack)
            log(f"emulator on {moto.url}; {args.runs} runs of the bundle in {bundle}")
            loads = [Path("/proc/loadavg").read_text().split()[0]]
            results = measure_bundle(bundle, env, args.runs, requests=True)
        else:
            log(f"emulator on {moto.url}; {args.runs} runs of {', '.join(roots)}")
            loads = [Path("/proc/loadavg").read_text().split()[0]]
            results = measure(roots, env, args.runs, requests=True)
        loads.append(Path("/proc/loadavg").read_text().split()[0])
    print(f"== Cold start: {args.runs} fresh interpreters per checkout and mode ==")
    print(f"load average (1 min) before/after: {' / '.join(loads)}")
    print("\n".join(report(results)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
