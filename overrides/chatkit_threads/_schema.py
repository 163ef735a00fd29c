"""Table-driven parsing, serialising and strict validation of response JSON.

The models in ``_models`` subclass the generated attrs classes; this module holds the
machinery that fills them from decoded JSON. One table per model (a ``_Spec``) drives
three things, so they cannot disagree:

- ``build``: lenient and fast. Dispatches unions on ``type`` with a dict lookup (the
  generated code tries every variant in turn and swallows the errors), keeps unknown
  fields in ``additional_properties``, leaves a missing field as ``UNSET`` and a value of
  the wrong shape as the raw JSON value, so a drifting payload never crashes a listing.
- ``dump``: the inverse of ``build``; ``to_dict()`` gives back the exact JSON the model
  came from (``UNSET`` fields are omitted, raw values written back as they were).
- ``validate``: strict mode; walks the JSON and reports every departure from the spec
  with its JSON path.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from typing import Any

import attrs

from chatkit_threads_api.types import Unset

__all__ = ["UNSET", "Field", "Spec", "Union", "dump_value", "json_type_name"]


class _Missing(Unset):
    """The generated package's ``Unset`` with a readable ``repr`` (it shows in models)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "UNSET"


UNSET: Unset = _Missing()
"""A field the payload did not carry (lenient parsing). Falsy, like the generated one."""

# attrs names that differ from their JSON key (the generator appends ``_`` to names that
# shadow builtins).
_WIRE_NAMES = {"object_": "object", "type_": "type"}


class Field:
    """One JSON field of a model: its JSON type and constraints from the spec."""

    __slots__ = ("array", "const", "enum", "kind", "nullable", "sub")

    def __init__(
        self,
        kind: str,
        *,
        nullable: bool = False,
        const: str | None = None,
        enum: tuple[str, ...] | None = None,
        sub: Spec | Union | None = None,
        array: bool = False,
    ) -> None:
        # kind: "string", "integer", "boolean", "model" (sub is a Spec) or "union"
        # (sub is a Union); array=True means a JSON array of that kind.
        self.kind = kind
        self.nullable = nullable
        self.const = const
        self.enum = enum
        self.sub = sub
        self.array = array


class Spec:
    """How one model class maps to JSON: field table, attrs order, converters."""

    __slots__ = ("attr_names", "cls", "converters", "fields", "keys", "known", "name")

    def __init__(self, name: str, cls: type[Any], fields: Mapping[str, Field]) -> None:
        self.name = name
        self.cls = cls
        # attrs' positional __init__ order, as JSON keys; computed once so that building
        # an instance is one list comprehension and one __init__ call.
        keys = tuple(
            _WIRE_NAMES.get(a.name, a.name)
            for a in attrs.fields(cls)
            if a.init and a.name != "additional_properties"
        )
        if set(keys) != set(fields):
            raise RuntimeError(f"{name}: field table {sorted(fields)} != model {sorted(keys)}")
        self.keys = keys
        self.attr_names = _attr_names(cls)
        self.known = frozenset(keys)
        self.fields = {key: fields[key] for key in keys}
        self.converters = tuple(
            (index, conv)
            for index, key in enumerate(keys)
            if (conv := _converter(self.fields[key])) is not None
        )

    def build(self, data: dict[str, Any]) -> Any:
        """Make an instance from a decoded JSON object (lenient; never raises)."""
        args = [data.get(key, UNSET) for key in self.keys]
        for index, conv in self.converters:
            args[index] = conv(args[index])
        obj = self.cls(*args)
        if not data.keys() <= self.known:
            known = self.known
            obj.additional_properties = {k: v for k, v in data.items() if k not in known}
        return obj

    def dump(self, obj: Any) -> dict[str, Any]:
        """The JSON object for ``obj``: known fields (minus ``UNSET``) then unknown ones."""
        out: dict[str, Any] = {}
        for key, attr in zip(self.keys, self.attr_names, strict=True):
            value = getattr(obj, attr)
            if value is not UNSET:
                out[key] = dump_value(value)
        for key, value in obj.additional_properties.items():
            out[key] = copy.deepcopy(value)
        return out

    def validate(self, value: Any, path: str, errors: list[tuple[str, str]]) -> None:
        """Append ``(path, problem)`` for every departure of ``value`` from this schema."""
        if type(value) is not dict:
            errors.append((path, f"expected object, got {json_type_name(value)}"))
            return
        for key, field in self.fields.items():
            child = f"{path}.{key}"
            if key not in value:
                errors.append((child, "required field is missing"))
            else:
                _validate_field(field, value[key], child, errors)


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
        # aliases: drifting spellings (``user_message``) -> the spec's (``chatkit.user_message``)
        self.aliases = dict(aliases or {})
        self.unknown = unknown

    def builders(self) -> dict[str, Callable[[dict[str, Any]], Any]]:
        """Every accepted ``type`` value (aliases included) -> the function building it."""
        table: dict[str, Callable[[dict[str, Any]], Any]] = {
            kind: spec.build for kind, spec in self.mapping.items()
        }
        for alias, canonical in self.aliases.items():
            table[alias] = _alias_builder(self.mapping[canonical].build, canonical)
        return table

    def validate(self, value: Any, path: str, errors: list[tuple[str, str]]) -> None:
        """Check the variant named by ``type``; an unknown one is itself a departure."""
        if type(value) is not dict:
            errors.append((path, f"expected object, got {json_type_name(value)}"))
            return
        kind = value.get("type")
        spec = self.mapping.get(kind) if isinstance(kind, str) else None
        if spec is not None:
            spec.validate(value, path, errors)
            return
        if "type" not in value:
            errors.append((f"{path}.type", f"required field is missing ({self.name} variant)"))
            return
        if isinstance(kind, str) and kind in self.aliases:
            canonical = self.aliases[kind]
            problem = f"{kind!r} is not a spec {self.name} type; the spec spells it {canonical!r}"
        else:
            problem = (
                f"unknown {self.name} type {kind!r}; expected one of {', '.join(self.mapping)}"
            )
        errors.append((f"{path}.type", problem))
        if isinstance(kind, str) and kind in self.aliases:
            # Still report the variant's other departures (missing fields...), all at once.
            before = len(errors)
            self.mapping[self.aliases[kind]].validate(value, path, errors)
            type_path = f"{path}.type"
            errors[before:] = [e for e in errors[before:] if e[0] != type_path]


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


