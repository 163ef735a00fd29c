"""Strict mode: a response that departs from the spec is a ``ResponseValidationError``.

The judging is ``chatkit_threads_spec.validate`` (the validator the drift report and
the mock's fixtures use too), over the spec's schemas as generated data (``_tables.SCHEMAS``,
which the façade provides). Both are loaded on the first strict check, so a lenient client
never pays for them.
"""

from __future__ import annotations

from typing import Any

from ._exceptions import ResponseValidationError
from ._tables import SCHEMAS

__all__ = ["check"]


def check(schema: str, data: Any, *, what: str) -> None:
    """Raise ``ResponseValidationError`` listing every departure of ``data`` (decoded
    JSON) from the spec's component schema ``schema``, each with its JSON path."""
    from chatkit_threads_spec.validate import problems

    found = problems(schema, data, spec=SCHEMAS())
    if found:
        raise ResponseValidationError([(p.path, p.message) for p in found], what=what)
