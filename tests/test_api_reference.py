"""api.md lists every public name with its signature, and matches the code (drift check)."""

from __future__ import annotations

import inspect
import subprocess
import sys
from pathlib import Path

import pytest

import chatkit_threads
from chatkit_threads import types

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "api-reference"
API_MD = (ROOT / "api.md").read_text()


def test_api_md_matches_the_code() -> None:
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--check"], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("name", sorted(set(chatkit_threads.__all__) | set(types.__all__)))
def test_every_public_name_has_an_entry(name: str) -> None:
    assert f"### `{name}`" in API_MD


@pytest.mark.parametrize(
    "cls",
    [
        chatkit_threads.ChatKit,
        chatkit_threads.AsyncChatKit,
        chatkit_threads.Threads,
        chatkit_threads.AsyncThreads,
        chatkit_threads.SyncCursorPage,
        chatkit_threads.AsyncCursorPage,
        chatkit_threads.RawResponse,
    ],
)
def test_every_public_method_is_documented_with_its_docstring(cls: type) -> None:
    for name, member in inspect.getmembers(cls):
        if name.startswith("_") or not (
            inspect.isfunction(member) or isinstance(inspect.getattr_static(cls, name), property)
        ):
            continue
        heading = f"#### `{cls.__name__}.{name}`"
        assert heading in API_MD, heading
        doc = inspect.getdoc(
            member if inspect.isfunction(member) else inspect.getattr_static(cls, name)
        )
        if doc:
            section = API_MD[API_MD.index(heading) :].split("\n#### ")[0]
            assert doc.splitlines()[0] in section, heading


def test_the_check_says_how_to_fix_drift(tmp_path: Path) -> None:
    # A copy of the script next to a stale api.md: --check fails and names the fix.
    (tmp_path / "scripts").mkdir()
    copy = tmp_path / "scripts" / "api-reference"
    copy.write_text(SCRIPT.read_text())
    (tmp_path / "api.md").write_text(API_MD.replace("### `ChatKit`", "### `Renamed`"))
    for folder in ("overrides", "generated"):
        (tmp_path / folder).symlink_to(ROOT / folder)
    done = subprocess.run(
        [sys.executable, str(copy), "--check"], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 1
    assert "run scripts/api-reference and commit api.md" in done.stderr
    assert "-### `Renamed`" in done.stdout and "+### `ChatKit`" in done.stdout


def test_the_readme_links_the_reference() -> None:
    assert "(api.md)" in (ROOT / "README.md").read_text()
