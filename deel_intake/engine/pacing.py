"""Pacing: a client-side rate limiter and exponential backoff with jitter."""

from __future__ import annotations

import random
import threading
import time
from collections import deque
from collections.abc import Callable

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
    ceiling = min(cap, base * 2.0 ** max(0, attempt - 1))
    return ceiling / 2 + rng() * ceiling / 2


class RateLimiter:
    """At most ``rate`` calls in any rolling ``window`` seconds (Deel: 5 per second per
    organization). ``margin`` widens the window a little so that calls which leave here
    evenly spaced still arrive under the limit after network jitter."""

    def __init__(
        self,
        rate: float,
        window: float = 1.0,
        *,
        margin: float = 0.02,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.rate = rate
        self.window = window + margin
        self._clock = clock
        self._slots = max(1, int(rate * window))
        self._sent: deque[float] = deque()
        self._blocked_until = 0.0
        self._lock = threading.Lock()

    def delay(self) -> float:
        """How long the next call must wait (0 when it may go now)."""
        with self._lock:
            now = self._clock()
            while self._sent and now - self._sent[0] >= self.window:
                self._sent.popleft()
            wait = max(0.0, self._blocked_until - now)
            if len(self._sent) >= self._slots:
                wait = max(wait, self._sent[0] + self.window - now)
            return wait

    def acquire(self, cancel: threading.Event | None = None) -> bool:
        """Wait for a slot and take it; ``False`` when ``cancel`` was set while waiting."""
        while True:
            wait = self.delay()
            if wait <= 0:
                with self._lock:
                    # re-check under the lock: delay() and append() must agree
                    now = self._clock()
                    if len(self._sent) < self._slots or now - self._sent[0] >= self.window:
                        if len(self._sent) >= self._slots:
                            self._sent.popleft()
                        self._sent.append(now)
                        return True
                continue
            if cancel is not None:
                if cancel.wait(wait):
                    return False
            else:
                time.sleep(wait)

    def penalize(self, seconds: float) -> None:
        """Deel said 429: send nothing for ``seconds``."""
        with self._lock:
            self._blocked_until = max(self._blocked_until, self._clock() + seconds)
