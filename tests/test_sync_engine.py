"""The sync engine against the real loopback stand-in of Deel's API, over real HTTP, with
a real outbox file: offline, unknown outcomes, rate limits, revoked tokens, refusals and
duplicates. Every test checks the two promises: nothing is lost, nothing is sent twice.

Backoff is real; a ``Clock`` the test moves forward makes the retries due at once instead of
waiting for them. The tests that matter most run both one capture at a time and with four
in flight (``concurrency=4``, what the app and ``sync`` use).
"""

from __future__ import annotations

import random
import socket
import sqlite3
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from deel_intake.api.client import DeelClient
from deel_intake.domain.candidate import Candidate, CandidateDraft, validate_draft
from deel_intake.engine.pacing import BACKOFF_CAP, RateLimiter, backoff_delay
from deel_intake.engine.sync import ALREADY_SOURCE_NOTE, RunReport, SyncEngine
from deel_intake.standin import ALL_SCOPES, Fault, LoggedRequest, StandIn, StandInConfig
from deel_intake.storage.outbox import FILE_NAME, Outbox, Status
from tests.conftest import TOKEN

TOKEN_REJECTED = "Deel rejected the token — update it in Settings."
SERIAL_AND_CONCURRENT = pytest.mark.parametrize(
    "concurrency", [pytest.param(1, id="serial"), pytest.param(4, id="concurrent")]
)
OFFLINE = "Can't reach Deel — check the Wi-Fi. Nothing was sent."


# ---------------------------------------------------------------------- helpers
class Clock:
    """Wall-clock time plus an offset the test moves forward (the engine's ``clock=``)."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset

    def advance(self, seconds: float = BACKOFF_CAP + 1) -> None:
        self.offset += seconds


def make_candidate(n: int | str, *, first: str = "Test", last: str | None = None) -> Candidate:
    draft = CandidateDraft(
        first_name=first,
        last_name=last or f"Person {n}",
        email=f"person{n}@example.com",
        source="sourced_internally",
    )
    return validate_draft(draft, region="US")


def closed_port_url() -> str:
    """A loopback address where nothing listens (connection refused: offline)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/rest/v2"


@contextmanager
def engine_for(
    path: Path,
    base_url: str,
    *,
    rate: float = 1000,
    clock: Callable[[], float] = time.time,
    timeout: httpx.Timeout | None = None,
    on_change: Callable[[str], None] | None = None,
    concurrency: int = 1,
) -> Iterator[SyncEngine]:
    def factory() -> DeelClient:
        if timeout is None:
            return DeelClient(base_url, lambda: TOKEN)
        return DeelClient(base_url, lambda: TOKEN, timeout=timeout)

    engine = SyncEngine(
        Outbox(path),
        factory,
        limiter=RateLimiter(rate),
        clock=clock,
        on_change=on_change,
        concurrency=concurrency,
    )
    try:
        yield engine
    finally:
        engine.close()
        engine.outbox.close()


def add_captures(outbox: Outbox, count: int, *, start: int = 0) -> list[str]:
    return [outbox.add(make_candidate(start + i)).id for i in range(count)]


def run_until_settled(engine: SyncEngine, clock: Clock, *, max_runs: int = 12) -> list[RunReport]:
    """Run, move the clock past every backoff, run again, until no work is left."""
    reports = []
    for _ in range(max_runs):
        reports.append(engine.run_once())
        if engine.outbox.next_wakeup() is None:
            return reports
        clock.advance()
    pytest.fail(f"work still due after {max_runs} runs: {engine.outbox.counts()}")


def posts(stand_in: StandIn) -> list[LoggedRequest]:
    return [
        r
        for r in stand_in.request_log()
        if r.method == "POST" and r.path.endswith("/ats/candidates")
    ]


def assert_each_in_deel_once(stand_in: StandIn, outbox: Outbox, *, sources: bool = True) -> None:
    """Every capture (trash aside) is in Deel exactly once, linked to the stored candidate,
    and the stand-in holds nothing else."""
    stored = stand_in.candidates_snapshot()
    per_email = Counter(str(c["email"]).casefold() for c in stored)
    assert all(n == 1 for n in per_email.values()), f"duplicates in Deel: {per_email}"
    by_email = {str(c["email"]).casefold(): c for c in stored}
    captures = outbox.all(include_discarded=False)
    assert {c.candidate.email_key for c in captures} == set(by_email)
    for capture in captures:
        held = by_email[capture.candidate.email_key]
        assert capture.status.done, capture
        assert capture.deel_id == held["id"]
        assert capture.deel_numeric_id == held["numeric_id"]
        if sources and capture.status is Status.IN_DEEL:
            assert capture.source_applied is True, capture
            assert held["source"] == "SOURCED_INTERNALLY"


