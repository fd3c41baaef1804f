"""What Deel sends back, as plain frozen values the rest of the app (and the UI) may hold.
No httpx here, so the UI can import it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pydantic import BaseModel, ConfigDict, ValidationError

from deel_intake.api import errors as e

__all__ = ["CreatedCandidate", "IntakeResult"]


class _CandidateOut(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    id: str
    numeric_id: int
    email: str
    first_name: str
    last_name: str
    created_at: datetime
    phone_number: str | None = None
    linkedin_profile_url: str | None = None
    source: str | None = None


@dataclass(frozen=True, slots=True)
class CreatedCandidate:
    """A candidate as Deel holds it."""

    id: str
    numeric_id: int
    email: str
    first_name: str
    last_name: str
    created_at: datetime
    phone_number: str | None = None
    linkedin_profile_url: str | None = None
    source: str | None = None

    @classmethod
    def from_api(cls, data: object) -> CreatedCandidate:
        try:
            out = _CandidateOut.model_validate(data)
        except ValidationError as exc:
            raise e.BadResponseError(
                "Deel answered, but not with a candidate we can read.",
                detail=f"unexpected candidate shape: {exc.error_count()} problem(s)",
            ) from None
        return cls(**out.model_dump())


@dataclass(frozen=True, slots=True)
class IntakeResult:
    """What happened: the candidate as Deel holds it, and whether the source was set."""

    candidate: CreatedCandidate
    source: str
    source_applied: bool
    source_error: str | None = None
    already_existed: bool = False
