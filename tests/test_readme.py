"""The README runs as written: every Python block on its own, and the CLI transcript.

Each ``python`` block runs in a fresh interpreter with only the environment the README
tells the reader to set (its ``export OPENAI_BASE_URL=... OPENAI_API_KEY=...`` line)
against a bundled mock server started as the README starts it, so a block that leans on
an earlier one, or on a name it never imports, fails here. The command-line transcript is
re-run by ``scripts/render-readme --check``.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from chatkit_threads_mock import MockServer

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
TEXT = README.read_text()
PYTHON_BLOCKS = re.findall(r"```python\n(.*?)```", TEXT, flags=re.DOTALL)


def readme_environment() -> dict[str, str]:
    """The variables of the first ``export OPENAI_...`` line the README tells readers to run."""
    line = re.search(r"^export (OPENAI_\S+=\S+(?: OPENAI_\S+=\S+)*)$", TEXT, flags=re.MULTILINE)
    assert line is not None, "the README never says which variables to export"
    return dict(item.split("=", 1) for item in shlex.split(line.group(1)))


@pytest.fixture(scope="module")
def server() -> Iterator[MockServer]:
    with MockServer() as running:  # what `chatkit-threads-mock serve` serves
        yield running


def test_the_readme_points_the_examples_at_the_mock_before_the_first_example() -> None:
    exported = readme_environment()
    assert exported["OPENAI_BASE_URL"] == "http://127.0.0.1:8000/v1"
    assert "chatkit-threads-mock serve --port 8000" in TEXT
    first_example = TEXT.index("```python")
    assert TEXT.index(f"export OPENAI_BASE_URL={exported['OPENAI_BASE_URL']}") < first_example


@pytest.mark.parametrize(
    "block",
    PYTHON_BLOCKS,
    ids=[
        f"block{number}-line{TEXT[: TEXT.index(b)].count(chr(10)) + 1}"
        for number, b in enumerate(PYTHON_BLOCKS, 1)
    ],
)
def test_each_python_block_runs_on_its_own(block: str, server: MockServer) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENAI_")}
    env.update(readme_environment())
    # The server listens on a free port rather than 8000; nothing else differs.
    env["OPENAI_BASE_URL"] = env["OPENAI_BASE_URL"].replace(":8000/", f":{server.port}/")
    done = subprocess.run(
        [sys.executable, "-c", block], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, f"README block failed:\n{block}\n{done.stderr}"
    assert done.stdout.strip(), "every README example prints something"


def test_the_blocks_found_include_the_client_and_the_mock_examples() -> None:
    # Guards the extraction itself: a changed fence must not silently run nothing.
    assert any("AsyncChatKit()" in block for block in PYTHON_BLOCKS)
    assert any("MockServer(" in block for block in PYTHON_BLOCKS)
    assert len(PYTHON_BLOCKS) == TEXT.count("```python")


def test_the_cli_transcript_is_real_output() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "render-readme"), "--check"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def quick_start_commands() -> list[str]:
    section = TEXT[TEXT.index("## Quick start") : TEXT.index("## Installing")]
    return [block.strip() for block in re.findall(r"```bash\n(.*?)```", section, re.DOTALL)]


def test_the_quick_start_is_two_commands_and_ci_runs_the_test_one_exactly() -> None:
    main_job, tests = quick_start_commands()
    assert "chatkit-threads-contract" in main_job and "pytest" in tests
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    assert tests in ci, "CI must run exactly the README's test command"


def test_ci_runs_the_slow_tests_the_readme_command_leaves_out() -> None:
    # The README's `pytest` deselects `slow` through addopts; CI must still run them.
    pyproject = (ROOT / "pyproject.toml").read_text()
    addopts = re.search(r"^addopts = (.*)$", pyproject, re.MULTILINE)
    assert addopts is not None and "-m 'not slow'" in addopts.group(1)
    assert ".venv/bin/pytest -m slow" in (ROOT / ".ci" / "run").read_text().splitlines()
    assert "pytest -m slow" in TEXT and "pytest -m ''" in TEXT


def test_ci_tests_every_python_the_package_declares() -> None:
    pyproject = (ROOT / "pyproject.toml").read_text()
    declared = re.findall(r"Programming Language :: Python :: (3\.\d+)", pyproject)
    ci = (ROOT / ".ci" / "run").read_text()
    others = re.search(r"^OTHERS=\(([\d. ]+)\)$", ci, re.MULTILINE)
    assert others is not None
    main = re.search(r"^PYTHON=\$\(command -v python(3\.\d+)", ci, re.MULTILINE)
    assert main is not None
    tested = {main.group(1), *others.group(1).split()}
    assert set(declared) == tested
    assert "python3.11" in quick_start_commands()[1]
