"""Part of the adapter: schemathesis' engine events turned into the suite's typed results.

The recorder's internals are read here and nowhere else; what comes out (`Scenario`,
`Outcome`, `Exchange`, `EngineError`) holds plain values only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from schemathesis.engine import Status, events, from_schema

__all__ = ["EngineError", "Exchange", "Outcome", "Scenario", "execute"]


@dataclass(frozen=True)
class Exchange:
    """One request the engine sent and the answer it got (headers as sent, unredacted)."""

    method: str
    url: str
    request_headers: tuple[tuple[str, str], ...]
    request_body: bytes | None
    status: int | None
    response_headers: tuple[tuple[str, str], ...]
    response_body: bytes
    elapsed: float
    started: float
    """Wall-clock time the exchange was recorded (seconds since the epoch)."""


@dataclass(frozen=True)
class Outcome:
    """One check's verdict on one answer."""

    operation: str
    check: str
    passed: bool
    title: str
    message: str
    code_sample: str
    exchange: Exchange | None


@dataclass(frozen=True)
class Scenario:
    """What one scenario (a test of one operation, or one stateful chain) found."""

    phase: str
    label: str
    elapsed: float
    outcomes: tuple[Outcome, ...]
    exchanges: tuple[Exchange, ...]
    links_followed: int
    operations: frozenset[str]


@dataclass(frozen=True)
class EngineError:
    """An error of the run itself (an unreachable server, a crashed check)."""

    message: str
    fatal: bool


def _pairs(headers: Any) -> tuple[tuple[str, str], ...]:
    pairs: list[tuple[str, str]] = []
    for name, values in dict(headers or {}).items():
        for value in values if isinstance(values, list) else [values]:
            pairs.append((str(name), str(value)))
    return tuple(pairs)


def _exchange(interaction: Any) -> Exchange:
    request, response = interaction.request, interaction.response
    return Exchange(
        method=str(request.method),
        url=str(request.uri),
        request_headers=_pairs(request.headers),
        request_body=request.body,
        status=int(response.status_code) if response is not None else None,
        response_headers=_pairs(response.headers) if response is not None else (),
        response_body=bytes(response.content or b"") if response is not None else b"",
        elapsed=float(response.elapsed) if response is not None else 0.0,
        started=float(interaction.timestamp),
    )


def _scenario(event: Any) -> Scenario:
    recorder = event.recorder
    exchanges = {case_id: _exchange(i) for case_id, i in recorder.interactions.items()}
    outcomes: list[Outcome] = []
    operations: set[str] = set()
    for case_id, nodes in recorder.checks.items():
        node = recorder.cases.get(case_id)
        operation = node.value.operation.label if node is not None else recorder.label
        operations.add(operation)
        for check in nodes:
            if check.status == Status.SKIP:
                continue
            info = check.failure_info
            outcomes.append(
                Outcome(
                    operation=operation,
                    check=check.name,
                    passed=check.status == Status.SUCCESS,
                    title=info.failure.title if info is not None else "",
                    message=(info.failure.message or "") if info is not None else "",
                    code_sample=info.code_sample if info is not None else "",
                    exchange=exchanges.get(case_id),
                )
            )
    links = sum(1 for node in recorder.cases.values() if node.transition is not None)
    return Scenario(
        phase=str(getattr(event.phase, "value", event.phase)),
        label=str(recorder.label),
        elapsed=float(event.elapsed_time),
        outcomes=tuple(outcomes),
        exchanges=tuple(exchanges.values()),
        links_followed=links,
        operations=frozenset(operations),
    )


def execute(
    schema: Any, *, stop: Callable[[], bool] | None = None
) -> Iterator[Scenario | EngineError]:
    """Run every configured phase over `schema`, yielding what each scenario found.

    When `stop()` turns true (checked after each scenario) the engine is stopped: the
    phases not yet run do not run.
    """
    stream = from_schema(schema).execute()
    for event in stream:
        if isinstance(event, events.ScenarioFinished):
            yield _scenario(event)
            if stop is not None and stop():
                stream.stop()
                return
        elif isinstance(event, events.NonFatalError):
            message = f"{event.label}: {event.info.format(base_url_is_set=True)}".strip()
            yield EngineError(message, fatal=False)
        elif isinstance(event, events.FatalError):
            yield EngineError(f"fatal: {event.exception!r}", fatal=True)
