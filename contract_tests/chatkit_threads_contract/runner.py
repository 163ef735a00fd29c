"""Run the server contract: schemathesis' engine over the spec under test, against one base URL.

The engine runs the phases the schemathesis CLI runs (examples, coverage, fuzzing and the
stateful phase chained through OpenAPI links) with the built-in checks and the ones in
`checks`; this module configures it from the spec under test (`contract`), keeps DELETE
within what the user allowed, and folds the engine's events into a `ContractReport` that
also says which checks could not run and how much of the contract was exercised.
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

from . import adapter
from . import checks as custom_checks
from .adapter import Status, events
from .contract import BETA_HEADER, SpecContract, count_links, load_contract
from .followup import THREADS_PATH, RunTarget, targeting
from .pacing import RATE_LIMITED, Pacer, parse_rate
from .report import CheckFailure, ContractReport, NotRun
from .targets import is_local_url

__all__ = [
    "BUILTIN_CHECKS",
    "PHASES",
    "ContractOptions",
    "DestructiveRequestRefused",
    "TargetUnreachable",
    "all_check_names",
    "run_server_contract",
]

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
web-fuzzing-commons user file (`data_isolated_per_key` covers the same ground here)."""

SUITE = "server"
DEFAULT_TIMEOUT = 30.0

# Checks that need the DELETE operation, the stateful phase, or the coverage phase;
# a check not listed can judge any operation in any phase.
_NEEDS_DELETE = {"use_after_free", "deleted_thread_vanishes"}
_NEEDS_STATEFUL = {"use_after_free", "ensure_resource_availability"}
_NEEDS_COVERAGE = {"unsupported_method", "allow_header_conformance", "missing_required_header"}
_NEEDS_THREADS = {
    "list_has_more_truthful",
    "list_cursors_exclusive",
    "list_user_filter_respected",
    "items_belong_to_thread",
    "deleted_thread_vanishes",
    "use_after_free",
    "data_isolated_per_key",
}
_NEEDS_ROLES: dict[str, set[str]] = {
    "items_belong_to_thread": {"list_items"},
    "list_user_filter_respected": {"list_threads"},
    "unknown_thread_is_404": {"retrieve_thread", "list_items"},
}
_LIST_CHECKS = {
    "list_page_ids_match_data",
    "list_page_within_limit",
    "list_page_in_requested_order",
    "list_has_more_truthful",
    "list_cursors_exclusive",
    "list_walk_complete",
    "list_limit_bounds",
}


def all_check_names() -> tuple[str, ...]:
    """Every check `--checks` accepts: built-in first, then the ChatKit ones."""
    return BUILTIN_CHECKS + custom_checks.CUSTOM_CHECKS


class DestructiveRequestRefused(RuntimeError):
    """A DELETE the run does not allow reached the point of sending (it is not sent)."""


class TargetUnreachable(RuntimeError):
    """The server did not answer the first request (refused, unknown host, or timed out)."""


@dataclass
class ContractOptions:
    """What to test and how hard; mirrors the command's options."""

    base_url: str
    api_key: str
    other_api_key: str | None = None
    max_examples: int = 25
    seed: int | None = None
    operations: tuple[str, ...] | None = None
    """Operation ids of the spec under test (`None`: all it declares)."""
    checks: tuple[str, ...] = field(default_factory=all_check_names)
    phases: tuple[str, ...] = PHASES
    allow_destructive: bool = False
    bundled: bool = False
    """The target is the bundled mock this process started: deleting is always allowed."""
    spec: str | None = None
    """Path or URL of the spec under test (`None`: the bundled spec)."""
    request_timeout: float = DEFAULT_TIMEOUT
    rate_limit: str | None = None
    """At most this many requests, e.g. `10/s` or `100/m` (schemathesis' `--rate-limit` form)."""

    @property
    def local(self) -> bool:
        """Whether the target is on this machine's loopback (127.0.0.0/8, ::1, localhost)."""
        return is_local_url(self.base_url)

    @property
    def delete_policy(self) -> str:
        """`all`, `listed` (only threads the suite saw listed) or `none`.

        Only the bundled mock is deleted from without asking. With `--allow-destructive`
        a local server may lose any thread; a remote one only threads the run listed.
        """
        if self.bundled:
            return "all"
        if not self.allow_destructive:
            return "none"
        return "all" if self.local else "listed"


