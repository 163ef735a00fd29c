"""A traceback logged (``exc_info``, ``logger.exception``) or a stack (``stack_info``) on
the loggers the client filters is redacted like the message: the exception's message,
its arguments, a chained cause, and the frames' locals a formatter might show."""

from __future__ import annotations

import io
import logging
import traceback
from collections.abc import Iterator
from types import TracebackType

import pytest

from chatkit_threads import ChatKit, _secrets
from tests.client.test_echoed_secrets import ODD_KEY
from tests.client.test_redacted_reprs import assert_hidden

LOGGERS = ("chatkit_threads", "httpx", "httpcore")


class WithLocals(logging.Formatter):
    """A formatter that shows each frame's locals (as some applications configure)."""

    def formatException(
        self,
        ei: tuple[type[BaseException], BaseException, TracebackType | None]
        | tuple[None, None, None],
    ) -> str:
        if ei[1] is None:
            return ""
        return "".join(
            traceback.TracebackException.from_exception(ei[1], capture_locals=True).format()
        )


@pytest.fixture
def outputs() -> Iterator[list[io.StringIO]]:
    """Two handlers on each filtered logger: the standard format, and one with locals.

    The one with locals runs first: logging caches the first formatted traceback on the
    record (``exc_text``), which the second handler then prints as it is."""
    streams = [io.StringIO(), io.StringIO()]
    handlers = [logging.StreamHandler(stream) for stream in streams]
    handlers[1].setFormatter(WithLocals())
    handlers.reverse()
    saved = []
    for name in LOGGERS:
        logger = logging.getLogger(name)
        saved.append((logger, logger.level, logger.propagate))
        logger.setLevel(logging.DEBUG)
        logger.propagate = False
        for handler in handlers:
            logger.addHandler(handler)
    yield streams
    for logger, level, propagate in saved:
        for handler in handlers:
            logger.removeHandler(handler)
        logger.setLevel(level)
        logger.propagate = propagate


def fail(token: str) -> None:
    secret_local = f"kept in a local: {token}"  # noqa: F841 (a formatter with locals shows it)
    known: dict[str, str] = {}
    try:
        known[token]
    except KeyError as exc:
        raise RuntimeError(f"the server refused {token}", {"token": token}) from exc


@pytest.mark.parametrize("key", ["sk-traceback-0123456789abcdef", ODD_KEY])
def test_a_logged_traceback_does_not_show_the_key(key: str, outputs: list[io.StringIO]) -> None:
    ChatKit(api_key=key).close()  # the key is known, and the filter installed
    for name in LOGGERS:
        log = logging.getLogger(name)
        try:
            fail(key)
        except RuntimeError as exc:
            log.exception("call failed for %s", key)
            log.error("again", exc_info=exc)
            log.warning("and with the stack", exc_info=True, stack_info=True)
    texts = [stream.getvalue() for stream in outputs]
    assert_hidden(texts, key)
    for text in texts:
        # The traceback is all there, the key apart: frames, message, chained cause.
        assert text.count("Traceback (most recent call last)") == 2 * 3 * len(LOGGERS)
        assert "in fail" in text and "RuntimeError: ('the server refused <redacted>'" in text
        assert "{'token': '<redacted>'}" in text
        assert "KeyError: '<redacted>'" in text and "Stack (most recent call last)" in text


def test_a_stack_carrying_the_key_is_redacted(outputs: list[io.StringIO]) -> None:
    ChatKit(api_key=ODD_KEY).close()
    logger = logging.getLogger("httpx")
    record = logger.makeRecord("httpx", logging.INFO, __file__, 1, "m", (), None)
    record.stack_info = f'Stack (most recent call last):\n  File "/srv/{ODD_KEY}/app.py"'
    logger.handle(record)
    assert_hidden([stream.getvalue() for stream in outputs], ODD_KEY)
    assert "/srv/<redacted>/app.py" in outputs[0].getvalue()


def test_before_any_key_is_known_the_record_is_left_as_it_is(
    monkeypatch: pytest.MonkeyPatch, outputs: list[io.StringIO]
) -> None:
    ChatKit(api_key="sk-install-the-filter-0123").close()
    monkeypatch.setattr(_secrets, "_known", {})
    seen: list[tuple[bool, str | None]] = []

    def look(record: logging.LogRecord) -> bool:
        seen.append((record.exc_info is not None, record.exc_text))
        return True

    logger = logging.getLogger("chatkit_threads")
    logger.addFilter(look)  # runs after the redacting filter
    try:
        try:
            fail("not-a-known-key")
        except RuntimeError:
            logger.exception("failed")
    finally:
        logger.removeFilter(look)
    assert seen == [(True, None)]
    # The locals formatter renders it its own way, from the exception itself.
    assert "kept in a local: not-a-known-key" in outputs[1].getvalue()
