"""Account-scale work: a bounded worker pool that stays inside the server's rate limits.

``run_ordered`` applies a function to a stream of threads with at most ``concurrency``
calls in flight and hands the results back *in the stream's order*, so output that is
written in that order (a manifest, a single export file, a report) is the same whatever
the concurrency. Only a bounded window of threads is held at any time: a listing is
consumed as it is walked, never materialised.

Rate limits are the pool's business, not each request's: the client is told not to
retry 429 itself (``without_rate_limit_retries``), and ``RateLimiter`` turns every 429
into a pause of the whole pool for the server's ``Retry-After`` and a halving of the
number of threads worked on at once; each run of successes raises it again by one
(additive increase, multiplicative decrease), up to ``--concurrency``.
"""

from __future__ import annotations

import contextlib
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from types import FrameType
from typing import Generic, TypeVar

import attrs

from chatkit_threads import ChatKit, RateLimitError, RetryPolicy

__all__ = [
    "Cancelled",
    "Outcome",
    "RateLimiter",
    "RetryWitness",
    "run_ordered",
    "tolerant",
    "without_rate_limit_retries",
]

T = TypeVar("T")
R = TypeVar("R")

# How many 429s in a row one call may meet before it gives up with the RateLimitError.
_PATIENCE = 50
# Results waiting to be handed back in order, per worker: room for a slow thread to
# finish while the others carry on, yet a bounded amount of memory.
_WINDOW_PER_WORKER = 4


class Cancelled(Exception):
    """The run is stopping (an error elsewhere, or Ctrl-C): leave this thread unfinished."""


RetryWitness = Callable[[str, int | None], None]
"""Told ``(method, status)`` of each failed attempt the client retries (``None``: a
connection error or timeout), on the thread that made it."""


@attrs.define(frozen=True)
class _Tolerant(RetryPolicy):
    """The client's policy, except that a ``Retry-After`` it cannot read (a date in the
    year 10**20 overflows) asks for nothing instead of raising."""

    def server_wait(self, headers: Mapping[str, str]) -> float | None:
        """The client's reading of ``Retry-After``, or ``None`` for an absurd value."""
        try:
            return super().server_wait(headers)
        except (ArithmeticError, ValueError):
            return None


def tolerant(client: ChatKit) -> ChatKit:
    """``client``, its retry policy made ``_Tolerant`` (in place; returned for chaining)."""
    if not isinstance(client.retry_policy, _Tolerant):
        client.retry_policy = _Tolerant(**attrs.asdict(client.retry_policy, recurse=False))
    return client


@attrs.define(frozen=True)
class _LeaveRateLimitsToThePool(_Tolerant):
    """A ``_Tolerant`` policy, except that a 429 is raised at once for the pool to
    handle, and each retry is told to ``witness``."""

    witness: RetryWitness | None = None

    def should_retry_status(self, method: str, status: int) -> bool:
        """Every retryable status but 429."""
        retry = status != 429 and super().should_retry_status(method, status)
        if retry and self.witness is not None:
            self.witness(method, status)
        return retry

    def should_retry_error(self, method: str) -> bool:
        """As the client's policy says."""
        retry = super().should_retry_error(method)
        if retry and self.witness is not None:
            self.witness(method, None)
        return retry


def without_rate_limit_retries(client: ChatKit, witness: RetryWitness | None = None) -> ChatKit:
    """A copy of ``client`` (same connection pool and options) that raises
    ``RateLimitError`` on the first 429 instead of sleeping and retrying on its own
    (and tells ``witness`` about each retry it makes)."""
    copy = client.with_options()
    fields = attrs.asdict(client.retry_policy, recurse=False)
    fields.pop("witness", None)
    fields["witness"] = witness
    copy.retry_policy = _LeaveRateLimitsToThePool(**fields)
    return copy