class _DeleteGuard:
    """Keeps DELETE requests the policy does not allow from being generated, let alone sent.

    Under the `listed` policy a thread may be deleted only if a listing showed it to the
    suite first; every id listed is remembered by `after_call`. A dropped request is
    never sent and never judged: it is counted as not run, not reported as an error.
    """

    def __init__(self, policy: str, contract: SpecContract) -> None:
        self.policy = policy
        self.contract = contract
        self.listed: set[str] = set()
        self.deleted: list[str] = []
        self.skipped = 0
        self._lock = threading.Lock()

    def allows(self, case: Any) -> bool:
        """Whether `case` may be sent: anything but a DELETE the policy does not allow."""
        if case.method.upper() != "DELETE" or self.policy == "all":
            return True
        role = self.contract.role_of(case.method, case.operation.path)
        thread_id = str((case.path_parameters or {}).get("thread_id", ""))
        with self._lock:
            return self.policy == "listed" and role == "delete_thread" and thread_id in self.listed

    def filter_case(self, context: Any, case: Any) -> bool:
        """Drop, at generation, a DELETE the policy does not allow: it is counted, not sent."""
        if self.allows(case):
            return True
        with self._lock:
            self.skipped += 1
        return False

    def before_call(self, context: Any, case: Any, kwargs: dict[str, Any]) -> None:
        # The last line of defence: `filter_case` should have dropped the case already.
        if not self.allows(case):
            raise DestructiveRequestRefused(f"refused DELETE {case.formatted_path}")

    def after_call(self, context: Any, case: Any, response: Any) -> None:
        role = self.contract.role_of(case.method, case.operation.path)
        if response.status_code != 200 or role not in ("list_threads", "delete_thread"):
            return
        if role == "delete_thread":
            thread_id = str((case.path_parameters or {}).get("thread_id", ""))
            with self._lock:
                if thread_id not in self.deleted:
                    self.deleted.append(thread_id)
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
    """Skip a DELETE the run's policy does not allow (see `_DeleteGuard`)."""
    guard = _guard_for(case)
    if guard is not None:
        guard.before_call(context, case, kwargs)


@schemathesis.hook
def after_call(context: Any, case: Any, response: Any) -> None:
    """Remember the ids a listing showed, for the `listed` DELETE policy."""
    guard = _guard_for(case)
    if guard is not None:
        guard.after_call(context, case, response)


def _probe(options: ContractOptions, target: RunTarget) -> list[str] | None:
    """The thread ids the server lists now (`None`: the listing was not answered with 200).

    This first request also proves the server is there: a refused connection or no
    answer within the request timeout raises `TargetUnreachable` before the run starts.
    """
    url = options.base_url.rstrip("/") + THREADS_PATH
    listing = target.contract.operations.get("list_threads")
    params = {"limit": target.contract.limit_max} if listing and target.contract.limit_max else {}
    headers = {
        "Authorization": f"Bearer {options.api_key}",
        BETA_HEADER: target.contract.beta_header_value,
    }
    try:
        response = target.pacer.send(
            lambda: target.client.get(url, params=params, headers=headers),
            lambda r: r.status_code,
            lambda r: r.headers,
        )
    except httpx.TimeoutException:
        raise TargetUnreachable(
            f"{options.base_url} did not answer within {options.request_timeout:g}s "
            "(--request-timeout)"
        ) from None
    except httpx.HTTPError as error:
        raise TargetUnreachable(f"cannot reach {options.base_url}: {error}") from None
    if response.status_code != 200:
        return None
    try:
        data = response.json().get("data", [])
    except (ValueError, AttributeError):
        return None
    return [str(row["id"]) for row in data if isinstance(row, dict) and "id" in row]


def _auth(contract: SpecContract, api_key: str) -> tuple[dict[str, Any], dict[str, str]]:
    """Schemathesis auth config for every scheme that carries the key as a bearer token,
    and the headers to send when none does (the key always goes as `Authorization: Bearer`)."""
    schemes = contract.document.get("components", {}).get("securitySchemes", {})
    auth: dict[str, Any] = {}
    for name, scheme in schemes.items():
        if not isinstance(scheme, dict):
            continue
        if scheme.get("type") == "http" and str(scheme.get("scheme", "")).lower() == "bearer":
            auth[name] = {"bearer": api_key}
        elif (
            scheme.get("type") == "apiKey"
            and scheme.get("in") == "header"
            and str(scheme.get("name", "")).lower() == "authorization"
        ):
            auth[name] = {"api_key": f"Bearer {api_key}"}
    headers = {} if auth else {"Authorization": f"Bearer {api_key}"}
    return auth, headers


