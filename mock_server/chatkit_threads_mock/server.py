"""Run the mock server in-process: uvicorn in a background thread on 127.0.0.1."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Sequence
from types import TracebackType
from typing import Any, Self

import uvicorn

from chatkit_threads_spec import load_spec

from .app import DEFAULT_API_KEY, create_app
from .faults import FaultSpec
from .protocol import DEFAULT_REQUEST_TIMEOUT, bounded_protocol, uvicorn_config
from .store import ThreadStore

__all__ = ["BackgroundServer", "MockServer"]

_BASE_PATH = load_spec().base_path


class BackgroundServer:
    """An ASGI app served by uvicorn in a thread, on `host:port` (0: a free port).

    `request_timeout` bounds how long a client may take to send a request, and `http`
    picks uvicorn's HTTP parser (`auto`: httptools if installed, else `h11`; see
    `protocol`). Subclasses release what they hold in `_release`.
    """

    def __init__(
        self,
        app: Any,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        request_timeout: float = DEFAULT_REQUEST_TIMEOUT,
        http: str = "auto",
    ) -> None:
        self.host = host
        protocol = bounded_protocol(request_timeout, http=http)
        config = uvicorn_config(app, host=host, port=port, protocol=protocol)
        self._server = uvicorn.Server(config)
        self._thread: threading.Thread | None = None
        self._stopped = False
        self.port = port

    @property
    def base_url(self) -> str:
        """The API base URL, e.g. `http://127.0.0.1:PORT/v1`."""
        return f"http://{self.host}:{self.port}{_BASE_PATH}"

    @property
    def root_url(self) -> str:
        """The server's root, e.g. `http://127.0.0.1:PORT` (the admin API is under it)."""
        return f"http://{self.host}:{self.port}"

    def _release(self, finished: bool) -> None:
        """After serving (or a failed start): release what the server held."""

    def start(self, timeout: float = 10.0) -> Self:
        """Start serving; returns once the port accepts connections."""
        if self._thread is not None:
            raise RuntimeError("the server is already running")
        if self._stopped:
            # Its database is closed; a new MockServer on the same `db_path` reopens it.
            raise RuntimeError(
                f"a stopped {type(self).__name__} cannot start again; make a new one"
            )
        # Bound here, not by uvicorn in its thread: a port in use is an OSError for the
        # caller (not a thread dying with SystemExit), and port 0's choice is known now.
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        # IPPROTO_TCP, not 0: asyncio sets TCP_NODELAY on accepted connections only when
        # the listening socket says it is TCP; without it Nagle's algorithm and delayed
        # ACKs add about 40 ms to responses.
        sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((self.host, self.port))
        except OSError as error:
            sock.close()
            self._give_up()
            # The OS says "Address already in use" without saying which address.
            raise OSError(
                error.errno, f"cannot listen on {self.host}:{self.port}: {error.strerror}"
            ) from None
        self.port = sock.getsockname()[1]

        def serve() -> None:
            try:
                self._server.run(sockets=[sock])
            except SystemExit:
                # uvicorn exits on a startup failure; `start` reports it below.
                pass
            finally:
                sock.close()

        self._thread = threading.Thread(target=serve, name="chatkit-mock", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"the server did not start on {self.host}:{self.port}")
            time.sleep(0.01)
        return self

    def _give_up(self) -> None:
        """After a failed start: release what it holds; it cannot start again."""
        self._stopped = True
        self._release(False)

    def stop(self, timeout: float = 10.0) -> None:
        """Stop serving, wait for the thread to end, and close the database it opened."""
        if self._thread is None:
            return
        self._server.should_exit = True
        self._stopping()
        self._thread.join(timeout)
        finished = not self._thread.is_alive()
        self._thread = None
        self._stopped = True
        self._release(finished)

    def _stopping(self) -> None:
        """Asked to stop: make open requests end soon."""

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


class MockServer(BackgroundServer):
    """The mock API served on a free port (or `port`) of 127.0.0.1, in a thread.

        with MockServer() as server:
            client = ChatKit(api_key=server.api_key, base_url=server.base_url)

    `request_timeout` bounds how long a client may take to send a request, and `http`
    picks uvicorn's HTTP parser (`auto`: httptools if installed, else `h11`; see
    `protocol`); other keyword arguments than `host` and `port` go to `create_app`.
    """

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        db_path: str | None = None,
        seed: str = "default",
        api_keys: Sequence[str] = (DEFAULT_API_KEY,),
        faults: FaultSpec | str | None = None,
        require_beta_header: bool = True,
        request_timeout: float = DEFAULT_REQUEST_TIMEOUT,
        http: str = "auto",
        **app_options: Any,
    ) -> None:
        self.api_keys = tuple(api_keys)
        # Checked before the database is opened.
        bounded_protocol(request_timeout, http=http)
        self.app = create_app(
            db_path=db_path,
            seed=seed,
            api_keys=self.api_keys,
            faults=faults,
            require_beta_header=require_beta_header,
            **app_options,
        )
        super().__init__(self.app, host=host, port=port, request_timeout=request_timeout, http=http)

    @property
    def store(self) -> ThreadStore:
        """The store being served, to look at or change the data directly."""
        return self.app.store

    @property
    def api_key(self) -> str:
        """The first accepted API key."""
        return self.api_keys[0]

    def _stopping(self) -> None:
        if self.app.owns_store:
            # Requests waiting for a locked file answer 503 now, so uvicorn's graceful
            # shutdown does not wait for them.
            self.store.stop_waiting()

    def _release(self, finished: bool) -> None:
        if self.app.owns_store and (finished or not self._server.started):
            # Closing a file database's last connection also folds its WAL back in.
            self.store.close()