# ---------------------------------------------------------------------- pacing: limiter
class FakeClock:
    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_limiter_never_allows_more_than_rate_in_any_window() -> None:
    clock = FakeClock()
    limiter = RateLimiter(5, clock=clock)
    rng = random.Random(11)
    taken: list[float] = []
    end = clock.now + 30
    while clock.now < end:
        wait = limiter.delay()
        if wait > 0:
            # just past the wait: exactly at the boundary delay() says 0 while acquire()'s
            # own check (now - first >= window) may still refuse, by a rounding error
            clock.now += wait + 1e-9
            continue
        assert limiter.acquire()  # a free slot: taken without waiting
        taken.append(clock.now)
        clock.now += rng.choice([0.0, 0.0, rng.uniform(0, 0.01), rng.uniform(0.1, 0.8)])
    for i, start in enumerate(taken):
        in_window = [t for t in taken[i:] if t - start < 1.0]
        assert len(in_window) <= 5, (start, in_window)
        # the margin widens the window a little: 5 per 1.02 s
        assert len([t for t in taken[i:] if t - start < limiter.window]) <= 5
    assert len(taken) >= 100  # and the limit is used, not wasted


def test_limiter_penalty_blocks_until_it_has_passed() -> None:
    clock = FakeClock()
    limiter = RateLimiter(5, clock=clock)
    assert limiter.delay() == 0
    assert limiter.acquire()
    limiter.penalize(1.0)
    assert limiter.delay() == pytest.approx(1.0)
    cancel = threading.Event()
    cancel.set()
    assert limiter.acquire(cancel) is False  # would have to wait: cancelled instead
    clock.now += 0.4
    assert limiter.delay() == pytest.approx(0.6)
    limiter.penalize(0.1)  # a shorter penalty does not shorten the running one
    assert limiter.delay() == pytest.approx(0.6)
    clock.now += 0.6
    assert limiter.delay() == 0
    assert limiter.acquire(cancel)  # no wait needed: not cancelled


def test_a_call_holds_its_place_until_it_ends() -> None:
    """A call in flight occupies its slot; once it ends it counts from its end (Deel received
    it somewhere before that), so a slow call can't let the next ones crowd its second."""
    clock = FakeClock()
    limiter = RateLimiter(2, clock=clock)
    with limiter.slot() as first:
        assert first
        with limiter.slot() as second:
            assert second
            assert limiter.delay() > 0  # both slots busy: nothing may start
            clock.now += 3.0
        assert limiter.delay() == pytest.approx(limiter.window)  # counted from its end
        clock.now += 0.5
    assert limiter.delay() == pytest.approx(limiter.window - 0.5)
    clock.now += limiter.window - 0.5 + 1e-9
    assert limiter.delay() == 0
    with limiter.slot() as third:
        assert third
        # the first call, which ended half a second after the second, holds its place longer
        assert limiter.delay() == pytest.approx(0.5)


def test_a_cancelled_slot_is_not_taken() -> None:
    clock = FakeClock()
    limiter = RateLimiter(1, clock=clock)
    cancel = threading.Event()
    cancel.set()
    with limiter.slot(cancel) as ok:
        assert ok  # free: taken without waiting
    with limiter.slot(cancel) as ok:
        assert not ok  # would have to wait: cancelled
    clock.now += limiter.window + 1e-9
    assert limiter.delay() == 0  # the cancelled attempt took nothing


def test_limiter_waits_in_real_time() -> None:
    limiter = RateLimiter(10, window=0.2, margin=0.0)  # two calls per 0.2 s
    started = time.monotonic()
    for _ in range(3):
        assert limiter.acquire()
    assert time.monotonic() - started >= 0.19  # the third call waited for the window


def test_limiter_rejects_a_rate_of_zero() -> None:
    with pytest.raises(ValueError, match="rate must be positive"):
        RateLimiter(0)


def test_limiter_honours_a_rate_below_one_per_second() -> None:
    clock = FakeClock()
    limiter = RateLimiter(0.5, clock=clock)
    taken = 0
    end = clock.now + 20
    while clock.now < end:
        wait = limiter.delay()
        if wait > 0:
            # just past the wait: exactly at the boundary delay() says 0 while acquire()'s
            # own check (now - first >= window) may still refuse, by a rounding error
            clock.now += wait + 1e-9
            continue
        assert limiter.acquire()
        taken += 1
    assert taken <= 0.5 * 20 + 1  # one call per two seconds, not one per window
    assert taken >= 0.5 * 20 - 1


