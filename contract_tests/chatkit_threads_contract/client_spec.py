"""The spec side of the client contract: what a request may be, and what to call with.

Everything comes from the spec model (`chatkit_threads_spec`): the operations, the client
method of each (`x-python-method`), the parameters with their rules, and the success
schema of each answer. A request the client sent is judged with the spec's own rules
(`chatkit_threads_spec.rules`), read as a server reads it; arguments are drawn from the
same rules, near their bounds and just outside them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, unquote

import httpx
from hypothesis import strategies as st

from chatkit_threads_spec import (
    ArraySchema,
    ObjectSchema,
    Operation,
    Parameter,
    RefSchema,
    ScalarSchema,
    Schema,
    Spec,
    UnionSchema,
    load_spec,
)
from chatkit_threads_spec.rules import ParameterError, broken_rule, parse_query

__all__ = [
    "ClientOperation",
    "client_operations",
    "minimal_body",
    "spec_operations",
    "validate_request",
]


def spec_operations() -> dict[str, Operation]:
    """Every operation of the spec by operation id."""
    return {operation.operation_id: operation for operation in load_spec().operations}


def _wire_text(value: Any) -> str:
    """How a query argument is spelled on the wire (JSON spelling for booleans)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _rule_problem(where: str, param: Parameter, value: Any) -> list[str]:
    rule = broken_rule(param, value)
    return [] if rule is None else [f"{where}={value!r} breaks the spec's {rule} rule"]


def _path_problems(operation: Operation, relative: str, arguments: dict[str, Any]) -> list[str]:
    # Each `{name}` matches exactly one path segment.
    parts = re.split(r"\{(\w+)\}", operation.path)
    pattern = "".join(
        f"(?P<{part}>[^/]+)" if index % 2 else re.escape(part) for index, part in enumerate(parts)
    )
    matched = re.fullmatch(pattern, relative)
    if matched is None:
        return [f"path {relative!r} does not match {operation.path}"]
    problems: list[str] = []
    by_name = {param.name: param for param in operation.path_params}
    for name, raw in matched.groupdict().items():
        value = unquote(raw)
        param = by_name[name]
        problems += _rule_problem(f"path parameter {name}", param, value)
        given = arguments.get(param.python_name)
        if value != given:
            problems.append(f"path parameter {name} is {value!r}, the call gave {given!r}")
    return problems


def validate_request(
    operation: Operation,
    request: httpx.Request,
    *,
    base_url: str,
    api_key: str,
    arguments: dict[str, Any],
) -> list[str]:
    """Everything in `request` that the spec (or the caller's `arguments`) does not allow."""
    problems: list[str] = []
    if request.method != operation.method:
        problems.append(f"method {request.method}, the spec says {operation.method}")
    base_path = httpx.URL(base_url).raw_path.decode("ascii").rstrip("/")
    raw_path = request.url.raw_path.decode("ascii").partition("?")[0]
    if not raw_path.startswith(base_path + "/"):
        return [*problems, f"path {raw_path!r} is not under the base URL's {base_path!r}"]
    problems += _path_problems(operation, raw_path[len(base_path) :], arguments)
    sent: dict[str, str] = {}
    query = {param.name: param for param in operation.query}
    for name, raw in parse_qsl(request.url.query.decode("ascii"), keep_blank_values=True):
        if name in sent:
            problems.append(f"query parameter {name} sent twice")
        sent[name] = raw
        param = query.get(name)
        if param is None:
            problems.append(f"query parameter {name} is not in the spec")
            continue
        try:
            parse_query(param, raw)
        except ParameterError as error:
            problems.append(f"query parameter {name}={raw!r}: {error.message}")
    expected = {
        param.name: _wire_text(arguments[param.python_name])
        for param in operation.query
        if arguments.get(param.python_name) is not None
    }
    if sent != expected:
        problems.append(f"query {sent} does not carry the call's arguments {expected}")
    for param in operation.parameters_in("header"):
        value = request.headers.get(param.name)
        if value is None:
            if param.required:
                problems.append(f"required header {param.name} is missing")
            continue
        problems += _rule_problem(f"header {param.name}", param, value)
    authorization = request.headers.get("Authorization")
    if authorization != f"Bearer {api_key}":
        shown = "missing" if authorization is None else "not 'Bearer <the client's key>'"
        problems.append(f"Authorization header is {shown}")
    if request.content:
        problems.append(f"a {request.method} request carries a body ({len(request.content)} bytes)")
    return problems


# ------------------------------------------------------------------------- arguments


@dataclass(frozen=True)
class ClientOperation:
    """How to call one operation on the client, and which arguments to try."""

    call: Callable[[Any, dict[str, Any]], Any]
    valid_arguments: st.SearchStrategy[dict[str, Any]]
    invalid_arguments: st.SearchStrategy[dict[str, Any]]
    fixed_arguments: dict[str, Any]
    """What a response check calls with: the served body is what is under test."""


def _valid_path_value(param: Parameter) -> st.SearchStrategy[str]:
    # Spec-valid and usable as one path segment.
    return st.text(min_size=max(1, param.min_length or 0), max_size=40).filter(
        lambda s: "/" not in s and s not in (".", "..")
    )