class RateLimiter:
    """Admits at most ``limit`` calls at once; ``limit`` moves between 1 and ``ceiling``.

    A 429 pauses every new call until its ``Retry-After`` has passed and halves the
    limit (once per pause, however many workers met it); ``ceiling`` successes in a row
    raise it by one. ``stop()`` makes every waiting and later call raise ``Cancelled``.
    """

    def __init__(
        self,
        ceiling: int,
        policy: RetryPolicy,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if ceiling < 1:
            raise ValueError(f"concurrency must be at least 1, got {ceiling}")
        self.ceiling = ceiling
        self.limit = ceiling
        self.policy = policy
        self.rate_limited = 0
        """How many 429 answers the run met (each one retried)."""
        self.lowest_limit = ceiling
        """The lowest the limit went (1 after a storm of 429s)."""
        self._clock = clock
        self._active = 0
        self._streak = 0
        self._paused_until = 0.0
        self._stopped = False
        self.reason: BaseException | None = None
        """What stopped the run, when a call's failure did."""
        self._changed = threading.Condition()

    def stop(self, reason: BaseException | None = None) -> None:
        """Cancel every call not yet admitted (the first ``reason`` given is kept)."""
        with self._changed:
            self._stopped = True
            if self.reason is None:
                self.reason = reason
            self._changed.notify_all()

    @property
    def stopped(self) -> bool:
        """Whether ``stop()`` was called."""
        return self._stopped

    def call(self, function: Callable[[], R]) -> R:
        """Run ``function`` within the limit, again after each 429 once the pause is over."""
        refusals = 0
        while True:
            self._admit()
            try:
                result = function()
            except RateLimitError as exc:
                refusals += 1
                self._refused(exc, refusals)
                if refusals >= _PATIENCE:
                    raise
                continue
            except BaseException:
                self._leave()
                raise
            self._succeeded()
            return result

    def _admit(self) -> None:
        with self._changed:
            while True:
                if self._stopped:
                    raise Cancelled
                wait = self._paused_until - self._clock()
                if wait > 0:
                    self._changed.wait(wait)
                elif self._active >= self.limit:
                    self._changed.wait()
                else:
                    self._active += 1
                    return

    def _leave(self) -> None:
        with self._changed:
            self._active -= 1
            self._changed.notify_all()

    def _refused(self, exc: RateLimitError, refusals: int) -> None:
        wait = self.policy.server_wait(exc.response.headers)
        if wait is None:
            wait = self.policy.delay(refusals - 1)
        with self._changed:
            self._active -= 1
            self.rate_limited += 1
            self._streak = 0
            now = self._clock()
            if now >= self._paused_until:
                # The first 429 of a pause halves the limit; the others in flight with it
                # were sent under the same limit and say nothing new.
                self.limit = max(1, self.limit // 2)
                self.lowest_limit = min(self.lowest_limit, self.limit)
            self._paused_until = max(self._paused_until, now + wait)
            self._changed.notify_all()

    def _succeeded(self) -> None:
        with self._changed:
            self._active -= 1
            self._streak += 1
            if self._streak >= self.ceiling and self.limit < self.ceiling:
                self.limit += 1
                self._streak = 0
            self._changed.notify_all()


class Outcome(Generic[R]):
    """A finished call: its result, or the exception it raised."""

    __slots__ = ("_future",)

    def __init__(self, future: Future[R]) -> None:
        self._future = future

    @property
    def error(self) -> BaseException | None:
        """The exception the call raised, if it did."""
        return self._future.exception()

    def get(self) -> R:
        """The result; re-raises the call's exception."""
        return self._future.result()


def _settle(future: Future[R]) -> Outcome[R]:
    future.exception()  # waits (Ctrl-C still gets through: lock waits are interruptible)
    return Outcome(future)


def run_ordered(
    items: Iterable[T],
    work: Callable[[T], R],
    done: Callable[[T, Outcome[R]], None],
    limiter: RateLimiter,
    fatal: Callable[[BaseException], bool] = lambda exc: True,
) -> None:
    """Call ``work(item)`` for every item on up to ``limiter.ceiling`` worker threads,
    and ``done(item, outcome)`` on this thread in the items' order.

    ``work`` runs inside ``limiter.call`` (429s are paused on and retried). When it
    raises an exception that is ``fatal``, when ``done`` raises, or on Ctrl-C, the pool
    stops at once: calls in flight get ``Cancelled`` at their next request, queued ones
    never start, and the first failure propagates (once ``done`` has seen every outcome
    before it). On Ctrl-C, the calls that were in flight are waited for and ``done``
    still sees each one that finished, so what was done is reported.
    """
    pending: deque[tuple[T, Future[R]]] = deque()
    window = limiter.ceiling * _WINDOW_PER_WORKER
    # Each call's end as its worker saw it, by position in the stream, for a report
    # after Ctrl-C; `handed` counts the positions done() has seen. (Ctrl-C can land
    # between a submit and its append to `pending`: this record does not depend on it.)
    ended: dict[int, tuple[T, Future[R]]] = {}
    handed = 0

    def guarded(position: int, item: T) -> R:
        record: Future[R] = Future()
        try:
            result = limiter.call(lambda: work(item))
        except Cancelled:
            raise
        except BaseException as exc:
            if fatal(exc):
                limiter.stop(exc)
            record.set_exception(exc)
            ended[position] = (item, record)
            raise
        record.set_result(result)
        ended[position] = (item, record)
        return result

    def hand_back() -> None:
        nonlocal handed
        # The head leaves the queue only once settled (Ctrl-C may land while waiting).
        head, future = pending[0]
        outcome = _settle(future)
        pending.popleft()
        handed += 1
        with deferral.holding():  # a Ctrl-C now waits until done() has reported it
            done(head, outcome)

    pool = ThreadPoolExecutor(max_workers=limiter.ceiling, thread_name_prefix="chatkit")
    deferral = _Deferral()
    restore = deferral.install()
    try:
        for position, item in enumerate(items):
            pending.append((item, pool.submit(guarded, position, item)))
            while len(pending) >= window or (pending and pending[0][1].done()):
                hand_back()
        while pending:
            hand_back()
    except Cancelled:
        if limiter.reason is not None:
            raise limiter.reason from None
        raise
    except BaseException as exc:
        limiter.stop(exc)
        if isinstance(exc, KeyboardInterrupt):
            pool.shutdown(wait=True, cancel_futures=True)
            _report_finished([ended[key] for key in sorted(ended) if key >= handed], done)
        raise
    finally:
        restore()
        limiter.stop()
        pool.shutdown(wait=True, cancel_futures=True)


class _Deferral:
    """Holds back a Ctrl-C that lands while ``done`` reports an outcome, raising it as
    soon as ``done`` returns, so that a finished call is never half reported. Elsewhere
    Ctrl-C raises at once, as usual (interrupting a wait for a worker)."""

    def __init__(self) -> None:
        self._holding = False
        self._held = False

    def install(self) -> Callable[[], None]:
        """Take over SIGINT (in the main thread, if Python's own handler has it);
        returns what puts the previous handler back."""
        if threading.current_thread() is not threading.main_thread() or (
            signal.getsignal(signal.SIGINT) is not signal.default_int_handler
        ):
            return lambda: None
        previous = signal.signal(signal.SIGINT, self._handle)

        def restore() -> None:
            signal.signal(signal.SIGINT, previous)

        return restore

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        if self._holding:
            self._held = True
        else:
            raise KeyboardInterrupt

    @contextlib.contextmanager
    def holding(self) -> Iterator[None]:
        """Hold Ctrl-C back for the block; raise it at the end if one came."""
        self._holding = True
        try:
            yield
        finally:
            self._holding = False
        if self._held:
            self._held = False
            raise KeyboardInterrupt


def _report_finished(
    finished: list[tuple[T, Future[R]]], done: Callable[[T, Outcome[R]], None]
) -> None:
    """After Ctrl-C (every worker stopped): hand back each call that did finish, in
    order; a failure of ``done`` itself is not reported (the interruption propagates)."""
    for item, future in finished:
        try:
            done(item, Outcome(future))
        except Exception:
            continue
