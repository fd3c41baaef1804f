"""The outbox on a real SQLite file: durability settings, the life of a capture, the
duplicate guard, and migrating a file written by version 1 (``tests/data/outbox-v1.sqlite3``,
built by ``tests/data/make_outbox_v1.py``)."""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
import stat
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from deel_intake.api.models import CreatedCandidate
from deel_intake.domain.candidate import Candidate, CandidateDraft, duplicate_keys, validate_draft
from deel_intake.storage.outbox import (
    FILE_NAME,
    MIGRATIONS,
    SCHEMA_VERSION,
    Outbox,
    OutboxError,
    Status,
)

DATA = Path(__file__).with_name("data")
V1_FILE = DATA / "outbox-v1.sqlite3"
T0 = datetime(2025, 6, 2, 10, 0, 0, tzinfo=UTC)


def make_candidate(
    first: str = "Jane",
    last: str = "Doe",
    email: str = "jane@example.com",
    *,
    phone: str = "",
    linkedin: str = "",
) -> Candidate:
    draft = CandidateDraft(
        first_name=first,
        last_name=last,
        email=email,
        phone=phone,
        linkedin=linkedin,
        source="sourced_internally",
    )
    return validate_draft(draft, region="US")


def created(numeric_id: int = 1001, email: str = "jane@example.com") -> CreatedCandidate:
    """What Deel answers to a create: a plain value, as the client returns it."""
    return CreatedCandidate(
        id=f"00000000-0000-4000-8000-{numeric_id:012d}",
        numeric_id=numeric_id,
        email=email,
        first_name="Jane",
        last_name="Doe",
        created_at=T0,
    )


@pytest.fixture
def outbox(tmp_path: Path) -> Iterator[Outbox]:
    box = Outbox(tmp_path / "data" / FILE_NAME)
    try:
        yield box
    finally:
        box.close()


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def dump(path: Path) -> list[tuple[Any, ...]]:
    """Every row, every column, in a stable order (read with plain sqlite3)."""
    db = sqlite3.connect(path)
    try:
        return [tuple(r) for r in db.execute("SELECT * FROM captures ORDER BY id")]
    finally:
        db.close()


# ---------------------------------------------------------------------- the file
def test_file_is_private_wal_and_fully_synchronous(tmp_path: Path) -> None:
    folder = tmp_path / "fresh"
    path = folder / FILE_NAME
    with Outbox(path) as box:
        box.add(make_candidate())
        assert mode(path) == 0o600
        wal = path.with_name(path.name + "-wal")
        assert wal.exists(), "a committed write in WAL mode leaves the -wal file while open"
        assert mode(wal) == 0o600
        assert mode(folder) == 0o700
        assert box._db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert box._db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
        assert box.schema_version == SCHEMA_VERSION
    db = sqlite3.connect(path)
    try:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"  # persistent
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    finally:
        db.close()


def test_add_and_get_round_trip_unicode(outbox: Outbox) -> None:
    candidate = make_candidate(
        "Zoë  ",
        " Ó Briain-Saldaña",
        "zoe@exämple.de",
        phone="+353 85 123 4567",
        linkedin="https://de.linkedin.com/in/jürgen-müller/?trk=x",
    )
    capture = outbox.add(candidate, captured_at=T0)
    got = outbox.get(capture.id)
    assert got.candidate == candidate
    assert got.candidate.first_name == "Zoë"
    assert got.candidate.last_name == "Ó Briain-Saldaña"
    assert got.candidate.phone == "+353851234567"
    assert got.candidate.linkedin == "https://www.linkedin.com/in/j%C3%BCrgen-m%C3%BCller"
    assert got.captured_at == T0
    assert got.status is Status.WAITING
    assert got.attempts == 0
    assert got.revision == 0
    assert got.deel_id is None
    assert got.source_applied is None
    assert not got.needs_lookup
    assert not got.discarded
    with pytest.raises(KeyError):
        outbox.get("no-such-id")


