"""Run the server contract: schemathesis' engine over the spec under test, against one base URL.

The engine runs the phases the schemathesis CLI runs (examples, coverage, fuzzing and the
stateful phase chained through OpenAPI links) with the built-in checks and the ChatKit
ones (`checks`); `engine_setup` configures it from the spec under test, `guard` keeps
DELETE within what the user allowed, and this module folds the typed results the
adapter gives into a `ContractReport` that also says which checks could not run and how
much of the contract was exercised.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx

from . import adapter, engine_setup
from .checks import CHECKS
from .contract import SpecContract, load_contract
from .followup import RunTarget, targeting
from .guard import DeleteGuard
from .options import (
    BUILTIN_CHECKS,
    DEFAULT_TIMEOUT,
    PHASES,
    ContractOptions,
    DestructiveRequestRefused,
    TargetUnreachable,
    all_check_names,
)
from .pacing import RATE_LIMITED, Pacer, parse_rate
from .recording import record_exchange
from .redaction import Redactor, redacted_logs
from .registry import reproducer_for
from .report import CheckFailure, ContractReport, NotRun
from .verdicts import coverage_lines, why_not_run

__all__ = [
    "BUILTIN_CHECKS",
    "DEFAULT_TIMEOUT",
    "PHASES",
    "ContractOptions",
    "DestructiveRequestRefused",
    "TargetUnreachable",
    "all_check_names",
    "run_server_contract",
    "typical_list_queries",
]

SUITE = "server"
typical_list_queries = engine_setup.typical_list_queries


def _probe(options: ContractOptions, target: RunTarget) -> list[str] | None:
    """The thread ids the server lists now (`None`: the listing was not answered with 200).

    This first request also proves the server is there: a refused connection or no
    whole answer within the request timeout raises `TargetUnreachable` before the run.
    """
    contract = target.contract
    listing = contract.operations.get("list_threads")
    params = {contract.wire("limit"): contract.limit_max} if listing and contract.limit_max else {}
    headers = {
        **contract.fixed_headers,
        **dict(options.headers),
        "Authorization": f"Bearer {options.api_key}",
    }
    url = target.key + contract.path_of("list_threads")
    request = target.client.build_request("GET", url, params=params, headers=headers)
    try:
        response = target.send(request)
    except httpx.TimeoutException:
        raise TargetUnreachable(
            f"{options.base_url} did not answer within {options.request_timeout:g}s "
            "(--request-timeout)"
        ) from None
    except httpx.HTTPError as error:
        shown = target.redactor.text(str(error))
        raise TargetUnreachable(f"cannot reach {options.base_url}: {shown}") from None
    if response.status_code != 200:
        return None
    try:
        data = response.json().get("data", [])
    except (ValueError, AttributeError):
        return None
    return [str(row["id"]) for row in data if isinstance(row, dict) and "id" in row]


@dataclass
class _Tracking:
    """What the results say beyond check outcomes."""

    links_followed: int = 0
    operations_sent: set[str] = field(default_factory=set)
    undeclared: dict[str, set[int]] = field(default_factory=dict)
    """Error statuses answered by operations whose spec declares no error responses."""
    failures: int = 0


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


def _record(
    report: ContractReport,
    scenario: adapter.Scenario,
    target: RunTarget,
    tracking: _Tracking,
) -> None:
    contract, redactor = target.contract, target.redactor
    tracking.links_followed += scenario.links_followed
    tracking.operations_sent.update(scenario.operations)
    for exchange in scenario.exchanges:
        report.exchanges.append(record_exchange(exchange, redactor))
    for outcome in scenario.outcomes:
        status = outcome.exchange.status if outcome.exchange is not None else None
        if status == RATE_LIMITED:
            continue  # still 429 after every retry (see `pacing`): not an answer to judge
        if not outcome.passed and _is_spec_gap(contract, outcome.check, outcome.operation, status):
            # The server answered as it should; the spec has no place for the answer.
            tracking.undeclared.setdefault(outcome.operation, set()).add(int(status or 0))
            continue
        elapsed = outcome.exchange.elapsed if outcome.exchange is not None else 0.0
        report.record(SUITE, outcome.operation, outcome.check, passed=outcome.passed)
        report.add_time(SUITE, outcome.operation, outcome.check, elapsed)
        if outcome.passed:
            continue
        tracking.failures += 1
        message = redactor.text(outcome.message or outcome.title)
        if outcome.check == "max_response_time" and outcome.exchange is not None:
            request = f"{outcome.exchange.method} {redactor.text(outcome.exchange.url)}"
            message = f"{request} took {elapsed * 1000:.0f}ms\n{message}"
        reproduction = reproducer_for(target, message) or redactor.text(outcome.code_sample)
        report.add_failure(
            CheckFailure(
                suite=SUITE,
                operation=outcome.operation,
                check=outcome.check,
                title=redactor.text(outcome.title),
                message=message,
                reproduction=reproduction,
            )
        )


def _notes(
    report: ContractReport, options: ContractOptions, contract: SpecContract, guard: DeleteGuard
) -> None:
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


def _redactor(options: ContractOptions) -> Redactor:
    redactor = Redactor().add(options.api_key, options.other_api_key)
    return redactor.add_headers(options.headers).add_url(options.base_url)


def run_server_contract(
    options: ContractOptions,
    *,
    on_progress: Callable[[str], None] | None = None,
    contract: SpecContract | None = None,
) -> ContractReport:
    """Run the server contract against `options.base_url` and return what it found.

    An unreachable or silent target is one error in the report, found by the first request.
    """
    report = ContractReport(target=options.base_url, seed=options.seed)
    started = time.monotonic()
    contract = contract or load_contract(options.spec)
    report.spec_findings.extend(contract.findings)
    pacer = Pacer(parse_rate(options.rate_limit) if options.rate_limit else 0.0)
    guard = DeleteGuard(options.delete_policy, contract)
    tracking = _Tracking()
    run = RunTarget(
        options.base_url,
        contract,
        pacer,
        options.request_timeout,
        headers=dict(options.headers),
        redactor=_redactor(options),
        other_api_key=options.other_api_key,
    )
    stopped = False
    with redacted_logs(run.redactor), targeting(run) as target:
        try:
            known = _probe(options, target)
        except TargetUnreachable as error:
            report.errors.append(str(error))
            report.elapsed = time.monotonic() - started
            return report
        guard.listed.update(known or [])
        if on_progress is not None:
            on_progress(f"server contract: {options.base_url}")
        scope = adapter.RunScope(
            options.base_url, pacer, options.request_timeout, CHECKS, guard.before_send
        )
        limit = options.max_failures

        def stop() -> bool:
            return limit is not None and tracking.failures >= limit

        with adapter.run_scope(scope):
            schema = engine_setup.build(options, contract, guard, known or [])
            for result in adapter.execute(schema, stop=stop):
                if isinstance(result, adapter.Scenario):
                    _record(report, result, target, tracking)
                else:
                    shown = target.redactor.text(result.message)
                    # A server that goes away mid-run fails every later request the same way.
                    if shown not in report.errors:
                        report.errors.append(shown)
        stopped = stop()
        report.exchanges.extend(record_exchange(e, target.redactor) for e in target.exchanges)
        report.exchanges.sort(key=lambda recorded: recorded.started)
    if stopped:
        report.notes.append(
            f"stopped after {tracking.failures} failing check runs (--max-failures {limit}); "
            "the checks and phases not reached did not run"
        )
    for operation, statuses in sorted(tracking.undeclared.items()):
        report.spec_findings.append(
            f"{operation} answered HTTP {', '.join(map(str, sorted(statuses)))}, which the spec "
            "does not declare (not counted for or against the server)"
        )
    ran = {check for (suite, _, check) in report.tallies if suite == SUITE}
    chosen = tuple(name for name in options.checks if name in all_check_names())
    for check in chosen:
        if check not in ran:
            reason, excused = why_not_run(check, options, contract, known, stopped)
            report.not_run.append(NotRun(SUITE, check, reason, excused))
    _notes(report, options, contract, guard)
    report.coverage.extend(
        coverage_lines(
            report,
            options,
            contract,
            operations_sent=tracking.operations_sent,
            links_followed=tracking.links_followed,
            pacer=pacer,
            suite=SUITE,
            checks=chosen,
        )
    )
    report.elapsed = time.monotonic() - started
    return report
