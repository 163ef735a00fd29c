"""The one validator of response bodies: every departure of a JSON value from a schema
of the spec, each with its JSON path (``$`` is the root: ``$.data[1].type``).

The client's strict mode, the CLI's drift report and the mock's fixture loader all call
``problems``, so the same bad body gives the same paths and messages everywhere.

What counts (as the client's strict mode has always judged): JSON types exactly
(``true`` is not an integer; ``1.0`` is one, and any integer is a number), ``null``
only where the spec allows it, ``const``, ``enum``, bounds, patterns, required
properties, and the variant a discriminated union's property names. A discriminator
value that is the spec's minus its namespace (``user_message`` for
``chatkit.user_message``) is named as such, and the variant's other departures are
still reported. Unknown properties are not departures (the spec is open to additions).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

from ._model import Spec
from ._schemas import (
    AnySchema,
    ArraySchema,
    ObjectSchema,
    RefSchema,
    ScalarSchema,
    Schema,
    UnionSchema,
)

__all__ = ["Problem", "json_type_name", "problems"]


class Problem(NamedTuple):
    """One departure from the spec: where (a JSON path) and what."""

    path: str
    message: str


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
    """The JSON type name of a decoded value (its Python type's name if not JSON)."""
    return _JSON_TYPES.get(type(value), type(value).__name__)


def problems(
    schema: str | Schema,
    value: Any,
    *,
    spec: Spec | Mapping[str, Schema] | None = None,
    check_formats: bool = False,
    root: str = "$",
) -> list[Problem]:
    """Every departure of ``value`` (decoded JSON) from ``schema`` (a component schema
    name, or a schema node), in document order; ``[]`` when it conforms.

    Component references resolve against ``spec`` (a ``Spec`` or its ``schemas``;
    default: ``load_spec()``, which reads the project's document). With
    ``check_formats``, ``format: uri`` is checked too (as fixtures are).
    """
    if spec is None:
        from . import load_spec

        spec = load_spec()
    schemas = spec.schemas if isinstance(spec, Spec) else spec
    walker = _Walker(schemas, check_formats)
    node = walker.component(schema) if isinstance(schema, str) else schema
    while isinstance(node, RefSchema) and not node.nullable:
        node = walker.component(node.name)
    if value is None and walker.nullable(node):
        return []
    # At the root a null is judged by the schema's type (``expected object, got null``).
    _WALKS[type(node)](walker, node, value, root)
    return walker.found


class _Walker:
    __slots__ = ("check_formats", "found", "schemas")

    def __init__(self, schemas: Mapping[str, Schema], check_formats: bool) -> None:
        self.schemas = schemas
        self.check_formats = check_formats
        self.found: list[Problem] = []

    def add(self, path: str, message: str) -> None:
        self.found.append(Problem(path, message))

    def walk(self, schema: Schema, value: Any, path: str) -> None:
        if value is None:
            if not self.nullable(schema):
                self.add(path, _null_problem(schema))
            return
        _WALKS[type(schema)](self, schema, value, path)

    def nullable(self, schema: Schema) -> bool:
        """Whether ``schema`` (or the component it refers to) allows ``null``."""
        seen: set[str] = set()
        while isinstance(schema, RefSchema) and schema.name not in seen:
            seen.add(schema.name)
            if schema.nullable:
                return True
            schema = self.component(schema.name)
        return schema.nullable

    def component(self, name: str) -> Schema:
        found = self.schemas.get(name)
        if found is None:
            raise KeyError(f"the spec has no schema {name!r}")
        return found

    def ref(self, schema: Any, value: Any, path: str) -> None:
        self.walk(self.component(schema.name), value, path)

    def scalar(self, schema: Any, value: Any, path: str) -> None:
        kind = schema.kind
        expected = _SCALARS.get(kind)
        # ``type(...) is`` so that true/false do not pass for an integer; JSON Schema
        # counts 1.0 as an integer, so a whole float does, and any integer is a number.
        if expected is not None and (
            type(value) is not expected
            and not (
                (expected is int and type(value) is float and value.is_integer())
                or (expected is float and type(value) is int)
            )
        ):
            self.add(path, f"expected {kind}, got {json_type_name(value)}")
        elif schema.const is not None and value != schema.const:
            self.add(path, f"expected {schema.const!r}, got {value!r}")
        elif schema.enum is not None and value not in schema.enum:
            expected_values = ", ".join(str(v) for v in schema.enum)
            self.add(path, f"expected one of {expected_values}, got {value!r}")
        else:
            problem = _rule_problem(schema, value, self.check_formats)
            if problem is not None:
                self.add(path, problem)

    def object(self, schema: Any, value: Any, path: str) -> None:
        if type(value) is not dict:
            self.add(path, f"expected object, got {json_type_name(value)}")
            return
        properties = schema.properties
        for key in _property_order(schema):
            child = f"{path}.{key}"
            if key in value:
                self.walk(properties[key], value[key], child)
            elif key in schema.required:
                self.add(child, "required field is missing")

    def array(self, schema: Any, value: Any, path: str) -> None:
        if type(value) is not list:
            self.add(path, f"expected array, got {json_type_name(value)}")
            return
        items = schema.items
        for index, element in enumerate(value):
            self.walk(items, element, f"{path}[{index}]")

    def union(self, schema: Any, value: Any, path: str) -> None:
        if schema.discriminator is None:
            self._any_of(schema, value, path)
            return
        if type(value) is not dict:
            self.add(path, f"expected object, got {json_type_name(value)}")
            return
        prop, mapping = schema.discriminator, schema.mapping
        name = _words(schema.name or "union")
        kind = value.get(prop)
        variant = mapping.get(kind) if isinstance(kind, str) else None
        if variant is not None:
            self.walk(self.component(variant), value, path)
            return
        type_path = f"{path}.{prop}"
        if prop not in value:
            self.add(type_path, f"required field is missing ({name} variant)")
            return
        aliases = _aliases(mapping)
        if isinstance(kind, str) and kind in aliases:
            canonical = aliases[kind]
            self.add(
                type_path,
                f"{kind!r} is not a spec {name} type; the spec spells it {canonical!r}",
            )
            # Still report the variant's other departures (missing fields...), all at once.
            before = len(self.found)
            self.walk(self.component(mapping[canonical]), value, path)
            self.found[before:] = [p for p in self.found[before:] if p.path != type_path]
        else:
            self.add(
                type_path, f"unknown {name} type {kind!r}; expected one of {', '.join(mapping)}"
            )

    def _any_of(self, schema: Any, value: Any, path: str) -> None:
        for variant in schema.variants:
            trial = _Walker(self.schemas, self.check_formats)
            trial.walk(variant, value, path)
            if not trial.found:
                return
        self.add(path, f"matches none of the {len(schema.variants)} schemas allowed here")

    def anything(self, schema: Any, value: Any, path: str) -> None:
        if schema.keyword == "not":
            self.add(path, "no value is allowed here")


_WALKS: dict[type, Callable[[_Walker, Any, Any, str], None]] = {
    RefSchema: _Walker.ref,
    ScalarSchema: _Walker.scalar,
    ObjectSchema: _Walker.object,
    ArraySchema: _Walker.array,
    UnionSchema: _Walker.union,
    AnySchema: _Walker.anything,
}
_SCALARS: dict[str, type] = {"string": str, "integer": int, "boolean": bool, "number": float}


def _null_problem(schema: Schema) -> str:
    if isinstance(schema, ArraySchema):
        return "expected array, got null"
    return "null is not allowed"


def _property_order(schema: ObjectSchema) -> list[str]:
    # Required properties first, then the others, each in the document's order: the
    # order of the client's models (and so of strict mode's reports) since its start.
    required = [key for key in schema.properties if key in schema.required]
    return required + [key for key in schema.properties if key not in schema.required]


def _rule_problem(schema: ScalarSchema, value: Any, check_formats: bool) -> str | None:
    if isinstance(value, str):
        if schema.min_length is not None and len(value) < schema.min_length:
            return f"a value of at least {schema.min_length} characters expected, got {len(value)}"
        if schema.max_length is not None and len(value) > schema.max_length:
            return f"a value of at most {schema.max_length} characters expected, got {len(value)}"
        if schema.pattern is not None and re.search(schema.pattern, value) is None:
            return f"a value matching {schema.pattern!r} expected, got {value!r}"
        if check_formats and schema.format == "uri" and _URI.fullmatch(value) is None:
            return f"a URI expected, got {value[:80]!r}"
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        if schema.minimum is not None and value < schema.minimum:
            return f"a value >= {schema.minimum} expected, got {value!r}"
        if schema.maximum is not None and value > schema.maximum:
            return f"a value <= {schema.maximum} expected, got {value!r}"
    return None


# An absolute URI (RFC 3986): a scheme, then no whitespace, controls or characters
# that must be percent-encoded, and a well-formed percent-encoding.
_URI = re.compile(
    r"[A-Za-z][A-Za-z0-9+.\-]*:"
    r"(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/?#\[\]]|%[0-9A-Fa-f]{2})*"
)


def _aliases(mapping: Mapping[str, str]) -> dict[str, str]:
    """Drifting spellings (``user_message``) -> the spec's (``chatkit.user_message``):
    real payloads drop a namespace prefix."""
    return {
        key.partition(".")[2]: key
        for key in mapping
        if "." in key and key.partition(".")[2] not in mapping
    }


def _words(name: str) -> str:
    """A schema name in words, for messages (``ThreadItem`` -> ``thread item``)."""
    return " ".join(w.lower() for w in re.findall(r"[A-Z][a-z0-9]*|[a-z0-9]+", name))
