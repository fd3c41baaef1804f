"""LinkedIn profile addresses: accept what recruiters paste, store one canonical form."""

from __future__ import annotations

import re
from urllib.parse import quote, unquote, urlsplit

__all__ = ["LinkedInError", "canonical_linkedin_url", "linkedin_slug"]

_CANONICAL_PREFIX = "https://www.linkedin.com/in/"
# LinkedIn custom profile URLs: 3-100 letters, digits and hyphens; older profiles may carry
# percent-encoded unicode letters, which unquote() turns back into letters.
_SLUG = re.compile(r"^[\w-]{3,100}$", re.UNICODE)
_LINKEDIN_HOST = re.compile(r"^(?:[a-z]{2,3}\.|www\.|m\.)?linkedin\.com$")


class LinkedInError(ValueError):
    """The text is not a LinkedIn profile address; the message says why, in plain words."""


def canonical_linkedin_url(text: str) -> str:
    """Return ``https://www.linkedin.com/in/<slug>`` for any common way of writing a profile URL.

    Accepts ``linkedin.com/in/jane-doe``, ``www.linkedin.com/in/jane-doe/``,
    ``https://de.linkedin.com/in/jane-doe?trk=…`` and the like. Raises :class:`LinkedInError`.
    """
    # Percent-encoded as LinkedIn itself writes it: a URL with raw non-ASCII letters is not
    # a valid URI, and Deel validates linkedin_profile_url as one.
    return _CANONICAL_PREFIX + quote(linkedin_slug(text), safe="-_")


def linkedin_slug(text: str) -> str:
    """The profile's slug, lower-cased (LinkedIn treats profile URLs case-insensitively)."""
    raw = text.strip()
    if not raw:
        raise LinkedInError("Paste the candidate's LinkedIn profile link, or leave this empty.")
    if any(ch.isspace() for ch in raw):
        raise LinkedInError("A LinkedIn link has no spaces — paste it again from the browser.")
    if "://" not in raw:
        raw = "https://" + raw
    try:
        parts = urlsplit(raw)
        host = (parts.hostname or "").lower().rstrip(".")
    except ValueError:
        raise LinkedInError(
            "This doesn't look like a web address. Paste a link like linkedin.com/in/jane-doe."
        ) from None
    if parts.scheme.lower() not in ("http", "https"):
        raise LinkedInError("Use a web link that starts with https://www.linkedin.com/in/…")
    if not _LINKEDIN_HOST.match(host):
        shown = host or raw
        raise LinkedInError(
            f"{shown} is not LinkedIn. Paste the candidate's LinkedIn profile (linkedin.com/in/…)."
        )
    segments = [s for s in parts.path.split("/") if s]
    if len(segments) >= 2 and segments[0].lower() == "in":
        slug = unquote(segments[1]).strip().lower()
        if _SLUG.match(slug) and "_" not in slug:
            return slug
        raise LinkedInError("This LinkedIn profile link looks cut off or mistyped.")
    kind = segments[0].lower() if segments else ""
    if kind in ("company", "school", "showcase"):
        raise LinkedInError(
            f"That is a LinkedIn {kind} page, not a person's profile (linkedin.com/in/…)."
        )
    raise LinkedInError("Use the link to a person's profile: linkedin.com/in/their-name.")
