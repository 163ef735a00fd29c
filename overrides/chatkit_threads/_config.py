"""Client configuration: defaults and the environment variables the ``openai`` SDK reads.

The defaults the spec states (the base URL, the beta header's value) are not here: the
core imports nothing generated, so the façade (``_client``) reads them from the spec's
data and hands them over (``BaseClient._default_base_url``)."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import httpx

from ._exceptions import ChatKitError
from ._logs import install_redaction
from ._secrets import REDACTED, check_api_key, check_header_value, remember
from ._version import __version__

if TYPE_CHECKING:
    from chatkit_threads_spec import Operation

__all__ = [
    "DEFAULT_MAX_RESPONSE_BYTES",
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_TIMEOUT",
    "auth_header",
    "build_headers",
    "check_max_response_bytes",
    "check_max_retries",
    "merged_defaults",
    "operation_headers",
    "resolve_api_key",
    "resolve_base_url",
]

# Listing a page is quick; a minute bounds a stuck read, 5 s fails fast on a dead host.
DEFAULT_TIMEOUT = httpx.Timeout(60.0, connect=5.0)
DEFAULT_MAX_RETRIES = 2
# The largest body read, decoded. A page of 100 items is well under 1 MiB in practice;
# 32 MiB leaves room for long item contents while stopping an endless body or a
# compression bomb long before it exhausts memory.
DEFAULT_MAX_RESPONSE_BYTES = 32 * 1024 * 1024


def resolve_api_key(api_key: str | None) -> str:
    """The ``api_key`` argument, else ``OPENAI_API_KEY``; a clear error when neither is set.

    The key is remembered for redaction (``chatkit_threads.redact``), and the redacting
    log filter installed, before any request can put it in a URL or a log line."""
    if api_key is None:
        api_key = os.environ.get("OPENAI_API_KEY")
    if not api_key:
        raise ChatKitError(
            "No API key: pass api_key=... to the client or set the OPENAI_API_KEY "
            "environment variable."
        )
    if not isinstance(api_key, str):
        raise TypeError(f"api_key must be a str, got {type(api_key).__name__}")
    check_api_key(api_key)
    remember(api_key)
    install_redaction()
    return api_key


def check_max_retries(max_retries: Any, name: str = "max_retries") -> int:
    """``max_retries`` when it is an int >= 0; else ``TypeError``/``ValueError``."""
    if not isinstance(max_retries, int) or isinstance(max_retries, bool):
        raise TypeError(f"{name} must be an int, got {type(max_retries).__name__}")
    if max_retries < 0:
        raise ValueError(f"{name} must be >= 0, got {max_retries}")
    return max_retries


def check_max_response_bytes(limit: object) -> int | None:
    """``limit`` when it is a positive int or ``None`` (no limit); else a clear error."""
    if limit is None:
        return None
    if not isinstance(limit, int) or isinstance(limit, bool):
        raise TypeError(f"max_response_bytes must be an int or None, got {type(limit).__name__}")
    if limit < 1:
        raise ValueError(f"max_response_bytes must be >= 1, got {limit}")
    return limit


# The authority of a URL (what comes before the path), with or without a scheme and
# "//": "user:pw@host" is found in "https://user:pw@host/v1" and in "user:pw@host/v1".
_AUTHORITY = re.compile(r"(?:[A-Za-z][A-Za-z0-9+.\-]*:)?(?://)?([^/?#]*)")


def resolve_base_url(base_url: str | httpx.URL | None, default: str) -> str:
    """The ``base_url`` argument, else ``OPENAI_BASE_URL``, else ``default`` (the spec's
    server, the public API); no trailing /.

    A URL with credentials (``https://user:password@host/v1``) is refused with a
    ``ValueError`` that does not show them: httpx would send them as Basic auth in place
    of the API key, and every message quoting a URL would show the password.
    """
    source = "base_url"
    if base_url is None:
        source = "base_url (from OPENAI_BASE_URL)"
        base_url = os.environ.get("OPENAI_BASE_URL") or default
    url = str(base_url)
    authority = _AUTHORITY.match(url)
    if authority is not None and "@" in authority.group(1):
        start = authority.start(1)
        shown = url[:start] + REDACTED + url[start + authority.group(1).rindex("@") :]
        raise ValueError(
            f"{source} must not contain credentials ('user:password@'): the API key is the "
            f"only credential the client sends; got {shown!r} (credentials not shown)"
        )
    return url.rstrip("/")


def auth_header(api_key: str) -> tuple[str, str]:
    """The header that carries ``api_key`` (set per attempt when the key is a callable)."""
    return "Authorization", f"Bearer {api_key}"


def build_headers(
    api_key: str | None,
    organization: str | None,
    project: str | None,
    default_headers: Mapping[str, str] | None,
) -> httpx.Headers:
    """The client's headers, sent with every request; ``default_headers`` win,
    case-insensitively. No ``Authorization`` when ``api_key`` is ``None`` (a callable key
    sets it on each attempt). An operation's own fixed headers (the beta header) are not
    among them: each request adds its operation's, unless these name them (so a user's
    ``default_headers`` override even the beta header)."""
    if organization is None:
        organization = os.environ.get("OPENAI_ORG_ID")
    if project is None:
        project = os.environ.get("OPENAI_PROJECT_ID")
    headers = httpx.Headers(
        {
            "Accept": "application/json",
            "User-Agent": f"chatkit-threads/{__version__}",
        }
    )
    if api_key is not None:
        key_header, key_value = auth_header(api_key)
        headers[key_header] = key_value
    extra: dict[str, str | None] = {"OpenAI-Organization": organization, "OpenAI-Project": project}
    extra.update(default_headers or {})
    for name, value in extra.items():
        if value:
            # Checked here, so a bad value is a ValueError naming the header, not a
            # UnicodeEncodeError (or a header split by a newline) later.
            check_header_value(name, value)
            headers[name] = value
    return headers


def operation_headers(
    op: Operation, client_headers: httpx.Headers, *, pool_has_them: bool
) -> httpx.Headers | None:
    """What a request of ``op`` adds to its pool's headers: the operation's own fixed
    headers (``Operation.headers``: the beta header) except those ``client_headers``
    name (a user's ``default_headers`` win, the beta header included); and unless
    ``pool_has_them`` (an injected pool has defaults of its own), ``client_headers``
    too. ``None`` when that is nothing."""
    headers = httpx.Headers(
        {name: value for name, value in op.headers.items() if name not in client_headers}
    )
    if not pool_has_them:
        headers.update(client_headers)
    return headers or None


def merged_defaults(
    name: str,
    current: Mapping[str, Any] | None,
    add: Mapping[str, Any] | None,
    replace: Mapping[str, Any] | None,
) -> dict[str, Any] | None:
    """``copy``'s rule for default headers and query (the SDK's): ``default_*`` adds to
    the client's, ``set_default_*`` replaces them; not both."""
    if add is not None and replace is not None:
        raise ValueError(
            f"The `default_{name}` and `set_default_{name}` arguments are mutually exclusive"
        )
    if add is not None:
        return {**(current or {}), **add}
    if replace is not None:
        return dict(replace)
    return dict(current) if current else None
