"""`threads export`: layouts, Markdown, progress lines, and resuming after an interruption."""

from __future__ import annotations

import io
import json
import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from rich.console import Console

from chatkit_threads import RateLimitError, RetryPolicy
from chatkit_threads_cli import export_files
from chatkit_threads_cli.pool import Cancelled, RateLimiter
from chatkit_threads_cli.progress import BarProgress, LineProgress, make_progress

from .conftest import ITEMS_PER_THREAD, SEEDED_THREADS, Cli, FailingItems, serve, serve_faulty

PAGE = 3  # items per page in these tests: a seeded thread takes 3 requests (3 + 3 + 2)
PAGES_PER_THREAD = 3


def api_blocks(cli: Cli) -> dict[str, list[dict[str, object]]]:
    """What a complete export must hold: every thread, then all its items oldest first."""
    client = cli.client()
    return {
        thread.id: [
            thread.to_dict(),
            *(item.to_dict() for item in client.threads.list_items(thread.id, order="asc")),
        ]
        for thread in client.threads.list(order="asc", limit=100)
    }


def read_jsonl(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def file_blocks(path: Path) -> dict[str, list[dict[str, object]]]:
    """The blocks of a single-file export, failing on a thread written twice."""
    blocks: dict[str, list[dict[str, object]]] = {}
    current: list[dict[str, object]] = []
    for record in read_jsonl(path):
        if record["object"] == "chatkit.thread":
            assert record["id"] not in blocks, f"{record['id']} exported twice"
            current = blocks.setdefault(str(record["id"]), [])
        current.append(record)
    return blocks


def directory_blocks(root: Path) -> dict[str, list[dict[str, object]]]:
    """The blocks of a directory export by thread id, each file found through the
    manifest (which maps names to ids), and no file that the manifest does not list."""
    files = {str(entry["file"]): str(entry["id"]) for entry in read_jsonl(root / "manifest.jsonl")}
    on_disk = {path.name for path in root.glob("*.jsonl") if path.name != "manifest.jsonl"}
    assert on_disk == set(files)
    return {files[name]: read_jsonl(root / name) for name in sorted(files)}


def exported_file(root: Path, thread_id: str, suffix: str = ".jsonl") -> Path:
    """Where a directory export keeps a thread (named by the manifest)."""
    for entry in read_jsonl(root / "manifest.jsonl"):
        if entry["id"] == thread_id:
            return root / str(entry["file"]).replace(".jsonl", suffix)
    raise AssertionError(f"{thread_id} is not in the manifest")


def test_export_to_a_directory_with_markdown(cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "backup"
    result = cli("threads", "export", "--out", str(out), "--markdown")
    assert result.exit_code == 0, result.output
    assert directory_blocks(out) == api_blocks(cli)
    total_items = SEEDED_THREADS * ITEMS_PER_THREAD
    assert result.stdout.strip() == (
        f"Exported {SEEDED_THREADS} threads to {out} ({SEEDED_THREADS} new); "
        f"{total_items} items fetched."
    )
    # Not a terminal: plain progress lines on stderr, one per thread.
    # One listing page: the total is known from the start, hence an ETA on every line.
    lines = result.stderr.splitlines()
    assert lines[0] == f"exporting {SEEDED_THREADS} threads"
    line = re.compile(
        rf"\[(\d+)/{SEEDED_THREADS}\] exported cthr_\S+ \({ITEMS_PER_THREAD} items\) "
        r"\d+\.\d threads/s, ETA \d+:\d\d:\d\d"
    )
    matches = [line.fullmatch(text) for text in lines[1:]]
    assert all(matches), lines
    assert [int(m[1]) for m in matches if m] == list(range(1, SEEDED_THREADS + 1))
    assert len(lines) == SEEDED_THREADS + 1
    manifest = read_jsonl(out / "manifest.jsonl")
    assert sorted(str(entry["id"]) for entry in manifest) == sorted(api_blocks(cli))
    assert {entry["items"] for entry in manifest} == {ITEMS_PER_THREAD}
    # A Markdown transcript per thread, reading like the conversation.
    first = next(iter(api_blocks(cli)))
    transcript = exported_file(out, first, ".md").read_text(encoding="utf-8")
    assert transcript.startswith("# Onboarding workflow fails at step 3\n")
    assert "> Error 42: workflow step timed out" in transcript
    assert "- [1] file: workflow-limits.pdf" in transcript
    assert '```json\n{"plan": "team", "seats": 12}\n```' in transcript
    assert transcript.index("## user") < transcript.index("## assistant")
    assert not list(out.glob("*.part"))


def test_rerun_skips_complete_threads(cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "backup"
    assert cli("threads", "export", "--out", str(out), "--user", "user_bob").exit_code == 0
    before = {path.name: path.read_bytes() for path in out.glob("*.jsonl")}
    result = cli("threads", "export", "--out", str(out))
    assert result.exit_code == 0, result.output
    bob = SEEDED_THREADS // 3
    assert f"({SEEDED_THREADS - bob} new, {bob} already complete)" in result.stdout
    assert f"{(SEEDED_THREADS - bob) * ITEMS_PER_THREAD} items fetched" in result.stdout
    assert result.stderr.count("skipped") == bob
    after = {path.name: path.read_bytes() for path in out.glob("*.jsonl")}
    assert all(after[name] == data for name, data in before.items() if name != "manifest.jsonl")
    assert directory_blocks(out) == api_blocks(cli)
    ids = [entry["id"] for entry in read_jsonl(out / "manifest.jsonl")]
    assert len(ids) == len(set(ids)) == SEEDED_THREADS


def test_interrupted_directory_export_resumes_mid_thread(
    flaky_cli: Cli, failing: FailingItems, tmp_path: Path
) -> None:
    out = tmp_path / "backup"
    # Two threads get all their pages, the third only its first: then the server fails.
    failing.arm(2 * PAGES_PER_THREAD + 1)
    args = ("threads", "export", "--out", str(out), "--page-size", str(PAGE), "-j", "1")
    first = flaky_cli(*args)
    assert first.exit_code == 1
    assert first.stderr.splitlines()[-1].startswith("error: HTTP 500")
    assert len(list(out.glob("cthr_*.jsonl"))) == 2
    (partial,) = out.glob("*.jsonl.part")
    assert len(partial.read_text().splitlines()) == 1 + PAGE  # thread line + first page

    failing.disarm()
    second = flaky_cli(*args)
    assert second.exit_code == 0, second.output
    new = SEEDED_THREADS - 3
    assert f"({new} new, 1 finished after an interruption, 2 already complete)" in second.stdout
    # Only what was missing is fetched again: the partial thread's other pages.
    fetched = new * ITEMS_PER_THREAD + ITEMS_PER_THREAD - PAGE
    assert f"{fetched} items fetched" in second.stdout
    assert directory_blocks(out) == api_blocks(flaky_cli)  # complete, nothing twice
    assert not list(out.glob("*.part"))
    ids = [entry["id"] for entry in read_jsonl(out / "manifest.jsonl")]
    assert len(ids) == len(set(ids)) == SEEDED_THREADS


def test_a_line_torn_by_a_crash_is_rewritten(cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "backup"
    assert cli("threads", "export", "--out", str(out), "--user", "user_carol").exit_code == 0
    # Simulate a crash mid-write: a finished thread back to .part, cut inside a line.
    victim = sorted(out.glob("cthr_*.jsonl"))[0]
    data = victim.read_bytes()
    cut = data.index(b"\n", len(data) // 2) + 20
    victim.with_name(victim.name + ".part").write_bytes(data[:cut])
    victim.unlink()
    result = cli("threads", "export", "--out", str(out), "--user", "user_carol")
    assert result.exit_code == 0, result.output
    assert "1 finished after an interruption" in result.stdout
    assert victim.read_bytes() == data


def test_single_file_export_resumes_after_an_interruption(
    flaky_cli: Cli, failing: FailingItems, tmp_path: Path
) -> None:
    out = tmp_path / "all.jsonl"
    args = ("threads", "export", "--out", str(out), "--page-size", str(PAGE), "--markdown")
    failing.arm(4 * PAGES_PER_THREAD + 2)  # four threads, then half of the fifth
    first = flaky_cli(*args, "--concurrency", "1")
    assert first.exit_code == 1
    assert not out.exists()  # the file gets its name only once complete
    part = tmp_path / "all.jsonl.part"
    assert len(file_blocks(part)) == 4  # the fifth never reached the file

    failing.disarm()
    second = flaky_cli(*args)
    assert second.exit_code == 0, second.output
    assert f"({SEEDED_THREADS - 4} new, 4 already complete)" in second.stdout
    assert file_blocks(out) == api_blocks(flaky_cli)
    assert not part.exists()
    manifest = read_jsonl(tmp_path / "all.manifest.jsonl")
    assert [entry["id"] for entry in manifest] == list(api_blocks(flaky_cli))
    assert len(list((tmp_path / "all-markdown").glob("*.md"))) == SEEDED_THREADS

    # A rerun after success only appends threads created since (here: none).
    third = flaky_cli(*args)
    assert third.exit_code == 0
    assert f"({SEEDED_THREADS} already complete)" in third.stdout
    assert file_blocks(out) == api_blocks(flaky_cli)


def test_exports_load_back_into_the_mock_server(cli: Cli, tmp_path: Path) -> None:
    from chatkit_threads_mock import ThreadStore, load_fixtures

    out = tmp_path / "all.jsonl"
    assert cli("threads", "export", "--out", str(out)).exit_code == 0
    load_fixtures(ThreadStore(None), "sk-other", str(out))


def test_progress_is_a_bar_on_a_terminal_and_lines_otherwise() -> None:
    screen = io.StringIO()
    terminal = Console(file=screen, force_terminal=True)
    assert isinstance(make_progress(terminal), BarProgress)
    assert isinstance(make_progress(Console(file=io.StringIO())), LineProgress)
    with make_progress(terminal) as bar:
        bar.start(2)
        bar.thread_done("cthr_1", "exported", 3)
        bar.thread_done("cthr_2", "skipped", 0)
    assert "2/2" in screen.getvalue()


@pytest.mark.parametrize("concurrency", ["1", "8"])
@pytest.mark.parametrize("layout", ["dir", "all.jsonl"])
def test_a_thread_deleted_mid_export_is_skipped_cleanly(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, layout: str, concurrency: str
) -> None:
    out = tmp_path / layout
    blocks_of = file_blocks if layout.endswith(".jsonl") else directory_blocks
    real = export_files.write_items
    victims: list[str] = []

    lock = threading.Lock()

    def delete_the_second(client: Any, handle: Any, thread_id: str, *rest: Any) -> int:
        with lock:
            if not victims:
                victims.append("first")
            elif len(victims) == 1:
                victims.append(thread_id)
                cli.client().threads.delete(thread_id)  # gone between listing and export
        return real(client, handle, thread_id, *rest)

    monkeypatch.setattr(export_files, "write_items", delete_the_second)
    args = ("threads", "export", "--out", str(out), "--concurrency", concurrency)
    result = cli(*args)
    assert result.exit_code == 0, result.output
    assert "1 deleted meanwhile (skipped)" in result.stdout
    assert f"vanished {victims[1]}" in result.stderr
    blocks = blocks_of(out)
    assert victims[1] not in blocks
    assert blocks == api_blocks(cli)  # every remaining thread exactly once, complete
    assert not list(tmp_path.rglob("*.part"))

    monkeypatch.setattr(export_files, "write_items", real)
    again = cli(*args)
    assert again.exit_code == 0
    assert f"({SEEDED_THREADS - 1} already complete)" in again.stdout
    assert blocks_of(out) == api_blocks(cli)


# --- concurrency -------------------------------------------------------------------

# More threads than one listing page (100), with ties in creation time, and several
# item pages per thread at PAGE: the listing and the item walks both paginate.
MANY = "synthetic:130:4"


@pytest.fixture
def many_cli() -> Iterator[Cli]:
    yield from serve(seed=MANY)


def listing_order(cli: Cli) -> list[str]:
    return [thread.id for thread in cli.client().threads.list(order="asc", limit=100)]


def test_output_is_identical_at_concurrency_1_and_8(many_cli: Cli, tmp_path: Path) -> None:
    exports: dict[str, dict[str, bytes]] = {}
    for concurrency in ("1", "8"):
        root = tmp_path / concurrency
        common = ("--page-size", str(PAGE), "--markdown", "--concurrency", concurrency)
        for out in (root / "dir", root / "all.jsonl"):
            result = many_cli("threads", "export", "--out", str(out), *common)
            assert result.exit_code == 0, result.output
            assert "(130 new); 520 items fetched." in result.stdout
        exports[concurrency] = {
            str(path.relative_to(root)): path.read_bytes()
            for path in sorted(root.rglob("*"))
            if path.is_file() and path.name != "manifest.jsonl"
        }
        # The directory's manifest lists the threads in the listing's order, each once.
        manifest = read_jsonl(root / "dir" / "manifest.jsonl")
        assert [entry["id"] for entry in manifest] == listing_order(many_cli)
    assert exports["1"] == exports["8"]  # per-thread files, Markdown, single file + manifest
    # dir: ID.jsonl and ID.md per thread; single file: the file, its manifest, ID.md each
    assert len(exports["8"]) == 2 * 130 + 2 + 130
    assert list(file_blocks(tmp_path / "8" / "all.jsonl")) == listing_order(many_cli)
    assert directory_blocks(tmp_path / "8" / "dir") == api_blocks(many_cli)


@pytest.mark.parametrize("layout", ["dir", "all.jsonl"])
def test_resume_after_a_failure_at_concurrency_8(
    flaky_cli: Cli, failing: FailingItems, tmp_path: Path, layout: str
) -> None:
    out = tmp_path / layout
    args = ("threads", "export", "--out", str(out), "--page-size", str(PAGE), "-j", "8")
    failing.arm(5 * PAGES_PER_THREAD + 1)
    first = flaky_cli(*args)
    assert first.exit_code == 1
    assert first.stderr.splitlines()[-1].startswith("error: HTTP 500")
    failing.disarm()
    second = flaky_cli(*args)
    assert second.exit_code == 0, second.output
    assert "already complete" in second.stdout or "(12 new)" in second.stdout
    blocks = file_blocks(out) if layout.endswith(".jsonl") else directory_blocks(out)
    assert blocks == api_blocks(flaky_cli)  # complete, nothing twice
    manifest = out.with_name("all.manifest.jsonl") if layout != "dir" else out / "manifest.jsonl"
    assert [entry["id"] for entry in read_jsonl(manifest)] == listing_order(flaky_cli)
    assert not list(tmp_path.rglob("*.part"))


@pytest.mark.parametrize("concurrency", ["1", "8"])
def test_ctrl_c_mid_export_exits_130_and_a_rerun_completes(
    many_cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, concurrency: str
) -> None:
    out = tmp_path / "backup"
    real = export_files.write_items
    calls = 0
    lock = threading.Lock()

    def interrupted_on_the_fortieth_thread(*args: Any) -> int:
        nonlocal calls
        with lock:
            calls += 1
            if calls == 40:
                raise KeyboardInterrupt
        return real(*args)

    monkeypatch.setattr(export_files, "write_items", interrupted_on_the_fortieth_thread)
    args = ("threads", "export", "--out", str(out), "--page-size", str(PAGE), "-j", concurrency)
    first = many_cli(*args)
    assert first.exit_code == 130
    assert first.stderr.splitlines()[-1] == "interrupted"
    done_before = len(list(out.glob("cthr_*.jsonl")))
    if concurrency == "1":
        assert done_before == 39  # nothing after the interrupted thread was started
    assert 0 < done_before < 130

    monkeypatch.setattr(export_files, "write_items", real)
    second = many_cli(*args)
    assert second.exit_code == 0, second.output
    assert f"{done_before} already complete" in second.stdout
    assert directory_blocks(out) == api_blocks(many_cli)
    manifest = read_jsonl(out / "manifest.jsonl")
    assert [entry["id"] for entry in manifest] == listing_order(many_cli)


@pytest.fixture
def storm_cli() -> Iterator[Cli]:
    """Half of all requests (listing pages, item pages) are refused with a 429."""
    yield from serve_faulty("429=0.5,retry-after=0.001,seed=5", seed=MANY)


@pytest.mark.parametrize("layout", ["dir", "all.jsonl"])
def test_a_429_storm_slows_the_export_down_but_every_thread_arrives_once(
    storm_cli: Cli, tmp_path: Path, layout: str
) -> None:
    out = tmp_path / layout
    args = ("threads", "export", "--out", str(out), "--page-size", str(PAGE), "-j", "8")
    result = storm_cli(*args)
    assert result.exit_code == 0, result.output
    assert "(130 new); 520 items fetched" in result.stdout
    waited = re.search(r"waited out (\d+) rate limits", result.stdout)
    assert waited and int(waited[1]) > 50
    blocks = file_blocks(out) if layout.endswith(".jsonl") else directory_blocks(out)
    assert blocks == api_blocks(storm_cli)
    manifest = out.with_name("all.manifest.jsonl") if layout != "dir" else out / "manifest.jsonl"
    assert [entry["id"] for entry in read_jsonl(manifest)] == listing_order(storm_cli)


def rate_limited(wait_ms: str | None) -> RateLimitError:
    headers = {"retry-after-ms": wait_ms} if wait_ms is not None else {}
    request = httpx.Request("GET", "http://127.0.0.1/v1/chatkit/threads")
    return RateLimitError(
        "slow down", response=httpx.Response(429, headers=headers, request=request), body=None
    )


def test_the_limiter_halves_on_429_and_climbs_back_one_by_one() -> None:
    now = [0.0]
    limiter = RateLimiter(8, RetryPolicy(), clock=lambda: now[0])
    refusals = [rate_limited("0"), rate_limited("0")]

    def refused_twice() -> str:
        if refusals:
            raise refusals.pop()
        return "done"

    assert limiter.call(refused_twice) == "done"
    assert limiter.rate_limited == 2
    assert limiter.limit == 2 and limiter.lowest_limit == 2  # 8 -> 4 -> 2
    for _ in range(8):
        limiter.call(lambda: None)
    assert limiter.limit == 3  # a run of `ceiling` successes adds one
    for _ in range(5 * 8):
        limiter.call(lambda: None)
    assert limiter.limit == 8  # never above --concurrency


def test_the_limiter_waits_out_retry_after_before_admitting_anyone() -> None:
    limiter = RateLimiter(4, RetryPolicy())
    refusals = [rate_limited("150")]
    started = time.monotonic()

    def refused_once() -> None:
        if refusals:
            raise refusals.pop()

    limiter.call(refused_once)
    assert time.monotonic() - started >= 0.15
    limiter.stop()
    with pytest.raises(Cancelled):
        limiter.call(lambda: None)