def test_add_is_committed_for_a_second_connection_at_once(tmp_path: Path) -> None:
    path = tmp_path / FILE_NAME
    with Outbox(path) as writer, Outbox(path) as reader:
        capture = writer.add(make_candidate())
        assert reader.get(capture.id).candidate.email == "jane@example.com"
        # and for a connection that is not an Outbox at all
        raw = sqlite3.connect(path)
        try:
            rows = raw.execute("SELECT id, status FROM captures").fetchall()
        finally:
            raw.close()
        assert rows == [(capture.id, "waiting")]


def test_counts(outbox: Outbox) -> None:
    ids = [
        outbox.add(
            make_candidate(email=f"c{i}@example.com"), captured_at=T0 + timedelta(seconds=i)
        ).id
        for i in range(6)
    ]
    outbox.mark_created(ids[0], created(1001))
    outbox.mark_created(ids[1], created(1002), already=True)
    outbox.mark_needs_attention(ids[2], message="m", detail="d", field_errors={"email": "x"})
    outbox.mark_sending(ids[3])
    outbox.discard(ids[4])
    counts = outbox.counts()
    assert counts.in_deel == 1
    assert counts.already_in_deel == 1
    assert counts.needs_attention == 1
    assert counts.sending == 1
    assert counts.waiting == 1
    assert counts.discarded == 1
    assert counts.total == 6
    assert counts.unsynced == 3


def test_next_due_is_oldest_first_and_respects_next_attempt_at(outbox: Outbox) -> None:
    # inserted out of order: the capture time decides, not the insertion order
    second = outbox.add(
        make_candidate(email="b@example.com"), captured_at=T0 + timedelta(seconds=2)
    )
    first = outbox.add(make_candidate(email="a@example.com"), captured_at=T0 + timedelta(seconds=1))
    third = outbox.add(make_candidate(email="c@example.com"), captured_at=T0 + timedelta(seconds=3))
    now = 1_000_000.0
    due = outbox.next_due(now)
    assert due is not None
    assert due.id == first.id
    outbox.mark_retry(first.id, message="later", detail="d", next_attempt_at=now + 60)
    due = outbox.next_due(now)
    assert due is not None
    assert due.id == second.id
    assert outbox.get(first.id).attempts == 1
    assert outbox.next_wakeup() == 0.0  # second and third are due right now
    outbox.mark_created(second.id, created())
    outbox.mark_source(second.id, applied=True, error=None)
    outbox.mark_retry(third.id, message="later", detail="d", next_attempt_at=now + 30)
    assert outbox.next_due(now) is None
    assert outbox.next_wakeup() == now + 30
    due = outbox.next_due(now + 45)
    assert due is not None
    assert due.id == third.id
    due = outbox.next_due(now + 61)
    assert due is not None
    assert due.id == first.id  # the oldest again once it is due
    outbox.retry_now(third.id)
    due = outbox.next_due(now)
    assert due is not None
    assert due.id == third.id
    outbox.retry_all_now()
    due = outbox.next_due(now)
    assert due is not None
    assert due.id == first.id


def test_a_capture_in_deel_without_its_source_is_still_due(outbox: Outbox) -> None:
    capture = outbox.add(make_candidate())
    outbox.mark_created(capture.id, created())
    due = outbox.next_due(0.0)
    assert due is not None
    assert due.source_pending
    outbox.mark_source(capture.id, applied=False, error="Deel refused the source.")
    assert outbox.next_due(1e12) is None


def test_discard_and_restore(outbox: Outbox) -> None:
    capture = outbox.add(make_candidate())
    outbox.mark_retry(capture.id, message="m", detail="d", next_attempt_at=5e9)
    outbox.discard(capture.id)
    assert outbox.next_due(1e12) is None
    assert outbox.next_wakeup() is None
    assert [c.id for c in outbox.all()] == [capture.id]
    assert outbox.all(include_discarded=False) == []
    assert outbox.get(capture.id).discarded
    counts = outbox.counts()
    assert (counts.waiting, counts.discarded, counts.total) == (0, 1, 1)
    outbox.restore(capture.id)
    restored = outbox.get(capture.id)
    assert not restored.discarded
    assert restored.status is Status.WAITING
    assert restored.next_attempt_at == 0.0  # restored means "send it now"
    due = outbox.next_due(0.0)
    assert due is not None
    assert due.id == capture.id
    assert outbox.counts().waiting == 1


