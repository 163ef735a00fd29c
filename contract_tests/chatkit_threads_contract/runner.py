"""Run the server contract: schemathesis' engine over the spec, against one base URL.

The engine runs the phases the schemathesis CLI runs (examples, coverage, fuzzing and the
stateful phase chained through the spec's OpenAPI links) with the built-in checks and the
ones in `checks`; this module configures it, keeps DELETE within what the user allowed,
and folds the engine's events into a `ContractReport`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import httpx
import schemathesis
from hypothesis import strategies as st
from schemathesis.engine import Status, events, from_schema

from . import checks as custom_checks
from .followup import THREADS_PATH, targeting
from .report import CheckFailure, ContractReport
from .spec import SPEC_PATH
from .targets import is_local_url

__all__ = [
    "BUILTIN_CHECKS",
    "OPERATIONS",
    "PHASES",
    "ContractOptions",
    "DestructiveRequestRefused",
    "all_check_names",
    "run_server_contract",
]

OPERATIONS = ("listThreads", "retrieveThread", "listThreadItems", "deleteThread")
"""The spec's operation ids, which `--operations` accepts."""

PHASES = ("examples", "coverage", "fuzzing", "stateful")

BUILTIN_CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
    "negative_data_rejection",
    "positive_data_acceptance",
    "missing_required_header",
    "unsupported_method",
    "allow_header_conformance",
    "use_after_free",
    "ensure_resource_availability",
    "ignored_auth",
)
"""Built-in schemathesis checks the suite runs. `object_level_authorization` needs a
web-fuzzing-commons user file; `data_isolated_per_key` covers the same ground here."""

SUITE = "server"


def all_check_names() -> tuple[str, ...]:
    """Every check `--checks` accepts: built-in first, then the ChatKit ones."""
    return BUILTIN_CHECKS + custom_checks.CUSTOM_CHECKS


class DestructiveRequestRefused(RuntimeError):
    """A DELETE was about to go to a server the user did not allow it for."""


@dataclass
class ContractOptions:
    """What to test and how hard; mirrors the command's options."""

    base_url: str
    api_key: str
    other_api_key: str | None = None
    max_examples: int = 25
    seed: int | None = None
    operations: tuple[str, ...] = OPERATIONS
    checks: tuple[str, ...] = field(default_factory=all_check_names)
    phases: tuple[str, ...] = PHASES
    allow_destructive: bool = False
    request_timeout: float = 30.0

    @property
    def local(self) -> bool:
        """Whether the target is on this machine."""
        return is_local_url(self.base_url)

    @property
    def delete_policy(self) -> str:
        """`all` (local), `listed` (remote, opted in) or `none` (remote, not opted in)."""
        if self.local:
            return "all"
        return "listed" if self.allow_destructive else "none"


class _DeleteGuard:
    """Refuses DELETE requests the policy does not allow, before they are sent.

    Under the `listed` policy a thread may be deleted only if a listing showed it to the
    suite first; every id listed is remembered by `after_call`.
    """

    def __init__(self, policy: str) -> None:
        self.policy = policy
        self.listed: set[str] = set()
        self.deleted: list[str] = []
        self._lock = threading.Lock()

    def before_call(self, context: Any, case: Any, kwargs: dict[str, Any]) -> None:
        if case.method.upper() != "DELETE" or self.policy == "all":
            return
        thread_id = str((case.path_parameters or {}).get("thread_id", ""))
        with self._lock:
            allowed = self.policy == "listed" and thread_id in self.listed
            if allowed:
                self.deleted.append(thread_id)
        if not allowed:
            raise DestructiveRequestRefused(
                f"refused DELETE {case.formatted_path}: the thread was not seen in a listing"
                if self.policy == "listed"
                else "refused DELETE on a non-local server without --allow-destructive"
            )

    def after_call(self, context: Any, case: Any, response: Any) -> None:
        if case.method.upper() != "GET" or case.operation.path != THREADS_PATH:
            return
        if response.status_code != 200:
            return
        try:
            data = response.json().get("data", [])
        except Exception:
            return
        with self._lock:
            self.listed.update(
                str(row["id"]) for row in data if isinstance(row, dict) and "id" in row
            )


