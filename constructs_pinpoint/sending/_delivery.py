"""The send loop both senders share: batches, pacing, bounded retries, a deadline.

* :class:`Pacer` keeps calls sequential and spends at most ``rate`` recipients in any
  one-second window.  A call of ``k`` entries consumes ``k``.  The window is measured from
  the *end* of earlier calls to the *start* of the next one: whatever the network delay, the
  service sees every earlier call's entries before the later call's, so no 1-s window on its
  side can hold more than ``rate`` (the guarantee needs no margin).  Calls are also spread
  evenly (``k / rate`` seconds apart) instead of bursting at the top of each second.
* :class:`Deadline` stops the send before it ends: a call starts only if the wait, the
  slowest call seen so far and a margin fit before the deadline.
* :func:`deliver` runs the batches.  Entries a backend marks as "retry now" (SES
  ACCOUNT_THROTTLED / TRANSIENT_FAILURE) and calls throttled as a whole (HTTP 429,
  TooManyRequests, Throttling) are tried again with exponential backoff, at most
  ``max_attempts`` times in all; an entry reported SUCCESS is never sent again.
"""

from __future__ import annotations

import math
import random
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from ._api import call_api
from .errors import THROTTLE_CODES, EmailApiError, SenderArgumentError
from .results import DeliveryOutcome, DeliveryResult, SendReport
from .rules import a_type
from .types import DeliveryBackend, RecipientKind

__all__ = [
    "DEFAULT_DEADLINE_MARGIN",
    "Batch",
    "Deadline",
    "Pacer",
    "check_attempts",
    "check_margin",
    "check_rate",
    "deliver",
    "resolve_deadline",
]

Clock = Callable[[], float]
Sleep = Callable[[float], None]

# Seconds kept in hand before a deadline (time to build and return the report).
DEFAULT_DEADLINE_MARGIN = 0.5
# Assumed duration of a call before one has been timed.
_FIRST_CALL_ESTIMATE = 0.5
# Backoff: base * 2**(retry-1), capped, with "equal jitter" (half fixed, half random).
_BACKOFF_BASE = 0.1
_BACKOFF_CAP = 2.0


def check_rate(value: object, argument: str) -> float | None:
    if value is None:
        return None
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or value <= 0
    ):
        raise SenderArgumentError(
            f"{argument} {value!r} is not a positive number of recipients per second "
            "(SES GetAccount SendQuota.MaxSendRate): give one, or None",
            argument,
        )
    return float(value)


def check_margin(value: object, argument: str = "deadline_margin") -> float:
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or value < 0
    ):
        raise SenderArgumentError(f"{argument} {value!r} is not a number of seconds >= 0", argument)
    return float(value)


def check_attempts(value: object, argument: str = "max_attempts") -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 20:
        raise SenderArgumentError(
            f"{argument} {value!r} is not a whole number between 1 and 20 (1 = no retries)",
            argument,
        )
    return value


class Pacer:
    """At most ``rate`` recipients in any one-second window, calls one at a time.

    ``rate`` None means unpaced (calls still run one at a time).  For a rate below 1 the
    window is ``1 / rate`` seconds and holds one recipient.  Thread-safe: concurrent sends
    through the same sender queue behind one lock.  ``clock`` and ``sleep`` are the one time
    source of a send: pacing, retry backoff and the deadline all read them.
    """

    def __init__(
        self, rate: float | None, *, clock: Clock = time.monotonic, sleep: Sleep = time.sleep
    ) -> None:
        self.rate = rate
        self.clock = clock
        self.sleep = sleep
        if rate is None:
            self.window = 1.0
            self.capacity: int | None = None
        else:
            self.window = max(1.0, 1.0 / rate)
            self.capacity = max(1, math.floor(rate * self.window + 1e-9))
        self._calls: deque[tuple[float, int]] = deque()  # (end, entries), by end
        self._in_window = 0
        self._next_start = -math.inf
        self._durations: deque[float] = deque(maxlen=32)
        self.lock = threading.Lock()

    def max_batch(self, limit: int) -> int:
        """The largest call the rate allows, at most ``limit``."""
        return limit if self.capacity is None else max(1, min(limit, self.capacity))

    def wait(self, entries: int) -> float:
        """Seconds until a call of ``entries`` may start (call with :attr:`lock` held)."""
        now = self.clock()
        if self.rate is None or self.capacity is None:
            return 0.0
        while self._calls and self._calls[0][0] <= now - self.window:
            self._in_window -= self._calls.popleft()[1]
        start = max(now, self._next_start)
        total = self._in_window + entries
        for end, count in self._calls:
            if total <= self.capacity:
                break
            # This call must leave the window: start a hair after its end + window.
            start = max(start, end + self.window + 1e-3)
            total -= count
        return max(0.0, start - now)

    def record(self, start: float, end: float, entries: int) -> None:
        """Account a finished (or failed) call (with :attr:`lock` held)."""
        self._durations.append(end - start)
        if self.rate is None:
            return
        self._calls.append((end, entries))
        self._in_window += entries
        self._next_start = start + entries / self.rate

    def call_estimate(self) -> float:
        """The slowest of the recent calls, the expected cost of the next one."""
        return max(self._durations) if self._durations else _FIRST_CALL_ESTIMATE


@dataclass(frozen=True)
class Deadline:
    """A monotonic-clock instant (or None) and the margin kept before it."""

    at: float | None
    margin: float
    clock: Clock

    def allows(self, seconds: float) -> bool:
        return self.at is None or self.clock() + seconds + self.margin <= self.at


