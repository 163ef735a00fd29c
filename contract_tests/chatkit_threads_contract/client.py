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
minimal bodies all come from the spec model (`client_spec`), so a parameter or operation
added there is tested without a change here.

Results go into a `ContractReport` under the suite name `client`.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st

from chatkit_threads_spec import Operation

from .client_spec import (
    ClientOperation,
    client_operations,
    minimal_body,
    spec_operations,
    validate_request,
)
from .report import CheckFailure, ContractReport
from .responses import response_strategy

__all__ = [
    "CLIENT_CHECKS",
    "ClientContractOptions",
    "run_client_contract",
    "spec_operations",
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

    @contextlib.contextmanager
    def timing(self, checks: Iterable[str]) -> Iterator[None]:
        """Attribute the time of the block, in equal parts, to the selected `checks`."""
        chosen = [check for check in checks if self.wants(check)]
        started = time.perf_counter()
        try:
            yield
        finally:
            spent = time.perf_counter() - started
            for check in chosen:
                self.report.add_time(SUITE, self.label, check, spent / len(chosen))

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
    method = spec_operations()[operation_id].method_name or ""
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
    spec_op: Operation,
    client_op: ClientOperation,
    recorder: _Recorder,
) -> None:
    if not recorder.wants("client_request_conforms"):
        return
    wire = _Wire()
    client = _client(options, wire, strict=False)
    answer = minimal_body(spec_op.operation_id)

    def example(arguments: dict[str, Any]) -> None:
        wire.serve(answer)
        call_text = _call_text(spec_op.method_name or "", arguments)
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
    answer = minimal_body(operation_id)
    method = spec_operations()[operation_id].method_name or ""

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
        client_ops = client_operations()
        _client(options, _Wire(), strict=False).close()
    except Exception as error:  # the client cannot even be built: nothing else can run
        report.errors.append(f"client: cannot create chatkit_threads.ChatKit: {_describe(error)}")
        report.elapsed = time.monotonic() - started
        return report
    spec_ops = spec_operations()
    for operation_id in options.operations:
        spec_op, client_op = spec_ops[operation_id], client_ops[operation_id]
        recorder = _Recorder(report, f"{spec_op.method} {spec_op.path}", options.checks)
        try:
            with recorder.timing(RESPONSE_CHECKS):
                _response_checks(options, operation_id, client_op, recorder)
            with recorder.timing(("client_request_conforms",)):
                _request_checks(options, spec_op, client_op, recorder)
            with recorder.timing(("client_refuses_invalid_arguments",)):
                _invalid_argument_checks(options, operation_id, client_op, recorder)
        except Exception as error:
            report.errors.append(f"client {spec_op.method} {spec_op.path}: {_describe(error)}")
        finally:
            recorder.finish()
    report.elapsed = time.monotonic() - started
    return report
