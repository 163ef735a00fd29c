"""Where the spec is: the checkout's openapi/, or the copy a wheel carries; and
importing the spec's generated data stays light."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from chatkit_threads_spec import SPEC_FILE_NAME, spec_path

from .conftest import ROOT

PACKAGE = ROOT / "overrides" / "chatkit_threads_spec"


def _spec_path_of_copy(site: Path) -> subprocess.CompletedProcess[str]:
    code = (
        "import chatkit_threads_spec as s\n"
        "try:\n    print(s.spec_path())\nexcept s.SpecError as e:\n    print('error:', e)\n"
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        env={"PYTHONPATH": str(site), "PATH": ""},
        cwd=site,
        capture_output=True,
        text=True,
        check=True,
    )


def test_a_checkout_reads_the_document_in_openapi() -> None:
    assert spec_path() == ROOT / "openapi" / SPEC_FILE_NAME
    assert not (PACKAGE / SPEC_FILE_NAME).exists()  # no second copy in the source tree


def test_an_installed_package_reads_its_own_copy(tmp_path: Path) -> None:
    site = tmp_path / "site-packages"
    shutil.copytree(PACKAGE, site / PACKAGE.name, ignore=shutil.ignore_patterns("__pycache__"))
    missing = _spec_path_of_copy(site).stdout
    assert missing.startswith("error: the OpenAPI document is missing"), missing
    shutil.copyfile(ROOT / "openapi" / SPEC_FILE_NAME, site / PACKAGE.name / SPEC_FILE_NAME)
    found = _spec_path_of_copy(site).stdout.strip()
    assert found == str(site / PACKAGE.name / SPEC_FILE_NAME)


def test_the_sdist_carries_openapi_and_the_build_copies_it() -> None:
    # What CI's wheel build relies on: MANIFEST.in puts the document in the sdist, and
    # setup.py's build_py copies it into the spec package.
    manifest = (ROOT / "MANIFEST.in").read_text().split()
    assert f"openapi/{SPEC_FILE_NAME}" in manifest
    assert "chatkit_threads_spec" in (ROOT / "setup.py").read_text()


def test_the_generated_spec_data_loads_neither_httpx_nor_the_client() -> None:
    # The modules themselves, loaded from their files: what they import is the spec
    # model alone (chatkit_threads_api's own __init__ is the generator's to keep light).
    code = (
        "import importlib.util, sys\n"
        "for name in ('spec_constants', 'spec_schemas'):\n"
        f"    path = {str(ROOT / 'generated' / 'chatkit_threads_api')!r} + f'/{{name}}.py'\n"
        "    spec = importlib.util.spec_from_file_location(name, path)\n"
        "    module = importlib.util.module_from_spec(spec)\n"
        "    spec.loader.exec_module(module)\n"
        "    assert module.__all__\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in\n"
        "      ('httpx', 'chatkit_threads', 'chatkit_threads_api', 'yaml', 'attrs')))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]", result.stdout