def _converter(field: Field) -> Callable[[Any], Any] | None:
    if field.kind == "model":
        assert isinstance(field.sub, Spec)
        one = _model_converter(field.sub)
    elif field.kind == "union":
        assert isinstance(field.sub, Union)
        one = _union_converter(field.sub)
    else:
        return None
    if not field.array:
        return one

    def convert_list(value: Any) -> Any:
        if type(value) is list:
            return [one(v) for v in value]
        return value

    return convert_list


def _model_converter(spec: Spec) -> Callable[[Any], Any]:
    build = spec.build

    def convert(value: Any) -> Any:
        # Anything but an object (null, UNSET, a drifting scalar) is kept as it came.
        if type(value) is dict:
            return build(value)
        return value

    return convert


def _union_converter(union: Union) -> Callable[[Any], Any]:
    # Resolved lazily: the union's variant specs are all built by the time the first
    # response is parsed, but not necessarily when this converter is created.
    table: dict[Any, Callable[[dict[str, Any]], Any]] = {}
    unknown = union.unknown

    def convert(value: Any) -> Any:
        if type(value) is not dict:
            return value
        if not table:
            table.update(union.builders())
        build = table.get(value.get("type"))
        if build is None:
            return unknown(value)
        return build(value)

    return convert


_JSON_TYPES: dict[type, str] = {
    dict: "object",
    list: "array",
    str: "string",
    int: "integer",
    float: "number",
    bool: "boolean",
    type(None): "null",
}


def json_type_name(value: Any) -> str:
    """The JSON type name of a decoded value (``"missing"`` for ``UNSET``)."""
    if value is UNSET:
        return "missing"
    return _JSON_TYPES.get(type(value), type(value).__name__)


_SCALARS: dict[str, type] = {"string": str, "integer": int, "boolean": bool}


def _validate_field(field: Field, value: Any, path: str, errors: list[tuple[str, str]]) -> None:
    if field.array:
        if type(value) is not list:
            errors.append((path, f"expected array, got {json_type_name(value)}"))
            return
        for index, element in enumerate(value):
            _validate_one(field, element, f"{path}[{index}]", errors)
    else:
        _validate_one(field, value, path, errors)


def _validate_one(field: Field, value: Any, path: str, errors: list[tuple[str, str]]) -> None:
    if value is None:
        if not field.nullable:
            errors.append((path, "null is not allowed"))
        return
    if field.kind in _SCALARS:
        # ``type(...) is`` so that true/false do not pass for an integer.
        if type(value) is not _SCALARS[field.kind]:
            errors.append((path, f"expected {field.kind}, got {json_type_name(value)}"))
        elif field.const is not None and value != field.const:
            errors.append((path, f"expected {field.const!r}, got {value!r}"))
        elif field.enum is not None and value not in field.enum:
            errors.append((path, f"expected one of {', '.join(field.enum)}, got {value!r}"))
        return
    assert field.sub is not None
    field.sub.validate(value, path, errors)
