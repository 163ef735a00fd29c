"""The spec's facts as the generator's templates need them (openapi/templates/*.jinja).

`scripts/generate` runs openapi-python-client with the custom templates of
``openapi/templates``; its parser has no notion of a discriminator's mapping, a
parameter's bounds, ``x-python-method`` or a header's fixed value, so the templates of
the client layer (``client_models``, ``client_resources``, ``spec_constants``) read them
here, as the jinja global ``facts``. The breaking-change check of ``scripts/generate``
compares two documents through the same classes.

A construct the client layer cannot express fails generation with a message naming the
schema or operation and what to change; it is never left to fail at import time.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

_SCALAR_KINDS = {"string": "str", "integer": "int", "number": "float", "boolean": "bool"}


class CodegenError(Exception):
    """The spec uses a construct the client layer cannot generate code for."""


def _ref_name(ref: str) -> str:
    prefix = "#/components/schemas/"
    if not ref.startswith(prefix):
        raise CodegenError(f"unsupported $ref {ref!r}: only {prefix}<Name> is supported")
    return ref[len(prefix) :]


def _class_name(name: str) -> str:
    """The generator's class name for a schema or tag name."""
    from openapi_python_client.strings import ClassName

    return str(ClassName(name, ""))


def _identifier(name: str, prefix: str) -> str:
    """The generator's Python identifier for a JSON name."""
    from openapi_python_client.strings import PythonIdentifier

    return str(PythonIdentifier(name, prefix))


def _words(name: str) -> str:
    """``ThreadItem`` -> ``thread item``."""
    return " ".join(w.lower() for w in re.findall(r"[A-Z][a-z0-9]*|[a-z0-9]+", name))


