"""Check response bodies against the spec and name every departure by its JSON path.

Everything comes from the OpenAPI document the mock server bundles: each operation's
200 response schema, validated with jsonschema (OpenAPI 3.1 schemas are JSON Schema
2020-12), and the discriminators' mappings, used to go down into the variant a body's
``type`` selects. A union member whose ``type`` the mapping lacks is one departure,
"unknown variant", at ``<path>.type``, instead of one error per variant.

Paths read like the client's strict mode (``ResponseValidationError.paths``): ``$`` is
the body, ``$.data[3].type`` a field, and a missing field is named by its own path.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import Any

import attrs

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
_PROBLEM_VALUE_CHARS = 40
_UNKNOWN_VARIANT = "unknown variant"


@attrs.frozen
class Departure:
    """One place where a body departs from the spec."""

    path: str
    """Concrete JSON path, e.g. ``$.data[3].type``."""
    parts: tuple[str | int, ...]
    """The same path as keys and indices, e.g. ``("data", 3, "type")``."""
    problem: str
    """What is wrong, e.g. ``unknown variant 'user_message'``."""
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


# Exact types, as json.loads makes them (so that true is not an integer).
_JSON_TYPES: dict[type, str] = {
    bool: "boolean",
    int: "integer",
    float: "number",
    str: "string",
    list: "array",
    dict: "object",
    type(None): "null",
}


def _json_type(value: Any) -> str:
    return "missing" if value is MISSING else _JSON_TYPES.get(type(value), type(value).__name__)


def _short(value: Any) -> str:
    text = repr(value)
    if len(text) > _PROBLEM_VALUE_CHARS:
        return text[: _PROBLEM_VALUE_CHARS - 3] + "..."
    return text


class SpecChecker:
    """Validates response bodies of the spec's operations.

    ``operation_for(path)`` names the operation a request path belongs to (matched
    against the spec's path templates), and ``check(operation_id, body)`` lists the
    body's departures from that operation's 200 response schema.
    """

    def __init__(self, spec: dict[str, Any] | None = None) -> None:
        from chatkit_threads_mock.schema import load_spec

        self.spec = spec if spec is not None else load_spec()
        self._schemas: dict[str, dict[str, Any]] = {}
        self._validators: dict[str, Any] = {}
        self._templates: list[tuple[re.Pattern[str], str]] = []
        for template, item in self.spec.get("paths", {}).items():
            operation = item.get("get")
            if not isinstance(operation, dict) or "operationId" not in operation:
                continue
            content = operation.get("responses", {}).get("200", {}).get("content", {})
            schema = content.get("application/json", {}).get("schema")
            if schema is None:
                continue
            operation_id = operation["operationId"]
            self._schemas[operation_id] = schema
            pattern = "".join(
                "[^/]+" if part.startswith("{") else re.escape(part)
                for part in re.split(r"(\{[^}]+\})", template)
            )
            self._templates.append((re.compile(f"(?:.*)({pattern})"), operation_id))
        # Longest template first: `/threads/{id}/items` before `/threads/{id}`.
        self._templates.sort(key=lambda entry: -len(entry[0].pattern))

    @property
    def operations(self) -> list[str]:
        """The operation ids of the spec's GET operations with a JSON 200 body."""
        return list(self._schemas)

    def parameter(self, name: str) -> dict[str, Any]:
        """The schema of the first GET operation's query parameter ``name`` (resolved)."""
        for item in self.spec.get("paths", {}).values():
            operation = item.get("get")
            for parameter in operation.get("parameters", []) if isinstance(operation, dict) else []:
                parameter = self._resolve(parameter)
                if parameter.get("name") == name and parameter.get("in") == "query":
                    schema: dict[str, Any] = self._resolve(parameter.get("schema", {}))
                    return schema
        raise KeyError(f"no GET operation of the spec has a query parameter {name!r}")

    def list_field(self, operation_id: str) -> str | None:
        """The array property of the operation's response (a listing's entries), if any."""
        schema = self._resolve(self._schemas[operation_id])
        arrays = [
            name
            for name, field in schema.get("properties", {}).items()
            if self._resolve(field).get("type") == "array"
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
        validator = self._validators.get(operation_id)
        if validator is None:
            from chatkit_threads_mock.schema import schema_validator

            validator = schema_validator(self._schemas[operation_id], self.spec)
            self._validators[operation_id] = validator
        found: dict[tuple[str, str], Departure] = {}
        for error in validator.iter_errors(body):
            for parts, problem, value in self._explain(error):
                path = json_path(parts)
                if (path, problem) not in found:
                    unit = parts if parts and isinstance(parts[-1], int) else parts[:-1]
                    # An unknown variant belongs to the union itself, not to the variant
                    # its spelling resembles.
                    resolve = not problem.startswith(_UNKNOWN_VARIANT)
                    schema = self._schema_name(operation_id, body, unit, resolve_last=resolve)
                    found[path, problem] = Departure(
                        path, tuple(parts), problem, value, schema, json_path(unit)
                    )
        return sorted(found.values(), key=lambda d: _order(d.path))

    # -- explaining jsonschema's errors -------------------------------------------

    def _explain(self, error: Any) -> Iterator[tuple[list[str | int], str, Any]]:
        parts: list[str | int] = list(error.absolute_path)
        kind, schema, instance = error.validator, error.schema, error.instance
        if kind in ("oneOf", "anyOf"):
            yield from self._explain_union(error, parts)
        elif kind == "required":
            for name in schema.get("required", []):
                if isinstance(instance, dict) and name not in instance:
                    yield [*parts, name], "required field is missing", MISSING
        elif kind == "additionalProperties":
            known = set(schema.get("properties", {}))
            patterns = [re.compile(p) for p in schema.get("patternProperties", {})]
            for name, value in instance.items():
                if name not in known and not any(p.search(name) for p in patterns):
                    yield [*parts, name], "field not in the spec", value
        elif kind == "type":
            expected = error.validator_value
            names = " or ".join(expected) if isinstance(expected, list) else expected
            yield parts, f"expected {names}, got {_json_type(instance)}", instance
        elif kind == "const":
            yield parts, f"expected {error.validator_value!r}, got {_short(instance)}", instance
        elif kind == "enum":
            allowed = ", ".join(str(v) for v in error.validator_value)
            yield parts, f"expected one of {allowed}, got {_short(instance)}", instance
        else:
            yield parts, f"violates {kind} {_short(error.validator_value)}", instance

    def _explain_union(
        self, error: Any, parts: list[str | int]
    ) -> Iterator[tuple[list[str | int], str, Any]]:
        schema, instance = error.schema, error.instance
        branches = schema.get(error.validator, [])
        branch_errors: dict[int, list[Any]] = {}
        for sub in error.context or ():
            branch_errors.setdefault(sub.schema_path[0], []).append(sub)
        discriminator = schema.get("discriminator")
        if isinstance(discriminator, dict) and not isinstance(instance, dict):
            yield parts, f"expected object, got {_json_type(instance)}", instance
            return
        if isinstance(discriminator, dict):
            name = discriminator["propertyName"]
            if name not in instance:
                yield [*parts, name], "required field is missing", MISSING
                return
            value = instance[name]
            target = self._variant(discriminator, branches, value)
            if target is not None:
                for sub in branch_errors.get(target, []):
                    yield from self._explain(sub)
                return
            yield [*parts, name], f"{_UNKNOWN_VARIANT} {_short(value)}", value
            # A known variant's name without its namespace (`user_message` for
            # `chatkit.user_message`): the rest of the object is still checked against
            # that variant, as strict mode does, so its other departures show too.
            resembled = self._variant(discriminator, branches, value, loose=True)
            for sub in branch_errors.get(resembled, []) if resembled is not None else []:
                if list(sub.absolute_path) != [*parts, name]:
                    yield from self._explain(sub)
            return
        if not branch_errors:
            yield parts, "matches more than one alternative", instance
            return
        # The alternatives of the instance's JSON type (an object, not the `null` of a
        # nullable reference) say what is wrong; pick one if exactly one is left.
        fitting = [
            index
            for index, errors in branch_errors.items()
            if not any(e.validator == "type" and not e.relative_path for e in errors)
        ]
        if len(fitting) == 1:
            for sub in branch_errors[fitting[0]]:
                yield from self._explain(sub)
            return
        root_types = [
            e.validator_value
            for errors in branch_errors.values()
            for e in errors
            if e.validator == "type" and not e.relative_path
        ]
        if not fitting and len(root_types) == len(branch_errors):
            # Not even the JSON type of any alternative: say which types would do.
            expected: list[str] = []
            for value in root_types:
                for name in value if isinstance(value, list) else [value]:
                    if name not in expected:
                        expected.append(name)
            yield parts, f"expected {' or '.join(expected)}, got {_json_type(instance)}", instance
            return
        yield parts, f"matches none of {len(branches)} alternatives", instance

    def _variant(
        self, discriminator: dict[str, Any], branches: list[Any], value: Any, *, loose: bool = False
    ) -> int | None:
        """The index of the branch the discriminator selects for ``value``, if any.

        ``loose`` also accepts the one mapping key that is ``value`` with a namespace
        prefix (``chatkit.user_message`` for ``user_message``).
        """
        if not isinstance(value, str):
            return None
        mapping = discriminator.get("mapping", {})
        ref = mapping.get(value)
        if ref is None and loose and value:
            spelled = [key for key in mapping if key.endswith(f".{value}")]
            ref = mapping[spelled[0]] if len(spelled) == 1 else None
        if ref is None and not mapping:
            # OpenAPI's implicit mapping: the value names the component schema.
            ref = f"#/components/schemas/{value}"
        for index, branch in enumerate(branches):
            if isinstance(branch, dict) and branch.get("$ref") == ref:
                return index
        return None

    # -- naming the schema of a place in a body -----------------------------------

    def _resolve(self, node: Any, names: list[str] | None = None) -> Any:
        while isinstance(node, dict) and isinstance(node.get("$ref"), str):
            ref = node["$ref"]
            if names is not None:
                names.append(ref.rsplit("/", 1)[-1])
            target: Any = self.spec
            for key in ref.removeprefix("#/").split("/"):
                target = target[key.replace("~1", "/").replace("~0", "~")]
            node = target
        return node

    def _select(self, node: Any, instance: Any, names: list[str]) -> Any:
        """Go into the alternative of a union that ``instance`` belongs to, if known."""
        for keyword in ("oneOf", "anyOf"):
            branches = node.get(keyword) if isinstance(node, dict) else None
            if not isinstance(branches, list):
                continue
            discriminator = node.get("discriminator")
            if isinstance(discriminator, dict) and isinstance(instance, dict):
                index = self._variant(
                    discriminator,
                    branches,
                    instance.get(discriminator["propertyName"]),
                    loose=True,
                )
                if index is None:
                    return node
                return self._resolve(branches[index], names)
            for branch in branches:
                resolved = self._resolve(branch)
                types = resolved.get("type") if isinstance(resolved, dict) else None
                if types is None or _json_type(instance) in (
                    types if isinstance(types, list) else [types]
                ):
                    return self._resolve(branch, names)
        return node

    def _schema_name(
        self, operation_id: str, body: Any, parts: Sequence[str | int], *, resolve_last: bool
    ) -> str:
        names = [operation_id]
        node = self._resolve(self._schemas[operation_id], names)
        instance = body
        for part in parts:
            node = self._select(node, instance, names)
            if isinstance(part, int):
                node = node.get("items", {}) if isinstance(node, dict) else {}
                instance = instance[part] if isinstance(instance, list) else None
            else:
                properties = node.get("properties", {}) if isinstance(node, dict) else {}
                node = properties.get(part, {})
                instance = instance.get(part) if isinstance(instance, dict) else None
            node = self._resolve(node, names)
        if resolve_last:
            self._select(node, instance, names)
        return names[-1]


def _order(path: str) -> list[tuple[int, str]]:
    # Document order: indices compare as numbers (zero-padded), before names.
    return [(0, p.zfill(12)) if p.isdigit() else (1, p) for p in re.split(r"[.\[\]]+", path) if p]
