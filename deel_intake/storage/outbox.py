"""The outbox: every capture, on disk before any network call. Standard-library sqlite3.

One file, WAL journal, ``synchronous=FULL`` (a commit is on the disk when ``commit()``
returns), mode 0600, schema version in ``PRAGMA user_version`` with forward-only
migrations. Nothing here deletes a row: discarding moves a capture to the trash, which the
export still includes.

Statuses (``Status``)::

    waiting ──▶ sending ──▶ in_deel
       ▲           │  ╲──▶ already_in_deel     (the email was in Deel already: linked)
       │           ╰──▶ needs_attention        (Deel refused a field; edit and resend)
       ╰── retry ◀─╯                           (offline, timeout, 429, 5xx: never given up)

A capture found in ``sending`` after a crash has an unknown outcome: it goes back to
``waiting`` with ``needs_lookup`` set, and the sync engine looks the email up in Deel before
sending it again.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from deel_intake.domain.capture import Capture, Counts, DuplicateMatch, Status

if TYPE_CHECKING:
    from deel_intake.api.models import CreatedCandidate
    from deel_intake.domain.candidate import Candidate

__all__ = [
    "SCHEMA_VERSION",
    "Capture",
    "Counts",
    "DuplicateMatch",
    "Outbox",
    "OutboxError",
    "Status",
]

SCHEMA_VERSION: Final = 2
FILE_NAME: Final = "outbox.sqlite3"


class OutboxError(RuntimeError):
    """The outbox file can't be opened or written (the environment's fault: disk full, a
    read-only folder, a damaged file). The message says so plainly."""


def utcnow() -> datetime:
    return datetime.now(UTC)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")


def _parse(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


# ---------------------------------------------------------------------- schema
_V1 = """
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

