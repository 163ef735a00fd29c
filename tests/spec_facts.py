"""The spec's facts tests need, read from the generated package.

A test that builds a request by hand or probes a bound takes the header, the bound or
the rule from here, so a spec change flows into the tests with `scripts/generate` alone.
"""

from __future__ import annotations

from chatkit_threads_api.spec_constants import FIXED_HEADERS, OPERATIONS
from chatkit_threads_spec import Parameter

__all__ = [
    "BETA_HEADER",
    "BETA_VALUE",
    "FIXED_HEADERS",
    "api_headers",
    "query_param",
    "query_params",
    "raw_api_headers",
]

# The spec has one header every request carries with one fixed value.
((BETA_HEADER, BETA_VALUE),) = FIXED_HEADERS.items()


def api_headers(api_key: str) -> dict[str, str]:
    """The headers of a valid request with `api_key`."""
    return {"Authorization": f"Bearer {api_key}", **FIXED_HEADERS}


def raw_api_headers(api_key: str) -> str:
    """`api_headers` as the header lines of a raw HTTP/1.1 request."""
    return "".join(f"{name}: {value}\r\n" for name, value in api_headers(api_key).items())


def query_params(operation_id: str) -> tuple[Parameter, ...]:
    """The spec's query parameters of one operation, each with its rules."""
    return OPERATIONS[operation_id].query


def query_param(operation_id: str, name: str) -> Parameter:
    """The spec's rules for one query parameter of one operation."""
    return next(p for p in query_params(operation_id) if p.name == name)
