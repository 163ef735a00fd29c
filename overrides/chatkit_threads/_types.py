"""Small shared types: the "not given" and "unset" sentinels and the per-call timeout
argument."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final, Literal, TypeAlias

import httpx

__all__ = ["NOT_GIVEN", "UNSET", "NotGiven", "TimeoutArg", "Unset"]


class NotGiven:
    """The type of ``NOT_GIVEN``: an argument left out, where ``None`` means something
    (``timeout=None`` is "no timeout", as in the ``openai`` SDK)."""

    __slots__ = ()

    def __bool__(self) -> Literal[False]:
        return False

    def __repr__(self) -> str:
        return "NOT_GIVEN"


NOT_GIVEN: Final = NotGiven()
"""An argument left out (the client's own setting applies)."""


class Unset:
    """The type of ``UNSET``: a field the payload did not carry. Falsy.

    One marker for every model, parsed or built in Python: the generated
    ``chatkit_threads_api.types`` re-exports this one."""

    __slots__ = ()

    def __bool__(self) -> Literal[False]:
        return False

    def __repr__(self) -> str:
        return "UNSET"


UNSET: Final = Unset()
"""A field the payload did not carry (lenient parsing), and an optional field's default."""

if TYPE_CHECKING:
    import httpx2

    TimeoutArg: TypeAlias = float | httpx.Timeout | httpx2.Timeout | NotGiven | None
else:  # httpx2 is optional at run time (see `_http`)
    TimeoutArg = float | httpx.Timeout | NotGiven | None
"""A timeout: seconds, an ``httpx.Timeout`` (or httpx2's), ``None`` for no timeout at
all, or ``NOT_GIVEN`` (the default) for the client's."""