# Version 2: what the outbox view, the duplicate guard, the resumable source step and
# the trash need. Names and keys are lifted out of the JSON so they can be indexed.
_V2 = """
ALTER TABLE captures ADD COLUMN full_name TEXT NOT NULL DEFAULT '';
ALTER TABLE captures ADD COLUMN email TEXT NOT NULL DEFAULT '';
ALTER TABLE captures ADD COLUMN phone TEXT;
ALTER TABLE captures ADD COLUMN linkedin_slug TEXT;
ALTER TABLE captures ADD COLUMN source TEXT NOT NULL DEFAULT '';
ALTER TABLE captures ADD COLUMN last_error_detail TEXT;
ALTER TABLE captures ADD COLUMN field_errors_json TEXT NOT NULL DEFAULT '{}';
ALTER TABLE captures ADD COLUMN source_applied INTEGER;
ALTER TABLE captures ADD COLUMN source_error TEXT;
ALTER TABLE captures ADD COLUMN needs_lookup INTEGER NOT NULL DEFAULT 0;
ALTER TABLE captures ADD COLUMN revision INTEGER NOT NULL DEFAULT 0;
ALTER TABLE captures ADD COLUMN discarded_at TEXT;
ALTER TABLE captures ADD COLUMN updated_at TEXT;
ALTER TABLE captures ADD COLUMN deel_created_at TEXT;
UPDATE captures SET
    full_name = json_extract(candidate_json, '$.first_name') || ' '
                || json_extract(candidate_json, '$.last_name'),
    email = json_extract(candidate_json, '$.email'),
    phone = json_extract(candidate_json, '$.phone'),
    linkedin_slug = lower(replace(json_extract(candidate_json, '$.linkedin'),
                                  'https://www.linkedin.com/in/', '')),
    source = coalesce(json_extract(candidate_json, '$.source'), ''),
    updated_at = captured_at,
    -- version 1 had no source step: what it synced is treated as applied
    source_applied = CASE WHEN deel_id IS NOT NULL THEN 1 END,
    -- a capture left mid-send by version 1 has an unknown outcome
    needs_lookup = CASE WHEN status = 'sending' THEN 1 ELSE 0 END,
    status = CASE WHEN status = 'sending' THEN 'waiting' ELSE status END;
CREATE INDEX captures_email ON captures(email_key);
CREATE INDEX captures_phone ON captures(phone) WHERE phone IS NOT NULL;
CREATE INDEX captures_linkedin ON captures(linkedin_slug) WHERE linkedin_slug IS NOT NULL;
CREATE INDEX captures_due ON captures(status, next_attempt_at, captured_at);
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""

MIGRATIONS: Final = (_V1, _V2)  # MIGRATIONS[n] takes the file from version n to n + 1


def _decode_linkedin_slugs(db: sqlite3.Connection) -> None:
    """Version 2 lifts the slug out of the URL in SQL, which can't undo percent-encoding;
    the duplicate guard compares decoded slugs (``jürgen-müller``), so decode here."""
    from urllib.parse import unquote

    rows = db.execute(
        "SELECT id, linkedin_slug FROM captures WHERE linkedin_slug LIKE '%\\%%' ESCAPE '\\'"
    ).fetchall()
    for capture_id, slug in rows:
        db.execute(
            "UPDATE captures SET linkedin_slug = ? WHERE id = ?",
            (unquote(slug).lower(), capture_id),
        )


# Python steps that run inside a migration's transaction, by the version they lead to.
_FIX_UPS: Final[dict[int, tuple[Callable[[sqlite3.Connection], None], ...]]] = {
    2: (_decode_linkedin_slugs,),
}

_COLUMNS = (
    "id, captured_at, candidate_json, status, attempts, next_attempt_at, last_error, "
    "last_error_detail, field_errors_json, deel_id, deel_numeric_id, source_applied, "
    "source_error, needs_lookup, revision, discarded_at, updated_at, deel_created_at"
)


_INSERT = (
    "INSERT INTO captures (id, captured_at, status, updated_at, candidate_json, email_key, "
    "full_name, email, phone, linkedin_slug, source) VALUES (:id, :captured_at, 'waiting', "
    ":captured_at, :candidate_json, :email_key, :full_name, :email, :phone, :linkedin_slug, "
    ":source)"
)
# The outbox view's row tuple (ui/outbox_view.py unpacks it by position).
_VIEW_COLUMNS = (
    "id, captured_at, full_name, email, status, deel_id, deel_numeric_id, last_error, "
    "discarded_at, source_applied, source_error"
)


def _row_to_capture(row: sqlite3.Row) -> Capture:
    from deel_intake.domain.candidate import Candidate  # pydantic: off the start-up path

    applied = row["source_applied"]
    return Capture(
        id=row["id"],
        captured_at=datetime.fromisoformat(row["captured_at"]),
        candidate=Candidate.model_validate_json(row["candidate_json"]),
        status=Status(row["status"]),
        attempts=row["attempts"],
        next_attempt_at=row["next_attempt_at"],
        last_error=row["last_error"],
        last_error_detail=row["last_error_detail"],
        field_errors=json.loads(row["field_errors_json"] or "{}"),
        deel_id=row["deel_id"],
        deel_numeric_id=row["deel_numeric_id"],
        source_applied=None if applied is None else bool(applied),
        source_error=row["source_error"],
        needs_lookup=bool(row["needs_lookup"]),
        revision=row["revision"],
        discarded_at=_parse(row["discarded_at"]),
        updated_at=_parse(row["updated_at"]),
        deel_created_at=_parse(row["deel_created_at"]),
    )


def _candidate_columns(candidate: Candidate) -> dict[str, Any]:
    return {
        "candidate_json": candidate.model_dump_json(),
        "email_key": candidate.email_key,
        "full_name": candidate.full_name,
        "email": candidate.email,
        "phone": candidate.phone,
        "linkedin_slug": candidate.linkedin_slug,
        "source": candidate.source,
    }


class Outbox:
    """One connection to the outbox file. Use one ``Outbox`` per thread (SQLite serialises
    writers between connections; WAL lets readers go on while one writes)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._owner = threading.get_ident()
        try:
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            if not path.exists():
                # Create the file 0600 before SQLite does; its -wal and -shm files copy
                # the database file's permissions.
                os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
            self._db = sqlite3.connect(
                path, timeout=10.0, isolation_level=None, check_same_thread=True
            )
            self._db.row_factory = sqlite3.Row
            self._refuse_newer()  # before anything writes: a newer file is left as it is
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.execute("PRAGMA foreign_keys=ON")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            raise OutboxError(
                f"The outbox at {path} can't be opened ({exc}). Nothing was deleted; "
                "keep the file and contact support."
            ) from exc
        except OSError as exc:
            raise OutboxError(f"The outbox folder {path.parent} can't be written: {exc}") from exc

    @classmethod
    def in_dir(cls, data_dir: Path) -> Outbox:
        return cls(data_dir / FILE_NAME)

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Outbox:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # ------------------------------------------------------------------ plumbing
    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        """One write transaction; committed (and, with synchronous=FULL, on disk) on exit."""
        try:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")
        except sqlite3.OperationalError as exc:
            raise OutboxError(f"The outbox could not be written: {exc}") from exc

    @property
    def schema_version(self) -> int:
        return int(self._db.execute("PRAGMA user_version").fetchone()[0])

    def _refuse_newer(self) -> None:
        version = self.schema_version
        if version > SCHEMA_VERSION:
            raise OutboxError(
                f"This outbox was written by a newer deel-intake (schema {version}); "
                "update the app. Nothing was changed."
            )

    def _migrate(self) -> None:
        self._refuse_newer()
        for target in range(self.schema_version, SCHEMA_VERSION):
            # The migration, its Python fix-ups and the version bump are one transaction:
            # a crash leaves either the old schema or the new one, never half of each.
            statements = [part.strip() for part in MIGRATIONS[target].split(";\n")]
            self._db.execute("BEGIN IMMEDIATE")
            try:
                for statement in statements:
                    if statement:
                        self._db.execute(statement)
                for fix_up in _FIX_UPS.get(target + 1, ()):
                    fix_up(self._db)
                self._db.execute(f"PRAGMA user_version={target + 1}")
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

    def _update(self, capture_id: str, **values: Any) -> None:
        values["updated_at"] = _iso(utcnow())
        assignments = ", ".join(f"{k} = :{k}" for k in values)
        with self._tx() as db:
            db.execute(
                f"UPDATE captures SET {assignments} WHERE id = :id", {**values, "id": capture_id}
            )

    # ------------------------------------------------------------------ writing
    def add(
        self,
        candidate: Candidate,
        *,
        captured_at: datetime | None = None,
        capture_id: str | None = None,
    ) -> Capture:
        """Commit a new capture, waiting to be sent. Returns once it is on disk."""
        import uuid

        moment = captured_at or utcnow()
        now = moment.replace(microsecond=moment.microsecond // 1000 * 1000)  # as stored
        cid = capture_id or str(uuid.uuid4())
        columns = _candidate_columns(candidate)
        with self._tx() as db:
            db.execute(
                _INSERT,
                {"id": cid, "captured_at": _iso(now), **columns},
            )
        return Capture(id=cid, captured_at=now, candidate=candidate, status=Status.WAITING)

    def add_many(self, candidates: Iterable[Candidate]) -> int:
        """Queue many captures in one transaction (CSV import)."""
        import uuid

        count = 0
        with self._tx() as db:
            for candidate in candidates:
                now = _iso(utcnow())
                db.execute(
                    _INSERT,
                    {"id": str(uuid.uuid4()), "captured_at": now, **_candidate_columns(candidate)},
                )
                count += 1
        return count

    def edit(self, capture_id: str, candidate: Candidate) -> Capture:
        """The recruiter corrected a capture that needs attention: same local id, new body,
        back in the queue. Refused for a capture already in Deel."""
        current = self.get(capture_id)
        if current.status.done:
            raise OutboxError("This capture is already in Deel; change it in Deel instead.")
        self._update(
            capture_id,
            **_candidate_columns(candidate),
            status=Status.WAITING.value,
            next_attempt_at=0.0,
            last_error=None,
            last_error_detail=None,
            field_errors_json="{}",
            revision=current.revision + 1,
            discarded_at=None,
        )
        return self.get(capture_id)

    def mark_sending(self, capture_id: str) -> None:
        self._update(capture_id, status=Status.SENDING.value)

    def mark_created(
        self, capture_id: str, created: CreatedCandidate, *, already: bool = False
    ) -> None:
        """Deel holds it: the id goes in with the status change, in one transaction."""
        self._update(
            capture_id,
            status=(Status.ALREADY_IN_DEEL if already else Status.IN_DEEL).value,
            deel_id=created.id,
            deel_numeric_id=created.numeric_id,
            deel_created_at=_iso(created.created_at),
            needs_lookup=0,
            last_error=None,
            last_error_detail=None,
            field_errors_json="{}",
            next_attempt_at=0.0,
        )

    def mark_retry(
        self,
        capture_id: str,
        *,
        message: str,
        detail: str,
        next_attempt_at: float,
        needs_lookup: bool | None = None,
        count_attempt: bool = True,
    ) -> None:
        """A transient failure: back to waiting, to be tried again at ``next_attempt_at``."""
        current = self.get(capture_id)
        values: dict[str, Any] = {
            "status": (Status.WAITING if not current.status.done else current.status).value,
            "last_error": message,
            "last_error_detail": detail,
            "next_attempt_at": next_attempt_at,
            "attempts": current.attempts + (1 if count_attempt else 0),
        }
        if needs_lookup is not None:
            values["needs_lookup"] = int(needs_lookup or current.needs_lookup)
        self._update(capture_id, **values)

    def mark_needs_attention(
        self, capture_id: str, *, message: str, detail: str, field_errors: dict[str, str]
    ) -> None:
        current = self.get(capture_id)
        self._update(
            capture_id,
            status=Status.NEEDS_ATTENTION.value,
            last_error=message,
            last_error_detail=detail,
            field_errors_json=json.dumps(field_errors, ensure_ascii=False),
            attempts=current.attempts + 1,
            needs_lookup=0,
        )

    def mark_source(self, capture_id: str, *, applied: bool, error: str | None) -> None:
        """The source step's outcome; a retry's error on the way there is over with."""
        self._update(
            capture_id,
            source_applied=int(applied),
            source_error=error,
            last_error=None,
            last_error_detail=None,
            next_attempt_at=0.0,
        )

    def retry_now(self, capture_id: str) -> None:
        self._update(capture_id, next_attempt_at=0.0)

    def retry_all_now(self) -> None:
        with self._tx() as db:
            db.execute("UPDATE captures SET next_attempt_at = 0 WHERE status = 'waiting'")

    def discard(self, capture_id: str) -> None:
        """Move to the trash: never deleted, still exported, never synced."""
        self._update(capture_id, discarded_at=_iso(utcnow()))

    def restore(self, capture_id: str) -> None:
        self._update(capture_id, discarded_at=None, next_attempt_at=0.0)

    def recover_interrupted(self) -> int:
        """Captures left in ``sending`` by a crash: their outcome is unknown, so they wait
        again and are looked up in Deel before any new attempt."""
        with self._tx() as db:
            cursor = db.execute(
                "UPDATE captures SET status = 'waiting', needs_lookup = 1, next_attempt_at = 0 "
                "WHERE status = 'sending'"
            )
            return cursor.rowcount

    # ------------------------------------------------------------------ meta
    def set_meta(self, key: str, value: str | None) -> None:
        with self._tx() as db:
            if value is None:
                db.execute("DELETE FROM meta WHERE key = ?", (key,))
            else:
                db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    def meta(self, key: str) -> str | None:
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    @property
    def last_sync_at(self) -> datetime | None:
        return _parse(self.meta("last_sync_at"))

    def record_sync(self, moment: datetime | None = None) -> None:
        self.set_meta("last_sync_at", _iso(moment or utcnow()))

    # ------------------------------------------------------------------ reading
    def get(self, capture_id: str) -> Capture:
        row = self._db.execute(
            f"SELECT {_COLUMNS} FROM captures WHERE id = ?",
            (capture_id,),
        ).fetchone()
        if row is None:
            raise KeyError(capture_id)
        return _row_to_capture(row)

    def all(self, *, include_discarded: bool = True) -> list[Capture]:
        where = "" if include_discarded else "WHERE discarded_at IS NULL"
        rows = self._db.execute(
            f"SELECT {_COLUMNS} FROM captures {where} ORDER BY captured_at, rowid"
        ).fetchall()
        return [_row_to_capture(r) for r in rows]

    def next_due(self, now: float, *, exclude: Iterable[str] = ()) -> Capture | None:
        """The oldest capture with work due: a create waiting for its time, or a source step
        still to do. Discarded captures are never sent; ``exclude``: ids already in flight."""
        skip = list(exclude)
        not_in = f"AND id NOT IN ({','.join('?' * len(skip))}) " if skip else ""
        row = self._db.execute(
            f"SELECT {_COLUMNS} FROM captures "
            "WHERE discarded_at IS NULL AND next_attempt_at <= ? AND ("
            "  status = 'waiting' OR (status IN ('in_deel', 'already_in_deel') "
            f"  AND source_applied IS NULL)) {not_in}"
            "ORDER BY captured_at, rowid LIMIT 1",
            (now, *skip),
        ).fetchone()
        return None if row is None else _row_to_capture(row)

    def next_wakeup(self) -> float | None:
        """When the earliest postponed work falls due (epoch seconds), if any."""
        row = self._db.execute(
            "SELECT min(next_attempt_at) FROM captures WHERE discarded_at IS NULL AND ("
            " status = 'waiting' OR (status IN ('in_deel', 'already_in_deel') "
            " AND source_applied IS NULL))"
        ).fetchone()
        return None if row is None or row[0] is None else float(row[0])

    def counts(self) -> Counts:
        values = {s.value: 0 for s in Status}
        for status, n in self._db.execute(
            "SELECT status, count(*) FROM captures WHERE discarded_at IS NULL GROUP BY status"
        ):
            values[status] = n
        discarded = self._db.execute(
            "SELECT count(*) FROM captures WHERE discarded_at IS NOT NULL"
        ).fetchone()[0]
        return Counts(discarded=discarded, **values)

    def find_duplicates(
        self, *, email_key: str | None, phone: str | None, linkedin_slug: str | None,
        exclude_id: str | None = None,
    ) -> list[DuplicateMatch]:  # fmt: skip
        """Earlier captures with the same email (case-insensitive), phone (E.164) or LinkedIn
        profile, newest first. Indexed: cheap enough to call while typing."""
        clauses: list[str] = []
        params: list[Any] = []
        for column, value in (("email_key", email_key), ("phone", phone),
                              ("linkedin_slug", linkedin_slug)):  # fmt: skip
            if value:
                clauses.append(f"{column} = ?")
                params.append(value)
        if not clauses:
            return []
        sql = (
            "SELECT id, captured_at, status, full_name, deel_id, email_key, phone, linkedin_slug "
            f"FROM captures WHERE discarded_at IS NULL AND ({' OR '.join(clauses)}) "
            "ORDER BY captured_at DESC LIMIT 5"
        )
        matches = []
        for row in self._db.execute(sql, params):
            if row["id"] == exclude_id:
                continue
            on = (
                "email" if email_key and row["email_key"] == email_key
                else "phone" if phone and row["phone"] == phone
                else "LinkedIn"
            )  # fmt: skip
            matches.append(
                DuplicateMatch(
                    capture_id=row["id"],
                    captured_at=datetime.fromisoformat(row["captured_at"]),
                    status=Status(row["status"]),
                    matched_on=on,
                    name=row["full_name"],
                    deel_id=row["deel_id"],
                )
            )
        return matches

    def rows_for_view(self) -> list[tuple[Any, ...]]:
        """The outbox view's columns for every capture, oldest first, in one query."""
        return [
            tuple(r)
            for r in self._db.execute(
                f"SELECT {_VIEW_COLUMNS} FROM captures ORDER BY captured_at, rowid"
            )
        ]

    def row_for_view(self, capture_id: str) -> tuple[Any, ...] | None:
        row = self._db.execute(
            f"SELECT {_VIEW_COLUMNS} FROM captures WHERE id = ?",
            (capture_id,),
        ).fetchone()
        return None if row is None else tuple(row)

    def ids_with_status(self, statuses: Sequence[Status]) -> list[str]:
        marks = ",".join("?" * len(statuses))
        return [
            r[0]
            for r in self._db.execute(
                f"SELECT id FROM captures WHERE status IN ({marks}) ORDER BY captured_at",
                [s.value for s in statuses],
            )
        ]
