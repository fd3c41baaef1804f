"""A capture and where it stands: plain values shared by the outbox, the sync engine and
the window (no sqlite3 here, so the UI may import it)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from deel_intake.domain.candidate import Candidate

__all__ = ["Capture", "Counts", "DuplicateMatch", "Status"]


class Status(StrEnum):
    WAITING = "waiting"
    SENDING = "sending"
    IN_DEEL = "in_deel"
    NEEDS_ATTENTION = "needs_attention"
    ALREADY_IN_DEEL = "already_in_deel"

    @property
    def label(self) -> str:
        return _STATUS_LABELS[self]

    @property
    def done(self) -> bool:
        return self in (Status.IN_DEEL, Status.ALREADY_IN_DEEL)


_STATUS_LABELS = {
    Status.WAITING: "Waiting",
    Status.SENDING: "Sending",
    Status.IN_DEEL: "In Deel",
    Status.NEEDS_ATTENTION: "Needs attention",
    Status.ALREADY_IN_DEEL: "Already in Deel",
}


@dataclass(frozen=True, slots=True)
class Capture:
    """One captured candidate and where it stands."""

    id: str
    captured_at: datetime
    candidate: Candidate
    status: Status
    attempts: int = 0
    next_attempt_at: float = 0.0
    last_error: str | None = None
    last_error_detail: str | None = None
    field_errors: dict[str, str] = field(default_factory=dict)
    deel_id: str | None = None
    deel_numeric_id: int | None = None
    source_applied: bool | None = None
    source_error: str | None = None
    needs_lookup: bool = False
    revision: int = 0
    discarded_at: datetime | None = None
    updated_at: datetime | None = None
    deel_created_at: datetime | None = None

    @property
    def discarded(self) -> bool:
        return self.discarded_at is not None

    @property
    def idempotency_key(self) -> str:
        """The capture's UUID; an edited capture is a different request body, so each
        revision after the first gets its own key (``<uuid>-r2``) under the same local id."""
        return self.id if self.revision == 0 else f"{self.id}-r{self.revision}"

    @property
    def source_pending(self) -> bool:
        return self.status.done and self.source_applied is None


@dataclass(frozen=True, slots=True)
class Counts:
    waiting: int = 0
    sending: int = 0
    in_deel: int = 0
    needs_attention: int = 0
    already_in_deel: int = 0
    discarded: int = 0

    @property
    def unsynced(self) -> int:
        """Captures not yet in Deel (and not discarded)."""
        return self.waiting + self.sending + self.needs_attention

    @property
    def total(self) -> int:
        return (
            self.waiting + self.sending + self.in_deel + self.needs_attention
            + self.already_in_deel + self.discarded
        )  # fmt: skip


@dataclass(frozen=True, slots=True)
class DuplicateMatch:
    capture_id: str
    captured_at: datetime
    status: Status
    matched_on: str  # "email", "phone" or "LinkedIn"
    name: str
    deel_id: str | None
