"""The schema nodes of the spec model: what a JSON value may be.

A component schema (``#/components/schemas/Name``) is referred to by name
(``RefSchema``), never copied, so the model stays small, finite for recursive schemas,
and says which named type a value is. ``[X, null]`` (as a type list or a ``oneOf`` with
``type: null``) is ``X`` with ``nullable=True``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeAlias

from ._record import EMPTY, record

__all__ = [
    "SCALAR_KINDS",
    "AnySchema",
    "ArraySchema",
    "ObjectSchema",
    "RefSchema",
    "ScalarSchema",
    "Schema",
    "UnionSchema",
]

SCALAR_KINDS = ("string", "integer", "number", "boolean", "null")
"""The JSON Schema types a ``ScalarSchema`` has."""


@record()
class ScalarSchema:
    """A string, integer, number, boolean (or null) with its rules."""

    kind: str
    """``string``, ``integer``, ``number``, ``boolean`` or ``null``."""
    nullable: bool = False
    const: Any = None
    """The one value allowed (``const``), or ``None``."""
    enum: tuple[Any, ...] | None = None
    default: Any = None
    minimum: float | None = None
    maximum: float | None = None
    min_length: int | None = None
    max_length: int | None = None
    pattern: str | None = None
    format: str | None = None
    description: str = ""

    @property
    def single_value(self) -> Any:
        """The one value allowed (``const``, or an ``enum`` of one), else ``None``."""
        if self.const is not None:
            return self.const
        return self.enum[0] if self.enum is not None and len(self.enum) == 1 else None


@record()
class ObjectSchema:
    """A JSON object: its properties (in the spec's order) and which are required.

    Without properties it is a free-form object (any JSON object)."""

    properties: Mapping[str, Schema] = EMPTY
    required: tuple[str, ...] = ()
    nullable: bool = False
    name: str | None = None
    """The component name, for a ``#/components/schemas`` entry."""
    description: str = ""


@record()
class ArraySchema:
    """A JSON array whose every element is ``items``."""

    items: Schema
    nullable: bool = False
    min_items: int | None = None
    max_items: int | None = None
    description: str = ""


@record()
class UnionSchema:
    """A ``oneOf``/``anyOf``; discriminated when ``discriminator`` names the property
    whose value picks the variant (``mapping``: value -> component schema name, as the
    document's ``discriminator.mapping`` writes it; variants it leaves out are not
    inferred)."""

    variants: tuple[Schema, ...]
    discriminator: str | None = None
    mapping: Mapping[str, str] = EMPTY
    nullable: bool = False
    name: str | None = None
    unknown_class: str | None = None
    """``x-unknown-class``: the client's model for variants the spec does not know."""
    description: str = ""


@record()
class RefSchema:
    """The component schema ``name`` (a ``$ref`` to ``#/components/schemas/name``)."""

    name: str
    nullable: bool = False
    description: str = ""


@record()
class AnySchema:
    """Any JSON value (no ``type``, or a construct the model does not break down,
    such as ``allOf`` or ``not``: ``keyword`` names it)."""

    keyword: str | None = None
    nullable: bool = True
    description: str = ""


Schema: TypeAlias = ScalarSchema | ObjectSchema | ArraySchema | UnionSchema | RefSchema | AnySchema
"""Any schema node of the model."""
