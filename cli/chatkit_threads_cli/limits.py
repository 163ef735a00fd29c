"""The page-size bounds of the list operations, read from the spec's generated constants.

The CLI's ``--limit`` and ``--page-size`` options follow the spec: a changed bound needs
``scripts/generate`` and nothing here.
"""

from __future__ import annotations

from chatkit_threads_api.spec_constants import OPERATIONS

__all__ = ["PAGE_MAX", "PAGE_MIN"]


def _limit_bounds() -> tuple[int, int]:
    # Every paginated operation's `limit`; the CLI's one option serves them all, so it
    # takes the range all of them accept.
    limits = [
        param
        for operation in OPERATIONS.values()
        if operation.paginated
        for param in operation.query
        if param.name == "limit"
    ]
    if not limits:
        raise RuntimeError("the spec's list operations have no `limit` parameter")
    low = max(int(param.minimum or 0) for param in limits)
    high = min(int(param.maximum) for param in limits if param.maximum is not None)
    return low, high


PAGE_MIN, PAGE_MAX = _limit_bounds()
"""The smallest and largest `limit` every list operation accepts."""
