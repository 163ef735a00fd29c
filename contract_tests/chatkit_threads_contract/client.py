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
- spec-invalid arguments (`limit` outside 0..100, an unknown `order`, an empty or too long
  `user`, an empty, `/`, `.` or `..` thread id) raise before any request reaches the
  transport.

Results go into a `ContractReport` under the suite name `client`.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
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
MAX_LIMIT = 100
MAX_USER = 512


@dataclass
class ClientContractOptions:
    """What to test and how hard; mirrors the command's options."""

    max_examples: int = 25
    seed: int | None = None
    operations: tuple[str, ...] = (
        "listThreads",
        "retrieveThread",
        "listThreadItems",
        "deleteThread",
    )
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
                operation["operationId"], method.upper(), path, parameters
            )
    return found


def _coerce(raw: str, schema: dict[str, Any]) -> Any:
    """A query or path value as the schema's type reads it (HTTP sends only strings)."""
    if schema.get("type") == "integer" and re.fullmatch(r"-?[0-9]+", raw):
        return int(raw)
    return raw


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
        name: str(value)
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


def _valid_thread_id() -> st.SearchStrategy[str]:
    # Spec-valid (a non-empty string) and usable as one path segment.
    return st.text(min_size=1, max_size=40).filter(lambda s: "/" not in s and s not in (".", ".."))


def _invalid_thread_id() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(["", "/", ".", ".."]),
        st.tuples(st.text(max_size=10), st.text(max_size=10)).map(lambda parts: "/".join(parts)),
    )


def _page_arguments(with_user: bool) -> st.SearchStrategy[dict[str, Any]]:
    fields: dict[str, st.SearchStrategy[Any]] = {
        "after": st.none() | st.text(max_size=30),
        "before": st.none() | st.text(max_size=30),
        "limit": st.none() | st.integers(0, MAX_LIMIT),
        "order": st.none() | st.sampled_from(["asc", "desc"]),
    }
    if with_user:
        fields["user"] = st.none() | st.text(min_size=1, max_size=MAX_USER)
    return st.fixed_dictionaries(fields)


def _invalid_page_arguments(with_user: bool) -> st.SearchStrategy[dict[str, Any]]:
    wrong: list[st.SearchStrategy[dict[str, Any]]] = [
        st.builds(
            lambda n: {"limit": n}, st.integers(max_value=-1) | st.integers(min_value=MAX_LIMIT + 1)
        ),
        st.builds(
            lambda o: {"order": o}, st.text(max_size=10).filter(lambda o: o not in ("asc", "desc"))
        ),
    ]
    if with_user:
        wrong.append(
            st.builds(
                lambda u: {"user": u},
                st.just("") | st.integers(MAX_USER + 1, MAX_USER + 40).map(lambda n: "u" * n),
            )
        )
    return st.one_of(wrong)


def _with_thread(arguments: st.SearchStrategy[dict[str, Any]]) -> st.SearchStrategy[dict[str, Any]]:
    return st.tuples(_valid_thread_id(), arguments).map(
        lambda pair: {"thread_id": pair[0], **pair[1]}
    )


def _client_operations() -> dict[str, ClientOperation]:
    def without(args: dict[str, Any], name: str) -> dict[str, Any]:
        return {k: v for k, v in args.items() if k != name}

    invalid_items = st.one_of(
        _invalid_thread_id().map(lambda t: {"thread_id": t}),
        st.tuples(_valid_thread_id(), _invalid_page_arguments(False)).map(
            lambda pair: {"thread_id": pair[0], **pair[1]}
        ),
    )
    invalid_thread = _invalid_thread_id().map(lambda t: {"thread_id": t})
    return {
        "listThreads": ClientOperation(
            call=lambda threads, args: threads.list(**args),
            valid_arguments=_page_arguments(True),
            invalid_arguments=_invalid_page_arguments(True),
            fixed_arguments={},
        ),
        "retrieveThread": ClientOperation(
            call=lambda threads, args: threads.retrieve(args["thread_id"]),
            valid_arguments=_valid_thread_id().map(lambda t: {"thread_id": t}),
            invalid_arguments=invalid_thread,
            fixed_arguments={"thread_id": "cthr_contract"},
        ),
        "listThreadItems": ClientOperation(
            call=lambda threads, args: threads.list_items(
                args["thread_id"], **without(args, "thread_id")
            ),
            valid_arguments=_with_thread(_page_arguments(False)),
            invalid_arguments=invalid_items,
            fixed_arguments={"thread_id": "cthr_contract"},
        ),
        "deleteThread": ClientOperation(
            call=lambda threads, args: threads.delete(args["thread_id"]),
            valid_arguments=_valid_thread_id().map(lambda t: {"thread_id": t}),
            invalid_arguments=invalid_thread,
            fixed_arguments={"thread_id": "cthr_contract"},
        ),
    }


# A minimal spec-valid answer per operation, for the request checks (the request is under test).
_MINIMAL_BODIES: dict[str, dict[str, Any]] = {
    "listThreads": {
        "object": "list",
        "data": [],
        "first_id": None,
        "last_id": None,
        "has_more": False,
    },
    "listThreadItems": {
        "object": "list",
        "data": [],
        "first_id": None,
        "last_id": None,
        "has_more": False,
    },
    "retrieveThread": {
        "id": "cthr_contract",
        "object": "chatkit.thread",
        "created_at": 1_730_000_000,
        "title": None,
        "status": {"type": "active"},
        "user": "user_contract",
    },
    "deleteThread": {"id": "cthr_contract", "object": "chatkit.thread.deleted", "deleted": True},
}


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


def _call_text(operation_id: str, arguments: dict[str, Any]) -> str:
    method = {
        "listThreads": "list",
        "retrieveThread": "retrieve",
        "listThreadItems": "list_items",
        "deleteThread": "delete",
    }[operation_id]
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
    call_text = _call_text(operation_id, client_op.fixed_arguments)

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
    answer = _MINIMAL_BODIES[spec_op.operation_id]

    def example(arguments: dict[str, Any]) -> None:
        wire.serve(answer)
        call_text = _call_text(spec_op.operation_id, arguments)
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

    def example(arguments: dict[str, Any]) -> None:
        wire.serve(_MINIMAL_BODIES[operation_id])
        call_text = _call_text(operation_id, arguments)
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
