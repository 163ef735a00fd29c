"""The one place the suite touches schemathesis (pinned version checked here).

The suite drives schemathesis' engine, builds JSON Schema strategies with its generator,
derives example cases, registers its checks and hooks, and paces its requests. Most of
those names are not public and change between releases, so they are imported only here:
the next schemathesis upgrade is this file, and an unexpected version fails at import with
a message saying so.

Nothing here changes schemathesis at import. A run enters `run_scope`, which for its
duration registers the suite's checks and its `before_call` hook and routes the engine's
requests through the run's pacer and deadline; all of it is undone when the run ends, so
no process-global state outlives a run. The engine's events come out as the suite's own
typed results (`Scenario`, `EngineError`), never as schemathesis objects.
"""

from __future__ import annotations

import contextlib
import re
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import requests
import requests.adapters
import schemathesis
import urllib3
from hypothesis import strategies as st

from .deadline import DeadlineExceeded, Deadlines
from .pacing import Pacer

__all__ = [
    "PINNED_VERSION",
    "Case",
    "CheckContext",
    "CheckFailed",
    "EngineError",
    "Exchange",
    "Outcome",
    "Response",
    "RunScope",
    "Scenario",
    "build_schema",
    "build_strategy",
    "derive_case",
    "execute",
    "run_scope",
]

PINNED_VERSION = "4.32.5"
if schemathesis.__version__ != PINNED_VERSION:
    raise ImportError(
        f"chatkit_threads_contract is built for schemathesis {PINNED_VERSION}, found "
        f"{schemathesis.__version__}: review contract_tests/chatkit_threads_contract/adapter.py "
        "against the new release, then update PINNED_VERSION and the pin in pyproject.toml"
    )

# Imported after the version check, so a release that moved them fails with the message above.
import schemathesis.transport.requests as _transport  # noqa: E402
from schemathesis import CheckContext, Response  # noqa: E402
from schemathesis.checks import CHECKS as _CHECKS  # noqa: E402
from schemathesis.core.failures import Failure  # noqa: E402
from schemathesis.engine import Status, events, from_schema  # noqa: E402
from schemathesis.generation.case import Case as _Case  # noqa: E402
from schemathesis.generation.jsonschema.builder import build as build_strategy  # noqa: E402
from schemathesis.hooks import GLOBAL_HOOK_DISPATCHER  # noqa: E402

# The checks never touch the request body, so its type does not matter here.
Case = _Case[Any]
CheckFunction = Callable[[CheckContext, Response, Case], "bool | None"]


class CheckFailed(Failure):
    """A ChatKit check found the server breaking the contract (schemathesis' failure type).

    One finding per operation and check: like schemathesis' own failures, its identity is
    coarse so that shrinking keeps the smallest example of it.
    """

    code = "ST901"
    kind_title = "Custom check failed"

    @property
    def _unique_key(self) -> str:
        return self.title


def derive_case(
    case: Any,
    *,
    query: dict[str, Any] | None = None,
    path_parameters: dict[str, Any] | None = None,
) -> Any:
    """A copy of an example `case` (credentials kept) with other query or path parameters."""
    derived = case.derive(query=query, keep_auth=True)
    if path_parameters:
        derived.path_parameters.update(path_parameters)
    return derived


def build_schema(
    document: dict[str, Any],
    config: dict[str, Any],
    *,
    operation_ids: Sequence[str],
    exclude_delete: bool,
    filter_case: Callable[[Any], bool],
    add_examples: Callable[[Any, list[Any]], None],
    after_call: Callable[[Any, Any], None],
    known_ids: Sequence[str] = (),
) -> Any:
    """The schemathesis schema of a run: `document` restricted to `operation_ids`.

    `filter_case(case)` drops a generated case before it is sent; `add_examples(operation,
    examples)` may append example cases (built with `derive_case`) to the examples phase;
    `after_call(case, response)` sees every answer as it arrives;
    `known_ids` are drawn, besides generated values, as the thread id of GET operations.
    All are hooks of this schema only.
    """
    schema: Any = schemathesis.openapi.from_dict(
        document, config=schemathesis.Config.from_dict(config)
    )
    schema = schema.include(operation_id=list(operation_ids))
    if exclude_delete:
        # Excluding the method also stops the coverage phase probing DELETE as an undeclared one.
        schema = schema.exclude(method="DELETE")

    def filter_case_hook(context: Any, case: Any) -> bool:
        return filter_case(case)

    def before_add_examples(context: Any, examples: list[Any]) -> None:
        add_examples(context.operation, examples)

    schema.hook("filter_case")(filter_case_hook)
    schema.hook("before_add_examples")(before_add_examples)

    def after_call_hook(context: Any, case: Any, response: Any) -> None:
        after_call(case, response)

    schema.hook("after_call")(after_call_hook)
    if known_ids:
        ids = st.sampled_from(list(known_ids))

        # Random ids almost never exist, so without real ones retrieve and items would only
        # ever test the 404 path. DELETE keeps random ids: the stateful phase deletes real ones.
        def before_generate_path_parameters(context: Any, strategy: Any) -> Any:
            operation = context.operation
            names = re.findall(r"\{([^}]+)\}", str(operation.path)) if operation else []
            if operation is None or operation.method.upper() != "GET" or len(names) != 1:
                return strategy
            seeded = ids.map(lambda value: {names[0]: value})
            return st.one_of(strategy, seeded, seeded)

        schema.hook("before_generate_path_parameters")(before_generate_path_parameters)
    return schema