# ---------------------------------------------------------------------- pacing: backoff
@pytest.mark.parametrize(
    ("attempt", "ceiling"),
    [(0, 1), (1, 1), (2, 2), (3, 4), (4, 8), (5, 16), (9, 256), (10, 300), (11, 300), (60, 300)],
)
def test_backoff_doubles_up_to_five_minutes(attempt: int, ceiling: float) -> None:
    assert backoff_delay(attempt, rng=lambda: 0.0) == ceiling / 2
    assert backoff_delay(attempt, rng=lambda: 1.0) == ceiling
    rng = random.Random(attempt)
    delays = [backoff_delay(attempt, rng=rng.random) for _ in range(200)]
    assert all(ceiling / 2 <= d <= ceiling for d in delays)
    assert len(set(delays)) > 100  # jittered: laptops do not retry in step


def test_backoff_after_very_many_attempts_stays_capped() -> None:
    assert BACKOFF_CAP / 2 <= backoff_delay(1025) <= BACKOFF_CAP


# ---------------------------------------------------------------------- offline, then online
@SERIAL_AND_CONCURRENT
def test_offline_then_online_sends_each_capture_exactly_once(
    stand_in: StandIn, tmp_path: Path, concurrency: int
) -> None:
    path = tmp_path / FILE_NAME
    with engine_for(path, closed_port_url(), concurrency=concurrency) as engine:
        ids = add_captures(engine.outbox, 3)
        before = time.time()
        report = engine.run_once()
        assert report.offline
        assert not report.clean
        assert report.created == 0
        first = engine.outbox.get(ids[0])
        assert first.status is Status.WAITING
        assert first.last_error == OFFLINE
        assert first.last_error is not None
        assert first.last_error.startswith("Can't reach Deel")
        assert first.attempts == 1
        assert first.next_attempt_at > before
        assert not first.needs_lookup  # nothing reached Deel: nothing to look up
        if concurrency == 1:
            # the run stopped at the first sign of being offline; the rest wait untouched
            for capture_id in ids[1:]:
                assert engine.outbox.get(capture_id).attempts == 0
        for capture in engine.outbox.all():
            assert capture.status is Status.WAITING
            assert capture.attempts <= 1
            assert capture.last_error in (None, OFFLINE)
        counts = engine.outbox.counts()
        assert (counts.waiting, counts.total) == (3, 3)
        assert engine.outbox.last_sync_at is None
    assert stand_in.request_log() == []

    clock = Clock()
    with engine_for(path, stand_in.base_url, clock=clock, concurrency=concurrency) as engine:
        # the first capture backs off for a second; the others go at once
        reports = run_until_settled(engine, clock)
        assert sum(r.created for r in reports) == 3
        assert reports[-1].clean
        assert_each_in_deel_once(stand_in, engine.outbox)
        assert engine.outbox.counts().in_deel == 3
        assert engine.outbox.last_sync_at is not None
        for capture in engine.outbox.all():
            assert capture.last_error is None
    assert len(posts(stand_in)) == 3


def test_offline_after_very_many_attempts_still_backs_off(tmp_path: Path) -> None:
    path = tmp_path / FILE_NAME
    with engine_for(path, closed_port_url()) as engine:
        (capture_id,) = add_captures(engine.outbox, 1)
    db = sqlite3.connect(path)
    try:
        db.execute("UPDATE captures SET attempts = 1024")
        db.commit()
    finally:
        db.close()
    with engine_for(path, closed_port_url()) as engine:
        before = time.time()
        report = engine.run_once()
        assert report.offline
        capture = engine.outbox.get(capture_id)
        assert capture.status is Status.WAITING
        assert before < capture.next_attempt_at <= time.time() + BACKOFF_CAP


