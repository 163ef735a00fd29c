"""The browsing commands: ``threads list``, ``get`` and ``items``."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Annotated, Any, cast

import typer

from chatkit_threads import SyncCursorPage

from .errors import UsageProblem, reporting
from .jsontext import dumps
from .limits import PAGE_DEFAULT, PAGE_MAX
from .options import (
    API_ORDER,
    OLDEST_FIRST_ORDER,
    AfterOption,
    AllOption,
    BeforeOption,
    ItemsJsonOption,
    JsonlOption,
    JsonOption,
    LimitOption,
    Order,
    ThreadJsonOption,
    UserOption,
    settings_of,
    stderr,
    stdout,
    threads_app,
)
from .render import item_panel, print_plain, print_thread_pages, thread_details, thread_table
from .terminal import echo

if TYPE_CHECKING:
    from chatkit_threads.types import SortOrder

__all__ = ["get_thread", "list_items", "list_threads"]


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
    stderr().print(hint, markup=False, style="dim")


@threads_app.command("list")
@reporting
def list_threads(
    ctx: typer.Context,
    user: UserOption = None,
    order: Annotated[
        Order, typer.Option(help="Sort order by creation time; the default is the API's.")
    ] = API_ORDER,
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
    client = settings_of(ctx).client()
    page = client.threads.list(
        user=user, order=cast("SortOrder", order.value), limit=limit, after=after, before=before
    )
    out = stdout()
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
    thread = settings_of(ctx).client().threads.retrieve(thread_id)
    if as_json:
        echo(dumps(thread.to_dict(), indent=2))
    else:
        print_plain(stdout(), thread_details(thread))


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
    ] = OLDEST_FIRST_ORDER,
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
    client = settings_of(ctx).client()
    page = client.threads.list_items(
        thread_id, order=cast("SortOrder", order.value), limit=limit, after=after, before=before
    )
    items = page if all_pages else page.data
    if fmt is not None:
        _print_records(items, fmt)
    else:
        out = stdout()
        shown = 0
        for item in items:
            print_plain(out, item_panel(item))
            shown += 1
        if not shown and (all_pages or not page.has_more):
            out.print("No items.")
    if not all_pages:
        _more_hint("items", page, backwards=before is not None and after is None)
