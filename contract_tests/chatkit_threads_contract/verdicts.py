"""Why a selected server check judged nothing, and the coverage lines of the report."""

from __future__ import annotations

from .checks import ISOLATION_CHECK
from .contract import LIST_ROLES, SpecContract
from .engine_setup import phases_that_run, selected_ids
from .options import PHASES, ContractOptions
from .pacing import Pacer
from .report import ContractReport

__all__ = ["coverage_lines", "why_not_run"]

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
    ISOLATION_CHECK,
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


def why_not_run(
    check: str,
    options: ContractOptions,
    contract: SpecContract,
    known: list[str] | None,
    stopped: bool = False,
) -> tuple[str, bool]:
    """Why a selected check judged nothing, and whether the user's choices explain it."""
    if stopped:
        return f"the run stopped early after --max-failures {options.max_failures}", True
    selected = set(selected_ids(options, contract))
    roles = {op.role for op in contract.operations.values() if op.operation_id in selected}
    if check in _NEEDS_DELETE and "delete_thread" not in roles:
        return "needs the DELETE operation, not among --operations", True
    if check in _NEEDS_DELETE and options.delete_policy == "none":
        return "needs DELETE: pass --allow-destructive to test it", True
    needed = _NEEDS_ROLES.get(check) or (set(LIST_ROLES) if check in _LIST_CHECKS else set())
    if needed and not needed & roles:
        return "its operations are not among --operations", True
    if check in _NEEDS_STATEFUL and "stateful" not in options.phases:
        return "needs the stateful phase, not among --phases", True
    if check in _NEEDS_STATEFUL and "stateful" not in phases_that_run(options, contract):
        return "needs the stateful phase: no links among the selected --operations", True
    if check in _NEEDS_COVERAGE and "coverage" not in options.phases:
        return "needs the coverage phase, not among --phases", True
    if check == ISOLATION_CHECK and not options.other_api_key:
        return "needs a second key: pass --other-api-key", True
    if check == "max_response_time" and options.max_response_time is None:
        return "needs a bound: pass --max-response-time", True
    if check == "missing_required_header" and not any(
        p.location == "header" and p.required
        for op in contract.operations.values()
        for p in op.model.parameters
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


def coverage_lines(
    report: ContractReport,
    options: ContractOptions,
    contract: SpecContract,
    *,
    operations_sent: set[str],
    links_followed: int,
    pacer: Pacer,
    suite: str,
    checks: tuple[str, ...],
) -> list[str]:
    """The closing lines: operations answered, checks run / not run, links, waits."""
    selected = selected_ids(options, contract)
    ran = {check for (name, _, check) in report.tallies if name == suite}
    not_run = [item for item in report.not_run if item.suite == suite]
    stats = pacer.stats
    lines = [
        f"spec: {contract.source}",
        f"operations: {len(operations_sent)} of {len(selected)} selected answered "
        f"({len(contract.operations)} recognised in the spec)",
        f"checks: {len([c for c in checks if c in ran])} ran, {len(not_run)} did not "
        f"({sum(1 for i in not_run if not i.excused)} of them unexpectedly)",
        f"stateful links followed: {links_followed}",
        f"rate limiting: {stats.retried_requests} requests retried after HTTP 429 "
        f"({stats.retries} retries), {stats.waited:.1f}s waited",
    ]
    if stats.exhausted:
        lines.append(f"rate limiting: {stats.exhausted} requests still answered 429 after retries")
    return lines