# ---------------------------------------------------------------------- unknown outcomes
def test_dropped_after_store_is_looked_up_not_sent_again(stand_in: StandIn, tmp_path: Path) -> None:
    clock = Clock()
    with engine_for(tmp_path / FILE_NAME, stand_in.base_url, clock=clock) as engine:
        (capture_id,) = add_captures(engine.outbox, 1)
        stand_in.inject(Fault.drop_after_store())
        report = engine.run_once()
        assert report.retried == 1
        capture = engine.outbox.get(capture_id)
        assert capture.status is Status.WAITING
        assert capture.needs_lookup  # the outcome is unknown
        assert capture.last_error == "The connection to Deel dropped before it answered."
        assert len(stand_in.candidates_snapshot()) == 1  # Deel did store it
        clock.advance()
        report = engine.run_once()
        assert report.linked == 1
        assert report.created == 0
        capture = engine.outbox.get(capture_id)
        assert capture.status is Status.IN_DEEL  # ours, not "already in Deel"
        assert not capture.needs_lookup
        assert_each_in_deel_once(stand_in, engine.outbox)
    assert len(posts(stand_in)) == 1
    methods = [r.method for r in stand_in.request_log()]
    assert methods == ["POST", "GET", "PATCH"]  # create (dropped), look up, set the source


@pytest.mark.parametrize(
    ("fault", "stored"),
    [
        pytest.param(Fault.server_error(method="POST"), False, id="500"),
        pytest.param(Fault.html_error(502, method="POST"), False, id="html-502"),
        pytest.param(Fault.html_error(200, method="POST"), False, id="html-200"),
        pytest.param(Fault.empty(method="POST"), False, id="empty-200"),
        pytest.param(Fault.drop_before_store(), False, id="dropped-before-store"),
        pytest.param(Fault.slow(1.5, method="POST"), True, id="timeout"),
    ],
)
@SERIAL_AND_CONCURRENT
def test_transient_failures_are_retried_never_duplicated(
    stand_in: StandIn, tmp_path: Path, fault: Fault, stored: bool, concurrency: int
) -> None:
    clock = Clock()
    with engine_for(
        tmp_path / FILE_NAME,
        stand_in.base_url,
        clock=clock,
        timeout=httpx.Timeout(0.3),
        concurrency=concurrency,
    ) as engine:
        ids = add_captures(engine.outbox, 3)
        stand_in.inject(fault)
        first = engine.run_once()
        assert first.retried >= 1
        # the capture whose create met the fault: the oldest, when one goes at a time
        failed = [c for c in engine.outbox.all() if c.attempts]
        assert failed
        if concurrency == 1:
            assert failed[0].id == ids[0]
        for capture in failed:
            assert capture.status is Status.WAITING
            assert capture.last_error
            assert capture.needs_lookup  # whatever happened, it may be in Deel: look first
        if stored:
            # the slow request goes on at Deel after we gave up: wait until it is stored so
            # the retry finds it by its email
            deadline = time.monotonic() + 10
            while len(stand_in.candidates_snapshot()) < 3 and time.monotonic() < deadline:
                time.sleep(0.02)
        clock.advance()
        reports = [first, *run_until_settled(engine, clock)]
        assert_each_in_deel_once(stand_in, engine.outbox)
        assert sum(r.created + r.linked for r in reports) == 3
        if stored:
            assert sum(r.linked for r in reports) >= 1
    keys = Counter(r.idempotency_key for r in posts(stand_in))
    assert set(keys) == set(ids)  # only ever the capture's own key
    assert len(stand_in.candidates_snapshot()) == 3


def test_repeated_server_errors_stop_the_run_and_back_off(
    stand_in: StandIn, tmp_path: Path
) -> None:
    clock = Clock()
    with engine_for(tmp_path / FILE_NAME, stand_in.base_url, clock=clock) as engine:
        ids = add_captures(engine.outbox, 5)
        stand_in.inject(*[Fault.server_error() for _ in range(10)])
        before = clock()
        report = engine.run_once()
        after = clock()
        # three failures in a row: Deel looks down, the run stops and leaves the rest
        assert report.retried == 3
        assert [engine.outbox.get(i).attempts for i in ids] == [1, 1, 1, 0, 0]
        for capture_id in ids[:3]:
            due = engine.outbox.get(capture_id).next_attempt_at
            assert before + 0.5 <= due <= after + 1.0  # first retry: after 0.5-1 s
        reports = run_until_settled(engine, clock, max_runs=20)
        assert_each_in_deel_once(stand_in, engine.outbox)
        assert sum(r.created + r.linked for r in reports) == 5
        grown = [c.attempts for c in engine.outbox.all()]
        assert max(grown) >= 2


