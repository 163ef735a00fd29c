"""Check response bodies against the spec and name every departure by its JSON path.

The checking itself is THE one validator of the project, ``chatkit_threads_spec.validate
.problems``, the same the client's strict mode uses: the same bad body gives the same
paths (``$`` is the body, ``$.data[3].type`` a field; a missing field is named by its own
path) and the same messages in strict mode and in the drift report. What this module
adds is what the report needs around it, read from the spec model: which operation a
request path belongs to, the offending value at each path, and the spec schema of the
object a departure is counted in (``ThreadItem`` for a type no variant has,
``UserMessageItem`` for a field of a user message).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import attrs

from chatkit_threads_spec import (
    ArraySchema,
    ObjectSchema,
    Parameter,
    RefSchema,
    Schema,
    Spec,
    UnionSchema,
    load_spec,
)
from chatkit_threads_spec.validate import problems

__all__ = [
    "MISSING",
    "Departure",
    "SpecChecker",
    "fold_path",
    "json_path",
]


class _Missing:
    __slots__ = ()

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()
"""The value of a departure whose field is absent from the body."""

_INDEX = re.compile(r"\[\d+\]")
_STEP = re.compile(r"\[(\d+)\]|\.")


@attrs.frozen
class Departure:
    """One place where a body departs from the spec."""

    path: str
    """Concrete JSON path, e.g. ``$.data[3].type``."""
    parts: tuple[str | int, ...]
    """The same path as keys and indices, e.g. ``("data", 3, "type")``."""
    problem: str
    """What is wrong, in the validator's words."""
    value: Any
    """The offending value as received (``MISSING`` for an absent field)."""
    schema: str
    """The spec schema of the object the departure is counted in, e.g. ``ThreadItem``."""
    unit: str
    """Concrete path of what the departure is counted in (an object, or an array element)."""


def json_path(parts: Sequence[str | int]) -> str:
    """``["data", 3, "type"]`` -> ``$.data[3].type``."""
    return "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in parts)


def fold_path(path: str) -> str:
    """``$.data[3].content[0].text`` -> ``$.data[*].content[*].text``."""
    return _INDEX.sub("[*]", path)


def _locate(body: Any, path: str) -> tuple[tuple[str | int, ...], Any]:
    """The parts of a validator's path and the value there (``MISSING`` if absent).

    Keys are found in the body itself, so a key holding ``.`` or ``[`` is still one
    key; the longest key that fits wins."""
    parts: list[str | int] = []
    value, rest = body, path.removeprefix("$")
    while rest:
        index = re.match(r"\[(\d+)\]", rest)
        if index is not None and isinstance(value, list):
            position = int(index.group(1))
            parts.append(position)
            value = value[position] if position < len(value) else MISSING
            rest = rest[index.end() :]
            continue
        key = rest[1:] if rest.startswith(".") else rest
        known = [k for k in value if key.startswith(k)] if isinstance(value, dict) else []
        fitting = [k for k in known if key[len(k) :][:1] in ("", ".", "[")]
        if fitting:
            name = max(fitting, key=len)
            value = value[name]
        else:  # absent: the key runs to the next step
            step = _STEP.search(key)
            name = key[: step.start()] if step and step.start() > 0 else key
            value = MISSING
        parts.append(name)
        rest = key[len(name) :]
    return tuple(parts), value


