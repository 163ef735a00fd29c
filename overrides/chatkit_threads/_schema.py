"""Table-driven parsing and serialising of response JSON.

The models in ``_models`` subclass the generated attrs classes; this module holds the
machinery that fills them from decoded JSON. One table per model (a ``Spec``) drives
both directions, so they cannot disagree:

- ``build``: lenient and fast. Dispatches unions on ``type`` with a dict lookup (the
  generated code tries every variant in turn and swallows the errors), keeps unknown
  fields in ``additional_properties``, leaves a missing field as ``UNSET`` and a value of
  the wrong shape as the raw JSON value, so a drifting payload never crashes a listing.
  Nested models are built when their field is first read (``_lazy.make_nested_lazy``).
- ``dump``: the inverse of ``build``; ``to_dict()`` gives back the exact JSON the model
  came from (``UNSET`` fields are omitted, raw values written back as they were).

Strict mode (``from_dict(strict=True)``) checks the JSON first with the spec's one
validator (``_strict``), which reports every departure with its JSON path.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from typing import Any, ClassVar, Self

import attrs

from ._lazy import ModelList, compiled, make_extras_lazy, make_nested_lazy
from ._sdk_models import SDKModel, SDKUnknown, redacted_repr
from ._strict import check
from ._types import UNSET

__all__ = [
    "UNSET",
    "Field",
    "Model",
    "Spec",
    "Union",
    "Unknown",
    "dump_value",
]


class Field:
    """One JSON field of a model: its JSON type and constraints from the spec."""

    __slots__ = (
        "array",
        "const",
        "enum",
        "kind",
        "max_length",
        "maximum",
        "min_length",
        "minimum",
        "nullable",
        "required",
        "sub",
    )

    def __init__(
        self,
        kind: str,
        *,
        nullable: bool = False,
        const: Any = None,
        enum: tuple[Any, ...] | None = None,
        sub: Spec | Union | None = None,
        array: bool = False,
        required: bool = True,
        minimum: float | None = None,
        maximum: float | None = None,
        min_length: int | None = None,
        max_length: int | None = None,
    ) -> None:
        # kind: "string", "integer", "number", "boolean", "object" (any JSON object),
        # "any", "model" (sub is a Spec) or "union" (sub is a Union); array=True means
        # a JSON array of that kind.
        self.kind = kind
        self.nullable = nullable
        self.const = const
        self.enum = enum
        self.sub = sub
        self.array = array
        self.required = required
        self.minimum = minimum
        self.maximum = maximum
        self.min_length = min_length
        self.max_length = max_length


class Spec:
    """How one model class maps to JSON: field table, attrs order, converters."""

    __slots__ = ("_build", "attr_names", "cls", "fields", "keys", "known", "name")

    def __init__(
        self,
        name: str,
        cls: type[Any],
        fields: Mapping[str, Field],
        attr_names: Mapping[str, str] | None = None,
    ) -> None:
        self.name = name
        self.cls = cls
        # attr_names: JSON key -> attrs name where they differ (the generator snake-cases
        # names and appends ``_`` to those that shadow builtins).
        wire_names = {attr: key for key, attr in (attr_names or {}).items()}
        # attrs' positional __init__ order, as JSON keys.
        keys = tuple(
            wire_names.get(a.name, a.name)
            for a in attrs.fields(cls)
            if a.init and a.name != "additional_properties"
        )
        if set(keys) != set(fields):
            # Both come from the spec through scripts/generate; a mismatch means the
            # generated package is stale or was edited by hand.
            raise RuntimeError(
                f"{name}: field table {sorted(fields)} != model {sorted(keys)}; "
                "run scripts/generate"
            )
        self.keys = keys
        self.attr_names = _attr_names(cls)
        self.known = frozenset(keys)
        self.fields = {key: fields[key] for key in keys}
        make_extras_lazy(cls)
        for key, attr in zip(keys, self.attr_names, strict=True):
            if self.fields[key].kind in ("model", "union"):
                make_nested_lazy(
                    cls,
                    attr,
                    self.fields[key].array,
                    _converter_factory(self.fields[key], cls, attr),
                )
        self._build: Callable[[dict[str, Any]], Any] | None = None
        cls._spec = self

    @property
    def build(self) -> Callable[[dict[str, Any]], Any]:
        """Make an instance from a decoded JSON object (lenient; never raises).

        Compiled on first use (with the builders of the models it contains), not when
        the model is defined: compiling every model's builder was a fifth of
        `import chatkit_threads`.
        """
        build = self._build
        if build is None:
            build = self._build = self._compile()
        return build

    def _compile(self) -> Callable[[dict[str, Any]], Any]:
        # This is the hot path of every call, so, like attrs and dataclasses do for
        # __init__, the builder is generated once per model as straight-line code: one
        # dict lookup per field, then the slots set directly on a bare instance (what
        # attrs' __init__ does, minus its call and the empty `additional_properties`
        # dict it makes for every object: see `_lazy.make_extras_lazy`). Nested objects and
        # lists are stored as the JSON they came as and built on first read
        # (`_lazy.make_nested_lazy`): a page of 100 items is 100 objects to build, not ~250,
        # and a caller who reads only ids and types never pays for the rest. Every name
        # it uses is bound as a default argument, i.e. a fast local.
        bound: dict[str, Any] = {
            "_new": object.__new__,
            "_cls": self.cls,
            "_UNSET": UNSET,
            "_known": self.known,
        }
        names = [f"a{index}" for index in range(len(self.keys))]
        # Every field is nearly always there: `data[key]` (no method call) for all of
        # them, and only when one is missing, `.get` with UNSET for all of them. Unknown
        # keys exist only if the object has more keys than the known ones: when all are
        # there, comparing the length tells; only when one is missing does it take a
        # key-set comparison.
        count = len(self.keys)
        body = ["try:"]
        body += [f"    {name} = data[{key!r}]" for name, key in zip(names, self.keys, strict=True)]
        body += [f"    extra = len(data) != {count}", "except KeyError:"]
        body += [
            f"    {name} = data.get({key!r}, _UNSET)"
            for name, key in zip(names, self.keys, strict=True)
        ]
        body += ["    extra = not data.keys() <= _known", "obj = _new(_cls)"]
        body += [f"obj.{attr} = {name}" for attr, name in zip(self.attr_names, names, strict=True)]
        body += [
            "if extra:",
            "    obj.additional_properties = {k: v for k, v in data.items() if k not in _known}",
            "return obj",
        ]
        build = compiled("build", "data", body, bound, self.name)
        build.__doc__ = f"Build a {self.name} from a decoded JSON object (lenient)."
        return build

    def dump(self, obj: Any) -> dict[str, Any]:
        """The JSON object for ``obj``: known fields (minus ``UNSET``) then unknown ones."""
        out: dict[str, Any] = {}
        for key, attr in zip(self.keys, self.attr_names, strict=True):
            value = getattr(obj, attr)
            # Parsed or built in Python (an optional field's default), a missing field
            # is the one UNSET: the generated `types` re-exports this package's.
            if value is not UNSET:
                out[key] = dump_value(value)
        for key, value in obj.additional_properties.items():
            out[key] = copy.deepcopy(value)
        return out


class Union:
    """A ``oneOf`` discriminated by ``type``, with an explicit model for unknown variants."""

    __slots__ = ("aliases", "mapping", "name", "unknown")

    def __init__(
        self,
        name: str,
        mapping: Mapping[str, Spec],
        unknown: Callable[[dict[str, Any]], Any],
        aliases: Mapping[str, str] | None = None,
    ) -> None:
        self.name = name
        self.mapping = dict(mapping)
        # aliases: drifting spellings (``user_message``) -> the spec's
        # (``chatkit.user_message``): real payloads drop a namespace prefix.
        if aliases is None:
            aliases = {
                key.partition(".")[2]: key
                for key in self.mapping
                if "." in key and key.partition(".")[2] not in self.mapping
            }
        self.aliases = dict(aliases)
        self.unknown = unknown

    def builders(self) -> dict[str, Callable[[dict[str, Any]], Any]]:
        """Every accepted ``type`` value (aliases included) -> the function building it."""
        table: dict[str, Callable[[dict[str, Any]], Any]] = {
            kind: spec.build for kind, spec in self.mapping.items()
        }
        for alias, canonical in self.aliases.items():
            table[alias] = _alias_builder(self.mapping[canonical].build, canonical)
        return table


def _alias_builder(
    build: Callable[[dict[str, Any]], Any], canonical: str
) -> Callable[[dict[str, Any]], Any]:
    def build_alias(data: dict[str, Any]) -> Any:
        # The model gets the spec's type (so isinstance and ``type_`` checks work) and
        # remembers the spelling it came with, which ``to_dict`` writes back.
        obj = build(data)
        obj._wire_type = obj.type_
        obj.type_ = canonical
        return obj

    return build_alias


def _attr_names(cls: type[Any]) -> tuple[str, ...]:
    return tuple(a.name for a in attrs.fields(cls) if a.init and a.name != "additional_properties")


def dump_value(value: Any) -> Any:
    """Serialise a field value: models via ``to_dict``, lists element-wise, JSON as is."""
    if isinstance(value, list):
        return [dump_value(v) for v in value]
    to_dict = getattr(value, "to_dict", None)
    if to_dict is not None:
        return to_dict()
    # Raw JSON kept by lenient parsing (a value of the wrong shape): copied, so that
    # mutating the result never changes the model.
    return copy.deepcopy(value)


def _converter_factory(
    field: Field, cls: type[Any], attr: str
) -> Callable[[], Callable[[Any], Any]]:
    def make() -> Callable[[Any], Any]:
        return _converter(field, f"{cls.__name__}.{attr}")

    return make


def _converter(field: Field, name: str) -> Callable[[Any], Any]:
    """A function building a model/union field's JSON value (an object, or an array of
    them) into models; elements that are not JSON objects are kept as they are."""
    sub = field.sub
    bound: dict[str, Any] = {"_dict": dict, "_ModelList": ModelList}
    if isinstance(sub, Spec):
        bound["_build"] = sub.build
        fast = safe = "_build(%s)"
    else:
        assert isinstance(sub, Union)
        builders = sub.builders()
        bound["_lookup"] = builders.get
        bound["_unknown"] = sub.unknown
        bound["_variant"] = _safe_lookup(builders)
        # Dispatch on "type" with one dict lookup; no match -> the Unknown* model. A
        # `type` that is not hashable (a list, an object) makes the lookup raise; then
        # the slower lookup that treats it as an unknown variant takes over.
        fast = '(_lookup(%s.get("type")) or _unknown)(%s)'
        safe = '(_variant(%s.get("type")) or _unknown)(%s)'

    def assign(one: str) -> str:
        if field.array:
            element = one.replace("%s", "e")
            return f"value = _ModelList([{element} if type(e) is _dict else e for e in value])"
        return f"value = {one.replace('%s', 'value')}"

    body = ["try:", f"    {assign(fast)}", "except TypeError:", f"    {assign(safe)}"]
    body.append("return value")
    return compiled("convert", "value", body, bound, name)


def _safe_lookup(
    table: dict[str, Callable[[dict[str, Any]], Any]],
) -> Callable[[Any], Callable[[dict[str, Any]], Any] | None]:
    def variant(kind: Any) -> Callable[[dict[str, Any]], Any] | None:
        return table.get(kind) if type(kind) is str else None

    return variant


class Model(SDKModel):
    """Mixin giving a generated attrs class the table-driven ``from_dict``/``to_dict``."""

    # Empty slots keep the generated classes' slotted layout (no per-instance __dict__).
    __slots__ = ()
    _spec: ClassVar[Spec]

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any], *, strict: bool = False) -> Self:
        """Parse decoded JSON; with ``strict=True`` raise ``ResponseValidationError``
        naming the JSON path of every departure from the spec instead of tolerating it."""
        spec = cls._spec
        data = src_dict if type(src_dict) is dict else dict(src_dict)
        if strict:
            check(spec.name, data, what=spec.name)
        obj: Self = spec.build(data)
        return obj

    def to_dict(self) -> dict[str, Any]:
        """The JSON object this model stands for (equal to the parsed input), with a
        union variant's ``type`` spelled as it arrived."""
        out = self._spec.dump(self)
        wire_type = getattr(self, "_wire_type", None)
        if wire_type is not None:
            out["type"] = wire_type
        return out


@attrs.define
class Unknown(SDKUnknown):
    """Base of the ``Unknown*`` models: a union variant this version of the spec does not know."""

    # The generated subclasses get attrs' repr of their own, which formats this field
    # with the function given here: a key the server echoed in it is not shown.
    raw: dict[str, Any] = attrs.field(repr=redacted_repr)
    """The JSON object exactly as received."""

    @property
    def type_(self) -> Any:
        """The ``type`` the server sent (``None`` when it sent none)."""
        return self.raw.get("type")

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any], *, strict: bool = False) -> Self:
        """Wrap a JSON object. ``strict`` is accepted for symmetry; unknown models are
        never produced in strict mode, where an unknown variant is an error."""
        return cls(dict(src_dict))

    def to_dict(self) -> dict[str, Any]:
        """A copy of the JSON object as received."""
        return copy.deepcopy(self.raw)
