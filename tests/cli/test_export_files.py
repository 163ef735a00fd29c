"""What export guarantees about files: it never truncates, replaces or moves a file it did
not write (it refuses instead), a failure never loses an existing export, and a thread's
file name is bounded and distinct whatever its id."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from chatkit_threads_cli.export_files import file_stem

from .conftest import Cli
from .hostile import Reply, Request, hostile, message, not_found, page, thread

BACKUP = "".join(f'{{"line": {n}}}\n' for n in range(99)).encode()


def _snapshot(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


@pytest.mark.parametrize(
    "existing",
    [
        ["backup.jsonl"],  # a file of the user's where the export would go
        ["backup.jsonl.part"],  # a .part file without an export's manifest
        ["backup.manifest.jsonl"],  # a file that is not a manifest, where one would go
        ["backup.jsonl", "backup.manifest.jsonl"],  # a manifest not describing the file
    ],
)
@pytest.mark.parametrize("server_up", [True, False], ids=["server up", "server down"])
def test_single_file_export_never_touches_a_file_it_did_not_write(
    cli: Cli, tmp_path: Path, existing: list[str], server_up: bool
) -> None:
    for name in existing:
        (tmp_path / name).write_bytes(BACKUP)
    before = _snapshot(tmp_path)
    if not server_up:
        cli.server.stop()
    result = cli("threads", "export", "--out", str(tmp_path / "backup.jsonl"))
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("error: ") and "backup" in result.stderr
    assert _snapshot(tmp_path) == before  # every byte, every name, nothing added


def test_directory_export_refuses_a_directory_of_the_users(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    (tmp_path / "manifest.jsonl.bak").write_bytes(BACKUP)
    before = _snapshot(tmp_path)
    result = cli("threads", "export", "--out", str(tmp_path))
    assert result.exit_code == 2, result.output
    assert "no manifest.jsonl" in result.stderr
    assert _snapshot(tmp_path) == before


def test_directory_export_refuses_a_manifest_that_is_not_one(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "manifest.jsonl").write_bytes(b"my own notes\n")
    before = _snapshot(tmp_path)
    result = cli("threads", "export", "--out", str(tmp_path))
    assert result.exit_code == 2, result.output
    assert "not an export manifest" in result.stderr
    assert _snapshot(tmp_path) == before


def test_a_failed_rerun_keeps_the_finished_export(cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "all.jsonl"
    assert cli("threads", "export", "--out", str(out), "--user", "user_bob").exit_code == 0
    before = out.read_bytes()
    manifest = out.with_name("all.manifest.jsonl").read_bytes()
    cli.server.stop()  # the rerun fails on its first request
    result = cli("threads", "export", "--out", str(out))
    assert result.exit_code == 1, result.output
    assert out.read_bytes() == before  # still there, under its name, whole
    assert out.with_name("all.manifest.jsonl").read_bytes() == manifest
    assert not out.with_name("all.jsonl.part").exists()


# Ids the client can request (it refuses "", "." and ids with "/": see the unit test).
HOSTILE_IDS = [
    "manifest",
    "manifest.jsonl",
    "x" * 300,
    "cthr_Case",
    "cthr_case",
    "..escape",
    "C:\\windows\\x",
    "日本語のスレッド",
    "é",
    "e\u0301",
    " ",
    "nul",
]


def _many_ids(request: Request) -> Reply:
    if request.path == "/chatkit/threads":
        return page([thread(i) for i in HOSTILE_IDS])
    if request.path.endswith("/items"):
        thread_id = request.path.removeprefix("/chatkit/threads/").removesuffix("/items")
        return page([message("cthi_1", thread_id)])
    return not_found()


def test_file_names_are_bounded_and_distinct_whatever_the_id(tmp_path: Path) -> None:
    out = tmp_path / "dir"
    with hostile(_many_ids) as server:
        result = server.cli("threads", "export", "--out", str(out), "--markdown", "-j", "4")
    assert result.exit_code == 0, result.output
    manifest = [json.loads(line) for line in (out / "manifest.jsonl").read_text().splitlines()]
    assert sorted(entry["id"] for entry in manifest) == sorted(HOSTILE_IDS)
    names = [entry["file"] for entry in manifest]
    # Distinct even where case is folded; bounded; inside the directory; no manifest clash.
    assert len({name.casefold() for name in names}) == len(HOSTILE_IDS)
    assert all(len(name) + len(".part") <= 100 for name in names)
    assert all("/" not in name and "\\" not in name and not name.startswith(".") for name in names)
    assert "manifest.jsonl" not in names
    for entry in manifest:
        lines = (out / entry["file"]).read_text(encoding="utf-8").splitlines()
        assert json.loads(lines[0])["id"] == entry["id"]  # each file holds its own thread
        assert (out / entry["file"].replace(".jsonl", ".md")).exists()
    assert {p.name for p in out.iterdir()} == {
        "manifest.jsonl",
        *names,
        *(n.replace(".jsonl", ".md") for n in names),
    }


def test_file_stem_is_stable_and_readable() -> None:
    assert file_stem("cthr_abc") == file_stem("cthr_abc")
    assert file_stem("cthr_abc").startswith("cthr_abc-")
    assert file_stem("cthr_A") != file_stem("cthr_a")
    assert file_stem("\ud800")  # a lone surrogate has a name too
    ids = ["a/b", "a_b", "../x", "..", ".", "", "A/B", "a\\b", "x" * 10_000]
    stems = [file_stem(i) for i in ids]
    assert len({s.casefold() for s in stems}) == len(ids)
    assert all(s and len(s) <= 65 and "/" not in s and "\\" not in s for s in stems)
    assert all(not s.startswith(".") for s in stems)