# ---------------------------------------------------------------------- typed results


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


# --------------------------------------------------------------------------- run scope


@dataclass
class RunScope:
    """What a run plugs into schemathesis for its duration.

    `before_send(method, url)` may raise to refuse a request at the last moment;
    `pacer` spaces and retries the engine's requests to `base_url`; `deadline` bounds
    each whole exchange (status line, headers and body) in seconds.
    """

    base_url: str
    pacer: Pacer
    deadline: float
    checks: Sequence[CheckFunction]
    before_send: Callable[[str, str], None]


_LOCK = threading.Lock()
_SCOPES: list[RunScope] = []
_ORIGINAL_SEND: Any = None
_ORIGINAL_ADAPTER_SEND: Any = None
_DEADLINES: Deadlines | None = None


def _scope_for(url: str) -> RunScope | None:
    with _LOCK:
        for scope in reversed(_SCOPES):
            key = scope.base_url.rstrip("/")
            if url == key or url.startswith(key + "/"):
                return scope
    return None


def _paced_send(session: Any, data: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
    scope = _scope_for(str(data.get("url", "")))
    if scope is None:
        return _ORIGINAL_SEND(session, data, *args, **kwargs)

    def call() -> Any:
        return _ORIGINAL_SEND(session, data, *args, **kwargs)

    return scope.pacer.send(call, lambda r: int(r.status_code), lambda r: dict(r.headers))


def _bounded_adapter_send(adapter: Any, request: Any, *args: Any, **kwargs: Any) -> Any:
    """requests' transport send, each exchange with a run's target bounded by its deadline
    (the engine's own probes included)."""
    scope = _scope_for(str(request.url))
    if scope is None or _DEADLINES is None:
        return _ORIGINAL_ADAPTER_SEND(adapter, request, *args, **kwargs)
    try:
        with _DEADLINES.bound(scope.deadline):
            return _ORIGINAL_ADAPTER_SEND(adapter, request, *args, **kwargs)
    except DeadlineExceeded:
        # Reported by the engine as the timeout it is, shaped as requests' own (the
        # engine reads the duration out of urllib3's message).
        cause = urllib3.exceptions.ReadTimeoutError(
            None,  # type: ignore[arg-type]
            str(request.url),
            f"Read timed out: no whole answer in time (read timeout={scope.deadline:g})",
        )
        raise requests.exceptions.ReadTimeout(cause, request=request) from None


def _before_call(context: Any, case: Any, kwargs: dict[str, Any]) -> None:
    url = str(case.formatted_path)
    scope = _scope_for(str(case.operation.base_url or "").rstrip("/") + url)
    if scope is not None:
        scope.before_send(str(case.method).upper(), url)


def _install(scope: RunScope) -> None:
    global _ORIGINAL_SEND, _ORIGINAL_ADAPTER_SEND, _DEADLINES
    with _LOCK:
        if not _SCOPES:
            _ORIGINAL_SEND = _transport._request_with_retries
            _transport._request_with_retries = _paced_send
            _ORIGINAL_ADAPTER_SEND = requests.adapters.HTTPAdapter.send
            requests.adapters.HTTPAdapter.send = _bounded_adapter_send  # type: ignore[method-assign,assignment]
            _DEADLINES = Deadlines()
            _DEADLINES.install()
            GLOBAL_HOOK_DISPATCHER.register_hook_with_name(_before_call, "before_call")
            for check in scope.checks:
                _CHECKS.register(check)
        _SCOPES.append(scope)


def _uninstall(scope: RunScope) -> None:
    global _ORIGINAL_SEND, _ORIGINAL_ADAPTER_SEND, _DEADLINES
    with _LOCK:
        _SCOPES.remove(scope)
        if _SCOPES:
            return
        _transport._request_with_retries = _ORIGINAL_SEND
        _ORIGINAL_SEND = None
        requests.adapters.HTTPAdapter.send = _ORIGINAL_ADAPTER_SEND  # type: ignore[method-assign]
        _ORIGINAL_ADAPTER_SEND = None
        if _DEADLINES is not None:
            _DEADLINES.uninstall()
            _DEADLINES = None
        GLOBAL_HOOK_DISPATCHER.unregister(_before_call)
        for check in scope.checks:
            if check.__name__ in _CHECKS.get_all_names():
                _CHECKS.unregister(check.__name__)


@contextlib.contextmanager
def run_scope(scope: RunScope) -> Iterator[None]:
    """Plug the run into schemathesis for the duration; everything is undone afterwards.

    Runs may nest or overlap (threads); the first one in installs, the last one out
    restores schemathesis as it was. Requests to another base URL are left alone.
    """
    _install(scope)
    try:
        yield
    finally:
        _uninstall(scope)
