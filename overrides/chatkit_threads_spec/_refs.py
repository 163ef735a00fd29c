"""The one ``$ref`` resolver of the project, and the schema nodes built with it.

Only local references are followed (``#/...``, JSON Pointer escapes decoded); a
reference that leads back to itself, points nowhere or outside the document is a
``SpecError`` naming it. A reference to a component schema stays a ``RefSchema`` by name.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._errors import SpecError
from ._record import replace
from ._schemas import (
    SCALAR_KINDS,
    AnySchema,
    ArraySchema,
    ObjectSchema,
    RefSchema,
    ScalarSchema,
    Schema,
    UnionSchema,
)

__all__ = ["SchemaBuilder", "mapping_at", "resolve", "text"]

_SCHEMA_PREFIX = "#/components/schemas/"
_SCALAR_RULES = (
    ("minimum", "minimum"),
    ("maximum", "maximum"),
    ("min_length", "minLength"),
    ("max_length", "maxLength"),
    ("pattern", "pattern"),
    ("format", "format"),
)


def resolve(document: Mapping[str, Any], node: Any, where: str = "the spec") -> Any:
    """``node`` with its local ``$ref`` (and the ones it leads to) followed."""
    seen: list[str] = []
    while isinstance(node, Mapping) and "$ref" in node:
        ref = node["$ref"]
        if not isinstance(ref, str) or not ref.startswith("#"):
            raise SpecError(f"{where}: unsupported $ref {ref!r} (only local #/... references)")
        if ref in seen:
            raise SpecError(f"{where}: $ref cycle: {' -> '.join([*seen, ref])}")
        seen.append(ref)
        node = _pointer(document, ref, where)
    return node


def _pointer(document: Mapping[str, Any], ref: str, where: str) -> Any:
    target: Any = document
    for raw in ref[1:].split("/")[1:] if ref != "#" else []:
        part = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(target, Mapping) and part in target:
            target = target[part]
        elif isinstance(target, list) and part.isdigit() and int(part) < len(target):
            target = target[int(part)]
        else:
            raise SpecError(f"{where}: $ref {ref!r} points to nothing")
    return target


def mapping_at(value: Any, where: str) -> Mapping[str, Any]:
    """``value`` if it is a mapping (``{}`` for null); else a ``SpecError`` at ``where``."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise SpecError(f"{where}: expected a mapping, got {type(value).__name__}")
    return value


def text(value: Any) -> str:
    """A text field of the document (``""`` when absent)."""
    return "" if value is None else str(value)


