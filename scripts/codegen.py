"""The spec model, classified as the generator's templates need it (openapi/templates).

`scripts/generate` runs openapi-python-client with the custom templates of
``openapi/templates``; its parser keeps no discriminator mapping, parameter bounds,
``x-python-method`` or header value, so the templates of the client layer
(``client_models``, ``client_resources``, ``spec_constants``) read them from the spec
model (``chatkit_threads_spec``, the one reader of the document) through this module
(``Facts`` in ``scripts/generator.py``). The breaking-change check of
``scripts/generate`` compares two documents through the same classes.

A construct the client layer cannot express fails generation with a message naming the
schema or operation and what to change; it is never left to fail at import time.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from chatkit_threads_spec import (
    AnySchema,
    ArraySchema,
    ObjectSchema,
    Operation,
    Parameter,
    RefSchema,
    ScalarSchema,
    Schema,
    Spec,
    SpecError,
    UnionSchema,
    build_spec,
)

_SCALAR_KINDS = {"string": "str", "integer": "int", "number": "float", "boolean": "bool"}


class CodegenError(Exception):
    """The spec uses a construct the client layer cannot generate code for."""


def _model(spec: Mapping[str, Any] | Spec) -> Spec:
    """The spec model of a document (read by chatkit_threads_spec, the one reader)."""
    if isinstance(spec, Spec):
        return spec
    try:
        return build_spec(spec)
    except SpecError as exc:
        raise CodegenError(str(exc)) from None


def _class_name(name: str) -> str:
    from openapi_python_client.strings import ClassName

    return str(ClassName(name, ""))


def _identifier(name: str, prefix: str) -> str:
    from openapi_python_client.strings import PythonIdentifier

    return str(PythonIdentifier(name, prefix))


def _words(name: str) -> str:
    return " ".join(w.lower() for w in re.findall(r"[A-Z][a-z0-9]*|[a-z0-9]+", name))


def _doc(text: Any) -> str:
    # One docstring-safe paragraph.
    value = " ".join(str(text or "").split())
    return value.replace("\\", "\\\\").replace('"""', "'''")


@dataclass
class FieldDesc:
    """One property of an object schema, reduced to what the runtime tables need."""

    kind: str  # string/integer/number/boolean/model/union/object/any
    sub: str | None = None
    nullable: bool = False
    array: bool = False
    required: bool = True
    const: Any = None
    enum: tuple[Any, ...] | None = None
    enum_ref: str | None = None
    bounds: dict[str, Any] = field(default_factory=dict)


class Schemas:
    """The component schemas of the spec model, classified."""

    def __init__(self, spec: Mapping[str, Any] | Spec) -> None:
        self.spec = _model(spec)
        self.schemas: Mapping[str, Schema] = self.spec.schemas

    def kind(self, name: str) -> str:
        if name not in self.schemas:
            raise CodegenError(f"$ref to undefined schema {name!r}")
        schema = self.schemas[name]
        if isinstance(schema, UnionSchema):
            if schema.discriminator is None:
                raise CodegenError(
                    f"schema {name}: a oneOf needs a discriminator (propertyName + mapping)"
                )
            return "union"
        if isinstance(schema, ObjectSchema):
            return "object"
        return "alias"

    def objects(self) -> list[str]:
        return [n for n in self.schemas if self.kind(n) == "object"]

    def unions(self) -> list[str]:
        return [n for n in self.schemas if self.kind(n) == "union"]

    def enum(self, name: str) -> tuple[Any, ...] | None:
        """The values of an enum component schema (``None`` for other schemas)."""
        schema = self.schemas[name]
        return schema.enum if isinstance(schema, ScalarSchema) else None

    def description(self, name: str) -> str:
        return self.schemas[name].description

    def union_variants(self, name: str) -> dict[str, str]:
        """discriminator value -> variant schema name."""
        schema = self.schemas[name]
        assert isinstance(schema, UnionSchema)
        if schema.discriminator != "type":
            raise CodegenError(f"schema {name}: the discriminator propertyName must be 'type'")
        mapping = dict(schema.mapping)
        listed = {v.name for v in schema.variants if isinstance(v, RefSchema)}
        if set(mapping.values()) != listed or len(listed) != len(schema.variants):
            raise CodegenError(
                f"schema {name}: every oneOf entry must be a $ref listed once in "
                "discriminator.mapping, and the mapping must name only oneOf entries"
            )
        for _value, variant in mapping.items():
            if self.kind(variant) != "object":
                raise CodegenError(f"schema {name}: variant {variant} is not an object schema")
        return mapping

    def unknown_class(self, name: str) -> str:
        schema = self.schemas[name]
        assert isinstance(schema, UnionSchema)
        return schema.unknown_class or f"Unknown{_class_name(name)}"

    def field(self, where: str, prop: Schema, required: bool) -> FieldDesc:
        desc = self._field(where, prop)
        desc.required = required
        return desc

    def _field(self, where: str, prop: Schema) -> FieldDesc:
        if isinstance(prop, RefSchema):
            kind = self.kind(prop.name)
            if kind == "object":
                return FieldDesc("model", sub=prop.name, nullable=prop.nullable)
            if kind == "union":
                return FieldDesc("union", sub=prop.name, nullable=prop.nullable)
            desc = self._field(where, self.schemas[prop.name])
            if desc.enum is not None:
                desc.enum_ref = prop.name
            desc.nullable = desc.nullable or prop.nullable
            return desc
        if isinstance(prop, UnionSchema):
            raise CodegenError(
                f"{where}: an inline oneOf/anyOf is only supported as [X, null]; "
                "make it a component schema with a discriminator"
            )
        if isinstance(prop, ArraySchema):
            desc = self._field(f"{where}[]", prop.items)
            if desc.array:
                raise CodegenError(f"{where}: arrays of arrays are not supported")
            desc.array, desc.nullable = True, prop.nullable
            return desc
        if isinstance(prop, ObjectSchema):
            # A free-form or inline object: kept as the JSON object it is.
            return FieldDesc("object", nullable=prop.nullable)
        if isinstance(prop, AnySchema):
            return FieldDesc("any", nullable=True)
        if prop.kind not in _SCALAR_KINDS:
            raise CodegenError(f"{where}: unsupported type {prop.kind!r}")
        bounds = {
            key: getattr(prop, key)
            for key in ("minimum", "maximum", "min_length", "max_length")
            if getattr(prop, key) is not None
        }
        return FieldDesc(
            prop.kind, nullable=prop.nullable, const=prop.const, enum=prop.enum, bounds=bounds
        )

    def fields(self, name: str) -> dict[str, FieldDesc]:
        schema = self.schemas[name]
        assert isinstance(schema, ObjectSchema)
        required = set(schema.required)
        return {
            key: self.field(f"schema {name}, property {key}", prop, key in required)
            for key, prop in schema.properties.items()
        }


