"""Lazy attributes of the generated attrs classes, and compiled builders.

Building a page is the hot path of every call: these make a model's unknown-keys dict
and its nested models cost nothing until they are read, and turn a model's field table
into straight-line Python (``compiled``).
"""

from __future__ import annotations

from collections.abc import Callable
from types import MemberDescriptorType
from typing import Any

from ._secrets import redact

__all__ = ["ModelList", "compiled", "make_extras_lazy", "make_nested_lazy"]


def _slot(cls: type[Any], name: str) -> MemberDescriptorType:
    """The generated attrs class's slot ``name`` (found again after it is shadowed)."""
    return next(
        value
        for klass in cls.__mro__
        if isinstance(value := vars(klass).get(name), MemberDescriptorType)
    )


def make_extras_lazy(cls: type[Any]) -> None:
    """Give `cls` an ``additional_properties`` made on first use, not per object built.

    The generated attrs classes keep unknown JSON keys in a slot that their __init__
    fills with a new dict. Built from JSON, almost no object has unknown keys, and 300
    empty dicts a page were a quarter of its allocations: enough to set off a garbage
    collection on nearly every page. The slot now stays empty until read (or written),
    and reading it then stores and returns a new dict, so it behaves as before.
    """
    slot = _slot(cls, "additional_properties")
    get, put = slot.__get__, slot.__set__

    def additional_properties(self: Any) -> dict[str, Any]:
        try:
            extra: dict[str, Any] = get(self)
        except AttributeError:
            extra = {}
            put(self, extra)
        return extra

    cls.additional_properties = property(
        additional_properties, put, slot.__delete__, "JSON keys the spec does not define."
    )


class ModelList(list):  # type: ignore[type-arg]
    """A JSON array whose objects have been built into models.

    Its type is how a lazy field tells a built list from the plain JSON list it was
    stored as; it is a ``list`` in every other respect.
    """

    __slots__ = ()

    def __repr__(self) -> str:
        # It may hold raw JSON strings (elements kept as they came), which may carry
        # a key a server echoed back: shown redacted, as the models are.
        return redact(list.__repr__(self))


def make_nested_lazy(
    cls: type[Any], attr: str, array: bool, make_converter: Callable[[], Callable[[Any], Any]]
) -> None:
    """Build field ``attr`` of `cls` (a model, a union or an array of them) on first read.

    The builder stores the field's JSON as it came. Reading the field builds it (with
    the same lenient rules as ``build``), stores the result in the slot and returns it;
    later reads return that. A JSON object (or an array holding one) set by the caller
    is built the same way; anything else (``None``, ``UNSET``, a drifting scalar, a
    model or a list of models set by the caller) is returned as it is.
    Two threads reading the same field for the first time may each build it; both
    results are equal, and one of them is kept.
    """
    slot = _slot(cls, attr)
    get, put = slot.__get__, slot.__set__
    convert: Callable[[Any], Any] | None = None

    def build(self: Any, value: Any) -> Any:
        nonlocal convert
        if convert is None:
            convert = make_converter()
        value = convert(value)
        put(self, value)
        return value

    if array:

        def read(self: Any) -> Any:
            value = get(self)
            # A built array is a ModelList. A plain list is JSON still to build, unless
            # it holds no JSON object (a list of models the caller set is kept as is).
            # (The first element tells in the usual case, without a generator.)
            if type(value) is list and (
                (value and type(value[0]) is dict) or any(type(e) is dict for e in value)
            ):
                value = build(self, value)
            return value

    else:

        def read(self: Any) -> Any:
            value = get(self)
            if type(value) is dict:
                value = build(self, value)
            return value

    setattr(cls, attr, property(read, put, slot.__delete__, slot.__doc__))


def compiled(
    function: str, argument: str, body: list[str], bound: dict[str, Any], name: str
) -> Callable[[Any], Any]:
    """Compile ``def function(argument): body``, each name of ``bound`` a fast local."""
    defaults = "".join(f", {key}={key}" for key in bound)
    source = f"def {function}({argument}{defaults}):\n" + "".join(f"    {line}\n" for line in body)
    namespace = dict(bound)
    exec(compile(source, f"<chatkit_threads {function} {name}>", "exec"), namespace)
    function_object: Callable[[Any], Any] = namespace[function]
    return function_object