def test_edit_bumps_revision_and_the_idempotency_key(outbox: Outbox) -> None:
    capture = outbox.add(make_candidate(last="Dough"))
    assert capture.idempotency_key == capture.id
    assert outbox.get(capture.id).idempotency_key == capture.id
    outbox.mark_needs_attention(
        capture.id, message="Deel refused", detail="HTTP 400", field_errors={"last_name": "bad"}
    )
    edited = outbox.edit(capture.id, make_candidate(last="Doe"))
    assert edited.id == capture.id
    assert edited.revision == 1
    assert edited.idempotency_key == f"{capture.id}-r1"
    assert edited.status is Status.WAITING
    assert edited.candidate.last_name == "Doe"
    assert edited.field_errors == {}
    assert edited.last_error is None
    assert edited.next_attempt_at == 0.0
    assert edited.captured_at == outbox.all()[0].captured_at
    assert outbox.edit(capture.id, make_candidate(last="Does")).idempotency_key == (
        f"{capture.id}-r2"
    )


def test_edit_refuses_a_capture_in_deel(outbox: Outbox) -> None:
    capture = outbox.add(make_candidate())
    outbox.mark_created(capture.id, created())
    with pytest.raises(OutboxError, match="already in Deel"):
        outbox.edit(capture.id, make_candidate(last="Other"))
    other = outbox.add(make_candidate(email="x@example.com"))
    outbox.mark_created(other.id, created(1002), already=True)
    with pytest.raises(OutboxError, match="already in Deel"):
        outbox.edit(other.id, make_candidate(last="Other"))
    assert outbox.get(capture.id).candidate.last_name == "Doe"
    assert outbox.get(capture.id).revision == 0


def test_edit_of_a_discarded_capture_takes_it_out_of_the_trash(outbox: Outbox) -> None:
    capture = outbox.add(make_candidate())
    outbox.discard(capture.id)
    edited = outbox.edit(capture.id, make_candidate(last="Fixed"))
    assert not edited.discarded


def test_recover_interrupted(outbox: Outbox) -> None:
    sending = outbox.add(make_candidate(email="a@example.com"))
    waiting = outbox.add(make_candidate(email="b@example.com"))
    outbox.mark_sending(sending.id)
    outbox.mark_retry(sending.id, message="m", detail="d", next_attempt_at=5e9)
    outbox.mark_sending(sending.id)
    assert outbox.ids_with_status([Status.SENDING]) == [sending.id]
    assert outbox.recover_interrupted() == 1
    recovered = outbox.get(sending.id)
    assert recovered.status is Status.WAITING
    assert recovered.needs_lookup
    assert recovered.next_attempt_at == 0.0
    assert not outbox.get(waiting.id).needs_lookup
    assert outbox.recover_interrupted() == 0


def test_mark_created_stores_deel_ids_and_clears_the_lookup(outbox: Outbox) -> None:
    capture = outbox.add(make_candidate())
    outbox.mark_sending(capture.id)
    outbox.recover_interrupted()
    outbox.mark_created(capture.id, created(1042))
    got = outbox.get(capture.id)
    assert got.status is Status.IN_DEEL
    assert got.deel_id == "00000000-0000-4000-8000-000000001042"
    assert got.deel_numeric_id == 1042
    assert got.deel_created_at == T0
    assert not got.needs_lookup
    assert got.source_pending


def test_meta_and_last_sync(outbox: Outbox) -> None:
    assert outbox.last_sync_at is None
    outbox.record_sync(T0)
    assert outbox.last_sync_at == T0
    outbox.set_meta("paused_reason", "token")
    assert outbox.meta("paused_reason") == "token"
    outbox.set_meta("paused_reason", None)
    assert outbox.meta("paused_reason") is None


