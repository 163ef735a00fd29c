"""Run the validation proxy in-process: uvicorn in a background thread."""

from __future__ import annotations

from pathlib import Path

from .protocol import DEFAULT_REQUEST_TIMEOUT
from .proxy import DEFAULT_UPSTREAM_TIMEOUT, ValidationProxy
from .proxy_record import Recorder
from .server import BackgroundServer

__all__ = ["ProxyServer"]


class ProxyServer(BackgroundServer):
    """`chatkit-threads-mock proxy` in a thread: forwards to `upstream`, checks, records.

        with ProxyServer("https://staging.example.com/v1", record="session/") as proxy:
            client = ChatKit(api_key=..., base_url=proxy.base_url)
        print(proxy.report())

    With `record`, the fixtures file is written into that folder when it stops
    (`recorded` says what was written).
    """

    def __init__(
        self,
        upstream: str,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        record: str | Path | None = None,
        upstream_timeout: float = DEFAULT_UPSTREAM_TIMEOUT,
        request_timeout: float = DEFAULT_REQUEST_TIMEOUT,
        http: str = "auto",
    ) -> None:
        recorder = None if record is None else Recorder(record, _parents())
        self.proxy = ValidationProxy(upstream, timeout=upstream_timeout, recorder=recorder)
        self.recorded: tuple[int, int] | None = None
        """After stopping with `record`: (records written, items left out for want of
        their thread)."""
        super().__init__(
            self.proxy, host=host, port=port, request_timeout=request_timeout, http=http
        )

    def report(self) -> str:
        """Every caller's departures found so far, as text (what the proxy prints on
        shutdown; `GET /__admin/drift` shows a caller its own)."""
        return self.proxy.tally.as_text()

    def _release(self, finished: bool) -> None:
        if self.proxy.recorder is not None:
            self.recorded = self.proxy.recorder.write()


def _parents() -> dict[str, str]:
    """Each resource kind that belongs to another's listing, and its parent's field."""
    from chatkit_threads_spec import load_spec

    return {
        kind: resource.parent
        for kind, resource in load_spec().resources.items()
        if resource.parent is not None
    }
