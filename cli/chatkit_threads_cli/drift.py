"""``chatkit-threads spec drift``: how far the API's answers are from the spec.

Samples the account read-only (the thread listing in both orders, a sample of threads
retrieved one by one, the first items of each), checks every body with
``conformance.SpecChecker`` and folds the departures into rows: one per operation,
schema, JSON path (indices folded to ``[*]``) and kind of departure, with how often it
happened out of how many places it could have. ``--record`` keeps the drifting threads
and items as received, as a fixture file the mock can serve with ``--allow-drift``.
"""

from __future__ import annotations

import itertools
import json
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Annotated, Any

import attrs
import httpx
import typer
from rich import box
from rich.console import RenderableType
from rich.table import Table
from rich.text import Text

from chatkit_threads import ChatKit, ChatKitError, NotFoundError, RawResponse

from .conformance import MISSING, Departure, SpecChecker, fold_path
from .errors import EXIT_OK, UsageProblem, reporting
from .jsontext import dumps
from .limits import PAGE_MAX
from .settings import Settings
from .terminal import console, echo, hide_secrets, safe

__all__ = [
    "DriftReport",
    "DriftRow",
    "ExampleStyle",
    "OperationShare",
    "Recorder",
    "sample_account",
    "spec_app",
]

EXIT_DRIFT = 1

# Values shown as they are: ids, enum values, type names, timestamps, URLs. Anything
# else (spaces, punctuation, other scripts) counts as free text.
_TOKEN = re.compile(r"[A-Za-z0-9_.:/@+=-]*")
_TEXT_START = 12

spec_app = typer.Typer(
    name="spec",
    help="Compare the live API with the spec.",
    no_args_is_help=True,
)


@attrs.define
class DriftRow:
    """One kind of departure at one place of one operation's bodies."""

    operation: str
    schema: str
    path: str
    problem: str
    count: int
    total: int
    example: Any

    def to_json(self, style: ExampleStyle) -> dict[str, Any]:
        """The row for ``--json`` (the example as shortened text, or null)."""
        data = attrs.asdict(self)
        data["example"] = style.render(self.example)
        return data


@attrs.define
class OperationShare:
    """How many of an operation's bodies conform to the spec."""

    operation: str
    bodies: int = 0
    conforming: int = 0


class DriftReport:
    """Accumulates checked bodies into rows and per-operation shares."""

    def __init__(self, checker: SpecChecker) -> None:
        self.checker = checker
        self.shares = {op: OperationShare(op) for op in checker.operations}
        self._places: Counter[tuple[str, str]] = Counter()
        self._rows: dict[tuple[str, str, str, str], DriftRow] = {}
        self._units: dict[tuple[str, str, str, str], str] = {}

    def add(self, operation: str, body: Any) -> list[Departure]:
        """Check one body of ``operation``; returns its departures."""
        for place in _places(body, "$"):
            self._places[operation, place] += 1
        departures = self.checker.check(operation, body)
        share = self.shares.setdefault(operation, OperationShare(operation))
        share.bodies += 1
        share.conforming += not departures
        for departure in departures:
            key = (operation, departure.schema, fold_path(departure.path), departure.problem)
            row = self._rows.get(key)
            if row is None:
                row = self._rows[key] = DriftRow(*key, 0, 0, departure.value)
                self._units[key] = fold_path(departure.unit)
            row.count += 1
        return departures

    @property
    def rows(self) -> list[DriftRow]:
        """The rows, in operation order then most frequent first."""
        order = {op: index for index, op in enumerate(self.shares)}
        for key, row in self._rows.items():
            row.total = self._places[row.operation, self._units[key]] or row.count
        return sorted(
            self._rows.values(), key=lambda r: (order.get(r.operation, 0), -r.count, r.path)
        )


def _places(value: Any, path: str) -> Iterator[str]:
    """Every folded path of ``value``: where a departure can be counted."""
    yield path
    if isinstance(value, dict):
        for key, child in value.items():
            yield from _places(child, f"{path}.{key}")
    elif isinstance(value, list):
        for child in value:
            yield from _places(child, f"{path}[*]")