# ---------------------------------------------------------------------- Deel's rate limit
@pytest.mark.slow
def test_a_burst_of_429s_loses_and_duplicates_nothing(tmp_path: Path) -> None:
    """The engine set far above Deel's limit: Deel answers 429, the engine slows down."""
    config = StandInConfig(tokens={TOKEN: ALL_SCOPES}, rate_limit=5)
    clock = Clock()
    with (
        StandIn(config) as server,
        engine_for(tmp_path / FILE_NAME, server.base_url, rate=50, clock=clock) as engine,
    ):
        add_captures(engine.outbox, 8)
        reports = run_until_settled(engine, clock)
        assert sum(r.rate_limited for r in reports) >= 1
        assert server.count(429) >= 1
        assert_each_in_deel_once(server, engine.outbox)
        assert len(server.candidates_snapshot()) == 8
        assert all(c.attempts == 0 for c in engine.outbox.all())  # a 429 is no failure
        assert len(posts(server)) == 8 + sum(
            1 for r in server.request_log() if r.status == 429 and r.method == "POST"
        )


@pytest.mark.slow
def test_the_engine_at_deels_limit_gets_no_429(tmp_path: Path) -> None:
    config = StandInConfig(tokens={TOKEN: ALL_SCOPES}, rate_limit=5)
    clock = Clock()
    with (
        StandIn(config) as server,
        engine_for(tmp_path / FILE_NAME, server.base_url, rate=5, clock=clock) as engine,
    ):
        add_captures(engine.outbox, 12)
        assert engine.client is not None  # built before the first slot is taken: see below
        reports = run_until_settled(engine, clock)
        assert_each_in_deel_once(server, engine.outbox)
        assert server.count(429) == 0
        assert server.max_requests_in_window() <= 5
        assert sum(r.calls for r in reports) == 24  # 12 creates, 12 sources, nothing repeated


def _slow_factory(base_url: str, seconds: float) -> Callable[[], DeelClient]:
    """A client that takes a while to set up, like one whose CA bundle loads on a busy
    laptop (building a DeelClient here already takes 20-35 ms)."""

    def factory() -> DeelClient:
        time.sleep(seconds)
        return DeelClient(base_url, lambda: TOKEN)

    return factory


def test_a_fresh_engine_at_deels_limit_gets_no_429(tmp_path: Path) -> None:
    """The first call's slot must not count from before its client existed: the sixth call
    would then reach Deel less than a second after the first."""
    config = StandInConfig(tokens={TOKEN: ALL_SCOPES}, rate_limit=5)
    with StandIn(config) as server:
        engine = SyncEngine(
            Outbox(tmp_path / FILE_NAME),
            _slow_factory(server.base_url, 0.1),
            limiter=RateLimiter(5),
        )
        try:
            add_captures(engine.outbox, 3)
            engine.run_once()
        finally:
            engine.close()
            engine.outbox.close()
        assert server.count(429) == 0


@pytest.mark.slow
def test_four_in_flight_at_deels_limit_get_no_429(tmp_path: Path) -> None:
    """With latency, calls overlap: the limiter must count the ones still in flight."""
    config = StandInConfig(tokens={TOKEN: ALL_SCOPES}, rate_limit=5, latency=0.05)
    clock = Clock()
    with (
        StandIn(config) as server,
        engine_for(
            tmp_path / FILE_NAME, server.base_url, rate=5, clock=clock, concurrency=4
        ) as engine,
    ):
        add_captures(engine.outbox, 12)
        reports = run_until_settled(engine, clock)
        assert_each_in_deel_once(server, engine.outbox)
        assert server.count(429) == 0
        assert server.max_requests_in_window() <= 5
        assert sum(r.calls for r in reports) == 24


@pytest.mark.slow
def test_four_in_flight_far_above_deels_limit_lose_and_duplicate_nothing(tmp_path: Path) -> None:
    config = StandInConfig(tokens={TOKEN: ALL_SCOPES}, rate_limit=5, latency=0.02)
    clock = Clock()
    with (
        StandIn(config) as server,
        engine_for(
            tmp_path / FILE_NAME, server.base_url, rate=50, clock=clock, concurrency=4
        ) as engine,
    ):
        add_captures(engine.outbox, 10)
        reports = run_until_settled(engine, clock)
        assert server.count(429) >= 1
        assert sum(r.rate_limited for r in reports) == server.count(429)
        assert_each_in_deel_once(server, engine.outbox)
        assert all(c.attempts == 0 for c in engine.outbox.all())


