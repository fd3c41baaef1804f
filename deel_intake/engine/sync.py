"""The sync engine: sends the outbox to Deel, oldest first, exactly once, under Deel's limit.

One run (:meth:`SyncEngine.run_once`) holds the outbox's lock file, so two copies of the app
never sync the same outbox at once. For each capture with work due:

1. It is marked ``sending`` and committed before any request leaves.
2. If an earlier attempt's outcome is unknown (timeout, dropped connection, 5xx, a crash
   mid-send), the email is looked up in Deel first; a match is linked, not created again.
3. ``POST /ats/candidates`` with ``Idempotency-Key`` = the capture's UUID.
4. Deel's id is written in the same transaction as the new status.
5. The source (``PATCH``) is its own resumable step.

Transient failures are retried with exponential backoff and jitter, forever; nothing is
ever deleted. A rejected token pauses the whole queue until the token changes.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final

from deel_intake.api import errors as e
from deel_intake.engine.pacing import RateLimiter, backoff_delay
from deel_intake.storage.lock import FileLock
from deel_intake.storage.outbox import Capture, Outbox, Status

if TYPE_CHECKING:
    from deel_intake.api.client import DeelClient
    from deel_intake.api.models import CreatedCandidate

__all__ = ["PAUSED_KEY", "RunReport", "SyncEngine"]

log = logging.getLogger(__name__)

PAUSED_KEY: Final = "paused_reason"
RATE_LIMIT_RETRY: Final = 1.0  # Deel sends no Retry-After: wait a second, then go on
MAX_TRANSIENT_IN_A_ROW: Final = 3  # then Deel looks down: stop this run, back off
ALREADY_SOURCE_NOTE: Final = "Already in Deel before this capture: its source was left as is."


@dataclass
class RunReport:
    """What one run did."""

    created: int = 0
    linked: int = 0  # found in Deel after an unknown outcome, or already there
    needs_attention: int = 0
    retried: int = 0
    sources_set: int = 0
    calls: int = 0
    rate_limited: int = 0
    paused: str | None = None
    offline: bool = False
    locked_out: bool = False  # another process holds the outbox
    cancelled: bool = False
    errors: list[str] = field(default_factory=list)

    def merge(self, other: RunReport) -> None:
        for name in ("created", "linked", "needs_attention", "retried", "sources_set", "calls",
                     "rate_limited"):  # fmt: skip
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.paused = self.paused or other.paused
        self.offline = self.offline or other.offline
        self.cancelled = self.cancelled or other.cancelled
        self.errors.extend(other.errors)

    @property
    def clean(self) -> bool:
        """Nothing went wrong with the network or Deel during the run."""
        return not (self.paused or self.offline or self.locked_out or self.retried)


class _StopRun(Exception):  # noqa: N818 - control flow inside the engine, never escapes
    pass


class SyncEngine:
    """Owns one outbox connection and one client; use it from one thread."""

    def __init__(
        self,
        outbox: Outbox,
        client_factory: Callable[[], DeelClient],
        *,
        limiter: RateLimiter,
        lock: FileLock | None = None,
        clock: Callable[[], float] = time.time,
        rng: Callable[[], float] = random.random,
        on_change: Callable[[str], None] | None = None,
        concurrency: int = 1,
    ) -> None:
        self.outbox = outbox
        self._client_factory = client_factory
        self._client: DeelClient | None = None
        self.limiter = limiter
        self.lock = lock or FileLock(outbox.path.with_suffix(".lock"))
        self._clock = clock
        self._rng = rng
        self._on_change = on_change or (lambda _id: None)
        self.concurrency = max(1, concurrency)
        self._local = threading.local()

    # ------------------------------------------------------------------ lifecycle
    def close(self) -> None:
        self.reset_client()
        self.lock.release()

    def reset_client(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    @property
    def _box(self) -> Outbox:
        """This thread's connection to the outbox (SQLite connections stay in one thread)."""
        box: Outbox = getattr(self._local, "box", self.outbox)
        return box

    @property
    def client(self) -> DeelClient:
        if self._client is None:
            from deel_intake.api.environments import InvalidBaseURLError

            try:
                self._client = self._client_factory()
            except InvalidBaseURLError as exc:
                # A wrong address in Settings: every capture would fail alike, so it pauses.
                raise e.NotFoundError(
                    f"The Deel address in Settings can't be used: {exc}"
                ) from None
        return self._client

    @property
    def paused_reason(self) -> str | None:
        return self.outbox.meta(PAUSED_KEY)

    def resume(self) -> None:
        """The token changed (or the recruiter asked): try again."""
        self.outbox.set_meta(PAUSED_KEY, None)

    # ------------------------------------------------------------------ a run
    def run_once(self, cancel: threading.Event | None = None) -> RunReport:
        report = RunReport()
        if self.paused_reason:
            report.paused = self.paused_reason
            return report
        if not self.lock.try_acquire():
            report.locked_out = True
            return report
        self._local.box = self.outbox
        try:
            # We hold the lock, so nobody is sending: a capture still marked "sending" was
            # left by a crash (ours or another copy's) and its outcome is unknown.
            stale = self.outbox.ids_with_status([Status.SENDING])
            if stale:
                self.outbox.recover_interrupted()
                for capture_id in stale:
                    self._on_change(capture_id)
            if self.concurrency > 1:
                self._run_concurrently(report, cancel)
            else:
                self._run_serially(report, cancel)
            if report.clean and not report.cancelled:
                self.outbox.record_sync()
        finally:
            self.lock.release()
        return report

    def _run_serially(self, report: RunReport, cancel: threading.Event | None) -> None:
        transient_in_a_row = 0
        while True:
            if cancel is not None and cancel.is_set():
                report.cancelled = True
                return
            capture = self.outbox.next_due(self._clock())
            if capture is None:
                return
            try:
                ok = self._process(capture, report, cancel)
            except _StopRun:
                return
            transient_in_a_row = 0 if ok else transient_in_a_row + 1
            if transient_in_a_row >= MAX_TRANSIENT_IN_A_ROW:
                return

    def _run_concurrently(self, report: RunReport, cancel: threading.Event | None) -> None:
        """Up to ``concurrency`` captures in flight, started oldest first, so that the
        network's latency does not bound the throughput: Deel's limit does. Each capture's
        own steps stay in order; the limiter is shared; each task has its own connection
        to the outbox."""
        from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait

        try:
            _ = self.client  # built once, here, and shared: httpx.Client is thread-safe
        except e.NotFoundError as exc:
            report.paused = exc.user_message
            self.outbox.set_meta(PAUSED_KEY, exc.user_message)
            return
        stop = threading.Event()
        in_flight: dict[Future[tuple[bool, RunReport]], str] = {}
        transient_in_a_row = 0

        def task(capture: Capture) -> tuple[bool, RunReport]:
            local = RunReport()
            self._local.box = Outbox(self.outbox.path)
            try:
                return self._process(capture, local, cancel), local
            except _StopRun:
                stop.set()
                return True, local
            finally:
                self._local.box.close()

        def collect(done: set[Future[tuple[bool, RunReport]]]) -> None:
            nonlocal transient_in_a_row
            for future in done:
                in_flight.pop(future)
                ok, local = future.result()
                report.merge(local)
                transient_in_a_row = 0 if ok else transient_in_a_row + 1
                if transient_in_a_row >= MAX_TRANSIENT_IN_A_ROW or local.offline or local.paused:
                    stop.set()

        with ThreadPoolExecutor(self.concurrency, thread_name_prefix="deel-intake-sync") as pool:
            while not stop.is_set():
                if cancel is not None and cancel.is_set():
                    report.cancelled = True
                    break
                if len(in_flight) >= self.concurrency:
                    done, _ = wait(in_flight, return_when=FIRST_COMPLETED)
                    collect(done)
                    continue
                capture = self.outbox.next_due(self._clock(), exclude=in_flight.values())
                if capture is None:
                    if not in_flight:
                        break
                    done, _ = wait(in_flight, return_when=FIRST_COMPLETED)
                    collect(done)
                    continue
                in_flight[pool.submit(task, capture)] = capture.id
            done, _ = wait(in_flight)
            collect(done)

    # ------------------------------------------------------------------ one capture
    @contextmanager
    def _call(self, report: RunReport, cancel: threading.Event | None) -> Iterator[None]:
        """One request to Deel, paced: it holds a place in the rate window until it ends."""
        with self.limiter.slot(cancel) as ok:
            if not ok:
                report.cancelled = True
                raise _StopRun
            report.calls += 1
            yield

    def _process(self, capture: Capture, report: RunReport, cancel: threading.Event | None) -> bool:
        """Do the capture's next step. ``False`` after a transient failure."""
        try:
            if capture.status.done:
                self._apply_source(capture, report, cancel)
            else:
                self._create(capture, report, cancel)
        except e.RateLimitedError:
            report.rate_limited += 1
            self.limiter.penalize(RATE_LIMIT_RETRY)
            self._back_to_waiting(capture, None, count=False)
            return True  # not a failure of this capture: try it again once the limit allows
        except (e.AuthError, e.NoTokenError) as exc:
            self._pause(capture, exc, report)
            raise _StopRun from None
        except e.NotFoundError as exc:
            # Deel does not know the address: wrong environment or URL. Every capture would
            # fail alike, so the queue pauses like for a bad token.
            self._pause(capture, exc, report)
            raise _StopRun from None
        except e.DeelError as exc:
            if not exc.transient:
                # Deel refused a step that has no refusal of its own here (a look-up answered
                # with a 400, say): the capture waits for the recruiter, the run goes on.
                self._refused(capture, exc, report)
                return True
            self._retry_later(capture, exc, report)
            if isinstance(exc, e.OfflineError):
                report.offline = True
                raise _StopRun from None
            return False
        return True

    def _create(self, capture: Capture, report: RunReport, cancel: threading.Event | None) -> None:
        self._box.mark_sending(capture.id)  # committed before any request leaves
        self._on_change(capture.id)
        if capture.needs_lookup and self._link_existing(capture, report, cancel, already=False):
            return
        try:
            with self._call(report, cancel):
                created = self.client.create_candidate(
                    capture.candidate, idempotency_key=capture.idempotency_key
                )
        except e.DuplicateEmailError as exc:
            if not self._link_existing(capture, report, cancel, already=True):
                self._box.mark_needs_attention(
                    capture.id,
                    message=(
                        "Deel says a candidate with this email exists, but it can't be found "
                        "(it may be archived). Check in Deel, then discard or edit this capture."
                    ),
                    detail=exc.support_text(),
                    field_errors={"email": "Deel says this email is already in use."},
                )
                report.needs_attention += 1
                self._on_change(capture.id)
            return
        except e.FieldRejectedError as exc:
            self._box.mark_needs_attention(
                capture.id,
                message=exc.user_message
                + ((" " + " ".join(exc.general)) if exc.fields and exc.general else ""),
                detail=exc.support_text(),
                field_errors=exc.fields,
            )
            report.needs_attention += 1
            self._on_change(capture.id)
            return
        self._box.mark_created(capture.id, created)
        report.created += 1
        self._on_change(capture.id)
        self._apply_source(self._box.get(capture.id), report, cancel)

    def _link_existing(
        self,
        capture: Capture,
        report: RunReport,
        cancel: threading.Event | None,
        *,
        already: bool,
    ) -> bool:
        """Look the email up in Deel; link the capture to the candidate found."""
        with self._call(report, cancel):
            existing: CreatedCandidate | None = self.client.find_by_email(capture.candidate.email)
        if existing is None:
            return False
        self._box.mark_created(capture.id, existing, already=already)
        report.linked += 1
        self._on_change(capture.id)
        if already:
            # Someone else's candidate: never overwrite how Deel says they came in.
            self._box.mark_source(capture.id, applied=False, error=ALREADY_SOURCE_NOTE)
            self._on_change(capture.id)
        else:
            self._apply_source(self._box.get(capture.id), report, cancel)
        return True

    def _apply_source(
        self, capture: Capture, report: RunReport, cancel: threading.Event | None
    ) -> None:
        if capture.source_applied is not None or capture.deel_id is None:
            return
        if capture.status is Status.ALREADY_IN_DEEL:
            self._box.mark_source(capture.id, applied=False, error=ALREADY_SOURCE_NOTE)
            self._on_change(capture.id)
            return
        from deel_intake.api.intake import apply_source

        with self._call(report, cancel):
            reason = apply_source(self.client, capture.deel_id, capture.candidate.source)
        self._box.mark_source(capture.id, applied=reason is None, error=reason)
        if reason is None:
            report.sources_set += 1
        self._on_change(capture.id)

    # ------------------------------------------------------------------ outcomes
    def _retry_later(self, capture: Capture, exc: e.DeelError, report: RunReport) -> None:
        current = self._box.get(capture.id)
        delay = backoff_delay(current.attempts + 1, rng=self._rng)
        self._box.mark_retry(
            capture.id,
            message=exc.user_message,
            detail=exc.support_text(),
            next_attempt_at=self._clock() + delay,
            needs_lookup=exc.outcome_unknown and not current.status.done,
        )
        report.retried += 1
        report.errors.append(exc.user_message)
        log.info("Capture %s: will retry in %.1f s (%s)", capture.id, delay, exc.support_text())
        self._on_change(capture.id)

    def _back_to_waiting(self, capture: Capture, exc: e.DeelError | None, *, count: bool) -> None:
        current = self._box.get(capture.id)
        self._box.mark_retry(
            capture.id,
            message=exc.user_message if exc else "Deel asked us to slow down; trying again.",
            detail=exc.support_text() if exc else "HTTP 429",
            next_attempt_at=0.0,
            count_attempt=count,
            needs_lookup=None if current.status.done else False,
        )
        self._on_change(capture.id)

    def _refused(self, capture: Capture, exc: e.DeelError, report: RunReport) -> None:
        current = self._box.get(capture.id)
        if current.status.done:
            self._box.mark_source(capture.id, applied=False, error=exc.user_message)
        else:
            self._box.mark_needs_attention(
                capture.id,
                message=exc.user_message,
                detail=exc.support_text(),
                field_errors=getattr(exc, "fields", {}) or {},
            )
            report.needs_attention += 1
        report.errors.append(exc.user_message)
        log.warning("Capture %s refused: %s", capture.id, exc.support_text())
        self._on_change(capture.id)

    def _pause(self, capture: Capture, exc: e.DeelError, report: RunReport) -> None:
        self._back_to_waiting(capture, exc, count=False)
        self._box.set_meta(PAUSED_KEY, exc.user_message)
        report.paused = exc.user_message
        log.warning("Sync paused: %s", exc.support_text())