@attrs.frozen
class ExampleStyle:
    """How an offending value is shown: cut to ``width`` characters (0 = not shown),
    free text (any string but an id-like token) reduced to its start unless
    ``show_text``, and the API key (``secret``) replaced wherever it appears."""

    width: int = 40
    show_text: bool = False
    secret: str | None = None

    def render(self, value: Any) -> str | None:
        """The one-line example, or None when there is nothing to show."""
        if self.width <= 0 or value is MISSING:
            return None
        text = " ".join(json.dumps(self._mask(value), ensure_ascii=False).split())
        if len(text) > self.width:
            suffix = f"... ({len(text)} chars)"
            text = text[: max(self.width - len(suffix), 1)] + suffix
        return text

    def _mask(self, value: Any) -> Any:
        if isinstance(value, dict):
            return {key: self._mask(child) for key, child in value.items()}
        if isinstance(value, list):
            return [self._mask(child) for child in value]
        if not isinstance(value, str):
            return value
        if self.secret and self.secret in value:
            value = value.replace(self.secret, "<redacted>")
        if self.show_text or _TOKEN.fullmatch(value):
            return value
        # Free text (a message) is the user's; its start says enough to find it.
        words = value.split()
        # Never more than half of it, so that a short text is not shown whole either.
        start = words[0][: min(_TEXT_START, len(value) // 2)] if words else ""
        return f"{start} ...({len(value)} chars of text)"


class Recorder:
    """Writes drifting threads and items, as received, one JSON object per line.

    An item's thread is written before it (once), even if the thread itself conforms,
    so the file loads into the mock on its own. An entry that is not even a JSON object
    is reported but not recorded: it cannot be a fixture.
    """

    def __init__(self, handle: IO[str]) -> None:
        self._handle = handle
        self._written: set[str] = set()
        self.lines = 0

    def thread(self, body: Any) -> None:
        """Record a thread, unless one with its id is already in the file."""
        self._write(body)

    def item(self, body: Any, thread: Any) -> None:
        """Record an item (and, first, its thread)."""
        self._write(thread)
        self._write(body)

    def _write(self, body: Any) -> None:
        if not isinstance(body, dict):
            return
        key = body.get("id")
        if isinstance(key, str):
            if key in self._written:
                return
            self._written.add(key)
        self._handle.write(dumps(body, compact=True) + "\n")
        self.lines += 1


def _drifting_entries(departures: list[Departure], field: str | None, body: Any) -> list[Any]:
    """The entries of a listing (``$.<field>[i]``) that some departure lies in."""
    entries = body.get(field) if field is not None and isinstance(body, dict) else None
    if not isinstance(entries, list):
        return []
    indices = {
        d.parts[1]
        for d in departures
        if len(d.parts) > 1 and d.parts[0] == field and isinstance(d.parts[1], int)
    }
    return [entries[i] for i in sorted(indices) if i < len(entries)]


@attrs.frozen
class _Answer:
    operation: str
    body: Any
    departures: list[Departure]


class _Sampler:
    def __init__(self, client: ChatKit, report: DriftReport) -> None:
        self.client = client
        self.report = report
        self.requests = 0
        # The spec being checked may leave `limit` unbounded: then the client's own.
        maximum = report.checker.parameter("limit").maximum
        self.page_max = int(maximum) if maximum is not None else PAGE_MAX
        self._base_path = httpx.URL(client.base_url).raw_path.decode("ascii").rstrip("/")

    def check(self, raw: RawResponse[Any]) -> _Answer:
        """Check one answer against the operation its URL belongs to."""
        self.requests += 1
        response = raw.http_response
        path = response.request.url.raw_path.decode("ascii").split("?", 1)[0]
        operation = self.report.checker.operation_for(path.removeprefix(self._base_path))
        if operation is None:
            raise RuntimeError(f"no operation of the spec answers {path}")
        try:
            body = response.json()
        except ValueError:
            body = response.text
        return _Answer(operation, body, self.report.add(operation, body))

    def pages(self, fetch: Any, wanted: int) -> Iterator[tuple[list[Any], list[Any]]]:
        """Pages of a listing (the client's lenient models, and the raw entries that
        drift) until ``wanted`` entries were read or the listing ends."""
        seen, after = 0, None
        while seen < wanted:
            raw = fetch(limit=min(self.page_max, wanted - seen), after=after)
            answer = self.check(raw)
            field = self.report.checker.list_field(answer.operation)
            drifting = _drifting_entries(answer.departures, field, answer.body)
            try:
                page = raw.parse()
            except ChatKitError:
                # A page the client cannot read at all (its departures are reported):
                # nothing more can be found from it.
                yield [], drifting
                return
            yield page.data, drifting
            if not page.data or not page.has_next_page() or page.last_id is None:
                return
            seen += len(page.data)
            after = page.last_id


def _orders(checker: SpecChecker) -> list[Any]:
    # The spec's sort orders, its default (newest first) first.
    order = checker.parameter("order")
    default = order.default
    values: list[Any] = list(order.enum or ())
    return sorted(values, key=lambda value: value != default)


def sample_account(
    client: ChatKit,
    report: DriftReport,
    *,
    threads: int,
    items_per_thread: int,
    recorder: Recorder | None = None,
) -> int:
    """Sample the account into ``report``; returns the number of requests made.

    At most ``threads`` threads from the listing in each order; then ``threads``
    distinct ids, from each end alternately, are retrieved, with up to
    ``items_per_thread`` items of each (in the order other than the default: a
    conversation from its start).
    """
    sampler = _Sampler(client, report)
    raw = client.threads.with_raw_response
    orders = _orders(report.checker)
    listed: list[list[str]] = []
    for order in orders:
        ids: list[str] = []
        listed.append(ids)

        def fetch_threads(*, limit: int, after: str | None, order: Any = order) -> Any:
            return raw.list(limit=limit, after=after, order=order)

        for models, drifting in sampler.pages(fetch_threads, threads):
            ids += [i for i in (getattr(t, "id", None) for t in models) if isinstance(i, str)]
            if recorder is not None:
                for thread in drifting:
                    recorder.thread(thread)
    # Both ends alternately: old and new data often drift differently.
    alternate = itertools.chain.from_iterable(itertools.zip_longest(*listed))
    sample = [thread_id for thread_id in dict.fromkeys(alternate) if thread_id is not None]
    for thread_id in sample[:threads]:
        try:
            _sample_thread(sampler, thread_id, items_per_thread, orders[-1], recorder)
        except NotFoundError:
            # Deleted since it was listed: nothing (more) to check.
            continue
    return sampler.requests


def _sample_thread(
    sampler: _Sampler, thread_id: str, items: int, order: Any, recorder: Recorder | None
) -> None:
    """Retrieve one thread and read up to ``items`` of its items in ``order``."""
    raw = sampler.client.threads.with_raw_response
    answer = sampler.check(raw.retrieve(thread_id))
    if recorder is not None and answer.departures:
        recorder.thread(answer.body)

    def fetch_items(*, limit: int, after: str | None) -> Any:
        return raw.list_items(thread_id, limit=limit, after=after, order=order)

    for _, drifting in sampler.pages(fetch_items, items) if items > 0 else ():
        if recorder is not None:
            for item in drifting:
                recorder.item(item, answer.body)


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
