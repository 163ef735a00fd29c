"""Run the client contract: the public client `chatkit_threads` against the spec, in memory.

Nothing goes over the network: every call of the client is answered by an
`httpx.MockTransport`, which also records the request the client sent. Per operation:

- responses generated from the operation's 200 schema (`responses.response_strategy`)
  parse, leniently and in strict mode, and the parsed model's `to_dict()` gives back the
  very JSON that was served;
- the request the client sends for generated spec-valid arguments validates against the
  spec (method, path and its parameter, every query parameter against its schema,
  `Authorization: Bearer <key>`, the `OpenAI-Beta` header) and carries exactly the
  arguments given;
- spec-invalid arguments (a query parameter outside its enum or bounds, an empty, `/`,
  `.` or `..` path parameter) raise before any request reaches the transport.

The operations, the client method of each (`x-python-method`), the arguments tried and the
minimal bodies all come from the spec, so a parameter or operation added there is tested
without a change here.

Results go into a `ContractReport` under the suite name `client`.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, unquote

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st

from .report import CheckFailure, ContractReport
from .responses import response_strategy
from .spec import load_spec, schema_validator

__all__ = [
    "CLIENT_CHECKS",
    "ClientContractOptions",
    "run_client_contract",
    "validate_request",
]

SUITE = "client"
API_KEY = "sk-contract-client"
BASE_URL = "https://chatkit.contract.invalid/v1"
"""Never contacted: the in-memory transport answers every request."""

CLIENT_CHECKS: tuple[str, ...] = (
    "client_parses_response",
    "client_parses_response_strict",
    "client_round_trips_response",
    "client_request_conforms",
    "client_refuses_invalid_arguments",
)
"""The client contract's checks, in the order the summary lists them."""

RESPONSE_CHECKS = CLIENT_CHECKS[:3]
# A failing body or call is shown up to this many characters in the report.
SHOWN_CHARS = 600


@dataclass
class ClientContractOptions:
    """What to test and how hard; mirrors the command's options."""

    max_examples: int = 25
    seed: int | None = None
    operations: tuple[str, ...] = field(default_factory=lambda: tuple(spec_operations()))
    checks: tuple[str, ...] = CLIENT_CHECKS
    client_factory: Callable[..., Any] | None = None
    """`(transport, *, strict) -> client`; default: `chatkit_threads.ChatKit` over the transport.
    Lets the project's own tests show that the checks catch a broken client."""


# --------------------------------------------------------------------------- the spec side


@dataclass(frozen=True)
class SpecOperation:
    """One operation as the spec declares it."""

    operation_id: str
    method: str
    path: str
    parameters: dict[tuple[str, str], dict[str, Any]]
    """(location, name) -> the parameter object, with `$ref`s resolved."""
    python_method: str = ""
    """The client method (the spec's `x-python-method`)."""

    @property
    def label(self) -> str:
        return f"{self.method} {self.path}"