def resolve_deadline(value: object, margin: float, clock: Clock) -> Deadline:
    """``deadline=``: None, a Lambda context, or an absolute ``time.time()`` timestamp."""
    if value is None:
        return Deadline(None, margin, clock)
    remaining = getattr(value, "get_remaining_time_in_millis", None)
    if callable(remaining):
        millis: object = remaining()
        if isinstance(millis, bool) or not isinstance(millis, int | float):
            raise SenderArgumentError(
                f"deadline.get_remaining_time_in_millis() returned {millis!r}: give a Lambda "
                "context, a time.time() timestamp, or None",
                "deadline",
            )
        return Deadline(clock() + millis / 1000.0, margin, clock)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise SenderArgumentError(
            f"deadline {value!r} is {a_type(value)}: give the Lambda context (it has "
            "get_remaining_time_in_millis), a time.time() timestamp such as time.time() + 30, "
            "or None",
            "deadline",
        )
    return Deadline(clock() + (float(value) - time.time()), margin, clock)


Parse = Callable[[tuple[int, ...], Mapping[str, Any]], dict[int, list[DeliveryResult]]]


@dataclass(frozen=True)
class Batch:
    """One API call's worth of recipients (indices into the send's recipient list)."""

    operation: str
    indices: tuple[int, ...]
    send: Callable[[tuple[int, ...]], Any]
    """Makes the call for these indices (the whole batch, or the entries being retried)."""
    parse: Parse
    """Maps the response to each index's results."""


def _backoff(retry: int, rng: random.Random) -> float:
    ceiling = min(_BACKOFF_CAP, _BACKOFF_BASE * 2.0 ** (retry - 1))
    return ceiling / 2 + rng.uniform(0, ceiling / 2)


def _is_throttle(error: EmailApiError) -> bool:
    return error.retryable and (error.http_status == 429 or error.code in THROTTLE_CODES)


class _Stop(Exception):
    """The deadline does not leave room for the next call."""


def deliver(
    *,
    backend: DeliveryBackend,
    kind: RecipientKind,
    recipients: Sequence[str],
    batches: Iterable[Batch],
    pacer: Pacer,
    deadline: Deadline,
    max_attempts: int,
    retry_entry: Callable[[DeliveryResult], bool],
    rng: random.Random | None = None,
) -> SendReport:
    """Run ``batches`` in order; one or more results per recipient, in recipient order.

    Raises :class:`EmailApiError` (with ``completed`` and ``unsent``) when a call fails as a
    whole for a reason other than throttling, or stays throttled after ``max_attempts``.
    """
    rng = rng or random.Random()
    done: dict[int, list[DeliveryResult]] = {}
    attempts: dict[int, int] = {}
    placeholders: set[int] = set()  # THROTTLED results of calls throttled as a whole
    deadline_reached = False

    def report() -> SendReport:
        results: list[DeliveryResult] = []
        for index, recipient in enumerate(recipients):
            found = done.get(index)
            if found == []:  # tried, but the response named no result for it
                found = [
                    DeliveryResult(
                        recipient=recipient,
                        recipient_kind=kind,
                        status=DeliveryOutcome.UNKNOWN_FAILURE,
                        status_message="the service returned no result for this recipient",
                    )
                ]
            if found is None:
                results.append(
                    DeliveryResult(
                        recipient=recipient,
                        recipient_kind=kind,
                        status=DeliveryOutcome.NOT_SENT,
                        status_message="not tried: the send stopped before its deadline",
                        attempts=0,
                    )
                )
            else:
                results.extend(replace(r, attempts=attempts.get(index, 1)) for r in found)
        return SendReport(tuple(results), backend, deadline_reached)

    def call(batch: Batch, indices: tuple[int, ...], extra_wait: float) -> Mapping[str, Any]:
        with pacer.lock:
            wait = pacer.wait(len(indices))
            if not deadline.allows(extra_wait + wait + pacer.call_estimate()):
                raise _Stop
            if extra_wait + wait > 0:
                pacer.sleep(extra_wait + wait)
            for index in indices:
                attempts[index] = attempts.get(index, 0) + 1
            start = pacer.clock()
            try:
                return call_api(
                    lambda: batch.send(indices),
                    backend=backend,
                    operation=batch.operation,
                    completed=(),
                    unsent=(),
                )
            finally:
                pacer.record(start, pacer.clock(), len(indices))

    def fail(error: EmailApiError) -> EmailApiError:
        for index in placeholders:
            done.pop(index, None)
        completed = [r for index in sorted(done) for r in done[index]]
        unsent = tuple(recipients[i] for i in range(len(recipients)) if i not in done)
        return error.with_progress(SendReport(tuple(completed), backend), unsent)

    try:
        for batch in batches:
            pending = batch.indices
            retry = 0
            while pending:
                backoff = _backoff(retry, rng) if retry else 0.0
                try:
                    response = call(batch, pending, backoff)
                except EmailApiError as error:
                    if not _is_throttle(error):
                        raise fail(error) from error.__cause__
                    retry += 1
                    if retry >= max_attempts:
                        raise fail(error) from error.__cause__
                    placeholders.update(pending)
                    for index in pending:
                        # Replaced by the retry; kept if the deadline stops it.
                        done[index] = [
                            DeliveryResult(
                                recipient=recipients[index],
                                recipient_kind=kind,
                                status=DeliveryOutcome.THROTTLED,
                                status_message=f"the call was throttled ({error.code})",
                                status_code=error.http_status,
                            )
                        ]
                    continue
                parsed = batch.parse(pending, response)
                done.update(parsed)
                placeholders.difference_update(parsed)
                retry += 1
                if retry >= max_attempts:
                    break
                pending = tuple(
                    index
                    for index in pending
                    if parsed.get(index) and all(retry_entry(r) for r in parsed[index])
                )
    except _Stop:
        deadline_reached = True
    return report()
