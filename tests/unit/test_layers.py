"""The layers of the runtime code, checked on its import graph (read with `ast`, nothing imported).

Dependencies point one way: `chalicelib.dicom` (pure DICOM logic) <- `chalicelib.services` (use
cases) <- entry points (the API routes in `chalicelib.api`, the stream and job handlers in
`app.py`, the DICOM service in `scp_container`, the local stack). Adapters (`storage`,
`dicom_client`, `peer_client`, the `jobs` launcher, `remotes`) implement what services need, and
only `chalicelib/bootstrap.py` wires them. The CDK app (`infra`) uses a few runtime modules only.

An edge is any `import` a module names, at module level or inside a function (those run too),
except under `if TYPE_CHECKING:`, which never runs. Importing `a.b.c` also runs the `__init__` of
`a` and `a.b`; those are not edges here: the graph holds what the code names.
"""

from __future__ import annotations

import ast
import re
from collections import deque
from collections.abc import Callable, Iterator
from functools import cache
from itertools import pairwise
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("chalicelib", "scp_container", "local_stack", "infra")
SKIPPED_DIRS = {"cdk.out", "chalice.out", "__pycache__"}
RUNTIME = ("chalicelib", "scp_container", "local_stack", "app")
BOOTSTRAP = "chalicelib.bootstrap"
MAY_IMPORT_BOOTSTRAP = ("app", "chalicelib.api", "scp_container", "local_stack", BOOTSTRAP)
ADAPTERS = (
    "chalicelib.storage",
    "chalicelib.dicom_client",
    "chalicelib.peer_client",
    "chalicelib.jobs",
    "chalicelib.remotes",
)
BELOW_THE_API = (
    "chalicelib.services",
    "chalicelib.dicom",
    *ADAPTERS,
    "chalicelib.model",
    "chalicelib.errors",
    "chalicelib.settings",
    "chalicelib.credentials",
    "chalicelib.observability",
)
# What infra may import from the runtime; each one it does import is named in the architecture.
INFRA_MAY_IMPORT = (
    "chalicelib.credentials",
    "chalicelib.settings.config",
    "chalicelib.api.error_map",
    "chalicelib.errors",
)
Graph = dict[str, set[str]]


def within(module: str, *prefixes: str) -> bool:
    """Whether `module` is one of `prefixes` or under one (`chalicelib.api` covers its routes)."""
    return any(module == p or module.startswith(p + ".") for p in prefixes)


def repo_modules() -> dict[str, Path]:
    files = [ROOT / "app.py"]
    for package in PACKAGES:
        files += [
            p
            for p in (ROOT / package).rglob("*.py")
            if not SKIPPED_DIRS & set(p.relative_to(ROOT).parts)
        ]
    names: dict[str, Path] = {}
    for path in files:
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        names[".".join(parts)] = path
    return names


