"""Body validation as Deel's API does it: JSON Schema checked by AJV with ``allErrors``.

Every problem becomes one `Problem` with a JSON pointer (``/data/email``) and AJV's message
(``must match format "email"``). ``required`` and ``additionalProperties`` problems point at
the object that lacks or has the property, and name it in the message. Formats follow
ajv-formats in "fast" mode: ``email`` is its ASCII-only regular expression, ``uri`` an
absolute URI (the stand-in accepts only http and https ones, as Deel stores them as links).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

__all__ = ["CANDIDATE_FIELDS", "Problem", "is_email", "is_http_uri", "validate_create"]

# ajv-formats, fast mode. re.ASCII keeps IGNORECASE from letting [a-z] match "K" (Kelvin sign).
_EMAIL = re.compile(
    r"[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?",
    re.IGNORECASE | re.ASCII,
)
# The characters RFC 3986 allows in a URI (anything else must be percent-encoded).
_URI_CHARS = re.compile(r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+")

_REQUIRED = ("email", "first_name", "last_name")
_OPTIONAL_URIS = ("linkedin_profile_url", "pic_url")
#: Every property POST /ats/candidates accepts in ``data``, in the order Deel documents them.
CANDIDATE_FIELDS = (*_REQUIRED, "phone_number", *_OPTIONAL_URIS)
_SLUG_FIELD = "origin_source_slug"


@dataclass(frozen=True)
class Problem:
    """One validation error."""

    path: str  # JSON pointer into the body; "" is the body itself
    message: str

    def as_text(self) -> str:
        """AJV's ``errorsText`` style: ``data/email must match format "email"``."""
        return f"{self.path.lstrip('/') or 'body'} {self.message}"


def is_email(value: str) -> bool:
    """True if AJV's ``email`` format accepts `value`."""
    return _EMAIL.fullmatch(value) is not None


def is_http_uri(value: str) -> bool:
    """True if `value` is an absolute http(s) URI with a host, written in URI characters only."""
    if _URI_CHARS.fullmatch(value) is None:
        return False
    try:
        parts = urlsplit(value)
    except ValueError:  # e.g. an unbalanced "[" in the host
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)


def _envelope(body: object, problems: list[Problem]) -> Mapping[str, Any] | None:
    """The ``data`` object of ``{"data": {...}}``, or None (with problems added)."""
    if not isinstance(body, dict):
        problems.append(Problem("", "must be object"))
        return None
    if "data" not in body:
        problems.append(Problem("", "must have required property 'data'"))
        return None
    data = body["data"]
    if not isinstance(data, dict):
        problems.append(Problem("/data", "must be object"))
        return None
    return data


def _object_rules(
    data: Mapping[str, Any], required: Collection[str], allowed: Collection[str]
) -> list[Problem]:
    problems = [
        Problem("/data", f"must have required property '{name}'")
        for name in required
        if name not in data
    ]
    problems.extend(
        Problem("/data", f"must NOT have additional properties: {name}")
        for name in data
        if name not in allowed
    )
    return problems


def validate_create(body: object) -> tuple[dict[str, str | None], list[Problem]]:
    """Validate a POST /ats/candidates body.

    Returns the candidate's fields (all of `CANDIDATE_FIELDS`, absent optional ones as None)
    and the problems; the fields are only meaningful when there are no problems.
    """
    problems: list[Problem] = []
    data = _envelope(body, problems)
    if data is None:
        return {}, problems
    problems.extend(_object_rules(data, _REQUIRED, CANDIDATE_FIELDS))
    for name in _REQUIRED:
        if name not in data:
            continue
        value = data[name]
        if not isinstance(value, str):
            problems.append(Problem(f"/data/{name}", "must be string"))
        elif not value:
            problems.append(Problem(f"/data/{name}", "must NOT have fewer than 1 characters"))
        elif name == "email" and not is_email(value):
            problems.append(Problem("/data/email", 'must match format "email"'))
    phone = data.get("phone_number")
    if phone is not None and not isinstance(phone, str):
        problems.append(Problem("/data/phone_number", "must be string,null"))
    for name in _OPTIONAL_URIS:
        value = data.get(name)
        if value is None:
            continue
        if not isinstance(value, str):
            problems.append(Problem(f"/data/{name}", "must be string,null"))
        elif not is_http_uri(value):
            problems.append(Problem(f"/data/{name}", 'must match format "uri"'))
    fields: dict[str, str | None] = {name: data.get(name) for name in CANDIDATE_FIELDS}
    return fields, problems


def validate_patch(body: object, slugs: Collection[str]) -> tuple[str, list[Problem]]:
    """Validate a PATCH /ats/candidates/{id} body; returns the slug and the problems."""
    problems: list[Problem] = []
    data = _envelope(body, problems)
    if data is None:
        return "", problems
    problems.extend(_object_rules(data, (_SLUG_FIELD,), (_SLUG_FIELD,)))
    slug = data.get(_SLUG_FIELD)
    pointer = f"/data/{_SLUG_FIELD}"
    if _SLUG_FIELD not in data:
        return "", problems
    if not isinstance(slug, str):
        problems.append(Problem(pointer, "must be string"))
        return "", problems
    if slug not in slugs:
        problems.append(Problem(pointer, "must be equal to one of the allowed values"))
    return slug, problems
