"""The headless commands, run as a user runs them: ``python -m deel_intake --data-dir DIR …``
in a child process, against the loopback stand-in of Deel's API running in this process."""

from __future__ import annotations

import csv
import json
import os
import re
import signal
import socket
import subprocess
import sys
from datetime import UTC
from pathlib import Path
from typing import Any

import pytest

from deel_intake.api.models import CreatedCandidate
from deel_intake.domain.candidate import Candidate, CandidateDraft, validate_draft
from deel_intake.standin import Fault, StandIn
from deel_intake.storage.outbox import FILE_NAME, Outbox, Status
from tests.conftest import TOKEN

TIMEOUT = 60


def cli(
    data_dir: Path,
    *args: str,
    token: str | None = TOKEN,
    env_base_url: str | None = None,
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "deel_intake", "--data-dir", str(data_dir), *args],
        env=child_env(token=token, base_url=env_base_url),
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=TIMEOUT,
        check=False,
    )


def child_env(*, token: str | None = TOKEN, base_url: str | None = None) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DEEL_API_TOKEN", "DEEL_API_BASE_URL", "DEEL_INTAKE_DATA_DIR")
    }
    env["PYTHONIOENCODING"] = "utf-8"
    if token is not None:
        env["DEEL_API_TOKEN"] = token
    if base_url is not None:
        env["DEEL_API_BASE_URL"] = base_url
    return env


def make_candidate(first: str, last: str, email: str, *, phone: str = "") -> Candidate:
    draft = CandidateDraft(
        first_name=first, last_name=last, email=email, phone=phone, source="sourced_internally"
    )
    return validate_draft(draft, region="US")


def queue(data_dir: Path, *candidates: Candidate) -> list[str]:
    with Outbox(data_dir / FILE_NAME) as outbox:
        return [outbox.add(c).id for c in candidates]


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/rest/v2"


def status_json(data_dir: Path) -> dict[str, Any]:
    result = cli(data_dir, "status", "--json")
    assert result.returncode == 0, result.stderr
    data: dict[str, Any] = json.loads(result.stdout)
    return data


# ---------------------------------------------------------------------- import
def test_import_reports_bad_rows_and_queues_the_good_ones(data_dir: Path, tmp_path: Path) -> None:
    queue(data_dir, make_candidate("Dan", "Earlier", "dan@example.com"))
    source = tmp_path / "fair.csv"
    source.write_text(
        "First Name,Last Name,Email,Phone,LinkedIn,Source\n"  # line 1
        "Ada,Lovelace,ada@example.com,+44 20 7946 0958,linkedin.com/in/ada-lovelace,\n"  # 2
        "Bob,Bad,bob.example.com,,,\n"  # 3: no @
        "Cara,Link,cara@example.com,,https://twitter.com/cara,\n"  # 4: not LinkedIn
        "Ada,Again,ADA@Example.com,,,\n"  # 5: same email as line 2
        ",,,,,\n"  # 6: empty, skipped silently
        "Dan,Again,Dan@example.com,,,\n"  # 7: already in the outbox
        "Eve,Good,eve@example.com,(650) 253-0000,,job_fair\n",  # 8
        encoding="utf-8",
    )
    result = cli(data_dir, "import", str(source), "--region", "US")
    assert result.returncode == 1, result.stderr
    problems = result.stderr.splitlines()
    assert problems[:3] == [
        "line 3: Email: Check the email address: An email address must have an @-sign.",
        "line 4: LinkedIn: twitter.com is not LinkedIn. Paste the candidate's LinkedIn "
        "profile (linkedin.com/in/…).",
        "line 5: same email as line 2, skipped",
    ]
    assert re.fullmatch(
        r"line 7: already captured at \d{4}-\d\d-\d\d \d\d:\d\d \(waiting\), skipped", problems[3]
    )
    assert len(problems) == 4
    assert "queued 2 candidates; 4 rows not imported" in result.stdout

    with Outbox(data_dir / FILE_NAME) as outbox:
        queued = {c.candidate.email: c for c in outbox.all()}
    assert set(queued) == {"dan@example.com", "ada@example.com", "eve@example.com"}
    ada, eve = queued["ada@example.com"].candidate, queued["eve@example.com"].candidate
    assert ada.phone == "+442079460958"
    assert ada.linkedin == "https://www.linkedin.com/in/ada-lovelace"
    assert ada.source == "sourced_internally"  # the default from Settings
    assert eve.phone == "+16502530000"
    assert eve.source == "job_fair"
    assert all(c.status is Status.WAITING for c in queued.values())

    summary = status_json(data_dir)
    assert summary["waiting"] == 3
    assert summary["total"] == 3