# `before_call`/`after_call` exist only as global schemathesis hooks, so one pair is
# registered for the process and finds the guard of the run by the schema's base URL.
_GUARDS: dict[str, _DeleteGuard] = {}


def _guard_key(schema: Any) -> str:
    return str(schema.get_base_url()).rstrip("/")


def _guard_for(case: Any) -> _DeleteGuard | None:
    try:
        return _GUARDS.get(_guard_key(case.operation.schema))
    except Exception:
        return None


@schemathesis.hook
def before_call(context: Any, case: Any, kwargs: dict[str, Any]) -> None:
    """Refuse a DELETE the run's policy does not allow (see `_DeleteGuard`)."""
    guard = _guard_for(case)
    if guard is not None:
        guard.before_call(context, case, kwargs)


@schemathesis.hook
def after_call(context: Any, case: Any, response: Any) -> None:
    """Remember the ids a listing showed, for the `listed` DELETE policy."""
    guard = _guard_for(case)
    if guard is not None:
        guard.after_call(context, case, response)


def _known_thread_ids(options: ContractOptions) -> list[str]:
    """Thread ids the server lists now, so generated requests can hit real threads."""
    try:
        response = httpx.get(
            options.base_url.rstrip("/") + THREADS_PATH,
            params={"limit": 100},
            headers={
                "Authorization": f"Bearer {options.api_key}",
                "OpenAI-Beta": "chatkit_beta=v1",
            },
            timeout=options.request_timeout,
        )
        data = response.json().get("data", []) if response.status_code == 200 else []
    except (httpx.HTTPError, ValueError, AttributeError):
        return []
    return [str(row["id"]) for row in data if isinstance(row, dict) and "id" in row]


def _config(options: ContractOptions) -> dict[str, Any]:
    selected = set(options.checks)
    checks: dict[str, Any] = {name: {"enabled": name in selected} for name in all_check_names()}
    checks["object_level_authorization"] = {"enabled": False}
    if "positive_data_acceptance" in selected:
        # A 400 for a valid request is judged by `valid_request_rejected_only_for_cursor`,
        # which allows it only for an unknown after/before cursor; every other status
        # keeps the built-in check's defaults.
        checks["positive_data_acceptance"]["expected-statuses"] = [
            "2xx",
            "3xx",
            "400",
            "401",
            "403",
            "404",
            "409",
            "429",
            "5xx",
        ]
    if options.other_api_key:
        checks[custom_checks.ISOLATION_CHECK]["other_api_key"] = options.other_api_key
    else:
        checks[custom_checks.ISOLATION_CHECK]["enabled"] = False
    config: dict[str, Any] = {
        "base-url": options.base_url.rstrip("/"),
        "auth": {"openapi": {"bearerAuth": {"bearer": options.api_key}}},
        "generation": {"max-examples": options.max_examples},
        "phases": {
            name: {
                "enabled": name in options.phases,
                **({"fill-missing": True} if name == "examples" else {}),
            }
            for name in PHASES
        },
        "checks": checks,
        "continue-on-failure": True,
        "workers": 1,
        "request-timeout": options.request_timeout,
        "output": {"sanitization": {"enabled": True}},
    }
    if options.seed is not None:
        config["seed"] = options.seed
    if options.delete_policy == "listed":
        # Only the stateful phase deletes, and only threads reached through a listing's links.
        config["operations"] = [
            {
                "include-operation-id": "deleteThread",
                "phases": {name: {"enabled": name == "stateful"} for name in PHASES},
            }
        ]
    return config


