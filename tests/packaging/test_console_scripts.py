"""Console scripts installed without their extras name the extra to install and exit 2."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from importlib.metadata import entry_points
from pathlib import Path

import pytest

from chatkit_threads import _console

# Runs a script's entry point in a fresh interpreter where one dependency is missing.
BLOCKED = textwrap.dedent(
    """
    import sys
    from importlib.abc import MetaPathFinder

    class Missing(MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] == {missing!r}:
                raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)
            return None

    sys.meta_path.insert(0, Missing())
    from chatkit_threads import _console
    sys.exit(_console.{function}({argv!r}))
    """
)


def run_without(missing: str, function: str, argv: list[str]) -> subprocess.CompletedProcess[str]:
    code = BLOCKED.format(missing=missing, function=function, argv=argv)
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize(
    ("script", "function", "missing", "extra"),
    [
        ("chatkit-threads", "cli", "typer", "cli"),
        ("chatkit-threads", "cli", "rich", "cli"),
        ("chatkit-threads-mock", "mock", "starlette", "mock"),
        ("chatkit-threads-contract", "contract", "schemathesis", "contract"),
    ],
)
def test_a_missing_extra_is_named_with_exit_2(
    script: str, function: str, missing: str, extra: str
) -> None:
    done = run_without(missing, function, ["--help"])
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert f"{script}: needs the '{extra}' extra ({missing}" in done.stderr
    assert f"pip install 'chatkit-threads[{extra}]'" in done.stderr


def test_with_the_extras_the_scripts_run() -> None:
    done = run_without("no_such_module_blocked", "mock", ["--help"])
    assert done.returncode == 0, done.stderr
    assert "serve" in done.stdout


def test_the_installed_scripts_are_these_entry_points() -> None:
    scripts = {ep.name: ep.value for ep in entry_points(group="console_scripts")}
    for name, function in (
        ("chatkit-threads", _console.cli),
        ("chatkit-threads-mock", _console.mock),
        ("chatkit-threads-contract", _console.contract),
    ):
        assert scripts[name] == f"chatkit_threads._console:{function.__name__}"


def test_the_wheel_smoke_test_passes_here() -> None:
    script = Path(__file__).with_name("wheel_smoke.py")
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert "client smoke test passed" in done.stdout