def test_import_of_only_good_rows_exits_zero(data_dir: Path, tmp_path: Path) -> None:
    source = tmp_path / "ok.csv"
    source.write_text(
        "\ufefffirst_name,last_name,email\nZoë,Saldaña,zoe@example.com\n", encoding="utf-8"
    )
    result = cli(data_dir, "import", str(source))
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert "queued 1 candidates; 0 rows not imported" in result.stdout
    with Outbox(data_dir / FILE_NAME) as outbox:
        (capture,) = outbox.all()
    assert capture.candidate.full_name == "Zoë Saldaña"


def test_import_without_an_email_column_is_refused(data_dir: Path, tmp_path: Path) -> None:
    source = tmp_path / "no-email.csv"
    source.write_text("first_name,last_name,phone\nAda,Lovelace,+442079460958\n", encoding="utf-8")
    result = cli(data_dir, "import", str(source))
    assert result.returncode == 2
    assert "the header row lacks: Email" in result.stderr
    assert status_json(data_dir)["total"] == 0


def test_import_of_a_missing_file_is_a_usage_error(data_dir: Path, tmp_path: Path) -> None:
    result = cli(data_dir, "import", str(tmp_path / "nope.csv"))
    assert result.returncode == 2
    assert "can't read" in result.stderr


# ---------------------------------------------------------------------- status
def test_status_text_and_json(data_dir: Path) -> None:
    _waiting, in_deel, stuck, trashed = queue(
        data_dir,
        make_candidate("Wanda", "Waiting", "wanda@example.com"),
        make_candidate("Ingrid", "Indeel", "ingrid@example.com"),
        make_candidate("Stuck", "Person", "stuck@example.com"),
        make_candidate("Trash", "Person", "trash@example.com"),
    )
    with Outbox(data_dir / FILE_NAME) as outbox:
        outbox.mark_created(
            in_deel,
            CreatedCandidate(
                id="6f1c2b7e-1d2a-4c3b-9e8f-0a1b2c3d4e5f",
                numeric_id=1001,
                email="ingrid@example.com",
                first_name="Ingrid",
                last_name="Indeel",
                created_at=outbox.get(in_deel).captured_at,
            ),
        )
        outbox.mark_needs_attention(
            stuck,
            message="Deel refused some of the details — see the highlighted fields.",
            detail="HTTP 400",
            field_errors={"last_name": "Deel accepts at most 100 characters here."},
        )
        outbox.discard(trashed)

    text = cli(data_dir, "status")
    assert text.returncode == 0, text.stderr
    lines = text.stdout.splitlines()
    assert (
        lines[0] == "1 in Deel (0 were already there), 1 waiting, 1 need attention, 1 in the trash"
    )
    assert (
        "  needs attention: Stuck Person <stuck@example.com>: "
        "Deel refused some of the details — see the highlighted fields."
    ) in lines
    assert "  last successful sync: never" in lines
    assert f"  outbox: {data_dir.resolve() / FILE_NAME}" in lines

    summary = status_json(data_dir)
    assert summary["waiting"] == 1
    assert summary["in_deel"] == 1
    assert summary["already_in_deel"] == 0
    assert summary["needs_attention"] == 1
    assert summary["in_trash"] == 1
    assert summary["total"] == 4
    assert summary["paused"] is None
    assert summary["last_sync_at"] is None
    (attention,) = summary["needs_attention_captures"]
    assert attention["id"] == stuck
    assert attention["email"] == "stuck@example.com"
    assert attention["fields"] == {"last_name": "Deel accepts at most 100 characters here."}


# ---------------------------------------------------------------------- sync
def test_sync_sends_everything_and_exits_zero(stand_in: StandIn, data_dir: Path) -> None:
    queue(
        data_dir,
        *(make_candidate("Test", f"Person {i}", f"person{i}@example.com") for i in range(3)),
    )
    result = cli(data_dir, "sync", "--base-url", stand_in.base_url, "--rate-limit", "50")
    assert result.returncode == 0, result.stderr
    assert "sent 3, linked 0" in result.stdout
    assert "3 in Deel (0 were already there), 0 waiting, 0 need attention" in result.stdout
    emails = sorted(c["email"] for c in stand_in.candidates_snapshot())
    assert emails == [f"person{i}@example.com" for i in range(3)]
    assert all(c["source"] == "SOURCED_INTERNALLY" for c in stand_in.candidates_snapshot())
    summary = status_json(data_dir)
    assert (summary["in_deel"], summary["waiting"]) == (3, 0)
    assert summary["last_sync_at"] is not None
    # nothing left: a second sync sends nothing and still exits 0
    again = cli(data_dir, "sync", "--base-url", stand_in.base_url, "--rate-limit", "50")
    assert again.returncode == 0, again.stderr
    assert "sent" not in again.stdout
    assert len(stand_in.candidates_snapshot()) == 3


