"""Part of the adapter (the only other module that touches schemathesis): judging one
recorded request, re-sent, with schemathesis' checks and the ChatKit ones.

A replayed request is a `Case` built from the recorded method, path, query and headers
(schemathesis' public `APIOperation.Case`), sent with `Case.call` and judged check by
check with `Case.validate_response`, so a replay judges exactly as a run does.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from schemathesis.checks import CHECKS
from schemathesis.core.failures import Failure, FailureGroup

from .adapter_results import Exchange, Outcome

__all__ = ["REPLAY_BUILTIN_CHECKS", "Replayed", "replay"]

REPLAY_BUILTIN_CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
)
"""Built-in checks that judge one answer on its own (the others need the engine's state:
the generation mode, the stateful chain, a second request of their own)."""


@dataclass(frozen=True)
class Replayed:
    """The answer to a re-sent request, and the checks' verdicts on it."""

    exchange: Exchange
    outcomes: tuple[Outcome, ...]


def replay(
    schema: Any,
    *,
    method: str,
    path: str,
    path_parameters: dict[str, str],
    query: dict[str, str],
    headers: dict[str, str],
    base_url: str,
    timeout: float,
    checks: Sequence[str],
) -> Replayed:
    """Send the request again and judge the answer with `checks` (names registered now)."""
    operation = schema[path][method.upper()]
    case = operation.Case(path_parameters=path_parameters, query=query, headers=headers)
    started = time.time()
    response = case.call(base_url=base_url, timeout=timeout)
    exchange = Exchange(
        method=method.upper(),
        url=str(response.request.url),
        request_headers=tuple((str(k), str(v)) for k, v in response.request.headers.items()),
        request_body=None,
        status=int(response.status_code),
        response_headers=tuple(
            (str(k), str(v)) for k, values in response.headers.items() for v in values
        ),
        response_body=bytes(response.content or b""),
        elapsed=float(response.elapsed),
        started=started,
    )
    outcomes = []
    label = f"{method.upper()} {path}"
    known = set(CHECKS.get_all_names())
    for name in checks:
        if name not in known:
            continue
        try:
            case.validate_response(response, checks=[CHECKS.get_one(name)], headers=headers)
        except (Failure, FailureGroup) as error:
            failures = error.exceptions if isinstance(error, FailureGroup) else (error,)
            first = failures[0]
            outcomes.append(Outcome(label, name, False, first.title, first.message, "", exchange))
            continue
        outcomes.append(Outcome(label, name, True, "", "", "", exchange))
    return Replayed(exchange, tuple(outcomes))