# ---------------------------------------------------------------------- the token
@SERIAL_AND_CONCURRENT
def test_a_token_revoked_mid_run_pauses_the_queue(
    stand_in: StandIn, tmp_path: Path, concurrency: int
) -> None:
    revoked_after: list[str] = []

    def revoke_after_two(_capture_id: str) -> None:
        sourced = [c for c in stand_in.candidates_snapshot() if c["source"]]
        if not revoked_after and len(sourced) >= 2:
            stand_in.set_tokens({})
            revoked_after.extend(c["email"] for c in sourced)

    with engine_for(
        tmp_path / FILE_NAME,
        stand_in.base_url,
        on_change=revoke_after_two,
        concurrency=concurrency,
    ) as engine:
        ids = add_captures(engine.outbox, 8)
        report = engine.run_once()
        assert revoked_after, "the token was never revoked"
        assert report.paused == TOKEN_REJECTED
        assert engine.paused_reason == TOKEN_REJECTED
        counts = engine.outbox.counts()
        assert counts.total == 8
        assert counts.sending == counts.needs_attention == 0
        assert counts.in_deel + counts.waiting == 8  # nothing lost
        assert counts.waiting >= 1
        if concurrency == 1:
            assert report.created == 2
            assert (counts.in_deel, counts.waiting) == (2, 6)
            stopped_at = engine.outbox.get(ids[2])
            assert stopped_at.status is Status.WAITING
            assert stopped_at.attempts == 0  # the token's fault, not the capture's
            assert stopped_at.last_error == TOKEN_REJECTED
        for capture in engine.outbox.all():
            assert capture.attempts == 0
            assert capture.last_error in (None, TOKEN_REJECTED)
        assert engine.outbox.last_sync_at is None

        # paused: a run sends nothing until the token changes
        seen = len(stand_in.request_log())
        again = engine.run_once()
        assert again.paused == TOKEN_REJECTED
        assert len(stand_in.request_log()) == seen

        stand_in.set_tokens({TOKEN: ALL_SCOPES})
        engine.resume()
        assert not engine.paused_reason
        report = engine.run_once()
        assert report.paused is None
        assert_each_in_deel_once(stand_in, engine.outbox)
    assert stand_in.count(401) >= 1
    if concurrency == 1:
        assert stand_in.count(401) == 1
        assert len(posts(stand_in)) == 9  # eight creates and the one refused with 401
    # only refused creates were repeated: one create accepted per capture
    assert sum(1 for r in posts(stand_in) if r.status == 201) == 8


def test_a_token_without_ats_write_pauses_too(stand_in: StandIn, tmp_path: Path) -> None:
    stand_in.set_tokens({TOKEN: {"ats:read"}})
    with engine_for(tmp_path / FILE_NAME, stand_in.base_url) as engine:
        ids = add_captures(engine.outbox, 2)
        report = engine.run_once()
        assert report.paused is not None
        assert "ats:write" in report.paused
        assert engine.paused_reason == report.paused
        assert stand_in.count(403) == 1
        assert stand_in.candidates_snapshot() == []
        assert [engine.outbox.get(i).status for i in ids] == [Status.WAITING] * 2
        stand_in.set_tokens({TOKEN: ALL_SCOPES})
        engine.resume()
        engine.run_once()
        assert_each_in_deel_once(stand_in, engine.outbox)


# ---------------------------------------------------------------------- refusals
def _field_error(path: str, message: str) -> dict[str, Any]:
    """Deel's ApiErrorContainer for a 400 validation error."""
    return {
        "request": {
            "method": "POST",
            "url": "/rest/v2/ats/candidates",
            "status": 400,
            "api_req_id": uuid.uuid4().hex,
            "docs": "https://developer.deel.com/docs",
            "source": "validation",
            "code": 400,
        },
        "errors": [{"message": message, "path": path}],
    }


def test_a_refused_field_needs_attention_and_an_edit_resends_it(
    stand_in: StandIn, tmp_path: Path
) -> None:
    stand_in.inject(
        Fault.status(
            400,
            _field_error("/data/last_name", "must NOT have more than 100 characters"),
            method="POST",
        )
    )
    with engine_for(tmp_path / FILE_NAME, stand_in.base_url) as engine:
        (capture_id,) = add_captures(engine.outbox, 1)
        report = engine.run_once()
        assert report.needs_attention == 1
        assert report.clean  # Deel answered: nothing wrong with the network
        capture = engine.outbox.get(capture_id)
        assert capture.status is Status.NEEDS_ATTENTION
        assert capture.field_errors == {"last_name": "Deel accepts at most 100 characters here."}
        assert capture.last_error
        assert capture.last_error_detail is not None
        assert "HTTP 400" in capture.last_error_detail
        assert engine.outbox.next_due(time.time() + 1e6) is None  # not retried on its own
        assert engine.run_once().created == 0

        edited = engine.outbox.edit(capture_id, make_candidate(0, last="Fixed"))
        assert edited.revision == 1
        assert edited.idempotency_key == f"{capture_id}-r1"
        report = engine.run_once()
        assert report.created == 1
        capture = engine.outbox.get(capture_id)
        assert capture.status is Status.IN_DEEL
        assert capture.field_errors == {}
        assert_each_in_deel_once(stand_in, engine.outbox)
    (held,) = stand_in.candidates_snapshot()
    assert held["last_name"] == "Fixed"
    assert [r.idempotency_key for r in posts(stand_in)] == [capture_id, f"{capture_id}-r1"]


