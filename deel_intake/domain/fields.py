"""The form's fields and the raw draft: plain Python, cheap to import (the window needs them
before anything else; pydantic is loaded later, on the first validation)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

__all__ = ["FIELDS", "FIELD_LABELS", "CandidateDraft"]

FIELDS: Final = ("first_name", "last_name", "email", "phone", "linkedin", "source")
FIELD_LABELS: Final = {
    "first_name": "First name",
    "last_name": "Last name",
    "email": "Email",
    "phone": "Phone",
    "linkedin": "LinkedIn",
    "source": "Source",
}


@dataclass(frozen=True, slots=True)
class CandidateDraft:
    """Exactly what was typed, field by field. Never normalised, never lost."""

    first_name: str = ""
    last_name: str = ""
    email: str = ""
    phone: str = ""
    linkedin: str = ""
    source: str = ""
