"""``mypy --strict`` accepts the typed usage example (the package itself is checked in CI)."""

from __future__ import annotations

import os

from mypy import api

from tests.client.support import ROOT


def test_typed_usage_example_passes_mypy_strict() -> None:
    cwd = os.getcwd()
    os.chdir(ROOT)  # the [tool.mypy] configuration and mypy_path are relative to it
    try:
        stdout, stderr, status = api.run(["--strict", "tests/client/typed_usage.py"])
    finally:
        os.chdir(cwd)
    assert status == 0, stdout + stderr