def _order(schemas: Schemas) -> list[str]:
    """Objects and unions, each after everything its fields refer to."""
    done: list[str] = []
    visiting: set[str] = set()

    def deps(name: str) -> Iterator[str]:
        if schemas.kind(name) == "union":
            yield from schemas.union_variants(name).values()
        else:
            for desc in schemas.fields(name).values():
                if desc.sub is not None:
                    yield desc.sub

    def visit(name: str) -> None:
        if name in done:
            return
        if name in visiting:
            raise CodegenError(
                f"schema {name} refers to itself; recursive schemas are not supported"
            )
        visiting.add(name)
        for dep in deps(name):
            visit(dep)
        visiting.discard(name)
        done.append(name)

    for name in [*schemas.objects(), *schemas.unions()]:
        visit(name)
    return done


# --- operations ------------------------------------------------------------------------


@dataclass
class ParamDesc:
    """One parameter of an operation, with its model (``param``) and its field view."""

    param: Parameter
    desc: FieldDesc

    @property
    def name(self) -> str:
        return self.param.name

    @property
    def required(self) -> bool:
        return self.param.required

    @property
    def description(self) -> str:
        return self.param.description


@dataclass
class OperationDesc:
    """One operation of the spec, as the resources need it."""

    op: Operation
    op_id: str
    method_name: str
    tag: str
    path_params: list[ParamDesc]
    query: list[ParamDesc]
    response: str
    page_item: FieldDesc | None
    """The ``data`` field of a list envelope (its ``array`` flag cleared), else None."""


def operations(spec: Mapping[str, Any] | Spec) -> list[OperationDesc]:
    """Every operation of the spec, in document order."""
    schemas = Schemas(spec)
    found: list[OperationDesc] = []
    for op in schemas.spec.operations:
        where = f"operation {op.method} {op.path} ({op.operation_id})"
        if not op.method_name:
            raise CodegenError(
                f"{where}: needs an operationId and an x-python-method naming the client "
                "method (e.g. x-python-method: list)"
            )
        if op.resource is None:
            raise CodegenError(f"{where}: needs exactly one tag (the client resource)")
        if op.request_body:
            raise CodegenError(f"{where}: request bodies are not supported yet")
        params: list[ParamDesc] = []
        for param in op.parameters:
            if param.kind not in _SCALAR_KINDS:
                raise CodegenError(
                    f"{where}, parameter {param.name}: only scalar parameters are supported"
                )
            kind = FieldDesc(param.kind, enum=param.enum, enum_ref=param.schema_name)
            if param.enum is None:
                kind.enum_ref = None
            params.append(ParamDesc(param, kind))
        for p in op.parameters_in("header"):
            if p.name not in op.headers:
                raise CodegenError(
                    f"{where}, header {p.name}: only required headers with a single "
                    "enum/const value are supported"
                )
        success = op.responses.get("200")
        if success is None or not isinstance(success.schema, RefSchema):
            raise CodegenError(f"{where}: the 200 response needs a $ref JSON schema")
        response = success.schema.name
        if schemas.kind(response) != "object":
            raise CodegenError(f"{where}: the 200 response must be an object schema")
        fields = schemas.fields(response)
        page_item = None
        if {"data", "has_more", "first_id", "last_id"} <= set(fields) and fields["data"].array:
            page_item = FieldDesc(**{**vars(fields["data"]), "array": False})
        found.append(
            OperationDesc(
                op,
                op.operation_id,
                op.method_name,
                op.resource,
                [p for p in params if p.param.location == "path"],
                [p for p in params if p.param.location == "query"],
                response,
                page_item,
            )
        )
    return found


def describe(desc: FieldDesc) -> str:
    """A field's type in words, for messages."""
    base = desc.sub or desc.kind
    return f"array of {base}" if desc.array else base


# The names the templates' filters use (scripts/generator.py).
class_name, identifier, words, doc, order = _class_name, _identifier, _words, _doc, _order
model = _model