def _doc(text: Any) -> str:
    """One docstring-safe paragraph."""
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
    """The components/schemas of the spec, classified."""

    def __init__(self, spec: Mapping[str, Any]) -> None:
        self.raw: dict[str, Any] = dict(spec.get("components", {}).get("schemas", {}))

    def kind(self, name: str) -> str:
        if name not in self.raw:
            raise CodegenError(f"$ref to undefined schema {name!r}")
        schema = self.raw[name]
        if "oneOf" in schema:
            if "discriminator" not in schema:
                raise CodegenError(
                    f"schema {name}: a oneOf needs a discriminator (propertyName + mapping)"
                )
            return "union"
        if schema.get("type") == "object" or "properties" in schema:
            return "object"
        return "alias"

    def objects(self) -> list[str]:
        return [n for n in self.raw if self.kind(n) == "object"]

    def unions(self) -> list[str]:
        return [n for n in self.raw if self.kind(n) == "union"]

    def union_variants(self, name: str) -> dict[str, str]:
        """discriminator value -> variant schema name."""
        schema = self.raw[name]
        disc = schema["discriminator"]
        if disc.get("propertyName") != "type":
            raise CodegenError(f"schema {name}: the discriminator propertyName must be 'type'")
        mapping = {str(k): _ref_name(v) for k, v in disc.get("mapping", {}).items()}
        listed = {_ref_name(o["$ref"]) for o in schema["oneOf"] if "$ref" in o}
        if set(mapping.values()) != listed or len(listed) != len(schema["oneOf"]):
            raise CodegenError(
                f"schema {name}: every oneOf entry must be a $ref listed once in "
                "discriminator.mapping, and the mapping must name only oneOf entries"
            )
        for _value, variant in mapping.items():
            if self.kind(variant) != "object":
                raise CodegenError(f"schema {name}: variant {variant} is not an object schema")
        return mapping

    def unknown_class(self, name: str) -> str:
        return str(self.raw[name].get("x-unknown-class") or f"Unknown{_class_name(name)}")

    def field(self, where: str, prop: Mapping[str, Any], required: bool) -> FieldDesc:
        desc = self._field(where, prop)
        desc.required = required
        return desc

    def _field(self, where: str, prop: Mapping[str, Any]) -> FieldDesc:
        if "$ref" in prop:
            name = _ref_name(prop["$ref"])
            kind = self.kind(name)
            if kind == "object":
                return FieldDesc("model", sub=name)
            if kind == "union":
                return FieldDesc("union", sub=name)
            desc = self._field(where, self.raw[name])
            if desc.enum is not None:
                desc.enum_ref = name
            return desc
        if "oneOf" in prop or "anyOf" in prop:
            options = list(prop.get("oneOf") or prop.get("anyOf") or [])
            rest = [o for o in options if o.get("type") != "null"]
            if len(rest) != 1 or len(options) != 2:
                raise CodegenError(
                    f"{where}: an inline oneOf/anyOf is only supported as [X, null]; "
                    "make it a component schema with a discriminator"
                )
            desc = self._field(where, rest[0])
            desc.nullable = True
            return desc
        type_ = prop.get("type")
        nullable = False
        if isinstance(type_, list):
            nullable = "null" in type_
            others = [t for t in type_ if t != "null"]
            if len(others) != 1:
                raise CodegenError(f"{where}: a type list must be one type plus 'null'")
            type_ = others[0]
        if type_ == "array":
            items = prop.get("items")
            if not isinstance(items, Mapping):
                raise CodegenError(f"{where}: an array needs an items schema")
            desc = self._field(f"{where}[]", items)
            if desc.array:
                raise CodegenError(f"{where}: arrays of arrays are not supported")
            desc.array, desc.nullable = True, nullable
            return desc
        if type_ == "object":
            # A free-form or inline object: kept as the JSON object it is.
            return FieldDesc("object", nullable=nullable)
        if type_ is None and "const" not in prop and "enum" not in prop:
            return FieldDesc("any", nullable=True)
        if type_ is None:
            type_ = "string"
        if type_ not in _SCALAR_KINDS:
            raise CodegenError(f"{where}: unsupported type {type_!r}")
        enum = prop.get("enum")
        bounds = {
            key: prop[spec_key]
            for key, spec_key in (
                ("minimum", "minimum"),
                ("maximum", "maximum"),
                ("min_length", "minLength"),
                ("max_length", "maxLength"),
            )
            if spec_key in prop
        }
        return FieldDesc(
            type_,
            nullable=nullable,
            const=prop.get("const"),
            enum=tuple(enum) if enum is not None else None,
            bounds=bounds,
        )

    def fields(self, name: str) -> dict[str, FieldDesc]:
        schema = self.raw[name]
        required = set(schema.get("required", []))
        return {
            key: self.field(f"schema {name}, property {key}", prop, key in required)
            for key, prop in (schema.get("properties") or {}).items()
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
    """One parameter of an operation."""

    name: str
    location: str
    required: bool
    desc: FieldDesc
    default: Any
    description: str


def _resolve_param(spec: Mapping[str, Any], param: Mapping[str, Any]) -> Mapping[str, Any]:
    if "$ref" in param:
        prefix = "#/components/parameters/"
        ref = str(param["$ref"])
        if not ref.startswith(prefix):
            raise CodegenError(f"unsupported parameter $ref {ref!r}")
        resolved: Mapping[str, Any] = spec["components"]["parameters"][ref[len(prefix) :]]
        return resolved
    return param


@dataclass
class OperationDesc:
    """One operation of the spec, as the resources need it."""

    op_id: str
    method_name: str
    tag: str
    http_method: str
    path: str
    summary: str
    description: str
    path_params: list[ParamDesc]
    query: list[ParamDesc]
    fixed_headers: dict[str, str]
    response: str
    page_item: FieldDesc | None
    """The ``data`` field of a list envelope (its ``array`` flag cleared), else None."""


def operations(spec: Mapping[str, Any]) -> list[OperationDesc]:
    """Every operation of the spec, in document order."""
    schemas = Schemas(spec)
    found: list[OperationDesc] = []
    for path, item in spec.get("paths", {}).items():
        shared = list(item.get("parameters", []))
        for method in ("get", "put", "post", "delete", "patch"):
            op = item.get(method)
            if op is None:
                continue
            op_id = str(op.get("operationId") or "")
            where = f"operation {method.upper()} {path} ({op_id or 'no operationId'})"
            method_name = op.get("x-python-method")
            if not op_id or not method_name:
                raise CodegenError(
                    f"{where}: needs an operationId and an x-python-method naming the client "
                    "method (e.g. x-python-method: list)"
                )
            tags = op.get("tags") or []
            if len(tags) != 1:
                raise CodegenError(f"{where}: needs exactly one tag (the client resource)")
            if "requestBody" in op:
                raise CodegenError(f"{where}: request bodies are not supported yet")
            params: list[ParamDesc] = []
            for raw in [*shared, *op.get("parameters", [])]:
                param = _resolve_param(spec, raw)
                name = str(param["name"])
                schema = param.get("schema") or {}
                desc = schemas.field(f"{where}, parameter {name}", schema, True)
                if desc.kind not in _SCALAR_KINDS or desc.array:
                    raise CodegenError(
                        f"{where}, parameter {name}: only scalar parameters are supported"
                    )
                default = schema.get("default")
                if default is None and "$ref" in schema:
                    default = schemas.raw[_ref_name(schema["$ref"])].get("default")
                params.append(
                    ParamDesc(
                        name,
                        str(param["in"]),
                        bool(param.get("required", False)),
                        desc,
                        default,
                        str(param.get("description") or ""),
                    )
                )
            fixed: dict[str, str] = {}
            for p in params:
                if p.location != "header":
                    continue
                values = p.desc.enum or ((p.desc.const,) if p.desc.const is not None else ())
                if not p.required or len(values) != 1:
                    raise CodegenError(
                        f"{where}, header {p.name}: only required headers with a single "
                        "enum/const value are supported"
                    )
                fixed[p.name] = str(values[0])
            content = (
                op.get("responses", {}).get("200", {}).get("content", {}).get("application/json")
            )
            if not content or "$ref" not in content.get("schema", {}):
                raise CodegenError(f"{where}: the 200 response needs a $ref JSON schema")
            response = _ref_name(content["schema"]["$ref"])
            if schemas.kind(response) != "object":
                raise CodegenError(f"{where}: the 200 response must be an object schema")
            fields = schemas.fields(response)
            page_item = None
            if {"data", "has_more", "first_id", "last_id"} <= set(fields) and fields["data"].array:
                page_item = FieldDesc(**{**vars(fields["data"]), "array": False})
            found.append(
                OperationDesc(
                    op_id,
                    str(method_name),
                    str(tags[0]),
                    method.upper(),
                    path,
                    str(op.get("summary") or ""),
                    str(op.get("description") or ""),
                    [p for p in params if p.location == "path"],
                    [p for p in params if p.location == "query"],
                    fixed,
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
