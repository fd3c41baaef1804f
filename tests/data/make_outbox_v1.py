"""Build ``outbox-v1.sqlite3``: an outbox exactly as version 1 of deel-intake left it.

The version-1 schema is frozen history, so it is copied here as a literal (it is
``deel_intake.storage.outbox.MIGRATIONS[0]``) and nothing is imported from the package:
whatever the code does later, this file keeps describing what version 1 wrote.

Run once from the repository root; the output is committed::

    .venv/bin/python tests/data/make_outbox_v1.py

The rows cover every status version 1 knew, with non-ASCII names, including a capture left
in ``sending`` by a crash (its outcome unknown) and two captures already in Deel.
"""

from __future__ import annotations

import json
import sqlite3
import sys
from pathlib import Path
from typing import Any

TARGET = Path(__file__).with_name("outbox-v1.sqlite3")

# deel_intake.storage.outbox.MIGRATIONS[0], verbatim.
V1_SCHEMA = """
CREATE TABLE captures (
    id TEXT PRIMARY KEY,
    captured_at TEXT NOT NULL,
    candidate_json TEXT NOT NULL,
    email_key TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at REAL NOT NULL DEFAULT 0,
    last_error TEXT,
    deel_id TEXT,
    deel_numeric_id INTEGER
);
CREATE INDEX captures_status ON captures(status, captured_at);
"""


def _candidate(first: str, last: str, email: str, phone: str | None, linkedin: str | None) -> str:
    """``Candidate.model_dump_json()``'s shape: these keys, in this order, compact, UTF-8."""
    data = {
        "first_name": first,
        "last_name": last,
        "email": email,
        "phone": phone,
        "linkedin": linkedin,
        "source": "sourced_internally",
    }
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


ROWS: list[dict[str, Any]] = [
    {
        "id": "0b6f3c1e-4a51-4d2e-9f0a-1c2d3e4f5a61",
        "captured_at": "2025-05-14T09:12:03.250+00:00",
        "candidate_json": _candidate(
            "Zoë",
            "Saldaña",
            "zoe.saldana@example.com",
            "+16502530000",
            "https://www.linkedin.com/in/zoe-saldana",
        ),
        "email_key": "zoe.saldana@example.com",
        "status": "waiting",
        "attempts": 0,
        "next_attempt_at": 0.0,
        "last_error": None,
        "deel_id": None,
        "deel_numeric_id": None,
    },
    {
        # The app was killed while this one was on its way to Deel.
        "id": "1c7a4d2f-5b62-4e3f-8a1b-2d3e4f5a6b72",
        "captured_at": "2025-05-14T09:13:10.000+00:00",
        "candidate_json": _candidate("Björn", "Ångström", "Bjorn.Angstrom@example.se", None, None),
        "email_key": "bjorn.angstrom@example.se",
        "status": "sending",
        "attempts": 0,
        "next_attempt_at": 0.0,
        "last_error": None,
        "deel_id": None,
        "deel_numeric_id": None,
    },
    {
        "id": "2d8b5e3a-6c73-4f4a-9b2c-3e4f5a6b7c83",
        "captured_at": "2025-05-14T09:15:42.125+00:00",
        "candidate_json": _candidate(
            "Łukasz",
            "Wróbel",
            "lukasz@example.pl",
            "+48512345678",
            "https://www.linkedin.com/in/lukasz-wrobel",
        ),
        "email_key": "lukasz@example.pl",
        "status": "in_deel",
        "attempts": 0,
        "next_attempt_at": 0.0,
        "last_error": None,
        "deel_id": "9a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
        "deel_numeric_id": 1001,
    },
    {
        "id": "3e9c6f4b-7d84-4a5b-8c3d-4f5a6b7c8d94",
        "captured_at": "2025-05-14T09:20:00.500+00:00",
        "candidate_json": _candidate(
            "李", "小龙", "li.xiaolong@example.cn", "+8613800138000", None
        ),
        "email_key": "li.xiaolong@example.cn",
        "status": "in_deel",
        "attempts": 1,
        "next_attempt_at": 0.0,
        "last_error": None,
        "deel_id": "8b2c3d4e-5f6a-4b7c-9d8e-0f1a2b3c4d5e",
        "deel_numeric_id": 1002,
    },
    {
        "id": "4fad7a5c-8e95-4b6c-9d4e-5a6b7c8d9ea5",
        "captured_at": "2025-05-14T09:31:17.750+00:00",
        "candidate_json": _candidate(
            "Siobhán",
            "Ó Briain",
            "siobhan@example.ie",
            "+353851234567",
            "https://www.linkedin.com/in/siobhan-o-briain",
        ),
        "email_key": "siobhan@example.ie",
        "status": "needs_attention",
        "attempts": 1,
        "next_attempt_at": 0.0,
        "last_error": "Deel refused some of the details — see the highlighted fields.",
        "deel_id": None,
        "deel_numeric_id": None,
    },
    {
        # Waiting after two failed attempts; a LinkedIn slug with non-ASCII letters, stored
        # percent-encoded as the canonical URL has it.
        "id": "5abe8b6d-9fa6-4c7d-8e5f-6b7c8d9eafb6",
        "captured_at": "2025-05-14T09:40:05.000+00:00",
        "candidate_json": _candidate(
            "Jürgen",
            "Müller",
            "juergen@example.de",
            None,
            "https://www.linkedin.com/in/j%C3%BCrgen-m%C3%BCller",
        ),
        "email_key": "juergen@example.de",
        "status": "waiting",
        "attempts": 2,
        "next_attempt_at": 1747215605.5,
        "last_error": "Can't reach Deel — check the Wi-Fi. Nothing was sent.",
        "deel_id": None,
        "deel_numeric_id": None,
    },
]


def build(target: Path) -> None:
    target.unlink(missing_ok=True)
    for suffix in ("-wal", "-shm"):
        target.with_name(target.name + suffix).unlink(missing_ok=True)
    db = sqlite3.connect(target, isolation_level=None)
    try:
        db.execute("PRAGMA page_size=1024")  # keep the committed file small
        db.execute("PRAGMA journal_mode=WAL")
        db.executescript(f"BEGIN;\n{V1_SCHEMA}\nPRAGMA user_version=1;\nCOMMIT;")
        columns = ", ".join(ROWS[0])
        marks = ", ".join(f":{name}" for name in ROWS[0])
        db.execute("BEGIN")
        db.executemany(f"INSERT INTO captures ({columns}) VALUES ({marks})", ROWS)
        db.execute("COMMIT")
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        db.close()  # the last connection checkpoints and removes the -wal and -shm files


if __name__ == "__main__":
    build(Path(sys.argv[1]) if len(sys.argv) > 1 else TARGET)
