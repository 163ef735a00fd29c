"""The client contract passes the real client and catches deliberately broken ones."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from chatkit_threads_contract.client import (
    API_KEY,
    BASE_URL,
    CLIENT_CHECKS,
    ClientContractOptions,
    run_client_contract,
    spec_operations,
    validate_request,
)
from chatkit_threads_contract.report import format_summary
from chatkit_threads_spec import Parameter
from tests.spec_facts import BETA_HEADER, BETA_VALUE, api_headers, query_param, query_params

OPERATIONS = ("listThreads", "retrieveThread", "listThreadItems", "deleteThread")
LIMIT_MAX = int(query_param("listThreads", "limit").maximum or 0)


def test_the_public_client_passes_the_client_contract() -> None:
    report = run_client_contract(ClientContractOptions(max_examples=10, seed=3))
    assert report.ok, format_summary(report)
    judged = {(operation, check) for (_, operation, check) in report.tallies}
    # Every check judged every operation.
    assert len(judged) == len(OPERATIONS) * len(CLIENT_CHECKS), sorted(judged)


# ------------------------------------------------------------------ request validation


def _request(
    path: str,
    *,
    method: str = "GET",
    headers: dict[str, str] | None = None,
    content: bytes = b"",
) -> httpx.Request:
    sent = api_headers(API_KEY)
    if headers is not None:
        sent = {k: v for k, v in {**sent, **headers}.items() if v}
    return httpx.Request(method, BASE_URL + path, headers=sent, content=content)


def _problems(operation_id: str, request: httpx.Request, **arguments: Any) -> list[str]:
    return validate_request(
        spec_operations()[operation_id],
        request,
        base_url=BASE_URL,
        api_key=API_KEY,
        arguments=arguments,
    )


def test_a_conforming_request_has_no_problems() -> None:
    request = _request("/chatkit/threads?limit=50&order=asc&user=u%2F1&after=")
    assert _problems("listThreads", request, limit=50, order="asc", user="u/1", after="") == []
    request = _request("/chatkit/threads/cthr%2F%3F%20x/items?before=b")
    assert _problems("listThreadItems", request, thread_id="cthr/? x", before="b") == []
    assert (
        _problems("deleteThread", _request("/chatkit/threads/t", method="DELETE"), thread_id="t")
        == []
    )


@pytest.mark.parametrize(
    ("operation_id", "request_", "arguments", "expected"),
    [
        (
            "listThreads",
            _request(f"/chatkit/threads?limit={LIMIT_MAX + 1}"),
            {"limit": LIMIT_MAX + 1},
            "maximum",
        ),
        ("listThreads", _request("/chatkit/threads?limit=x"), {}, "limit"),
        ("listThreads", _request("/chatkit/threads?order=up"), {"order": "up"}, "order"),
        ("listThreads", _request("/chatkit/threads?user="), {"user": ""}, "user"),
        ("listThreads", _request("/chatkit/threads?page=2"), {}, "not in the spec"),
        ("listThreads", _request("/chatkit/threads?limit=1&limit=2"), {"limit": 1}, "twice"),
        ("listThreads", _request("/chatkit/threads?limit=20"), {}, "arguments"),
        ("listThreads", _request("/chatkit/threads"), {"user": "u"}, "arguments"),
        (
            "listThreads",
            _request("/chatkit/threads", headers={BETA_HEADER: ""}),
            {},
            BETA_HEADER,
        ),
        (
            "listThreads",
            _request("/chatkit/threads", headers={BETA_HEADER: f"not-{BETA_VALUE}"}),
            {},
            BETA_HEADER,
        ),
        (
            "listThreads",
            _request("/chatkit/threads", headers={"Authorization": ""}),
            {},
            "Authorization",
        ),
        (
            "listThreads",
            _request("/chatkit/threads", headers={"Authorization": "Bearer sk-other"}),
            {},
            "Authorization",
        ),
        ("listThreads", _request("/chatkit/threads", content=b"{}"), {}, "body"),
        ("listThreads", _request("/chatkit/threads", method="POST"), {}, "method"),
        (
            "retrieveThread",
            _request("/chatkit/threads/a/b"),
            {"thread_id": "a/b"},
            "does not match",
        ),
        ("retrieveThread", _request("/chatkit/threads/other"), {"thread_id": "t"}, "the call gave"),
        ("retrieveThread", _request("/chatkit/t"), {"thread_id": "t"}, "does not match"),
    ],
)
def test_a_nonconforming_request_is_reported(
    operation_id: str, request_: httpx.Request, arguments: dict[str, Any], expected: str
) -> None:
    problems = _problems(operation_id, request_, **arguments)
    assert any(expected in problem for problem in problems), problems


# ---------------------------------------------------------------------- broken clients


class _Model:
    """What a client returns: the parsed body, and `to_dict()`."""

    def __init__(self, body: Any, drop_nulls: bool) -> None:
        self.body = body
        self.drop_nulls = drop_nulls

    def to_dict(self) -> Any:
        return _without_nulls(self.body) if self.drop_nulls else self.body


def _without_nulls(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_nulls(v) for v in value]
    return value


def _has_untitled_thread(value: Any) -> bool:
    if isinstance(value, dict):
        if value.get("object") == "chatkit.thread" and value.get("title") is None:
            return True
        return any(_has_untitled_thread(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_untitled_thread(v) for v in value)
    return False


_KINDS: dict[str, type | tuple[type, ...]] = {
    "integer": int,
    "number": (int, float),
    "string": str,
    "boolean": bool,
}


def _breaks(rule: Parameter, value: Any) -> bool:
    """Whether `value` breaks the spec's rule for its query parameter."""
    kind = _KINDS.get(rule.kind)
    if kind is not None and not isinstance(value, kind):
        return True
    if isinstance(value, bool):  # an int to Python, never a number to the spec
        return rule.kind in ("integer", "number") or (
            rule.enum is not None and value not in rule.enum
        )
    if rule.enum is not None and value not in rule.enum:
        return True
    if isinstance(value, int | float) and (
        (rule.minimum is not None and value < rule.minimum)
        or (rule.maximum is not None and value > rule.maximum)
    ):
        return True
    return isinstance(value, str) and (
        (rule.min_length is not None and len(value) < rule.min_length)
        or (rule.max_length is not None and len(value) > rule.max_length)
    )


