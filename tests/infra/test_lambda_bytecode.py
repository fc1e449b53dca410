"""The Lambda bundle carries bytecode for the runtime's Python (infra/chalice_app.py), so that
a cold start does not compile every module it imports."""

from __future__ import annotations

import subprocess
import zipfile
from pathlib import Path

import pytest

from infra import chalice_app
from tests.infra.conftest import Synthesized

# PEP 552: the flags word of a hash-based .pyc whose source the interpreter does not check.
UNCHECKED_HASH = 0b01


@pytest.fixture(scope="module")
def runtime_python() -> list[str]:
    python = chalice_app.runtime_python()
    if python is None:
        pytest.skip(f"no {chalice_app.LAMBDA_RUNTIME} interpreter on this machine")
    return python


def _package_dir(synthesized: Synthesized) -> Path:
    return Path(synthesized.stack.functions.app._sam_package_dir)


def _magic(python: list[str]) -> bytes:
    """The bytecode magic number of the interpreter ``python``."""
    script = "import importlib.util, sys; sys.stdout.write(importlib.util.MAGIC_NUMBER.hex())"
    answer = subprocess.run(
        [*python, "-I", "-c", script],
        env=chalice_app.runtime_env(),
        capture_output=True,
        text=True,
        check=True,
    )
    return bytes.fromhex(answer.stdout)


def _bytecode_name(source: str, tag: str) -> str:
    folder, _, name = source.rpartition("/")
    return f"{folder}/__pycache__/{name.removesuffix('.py')}.{tag}.pyc".lstrip("/")


@pytest.mark.parametrize(
    ("bundle", "prefix"),
    [
        ("deployment.zip", ""),
        ("layer-deployment.zip", f"python/lib/{chalice_app.LAMBDA_RUNTIME}/site-packages/"),
    ],
)
def test_every_module_has_unchecked_bytecode_of_the_runtime(
    synthesized: Synthesized, runtime_python: list[str], bundle: str, prefix: str
) -> None:
    tag = "cpython-" + chalice_app.LAMBDA_RUNTIME.removeprefix("python").replace(".", "")
    magic = _magic(runtime_python)
    with zipfile.ZipFile(_package_dir(synthesized) / bundle) as archive:
        names = set(archive.namelist())
        sources = sorted(n for n in names if n.endswith(".py"))
        assert sources and all(n.startswith(prefix) for n in sources)
        if bundle == "deployment.zip":
            assert {"app.py", "chalicelib/bootstrap.py", "chalicelib/api/proxy.py"} <= names
        for source in sources:
            header = archive.read(_bytecode_name(source, tag))[:8]
            assert header[:4] == magic, source
            assert int.from_bytes(header[4:8], "little") == UNCHECKED_HASH, source


def test_the_runtime_loads_the_bytecode_without_the_source(
    synthesized: Synthesized, runtime_python: list[str], tmp_path: Path
) -> None:
    """The runtime's interpreter takes the module from the bundle's .pyc: a source changed
    after packaging is not even read (nor compiled again)."""
    with zipfile.ZipFile(_package_dir(synthesized) / "deployment.zip") as archive:
        archive.extractall(tmp_path)
    (tmp_path / "chalicelib" / "errors.py").write_text("raise AssertionError('source read')\n")
    script = "import chalicelib.errors as e; print(e.ErrorCode.UNKNOWN_RESOURCE.name)"
    answer = subprocess.run(
        [*runtime_python, "-s", "-c", script],
        cwd=tmp_path,
        env=chalice_app.runtime_env() | {"PYTHONDONTWRITEBYTECODE": "1"},
        capture_output=True,
        text=True,
    )
    assert answer.returncode == 0, answer.stderr
    assert answer.stdout.strip() == "UNKNOWN_RESOURCE"


def test_without_an_interpreter_of_the_runtime_the_bundle_is_left_with_a_warning(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(chalice_app, "LAMBDA_RUNTIME", "python3.99")
    bundle = tmp_path / "deployment.zip"
    with zipfile.ZipFile(bundle, "w") as archive:
        archive.writestr("app.py", "import chalicelib\n")
    before = bundle.read_bytes()
    assert chalice_app.runtime_python() is None
    with pytest.warns(UserWarning, match="no .pyc"):
        chalice_app.compile_bundles(tmp_path)
    assert bundle.read_bytes() == before
