"""What a newcomer trips over first: --limit 0, --all tables, help text, piped output."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from starlette.requests import Request
from starlette.responses import Response
from typer.testing import CliRunner

from chatkit_threads_cli.app import app
from chatkit_threads_mock import MockApi, error_response

from .conftest import ITEMS_PER_THREAD, SEEDED_THREADS, Cli, serve

THREAD_ID = "cthr_a40d88dc0002"


# --- item 9: --limit 0 --------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "what"),
    [(("threads", "list"), "threads"), (("threads", "items", THREAD_ID), "items")],
)
def test_limit_zero_shows_no_rows_and_says_how_to_see_them(
    cli: Cli, args: tuple[str, ...], what: str
) -> None:
    result = cli(*args, "--limit", "0")
    assert result.exit_code == 0, result.output
    assert result.stdout == ""  # not "No threads.": there are some
    assert f"{what} exist, but --limit 0 shows none" in result.stderr
    assert "None" not in result.stderr


@pytest.mark.parametrize("args", [("threads", "list"), ("threads", "items", THREAD_ID)])
def test_all_with_limit_zero_is_a_usage_error(cli: Cli, args: tuple[str, ...]) -> None:
    result = cli(*args, "--all", "--limit", "0")
    assert result.exit_code == 2
    assert "--limit 0" in result.stderr


def test_an_empty_listing_still_says_so(cli: Cli) -> None:
    result = cli("threads", "list", "--user", "nobody", "--limit", "0")
    assert result.exit_code == 0
    assert "No threads." in result.stdout and result.stderr == ""


def test_the_hint_after_before_points_backwards(cli: Cli) -> None:
    ids = [thread.id for thread in cli.client().threads.list(limit=100)]
    result = cli("threads", "list", "--before", ids[6], "--limit", "2")
    assert result.exit_code == 0, result.output
    assert f"--before {ids[4]} for the previous page" in result.stderr


# --- item 10: --all as a table streams page by page ---------------------------------


ALLOWED_LISTINGS = 2


@pytest.fixture
def failing_list_cli() -> Iterator[Cli]:
    """A server whose thread listings fail (500) after ``ALLOWED_LISTINGS`` requests."""
    calls = {"n": 0}

    class FailingList(MockApi):
        async def list_threads(self, request: Request) -> Response:
            calls["n"] += 1
            if calls["n"] > ALLOWED_LISTINGS:
                return error_response(500, "injected failure", type="server_error")
            return await super().list_threads(request)

    yield from serve(api_class=FailingList)


def thread_rows(output: str) -> list[str]:
    return [line.split()[0] for line in output.splitlines() if line.strip().startswith("cthr_")]


def test_list_all_table_prints_every_thread_once_under_one_header(cli: Cli) -> None:
    result = cli("threads", "list", "--all", "--limit", "5")
    assert result.exit_code == 0, result.output
    expected = [thread.id for thread in cli.client().threads.list(limit=100)]
    assert thread_rows(result.stdout) == expected
    assert len(expected) == SEEDED_THREADS
    assert result.stdout.count("created (UTC)") == 1
    # Every page is laid out with the first page's columns.
    starts = {line.index("2024-") for line in result.stdout.splitlines() if "2024-" in line}
    assert len(starts) == 1


def test_list_all_table_prints_each_page_before_asking_for_the_next(
    failing_list_cli: Cli,
) -> None:
    # Two pages come back, the third request fails: a streaming table has already
    # printed the ten rows it got; a buffering one would have printed nothing.
    result = failing_list_cli("threads", "list", "--all", "--limit", "5")
    assert result.exit_code == 1
    assert len(thread_rows(result.stdout)) == ALLOWED_LISTINGS * 5
    assert "injected failure" in result.stderr


def test_items_all_prints_every_item(cli: Cli) -> None:
    result = cli("threads", "items", THREAD_ID, "--all", "--limit", "3")
    assert result.exit_code == 0, result.output
    assert len(re.findall(r"cthi_\w+", result.stdout)) == ITEMS_PER_THREAD


# --- item 12: help text and piped output ---------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ("threads", "list", "--limit", "3"),
        ("threads", "list", "--all", "--limit", "5"),
        ("threads", "get", THREAD_ID),
        ("threads", "items", THREAD_ID, "--limit", "2"),
        ("threads", "delete", "--user", "user_bob", "--dry-run"),
    ],
)
def test_piped_output_has_no_trailing_spaces(cli: Cli, args: tuple[str, ...]) -> None:
    result = cli(*args)
    assert result.exit_code == 0, result.output
    assert "cthr_" in result.stdout
    padded = [line for line in result.stdout.splitlines() if line != line.rstrip()]
    assert padded == []


def help_text(*args: str) -> str:
    result = CliRunner().invoke(app, [*args, "--help"], env={"COLUMNS": "200"}, terminal_width=200)
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.parametrize(
    ("args", "names"),
    [
        (("threads",), ("list", "get", "items", "export", "delete")),
        ((), ("mock", "contract", "threads")),
    ],
)
def test_every_command_row_of_help_is_one_whole_sentence(
    args: tuple[str, ...], names: tuple[str, ...]
) -> None:
    text = help_text(*args)
    commands = text[text.index("Commands") :]
    for name in names:
        row = next(line for line in commands.splitlines() if re.match(rf"│ {name}\s", line))
        summary = row.strip("│ ").removeprefix(name).strip()
        assert summary.endswith("."), f"{name}: {summary!r} is cut short"


def test_items_help_describes_panels_not_a_table() -> None:
    text = help_text("threads", "items")
    json_row = next(line for line in text.splitlines() if "--json " in line)
    assert "panels" in json_row and "table" not in json_row


def test_mock_help_names_the_command_as_typed(capsys: pytest.CaptureFixture[str]) -> None:
    result = CliRunner().invoke(app, ["mock", "--help"])
    assert result.exit_code == 0
    assert "usage: chatkit-threads mock " in capsys.readouterr().out + result.output


def test_load_help_and_usage_say_db_is_required(capsys: pytest.CaptureFixture[str]) -> None:
    result = CliRunner().invoke(app, ["mock", "load", "--help"])
    assert result.exit_code == 0
    text = capsys.readouterr().out + result.output
    db_help = text[text.index("\n  --db PATH") :].split("--seed")[0]
    assert "required" in db_help and "in memory" not in db_help
    result = CliRunner().invoke(app, ["mock", "load", "--seed", "none"])
    assert result.exit_code == 2
    assert "--db" in capsys.readouterr().err + result.output
