"""A compressed body is decoded with a bounded output: ``max_response_bytes`` holds
whatever the chunking (one large chunk from a custom transport included), for gzip,
deflate (zlib-wrapped or raw) and stacked encodings, in both clients."""

from __future__ import annotations

import asyncio
import functools
import gzip
import json
import tracemalloc
import zlib
from collections.abc import AsyncIterator, Callable, Iterator

import httpx
import pytest

from chatkit_threads import APIError, ResponseTooLargeError
from chatkit_threads._decode import MAX_LAYERS, LimitExceeded, decoder_for
from tests.client.support import make_async_client, make_client, thread

LIMIT = 64 * 1024


def deflate_raw(data: bytes) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush()


ENCODERS: dict[str, Callable[[bytes], bytes]] = {
    "gzip": gzip.compress,
    "deflate": zlib.compress,
    "deflate-raw": deflate_raw,
}


def encode(data: bytes, *names: str) -> bytes:
    for name in names:
        data = ENCODERS[name](data)
    return data


def streamed(body: bytes, encoding: str, chunk_size: int | None = None) -> httpx.Response:
    """A response whose (encoded) body is a stream, as a custom transport hands it over:
    in one chunk, or in ``chunk_size`` pieces."""
    size = chunk_size or len(body) or 1
    chunks = [body[i : i + size] for i in range(0, len(body), size)]
    headers = {"Content-Type": "application/json", "Content-Encoding": encoding}
    return httpx.Response(200, headers=headers, stream=httpx.ByteStream(b"".join(chunks)))


