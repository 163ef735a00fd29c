"""The ``threads`` commands: list, get, items, export, delete.

Each command parses its options, calls the public client through ``Settings.client()``
and hands the results to a renderer; the work itself lives in ``render``, ``export``
and ``delete``.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, cast

import typer
from rich.console import Console

from chatkit_threads import SyncCursorPage

from .delete import DeleteSummary, count_selection, delete_threads, select_threads, unique
from .errors import EXIT_API_ERROR, EXIT_CODES_HELP, UsageProblem, reporting
from .export import ExportOptions, run_export
from .jsontext import dumps
from .limits import DEFAULT_ORDER, OLDEST_FIRST, ORDERS, PAGE_DEFAULT, PAGE_MAX, PAGE_MIN
from .progress import make_progress
from .render import item_panel, print_plain, print_thread_pages, thread_details, thread_table
from .settings import Settings
from .terminal import console, echo

if TYPE_CHECKING:
    from chatkit_threads.types import SortOrder

__all__ = ["threads_app"]

threads_app = typer.Typer(
    name="threads",
    help="Browse, export and delete ChatKit threads.",
    epilog=EXIT_CODES_HELP,
    no_args_is_help=True,
)

# Tables never shown in full above this many rows before a deletion prompt.
_PREVIEW_ROWS = 20


# Sort order by creation time, with the spec's values as members. (mypy reads members
# only from literals; these come from the spec, so it sees none.)
Order = StrEnum("Order", [(value, value) for value in ORDERS])  # type: ignore[misc]
_API_ORDER = Order(DEFAULT_ORDER)
# The items command reads as a conversation: oldest first, in the API's words.
_OLDEST_FIRST = Order(OLDEST_FIRST)


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


def _settings(ctx: typer.Context) -> Settings:
    settings = ctx.find_root().obj
    assert isinstance(settings, Settings)
    return settings


def _stdout() -> Console:
    # soft_wrap: a message line is never broken, even when stdout is not a terminal.
    return console()


def _stderr() -> Console:
    return console(stderr=True)


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _machine_format(as_json: bool, as_jsonl: bool) -> str | None:
    if as_json and as_jsonl:
        raise UsageProblem("--json and --jsonl cannot be used together")
    return "json" if as_json else "jsonl" if as_jsonl else None


def _print_records(records: Iterable[Any], fmt: str) -> None:
    """JSON array or JSON lines of models, to stdout (no wrapping, no colour)."""
    if fmt == "jsonl":
        for record in records:
            echo(dumps(record.to_dict()))
    else:
        echo(dumps([r.to_dict() for r in records], indent=2))


def _check_page_size(limit: int, all_pages: bool) -> None:
    if all_pages and limit == 0:
        raise UsageProblem(
            f"--all needs a page size of 1..{PAGE_MAX}: --limit 0 never gets past a page"
        )


def _more_hint(what: str, page: SyncCursorPage[Any], backwards: bool) -> None:
    """Say on stderr how to see the rest, when the page says there is more."""
    if not page.has_more:
        return
    if not page.data:  # --limit 0: an empty page that only says whether any exist
        hint = f"{what} exist, but --limit 0 shows none: use --limit N (1..{PAGE_MAX}) or --all"
    elif backwards:
        hint = f"more {what}: use --all, or --before {page.first_id} for the previous page"
    else:
        hint = f"more {what}: use --all, or --after {page.last_id} for the next page"
    _stderr().print(hint, markup=False, style="dim")


@threads_app.command("list")
@reporting
def list_threads(
    ctx: typer.Context,
    user: UserOption = None,
    order: Annotated[
        Order, typer.Option(help="Sort order by creation time; the default is the API's.")
    ] = _API_ORDER,
    limit: LimitOption = PAGE_DEFAULT,
    all_pages: AllOption = False,
    after: AfterOption = None,
    before: BeforeOption = None,
    as_json: JsonOption = False,
    as_jsonl: JsonlOption = False,
) -> None:
    """List threads: id, title, status, user and creation time (UTC).

    With --all, every page is printed as it arrives (the table too), so the first rows
    show at once and memory stays at one page.
    """
    fmt = _machine_format(as_json, as_jsonl)
    _check_page_size(limit, all_pages)
    client = _settings(ctx).client()
    page = client.threads.list(
        user=user, order=cast("SortOrder", order.value), limit=limit, after=after, before=before
    )
    out = _stdout()
    if fmt is not None:
        _print_records(page if all_pages else page.data, fmt)
    elif all_pages:
        if not print_thread_pages(out, (each.data for each in page.iter_pages())):
            out.print("No threads.")
    elif page.data:
        print_plain(out, thread_table(page.data))
    elif not page.has_more:
        out.print("No threads.")
    if not all_pages:
        _more_hint("threads", page, backwards=before is not None and after is None)


@threads_app.command("get")
@reporting
def get_thread(
    ctx: typer.Context,
    thread_id: Annotated[str, typer.Argument(metavar="ID", help="The thread's id.")],
    as_json: ThreadJsonOption = False,
) -> None:
    """Show one thread's details."""
    thread = _settings(ctx).client().threads.retrieve(thread_id)
    if as_json:
        echo(dumps(thread.to_dict(), indent=2))
    else:
        print_plain(_stdout(), thread_details(thread))


