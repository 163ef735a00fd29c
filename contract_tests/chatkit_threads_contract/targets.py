"""Where the suite sends traffic: a user's base URL, or the bundled mock server."""

from __future__ import annotations

import importlib
import ipaddress
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import urlsplit

__all__ = ["MockTarget", "bundled_mock", "is_local_url"]

LOCAL_NAMES = {"localhost", "localhost.localdomain"}


def is_local_url(url: str) -> bool:
    """Whether `url` names this machine's loopback: `localhost`, 127.0.0.0/8 or `::1`.

    An IPv4-mapped IPv6 address (`[::ffff:127.0.0.1]`) is not loopback to Python and so
    counts as remote, which is how the suite's own tests exercise the remote path. Local
    only widens what `--allow-destructive` permits (any thread, not only listed ones).
    """
    host = (urlsplit(url).hostname or "").lower()
    if host in LOCAL_NAMES or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class MockTarget:
    """A running bundled mock server and the keys it accepts."""

    base_url: str
    api_key: str
    other_api_key: str


# The second key exists only to test that data does not leak between keys.
OTHER_MOCK_KEY = "sk-contract-other-key"


@contextmanager
def bundled_mock(*, seed: str = "default") -> Iterator[MockTarget]:
    """Start the bundled mock server on 127.0.0.1 (a free port) for the duration."""
    # Imported here: the mock is only needed when no --base-url is given.
    mock = importlib.import_module("chatkit_threads_mock")
    key = str(mock.DEFAULT_API_KEY)
    with mock.MockServer(port=0, seed=seed, api_keys=(key, OTHER_MOCK_KEY)) as server:
        yield MockTarget(str(server.base_url), key, OTHER_MOCK_KEY)