class SpecChecker:
    """Validates response bodies of the spec's operations.

    ``operation_for(path)`` names the operation a request path belongs to (matched
    against the spec's path templates), and ``check(operation_id, body)`` lists the
    body's departures from that operation's 200 response schema.
    """

    def __init__(self, spec: Spec | None = None) -> None:
        self.spec = spec if spec is not None else load_spec()
        self._schemas: dict[str, str] = {}
        self._templates: list[tuple[re.Pattern[str], str]] = []
        for operation in self.spec.operations:
            if operation.method != "GET" or operation.response_schema is None:
                continue
            self._schemas[operation.operation_id] = operation.response_schema
            pattern = "".join(
                "[^/]+" if part.startswith("{") else re.escape(part)
                for part in re.split(r"(\{[^}]+\})", operation.path)
            )
            self._templates.append((re.compile(f"(?:.*)({pattern})"), operation.operation_id))
        # Longest template first: `/threads/{id}/items` before `/threads/{id}`.
        self._templates.sort(key=lambda entry: -len(entry[0].pattern))

    @property
    def operations(self) -> list[str]:
        """The operation ids of the spec's GET operations with a JSON 200 body."""
        return list(self._schemas)

    def parameter(self, name: str) -> Parameter:
        """The first GET operation's query parameter ``name``."""
        for operation in self.spec.operations:
            found = operation.parameter(name) if operation.method == "GET" else None
            if found is not None:
                return found
        raise KeyError(f"no GET operation of the spec has a query parameter {name!r}")

    def list_field(self, operation_id: str) -> str | None:
        """The array property of the operation's response (a listing's entries), if any."""
        schema = self._component(self._schemas[operation_id])
        if not isinstance(schema, ObjectSchema):
            return None
        arrays = [
            name
            for name, field in schema.properties.items()
            if isinstance(self._resolve(field), ArraySchema)
        ]
        return arrays[0] if len(arrays) == 1 else None

    def operation_for(self, path: str) -> str | None:
        """The operation whose path template matches the end of the URL path ``path``."""
        for pattern, operation_id in self._templates:
            if pattern.fullmatch(path):
                return operation_id
        return None

    def check(self, operation_id: str, body: Any) -> list[Departure]:
        """Every departure of ``body`` from the operation's response schema, in order."""
        found: list[Departure] = []
        for problem in problems(self._schemas[operation_id], body, spec=self.spec):
            parts, value = _locate(body, problem.path)
            unit = parts if parts and isinstance(parts[-1], int) else parts[:-1]
            # A union's own property (its discriminator) belongs to the union: a type
            # no variant has is counted in `ThreadItem`, not in a variant it resembles.
            schema = self._schema_name(
                operation_id, body, unit, into_variant=not _is_tag(self, operation_id, body, parts)
            )
            found.append(
                Departure(problem.path, parts, problem.message, value, schema, json_path(unit))
            )
        return found

    # -- naming the schema of a place in a body -----------------------------------

    def _component(self, name: str) -> Schema:
        return self.spec.schemas[name]

    def _resolve(self, node: Schema, names: list[str] | None = None) -> Schema:
        seen: set[str] = set()
        while isinstance(node, RefSchema) and node.name not in seen:
            seen.add(node.name)
            if names is not None:
                names.append(node.name)
            node = self._component(node.name)
        return node

    def _variant(self, node: Schema, instance: Any, names: list[str]) -> Schema:
        """Into the variant of a discriminated union that ``instance`` names, if any."""
        if not isinstance(node, UnionSchema):
            return node
        if node.name is not None and (not names or names[-1] != node.name):
            names.append(node.name)
        tag = instance.get(node.discriminator) if isinstance(instance, dict) else None
        if node.discriminator is None or not isinstance(tag, str):
            return node
        target = node.mapping.get(tag)
        if target is None:  # the spec's spelling minus its namespace: that variant
            spelled = [key for key in node.mapping if key.endswith(f".{tag}")]
            target = node.mapping[spelled[0]] if len(spelled) == 1 else None
        return node if target is None else self._resolve(RefSchema(target), names)

    def _walk(
        self, operation_id: str, body: Any, parts: Sequence[str | int], names: list[str]
    ) -> tuple[Schema | None, Any]:
        node: Schema | None = self._resolve(RefSchema(self._schemas[operation_id]), names)
        instance = body
        for part in parts:
            if node is None:
                break
            node = self._variant(node, instance, names)
            if isinstance(part, int):
                node = node.items if isinstance(node, ArraySchema) else None
                instance = instance[part] if isinstance(instance, list) else None
            else:
                properties = node.properties if isinstance(node, ObjectSchema) else {}
                node = properties.get(part)
                instance = instance.get(part) if isinstance(instance, dict) else None
            node = self._resolve(node, names) if node is not None else None
        return node, instance

    def _schema_name(
        self, operation_id: str, body: Any, unit: Sequence[str | int], *, into_variant: bool
    ) -> str:
        names = [operation_id]
        node, instance = self._walk(operation_id, body, unit, names)
        if node is not None and into_variant:
            self._variant(node, instance, names)
        elif isinstance(node, UnionSchema) and node.name is not None:
            names.append(node.name)
        return names[-1]


def _is_tag(checker: SpecChecker, operation_id: str, body: Any, parts: Sequence[str | int]) -> bool:
    """Whether ``parts`` name a discriminated union's tag whose value no variant has."""
    if not parts or isinstance(parts[-1], int):
        return False
    node, instance = checker._walk(operation_id, body, parts[:-1], [])
    if not isinstance(node, UnionSchema) or node.discriminator != parts[-1]:
        return False
    tag = instance.get(node.discriminator) if isinstance(instance, dict) else None
    return not (isinstance(tag, str) and tag in node.mapping)
