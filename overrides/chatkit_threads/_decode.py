"""Content-Encoding decoding with a bounded output: a compression bomb stops at the limit.

httpx decodes each chunk it receives in one call, so a body that arrives in one large
chunk (a custom transport, ``httpx.MockTransport``, a fast local server) expands fully,
whatever its size, before any limit can look at it. Here every decoding step is given
the number of bytes still allowed (zlib's ``max_length``), so at most ``limit + 1``
bytes are ever produced by a stage, however the body is chunked.

The encodings decoded are httpx's own (gzip, deflate, and br/zstd when their package is
installed), in the same order; an unknown one is passed through, as httpx does. gzip
and deflate, the ones servers send, are bounded exactly; br and zstd, whose decoders
take no output bound, are fed 64 bytes of input at a time and checked after each.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable

import httpx
from httpx._decoders import SUPPORTED_DECODERS, ContentDecoder

__all__ = ["MAX_LAYERS", "BoundedDecoder", "LimitExceeded", "decoder_for"]

# More stacked encodings than any server sends: a header with hundreds of "gzip"
# would make every chunk pass through hundreds of decompressors.
MAX_LAYERS = 4
# Input fed at once to a decoder that takes no output bound.
_SLICE = 64


class LimitExceeded(Exception):
    """A decoding stage produced more than ``limit`` bytes (a signal for ``_body``, which
    raises ``ResponseTooLargeError``; callers never see it)."""

    def __init__(self, limit: int) -> None:
        super().__init__(limit)
        self.limit = limit


class _Zlib:
    """gzip, or deflate with or without the zlib header: some servers send raw deflate,
    which httpx accepts too. Which deflate it is shows in the first two bytes (a zlib
    header is ``CMF FLG`` with CM 8 and ``CMF*256 + FLG`` a multiple of 31), so they
    are held back until both have come, however the body is chunked."""

    def __init__(self, wbits: int | None) -> None:
        self._inflate = None if wbits is None else zlib.decompressobj(wbits)
        self._head = b""

    def decode(self, data: bytes, max_length: int) -> bytes:
        if self._inflate is None:
            data, self._head = self._head + data, b""
            if len(data) < 2:
                self._head = data
                return b""
            wrapped = data[0] & 0x0F == 8 and (data[0] << 8 | data[1]) % 31 == 0
            self._inflate = zlib.decompressobj(zlib.MAX_WBITS if wrapped else -zlib.MAX_WBITS)
        try:
            # Stops when max_length bytes are out; the caller then raises, so the
            # unconsumed input (unconsumed_tail) is never needed.
            return self._inflate.decompress(data, max_length)
        except zlib.error as exc:
            raise httpx.DecodingError(str(exc)) from None

    def flush(self) -> bytes:
        if self._inflate is None:
            if self._head:
                raise httpx.DecodingError("a deflate body of one byte")
            return b""
        try:
            return self._inflate.flush()
        except zlib.error as exc:
            raise httpx.DecodingError(str(exc)) from None


class _Sliced:
    """A decoder without an output bound (br, zstd), fed a little input at a time."""

    def __init__(self, decoder: ContentDecoder) -> None:
        self._decoder = decoder

    def decode(self, data: bytes, max_length: int) -> bytes:
        out: list[bytes] = []
        size = 0
        for start in range(0, len(data), _SLICE):
            piece = self._decoder.decode(data[start : start + _SLICE])
            out.append(piece)
            size += len(piece)
            if max_length and size >= max_length:
                break
        return b"".join(out)

    def flush(self) -> bytes:
        return self._decoder.flush()


_Layer = _Zlib | _Sliced
_ZLIB: dict[str, Callable[[], _Zlib]] = {
    "gzip": lambda: _Zlib(zlib.MAX_WBITS | 16),
    "deflate": lambda: _Zlib(None),
}


class BoundedDecoder:
    """Decodes a body through its stages, none of which may produce over ``limit`` bytes
    in all (``None``: no limit); raises `LimitExceeded` as soon as one does."""

    def __init__(self, layers: list[_Layer], limit: int | None) -> None:
        self._layers = layers
        self._limit = limit
        self._produced = [0] * len(layers)

    def _count(self, index: int, data: bytes) -> bytes:
        self._produced[index] += len(data)
        if self._limit is not None and self._produced[index] > self._limit:
            raise LimitExceeded(self._limit)
        return data

    def _through(self, data: bytes, start: int) -> bytes:
        """``data`` passed through the stages from ``start`` on."""
        limit = self._limit
        for index in range(start, len(self._layers)):
            if not data:
                break
            # One byte over the limit is enough to know it is exceeded.
            budget = 0 if limit is None else limit - self._produced[index] + 1
            data = self._count(index, self._layers[index].decode(data, budget))
        return data

    def decode(self, data: bytes) -> bytes:
        """The decoded bytes of the next raw chunk."""
        return self._through(data, 0)

    def flush(self) -> bytes:
        """Whatever the stages still hold at the end of the body."""
        out = b""
        for index, layer in enumerate(self._layers):
            out += self._through(self._count(index, layer.flush()), index + 1)
        return out


def decoder_for(headers: httpx.Headers, limit: int | None) -> BoundedDecoder | None:
    """The decoder for a response's ``Content-Encoding``; ``None`` when there is nothing
    to decode (no header, identity, or only encodings httpx does not know)."""
    if "content-encoding" not in headers:
        return None
    layers: list[_Layer] = []
    for value in headers.get_list("content-encoding", split_commas=True):
        name = value.strip().lower()
        make = _ZLIB.get(name)
        if make is not None:
            layers.append(make())
        elif name != "identity" and name in SUPPORTED_DECODERS:
            layers.append(_Sliced(SUPPORTED_DECODERS[name]()))
    if not layers:
        return None
    if len(layers) > MAX_LAYERS:
        raise httpx.DecodingError(
            f"the response has {len(layers)} stacked content encodings (at most {MAX_LAYERS})"
        )
    # Encodings are listed in the order they were applied: undo them last first.
    layers.reverse()
    return BoundedDecoder(layers, limit)
