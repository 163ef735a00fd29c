"""Shared fixtures for the spec and code-generation tests."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
REFERENCE_EXAMPLES = ROOT / "tests" / "fixtures" / "reference_examples.json"


def reference_examples() -> list[dict[str, Any]]:
    """The reference pages' JSON examples, each with its schema and recorded drift."""
    examples: list[dict[str, Any]] = json.loads(REFERENCE_EXAMPLES.read_text())["examples"]
    return examples


@pytest.fixture
def pipeline_copy(tmp_path: Path) -> Path:
    """A scratch copy of the parts of the repository that scripts/generate reads and writes."""
    for name in ("openapi", "scripts", "generated"):
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    # A commit of its own: the breaking-change check compares the spec with the last
    # commit's.
    git = ["git", "-c", "user.name=test", "-c", "user.email=test@127.0.0.1"]
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "copy"]):
        subprocess.run([*git, *args], cwd=tmp_path, check=True, capture_output=True)
    return tmp_path
