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
from schemathesis.generation.case import Case as _Case  # noqa: E402
from schemathesis.generation.jsonschema.builder import build as build_strategy  # noqa: E402
from schemathesis.hooks import GLOBAL_HOOK_DISPATCHER  # noqa: E402

from .adapter_results import (  # noqa: E402
    EngineError,
    Exchange,
    Outcome,
    Scenario,
    execute,
)

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
    path = str(case.formatted_path)
    scope = _scope_for(str(case.operation.schema.get_base_url()).rstrip("/") + path)
    if scope is not None:
        scope.before_send(str(case.method).upper(), path)


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
