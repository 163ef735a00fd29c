"""What the ``threads`` commands share: the command group, its options and their
choices (read from the spec), and the consoles and settings a command uses."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer
from rich.console import Console

from .errors import EXIT_CODES_HELP
from .limits import DEFAULT_ORDER, OLDEST_FIRST, ORDERS, PAGE_MAX, PAGE_MIN
from .settings import Settings
from .terminal import console

__all__ = [
    "API_ORDER",
    "OLDEST_FIRST_ORDER",
    "PREVIEW_ROWS",
    "AfterOption",
    "AllOption",
    "BeforeOption",
    "ConcurrencyOption",
    "ItemsJsonOption",
    "JsonOption",
    "JsonlOption",
    "LimitOption",
    "Order",
    "ThreadJsonOption",
    "UserOption",
    "plural",
    "settings_of",
    "stderr",
    "stdout",
    "threads_app",
]

threads_app = typer.Typer(
    name="threads",
    help="Browse, export and delete ChatKit threads.",
    epilog=EXIT_CODES_HELP,
    no_args_is_help=True,
)

# Tables never shown in full above this many rows before a deletion prompt.
PREVIEW_ROWS = 20


# Sort order by creation time, with the spec's values as members. (mypy reads members
# only from literals; these come from the spec, so it sees none.)
Order = StrEnum("Order", [(value, value) for value in ORDERS])  # type: ignore[misc]
API_ORDER = Order(DEFAULT_ORDER)
# The items command reads as a conversation: oldest first, in the API's words.
OLDEST_FIRST_ORDER = Order(OLDEST_FIRST)


UserOption = Annotated[
    str | None, typer.Option("--user", "-u", help="Only threads of this user id.")
]
LimitOption = Annotated[
    int,
    typer.Option(
        "--limit",
        "-n",
        min=PAGE_MIN,
        max=PAGE_MAX,
        help=f"Page size: how many to show ({PAGE_MIN}..{PAGE_MAX}).",
    ),
]
AllOption = Annotated[
    bool, typer.Option("--all", "-a", help="Walk every page instead of showing one.")
]
AfterOption = Annotated[
    str | None, typer.Option("--after", help="Start after this id (a page's last id).")
]
BeforeOption = Annotated[
    str | None, typer.Option("--before", help="Start before this id (a page's first id).")
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print a JSON array instead of a table.")]
ItemsJsonOption = Annotated[
    bool, typer.Option("--json", help="Print a JSON array instead of the item panels.")
]
ThreadJsonOption = Annotated[
    bool, typer.Option("--json", help="Print the thread's JSON instead of the panel.")
]
JsonlOption = Annotated[
    bool, typer.Option("--jsonl", help="Print one JSON object per line (streams with --all).")
]
ConcurrencyOption = Annotated[
    int,
    typer.Option(
        "--concurrency",
        "-j",
        min=1,
        max=64,
        help="Threads worked on at once (1: one after the other); fewer while the server "
        "answers 429.",
    ),
]


def settings_of(ctx: typer.Context) -> Settings:
    """The global options of the running command."""
    settings = ctx.find_root().obj
    assert isinstance(settings, Settings)
    return settings


def stdout() -> Console:
    """The console for results."""
    # soft_wrap: a message line is never broken, even when stdout is not a terminal.
    return console()


def stderr() -> Console:
    """The console for messages and progress."""
    return console(stderr=True)


def plural(count: int, noun: str) -> str:
    """``1 thread``, ``2 threads``."""
    return f"{count} {noun}{'' if count == 1 else 's'}"