class Chunks(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A body delivered in the given chunks, sync or async."""

    def __init__(self, chunks: list[bytes]) -> None:
        self.chunks = chunks

    def __iter__(self) -> Iterator[bytes]:
        yield from self.chunks

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for piece in self.chunks:
            yield piece


@functools.cache
def bomb(names: tuple[str, ...]) -> bytes:
    # 64 MiB of "[" (1000 times the limit) compressed to some 64 KiB, or less when stacked.
    return encode(b"[" * (64 << 20), *names)


def bomb_response(names: tuple[str, ...], chunk_size: int | None) -> httpx.Response:
    body = bomb(names)
    size = chunk_size or len(body)
    stream = Chunks([body[i : i + size] for i in range(0, len(body), size)])
    wire = [n.removesuffix("-raw") for n in names]
    headers = {"Content-Encoding": ", ".join(wire)}
    return httpx.Response(200, headers=headers, stream=stream)


BOMBS = [("gzip",), ("deflate",), ("deflate-raw",), ("gzip", "gzip")]


@pytest.mark.parametrize("names", BOMBS, ids=["+".join(n) for n in BOMBS])
@pytest.mark.parametrize("chunk_size", [None, 1000], ids=["one-chunk", "1000-byte-chunks"])
def test_a_compression_bomb_stops_at_the_limit_whatever_the_chunking(
    names: tuple[str, ...], chunk_size: int | None
) -> None:
    client, _ = make_client(lambda r: bomb_response(names, chunk_size), max_response_bytes=LIMIT)
    with pytest.raises(ResponseTooLargeError) as info:
        client.threads.retrieve("t")
    assert info.value.limit == LIMIT


@pytest.mark.parametrize("names", BOMBS, ids=["+".join(n) for n in BOMBS])
def test_decoding_a_bomb_in_one_call_allocates_about_the_limit_not_the_expansion(
    names: tuple[str, ...],
) -> None:
    body = bomb(names)
    wire = ", ".join(n.removesuffix("-raw") for n in names)
    decoder = decoder_for(httpx.Headers({"content-encoding": wire}), LIMIT)
    assert decoder is not None
    tracemalloc.start()
    try:
        with pytest.raises(LimitExceeded):
            decoder.decode(body)  # 64 MiB once decoded
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 16 * LIMIT  # a few buffers of the limit's size, not 64 MiB


@pytest.mark.parametrize("names", BOMBS[:3], ids=["+".join(n) for n in BOMBS[:3]])
def test_async_a_compression_bomb_stops_at_the_limit(names: tuple[str, ...]) -> None:
    client, _ = make_async_client(lambda r: bomb_response(names, None), max_response_bytes=LIMIT)
    with pytest.raises(ResponseTooLargeError):
        asyncio.run(client.threads.retrieve("t"))


@pytest.mark.parametrize(
    "names", [*BOMBS, ()], ids=["+".join(n) or "identity" for n in [*BOMBS, ()]]
)
@pytest.mark.parametrize("chunk_size", [None, 1, 7, 4096])
def test_compressed_bodies_decode_exactly_at_and_under_the_limit(
    names: tuple[str, ...], chunk_size: int | None
) -> None:
    plain = json.dumps(thread("t", title="x" * 5000)).encode()
    body = encode(plain, *names)
    size = chunk_size or len(body)
    wire = ", ".join(n.removesuffix("-raw") for n in names) or "identity"

    def respond(request: httpx.Request) -> httpx.Response:
        stream = Chunks([body[i : i + size] for i in range(0, len(body), size)])
        return httpx.Response(200, headers={"Content-Encoding": wire}, stream=stream)

    exact, _ = make_client(respond, max_response_bytes=len(plain))
    assert exact.threads.retrieve("t").title == "x" * 5000
    short, _ = make_client(respond, max_response_bytes=len(plain) - 1)
    with pytest.raises(ResponseTooLargeError):
        short.threads.retrieve("t")
    unlimited, _ = make_client(respond, max_response_bytes=None)
    raw = unlimited.threads.with_raw_response.retrieve("t")
    assert raw.http_response.content == plain
    aclient, _ = make_async_client(respond, max_response_bytes=len(plain))
    assert asyncio.run(aclient.threads.retrieve("t")).title == "x" * 5000


@pytest.mark.parametrize(
    ("encoding", "body"),
    [
        ("gzip", b"not gzip at all"),
        ("deflate", b"not deflate either"),
        ("gzip", gzip.compress(b"{}")[:-12] + b"garbage-tail"),
        (", ".join(["gzip"] * (MAX_LAYERS + 1)), encode(b"{}", *["gzip"] * (MAX_LAYERS + 1))),
    ],
    # Named, not derived from the bodies: gzip stamps the time into them, and every
    # pytest-xdist worker must collect the same test ids.
    ids=["not-gzip", "not-deflate", "gzip-garbage-tail", "too-many-layers"],
)
def test_a_body_that_does_not_decode_is_an_api_error(encoding: str, body: bytes) -> None:
    client, _ = make_client(lambda r: streamed(body, encoding))
    with pytest.raises(APIError):
        client.threads.retrieve("t")
    aclient, _ = make_async_client(lambda r: streamed(body, encoding))
    with pytest.raises(APIError):
        asyncio.run(aclient.threads.retrieve("t"))


def test_unknown_and_identity_encodings_pass_through_as_httpx_does() -> None:
    plain = json.dumps(thread("t")).encode()
    client, _ = make_client(lambda r: streamed(plain, "identity, x-custom"))
    assert client.threads.retrieve("t").id == "t"
    assert decoder_for(httpx.Headers({"content-encoding": "x-custom"}), LIMIT) is None


def test_a_decoder_without_an_output_bound_is_fed_a_little_at_a_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # br and zstd (when brotli/zstandard are installed) take no output bound: stand in
    # for them with a decoder that expands every input byte a thousandfold.
    from httpx import _decoders

    class Expand(_decoders.ContentDecoder):
        def decode(self, data: bytes) -> bytes:
            return b" " * (1000 * len(data))

        def flush(self) -> bytes:
            return b""

    monkeypatch.setitem(_decoders.SUPPORTED_DECODERS, "x-expand", Expand)

    def respond(request: httpx.Request) -> httpx.Response:
        stream = Chunks([b"z" * (64 << 20)])  # would expand to 64 GB in one call
        return httpx.Response(200, headers={"Content-Encoding": "x-expand"}, stream=stream)

    client, _ = make_client(respond, max_response_bytes=LIMIT)
    with pytest.raises(ResponseTooLargeError):
        client.threads.retrieve("t")