def _resolve(node: dict[str, Any], spec: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        _, _, section, name = str(node["$ref"]).split("/", 3)
        node = spec["components"][section][name]
    return node


def spec_operations() -> dict[str, SpecOperation]:
    """Every operation of the spec by operation id."""
    spec = load_spec()
    found: dict[str, SpecOperation] = {}
    for path, item in spec["paths"].items():
        shared = [_resolve(p, spec) for p in item.get("parameters", [])]
        for method, operation in item.items():
            if method == "parameters":
                continue
            own = [_resolve(p, spec) for p in operation.get("parameters", [])]
            parameters = {(p["in"], p["name"]): p for p in [*shared, *own]}
            found[operation["operationId"]] = SpecOperation(
                operation["operationId"],
                method.upper(),
                path,
                parameters,
                str(operation.get("x-python-method", "")),
            )
    return found


def _coerce(raw: str, schema: dict[str, Any]) -> Any:
    """A query or path value as the schema's type reads it (HTTP sends only strings)."""
    kind = schema.get("type")
    if kind == "integer" and re.fullmatch(r"-?[0-9]+", raw):
        return int(raw)
    if kind == "number":
        try:
            return float(raw)
        except ValueError:
            return raw
    if kind == "boolean" and raw in ("true", "false"):
        return raw == "true"
    return raw


def _wire_text(value: Any) -> str:
    """How a query argument is spelled on the wire (JSON spelling for booleans)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _schema_problems(where: str, value: Any, schema: dict[str, Any]) -> list[str]:
    return [
        f"{where}={value!r}: {error.message}"
        for error in schema_validator(schema).iter_errors(value)
    ]


def validate_request(
    operation: SpecOperation,
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
    relative = raw_path[len(base_path) :]
    # Each `{name}` matches exactly one path segment.
    parts = re.split(r"\{(\w+)\}", operation.path)
    pattern = "".join(
        f"(?P<{part}>[^/]+)" if index % 2 else re.escape(part) for index, part in enumerate(parts)
    )
    matched = re.fullmatch(pattern, relative)
    if matched is None:
        problems.append(f"path {relative!r} does not match {operation.path}")
    else:
        for name, raw in matched.groupdict().items():
            value = unquote(raw)
            schema = operation.parameters[("path", name)]["schema"]
            problems += _schema_problems(f"path parameter {name}", _coerce(value, schema), schema)
            if value != arguments.get(name):
                problems.append(
                    f"path parameter {name} is {value!r}, the call gave {arguments.get(name)!r}"
                )
    sent: dict[str, str] = {}
    for name, raw in parse_qsl(request.url.query.decode("ascii"), keep_blank_values=True):
        if name in sent:
            problems.append(f"query parameter {name} sent twice")
        sent[name] = raw
        parameter = operation.parameters.get(("query", name))
        if parameter is None:
            problems.append(f"query parameter {name} is not in the spec")
            continue
        problems += _schema_problems(
            f"query parameter {name}", _coerce(raw, parameter["schema"]), parameter["schema"]
        )
    expected = {
        name: _wire_text(value)
        for name, value in arguments.items()
        if value is not None and ("query", name) in operation.parameters
    }
    if sent != expected:
        problems.append(f"query {sent} does not carry the call's arguments {expected}")
    for (location, name), parameter in operation.parameters.items():
        if location != "header":
            continue
        value = request.headers.get(name)
        if value is None:
            if parameter.get("required"):
                problems.append(f"required header {name} is missing")
            continue
        problems += _schema_problems(f"header {name}", value, parameter["schema"])
    authorization = request.headers.get("Authorization")
    if authorization != f"Bearer {api_key}":
        shown = "missing" if authorization is None else "not 'Bearer <the client's key>'"
        problems.append(f"Authorization header is {shown}")
    if request.content:
        problems.append(f"a {request.method} request carries a body ({len(request.content)} bytes)")
    return problems


# ------------------------------------------------------------------------- the client side


@dataclass(frozen=True)
class ClientOperation:
    """How to call one operation on the client, and which arguments to try."""

    call: Callable[[Any, dict[str, Any]], Any]
    valid_arguments: st.SearchStrategy[dict[str, Any]]
    invalid_arguments: st.SearchStrategy[dict[str, Any]]
    fixed_arguments: dict[str, Any]
    """What a response check calls with: the served body is what is under test."""


def _valid_path_value(schema: dict[str, Any]) -> st.SearchStrategy[str]:
    # Spec-valid and usable as one path segment.
    return st.text(min_size=max(1, schema.get("minLength", 0)), max_size=40).filter(
        lambda s: "/" not in s and s not in (".", "..")
    )


def _invalid_path_value() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(["", "/", ".", ".."]),
        st.tuples(st.text(max_size=10), st.text(max_size=10)).map(lambda parts: "/".join(parts)),
    )


def _valid_value(schema: dict[str, Any]) -> st.SearchStrategy[Any]:
    """Values the parameter's schema allows (drawn near its bounds too)."""
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    kind = schema.get("type")
    if kind == "integer":
        return st.integers(schema.get("minimum"), schema.get("maximum"))
    if kind == "number":
        return st.floats(
            schema.get("minimum"), schema.get("maximum"), allow_nan=False, allow_infinity=False
        )
    if kind == "boolean":
        return st.booleans()
    low = schema.get("minLength", 0)
    high = schema.get("maxLength")
    texts = st.text(min_size=low, max_size=max(low, min(30, high if high is not None else 30)))
    return texts if high is None else texts | st.just("u" * high)


def _invalid_values(schema: dict[str, Any]) -> list[st.SearchStrategy[Any]]:
    """Values of the right type that the schema's enum or bounds forbid."""
    wrong: list[st.SearchStrategy[Any]] = []
    if "enum" in schema:
        allowed = list(schema["enum"])
        wrong.append(st.text(max_size=10).filter(lambda v: v not in allowed))
    if schema.get("type") == "integer":
        if "minimum" in schema:
            wrong.append(st.integers(max_value=schema["minimum"] - 1))
        if "maximum" in schema:
            wrong.append(st.integers(min_value=schema["maximum"] + 1))
    if schema.get("type", "string") == "string" and "enum" not in schema:
        if schema.get("minLength", 0) > 0:
            wrong.append(st.text(max_size=schema["minLength"] - 1))
        if "maxLength" in schema:
            high = schema["maxLength"]
            wrong.append(st.integers(high + 1, high + 40).map(lambda n: "u" * n))
    return wrong


def _client_operations() -> dict[str, ClientOperation]:
    """How to call every operation of the spec, and which arguments to try, from the
    spec's own parameters (a parameter added to the spec is exercised too)."""
    spec = load_spec()
    found: dict[str, ClientOperation] = {}
    for operation_id, spec_op in spec_operations().items():
        schemas = {
            key: _resolve(parameter["schema"], spec)
            for key, parameter in spec_op.parameters.items()
        }
        path = [(name, schema) for (loc, name), schema in schemas.items() if loc == "path"]
        query = [(name, schema) for (loc, name), schema in schemas.items() if loc == "query"]
        valid_path = st.fixed_dictionaries({n: _valid_path_value(s) for n, s in path})
        valid_query = st.fixed_dictionaries({n: st.none() | _valid_value(s) for n, s in query})
        valid = st.tuples(valid_path, valid_query).map(lambda pair: {**pair[0], **pair[1]})
        invalid: list[st.SearchStrategy[dict[str, Any]]] = [
            st.tuples(valid_path, _invalid_path_value()).map(
                lambda pair, name=name: {**pair[0], name: pair[1]}  # type: ignore[misc]
            )
            for name, _ in path
        ]
        for name, schema in query:
            invalid += [
                st.tuples(valid_path, bad).map(
                    lambda pair, name=name: {**pair[0], name: pair[1]}  # type: ignore[misc]
                )
                for bad in _invalid_values(schema)
            ]
        found[operation_id] = ClientOperation(
            call=_caller(spec_op, [n for n, _ in path]),
            valid_arguments=valid,
            invalid_arguments=st.one_of(invalid) if invalid else st.nothing(),
            fixed_arguments={n: "cthr_contract" for n, _ in path},
        )
    return found


def _caller(spec_op: SpecOperation, path_names: list[str]) -> Callable[[Any, dict[str, Any]], Any]:
    method = spec_op.python_method

    def call(threads: Any, args: dict[str, Any]) -> Any:
        positional = [args[name] for name in path_names]
        keywords = {k: v for k, v in args.items() if k not in path_names}
        return getattr(threads, method)(*positional, **keywords)

    return call


def _minimal(schema: dict[str, Any], spec: dict[str, Any]) -> Any:
    """The smallest body the schema allows: required properties only, first choices."""
    schema = _resolve(schema, spec)
    if "const" in schema:
        return schema["const"]
    if "enum" in schema:
        return schema["enum"][0]
    if "oneOf" in schema:
        return _minimal(schema["oneOf"][0], spec)
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = "null" if "null" in kind else kind[0]
    if kind == "object" or "properties" in schema:
        properties = schema.get("properties", {})
        return {k: _minimal(properties[k], spec) for k in schema.get("required", [])}
    minimal: dict[str, Any] = {
        "null": None,
        "array": [],
        "string": "x" * schema.get("minLength", 1),
        "integer": max(schema.get("minimum", 1), 1),
        "number": max(schema.get("minimum", 1), 1),
        "boolean": True,
    }
    return minimal.get(str(kind))


def _minimal_bodies() -> dict[str, Any]:
    """A minimal spec-valid answer per operation, for the request checks (the request is
    under test, not the body)."""
    spec = load_spec()
    bodies: dict[str, Any] = {}
    for operation_id, spec_op in spec_operations().items():
        operation = spec["paths"][spec_op.path][spec_op.method.lower()]
        content = operation["responses"]["200"]["content"]["application/json"]
        bodies[operation_id] = _minimal(content["schema"], spec)
    return bodies


class _Wire:
    """An in-memory transport: answers with the current body, records every request."""

    def __init__(self) -> None:
        self.body: Any = None
        self.requests: list[httpx.Request] = []
        self.transport = httpx.MockTransport(self._answer)

    def _answer(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return httpx.Response(
            200,
            content=json.dumps(self.body).encode(),
            headers={"content-type": "application/json", "x-request-id": "req_contract"},
        )

    def serve(self, body: Any) -> None:
        self.body = body
        self.requests.clear()


def _client(options: ClientContractOptions, wire: _Wire, *, strict: bool) -> Any:
    if options.client_factory is not None:
        return options.client_factory(wire.transport, strict=strict)
    # Imported here: the server contract must keep working even when the client is broken.
    from chatkit_threads import ChatKit

    return ChatKit(
        api_key=API_KEY,
        base_url=BASE_URL,
        http_client=httpx.Client(transport=wire.transport),
        max_retries=0,
        strict=strict,
    )


def _call_text(method: str, arguments: dict[str, Any]) -> str:
    """How the call looks in Python; `method` is the client method (`x-python-method`)."""
    text = ", ".join(f"{k}={v!r}" for k, v in arguments.items())
    return _shorten(f"client.threads.{method}({text})")


def _shorten(text: str) -> str:
    return text if len(text) <= SHOWN_CHARS else text[:SHOWN_CHARS] + f"... ({len(text)} chars)"


def _describe(error: BaseException) -> str:
    return _shorten(f"{type(error).__name__}: {error}")


# ---------------------------------------------------------------------------------- running


class _Recorder:
    """Tallies outcomes, keeping the smallest failing example of each check."""

    def __init__(self, report: ContractReport, label: str, selected: Iterable[str]) -> None:
        self.report = report
        self.label = label
        self.selected = set(selected)
        self.worst: dict[str, tuple[int, CheckFailure]] = {}

    def wants(self, check: str) -> bool:
        return check in self.selected

    def passed(self, check: str) -> None:
        self.report.record(SUITE, self.label, check, passed=True)

    def failed(self, check: str, title: str, message: str, reproduction: str) -> None:
        self.report.record(SUITE, self.label, check, passed=False)
        size = len(reproduction)
        known = self.worst.get(check)
        if known is None or size < known[0]:
            failure = CheckFailure(SUITE, self.label, check, title, message, reproduction)
            self.worst[check] = (size, failure)

    def finish(self) -> None:
        for _, failure in self.worst.values():
            self.report.add_failure(failure)


def _run_examples(
    options: ClientContractOptions, strategy: st.SearchStrategy[Any], body: Callable[[Any], None]
) -> None:
    """Run `body` on `options.max_examples` values of `strategy`; it records, never raises."""
    test = given(strategy)(body)
    test = settings(
        max_examples=options.max_examples,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )(test)
    if options.seed is not None:
        test = hypothesis_seed(options.seed)(test)
    test()


def _response_checks(
    options: ClientContractOptions,
    operation_id: str,
    client_op: ClientOperation,
    recorder: _Recorder,
) -> None:
    if not any(recorder.wants(check) for check in RESPONSE_CHECKS):
        return
    wire = _Wire()
    lenient = _client(options, wire, strict=False)
    strict = _client(options, wire, strict=True)
    method = spec_operations()[operation_id].python_method
    call_text = _call_text(method, client_op.fixed_arguments)

    def reproduction(body: Any) -> str:
        return f"{call_text}\n  answered with HTTP 200: {_shorten(json.dumps(body))}"

    def example(body: Any) -> None:
        for client, parse_check in ((lenient, RESPONSE_CHECKS[0]), (strict, RESPONSE_CHECKS[1])):
            wire.serve(body)
            try:
                result = client_op.call(client.threads, dict(client_op.fixed_arguments))
            except Exception as error:  # any exception is the failure being looked for
                if recorder.wants(parse_check):
                    recorder.failed(
                        parse_check,
                        "A spec-valid response did not parse",
                        _describe(error),
                        reproduction(body),
                    )
                continue
            if recorder.wants(parse_check):
                recorder.passed(parse_check)
            if client is lenient and recorder.wants(RESPONSE_CHECKS[2]):
                _round_trip(result, body, recorder, reproduction)

    try:
        _run_examples(options, response_strategy(operation_id), example)
    finally:
        lenient.close()
        strict.close()


def _round_trip(
    result: Any, body: Any, recorder: _Recorder, reproduction: Callable[[Any], str]
) -> None:
    check = RESPONSE_CHECKS[2]
    try:
        again = result.to_dict()
    except Exception as error:
        recorder.failed(
            check, "to_dict() failed on a parsed response", _describe(error), reproduction(body)
        )
        return
    if again == body:
        recorder.passed(check)
        return
    recorder.failed(
        check,
        "to_dict() does not give back the JSON that was served",
        _shorten(f"to_dict() gave {json.dumps(again, default=repr)}"),
        reproduction(body),
    )


def _request_checks(
    options: ClientContractOptions,
    spec_op: SpecOperation,
    client_op: ClientOperation,
    recorder: _Recorder,
) -> None:
    if not recorder.wants("client_request_conforms"):
        return
    wire = _Wire()
    client = _client(options, wire, strict=False)
    answer = _minimal_bodies()[spec_op.operation_id]

    def example(arguments: dict[str, Any]) -> None:
        wire.serve(answer)
        call_text = _call_text(spec_op.python_method, arguments)
        try:
            client_op.call(client.threads, dict(arguments))
        except Exception as error:
            recorder.failed(
                "client_request_conforms",
                "The client refused spec-valid arguments",
                _describe(error),
                call_text,
            )
            return
        if len(wire.requests) != 1:
            recorder.failed(
                "client_request_conforms",
                "The call did not send exactly one request",
                f"{len(wire.requests)} requests were sent",
                call_text,
            )
            return
        request = wire.requests[0]
        problems = validate_request(
            spec_op, request, base_url=BASE_URL, api_key=API_KEY, arguments=arguments
        )
        if problems:
            recorder.failed(
                "client_request_conforms",
                "The request does not conform to the spec",
                "\n".join(problems[:8]),
                f"{call_text}\n  sent {request.method} {_shorten(str(request.url))}",
            )
        else:
            recorder.passed("client_request_conforms")

    try:
        _run_examples(options, client_op.valid_arguments, example)
    finally:
        client.close()


def _invalid_argument_checks(
    options: ClientContractOptions,
    operation_id: str,
    client_op: ClientOperation,
    recorder: _Recorder,
) -> None:
    check = "client_refuses_invalid_arguments"
    if not recorder.wants(check):
        return
    wire = _Wire()
    client = _client(options, wire, strict=False)
    # Read from the spec once per operation, not once per example.
    answer = _minimal_bodies()[operation_id]
    method = spec_operations()[operation_id].python_method

    def example(arguments: dict[str, Any]) -> None:
        wire.serve(answer)
        call_text = _call_text(method, arguments)
        try:
            client_op.call(client.threads, dict(arguments))
        except (ValueError, TypeError) as error:
            if wire.requests:
                recorder.failed(
                    check, "A request was sent before refusing", _describe(error), call_text
                )
            else:
                recorder.passed(check)
            return
        except Exception as error:
            recorder.failed(
                check,
                "Spec-invalid arguments raised something other than ValueError/TypeError",
                f"{_describe(error)} after {len(wire.requests)} request(s)",
                call_text,
            )
            return
        sent = f"; sent {wire.requests[0].method} {wire.requests[0].url}" if wire.requests else ""
        recorder.failed(
            check, "Spec-invalid arguments were accepted", f"no exception{sent}", call_text
        )

    try:
        _run_examples(options, client_op.invalid_arguments, example)
    finally:
        client.close()


def run_client_contract(
    options: ClientContractOptions, *, on_progress: Callable[[str], None] | None = None
) -> ContractReport:
    """Run the client contract and return what it found."""
    report = ContractReport(target=f"the chatkit_threads client (in memory, {BASE_URL})")
    started = time.monotonic()
    if on_progress is not None:
        on_progress(f"client contract: chatkit_threads ({', '.join(options.operations)})")
    try:
        client_ops = _client_operations()
        _client(options, _Wire(), strict=False).close()
    except Exception as error:  # the client cannot even be built: nothing else can run
        report.errors.append(f"client: cannot create chatkit_threads.ChatKit: {_describe(error)}")
        report.elapsed = time.monotonic() - started
        return report
    spec_ops = spec_operations()
    for operation_id in options.operations:
        spec_op, client_op = spec_ops[operation_id], client_ops[operation_id]
        recorder = _Recorder(report, spec_op.label, options.checks)
        try:
            _response_checks(options, operation_id, client_op, recorder)
            _request_checks(options, spec_op, client_op, recorder)
            _invalid_argument_checks(options, operation_id, client_op, recorder)
        except Exception as error:
            report.errors.append(f"client {spec_op.label}: {_describe(error)}")
        finally:
            recorder.finish()
    report.elapsed = time.monotonic() - started
    return report