@threads_app.command("items")
@reporting
def list_items(
    ctx: typer.Context,
    thread_id: Annotated[str, typer.Argument(metavar="ID", help="The thread's id.")],
    order: Annotated[
        Order,
        typer.Option(
            help="Sort order by creation time; the default, oldest first, reads as a conversation."
        ),
    ] = _OLDEST_FIRST,
    limit: LimitOption = PAGE_DEFAULT,
    all_pages: AllOption = False,
    after: AfterOption = None,
    before: BeforeOption = None,
    as_json: ItemsJsonOption = False,
    as_jsonl: JsonlOption = False,
) -> None:
    """Show a thread's items as a conversation, one panel per item.

    Messages with their text, annotations and attachments, widgets, tool calls with
    arguments and output, tasks and task groups; an item type this version does not
    know is shown as raw JSON. With --all, items are printed as their pages arrive.
    """
    fmt = _machine_format(as_json, as_jsonl)
    _check_page_size(limit, all_pages)
    client = _settings(ctx).client()
    page = client.threads.list_items(
        thread_id, order=cast("SortOrder", order.value), limit=limit, after=after, before=before
    )
    items = page if all_pages else page.data
    if fmt is not None:
        _print_records(items, fmt)
    else:
        out = _stdout()
        shown = 0
        for item in items:
            print_plain(out, item_panel(item))
            shown += 1
        if not shown and (all_pages or not page.has_more):
            out.print("No items.")
    if not all_pages:
        _more_hint("items", page, backwards=before is not None and after is None)


@threads_app.command("export")
@reporting
def export_threads(
    ctx: typer.Context,
    out: Annotated[
        Path,
        typer.Option(
            "--out",
            "-o",
            help="A directory (one ID.jsonl per thread) or a single FILE.jsonl.",
        ),
    ],
    user: UserOption = None,
    markdown: Annotated[
        bool,
        typer.Option(
            "--markdown",
            help="Also write a Markdown transcript per thread (ID.md next to ID.jsonl; "
            "for FILE.jsonl, in FILE-markdown/).",
        ),
    ] = False,
    page_size: Annotated[
        int, typer.Option(min=1, max=PAGE_MAX, help="Items requested per page.")
    ] = PAGE_MAX,
    concurrency: ConcurrencyOption = 4,
) -> None:
    """Export every thread with all its items as JSON lines; resumable.

    Rerunning the same command skips threads already exported and finishes any that
    an interruption left incomplete. Progress is a bar on a terminal and one line per
    thread otherwise. The files load into the mock server (mock serve --fixtures).
    """
    client = _settings(ctx).client()
    err = _stderr()
    options = ExportOptions(
        out=out, user=user, markdown=markdown, page_size=page_size, concurrency=concurrency
    )
    with make_progress(err) as progress:
        summary = run_export(client, options, progress)
    parts = [
        f"{summary.exported} new" if summary.exported else "",
        f"{summary.resumed} finished after an interruption" if summary.resumed else "",
        f"{summary.skipped} already complete" if summary.skipped else "",
        f"{summary.vanished} deleted meanwhile (skipped)" if summary.vanished else "",
    ]
    detail = ", ".join(part for part in parts if part) or "nothing to do"
    line = (
        f"Exported {_plural(summary.total, 'thread')} to {summary.location} ({detail}); "
        f"{_plural(summary.items, 'item')} fetched"
    )
    if summary.rate_limited:
        line += f"; waited out {_plural(summary.rate_limited, 'rate limit')} (HTTP 429)"
    line += "."
    _stdout().print(line, markup=False)


