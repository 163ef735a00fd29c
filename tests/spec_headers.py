"""The spec's fixed request headers, for tests that build requests by hand.

Read from the generated package, so a spec change to the header flows into the tests
with `scripts/generate` alone.
"""

from __future__ import annotations

from chatkit_threads_api.spec_constants import FIXED_HEADERS

__all__ = ["BETA_HEADER", "BETA_VALUE", "FIXED_HEADERS", "api_headers", "raw_api_headers"]

# The spec has one header every request carries with one fixed value.
((BETA_HEADER, BETA_VALUE),) = FIXED_HEADERS.items()


def api_headers(api_key: str) -> dict[str, str]:
    """The headers of a valid request with `api_key`."""
    return {"Authorization": f"Bearer {api_key}", **FIXED_HEADERS}


def raw_api_headers(api_key: str) -> str:
    """`api_headers` as the header lines of a raw HTTP/1.1 request."""
    return "".join(f"{name}: {value}\r\n" for name, value in api_headers(api_key).items())