# ---------------------------------------------------------------------- duplicates
def test_find_duplicates(outbox: Outbox) -> None:
    jane = outbox.add(
        make_candidate(
            email="Jane.Doe@Example.com",
            phone="(650) 253-0000",
            linkedin="linkedin.com/in/jane-doe",
        ),
        captured_at=T0,
    )
    outbox.add(make_candidate("Other", "Person", "other@example.com"), captured_at=T0)
    typed = CandidateDraft(
        first_name="J",
        last_name="D",
        email="  JANE.DOE@example.COM ",
        phone="+1 650 253 0000",
        linkedin="https://www.linkedin.com/in/Jane-Doe/",
    )
    email, phone, slug = duplicate_keys(typed, region="US")
    (by_email,) = outbox.find_duplicates(email_key=email, phone=None, linkedin_slug=None)
    assert by_email.capture_id == jane.id
    assert by_email.matched_on == "email"
    assert by_email.name == "Jane Doe"
    assert by_email.status is Status.WAITING
    assert by_email.captured_at == T0
    (by_phone,) = outbox.find_duplicates(email_key=None, phone=phone, linkedin_slug=None)
    assert (by_phone.capture_id, by_phone.matched_on) == (jane.id, "phone")
    (by_slug,) = outbox.find_duplicates(email_key=None, phone=None, linkedin_slug=slug)
    assert (by_slug.capture_id, by_slug.matched_on) == (jane.id, "LinkedIn")
    assert outbox.find_duplicates(email_key=None, phone=None, linkedin_slug=None) == []
    assert (
        outbox.find_duplicates(email_key="nobody@example.com", phone=None, linkedin_slug=None) == []
    )
    # the capture being edited is not its own duplicate
    assert (
        outbox.find_duplicates(email_key=email, phone=phone, linkedin_slug=slug, exclude_id=jane.id)
        == []
    )
    outbox.mark_created(jane.id, created())
    (in_deel,) = outbox.find_duplicates(email_key=email, phone=None, linkedin_slug=None)
    assert in_deel.deel_id == created().id
    # the trash is not a duplicate
    outbox.discard(jane.id)
    assert outbox.find_duplicates(email_key=email, phone=phone, linkedin_slug=slug) == []


def test_find_duplicates_newest_first(outbox: Outbox) -> None:
    old = outbox.add(make_candidate(email="a@example.com", phone="+16502530000"), captured_at=T0)
    new = outbox.add(
        make_candidate(email="b@example.com", phone="+16502530000"),
        captured_at=T0 + timedelta(hours=1),
    )
    matches = outbox.find_duplicates(email_key=None, phone="+16502530000", linkedin_slug=None)
    assert [m.capture_id for m in matches] == [new.id, old.id]


# ---------------------------------------------------------------------- refusing files
def test_a_newer_schema_is_refused_and_the_file_left_alone(tmp_path: Path) -> None:
    path = tmp_path / FILE_NAME
    with Outbox(path) as box:
        box.add(make_candidate())
    db = sqlite3.connect(path)
    try:
        db.execute(f"PRAGMA user_version={SCHEMA_VERSION + 1}")
    finally:
        db.close()
    before = sha256(path)
    with pytest.raises(OutboxError, match=r"newer deel-intake \(schema 3\)"):
        Outbox(path)
    assert sha256(path) == before
    db = sqlite3.connect(path)
    try:
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION + 1
        assert db.execute("SELECT count(*) FROM captures").fetchone()[0] == 1
    finally:
        db.close()


def test_a_newer_schema_in_rollback_journal_mode_is_left_alone(tmp_path: Path) -> None:
    path = tmp_path / FILE_NAME
    db = sqlite3.connect(path)
    try:
        db.execute("CREATE TABLE captures (id TEXT PRIMARY KEY)")
        db.execute(f"PRAGMA user_version={SCHEMA_VERSION + 1}")
        db.commit()
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    finally:
        db.close()
    before = path.read_bytes()
    with pytest.raises(OutboxError, match="Nothing was changed"):
        Outbox(path)
    assert path.read_bytes() == before


