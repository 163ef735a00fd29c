"""Listings a hostile server sends: a repeated cursor ends the walk (the client's
paginator refuses it), and a thread listed again on a later page is handled once."""

from __future__ import annotations

import json
from pathlib import Path

from .hostile import Reply, Request, hostile, message, not_found, page, thread


def _endless(request: Request) -> Reply:
    """Every thread listing says has_more with the same two threads (same last id)."""
    if request.path == "/chatkit/threads":
        return page([thread("cthr_a"), thread("cthr_b")], has_more=True)
    if request.path.endswith("/items"):
        thread_id = request.path.split("/")[3]
        return page([message(f"cthi_{thread_id}", thread_id)])
    return not_found()


def test_export_stops_on_a_repeated_cursor(tmp_path: Path) -> None:
    with hostile(_endless) as server:
        result = server.cli("threads", "export", "--out", str(tmp_path / "out"), "-j", "1")
        listings = [r for r in server.requests if r.path == "/chatkit/threads"]
    assert result.exit_code == 1, result.output
    assert "cthr_b" in result.stderr and "second time" in result.stderr
    # Each walk (the export's, and the background count for the ETA) asks for the first
    # page and the one after it; the repeat is refused before it is sent. A walk that
    # noticed nothing would go on until killed.
    assert len(listings) <= 4


def test_delete_dry_run_stops_on_a_repeated_cursor() -> None:
    with hostile(_endless) as server:
        result = server.cli("threads", "delete", "--user", "user_x", "--dry-run")
        listings = [r for r in server.requests if r.path == "/chatkit/threads"]
        deletes = [r for r in server.requests if r.method == "DELETE"]
    assert result.exit_code == 1, result.output
    assert "second time" in result.stderr
    assert len(listings) <= 3
    assert not deletes


def _repeating(request: Request) -> Reply:
    """Two pages; the second lists the first page's last thread again."""
    if request.path == "/chatkit/threads":
        if request.query.get("after") is None:
            return page([thread("cthr_a"), thread("cthr_b")], has_more=True)
        return page([thread("cthr_b"), thread("cthr_c")])
    if request.method == "DELETE":
        return Reply(
            body={
                "id": request.path.split("/")[3],
                "object": "chatkit.thread.deleted",
                "deleted": True,
            }
        )
    if request.path.endswith("/items"):
        thread_id = request.path.split("/")[3]
        return page([message(f"cthi_{thread_id}", thread_id)])
    return not_found()


def test_a_thread_listed_twice_is_exported_and_recorded_once(tmp_path: Path) -> None:
    out = tmp_path / "all.jsonl"
    with hostile(_repeating) as server:
        result = server.cli("threads", "export", "--out", str(out), "-j", "4")
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["id"] for r in records if r["object"] == "chatkit.thread"] == [
        "cthr_a",
        "cthr_b",
        "cthr_c",
    ]
    manifest = out.with_name("all.manifest.jsonl").read_text().splitlines()
    assert [json.loads(line)["id"] for line in manifest] == ["cthr_a", "cthr_b", "cthr_c"]
    assert "Exported 3 threads" in result.stdout


def test_a_thread_listed_twice_is_exported_once_in_a_directory(tmp_path: Path) -> None:
    out = tmp_path / "dir"
    with hostile(_repeating) as server:
        result = server.cli("threads", "export", "--out", str(out), "-j", "4")
    assert result.exit_code == 0, result.output
    manifest = [json.loads(line) for line in (out / "manifest.jsonl").read_text().splitlines()]
    assert [entry["id"] for entry in manifest] == ["cthr_a", "cthr_b", "cthr_c"]
    assert not list(out.glob("*.part"))


def test_a_thread_listed_twice_is_deleted_once() -> None:
    with hostile(_repeating) as server:
        result = server.cli("threads", "delete", "--user", "user_x", "--yes", "-j", "4")
        deletes = [r.path for r in server.requests if r.method == "DELETE"]
    assert result.exit_code == 0, result.output
    assert sorted(deletes) == [f"/chatkit/threads/cthr_{x}" for x in "abc"]
    assert "Deleted 3 threads." in result.stdout


def test_spec_drift_stops_on_a_repeated_cursor() -> None:
    with hostile(_endless) as server:
        result = server.cli("spec", "drift", "--threads", "1000", "--items-per-thread", "0")
        listings = [r for r in server.requests if r.path == "/chatkit/threads"]
    assert result.exit_code == 0, result.output
    # Per listing order: the first page and the page after it, whose cursor repeats.
    assert len(listings) == 4
