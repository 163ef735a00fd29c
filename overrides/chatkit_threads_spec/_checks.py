"""The compiled checks behind ``validate.problems``: each schema node becomes a closure
once per schema table, so strict mode (every response) pays for the walk, not for
interpreting the schema."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple, TypeAlias

from ._schemas import (
    AnySchema,
    ArraySchema,
    ObjectSchema,
    RefSchema,
    ScalarSchema,
    Schema,
    UnionSchema,
)

__all__ = ["Problem", "compiler", "json_type_name", "root_null"]


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


_Check: TypeAlias = Callable[[Any, str, list[Problem]], None]
"""A compiled check: ``(value, path, found)`` appends the value's departures to found."""

# One compiler per schema table (kept while the table is alive), so a table's checks
# are compiled once: strict mode checks every response with the same table.
_COMPILERS: dict[tuple[int, bool], tuple[Mapping[str, Schema], _Compiler]] = {}


def compiler(schemas: Mapping[str, Schema], check_formats: bool) -> _Compiler:
    key = (id(schemas), check_formats)
    found = _COMPILERS.get(key)
    if found is not None and found[0] is schemas:
        return found[1]
    compiler = _Compiler(schemas, check_formats)
    if len(_COMPILERS) >= 16:
        _COMPILERS.clear()
    _COMPILERS[key] = (schemas, compiler)
    return compiler


def _null(path: str, found: list[Problem]) -> None:
    found.append(Problem(path, "null is not allowed"))


