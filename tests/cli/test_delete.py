"""`threads delete`: the confirmation prompt, --yes, --dry-run, selection by user and
age, and the summary of what was deleted and what failed."""

from __future__ import annotations

import io
import json
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer.testing

from chatkit_threads import NotFoundError
from chatkit_threads_cli import bulk
from chatkit_threads_cli.delete import Selection, count_selection
from chatkit_threads_mock.store import project_for_key

from .conftest import SEEDED_THREADS, Cli, serve, serve_faulty

DAY = 86_400


def remaining(cli: Cli) -> set[str]:
    return {thread.id for thread in cli.client().threads.list(limit=100)}


def gone(cli: Cli, thread_id: str) -> bool:
    try:
        cli.client().threads.retrieve(thread_id)
    except NotFoundError:
        return True
    return False


@pytest.fixture
def aged_cli(tmp_path: Path) -> Iterator[Cli]:
    """The default seed plus user_dave's threads: two recent, two over 40 days old."""
    now = int(time.time())
    ages = {"cthr_dave_new1": 1, "cthr_dave_new2": 10, "cthr_dave_old1": 40, "cthr_dave_old2": 400}
    lines = []
    for thread_id, days in ages.items():
        thread = {
            "id": thread_id,
            "object": "chatkit.thread",
            "created_at": now - days * DAY,
            "title": f"{days} days old",
            "status": {"type": "active"},
            "user": "user_dave",
        }
        item = {
            "id": f"cthi_{thread_id}",
            "object": "chatkit.thread_item",
            "created_at": now - days * DAY,
            "thread_id": thread_id,
            "type": "chatkit.widget",
            "widget": "{}",
        }
        lines += [json.dumps(thread), json.dumps(item)]
    fixtures = tmp_path / "dave.jsonl"
    fixtures.write_text("\n".join(lines) + "\n")
    yield from serve(fixtures=[str(fixtures)])


def test_delete_by_id_asks_and_deletes_on_yes(cli: Cli) -> None:
    first, second = sorted(remaining(cli))[:2]
    result = cli("threads", "delete", first, second, first, input="y\n")
    assert result.exit_code == 0, result.output
    assert "Delete 2 threads? This cannot be undone. [y/N]" in result.stderr
    assert f"deleted {first}" in result.stdout and f"deleted {second}" in result.stdout
    assert result.stdout.rstrip().endswith("Deleted 2 threads.")
    assert gone(cli, first) and gone(cli, second)
    assert len(remaining(cli)) == SEEDED_THREADS - 2


def test_answering_no_deletes_nothing(cli: Cli) -> None:
    target = sorted(remaining(cli))[0]
    result = cli("threads", "delete", target, input="n\n")
    assert result.exit_code == 0
    assert "Delete 1 thread? This cannot be undone." in result.stderr
    assert "Nothing deleted." in result.stdout
    assert not gone(cli, target)


def test_no_answer_is_a_usage_error_and_deletes_nothing(cli: Cli) -> None:
    target = sorted(remaining(cli))[0]
    result = cli("threads", "delete", target, input="")
    assert result.exit_code == 2
    assert "pass --yes" in result.stderr
    assert not gone(cli, target)


def test_yes_skips_the_prompt_and_failures_are_summarised(cli: Cli) -> None:
    target = sorted(remaining(cli))[0]
    result = cli("threads", "delete", target, "cthr_missing", "--yes")
    assert result.exit_code == 1  # one deletion failed
    assert "[y/N]" not in result.output
    assert f"deleted {target}" in result.stdout
    assert result.stdout.rstrip().endswith("Deleted 1 thread; 1 failed.")
    (failure,) = [line for line in result.stderr.splitlines() if line.startswith("failed")]
    assert "cthr_missing: HTTP 404 (not_found)" in failure
    assert "[request id: req_" in failure
    assert gone(cli, target)


def test_dry_run_deletes_nothing(cli: Cli) -> None:
    before = remaining(cli)
    result = cli("threads", "delete", "--user", "user_bob", "--dry-run")
    assert result.exit_code == 0, result.output
    bob = [t.id for t in cli.client().threads.list(user="user_bob", limit=100)]
    assert all(thread_id in result.stdout for thread_id in bob)
    assert f"Dry run: {len(bob)} threads would be deleted; nothing was deleted." in result.stdout
    assert "[y/N]" not in result.output
    assert remaining(cli) == before

    ids = sorted(before)[:2]
    result = cli("threads", "delete", *ids, "--dry-run", "--yes")
    assert result.exit_code == 0
    assert f"would delete {ids[0]}" in result.stdout
    assert remaining(cli) == before


def test_delete_by_user_and_age_names_the_count(aged_cli: Cli) -> None:
    result = aged_cli("threads", "delete", "--user", "user_dave", "--older-than", "30", input="y\n")
    assert result.exit_code == 0, result.output
    assert "2 threads of user user_dave, created more than 30 days ago" in result.stdout
    assert "Delete 2 threads?" in result.stderr
    assert "Deleted 2 threads." in result.stdout
    assert gone(aged_cli, "cthr_dave_old1") and gone(aged_cli, "cthr_dave_old2")
    assert not gone(aged_cli, "cthr_dave_new1") and not gone(aged_cli, "cthr_dave_new2")
    assert len(remaining(aged_cli)) == SEEDED_THREADS + 2  # other users untouched

    again = aged_cli("threads", "delete", "--user", "user_dave", "--older-than", "30")
    assert again.exit_code == 0
    assert "No threads of user user_dave, created more than 30 days ago" in again.stdout