def test_a_damaged_file_is_refused_and_never_deleted(tmp_path: Path) -> None:
    path = tmp_path / FILE_NAME
    garbage = bytes(range(256)) * 64
    path.write_bytes(garbage)
    with pytest.raises(OutboxError, match="can't be opened") as info:
        Outbox(path)
    assert "Nothing was deleted" in str(info.value)
    assert path.read_bytes() == garbage


def test_a_folder_that_cannot_be_made_gives_an_outbox_error(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the data folder should be")
    with pytest.raises(OutboxError, match="can't be written"):
        Outbox(blocker / FILE_NAME)


# ---------------------------------------------------------------------- migration from v1
def _v1_rows(path: Path) -> dict[str, dict[str, Any]]:
    db = sqlite3.connect(path)
    db.row_factory = sqlite3.Row
    try:
        assert db.execute("PRAGMA user_version").fetchone()[0] == 1
        return {r["id"]: dict(r) for r in db.execute("SELECT * FROM captures")}
    finally:
        db.close()


@pytest.fixture
def v1_copy(tmp_path: Path) -> Path:
    target = tmp_path / FILE_NAME
    shutil.copyfile(V1_FILE, target)
    return target


def test_the_v1_fixture_is_what_the_script_builds(tmp_path: Path) -> None:
    """The committed file and its generator agree, and the generator's schema is v1's."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_outbox_v1", DATA / "make_outbox_v1.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.V1_SCHEMA.strip() == MIGRATIONS[0].strip()
    rebuilt = tmp_path / "rebuilt.sqlite3"
    module.build(rebuilt)
    assert dump(rebuilt) == dump(V1_FILE)
    assert V1_FILE.stat().st_size <= 16 * 1024


def test_migration_from_v1(v1_copy: Path) -> None:
    before = _v1_rows(v1_copy)
    assert {r["status"] for r in before.values()} == {
        "waiting",
        "sending",
        "in_deel",
        "needs_attention",
    }
    with Outbox(v1_copy) as box:
        assert box.schema_version == 2
        after = {c.id: c for c in box.all()}
        assert set(after) == set(before)
        for capture_id, old in before.items():
            new = after[capture_id]
            assert new.captured_at == datetime.fromisoformat(old["captured_at"])
            assert new.candidate == Candidate.model_validate_json(old["candidate_json"])
            assert new.candidate.model_dump() == json.loads(old["candidate_json"])
            assert new.deel_id == old["deel_id"]
            assert new.deel_numeric_id == old["deel_numeric_id"]
            assert new.attempts == old["attempts"]
            assert new.last_error == old["last_error"]
            assert new.revision == 0
            assert new.idempotency_key == capture_id  # the key v1 sent: unchanged
            assert not new.discarded
            if old["status"] == "sending":
                # left mid-send by version 1: outcome unknown, look it up before resending
                assert new.status is Status.WAITING
                assert new.needs_lookup
            else:
                assert new.status == Status(old["status"])
                assert not new.needs_lookup
            if old["status"] == "in_deel":
                assert new.source_applied is True  # v1 had no source step
                assert new.deel_id is not None
            else:
                assert new.source_applied is None
    # the lifted-out columns, as the view and the duplicate guard read them
    db = sqlite3.connect(v1_copy)
    db.row_factory = sqlite3.Row
    try:
        for row in db.execute("SELECT * FROM captures"):
            candidate = Candidate.model_validate_json(row["candidate_json"])
            assert row["full_name"] == candidate.full_name
            assert row["email"] == candidate.email
            assert row["phone"] == candidate.phone
            assert row["source"] == "sourced_internally"
            assert row["updated_at"] == row["captured_at"]
            # decoded as the duplicate guard compares it, also for 'j%C3%BCrgen-m%C3%BCller'
            assert row["linkedin_slug"] == candidate.linkedin_slug
    finally:
        db.close()

    with Outbox(v1_copy) as box:
        counts = box.counts()
        assert (counts.waiting, counts.in_deel, counts.needs_attention) == (3, 2, 1)
        # what is due: the waiting rows and the one left mid-send, never v1's in_deel rows
        due_ids = set()
        while (due := box.next_due(2e9)) is not None:
            due_ids.add(due.id)
            box.mark_needs_attention(due.id, message="m", detail="d", field_errors={})
        assert {before[i]["status"] for i in due_ids} == {"waiting", "sending"}
        assert len(due_ids) == 3


def test_duplicate_search_works_on_migrated_rows(v1_copy: Path) -> None:
    with Outbox(v1_copy) as box:
        lukasz = "2d8b5e3a-6c73-4f4a-9b2c-3e4f5a6b7c83"
        typed = CandidateDraft(
            email="LUKASZ@example.PL",
            phone="+48 512 345 678",
            linkedin="https://pl.linkedin.com/in/Lukasz-Wrobel",
        )
        email, phone, slug = duplicate_keys(typed, region="PL")
        for keys, on in (
            ({"email_key": email, "phone": None, "linkedin_slug": None}, "email"),
            ({"email_key": None, "phone": phone, "linkedin_slug": None}, "phone"),
            ({"email_key": None, "phone": None, "linkedin_slug": slug}, "LinkedIn"),
        ):
            (match,) = box.find_duplicates(**keys)
            assert (match.capture_id, match.matched_on) == (lukasz, on)
            assert match.name == "Łukasz Wróbel"
            assert match.deel_id == "9a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
            assert match.status is Status.IN_DEEL
        (bjorn,) = box.find_duplicates(
            email_key="bjorn.angstrom@example.se", phone=None, linkedin_slug=None
        )
        assert bjorn.name == "Björn Ångström"
        (li,) = box.find_duplicates(email_key=None, phone="+8613800138000", linkedin_slug=None)
        assert li.name == "李 小龙"


def test_duplicate_search_finds_a_migrated_non_ascii_linkedin_slug(v1_copy: Path) -> None:
    with Outbox(v1_copy) as box:
        typed = CandidateDraft(linkedin="linkedin.com/in/jürgen-müller")
        _, _, slug = duplicate_keys(typed, region="DE")
        assert slug == "jürgen-müller"
        (match,) = box.find_duplicates(email_key=None, phone=None, linkedin_slug=slug)
        assert match.capture_id == "5abe8b6d-9fa6-4c7d-8e5f-6b7c8d9eafb6"


def test_a_second_open_after_migration_is_a_no_op(v1_copy: Path) -> None:
    Outbox(v1_copy).close()
    migrated = dump(v1_copy)
    with Outbox(v1_copy) as box:
        assert box.schema_version == SCHEMA_VERSION
    assert dump(v1_copy) == migrated


def test_a_failing_migration_leaves_the_v1_file_as_it_was(v1_copy: Path) -> None:
    """Migration and version bump are one transaction: a v1 row the migration can't read
    (damaged JSON) stops it, and the file is still a complete version-1 outbox."""
    db = sqlite3.connect(v1_copy)
    try:
        db.execute(
            "UPDATE captures SET candidate_json = '{not json' "
            "WHERE id = '0b6f3c1e-4a51-4d2e-9f0a-1c2d3e4f5a61'"
        )
        db.commit()
    finally:
        db.close()
    before = dump(v1_copy)
    with pytest.raises(OutboxError):
        Outbox(v1_copy)
    db = sqlite3.connect(v1_copy)
    try:
        assert db.execute("PRAGMA user_version").fetchone()[0] == 1
        columns = [r[1] for r in db.execute("PRAGMA table_info(captures)")]
        assert "full_name" not in columns
    finally:
        db.close()
    assert dump(v1_copy) == before
