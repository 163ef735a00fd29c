"""The account-scale commands: ``threads export`` and ``threads delete``."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Annotated

import typer

from .delete import DeleteSummary, count_selection, delete_threads, select_threads, unique
from .errors import EXIT_API_ERROR, UsageProblem, reporting
from .export import ExportOptions, run_export
from .limits import PAGE_MAX
from .options import (
    PREVIEW_ROWS,
    ConcurrencyOption,
    UserOption,
    plural,
    settings_of,
    stderr,
    stdout,
    threads_app,
)
from .progress import make_progress
from .render import print_plain, thread_table

__all__ = ["delete", "export_threads"]


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
    client = settings_of(ctx).client()
    err = stderr()
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
        f"Exported {plural(summary.total, 'thread')} to {summary.location} ({detail}); "
        f"{plural(summary.items, 'item')} fetched"
    )
    if summary.rate_limited:
        line += f"; waited out {plural(summary.rate_limited, 'rate limit')} (HTTP 429)"
    line += "."
    stdout().print(line, markup=False)


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
    client = settings_of(ctx).client()
    out, err = stdout(), stderr()
    targets: Iterable[str] = ids
    count = len(ids)
    if not ids:
        selection = count_selection(
            client, user=user, older_than_days=older_than, preview=PREVIEW_ROWS
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
        title = f"{plural(count, 'thread')} {criteria}"
        print_plain(out, thread_table(selection.preview, title=title))
        if count > len(selection.preview):
            out.print(f"... and {count - len(selection.preview)} more", markup=False)
    if dry_run:
        if thread_ids:
            for thread_id in ids:
                out.print(f"would delete {thread_id}", markup=False)
        out.print(
            f"Dry run: {plural(count, 'thread')} would be deleted; nothing was deleted.",
            markup=False,
        )
        return
    if not yes and not _confirm(f"Delete {plural(count, 'thread')}? This cannot be undone."):
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
        line = f"Interrupted: deleted {plural(len(summary.deleted), 'thread')}"
        if summary.failed:
            line += f"; {len(summary.failed)} failed"
        out.print(line + " before the interruption.", markup=False)
        raise
    line = f"Deleted {plural(len(summary.deleted), 'thread')}"
    if summary.failed:
        line += f"; {len(summary.failed)} failed"
    if summary.rate_limited:
        line += f"; waited out {plural(summary.rate_limited, 'rate limit')} (HTTP 429)"
    out.print(line + ".", markup=False)
    if summary.failed:
        raise typer.Exit(EXIT_API_ERROR)