def _confirm(question: str) -> bool:
    try:
        return typer.confirm(question, default=False, err=True)
    except typer.Abort as abort:
        # click turns both Ctrl-C and end of input into Abort; only the latter is "no
        # answer". Ctrl-C is an interruption like anywhere else (exit 130).
        if isinstance(abort.__context__, KeyboardInterrupt):
            typer.echo(err=True)  # end the prompt's line
            raise KeyboardInterrupt from None
        raise UsageProblem(
            "no answer to the confirmation prompt; nothing deleted (pass --yes to skip it)"
        ) from None


@threads_app.command("delete")
@reporting
def delete(
    ctx: typer.Context,
    thread_ids: Annotated[
        list[str] | None, typer.Argument(metavar="[ID]...", help="Threads to delete.")
    ] = None,
    user: Annotated[
        str | None, typer.Option("--user", "-u", help="Select the threads of this user.")
    ] = None,
    older_than: Annotated[
        float | None,
        typer.Option(
            "--older-than",
            metavar="DAYS",
            min=0,
            help="Select threads created more than DAYS days ago.",
        ),
    ] = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would be deleted; delete nothing.")
    ] = False,
    concurrency: ConcurrencyOption = 4,
) -> None:
    """Delete threads by id, or all those matching --user and/or --older-than.

    Asks for confirmation naming how many threads will go, unless --yes.
    """
    ids = unique(thread_ids or [])
    if ids and (user is not None or older_than is not None):
        raise UsageProblem("give thread ids or --user/--older-than, not both")
    if not ids and user is None and older_than is None:
        raise UsageProblem("nothing selected: give thread ids, --user or --older-than")
    client = _settings(ctx).client()
    out, err = _stdout(), _stderr()
    targets: Iterable[str] = ids
    count = len(ids)
    if not ids:
        selection = count_selection(
            client, user=user, older_than_days=older_than, preview=_PREVIEW_ROWS
        )
        count = selection.count
        targets = select_threads(client, selection)
        criteria = ", ".join(
            part
            for part in (
                f"of user {user}" if user is not None else "",
                f"created more than {older_than:g} days ago" if older_than is not None else "",
            )
            if part
        )
        if not count:
            out.print(f"No threads {criteria}; nothing to delete.", markup=False)
            return
        title = f"{_plural(count, 'thread')} {criteria}"
        print_plain(out, thread_table(selection.preview, title=title))
        if count > len(selection.preview):
            out.print(f"... and {count - len(selection.preview)} more", markup=False)
    if dry_run:
        if thread_ids:
            for thread_id in ids:
                out.print(f"would delete {thread_id}", markup=False)
        out.print(
            f"Dry run: {_plural(count, 'thread')} would be deleted; nothing was deleted.",
            markup=False,
        )
        return
    if not yes and not _confirm(f"Delete {_plural(count, 'thread')}? This cannot be undone."):
        out.print("Nothing deleted.")
        return

    def report(thread_id: str, reason: str | None) -> None:
        if reason is None:
            out.print(f"deleted {thread_id}", markup=False)
        else:
            err.print(f"failed  {thread_id}: {reason}", markup=False)

    summary = DeleteSummary()
    try:
        delete_threads(client, targets, report, concurrency=concurrency, summary=summary)
    except KeyboardInterrupt:
        # What finished before Ctrl-C (the deletions in flight were waited for).
        line = f"Interrupted: deleted {_plural(len(summary.deleted), 'thread')}"
        if summary.failed:
            line += f"; {len(summary.failed)} failed"
        out.print(line + " before the interruption.", markup=False)
        raise
    line = f"Deleted {_plural(len(summary.deleted), 'thread')}"
    if summary.failed:
        line += f"; {len(summary.failed)} failed"
    if summary.rate_limited:
        line += f"; waited out {_plural(summary.rate_limited, 'rate limit')} (HTTP 429)"
    out.print(line + ".", markup=False)
    if summary.failed:
        raise typer.Exit(EXIT_API_ERROR)
