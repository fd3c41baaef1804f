"""Where a candidate came from: Deel's application-source slugs."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["BUILTIN_SOURCES", "DEFAULT_SOURCE", "Source", "source_label"]


@dataclass(frozen=True, slots=True)
class Source:
    slug: str
    label: str


_LABELS = {
    "sourced_internally": "Sourced internally",
    "external_career_page": "External career page",
    "linkedin_premium": "LinkedIn (Premium)",
    "linkedin_basic": "LinkedIn (Basic)",
    "internal_career_page": "Internal career page",
    "internal_referral": "Internal referral",
    "bulk_imported": "Bulk imported",
}


def source_label(slug: str) -> str:
    """A recruiter-facing name for a slug; unknown slugs become 'Job fair' from 'job_fair'."""
    key = slug.lower()
    return _LABELS.get(key) or key.replace("_", " ").replace("-", " ").strip().capitalize()


# The slugs Deel documents for application sources; used when the live list can't be fetched.
BUILTIN_SOURCES: tuple[Source, ...] = tuple(Source(slug, label) for slug, label in _LABELS.items())
DEFAULT_SOURCE = "sourced_internally"