def test_an_email_already_in_deel_is_linked_and_its_source_left_alone(
    stand_in: StandIn, tmp_path: Path
) -> None:
    with DeelClient(stand_in.base_url, lambda: TOKEN) as client:
        existing = client.create_candidate(
            make_candidate(7, first="Earlier", last="Entry"), idempotency_key=str(uuid.uuid4())
        )
    draft = CandidateDraft(
        first_name="Later",
        last_name="Capture",
        email="PERSON7@Example.com",
        source="sourced_internally",
    )
    with engine_for(tmp_path / FILE_NAME, stand_in.base_url) as engine:
        capture_id = engine.outbox.add(validate_draft(draft, region="US")).id
        report = engine.run_once()
        assert report.linked == 1
        assert report.created == 0
        capture = engine.outbox.get(capture_id)
        assert capture.status is Status.ALREADY_IN_DEEL
        assert capture.deel_id == existing.id
        assert capture.deel_numeric_id == existing.numeric_id
        assert capture.source_applied is False
        assert capture.source_error == ALREADY_SOURCE_NOTE
        assert engine.outbox.next_due(time.time() + 1e6) is None
    (held,) = stand_in.candidates_snapshot()
    assert held["id"] == existing.id
    assert held["first_name"] == "Earlier"  # never overwritten
    assert held["source"] is None  # never patched
    assert not [r for r in stand_in.request_log() if r.method == "PATCH"]


def test_a_refused_source_leaves_the_capture_in_deel(stand_in: StandIn, tmp_path: Path) -> None:
    stand_in.inject(
        Fault.status(
            400,
            {
                "errors": [
                    {
                        "code": "VALIDATION_ERROR",
                        "message": "must be equal to one of the allowed values",
                        "path": "/data/origin_source_slug",
                    }
                ]
            },
            method="PATCH",
        )
    )
    with engine_for(tmp_path / FILE_NAME, stand_in.base_url) as engine:
        (capture_id,) = add_captures(engine.outbox, 1)
        report = engine.run_once()
        assert report.created == 1
        assert report.sources_set == 0
        capture = engine.outbox.get(capture_id)
        assert capture.status is Status.IN_DEEL
        assert capture.source_applied is False
        assert capture.source_error is not None
        assert capture.source_error.endswith(".")
        assert capture.source_error[0].isupper()
        assert "HTTP" not in capture.source_error
        assert capture.deel_id == stand_in.candidates_snapshot()[0]["id"]
        # a refusal is final: not retried
        assert engine.outbox.next_due(time.time() + 1e6) is None
        assert engine.run_once().calls == 0
    assert len(posts(stand_in)) == 1


def test_a_failed_source_step_is_retried_alone(stand_in: StandIn, tmp_path: Path) -> None:
    stand_in.inject(Fault.server_error(method="PATCH"))
    clock = Clock()
    statuses: list[Status] = []
    engine_box: list[SyncEngine] = []

    def record(capture_id: str) -> None:
        statuses.append(engine_box[0].outbox.get(capture_id).status)

    with engine_for(
        tmp_path / FILE_NAME, stand_in.base_url, clock=clock, on_change=record
    ) as engine:
        engine_box.append(engine)
        (capture_id,) = add_captures(engine.outbox, 1)
        report = engine.run_once()
        assert report.created == 1
        assert report.retried == 1
        capture = engine.outbox.get(capture_id)
        assert capture.status is Status.IN_DEEL
        assert capture.source_applied is None
        assert capture.source_pending
        assert capture.next_attempt_at > clock()
        assert not capture.needs_lookup  # the create's outcome is known
        assert stand_in.candidates_snapshot()[0]["source"] is None
        clock.advance()
        report = engine.run_once()
        assert report.created == 0
        assert report.sources_set == 1
        capture = engine.outbox.get(capture_id)
        assert capture.status is Status.IN_DEEL
        assert capture.source_applied is True
        assert_each_in_deel_once(stand_in, engine.outbox)
    assert len(posts(stand_in)) == 1
    assert [r.method for r in stand_in.request_log()] == ["POST", "PATCH", "PATCH"]
    first_in_deel = statuses.index(Status.IN_DEEL)
    assert set(statuses[first_in_deel:]) == {Status.IN_DEEL}