def test_older_than_alone_spans_every_user(aged_cli: Cli) -> None:
    result = aged_cli("threads", "delete", "--older-than", "5", "--dry-run")
    assert result.exit_code == 0
    # Every seeded thread (2024) and dave's 10, 40 and 400 day old ones.
    assert f"{SEEDED_THREADS + 3} threads would be deleted" in result.stdout
    assert "Delete" not in result.output
    assert len(remaining(aged_cli)) == SEEDED_THREADS + 4


class _CtrlC(io.BytesIO):
    """Standard input at which the user presses Ctrl-C."""

    def read(self, size: int | None = -1) -> bytes:
        raise KeyboardInterrupt

    read1 = readline = read


def test_ctrl_c_at_the_prompt_is_an_interruption(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    target = sorted(remaining(cli))[0]
    monkeypatch.setattr(typer.testing, "make_input_stream", lambda *args: _CtrlC())
    result = cli("threads", "delete", target)
    assert result.exit_code == 130
    assert "Delete 1 thread? This cannot be undone." in result.stderr
    assert result.stderr.splitlines()[-1] == "interrupted"
    assert "pass --yes" not in result.stderr
    assert not gone(cli, target)


# --- concurrency -------------------------------------------------------------------


def listed(cli: Cli) -> list[str]:
    return [t.id for t in cli.client().threads.list(order="asc", limit=100)]


@pytest.fixture
def many_cli() -> Iterator[Cli]:
    """130 threads: the selection spans two listing pages."""
    yield from serve(seed="synthetic:130:1")


def test_bulk_delete_at_concurrency_8_reports_in_listing_order(many_cli: Cli) -> None:
    order = listed(many_cli)
    result = many_cli("threads", "delete", "--older-than", "1", "-j", "8", input="y\n")
    assert result.exit_code == 0, result.output
    assert "Delete 130 threads?" in result.stderr
    assert "... and 110 more" in result.stdout  # a preview, not the whole selection
    reported = [
        line.split()[1] for line in result.stdout.splitlines() if line.startswith("deleted")
    ]
    assert reported == order  # each once, in the listing's order
    assert result.stdout.rstrip().endswith("Deleted 130 threads.")
    assert listed(many_cli) == []


def test_failures_at_concurrency_are_reported_per_thread(cli: Cli) -> None:
    ids = sorted(remaining(cli))[:6]
    mixed = [ids[0], "cthr_missing1", *ids[1:4], "cthr_missing2", *ids[4:]]
    result = cli("threads", "delete", *mixed, "--yes", "--concurrency", "8")
    assert result.exit_code == 1
    assert [line.split()[1] for line in result.stdout.splitlines()[:-1]] == ids
    failures = [line for line in result.stderr.splitlines() if line.startswith("failed")]
    assert [line.split()[1] for line in failures] == ["cthr_missing1:", "cthr_missing2:"]
    assert result.stdout.rstrip().endswith("Deleted 6 threads; 2 failed.")
    assert all(gone(cli, thread_id) for thread_id in ids)


@pytest.fixture
def storm_cli() -> Iterator[Cli]:
    """Half of all requests are refused with a 429 (checks go around the faults)."""
    yield from serve_faulty("429=0.5,retry-after=0.001,seed=9", seed="synthetic:130:1")


def test_a_429_storm_deletes_every_thread_once_without_failures(storm_cli: Cli) -> None:
    order = listed(storm_cli)
    result = storm_cli("threads", "delete", "--older-than", "1", "--yes", "-j", "8")
    assert result.exit_code == 0, result.output
    assert "failed" not in result.output
    reported = [
        line.split()[1] for line in result.stdout.splitlines() if line.startswith("deleted")
    ]
    assert reported == order
    assert re.search(
        r"Deleted 130 threads; waited out \d+ rate limits \(HTTP 429\)\.", result.stdout
    )
    assert listed(storm_cli) == []


def test_a_thread_created_after_the_count_is_not_deleted(
    aged_cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    def count_then_create(*args: Any, **kwargs: Any) -> Selection:
        selection = count_selection(*args, **kwargs)
        newcomer = {
            "id": "cthr_dave_newest",
            "object": "chatkit.thread",
            "created_at": int(time.time()) + 5,
            "title": "created while the prompt was open",
            "status": {"type": "active"},
            "user": "user_dave",
        }
        server = aged_cli.server
        assert server.store.add(project_for_key(server.api_key), [newcomer])
        return selection

    monkeypatch.setattr(bulk, "count_selection", count_then_create)
    result = aged_cli("threads", "delete", "--user", "user_dave", "-j", "8", input="y\n")
    assert result.exit_code == 0, result.output
    assert "Delete 4 threads?" in result.stderr
    assert result.stdout.rstrip().endswith("Deleted 4 threads.")
    assert not gone(aged_cli, "cthr_dave_newest")
    assert all(gone(aged_cli, f"cthr_dave_{n}") for n in ("new1", "new2", "old1", "old2"))