class SchemaBuilder:
    """Builds schema nodes; follows references outside ``#/components/schemas`` inline."""

    def __init__(self, document: Mapping[str, Any]) -> None:
        self.document = document
        components = mapping_at(document.get("components"), "components")
        self.raw = mapping_at(components.get("schemas"), "components/schemas")
        self._inline: list[str] = []  # references being built inline (cycle guard)

    def component(self, name: str) -> Schema:
        where = f"components/schemas/{name}"
        raw = self.raw[name]
        if isinstance(raw, Mapping) and "$ref" in raw:
            # An alias of another schema: a cycle of aliases has no meaning at all.
            resolve(self.document, raw, where)
        built = self.build(raw, where)
        if isinstance(built, ObjectSchema):
            return _replace(built, name=name)
        if isinstance(built, UnionSchema):
            return _replace(built, name=name, unknown_class=_opt(raw.get("x-unknown-class")))
        return built

    def build(self, node: Any, where: str) -> Schema:
        if isinstance(node, bool):
            return AnySchema() if node else AnySchema(keyword="not")
        node = mapping_at(node, where)
        description = text(node.get("description"))
        if "$ref" in node:
            ref = node["$ref"]
            if isinstance(ref, str) and ref.startswith(_SCHEMA_PREFIX):
                name = ref[len(_SCHEMA_PREFIX) :].replace("~1", "/").replace("~0", "~")
                if name not in self.raw:
                    raise SpecError(f"{where}: $ref {ref!r} points to nothing")
                return RefSchema(name, description=description)
            if ref in self._inline:
                raise SpecError(f"{where}: $ref cycle: {' -> '.join([*self._inline, ref])}")
            self._inline.append(ref)
            try:
                return self.build(resolve(self.document, {"$ref": ref}, where), where)
            finally:
                self._inline.pop()
        variants = node.get("oneOf", node.get("anyOf"))
        if variants is not None:
            return self._union(node, variants, where, description)
        for keyword in ("allOf", "not", "if"):
            if keyword in node:
                return AnySchema(keyword=keyword, description=description)
        kind = node.get("type")
        # `nullable: true` is OpenAPI 3.0's spelling of a null type (older documents).
        nullable = node.get("nullable") is True
        if isinstance(kind, list):
            nullable = nullable or "null" in kind
            others = [k for k in kind if k != "null"]
            if len(others) > 1:
                parts = [self.build({**node, "type": k}, where) for k in others]
                return UnionSchema(tuple(parts), nullable=nullable, description=description)
            kind = others[0] if others else "null"
        if kind == "array":
            items = node.get("items", {})
            return ArraySchema(
                self.build(items, f"{where}/items"),
                nullable=nullable,
                min_items=node.get("minItems"),
                max_items=node.get("maxItems"),
                description=description,
            )
        if kind == "object" or (kind is None and "properties" in node):
            properties = mapping_at(node.get("properties"), f"{where}/properties")
            return ObjectSchema(
                {
                    key: self.build(value, f"{where}/properties/{key}")
                    for key, value in properties.items()
                },
                tuple(str(r) for r in node.get("required") or ()),
                nullable=nullable,
                description=description,
            )
        if kind is None and "const" not in node and "enum" not in node:
            return AnySchema(description=description)
        if kind is None:
            kind = "string"
        if kind not in SCALAR_KINDS:
            raise SpecError(f"{where}: unknown type {kind!r}")
        enum = node.get("enum")
        rules = {key: node[spec_key] for key, spec_key in _SCALAR_RULES if spec_key in node}
        return ScalarSchema(
            str(kind),
            nullable=nullable,
            const=node.get("const"),
            enum=tuple(enum) if isinstance(enum, list) else None,
            default=node.get("default"),
            description=description,
            **rules,
        )

    def _union(
        self, node: Mapping[str, Any], variants: Any, where: str, description: str
    ) -> Schema:
        if not isinstance(variants, list) or not variants:
            raise SpecError(f"{where}: oneOf/anyOf must be a non-empty list")
        is_null = [isinstance(v, Mapping) and v.get("type") == "null" for v in variants]
        rest = [v for v, null in zip(variants, is_null, strict=True) if not null]
        nullable = any(is_null) or node.get("nullable") is True
        if len(rest) == 1 and "discriminator" not in node:
            # [X, null]: X, nullable.
            built = self.build(rest[0], where)
            return _replace(
                built, nullable=nullable or built.nullable, description=description or _desc(built)
            )
        parts = tuple(self.build(v, f"{where}/oneOf/{i}") for i, v in enumerate(rest))
        disc = mapping_at(node.get("discriminator"), f"{where}/discriminator")
        prop = disc.get("propertyName")
        mapping: dict[str, str] = {}
        for value, ref in mapping_at(disc.get("mapping"), f"{where}/discriminator/mapping").items():
            target = ref if str(ref).startswith("#") else _SCHEMA_PREFIX + str(ref)
            if (
                not target.startswith(_SCHEMA_PREFIX)
                or target[len(_SCHEMA_PREFIX) :] not in self.raw
            ):
                raise SpecError(
                    f"{where}: discriminator mapping {value!r}: {ref!r} points to nothing"
                )
            mapping[str(value)] = target[len(_SCHEMA_PREFIX) :]
        return UnionSchema(
            parts,
            discriminator=None if prop is None else str(prop),
            mapping=mapping,
            nullable=nullable,
            description=description,
        )


def _opt(value: Any) -> str | None:
    return None if value is None else str(value)


def _desc(schema: Schema) -> str:
    return schema.description


def _replace(schema: Schema, **changes: Any) -> Schema:
    return replace(schema, **changes)