def _build_schema(options: ContractOptions, guard: _DeleteGuard) -> Any:
    config = schemathesis.Config.from_dict(_config(options))
    schema: Any = schemathesis.openapi.from_path(SPEC_PATH, config=config)
    schema = schema.include(operation_id=list(options.operations))
    if options.delete_policy == "none":
        # Excluding the method also stops the coverage phase probing DELETE as an undeclared method.
        schema = schema.exclude(method="DELETE")
    _GUARDS[_guard_key(schema)] = guard
    known = _known_thread_ids(options)
    if known:
        seeded = st.sampled_from(known).map(lambda thread_id: {"thread_id": thread_id})

        # Random ids almost never exist, so without real ones retrieve and items would only
        # ever test the 404 path. DELETE keeps random ids: the stateful phase deletes real ones.
        def before_generate_path_parameters(context: Any, strategy: Any) -> Any:
            operation = context.operation
            if operation is None or operation.method.upper() != "GET":
                return strategy
            return st.one_of(strategy, seeded, seeded)

        schema.hook(before_generate_path_parameters)
    schema.hook(before_add_examples)
    return schema


TYPICAL_LIST_QUERIES: tuple[dict[str, Any], ...] = ({"limit": 50}, {"limit": 10, "order": "asc"})
"""Queries a client typically sends, tried on each list operation besides the generated ones.

Generation favours boundaries (0, 1, 100, the default); a server that breaks on an
ordinary page size such as 50 would otherwise go unnoticed."""


def before_add_examples(context: Any, examples: list[Any]) -> None:
    """Add `TYPICAL_LIST_QUERIES` to the examples phase of the list operations."""
    operation = context.operation
    if operation is None or operation.method.upper() != "GET" or not examples:
        return
    if not (operation.path == THREADS_PATH or operation.path.endswith("/items")):
        return
    base = examples[0]
    for query in TYPICAL_LIST_QUERIES:
        examples.append(base.derive(query=dict(query), keep_auth=True))


def _record_scenario(report: ContractReport, recorder: Any) -> None:
    for case_id, nodes in recorder.checks.items():
        node = recorder.cases.get(case_id)
        operation = node.value.operation.label if node is not None else recorder.label
        for check in nodes:
            if check.status == Status.SKIP:
                continue
            report.record(SUITE, operation, check.name, passed=check.status == Status.SUCCESS)
            info = check.failure_info
            if info is not None:
                report.add_failure(
                    CheckFailure(
                        suite=SUITE,
                        operation=operation,
                        check=check.name,
                        title=info.failure.title,
                        message=info.failure.message,
                        reproduction=info.code_sample,
                    )
                )


def _consume(report: ContractReport, stream: Iterable[events.EngineEvent]) -> None:
    for event in stream:
        if isinstance(event, events.ScenarioFinished):
            _record_scenario(report, event.recorder)
        elif isinstance(event, events.NonFatalError):
            report.errors.append(
                f"{event.label}: {event.info.format(base_url_is_set=True)}".strip()
            )
        elif isinstance(event, events.FatalError):
            report.errors.append(f"fatal: {event.exception!r}")


def run_server_contract(
    options: ContractOptions, *, on_progress: Callable[[str], None] | None = None
) -> ContractReport:
    """Run the server contract against `options.base_url` and return what it found."""
    report = ContractReport(target=options.base_url)
    custom_checks.reset()
    started = time.monotonic()
    guard = _DeleteGuard(options.delete_policy)
    schema = _build_schema(options, guard)
    if on_progress is not None:
        on_progress(f"server contract: {options.base_url} ({', '.join(options.operations)})")
    try:
        with targeting(options.base_url):
            _consume(report, from_schema(schema).execute())
    finally:
        _GUARDS.pop(_guard_key(schema), None)
    if options.delete_policy == "none" and "deleteThread" in options.operations:
        report.notes.append(
            "DELETE was not tested: the server is not local; pass --allow-destructive to test it"
        )
    elif options.delete_policy == "listed":
        deleted = ", ".join(guard.deleted) or "none"
        report.notes.append(
            "--allow-destructive on a non-local server: only threads the suite saw listed were "
            f"deleted ({len(guard.deleted)}: {deleted})"
        )
    report.elapsed = time.monotonic() - started
    return report
