"""The crash test: ``deel-intake sync`` killed with SIGKILL again and again while it works
through 200 captures, then one sync to the end. Nothing may be lost, nothing sent twice.

The stand-in of Deel's API runs in this process with no rate limit but a little latency on
every request, so that the work lasts long enough to be interrupted many times and most
kills land while a request is on its way. Before some runs a dropped connection (after Deel
stored the candidate) or a slow answer is queued, so kills also land mid-request in the
worst places.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from deel_intake.domain.candidate import CandidateDraft, validate_draft
from deel_intake.standin import ALL_SCOPES, Fault, StandIn, StandInConfig
from deel_intake.storage.outbox import FILE_NAME, Outbox, Status
from tests.conftest import TOKEN

CAPTURES = 200
KILLS = 22
MIN_MID_RUN = 15
SEED = 20240917
LATENCY = 0.15  # seconds added to every request by the stand-in
KILL_AFTER = (0.05, 0.8)  # seconds after the child's first request reached Deel
START_TIMEOUT = 20.0


def _env() -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DEEL_API_TOKEN", "DEEL_API_BASE_URL", "DEEL_INTAKE_DATA_DIR")
    }
    env["DEEL_API_TOKEN"] = TOKEN
    return env


def _wait_for_work(child: subprocess.Popen[bytes], server: StandIn, seen: int) -> None:
    """Until the child's first request was answered (or it exited, or it never starts)."""
    deadline = time.monotonic() + START_TIMEOUT
    while child.poll() is None and len(server.request_log()) <= seen:
        if time.monotonic() > deadline:
            return
        time.sleep(0.005)


@pytest.mark.slow
def test_sigkill_during_sync_loses_nothing_and_sends_nothing_twice(
    tmp_path: Path, record_property: Callable[[str, object], None]
) -> None:
    started = time.monotonic()
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    emails = [f"crash{i:03d}@example.com" for i in range(CAPTURES)]
    candidates = [
        validate_draft(
            CandidateDraft(
                first_name="Crash",
                last_name=f"Tester {i:03d}",
                email=email,
                source="sourced_internally",
            ),
            region="US",
        )
        for i, email in enumerate(emails)
    ]
    outbox_path = data_dir / FILE_NAME
    with Outbox(outbox_path) as outbox:
        assert outbox.add_many(candidates) == CAPTURES

    rng = random.Random(SEED)
    config = StandInConfig(tokens={TOKEN: ALL_SCOPES}, rate_limit=None, latency=LATENCY)
    kills = mid_run = left_sending = 0
    children_err = tmp_path / "children-stderr.txt"  # what the killed children said
    children_err.touch()
    with StandIn(config) as server:
        command = [
            sys.executable,
            "-m",
            "deel_intake",
            "--data-dir",
            str(data_dir),
            "sync",
            "--base-url",
            server.base_url,
            "--rate-limit",
            "400",
        ]
        for _ in range(KILLS):
            roll = rng.random()
            if roll < 0.25:
                server.inject(Fault.drop_after_store())
            elif roll < 0.5:
                server.inject(Fault.slow(0.2))
            delay = rng.uniform(*KILL_AFTER)
            seen = len(server.request_log())
            with (
                children_err.open("ab") as err,
                subprocess.Popen(
                    command, env=_env(), stdout=subprocess.DEVNULL, stderr=err
                ) as child,
            ):
                try:
                    # count from the moment the child is at work: its first answered request
                    _wait_for_work(child, server, seen)
                    time.sleep(delay)
                    if child.poll() is None:
                        mid_run += 1
                    child.send_signal(signal.SIGKILL)
                    kills += 1
                finally:
                    if child.poll() is None:
                        child.kill()
                    child.wait()
            with Outbox(outbox_path) as outbox:
                left_sending += outbox.counts().sending > 0

        final = subprocess.run(
            command, env=_env(), capture_output=True, text=True, timeout=60, check=False
        )
        said = children_err.read_text(encoding="utf-8", errors="replace")
        assert final.returncode == 0, final.stdout + final.stderr + said[-3000:]
        assert "Traceback" not in said, said[-3000:]  # no child died of its own accord

        stored = server.candidates_snapshot()
        per_email = Counter(str(c["email"]) for c in stored)
        ids = {str(c["email"]): c["id"] for c in stored}
        posts = sum(1 for r in server.request_log() if r.method == "POST")
        unanswered = sum(1 for r in server.request_log() if r.status is None)

    elapsed = time.monotonic() - started
    figures = {
        "kills": kills,
        "kills_mid_run": mid_run,
        "kills_leaving_a_capture_mid_send": left_sending,
        "creates_sent": posts,
        "requests_unanswered": unanswered,
        "seconds": round(elapsed, 1),
    }
    for name, value in figures.items():
        record_property(name, value)
    print(f"\ncrash test: {json.dumps(figures)}")  # noqa: T201 - visible with -s

    assert kills >= 20
    assert mid_run >= MIN_MID_RUN, figures
    assert left_sending >= 1, figures  # some kills came between "sending" and Deel's answer
    # every capture in Deel exactly once, nothing else there
    assert sorted(per_email) == sorted(emails)
    assert set(per_email.values()) == {1}, [e for e, n in per_email.items() if n > 1]
    with Outbox(outbox_path) as outbox:
        captures = outbox.all()
        counts = outbox.counts()
    assert len(captures) == CAPTURES
    for capture in captures:
        assert capture.status in (Status.IN_DEEL, Status.ALREADY_IN_DEEL), capture
        assert capture.deel_id == ids[capture.candidate.email], capture
        if capture.status is Status.IN_DEEL:
            assert capture.source_applied is True, capture
    assert counts.waiting == counts.sending == counts.needs_attention == 0
    ours = {c.deel_id for c in captures if c.status is Status.IN_DEEL}
    assert all(c["source"] == "SOURCED_INTERNALLY" for c in stored if c["id"] in ours)

    status = subprocess.run(
        [sys.executable, "-m", "deel_intake", "--data-dir", str(data_dir), "status", "--json"],
        env=_env(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert status.returncode == 0, status.stderr
    summary = json.loads(status.stdout)
    assert summary["waiting"] == 0
    assert summary["in_deel"] + summary["already_in_deel"] == CAPTURES