def is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def import_nodes(node: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every import under `node`, in functions too, except the body of `if TYPE_CHECKING:`."""
    if isinstance(node, ast.Import | ast.ImportFrom):
        yield node
    elif isinstance(node, ast.If) and is_type_checking(node.test):
        for child in node.orelse:
            yield from import_nodes(child)
        return
    for child in ast.iter_child_nodes(node):
        yield from import_nodes(child)


def imports_of(source: str, module: str, is_package: bool, modules: set[str]) -> set[str]:
    """The modules of `modules` that `source` (the text of `module`) imports."""

    def resolve(name: str) -> str | None:  # the longest prefix of `name` that is a repo module
        parts = name.split(".")
        candidates = (".".join(parts[:n]) for n in range(len(parts), 0, -1))
        return next((c for c in candidates if c in modules), None)

    found: set[str | None] = set()
    for node in import_nodes(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(resolve(alias.name) for alias in node.names)
            continue
        base = node.module or ""
        if node.level:  # relative: from the module's package, up one package per extra dot
            package = module.split(".") if is_package else module.split(".")[:-1]
            anchor = package[: len(package) - node.level + 1]
            base = ".".join(anchor + ([base] if base else []))
        for alias in node.names:
            target = f"{base}.{alias.name}" if base else alias.name
            found.add(target if target in modules else resolve(base) if base else None)
    return {m for m in found if m is not None}


@cache
def import_graph() -> Graph:
    paths = repo_modules()
    modules = set(paths)
    return {
        name: imports_of(path.read_text(), name, path.name == "__init__.py", modules)
        for name, path in paths.items()
    }


def strongly_connected(graph: Graph) -> list[list[str]]:
    """Tarjan's strongly connected components that hold a cycle (several nodes or a self-loop)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while not component or component[-1] != node:
                component.append(stack.pop())
                on_stack.discard(component[-1])
            if len(component) > 1 or node in graph.get(node, ()):
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def shortest_cycle(graph: Graph, start: str) -> list[str]:
    """The shortest path start -> ... -> start (breadth first), or [] if there is none."""
    came_from: dict[str, str] = {}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for target in sorted(graph.get(node, ())):
            if target == start:
                path = [node]
                while path[-1] != start:
                    path.append(came_from[path[-1]])
                return [start, *reversed(path[:-1]), start]
            if target not in came_from:
                came_from[target] = node
                queue.append(target)
    return []


def cycles(graph: Graph) -> list[str]:
    """Per strongly connected component, the shortest cycle through each of its modules."""
    shown: list[str] = []
    for component in strongly_connected(graph):
        members = set(component)
        inner = {m: graph[m] & members for m in component}
        seen: set[frozenset[tuple[str, str]]] = set()
        for module in component:
            cycle = shortest_cycle(inner, module)
            edges = frozenset(pairwise(cycle))
            if edges not in seen:
                seen.add(edges)
                shown.append(" -> ".join(cycle))
    return shown


def offending(importer: Callable[[str], bool], forbidden: Callable[[str], bool]) -> list[str]:
    """`a imports b` for each edge from a module `importer` accepts to one `forbidden` accepts."""
    return [
        f"{source} imports {target}"
        for source, targets in sorted(import_graph().items())
        if importer(source)
        for target in sorted(targets)
        if forbidden(target)
    ]


def test_the_cycle_finder_finds_cycles_and_only_cycles() -> None:
    assert cycles({"a": {"b"}, "b": {"a"}}) == ["a -> b -> a"]
    assert cycles({"a": {"b"}, "b": {"c"}, "c": set()}) == []
    assert cycles({"a": {"a"}}) == ["a -> a"]


def test_the_reader_sees_function_imports_and_skips_type_checking_ones() -> None:
    source = (
        "from typing import TYPE_CHECKING\nimport os\nfrom . import b\n"
        "if TYPE_CHECKING:\n    import p.c\nelse:\n    import p.d\n"
        "def f():\n    from p.b import name\n"
    )
    modules = {"p", "p.a", "p.b", "p.c", "p.d"}
    assert imports_of(source, "p.a", False, modules) == {"p.b", "p.d"}


def test_the_graph_is_read() -> None:
    graph = import_graph()
    assert len(graph) > 100 and sum(map(len, graph.values())) > 200
    assert BOOTSTRAP in graph["app"]


def test_the_runtime_has_no_import_cycle() -> None:
    runtime = {m: {t for t in ts if within(t, *RUNTIME)} for m, ts in import_graph().items()}
    found = cycles({m: ts for m, ts in runtime.items() if within(m, *RUNTIME)})
    assert not found, "import cycles:\n" + "\n".join(found)


def test_dicom_imports_only_dicom_and_errors() -> None:
    bad = offending(
        lambda m: within(m, "chalicelib.dicom"),
        lambda t: within(t, *RUNTIME) and not within(t, "chalicelib.dicom", "chalicelib.errors"),
    )
    assert not bad, "the pure domain imports more than itself:\n" + "\n".join(bad)


def test_only_entry_points_import_bootstrap() -> None:
    bad = offending(lambda m: not within(m, *MAY_IMPORT_BOOTSTRAP), lambda t: t == BOOTSTRAP)
    assert not bad, "only entry points may import bootstrap:\n" + "\n".join(bad)


def test_the_api_does_not_import_storage() -> None:
    bad = offending(
        lambda m: within(m, "chalicelib.api"), lambda t: within(t, "chalicelib.storage")
    )
    assert not bad, "the API reaches storage through services:\n" + "\n".join(bad)


def test_services_and_adapters_do_not_import_the_api() -> None:
    bad = offending(lambda m: within(m, *BELOW_THE_API), lambda t: within(t, "chalicelib.api"))
    assert not bad, "the API layer is imported from below:\n" + "\n".join(bad)


def test_adapters_do_not_import_the_services() -> None:
    bad = offending(lambda m: within(m, *ADAPTERS), lambda t: within(t, "chalicelib.services"))
    assert not bad, "adapters implement what services need, not the reverse:\n" + "\n".join(bad)


def test_infra_imports_only_its_runtime_modules() -> None:
    bad = offending(
        lambda m: within(m, "infra"), lambda t: within(t, *RUNTIME) and t not in INFRA_MAY_IMPORT
    )
    assert not bad, f"infra may import only {INFRA_MAY_IMPORT}:\n" + "\n".join(bad)


def test_the_runtime_modules_infra_imports_are_in_the_architecture() -> None:
    used = {t for m, ts in import_graph().items() if within(m, "infra") for t in ts}
    text = (ROOT / "docs" / "architecture.md").read_text()
    missing = [
        module
        for module in INFRA_MAY_IMPORT
        if module in used
        and not re.search(rf"(?<![\w/.]){re.escape(module)}(?!\w)", text)
        and not re.search(rf"(?<![\w/.]){re.escape(module.replace('.', '/'))}\.py\b", text)
    ]
    assert not missing, "infra imports these, docs/architecture.md names none: " + ", ".join(
        missing
    )