class _Compiler:
    """Turns schema nodes into checks (closures), each made once per node."""

    def __init__(self, schemas: Mapping[str, Schema], check_formats: bool) -> None:
        self.schemas = schemas
        self.check_formats = check_formats
        self.checks: dict[int, tuple[Schema, _Check]] = {}
        self.components: dict[str, _Check] = {}

    def component(self, name: str) -> Schema:
        found = self.schemas.get(name)
        if found is None:
            raise KeyError(f"the spec has no schema {name!r}")
        return found

    def nullable(self, schema: Schema) -> bool:
        """Whether ``schema`` (or the component it refers to) allows ``null``."""
        seen: set[str] = set()
        while isinstance(schema, RefSchema) and schema.name not in seen:
            seen.add(schema.name)
            if schema.nullable:
                return True
            schema = self.component(schema.name)
        return schema.nullable

    def check(self, schema: Schema) -> _Check:
        cached = self.checks.get(id(schema))
        if cached is not None and cached[0] is schema:
            return cached[1]
        made = _MAKERS[type(schema)](self, schema)
        self.checks[id(schema)] = (schema, made)
        return made

    def named(self, name: str) -> _Check:
        """The check of component ``name`` (a recursive schema refers to itself)."""
        made = self.components.get(name)
        if made is None:
            checks: list[_Check] = []

            def late(value: Any, path: str, found: list[Problem]) -> None:
                checks[0](value, path, found)

            self.components[name] = late  # while it is being made
            made = self.check(self.component(name))
            checks.append(made)
            self.components[name] = made
        return made

    def ref(self, schema: RefSchema) -> _Check:
        target = self.named(schema.name)
        if not schema.nullable or self.nullable(self.component(schema.name)):
            return target

        def nullable_ref(value: Any, path: str, found: list[Problem]) -> None:
            if value is not None:
                target(value, path, found)

        return nullable_ref

    def scalar(self, schema: ScalarSchema) -> _Check:
        kind, nullable = schema.kind, schema.nullable
        expected = _SCALARS.get(kind)
        const, enum = schema.const, schema.enum
        rules = (
            any(
                v is not None
                for v in (schema.minimum, schema.maximum, schema.min_length, schema.max_length)
            )
            or schema.pattern is not None
            or (self.check_formats and schema.format == "uri")
        )
        plain = const is None and enum is None and not rules
        check_formats = self.check_formats

        def scalar(value: Any, path: str, found: list[Problem]) -> None:
            kind_of = type(value)
            if kind_of is expected and plain:
                return
            if value is None:
                if not nullable:
                    _null(path, found)
                return
            # ``type(...) is`` so that true/false do not pass for an integer; JSON Schema
            # counts 1.0 as an integer, so a whole float does, and any integer is a number.
            if expected is not None and (
                kind_of is not expected
                and not (
                    (expected is int and kind_of is float and value.is_integer())
                    or (expected is float and kind_of is int)
                )
            ):
                found.append(Problem(path, f"expected {kind}, got {json_type_name(value)}"))
            elif const is not None and value != const:
                found.append(Problem(path, f"expected {const!r}, got {value!r}"))
            elif enum is not None and value not in enum:
                expected_values = ", ".join(str(v) for v in enum)
                found.append(Problem(path, f"expected one of {expected_values}, got {value!r}"))
            elif rules:
                problem = _rule_problem(schema, value, check_formats)
                if problem is not None:
                    found.append(Problem(path, problem))

        return scalar

    def object(self, schema: ObjectSchema) -> _Check:
        nullable = schema.nullable
        fields = [
            (key, f".{key}", self.check(schema.properties[key]), key in schema.required)
            for key in _property_order(schema)
        ]

        def check_object(value: Any, path: str, found: list[Problem]) -> None:
            if type(value) is not dict:
                if value is None:
                    if not nullable:
                        _null(path, found)
                    return
                found.append(Problem(path, f"expected object, got {json_type_name(value)}"))
                return
            for key, suffix, check, required in fields:
                if key in value:
                    check(value[key], path + suffix, found)
                elif required:
                    found.append(Problem(path + suffix, "required field is missing"))

        return check_object

    def array(self, schema: ArraySchema) -> _Check:
        nullable = schema.nullable
        items = self.check(schema.items)

        def check_array(value: Any, path: str, found: list[Problem]) -> None:
            if type(value) is not list:
                if value is None and nullable:
                    return
                found.append(Problem(path, f"expected array, got {json_type_name(value)}"))
                return
            for index, element in enumerate(value):
                items(element, f"{path}[{index}]", found)

        return check_array

    def union(self, schema: UnionSchema) -> _Check:
        nullable = schema.nullable
        table = self.dispatch(schema)
        if table is None:
            variants = [self.check(v) for v in schema.variants]
            count = len(variants)

            def any_of(value: Any, path: str, found: list[Problem]) -> None:
                if value is None and nullable:
                    return
                for variant in variants:
                    trial: list[Problem] = []
                    variant(value, path, trial)
                    if not trial:
                        return
                found.append(Problem(path, f"matches none of the {count} schemas allowed here"))

            return any_of
        prop, name = str(schema.discriminator), _words(schema.name or "union")
        mapping = {value: self.named(target) for value, target in table.items()}
        aliases = _aliases(table)
        choices = ", ".join(table)

        def check_union(value: Any, path: str, found: list[Problem]) -> None:
            if type(value) is not dict:
                if value is None:
                    if not nullable:
                        _null(path, found)
                    return
                found.append(Problem(path, f"expected object, got {json_type_name(value)}"))
                return
            kind = value.get(prop)
            variant = mapping.get(kind) if type(kind) is str else None
            if variant is not None:
                variant(value, path, found)
                return
            type_path = f"{path}.{prop}"
            if prop not in value:
                found.append(Problem(type_path, f"required field is missing ({name} variant)"))
                return
            if type(kind) is str and kind in aliases:
                canonical = aliases[kind]
                found.append(
                    Problem(
                        type_path,
                        f"{kind!r} is not a spec {name} type; the spec spells it {canonical!r}",
                    )
                )
                # Still report the variant's other departures (missing fields...), all at once.
                rest: list[Problem] = []
                mapping[canonical](value, path, rest)
                found.extend(p for p in rest if p.path != type_path)
            else:
                found.append(
                    Problem(type_path, f"unknown {name} type {kind!r}; expected one of {choices}")
                )

        return check_union

    def dispatch(self, schema: UnionSchema) -> dict[str, str] | None:
        """Discriminator value -> variant schema name, or ``None`` when the union is not
        discriminated by references. A variant the mapping leaves out is found by the
        single value its discriminator property allows (else by its name, as OpenAPI's
        implicit mapping has it)."""
        if schema.discriminator is None or not all(
            isinstance(v, RefSchema) for v in schema.variants
        ):
            return None
        table = dict(schema.mapping)
        for variant in schema.variants:
            assert isinstance(variant, RefSchema)
            if variant.name in table.values():
                continue
            target = self.component(variant.name)
            prop = (
                target.properties.get(schema.discriminator)
                if isinstance(target, ObjectSchema)
                else None
            )
            value = prop.single_value if isinstance(prop, ScalarSchema) else None
            table.setdefault(variant.name if value is None else str(value), variant.name)
        return table

    def anything(self, schema: AnySchema) -> _Check:
        if schema.keyword != "not":
            return _nothing

        def check_not(value: Any, path: str, found: list[Problem]) -> None:
            found.append(Problem(path, "no value is allowed here"))

        return check_not


def _nothing(value: Any, path: str, found: list[Problem]) -> None:
    return None


_MAKERS: dict[type, Callable[[_Compiler, Any], _Check]] = {
    RefSchema: _Compiler.ref,
    ScalarSchema: _Compiler.scalar,
    ObjectSchema: _Compiler.object,
    ArraySchema: _Compiler.array,
    UnionSchema: _Compiler.union,
    AnySchema: _Compiler.anything,
}


def root_null(schema: Schema) -> str | None:
    if isinstance(schema, ScalarSchema):
        return f"expected {schema.kind}, got null"
    if isinstance(schema, ArraySchema):
        return "expected array, got null"
    if isinstance(schema, ObjectSchema) or (
        isinstance(schema, UnionSchema) and schema.discriminator is not None
    ):
        return "expected object, got null"
    if isinstance(schema, UnionSchema):
        return f"matches none of the {len(schema.variants)} schemas allowed here"
    return None


_SCALARS: dict[str, type] = {"string": str, "integer": int, "boolean": bool, "number": float}


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