def _phases(options: ContractOptions, contract: SpecContract) -> tuple[str, ...]:
    """The phases that can run: the stateful phase needs links among the selected operations."""
    document = contract.document_for(_selected_ids(options, contract))
    if count_links(document):
        return options.phases
    return tuple(phase for phase in options.phases if phase != "stateful")


def _config(options: ContractOptions, contract: SpecContract) -> dict[str, Any]:
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
    auth, headers = _auth(contract, options.api_key)
    if not contract.declares_beta_header:
        # Declared, schemathesis generates it (and its negative cases); otherwise send it.
        headers[BETA_HEADER] = contract.beta_header_value
    config: dict[str, Any] = {
        "base-url": options.base_url.rstrip("/"),
        "generation": {"max-examples": options.max_examples},
        "phases": {
            name: {
                "enabled": name in _phases(options, contract),
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
    if auth:
        config["auth"] = {"openapi": auth}
    if headers:
        config["headers"] = headers
    if options.seed is not None:
        config["seed"] = options.seed
    delete = contract.operations.get("delete_thread")
    if options.delete_policy == "listed" and delete is not None:
        # Deletes come from the examples phase (a thread the first listing showed) and the
        # stateful phase (threads reached through a listing's links), never from random ids.
        config["operations"] = [
            {
                "include-operation-id": delete.operation_id,
                "phases": {name: {"enabled": name in ("examples", "stateful")} for name in PHASES},
            }
        ]
    return config


def _selected_ids(options: ContractOptions, contract: SpecContract) -> tuple[str, ...]:
    return options.operations if options.operations is not None else contract.operation_ids()


def _build_schema(
    options: ContractOptions, contract: SpecContract, guard: _DeleteGuard, known: list[str]
) -> Any:
    config = schemathesis.Config.from_dict(_config(options, contract))
    selected = _selected_ids(options, contract)
    schema: Any = schemathesis.openapi.from_dict(contract.document_for(selected), config=config)
    schema = schema.include(operation_id=list(selected))
    if options.delete_policy == "none":
        # Excluding the method also stops the coverage phase probing DELETE as an undeclared method.
        schema = schema.exclude(method="DELETE")
    _GUARDS[_guard_key(schema)] = guard

    def filter_case(context: Any, case: Any) -> bool:
        return guard.filter_case(context, case)

    schema.hook(filter_case)
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

    def before_add_examples(context: Any, examples: list[Any]) -> None:
        _add_typical_queries(contract, context, examples)
        _add_known_threads(contract, context, examples, known, options.delete_policy != "none")
        # The spec's own example ids name no thread this run listed: never send those.
        kept = [example for example in examples if guard.allows(example)]
        guard.skipped += len(examples) - len(kept)
        examples[:] = kept

    schema.hook(before_add_examples)
    return schema


def typical_list_queries(contract: SpecContract) -> tuple[dict[str, Any], ...]:
    """Queries a client typically sends, tried on each list operation besides the generated ones.

    Generation favours boundaries (the minimum, 1, the maximum, the default); a server that
    breaks on an ordinary page size in between would otherwise go unnoticed. A server that
    ignores `limit` or misreports `has_more` shows only on a page smaller than the listing,
    and generation may not send one: a page of two is smaller than any listing worth paging
    through, whatever the spec's default and the server's data.
    """
    middle = (contract.limit_min + contract.limit_max) // 2
    small = max(contract.limit_min, min(contract.limit_max, contract.limit_default // 2 or 1))
    pair = max(contract.limit_min, min(contract.limit_max, 2))
    orders = contract.orders or ("",)
    return (
        {"limit": middle},
        {"limit": small, "order": orders[0]},
        {"limit": pair, "order": orders[-1]},
    )


def _add_typical_queries(contract: SpecContract, context: Any, examples: list[Any]) -> None:
    operation = context.operation
    if operation is None or not examples:
        return
    if contract.role_of(operation.method, operation.path) not in ("list_threads", "list_items"):
        return
    base = examples[0]
    for query in typical_list_queries(contract):
        examples.append(adapter.derive_case(base, query={k: v for k, v in query.items() if v}))


def _add_known_threads(
    contract: SpecContract, context: Any, examples: list[Any], known: list[str], deletable: bool
) -> None:
    """Retrieve, list the items of (and delete, if allowed) a thread the server listed.

    Generated ids almost never exist; one real id per operation in the examples phase
    makes sure the 200 path is judged even in a short run of one operation. The delete
    takes the last thread listed, the others the first, so they do not collide.
    """
    operation = context.operation
    if operation is None or not examples or not known:
        return
    role = contract.role_of(operation.method, operation.path)
    if role == "delete_thread" and deletable:
        name = next(iter(examples[0].path_parameters or {}), None)
        if name is not None:
            examples.append(adapter.derive_case(examples[0], path_parameters={name: known[-1]}))
        return
    if role not in ("retrieve_thread", "list_items"):
        return
    base = examples[0]
    name = next(iter(base.path_parameters or {}), None)
    if name is not None:
        examples.append(adapter.derive_case(base, path_parameters={name: known[0]}))


@dataclass
class _Tracking:
    """What the event stream says beyond check outcomes."""

    links_followed: int = 0
    operations_sent: set[str] = field(default_factory=set)
    undeclared: dict[str, set[int]] = field(default_factory=dict)
    """Error statuses answered by operations whose spec declares no error responses."""


def _is_spec_gap(
    contract: SpecContract, check: str, operation_label: str, status: int | None
) -> bool:
    """A failure that only says the spec declares no error responses for the operation."""
    if check != "status_code_conformance" or status is None or status < 400:
        return False
    for operation in contract.operations.values():
        if operation.label == operation_label:
            return not operation.declares_errors
    return False


def _record_scenario(
    report: ContractReport, contract: SpecContract, recorder: Any, tracking: _Tracking
) -> None:
    for node in recorder.cases.values():
        if node.transition is not None:
            tracking.links_followed += 1
    for case_id, nodes in recorder.checks.items():
        node = recorder.cases.get(case_id)
        operation = node.value.operation.label if node is not None else recorder.label
        tracking.operations_sent.add(operation)
        interaction = recorder.interactions.get(case_id)
        status = interaction.response.status_code if interaction and interaction.response else None
        if status == RATE_LIMITED:
            # Still 429 after every retry (see `pacing`): not an answer to judge.
            continue
        for check in nodes:
            if check.status == Status.SKIP:
                continue
            info = check.failure_info
            if info is not None and _is_spec_gap(contract, check.name, operation, status):
                # The server answered as it should; the spec has no place for the answer.
                tracking.undeclared.setdefault(operation, set()).add(int(status or 0))
                continue
            report.record(SUITE, operation, check.name, passed=check.status == Status.SUCCESS)
            if info is not None:
                message = info.failure.message or info.failure.title
                report.add_failure(
                    CheckFailure(
                        suite=SUITE,
                        operation=operation,
                        check=check.name,
                        title=info.failure.title,
                        message=info.failure.message,
                        reproduction=custom_checks.reproducer_for(message) or info.code_sample,
                    )
                )


def _consume(
    report: ContractReport,
    contract: SpecContract,
    stream: Iterable[events.EngineEvent],
    tracking: _Tracking,
) -> None:
    for event in stream:
        if isinstance(event, events.ScenarioFinished):
            _record_scenario(report, contract, event.recorder, tracking)
        elif isinstance(event, events.NonFatalError):
            error = f"{event.label}: {event.info.format(base_url_is_set=True)}".strip()
            # A server that goes away mid-run fails every later request the same way.
            if error not in report.errors:
                report.errors.append(error)
        elif isinstance(event, events.FatalError):
            report.errors.append(f"fatal: {event.exception!r}")


def _why_not_run(
    check: str,
    options: ContractOptions,
    contract: SpecContract,
    known: list[str] | None,
) -> tuple[str, bool]:
    """Why a selected check judged nothing, and whether the user's choices explain it."""
    selected = set(_selected_ids(options, contract))
    roles = {op.role for op in contract.operations.values() if op.operation_id in selected}
    if check in _NEEDS_DELETE and "delete_thread" not in roles:
        return "needs the DELETE operation, not among --operations", True
    if check in _NEEDS_DELETE and options.delete_policy == "none":
        return "needs DELETE: pass --allow-destructive to test it", True
    needed = _NEEDS_ROLES.get(check) or (
        {"list_threads", "list_items"} if check in _LIST_CHECKS else set()
    )
    if needed and not needed & roles:
        return "its operations are not among --operations", True
    if check in _NEEDS_STATEFUL and "stateful" not in options.phases:
        return "needs the stateful phase, not among --phases", True
    if check in _NEEDS_STATEFUL and "stateful" not in _phases(options, contract):
        return "needs the stateful phase: no links among the selected --operations", True
    if check in _NEEDS_COVERAGE and "coverage" not in options.phases:
        return "needs the coverage phase, not among --phases", True
    if check == custom_checks.ISOLATION_CHECK and not options.other_api_key:
        return "needs a second key: pass --other-api-key", True
    if check == "missing_required_header" and not any(
        p.get("in") == "header" and p.get("required")
        for op in contract.operations.values()
        for p in op.parameters
    ):
        return "the spec declares no required header", True
    if check in _NEEDS_THREADS and known is not None and not known:
        return (
            "the server listed no threads (emptied by a previous run?): nothing to judge",
            False,
        )
    if known is None:
        return "the first listing was not answered with 200: no data to judge", False
    if set(options.phases) != set(PHASES):
        return (
            f"no response it could judge within --phases {','.join(options.phases)} "
            f"(--max-examples {options.max_examples})",
            True,
        )
    return "no response it could judge", False


def _coverage(
    report: ContractReport,
    options: ContractOptions,
    contract: SpecContract,
    tracking: _Tracking,
    pacer: Pacer,
) -> list[str]:
    selected = _selected_ids(options, contract)
    ran = {check for (suite, _, check) in report.tallies if suite == SUITE}
    chosen = [name for name in options.checks if name in all_check_names()]
    not_run = [item for item in report.not_run if item.suite == SUITE]
    stats = pacer.stats
    lines = [
        f"spec: {contract.source}",
        f"operations: {len(tracking.operations_sent)} of {len(selected)} selected answered "
        f"({len(contract.operations)} recognised in the spec)",
        f"checks: {len([c for c in chosen if c in ran])} ran, {len(not_run)} did not "
        f"({sum(1 for i in not_run if not i.excused)} of them unexpectedly)",
        f"stateful links followed: {tracking.links_followed}",
        f"rate limiting: {stats.retried_requests} requests retried after HTTP 429 "
        f"({stats.retries} retries), {stats.waited:.1f}s waited",
    ]
    if stats.exhausted:
        lines.append(f"rate limiting: {stats.exhausted} requests still answered 429 after retries")
    return lines


def run_server_contract(
    options: ContractOptions,
    *,
    on_progress: Callable[[str], None] | None = None,
    contract: SpecContract | None = None,
) -> ContractReport:
    """Run the server contract against `options.base_url` and return what it found.

    An unreachable or silent target is one error in the report, found by the first request.
    """
    report = ContractReport(target=options.base_url)
    custom_checks.reset()
    started = time.monotonic()
    contract = contract or load_contract(options.spec)
    report.spec_findings.extend(contract.findings)
    interval = parse_rate(options.rate_limit) if options.rate_limit else 0.0
    pacer = Pacer(interval)
    guard = _DeleteGuard(options.delete_policy, contract)
    tracking = _Tracking()
    with targeting(RunTarget(options.base_url, contract, pacer, options.request_timeout)) as target:
        try:
            known = _probe(options, target)
        except TargetUnreachable as error:
            report.errors.append(str(error))
            report.elapsed = time.monotonic() - started
            return report
        guard.listed.update(known or [])
        schema = _build_schema(options, contract, guard, known or [])
        if on_progress is not None:
            on_progress(f"server contract: {options.base_url}")
        try:
            with adapter.paced(options.base_url, pacer):
                _consume(report, contract, adapter.execute(schema), tracking)
        finally:
            _GUARDS.pop(_guard_key(schema), None)
    for operation, statuses in sorted(tracking.undeclared.items()):
        report.spec_findings.append(
            f"{operation} answered HTTP {', '.join(map(str, sorted(statuses)))}, which the spec "
            "does not declare (not counted for or against the server)"
        )
    ran = {check for (suite, _, check) in report.tallies if suite == SUITE}
    for check in options.checks:
        if check in all_check_names() and check not in ran:
            reason, excused = _why_not_run(check, options, contract, known)
            report.not_run.append(NotRun(SUITE, check, reason, excused))
    if guard.skipped:
        report.notes.append(
            f"{guard.skipped} generated DELETE requests were not sent (not run): they named "
            "threads this run had not seen listed, or DELETE is not allowed"
        )
    if options.delete_policy == "none" and "delete_thread" in contract.operations:
        report.notes.append(
            "DELETE was not tested: only the bundled mock is deleted from without asking; "
            "pass --allow-destructive to test it"
        )
    elif not options.bundled:
        scope = (
            "only threads the suite saw listed could be deleted"
            if options.delete_policy == "listed"
            else "any thread could be deleted (local server)"
        )
        deleted = ", ".join(guard.deleted) or "none"
        report.notes.append(
            f"--allow-destructive: {scope}; deleted {len(guard.deleted)}: {deleted}"
        )
    report.coverage.extend(_coverage(report, options, contract, tracking, pacer))
    report.elapsed = time.monotonic() - started
    return report
