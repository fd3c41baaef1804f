"""The candidate a recruiter captures, validated and normalised by pydantic.

The form hands over a :class:`CandidateDraft` (the raw text of every field, nothing lost);
:func:`validate_draft` turns it into a :class:`Candidate` or raises :class:`DraftInvalidError`
with one plain sentence per field, keyed by the field's name so the window can put each
message under its own field.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import asdict
from functools import cached_property
from typing import Any, Final

from pydantic import BaseModel, ConfigDict, ValidationError, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from deel_intake.domain.fields import FIELD_LABELS, FIELDS, CandidateDraft
from deel_intake.domain.linkedin import LinkedInError, canonical_linkedin_url, linkedin_slug
from deel_intake.domain.phone import PhoneError, normalise_phone

__all__ = [
    "FIELDS",
    "FIELD_LABELS",
    "NAME_MAX",
    "Candidate",
    "CandidateDraft",
    "DraftInvalidError",
    "duplicate_keys",
    "validate_draft",
]

NAME_MAX: Final = 100
EMAIL_MAX: Final = 254
_SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
_SPACES = re.compile(r"\s+")


class DraftInvalidError(ValueError):
    """Validation failed; ``errors`` maps a field name in :data:`FIELDS` to one sentence."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{FIELD_LABELS.get(k, k)}: {v}" for k, v in errors.items()))


def _fail(message: str) -> PydanticCustomError:
    return PydanticCustomError("deel_intake", message)


def _clean_name(value: str, label: str) -> str:
    name = _SPACES.sub(" ", unicodedata.normalize("NFC", value)).strip()
    if not name:
        raise _fail(f"{label} is required.")
    if len(name) > NAME_MAX:
        raise _fail(f"Keep the {label.lower()} to {NAME_MAX} characters or fewer.")
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Co", "Cs") for ch in name):
        raise _fail(f"The {label.lower()} contains invisible or control characters.")
    if not any(ch.isalpha() for ch in name):
        raise _fail(f"The {label.lower()} needs at least one letter.")
    return name


def normalise_email(value: str) -> str:
    """Trim and validate; the domain is lower-cased, the part before @ is kept as typed."""
    from email_validator import EmailNotValidError, validate_email

    text = value.strip()
    if not text:
        raise _fail("Email is required.")
    if len(text) > EMAIL_MAX:
        raise _fail("This email address is too long.")
    try:
        # No DNS look-up: the booth may be offline. No SMTPUTF8: Deel's API accepts
        # only ASCII before the @ (its validator uses the plain "email" format).
        result = validate_email(text, check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError as exc:
        reason = str(exc).rstrip(".")
        if "SMTPUTF8" in reason or "internationalized" in reason.lower():
            reason = "Deel only accepts plain letters, digits and . _ + - before the @"
        raise _fail(f"Check the email address: {reason}.") from None
    return str(result.normalized)


def email_for_deel(email: str) -> str:
    """The ASCII form Deel accepts: an internationalised domain in its xn-- spelling."""
    from email_validator import validate_email

    result = validate_email(email, check_deliverability=False, allow_smtputf8=False)
    return str(result.ascii_email or result.normalized)


class Candidate(BaseModel):
    """A valid candidate, normalised: trimmed names, E.164 phone, canonical LinkedIn URL."""

    model_config = ConfigDict(frozen=True, str_strip_whitespace=False)

    first_name: str
    last_name: str
    email: str
    phone: str | None = None
    linkedin: str | None = None
    source: str

    @field_validator("first_name", mode="plain")
    @classmethod
    def _first(cls, value: object) -> str:
        return _clean_name(str(value), "First name")

    @field_validator("last_name", mode="plain")
    @classmethod
    def _last(cls, value: object) -> str:
        return _clean_name(str(value), "Last name")

    @field_validator("email", mode="plain")
    @classmethod
    def _email(cls, value: object) -> str:
        return normalise_email(str(value))

    @field_validator("phone", mode="plain")
    @classmethod
    def _phone(cls, value: object, info: ValidationInfo) -> str | None:
        text = "" if value is None else str(value).strip()
        if not text:
            return None
        context: dict[str, Any] = info.context or {}
        try:
            return normalise_phone(text, str(context.get("region", "")))
        except PhoneError as exc:
            raise _fail(str(exc)) from None

    @field_validator("linkedin", mode="plain")
    @classmethod
    def _linkedin(cls, value: object) -> str | None:
        text = "" if value is None else str(value).strip()
        if not text:
            return None
        try:
            return canonical_linkedin_url(text)
        except LinkedInError as exc:
            raise _fail(str(exc)) from None

    @field_validator("source", mode="plain")
    @classmethod
    def _source(cls, value: object) -> str:
        slug = str(value or "").strip().lower()
        if not _SLUG.match(slug):
            raise _fail("Choose where this candidate came from.")
        return slug

    # ------------------------------------------------------------------ derived
    @cached_property
    def email_key(self) -> str:
        """The email as compared for duplicates: case-insensitive, in the ASCII form Deel
        holds (``straße.de`` and ``strasse.de`` are different domains)."""
        return email_for_deel(self.email).casefold()

    @property
    def linkedin_slug(self) -> str | None:
        return linkedin_slug(self.linkedin) if self.linkedin else None

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def create_body(self) -> dict[str, Any]:
        """The body of ``POST /ats/candidates``: exactly Deel's documented fields, no others.

        Deel's create call has no source field; the source is set by a later PATCH.
        """
        data: dict[str, Any] = {
            "email": email_for_deel(self.email),
            "first_name": self.first_name,
            "last_name": self.last_name,
        }
        if self.phone:
            data["phone_number"] = self.phone
        if self.linkedin:
            data["linkedin_profile_url"] = self.linkedin
        return {"data": data}

    def to_draft(self) -> CandidateDraft:
        """The candidate as form text, for editing it again."""
        return CandidateDraft(
            first_name=self.first_name,
            last_name=self.last_name,
            email=self.email,
            phone=self.phone or "",
            linkedin=self.linkedin or "",
            source=self.source,
        )


def duplicate_keys(
    draft: CandidateDraft, *, region: str
) -> tuple[str | None, str | None, str | None]:
    """The (email key, E.164 phone, LinkedIn slug) of whatever is valid in a draft so far,
    for the duplicate guard while typing; invalid or empty parts are ``None``."""
    email = phone = slug = None
    try:
        email = email_for_deel(normalise_email(draft.email)).casefold()
    except (PydanticCustomError, ValueError):
        email = None
    if draft.phone.strip():
        try:
            phone = normalise_phone(draft.phone, region)
        except PhoneError:
            phone = None
    if draft.linkedin.strip():
        try:
            slug = linkedin_slug(draft.linkedin)
        except LinkedInError:
            slug = None
    return email, phone, slug


def validate_draft(draft: CandidateDraft, *, region: str) -> Candidate:
    """Validate every field at once; raise :class:`DraftInvalidError` with one message per field."""
    try:
        return Candidate.model_validate(asdict(draft), context={"region": region})
    except ValidationError as exc:
        errors: dict[str, str] = {}
        for err in exc.errors(include_url=False, include_input=False):
            field = str(err["loc"][0]) if err["loc"] else "form"
            errors.setdefault(field, err["msg"])
        raise DraftInvalidError(errors) from None
