"""The generated tables the core reads, handed to it by the façade.

Imports run one way: the generated layer (``chatkit_threads_api``: models, resources)
imports this package's core, so the core imports nothing generated, not even inside a
function. What the core needs of the generated layer, the façade (``_client``) provides
here when the package is imported: a loader per table, called on the table's first use
(the first response parsed, the first strict check), so that ``import chatkit_threads``
loads neither the models nor the schemas. A table is loaded once, then kept.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Generic, TypeVar

from ._exceptions import ChatKitError

if TYPE_CHECKING:
    from chatkit_threads_spec import Schema

    from ._schema import Spec

__all__ = ["MODELS", "SCHEMAS", "Table"]

_T = TypeVar("_T")


class Table(Generic[_T]):
    """One generated table: loaded by the loader ``provide`` was given, on first call."""

    __slots__ = ("_load", "_value", "what")

    def __init__(self, what: str) -> None:
        self.what = what
        self._load: Callable[[], _T] | None = None
        self._value: _T | None = None

    def provide(self, load: Callable[[], _T]) -> None:
        """Set the loader (the façade's); a table already loaded is loaded again."""
        self._load = load
        self._value = None

    def __call__(self) -> _T:
        """The table (loading it on the first call)."""
        value = self._value
        if value is None:
            if self._load is None:
                raise ChatKitError(
                    f"No {self.what} provided: the package's façade (chatkit_threads._client) "
                    "provides them when chatkit_threads is imported"
                )
            value = self._value = self._load()
        return value


MODELS: Table[Mapping[str, Spec]] = Table("model tables")
"""Each response model's table (``_schema.Spec``), by the spec's schema name."""
SCHEMAS: Table[Mapping[str, Schema]] = Table("schemas")
"""The spec's component schemas (the spec model's), by name, for strict mode."""
