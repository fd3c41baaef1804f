"""Pacing: a client-side rate limiter and exponential backoff with jitter."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

__all__ = ["RateLimiter", "backoff_delay"]

BACKOFF_BASE = 1.0
BACKOFF_CAP = 300.0


def backoff_delay(
    attempt: int,
    *,
    base: float = BACKOFF_BASE,
    cap: float = BACKOFF_CAP,
    rng: Callable[[], float] = random.random,
) -> float:
    """Seconds to wait before attempt ``attempt + 1``: about 1 s, 2 s, 4 s … up to 5 min,
    with "equal jitter" (half fixed, half random) so many laptops don't retry in step."""
    # the exponent is capped too: 2.0 ** 1024 overflows, and retries never stop
    ceiling = min(cap, base * 2.0 ** min(max(0, attempt - 1), 30))
    return ceiling / 2 + rng() * ceiling / 2


class RateLimiter:
    """At most ``rate`` calls in any rolling ``window`` seconds (Deel: 5 per second per
    organization), counted the way the server sees them.

    A call taken with :meth:`slot` holds its place in the window from the moment it is sent
    until its answer arrives, and the window is counted from the answer: the server received
    the request somewhere in between, so a call can never land in the server's window early,
    however late the network delivered an earlier one. :meth:`acquire` alone counts from the
    moment it returns (for callers that can't say when the call ended). ``margin`` widens the
    window by a millisecond for clock granularity: counting from the answer already covers
    the network's jitter.
    """

    _IN_FLIGHT = float("inf")

    def __init__(
        self,
        rate: float,
        window: float = 1.0,
        *,
        margin: float = 0.001,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.rate = rate
        if rate * window < 1:  # fewer than one call per window: one call per 1/rate seconds
            window = 1 / rate
        self.window = window + margin
        self._clock = clock
        self._slots = max(1, int(rate * window))
        self._taken: list[list[float]] = []  # [time]; _IN_FLIGHT while the call runs
        self._blocked_until = 0.0
        self._lock = threading.Condition()

    def _prune(self, now: float) -> None:
        self._taken = [s for s in self._taken if now - s[0] < self.window]

    def delay(self) -> float:
        """How long the next call must wait (0 when it may go now)."""
        with self._lock:
            return self._delay(self._clock())

    def _delay(self, now: float) -> float:
        self._prune(now)
        wait = max(0.0, self._blocked_until - now)
        if len(self._taken) >= self._slots:
            ended = [s[0] for s in self._taken if s[0] != self._IN_FLIGHT]
            # every slot busy with a call still running: wait for one to end
            wait = max(wait, min(ended) + self.window - now if ended else 0.01)
        return wait

    def _take(self, cancel: threading.Event | None, value: float | None) -> list[float] | None:
        while True:
            with self._lock:
                now = self._clock()
                wait = self._delay(now)
                if wait <= 0:
                    slot = [now if value is None else value]
                    self._taken.append(slot)
                    return slot
            if cancel is not None:
                if cancel.wait(wait):
                    return None
            else:
                time.sleep(wait)

    def acquire(self, cancel: threading.Event | None = None) -> bool:
        """Wait for a slot and take it, counted from now; ``False`` when ``cancel`` was set
        while waiting."""
        return self._take(cancel, None) is not None

    @contextmanager
    def slot(self, cancel: threading.Event | None = None) -> Iterator[bool]:
        """``with limiter.slot(cancel) as ok:`` make one call; it counts until it ends."""
        taken = self._take(cancel, self._IN_FLIGHT)
        try:
            yield taken is not None
        finally:
            if taken is not None:
                with self._lock:
                    taken[0] = self._clock()
                    self._lock.notify_all()

    def penalize(self, seconds: float) -> None:
        """Deel said 429: send nothing for ``seconds``."""
        with self._lock:
            self._blocked_until = max(self._blocked_until, self._clock() + seconds)
