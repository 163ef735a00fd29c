"""The list operations' paging parameters, read from the spec's generated constants.

The CLI's ``--limit``, ``--page-size`` and ``--order`` options follow the spec: a changed
bound, default or order needs ``scripts/generate`` and nothing here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from chatkit_threads_api.spec_constants import OPERATIONS
from chatkit_threads_spec import Parameter

if TYPE_CHECKING:
    from chatkit_threads.types import SortOrder

__all__ = ["DEFAULT_ORDER", "OLDEST_FIRST", "ORDERS", "PAGE_DEFAULT", "PAGE_MAX", "PAGE_MIN"]


def _list_params(name: str) -> list[Parameter]:
    # Every paginated operation's parameter `name`; the CLI's one option serves them all,
    # so it takes what all of them accept.
    params = [
        param
        for operation in OPERATIONS.values()
        if operation.paginated
        for param in operation.query
        if param.name == name
    ]
    if not params:
        raise RuntimeError(f"the spec's list operations have no `{name}` parameter")
    return params


def _limit_bounds() -> tuple[int, int, int]:
    limits = _list_params("limit")
    low = max(int(param.minimum or 0) for param in limits)
    high = min(int(param.maximum) for param in limits if param.maximum is not None)
    defaults = [int(param.default) for param in limits if param.default is not None]
    # The spec's default page size where it names one, else the largest.
    default = min(max(min(defaults), low), high) if defaults else high
    return low, high, default


def _orders() -> tuple[tuple[str, ...], str]:
    orders = _list_params("order")
    common = [
        str(value)
        for value in orders[0].enum or ()
        if all(value in (param.enum or ()) for param in orders)
    ]
    if not common:
        raise RuntimeError("the spec's list operations share no `order` value")
    defaults = {param.default for param in orders if param.default is not None}
    default = str(defaults.pop()) if len(defaults) == 1 else common[0]
    return tuple(common), default if default in common else common[0]


def _reverse(orders: tuple[str, ...], default: str) -> str:
    # The API lists newest first by default; the one other order is oldest first. (The
    # spec names two orders by creation time; a third would leave "reverse" undefined.)
    others = [order for order in orders if order != default]
    if len(others) != 1:
        raise RuntimeError(f"the spec's `order` should name two orders, not {list(orders)}")
    return others[0]


PAGE_MIN, PAGE_MAX, PAGE_DEFAULT = _limit_bounds()
"""The smallest and largest `limit` every list operation accepts, and the spec's default."""

ORDERS, DEFAULT_ORDER = _orders()
"""The `order` values every list operation accepts, and the spec's default."""

OLDEST_FIRST = cast("SortOrder", _reverse(ORDERS, DEFAULT_ORDER))
"""The `order` value that is not the API's default (newest first): oldest first. Exports,
deletions and conversations walk in it."""
