"""How a ChatKit check is written, and the registry of them (the list of checks is this).

A check is a small function with one purpose, named after the property it requires. It
returns `SKIP` when the response is not one it judges, `None` when it passed, and calls
`require(condition, message)` (or `fail(message)`), which raises `ContractViolation`:
never a bare `assert`, which `python -O` removes. Registering it with one of the guards
below (`on_response`, `on_list_page`, `on_list_page_with_followup`,
`on_response_with_followup`) adds it to `CHECKS`, in definition order; `adapter.run_scope`
hands that list to schemathesis for the duration of a run, and the guard turns a
violation into schemathesis' failure type, with the key and secret headers redacted.

Checks keep no state of their own: what a run's checks learn (verifications already
passed, the request that showed a failure) lives in the run's `RunTarget`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NoReturn

from .adapter import Case, CheckContext, CheckFailed, Response
from .contract import LIST_ROLES, SpecContract
from .followup import (
    Followup,
    Page,
    RunTarget,
    StillRateLimited,
    curl,
    recording,
    sent_query,
    target_for,
)

__all__ = [
    "CHECKS",
    "SKIP",
    "ContractViolation",
    "Listed",
    "check_names",
    "fail",
    "listed",
    "on_list_page",
    "on_list_page_with_followup",
    "on_response",
    "on_response_with_followup",
    "reproducer_for",
    "require",
    "run_of",
]

SKIP = True
"""What a check returns when the response is not one it judges."""

ResponseCheck = Callable[[CheckContext, Response, Case], "bool | None"]

CHECKS: list[ResponseCheck] = []
"""Every ChatKit check, in the order the summary lists them (filled by the guards)."""


class ContractViolation(Exception):
    """A check found the server breaking the property it requires."""


def require(condition: object, message: str) -> None:
    """Raise `ContractViolation(message)` unless `condition` holds."""
    if not condition:
        raise ContractViolation(message)


def fail(message: str) -> NoReturn:
    """Raise `ContractViolation(message)`."""
    raise ContractViolation(message)


def check_names() -> tuple[str, ...]:
    """The names of the registered ChatKit checks."""
    return tuple(check.__name__ for check in CHECKS)


def run_of(response: Response) -> RunTarget | None:
    """The run in progress that sent `response` (`None`: not a request of a run)."""
    return target_for(str(response.request.url))


def reproducer_for(target: RunTarget, message: str) -> str | None:
    """The curl of the follow-up request that showed the failure with this message, if any."""
    return target.reproducers.get(message.strip())


def role(case: Case, contract: SpecContract) -> str | None:
    """The role of the case's operation in the spec under test."""
    return contract.role_of(case.operation.method, case.operation.path)


def body_of(response: Response) -> Any:
    """The decoded JSON body, or `None`."""
    try:
        return response.json()
    except Exception:
        return None


@dataclass(frozen=True)
class Listed:
    """A 200 list response a check judges: the page, the query as sent, and the run's spec."""

    case: Case
    response: Response
    contract: SpecContract
    role: str
    page: Page
    query: dict[str, str]
    """The query as sent, its listing parameters named by role (`limit`, `after`...)."""

    @property
    def thread_id(self) -> str | None:
        """The thread id of a listing of items."""
        value = next(iter((self.case.path_parameters or {}).values()), None)
        return None if value is None else str(value)

    @property
    def path(self) -> str:
        """The list path as sent, with the thread id filled in for items."""
        return self.contract.path_of(self.role, self.thread_id)

    @property
    def limit(self) -> int | None:
        """The `limit` the server was asked for; `None` when it is not a valid one."""
        raw = self.query.get("limit")
        if raw is None:
            return self.contract.limit_default
        try:
            value = int(raw)
        except ValueError:
            return None
        return value if self.contract.limit_min <= value <= self.contract.limit_max else None

    @property
    def order(self) -> str | None:
        """The `order` the server was asked for; `None` when it is not a valid one."""
        order = self.query.get("order", self.contract.default_order)
        return order if order in self.contract.orders else None

    @property
    def filters(self) -> dict[str, str]:
        """The filters sent (`user`), to repeat on follow-up requests."""
        return {"user": self.query["user"]} if "user" in self.query else {}

    @property
    def cursored(self) -> bool:
        """Whether an `after` or `before` cursor was sent."""
        return "after" in self.query or "before" in self.query


def listed(case: Case, response: Response) -> Listed | None:
    """The list response, when this is a 200 list response of a run worth judging."""
    target = run_of(response)
    if target is None:
        return None
    contract = target.contract
    found = role(case, contract)
    if found not in LIST_ROLES or response.status_code != 200:
        return None
    body = body_of(response)
    if not isinstance(body, dict) or not isinstance(body.get("data"), list):
        return None  # response_schema_conformance reports malformed bodies
    rows = [row for row in body["data"] if isinstance(row, dict)]
    page = Page(
        status=200,
        ids=[str(row.get("id")) for row in rows],
        created_at=[row.get("created_at", 0) for row in rows],
        users=[row.get("user") for row in rows],
        first_id=body.get("first_id"),
        last_id=body.get("last_id"),
        has_more=body.get("has_more"),
        body=body,
    )
    query = contract.by_role(sent_query(str(response.request.url)))
    return Listed(case, response, contract, str(found), page, query)


# ------------------------------------------------------------------------ guards


def _registered(func: ResponseCheck) -> ResponseCheck:
    """The check as schemathesis runs it: a violation becomes its failure type (redacted);
    a follow-up rate limited past every retry means there is nothing to judge."""
    name = func.__name__

    @functools.wraps(func)
    def wrapper(ctx: CheckContext, response: Response, case: Case) -> bool | None:
        target = run_of(response)
        with recording() as sent:
            try:
                return func(ctx, response, case)
            except StillRateLimited:
                return SKIP
            except ContractViolation as violation:
                message = str(violation).strip()
                if target is not None:
                    message = target.redactor.text(message)
                    if sent:
                        target.reproducers[message] = curl(sent[-1], target.redactor)
                raise CheckFailed(
                    operation=case.operation.label,
                    title=f"Custom check failed: `{name}`",
                    message=message,
                ) from None

    CHECKS.append(wrapper)
    return wrapper


def on_response(func: ResponseCheck) -> ResponseCheck:
    """Register `func` as a check of any response of a run."""
    return _registered(func)


def on_response_with_followup(func: ResponseCheck) -> ResponseCheck:
    """Register `func` as a check of any response that may send follow-up requests."""
    return _registered(func)


ListCheck = Callable[[Listed], "bool | None"]
FollowListCheck = Callable[[Listed, Followup], "bool | None"]


def on_list_page(func: ListCheck) -> ResponseCheck:
    """Register `func` as a check of 200 list responses (threads or items)."""

    @functools.wraps(func)
    def wrapper(ctx: CheckContext, response: Response, case: Case) -> bool | None:
        page = listed(case, response)
        return SKIP if page is None else func(page)

    return _registered(wrapper)


def on_list_page_with_followup(func: FollowListCheck) -> ResponseCheck:
    """Register `func` as a check of 200 list responses that sends follow-up requests."""

    @functools.wraps(func)
    def wrapper(ctx: CheckContext, response: Response, case: Case) -> bool | None:
        page = listed(case, response)
        follow = Followup.from_response(response)
        if page is None or follow is None:
            return SKIP
        return func(page, follow)

    return _registered(wrapper)