def test_sync_exits_one_when_a_capture_needs_attention(stand_in: StandIn, data_dir: Path) -> None:
    queue(
        data_dir,
        make_candidate("Fine", "Person", "fine@example.com"),
        make_candidate("Refused", "Person", "refused@example.com"),
    )
    stand_in.inject(
        Fault.status(
            400,
            {"errors": [{"message": 'must match format "email"', "path": "/data/email"}]},
            method="POST",
        ),
    )
    result = cli(data_dir, "sync", "--base-url", stand_in.base_url, "--rate-limit", "50")
    assert result.returncode == 1, result.stderr
    assert "1 in Deel (0 were already there), 0 waiting, 1 need attention" in result.stdout
    summary = status_json(data_dir)
    (attention,) = summary["needs_attention_captures"]
    assert attention["email"] == "fine@example.com"  # the oldest met the refusal
    assert attention["fields"] == {"email": "Deel does not accept this email address."}


def test_sync_reads_the_address_from_the_environment(stand_in: StandIn, data_dir: Path) -> None:
    queue(data_dir, make_candidate("Env", "Var", "env@example.com"))
    result = cli(data_dir, "sync", "--once", env_base_url=stand_in.base_url)
    assert result.returncode == 0, result.stderr
    assert [c["email"] for c in stand_in.candidates_snapshot()] == ["env@example.com"]


def test_sync_with_a_revoked_token_pauses(stand_in: StandIn, data_dir: Path) -> None:
    queue(data_dir, make_candidate("Rita", "Revoked", "rita@example.com"))
    stand_in.set_tokens({})
    result = cli(data_dir, "sync", "--once", "--base-url", stand_in.base_url)
    assert result.returncode != 0
    assert "paused: Deel rejected the token" in result.stderr
    assert "0 in Deel (0 were already there), 1 waiting" in result.stdout
    assert stand_in.candidates_snapshot() == []
    summary = status_json(data_dir)
    assert summary["waiting"] == 1
    assert summary["paused"] == "Deel rejected the token — update it in Settings."


def test_sync_without_a_token_does_not_reach_deel(stand_in: StandIn, data_dir: Path) -> None:
    queue(data_dir, make_candidate("Nora", "Notoken", "nora@example.com"))
    # no DEEL_API_TOKEN and keyring's null backend: no token anywhere
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "deel_intake",
            "--data-dir",
            str(data_dir),
            "sync",
            "--once",
            "--base-url",
            stand_in.base_url,
        ],
        env={**child_env(token=None), "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring"},
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=TIMEOUT,
        check=False,
    )
    assert result.returncode != 0
    assert "paused: No Deel token is set" in result.stderr
    assert stand_in.request_log() == []


def test_sync_with_nothing_listening_says_how_many_wait(data_dir: Path) -> None:
    queue(
        data_dir,
        make_candidate("Olga", "Offline", "olga@example.com"),
        make_candidate("Otto", "Offline", "otto@example.com"),
    )
    result = cli(data_dir, "sync", "--once", "--base-url", closed_port_url())
    assert result.returncode == 1
    assert "0 in Deel (0 were already there), 2 waiting, 0 need attention" in result.stdout
    summary = status_json(data_dir)
    assert summary["waiting"] == 2
    assert summary["last_sync_at"] is None


def test_sync_keeps_retrying_offline_until_interrupted(data_dir: Path) -> None:
    """Without --once, sync never gives up while offline; Ctrl-C ends it with a summary."""
    queue(data_dir, make_candidate("Olga", "Offline", "olga@example.com"))
    with subprocess.Popen(
        [
            sys.executable,
            "-m",
            "deel_intake",
            "--data-dir",
            str(data_dir),
            "sync",
            "--base-url",
            closed_port_url(),
        ],
        env=child_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
    ) as child:
        try:
            assert child.stderr is not None
            line = child.stderr.readline()  # printed once the first attempt failed
            assert line.startswith("waiting "), line
            assert "Can't reach Deel" in line
            assert child.poll() is None
            child.send_signal(signal.SIGINT)
            out, err = child.communicate(timeout=TIMEOUT)
        finally:
            if child.poll() is None:
                child.kill()
                child.wait()
    assert child.returncode == 130
    assert "0 in Deel (0 were already there), 1 waiting" in out
    assert "Traceback" not in err


