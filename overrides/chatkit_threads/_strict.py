"""Strict mode: a response that departs from the spec is a ``ResponseValidationError``.

The judging is ``chatkit_threads_spec.validate`` (the validator the drift report and
the mock's fixtures use too), over the spec's schemas as generated data
(``chatkit_threads_api.spec_schemas``). Both are imported on the first strict check,
so a lenient client never pays for them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ._exceptions import ResponseValidationError

if TYPE_CHECKING:
    from chatkit_threads_spec import Schema

__all__ = ["check"]

_SCHEMAS: list[Mapping[str, Schema]] = []


def _schemas() -> Mapping[str, Schema]:
    if not _SCHEMAS:
        from chatkit_threads_api.spec_schemas import SCHEMAS

        _SCHEMAS.append(SCHEMAS)
    return _SCHEMAS[0]


def check(schema: str, data: Any, *, what: str) -> None:
    """Raise ``ResponseValidationError`` listing every departure of ``data`` (decoded
    JSON) from the spec's component schema ``schema``, each with its JSON path."""
    from chatkit_threads_spec.validate import problems

    found = problems(schema, data, spec=_schemas())
    if found:
        raise ResponseValidationError([(p.path, p.message) for p in found], what=what)
