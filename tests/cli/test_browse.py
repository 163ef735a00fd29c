"""`threads list`, `threads get` and `threads items` against the mock server."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from chatkit_threads import LockedStatus

from .conftest import ITEMS_PER_THREAD, SEEDED_THREADS, Cli


def test_list_shows_a_table_of_one_page_and_hints_at_the_next(cli: Cli) -> None:
    result = cli("threads", "list", "--limit", "5")
    assert result.exit_code == 0, result.output
    newest = list(cli.client().threads.list(limit=5).data)
    lines = result.stdout.splitlines()
    for header in ("id", "title", "status", "user", "created (UTC)"):
        assert header in lines[1]
    rows = [line for line in lines if line.strip().startswith("cthr_")]
    assert [row.split()[0] for row in rows] == [thread.id for thread in newest]
    # created_at as a readable UTC date
    shown = datetime.fromtimestamp(newest[0].created_at, UTC).strftime("%Y-%m-%d %H:%M")
    assert shown in result.stdout
    assert "(untitled)" in result.stdout
    assert f"--after {newest[-1].id}" in result.stderr


def test_list_all_filters_by_user_and_orders(cli: Cli) -> None:
    result = cli("threads", "list", "--user", "user_alice", "--all", "--order", "asc", "--json")
    assert result.exit_code == 0, result.output
    threads = json.loads(result.stdout)
    assert {thread["user"] for thread in threads} == {"user_alice"}
    assert len(threads) == SEEDED_THREADS // 3
    keys = [(thread["created_at"], thread["id"]) for thread in threads]
    assert keys == sorted(keys)
    assert result.stderr == ""  # --all: no "more" hint


def test_list_jsonl_walks_every_page(cli: Cli) -> None:
    result = cli("threads", "list", "--all", "--limit", "5", "--jsonl")
    assert result.exit_code == 0, result.output
    ids = [json.loads(line)["id"] for line in result.stdout.splitlines()]
    assert len(ids) == len(set(ids)) == SEEDED_THREADS
    expected = [thread.to_dict() for thread in cli.client().threads.list(limit=100)]
    assert [json.loads(line) for line in result.stdout.splitlines()] == expected


def test_list_with_no_match_says_so(cli: Cli) -> None:
    result = cli("threads", "list", "--user", "nobody")
    assert result.exit_code == 0
    assert "No threads." in result.stdout


def test_get_shows_the_thread_with_its_status_reason(cli: Cli) -> None:
    thread = next(
        t
        for t in cli.client().threads.list(limit=100)
        if isinstance(t.status, LockedStatus) and t.status.reason
    )
    assert isinstance(thread.status, LockedStatus)
    result = cli("threads", "get", thread.id)
    assert result.exit_code == 0, result.output
    assert thread.id in result.stdout
    assert f"locked ({thread.status.reason})" in result.stdout
    assert thread.user in result.stdout


def test_get_json_is_the_api_object(cli: Cli) -> None:
    thread = cli.client().threads.list(limit=1).data[0]
    result = cli("threads", "get", thread.id, "--json")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == thread.to_dict()


def test_items_render_every_item_type_readably(cli: Cli) -> None:
    thread = cli.client().threads.list(limit=1, order="asc").data[0]
    result = cli("threads", "items", thread.id, "--all", "--limit", "3")
    assert result.exit_code == 0, result.output
    out = result.stdout
    # user message: text, quoted text, attachments with kind and type, inference options
    assert "Hi, I need help with onboarding workflow fails at step 3." in out
    assert "> Error 42: workflow step timed out" in out
    assert "screenshot.png (image, image/png)" in out
    assert "workflow.log (file, text/plain)" in out
    # assistant message: text and numbered annotations
    assert "Thanks for the details." in out
    assert "[1] file: workflow-limits.pdf" in out
    assert "[2] url: https://platform.example.com/docs/workflows#limits" in out
    # widget payload, tool calls with arguments and output, tasks and task groups
    assert '"value": "Limit raised to 120 s"' in out
    assert "tool call lookup_account (completed)" in out
    assert '{"user": "user_alice", "include": ["plan"]}' in out
    assert '{"plan": "team", "seats": 12}' in out
    assert "tool call rerun_workflow (in_progress)" in out
    assert "no output yet" in out
    assert "task (thought)" in out and "Reading the workflow log" in out
    assert "[custom] Raised the step timeout - 60 s -> 120 s" in out
    # oldest first by default, every item once, and each item's id shown
    ids = [f"cthi_{thread.id[5:]}_{n:02d}" for n in range(ITEMS_PER_THREAD)]
    positions = [out.index(item_id) for item_id in ids]
    assert positions == sorted(positions)
    assert result.stderr == ""


def test_items_page_and_machine_output(cli: Cli) -> None:
    thread = cli.client().threads.list(limit=1).data[0]
    result = cli("threads", "items", thread.id, "--limit", "3", "--order", "desc", "--json")
    assert result.exit_code == 0
    items = json.loads(result.stdout)
    expected = cli.client().threads.list_items(thread.id, limit=3, order="desc").data
    assert items == [item.to_dict() for item in expected]
    assert f"--after {expected[-1].id}" in result.stderr

    result = cli("threads", "items", thread.id, "--all", "--limit", "3", "--jsonl")
    assert len(result.stdout.splitlines()) == ITEMS_PER_THREAD


def test_items_show_inference_options(cli: Cli) -> None:
    # The third seeded thread's user message names a model and a tool choice.
    thread = cli.client().threads.list(limit=3, order="asc").data[2]
    result = cli("threads", "items", thread.id, "--limit", "1")
    assert result.exit_code == 0
    assert "model: gpt-4.1-mini, tool choice: lookup_account" in result.stdout