def test_sync_refuses_a_plain_http_address_off_this_computer(data_dir: Path) -> None:
    result = cli(data_dir, "sync", "--once", "--base-url", "http://deel.example.com/rest/v2")
    assert result.returncode == 2
    assert "https://" in result.stderr


# ---------------------------------------------------------------------- export
def test_export_has_every_capture_and_neutralises_formulas(
    stand_in: StandIn, data_dir: Path, tmp_path: Path
) -> None:
    formula, plain, trashed = queue(
        data_dir,
        make_candidate("=SUM(A1:A9)", "Injection", "formula@example.com", phone="+4930901820"),
        make_candidate("Plain", "Person", "plain@example.com"),
        make_candidate("Trash", "Person", "trash@example.com"),
    )
    with Outbox(data_dir / FILE_NAME) as outbox:
        outbox.discard(trashed)
    result = cli(data_dir, "sync", "--base-url", stand_in.base_url, "--rate-limit", "50")
    assert result.returncode == 0, result.stderr
    ids = {c["email"]: c["id"] for c in stand_in.candidates_snapshot()}
    assert set(ids) == {"formula@example.com", "plain@example.com"}  # the trash is never sent

    target = tmp_path / "reports" / "out.csv"
    result = cli(data_dir, "export", str(target))
    assert result.returncode == 0, result.stderr
    assert f"wrote 3 captures to {target}" in result.stdout
    with target.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    by_id = {r["local_id"]: r for r in rows}
    assert set(by_id) == {formula, plain, trashed}
    with Outbox(data_dir / FILE_NAME) as outbox:
        captures = {c.id: c for c in outbox.all()}

    row = by_id[formula]
    assert row["first_name"] == "'=SUM(A1:A9)"  # a formula, neutralised
    assert row["phone"] == "+4930901820"  # an E.164 number is data, left as it is
    assert row["status"] == "In Deel"
    assert row["in_trash"] == ""
    assert row["deel_id"] == ids["formula@example.com"]
    assert row["deel_numeric_id"] == str(captures[formula].deel_numeric_id)
    assert row["source"] == "sourced_internally"
    assert row["source_set"] == "yes"
    assert row["email"] == "formula@example.com"
    assert row["captured_at_utc"] == captures[formula].captured_at.astimezone(UTC).isoformat(
        timespec="seconds"
    )

    assert by_id[plain]["first_name"] == "Plain"
    assert by_id[plain]["deel_id"] == ids["plain@example.com"]

    gone = by_id[trashed]
    assert gone["in_trash"] == "yes"
    assert gone["status"] == "Waiting"
    assert gone["deel_id"] == ""
    assert gone["captured_at_utc"] == captures[trashed].captured_at.astimezone(UTC).isoformat(
        timespec="seconds"
    )
    assert list(rows[0]) == [
        "captured_at_utc",
        "local_id",
        "status",
        "in_trash",
        "first_name",
        "last_name",
        "email",
        "phone",
        "linkedin",
        "source",
        "source_set",
        "deel_id",
        "deel_numeric_id",
        "attempts",
        "last_error",
    ]
    assert not list(target.parent.glob(".export-*"))  # no temporary file left behind


# ---------------------------------------------------------------------- no Qt
def test_headless_commands_import_no_qt(data_dir: Path) -> None:
    code = (
        "import sys\n"
        "from deel_intake.cli import main\n"
        f"rc = main(['--data-dir', {str(data_dir)!r}, 'status'])\n"
        "qt = sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6'))\n"
        "print('RC', rc)\n"
        "print('QT', qt)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=child_env(),
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=TIMEOUT,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "RC 0" in result.stdout
    assert "QT []" in result.stdout


@pytest.mark.parametrize("command", ["sync", "export"])
def test_other_headless_commands_import_no_qt(
    stand_in: StandIn, data_dir: Path, command: str
) -> None:
    queue(data_dir, make_candidate("Quinn", "Noqt", "quinn@example.com"))
    args = {
        "sync": ["sync", "--once", "--base-url", stand_in.base_url],
        "export": ["export", str(data_dir / "out.csv")],
    }[command]
    code = (
        "import sys\n"
        "from deel_intake.cli import main\n"
        f"rc = main(['--data-dir', {str(data_dir)!r}, *{args!r}])\n"
        "qt = sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6'))\n"
        "print('RC', rc)\n"
        "print('QT', qt)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=child_env(),
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=TIMEOUT,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "RC 0" in result.stdout
    assert "QT []" in result.stdout
