"""``chatkit-threads spec drift``: how far the API's answers are from the spec.

Samples the account read-only (``drift_sample``: the thread listing in both orders, a
sample of threads retrieved one by one, the first items of each), checks every body
with ``conformance.SpecChecker`` (the project's one validator) and folds the departures
into rows (``drift_report``): one per operation, schema, JSON path (indices folded to
``[*]``) and kind of departure, with how often it happened out of how many places it
could have. ``--record`` keeps the drifting threads and items as received, as a fixture
file the mock can serve with ``--allow-drift``.
"""

from __future__ import annotations

from pathlib import Path
from typing import IO, Annotated

import typer
from rich import box
from rich.console import RenderableType
from rich.table import Table
from rich.text import Text

from .conformance import SpecChecker
from .drift_report import DriftReport, DriftRow, ExampleStyle
from .drift_sample import Recorder, sample_account
from .errors import EXIT_OK, UsageProblem, reporting
from .jsontext import dumps
from .settings import Settings
from .terminal import console, echo, hide_secrets, safe

__all__ = ["spec_app"]

EXIT_DRIFT = 1

spec_app = typer.Typer(
    name="spec",
    help="Compare the live API with the spec.",
    no_args_is_help=True,
)


def _render(
    report: DriftReport, rows: list[DriftRow], style: ExampleStyle, requests: int
) -> list[RenderableType]:
    shares = Table(box=box.SIMPLE_HEAD, header_style="bold", title="Bodies that conform")
    shares.add_column("operation", no_wrap=True)
    shares.add_column("conform", justify="right", no_wrap=True)
    shares.add_column("share", justify="right", no_wrap=True)
    for share in report.shares.values():
        if share.bodies:
            percent = f"{100 * share.conforming / share.bodies:.0f}%"
            shares.add_row(share.operation, f"{share.conforming} of {share.bodies}", percent)
    if not rows:
        return [shares, Text(f"No drift: every body of {requests} requests matches the spec.")]
    out: list[RenderableType] = [shares]
    for operation in dict.fromkeys(row.operation for row in rows):
        # One table per operation keeps the rows narrow; paths stay whole to be copied.
        table = Table(box=box.SIMPLE_HEAD, header_style="bold", title=f"{operation}: departures")
        table.add_column("schema", no_wrap=True)
        table.add_column("path", no_wrap=True)
        table.add_column("problem", overflow="fold", min_width=20)
        table.add_column("count", justify="right", no_wrap=True)
        if style.width > 0:
            table.add_column("example", overflow="fold", max_width=style.width)
        for row in rows:
            if row.operation == operation:
                cells = [row.schema, row.path, row.problem, f"{row.count} of {row.total}"]
                if style.width > 0:
                    cells.append(style.render(row.example) or "")
                # Hidden before layout: a folded cell must not show a key in pieces.
                table.add_row(*(Text(hide_secrets(safe(cell))) for cell in cells))
        out.append(table)
    return out


@spec_app.command()
@reporting
def drift(
    ctx: typer.Context,
    threads: Annotated[
        int, typer.Option("--threads", min=1, help="Threads to sample (from each listing order).")
    ] = 20,
    items_per_thread: Annotated[
        int, typer.Option("--items-per-thread", min=0, help="Items to read of each sampled thread.")
    ] = 20,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the rows as a JSON list instead of tables.")
    ] = False,
    record: Annotated[
        Path | None,
        typer.Option(
            "--record",
            metavar="FILE.jsonl",
            help="Save drifting threads and items as received (for mock --allow-drift).",
        ),
    ] = None,
    example_width: Annotated[
        int,
        typer.Option("--example-width", min=0, help="Characters of each example value (0 = none)."),
    ] = 40,
    show_text: Annotated[
        bool,
        typer.Option("--show-text", help="Show free text in examples (default: its first word)."),
    ] = False,
) -> None:
    """Measure how the API's answers depart from the spec (read-only).

    Exit code 0 when every body matches the spec, 1 when something drifted (or the API
    failed), 2 for a usage error.
    """
    settings = ctx.find_root().obj
    assert isinstance(settings, Settings)
    checker = SpecChecker()
    client = settings.client().with_options(strict=False)
    report = DriftReport(checker)
    handle: IO[str] | None = None
    if record is not None:
        try:
            handle = open(record, "w", encoding="utf-8")  # noqa: SIM115 (closed below)
        except OSError as error:
            raise UsageProblem(f"--record {record}: {error.strerror or error}") from None
    try:
        recorder = Recorder(handle) if handle is not None else None
        requests = sample_account(
            client, report, threads=threads, items_per_thread=items_per_thread, recorder=recorder
        )
    finally:
        if handle is not None:
            handle.close()
    rows = report.rows
    style = ExampleStyle(example_width, show_text, settings.api_key)
    out = console()
    if as_json:
        echo(dumps([row.to_json(style) for row in rows], indent=2))
    else:
        for part in _render(report, rows, style, requests):
            out.print(part)
        if recorder is not None:
            err = console(stderr=True)
            err.print(f"recorded {recorder.lines} bodies in {record}", markup=False)
    raise typer.Exit(EXIT_DRIFT if rows else EXIT_OK)