def test_a_source_set_on_retry_leaves_no_error_behind(stand_in: StandIn, tmp_path: Path) -> None:
    stand_in.inject(Fault.server_error(method="PATCH"))
    clock = Clock()
    with engine_for(tmp_path / FILE_NAME, stand_in.base_url, clock=clock) as engine:
        (capture_id,) = add_captures(engine.outbox, 1)
        run_until_settled(engine, clock)
        capture = engine.outbox.get(capture_id)
        assert capture.status is Status.IN_DEEL
        assert capture.source_applied is True
        assert capture.last_error is None


# ---------------------------------------------------------------------- the queue
def test_two_engines_on_one_outbox_never_sync_at_once(stand_in: StandIn, tmp_path: Path) -> None:
    path = tmp_path / FILE_NAME
    with (
        engine_for(path, stand_in.base_url) as first,
        engine_for(path, stand_in.base_url) as second,
    ):
        (capture_id,) = add_captures(first.outbox, 1)
        assert first.lock.try_acquire()
        report = second.run_once()
        assert report.locked_out
        assert report.calls == 0
        assert stand_in.request_log() == []
        assert second.outbox.get(capture_id).status is Status.WAITING
        first.lock.release()
        report = second.run_once()
        assert not report.locked_out
        assert report.created == 1
        assert_each_in_deel_once(stand_in, second.outbox)


def test_a_discarded_capture_is_never_sent(stand_in: StandIn, tmp_path: Path) -> None:
    with engine_for(tmp_path / FILE_NAME, stand_in.base_url) as engine:
        kept, trashed = add_captures(engine.outbox, 2)
        engine.outbox.discard(trashed)
        report = engine.run_once()
        assert report.created == 1
        assert engine.outbox.get(kept).status is Status.IN_DEEL
        gone = engine.outbox.get(trashed)
        assert gone.status is Status.WAITING
        assert gone.discarded
        assert gone.deel_id is None
        assert_each_in_deel_once(stand_in, engine.outbox)
    emails = [c["email"] for c in stand_in.candidates_snapshot()]
    assert emails == ["person0@example.com"]
    assert len(posts(stand_in)) == 1


def test_a_capture_left_sending_by_a_crash_is_looked_up_first(
    stand_in: StandIn, tmp_path: Path
) -> None:
    """What a crash between the create and writing Deel's answer down leaves behind."""
    path = tmp_path / FILE_NAME
    with engine_for(path, stand_in.base_url) as engine:
        stored, lost = add_captures(engine.outbox, 2)
        engine.outbox.mark_sending(stored)
        engine.outbox.mark_sending(lost)
    with DeelClient(stand_in.base_url, lambda: TOKEN) as client:
        client.create_candidate(make_candidate(0), idempotency_key=stored)
    with engine_for(path, stand_in.base_url) as engine:
        report = engine.run_once()
        assert report.linked == 1  # found in Deel: linked, not created again
        assert report.created == 1  # not found: sent
        assert_each_in_deel_once(stand_in, engine.outbox)
        assert engine.outbox.get(stored).status is Status.IN_DEEL
    assert len(posts(stand_in)) == 2


def test_a_refused_look_up_does_not_crash_the_run(stand_in: StandIn, tmp_path: Path) -> None:
    path = tmp_path / FILE_NAME
    with engine_for(path, stand_in.base_url) as engine:
        (capture_id,) = add_captures(engine.outbox, 1)
        engine.outbox.mark_sending(capture_id)  # left by a crash: the next run looks it up
        stand_in.inject(
            Fault.status(
                400,
                {"errors": [{"code": "VALIDATION_ERROR", "message": "search is not supported"}]},
                method="GET",
            )
        )
        report = engine.run_once()
        capture = engine.outbox.get(capture_id)
        assert capture.status is Status.NEEDS_ATTENTION  # waits for the recruiter, not lost
        assert capture.last_error == "Deel refused this candidate: search is not supported."
        assert report.needs_attention == 1
    assert stand_in.candidates_snapshot() == []  # never created blindly after a refusal
