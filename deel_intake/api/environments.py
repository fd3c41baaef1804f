"""Where Deel lives: Production, Sandbox, or a custom base URL."""

from __future__ import annotations

import ipaddress
from enum import StrEnum
from urllib.parse import urlsplit, urlunsplit

__all__ = ["BASE_URLS", "Environment", "InvalidBaseURLError", "validate_base_url"]


class Environment(StrEnum):
    PRODUCTION = "production"
    SANDBOX = "sandbox"
    CUSTOM = "custom"

    @property
    def label(self) -> str:
        return {"production": "Production", "sandbox": "Sandbox", "custom": "Custom URL"}[self]


BASE_URLS = {
    Environment.PRODUCTION: "https://api.letsdeel.com/rest/v2",
    Environment.SANDBOX: "https://api-sandbox.demo.deel.com/rest/v2",
}


class InvalidBaseURLError(ValueError):
    """The base URL can't be used; the message says why."""


def _is_loopback(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def validate_base_url(text: str) -> str:
    """Return the URL without a trailing slash. HTTPS is required except on this computer
    (loopback), where the stand-in runs; the token must never cross a network in clear."""
    raw = text.strip()
    if not raw:
        raise InvalidBaseURLError(
            "Enter Deel's API address, e.g. https://api.letsdeel.com/rest/v2."
        )
    try:
        parts = urlsplit(raw)
        host = (parts.hostname or "").lower()
        _ = parts.port  # raises on a bad port
    except ValueError:
        raise InvalidBaseURLError("This is not a valid web address.") from None
    if parts.scheme not in ("http", "https") or not host:
        raise InvalidBaseURLError("The address must start with https:// and name a server.")
    if parts.scheme == "http" and not _is_loopback(host):
        raise InvalidBaseURLError(
            "Use https:// — the token must never be sent unencrypted "
            "(plain http is allowed only for this computer)."
        )
    if parts.query or parts.fragment or parts.username or parts.password:
        raise InvalidBaseURLError("The address must not contain ?, # or a user name.")
    return urlunsplit((parts.scheme, parts.netloc.lower(), parts.path.rstrip("/"), "", ""))
