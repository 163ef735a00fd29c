"""The mock server in its own process, for benchmarks over 127.0.0.1.

    python -m bench._serve --threads 1000000 --item-threads 10000 --items 100

Seeds an in-memory store (timing it), binds a free port on 127.0.0.1, prints one JSON
line (port, seed times, sample ids, memory) and serves with uvicorn until terminated.
Running the server in its own process gives it its own core and its own GIL, so the
load generator does not slow it down. With `--replay`, a request seen before is answered
with the bytes the mock sent then (`Replay`): the same server with no app work. With
`--store-floor`, the store's own methods answer the list requests (`StoreFloor`): the
same server and store with none of the mock's request handling.
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import socket
import sys
import time
from typing import Any, Self
from urllib.parse import parse_qsl

__all__ = ["BenchProcess", "FixedServer", "Replay", "ServerProcess", "StoreFloor", "main"]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench._serve")
    parser.add_argument("--threads", type=int, required=True)
    parser.add_argument("--item-threads", type=int, default=0, help="threads that get items")
    parser.add_argument("--items", type=int, default=0, help="items per such thread")
    parser.add_argument("--samples", type=int, default=200, help="thread ids to report")
    parser.add_argument("--api-key", default=None)
    parser.add_argument(
        "--replay",
        action="store_true",
        help="answer a request seen before with the bytes the app sent then (uvicorn's floor)",
    )
    parser.add_argument(
        "--store-floor",
        action="store_true",
        help="answer list requests with the store's methods alone (no request handling)",
    )
    parser.add_argument(
        "--no-require-beta-header",
        action="store_true",
        help="accept requests without the spec's beta header value (for the SDK's walks)",
    )
    args = parser.parse_args(argv)

    import uvicorn

    from chatkit_threads_mock import DEFAULT_API_KEY, create_app
    from chatkit_threads_mock.protocol import uvicorn_config
    from chatkit_threads_mock.seed import apply_seed, synthetic_rows
    from chatkit_threads_mock.store import ThreadStore, project_for_key

    api_key = args.api_key or DEFAULT_API_KEY
    project = project_for_key(api_key)
    store = ThreadStore()
    started = time.perf_counter()
    apply_seed(store, f"synthetic:{args.threads}", [api_key])
    seed_threads_s = time.perf_counter() - started
    started = time.perf_counter()
    if args.item_threads and args.items:
        # The same ids as the first `item_threads` synthetic threads: their items.
        _, item_rows = synthetic_rows(project, args.item_threads, args.items)
        store.add_rows(iter(()), item_rows)
    seed_items_s = time.perf_counter() - started

    ids = list(store.iter_thread_ids(project))  # oldest first
    step = max(1, len(ids) // max(1, args.samples))
    report: dict[str, Any] = {
        "threads": args.threads,
        "items": args.item_threads * args.items,
        "seed_threads_s": seed_threads_s,
        "seed_items_s": seed_items_s,
        "thread_ids": ids[::step][: args.samples],
        "item_thread_ids": ids[: min(args.item_threads, args.samples)],
        "api_key": api_key,
        "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }
    del ids

    app: Any = create_app(
        store=store, api_keys=[api_key], require_beta_header=not args.no_require_beta_header
    )
    if args.replay:
        app = Replay(app)
    elif args.store_floor:
        app = StoreFloor(store, project)
    # proto=IPPROTO_TCP matters: asyncio sets TCP_NODELAY on accepted sockets only when the
    # socket says it is TCP; with proto 0, Nagle and delayed ACKs add ~40 ms per response.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    # Listening before the report is printed: a client that connects before uvicorn has
    # started waits in the backlog instead of being refused.
    sock.listen(2048)
    report["port"] = sock.getsockname()[1]
    # The settings `chatkit-threads-mock serve` uses (protocol, request bounds, keep-alive),
    # so what is measured is the server users run.
    config = uvicorn_config(app, host="127.0.0.1", port=report["port"])
    server = uvicorn.Server(config)
    sys.stdout.write(json.dumps(report) + "\n")
    sys.stdout.flush()
    server.run(sockets=[sock])


class Replay:
    """An ASGI app answering a GET it has answered before with the messages it sent then.

    The first request for a path goes to the mock app and its answer is kept; later ones
    are answered from memory. Behind the same uvicorn, this measures what serving the
    mock's own answers costs with no app work: the ceiling any app on this server reaches.
    """

    def __init__(self, app: Any) -> None:
        self.app = app
        self.answers: dict[tuple[bytes, bytes], list[dict[str, Any]]] = {}

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["method"] != "GET":
            await self.app(scope, receive, send)
            return
        key = (scope.get("raw_path") or scope["path"].encode(), scope["query_string"])
        answer = self.answers.get(key)
        if answer is not None:
            for message in answer:
                await send(message)
            return
        sent: list[dict[str, Any]] = []

        async def keep(message: Any) -> None:
            sent.append(message)
            await send(message)

        await self.app(scope, receive, keep)
        self.answers[key] = sent


class StoreFloor:
    """An ASGI app answering the bench's list requests with the store's methods alone.

    `ThreadStore.list_threads` / `list_items` and `Page.to_json`, as the mock calls them,
    and nothing else: no key or header check, no parameter validation, no request id,
    no error envelope, no middleware. Behind the same uvicorn, this is the most any
    request handling around this store can reach (`limit` and `after` only; anything
    else is a bare 404).
    """

    _ITEMS = re.compile(r"/v1/chatkit/threads/([^/]+)/items")

    def __init__(self, store: Any, project: str) -> None:
        self.store = store
        self.project = project

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        query = dict(parse_qsl(scope["query_string"].decode("latin-1")))
        limit, after = int(query.get("limit", 20)), query.get("after")
        items = self._ITEMS.fullmatch(scope["path"])
        page = None
        if items is not None:
            page = self.store.list_items(self.project, items[1], limit=limit, after=after)
        elif scope["path"] == "/v1/chatkit/threads":
            page = self.store.list_threads(self.project, limit=limit, after=after)
        body = b"" if page is None else page.to_json().encode()
        headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(body))]
        await send(
            {
                "type": "http.response.start",
                "status": 404 if page is None else 200,
                "headers": headers,
            }
        )
        await send({"type": "http.response.body", "body": body})


class BenchProcess:
    """Start `python -m <module> <args>`, wait for its JSON report line; stop it on exit."""

    module = "bench._serve"

    def __init__(self, args: list[str]) -> None:
        self.args = args
        self.info: dict[str, Any] = {}
        self._process: Any = None

    def start(self) -> Self:
        import subprocess
        from pathlib import Path

        self._process = subprocess.Popen(
            [sys.executable, "-m", self.module, *self.args],
            cwd=Path(__file__).resolve().parent.parent,
            stdout=subprocess.PIPE,
            text=True,
        )
        return self

    def wait_ready(self, timeout: float = 300.0) -> dict[str, Any]:
        import selectors

        process = self._process
        assert process is not None and process.stdout is not None
        with selectors.DefaultSelector() as selector:
            selector.register(process.stdout, selectors.EVENT_READ)
            if not selector.select(timeout):
                self.stop()
                raise TimeoutError(f"{self.module} {' '.join(self.args)}: not ready in {timeout}s")
        line = process.stdout.readline()
        if not line:
            self.stop()
            raise RuntimeError(f"{self.module} {' '.join(self.args)} exited: {process.wait()}")
        self.info = json.loads(line)
        return self.info

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.info['port']}/v1"

    def stop(self) -> None:
        import subprocess

        process = self._process
        if process is None:
            return
        self._process = None
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if process.stdout is not None:
            process.stdout.close()

    def __enter__(self) -> Self:
        self.start()
        self.wait_ready()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


class ServerProcess(BenchProcess):
    """The mock server seeded with `threads` threads (bench._serve)."""

    def __init__(
        self,
        threads: int,
        item_threads: int = 0,
        items: int = 0,
        samples: int = 200,
        *,
        replay: bool = False,
        store_floor: bool = False,
        require_beta_header: bool = True,
    ) -> None:
        super().__init__(
            [
                "--threads",
                str(threads),
                "--item-threads",
                str(item_threads),
                "--items",
                str(items),
                "--samples",
                str(samples),
                *(["--replay"] if replay else []),
                *(["--store-floor"] if store_floor else []),
                *([] if require_beta_header else ["--no-require-beta-header"]),
            ]
        )


class FixedServer(BenchProcess):
    """The fixed-response server (bench._fixed_server) for client benchmarks."""

    module = "bench._fixed_server"

    def __init__(self) -> None:
        super().__init__([])


if __name__ == "__main__":
    main()