def _invalid_path_value() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(["", "/", ".", ".."]),
        st.tuples(st.text(max_size=10), st.text(max_size=10)).map(lambda parts: "/".join(parts)),
    )


def _bound(value: float | None) -> int | None:
    return None if value is None else int(value)


def _valid_value(param: Parameter) -> st.SearchStrategy[Any]:
    """Values the parameter's rules allow (drawn near its bounds too)."""
    if param.enum is not None:
        return st.sampled_from(list(param.enum))
    if param.kind == "integer":
        return st.integers(_bound(param.minimum), _bound(param.maximum))
    if param.kind == "number":
        return st.floats(param.minimum, param.maximum, allow_nan=False, allow_infinity=False)
    if param.kind == "boolean":
        return st.booleans()
    low, high = param.min_length or 0, param.max_length
    texts = st.text(min_size=low, max_size=max(low, min(30, high if high is not None else 30)))
    return texts if high is None else texts | st.just("u" * high)


def _invalid_values(param: Parameter) -> list[st.SearchStrategy[Any]]:
    """Values of the right type that the parameter's enum or bounds forbid."""
    wrong: list[st.SearchStrategy[Any]] = []
    if param.enum is not None:
        allowed = list(param.enum)
        wrong.append(st.text(max_size=10).filter(lambda v: v not in allowed))
    if param.kind == "integer":
        if param.minimum is not None:
            wrong.append(st.integers(max_value=int(param.minimum) - 1))
        if param.maximum is not None:
            wrong.append(st.integers(min_value=int(param.maximum) + 1))
    if param.kind == "string" and param.enum is None:
        if param.min_length:
            wrong.append(st.text(max_size=param.min_length - 1))
        if param.max_length is not None:
            high = param.max_length
            wrong.append(st.integers(high + 1, high + 40).map(lambda n: "u" * n))
    return wrong


def _with(
    base: st.SearchStrategy[dict[str, Any]], name: str, values: st.SearchStrategy[Any]
) -> st.SearchStrategy[dict[str, Any]]:
    return st.tuples(base, values).map(lambda pair: {**pair[0], name: pair[1]})


def client_operations() -> dict[str, ClientOperation]:
    """How to call every operation of the spec, and which arguments to try, from the
    spec's own parameters (a parameter added to the spec is exercised too)."""
    found: dict[str, ClientOperation] = {}
    for operation_id, operation in spec_operations().items():
        path = operation.path_params
        query = operation.query
        valid_path = st.fixed_dictionaries({p.python_name: _valid_path_value(p) for p in path})
        valid_query = st.fixed_dictionaries(
            {p.python_name: st.none() | _valid_value(p) for p in query}
        )
        valid = st.tuples(valid_path, valid_query).map(lambda pair: {**pair[0], **pair[1]})
        invalid = [_with(valid_path, p.python_name, _invalid_path_value()) for p in path]
        for param in query:
            invalid += [_with(valid_path, param.python_name, bad) for bad in _invalid_values(param)]
        found[operation_id] = ClientOperation(
            call=_caller(operation),
            valid_arguments=valid,
            invalid_arguments=st.one_of(invalid) if invalid else st.nothing(),
            fixed_arguments={p.python_name: "cthr_contract" for p in path},
        )
    return found


def _caller(operation: Operation) -> Callable[[Any, dict[str, Any]], Any]:
    method = operation.method_name or ""
    path_names = [param.python_name for param in operation.path_params]

    def call(threads: Any, args: dict[str, Any]) -> Any:
        positional = [args[name] for name in path_names]
        keywords = {k: v for k, v in args.items() if k not in path_names}
        return getattr(threads, method)(*positional, **keywords)

    return call


# ---------------------------------------------------------------------------- bodies


def _minimal(schema: Schema, spec: Spec) -> Any:
    """The smallest value the schema allows: required properties only, first choices."""
    if isinstance(schema, RefSchema):
        return _minimal(spec.schema(schema.name), spec)
    if isinstance(schema, UnionSchema):
        return _minimal(schema.variants[0], spec)
    if isinstance(schema, ObjectSchema):
        return {k: _minimal(schema.properties[k], spec) for k in schema.required}
    if isinstance(schema, ArraySchema):
        return []
    if isinstance(schema, ScalarSchema):
        if schema.const is not None:
            return schema.const
        if schema.enum:
            return schema.enum[0]
        if schema.nullable or schema.kind == "null":
            return None
        smallest = max(schema.minimum or 1, 1)
        return {
            "string": "x" * (schema.min_length or 1),
            "integer": int(smallest),
            "number": smallest,
            "boolean": True,
        }.get(schema.kind)
    return None


def minimal_body(operation_id: str) -> Any:
    """A minimal spec-valid answer of an operation, for the request checks (the request
    is under test, not the body)."""
    spec = load_spec()
    name = spec.operation(operation_id).response_schema
    return None if name is None else _minimal(spec.schema(name), spec)
