"""Sampling an account for the drift report (read-only): the thread listing in each
order, a sample of threads retrieved one by one, and the first items of each; and
recording the drifting bodies as received."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import IO, Any

import attrs
import httpx

from chatkit_threads import ChatKit, ChatKitError, NotFoundError, RawResponse

from .conformance import Departure, SpecChecker
from .drift_report import DriftReport
from .jsontext import dumps
from .limits import PAGE_MAX

__all__ = ["Recorder", "sample_account"]


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
        drift) until ``wanted`` entries were read or the listing ends.

        Raw pages (the bodies are what is checked), so not the client's paginator; its
        rule holds all the same: a cursor the server repeats ends the walk."""
        seen, after = 0, None
        cursors: set[str] = set()
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
            if page.last_id in cursors:
                return
            cursors.add(page.last_id)
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
