"""The OpenAPI document and JSON Schema validators built from it.

The mock carries the OpenAPI document as `chatkit-threads.yaml` (a symlink to
`openapi/` in the source tree, a copy in a built wheel), so it checks the data it is
given (fixtures) against the same spec it implements. The contract suite, which
depends on the mock, reads the spec through this module too.
"""

from __future__ import annotations

import functools
import importlib.resources
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = [
    "SPEC_PATH",
    "Operation",
    "Parameter",
    "Resource",
    "base_path",
    "component_validator",
    "list_object",
    "load_spec",
    "operations",
    "resources",
    "schema_validator",
]

SPEC_PATH = Path(str(importlib.resources.files(__package__).joinpath("chatkit-threads.yaml")))
"""Path of the OpenAPI document this package was built with."""


@functools.cache
def _load_cached(path: str) -> dict[str, Any]:
    # Imported here: only fixtures and the contract suite need PyYAML.
    import yaml

    with open(path, encoding="utf-8") as handle:
        # The C loader when PyYAML has it: the mock reads the spec at import.
        document = yaml.load(handle, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    if not isinstance(document, dict):
        raise ValueError(f"{path}: not an OpenAPI document (top level is not a mapping)")
    return document


def load_spec(path: Path | str | None = None) -> dict[str, Any]:
    """Return the parsed OpenAPI document (cached; treat it as read-only)."""
    return _load_cached(str(path or SPEC_PATH))


def schema_validator(
    schema: dict[str, Any], spec: dict[str, Any] | None = None, *, check_formats: bool = False
) -> Any:
    """A JSON Schema 2020-12 validator for `schema` that resolves `#/components/...`.

    OpenAPI 3.1 schemas are JSON Schema 2020-12, so the stock validator applies once
    local references resolve against the whole document. With `check_formats`,
    `format` is asserted too (`uri`, `date-time`, ...), not only annotated.
    """
    from jsonschema import Draft202012Validator
    from referencing import Registry
    from referencing.jsonschema import DRAFT202012

    document = spec if spec is not None else load_spec()
    # The schema is placed inside a copy of the document so that both its own
    # `#/components/...` references and the document's resolve.
    root = dict(document, __schema__=schema)
    wrapped = {"$ref": "urn:chatkit-threads#/__schema__"}
    registry: Registry[Any] = Registry().with_resource(
        "urn:chatkit-threads", DRAFT202012.create_resource(root)
    )
    if not check_formats:
        return Draft202012Validator(wrapped, registry=registry)
    checker = Draft202012Validator.FORMAT_CHECKER
    if "uri" not in checker.checkers:
        # jsonschema silently skips a format whose checking library is missing.
        raise ImportError("checking `format: uri` needs rfc3986-validator (pip install '.[mock]')")
    return Draft202012Validator(wrapped, registry=registry, format_checker=checker)


def component_validator(name: str, *, check_formats: bool = False) -> Any:
    """A validator for `#/components/schemas/<name>` of the bundled spec."""
    return schema_validator({"$ref": f"#/components/schemas/{name}"}, check_formats=check_formats)


@dataclass(frozen=True)
class Parameter:
    """One parameter of an operation, with its schema's `$ref`s resolved."""

    name: str
    location: str
    """`query`, `header` or `path`."""
    required: bool
    schema: dict[str, Any]

    # Cached, like `Operation._by_location`: the mock reads them on every request.
    @functools.cached_property
    def default(self) -> Any:
        """The schema's `default`: the value of a parameter not sent (None if none)."""
        return self.schema.get("default")

    @functools.cached_property
    def empty_means_absent(self) -> bool:
        """Whether an empty value means "not sent" (`after=`: no cursor).

        An empty value is allowed by a plain string schema; where the schema refuses one
        (an enum, a minLength) it stays an error.
        """
        schema = self.schema
        return (
            schema.get("type") == "string" and "enum" not in schema and not schema.get("minLength")
        )


@dataclass(frozen=True)
class Operation:
    """One operation of the spec: what the mock routes and checks requests by."""

    operation_id: str
    method: str
    """Upper case, e.g. `GET`."""
    path: str
    """As the spec writes it, e.g. `/chatkit/threads/{thread_id}` (Starlette's syntax too)."""
    parameters: tuple[Parameter, ...]
    response_object: str | None = None
    """The `object` constant of its success response (`chatkit.thread.deleted`, `list`)."""
    paginated: bool = False
    """Whether its success response is a page (has `has_more`)."""

    def parameters_in(self, location: str) -> tuple[Parameter, ...]:
        """The operation's parameters sent in `location` (`query`, `header`, `path`)."""
        return self._by_location.get(location, ())

    @functools.cached_property
    def _by_location(self) -> dict[str, tuple[Parameter, ...]]:
        # Cached: the mock asks for an operation's query parameters on every request.
        found: dict[str, tuple[Parameter, ...]] = {}
        for parameter in self.parameters:
            found[parameter.location] = (*found.get(parameter.location, ()), parameter)
        return found


_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def operations(spec: dict[str, Any] | None = None) -> tuple[Operation, ...]:
    """Every operation of the spec, in document order."""
    document = spec if spec is not None else load_spec()
    found = []
    for path, item in document.get("paths", {}).items():
        shared = item.get("parameters", [])
        for method in _METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            # An operation's own parameter replaces the path's of the same name and place.
            merged: dict[tuple[str, str], Parameter] = {}
            for raw in [*shared, *operation.get("parameters", [])]:
                parameter = _resolve(document, raw)
                merged[parameter["name"], parameter["in"]] = Parameter(
                    name=parameter["name"],
                    location=parameter["in"],
                    required=bool(parameter.get("required", False)),
                    schema=_resolve(document, parameter.get("schema", {})),
                )
            found.append(
                Operation(
                    operation["operationId"],
                    method.upper(),
                    path,
                    tuple(merged.values()),
                    *_response_facts(document, operation),
                )
            )
    return tuple(found)


@dataclass(frozen=True)
class Resource:
    """A kind of object the spec's GET operations return (a page's entries included)."""

    object: str
    """Its `object` value, e.g. `chatkit.thread`."""
    schema: dict[str, Any]
    """Its schema as the spec writes it (a `$ref`)."""
    parent: str | None
    """The path parameter of the listing it belongs to (`thread_id`), or None."""


def resources(spec: dict[str, Any] | None = None) -> dict[str, Resource]:
    """The spec's resources by `object` value, in document order."""
    document = spec if spec is not None else load_spec()
    found: dict[str, Resource] = {}
    for operation in operations(document):
        if operation.method != "GET":
            continue
        raw = _success_schema(document, _raw_operation(document, operation), resolve=False)
        if raw is None:
            continue
        parent = None
        if operation.paginated:
            raw = _resolve(document, raw)["properties"]["data"]["items"]
            path_parameters = operation.parameters_in("path")
            parent = path_parameters[0].name if len(path_parameters) == 1 else None
        kind = _object_const(document, raw)
        if kind is not None and kind not in found:
            found[kind] = Resource(kind, raw, parent)
    return found


def list_object(spec: dict[str, Any] | None = None) -> str:
    """The `object` of the spec's list envelopes (that of a paginated operation's answer)."""
    for operation in operations(spec):
        if operation.paginated and operation.response_object is not None:
            return operation.response_object
    raise ValueError("the spec has no paginated operation (no answer with `has_more`)")


def _raw_operation(document: dict[str, Any], operation: Operation) -> dict[str, Any]:
    raw: dict[str, Any] = document["paths"][operation.path][operation.method.lower()]
    return raw


def _success_schema(
    document: dict[str, Any], operation: dict[str, Any], *, resolve: bool = True
) -> dict[str, Any] | None:
    for status, response in operation.get("responses", {}).items():
        if str(status).startswith("2"):
            content = _resolve(document, response).get("content", {})
            schema = content.get("application/json", {}).get("schema")
            if schema is None:
                return None
            return _resolve(document, schema) if resolve else dict(schema)
    return None


def _object_const(document: dict[str, Any], schema: dict[str, Any]) -> str | None:
    """The `object` constant of a schema, or the one all the variants of a union share."""
    resolved = _resolve(document, schema)
    variants = resolved.get("oneOf") or resolved.get("anyOf")
    if variants:
        values = {_object_const(document, variant) for variant in variants}
        return values.pop() if len(values) == 1 else None
    field = resolved.get("properties", {}).get("object")
    value = None if field is None else _resolve(document, field).get("const")
    return None if value is None else str(value)


def _response_facts(document: dict[str, Any], operation: dict[str, Any]) -> tuple[str | None, bool]:
    """The success response's `object` constant, and whether it is a page."""
    schema = _success_schema(document, operation) or {}
    return _object_const(document, schema), "has_more" in schema.get("properties", {})


def base_path(spec: dict[str, Any] | None = None) -> str:
    """The path of the spec's first server URL (`/v1`), under which operations live."""
    from urllib.parse import urlsplit

    document = spec if spec is not None else load_spec()
    servers = document.get("servers") or [{"url": "/"}]
    return str(urlsplit(servers[0]["url"]).path).rstrip("/")


def _resolve(document: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    """`node` with a local `$ref` (and the refs it leads to) followed."""
    seen = set()
    while "$ref" in node:
        ref = node["$ref"]
        if ref in seen or not ref.startswith("#/"):
            raise ValueError(f"cannot resolve $ref {ref!r} in the spec")
        seen.add(ref)
        target: Any = document
        for part in ref[2:].split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        node = target
    return node