class _Threads:
    """A small hand-written client; each bug in `bugs` breaks one thing the contract checks."""

    def __init__(self, http: httpx.Client, bugs: frozenset[str], strict: bool) -> None:
        self.http, self.bugs, self.strict = http, bugs, strict

    def _check(
        self, operation_id: str, thread_id: str | None = None, **arguments: Any
    ) -> dict[str, Any]:
        """The query for `arguments`, refusing any the spec's rules do not allow."""
        rules = {p.python_name: p for p in query_params(operation_id)}
        if "no_argument_checks" not in self.bugs:
            if thread_id is not None and (
                not thread_id or "/" in thread_id or thread_id in (".", "..")
            ):
                raise ValueError(f"bad thread_id {thread_id!r}")
            for name, value in arguments.items():
                if value is not None and _breaks(rules[name], value):
                    raise ValueError(name)
        query = {rules[k].name: v for k, v in arguments.items() if v is not None}
        if "sends_default_limit" in self.bugs:
            query.setdefault("limit", query_param(operation_id, "limit").default)
        return query

    def _send(self, method: str, path: str, query: dict[str, Any]) -> _Model:
        headers = {"Authorization": f"Bearer {API_KEY}"}
        if "no_beta_header" not in self.bugs:
            headers[BETA_HEADER] = BETA_VALUE
        response = self.http.request(method, BASE_URL + path, params=query, headers=headers)
        body = response.json()
        if self.strict and "strict_rejects_untitled" in self.bugs and _has_untitled_thread(body):
            raise ValueError("title: None is not a string")
        return _Model(body, "to_dict_drops_nulls" in self.bugs)

    def list(self, **params: Any) -> _Model:
        return self._send("GET", "/chatkit/threads", self._check("listThreads", **params))

    def retrieve(self, thread_id: str) -> _Model:
        self._check("retrieveThread", thread_id)
        return self._send("GET", f"/chatkit/threads/{quote(thread_id, safe='')}", {})

    def delete(self, thread_id: str) -> _Model:
        self._check("deleteThread", thread_id)
        return self._send("DELETE", f"/chatkit/threads/{quote(thread_id, safe='')}", {})

    def list_items(self, thread_id: str, **params: Any) -> _Model:
        query = self._check("listThreadItems", thread_id, **params)
        return self._send("GET", f"/chatkit/threads/{quote(thread_id, safe='')}/items", query)


class _Client:
    def __init__(self, transport: httpx.BaseTransport, bugs: Iterable[str], strict: bool) -> None:
        self.http = httpx.Client(transport=transport)
        self.threads = _Threads(self.http, frozenset(bugs), strict)

    def close(self) -> None:
        self.http.close()


def _run_fake(bugs: Iterable[str], operations: tuple[str, ...], checks: tuple[str, ...]) -> Any:
    def factory(transport: httpx.BaseTransport, *, strict: bool) -> _Client:
        return _Client(transport, bugs, strict)

    return run_client_contract(
        ClientContractOptions(
            max_examples=15, seed=5, operations=operations, checks=checks, client_factory=factory
        )
    )


def test_a_correct_hand_written_client_passes() -> None:
    """The control for the broken clients below: without a bug, the same client passes."""
    report = _run_fake((), OPERATIONS, CLIENT_CHECKS)
    assert report.ok, format_summary(report)


BROKEN_CLIENTS = {
    "no_argument_checks": ("client_refuses_invalid_arguments", "listThreads"),
    "sends_default_limit": ("client_request_conforms", "listThreadItems"),
    "no_beta_header": ("client_request_conforms", "retrieveThread"),
    "to_dict_drops_nulls": ("client_round_trips_response", "retrieveThread"),
    "strict_rejects_untitled": ("client_parses_response_strict", "listThreads"),
}


@pytest.mark.parametrize("bug", sorted(BROKEN_CLIENTS))
def test_a_broken_client_fails_the_expected_check(bug: str) -> None:
    check, operation = BROKEN_CLIENTS[bug]
    report = _run_fake({bug}, (operation,), CLIENT_CHECKS)
    assert report.errors == []
    assert report.failed_checks == {check}, format_summary(report)
    shown = [f for f in report.failures if f.check == check]
    assert shown and shown[0].message and shown[0].reproduction
