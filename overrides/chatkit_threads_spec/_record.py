"""Frozen record classes that cost next to nothing to define.

The model's classes are imported by every client (through the generated operation
table), so they must load fast. ``dataclasses`` writes and compiles several methods
per class (~0.8 ms each, a dozen classes); ``record`` gives the same behaviour (an
``__init__`` taking the fields positionally or by name with their defaults, ``repr``,
``==``, ``hash``, immutability, ``__slots__``) with methods shared by every class, and
type checkers see a frozen dataclass (``dataclass_transform``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any, ClassVar, TypeVar, dataclass_transform

__all__ = ["EMPTY", "Record", "field_defaults", "record", "replace"]

_T = TypeVar("_T")

EMPTY: Mapping[Any, Any] = MappingProxyType({})
"""The default of a mapping field: empty, and shared safely because it is read-only."""


class Record:
    """The shared methods of the model's classes (see ``record``)."""

    __slots__ = ()
    _fields: ClassVar[tuple[str, ...]]
    _defaults: ClassVar[dict[str, Any]]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        fields, defaults = self._fields, self._defaults
        name = type(self).__name__
        if len(args) > len(fields):
            raise TypeError(f"{name}() takes {len(fields)} arguments, got {len(args)}")
        values = dict(zip(fields, args, strict=False))
        for key, value in kwargs.items():
            if key not in defaults and key not in fields:
                raise TypeError(f"{name}() got an unexpected argument {key!r}")
            if key in values:
                raise TypeError(f"{name}() got argument {key!r} twice")
            values[key] = value
        put = object.__setattr__
        for field in fields:
            if field in values:
                put(self, field, values[field])
            elif field in defaults:
                put(self, field, defaults[field])
            else:
                raise TypeError(f"{name}() is missing argument {field!r}")

    def _values(self) -> tuple[Any, ...]:
        return tuple(getattr(self, field) for field in self._fields)

    def __repr__(self) -> str:
        inner = ", ".join(f"{f}={getattr(self, f)!r}" for f in self._fields)
        return f"{type(self).__name__}({inner})"

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        assert isinstance(other, Record)
        return self._values() == other._values()

    def __hash__(self) -> int:
        return hash((type(self).__name__, self._values()))

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"{type(self).__name__} is frozen: cannot set {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"{type(self).__name__} is frozen: cannot delete {name!r}")

    def __reduce__(self) -> tuple[Any, ...]:
        # copy/deepcopy/pickle rebuild through __init__ (setting slots would be refused).
        return (type(self), self._values())


@dataclass_transform(frozen_default=True)
def record(*, slots: bool = True) -> Callable[[type[_T]], type[_T]]:
    """Make a class of annotated fields (defaults as class attributes, after the
    fields without one) a frozen record. ``slots=False`` keeps an instance ``__dict__``
    (for ``functools.cached_property``)."""

    def make(cls: type[_T]) -> type[_T]:
        # Not inspect.get_annotations: importing inspect would cost more than it saves.
        fields = tuple(cls.__dict__.get("__annotations__", {}))  # noqa: RUF063
        defaults = {f: cls.__dict__[f] for f in fields if f in cls.__dict__}
        namespace = {
            key: value
            for key, value in cls.__dict__.items()
            if key not in defaults and key not in ("__dict__", "__weakref__")
        }
        namespace["_fields"] = fields
        namespace["_defaults"] = defaults
        namespace["__slots__"] = fields if slots else ("__dict__",)
        made: type[_T] = type(cls.__name__, (Record,), namespace)
        return made

    return make


def field_defaults(value: Any) -> dict[str, Any] | None:
    """Field name -> default (``...`` for none) of a record, or ``None`` for anything else."""
    if not isinstance(value, Record):
        return None
    return {f: value._defaults.get(f, ...) for f in value._fields}


def replace(value: _T, **changes: Any) -> _T:
    """A copy of record ``value`` with ``changes``."""
    assert isinstance(value, Record)
    current = {f: getattr(value, f) for f in value._fields}
    current.update(changes)
    made: _T = type(value)(**current)
    return made
