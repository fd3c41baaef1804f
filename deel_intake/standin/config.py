"""Configuration of the stand-in: who may call it, and how strict and how slow it is.

Deel's rate limit applies to an *organization*, not to one token: every token in
`StandInConfig.tokens` belongs to the same organization and shares one rolling window.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

__all__ = ["ALL_SCOPES", "DEFAULT_TOKEN", "ErrorShape", "StandInConfig"]

#: The token the CLI and a default-configured stand-in accept.
DEFAULT_TOKEN = "stand-in-token"  # noqa: S105 -- public by design: a demo token, not a secret
#: Every scope the stand-in knows: GET routes need ``ats:read``, POST/PATCH need ``ats:write``.
ALL_SCOPES: frozenset[str] = frozenset({"ats:read", "ats:write"})

#: Shape of a 400 validation error: Deel's ``ApiErrorContainer`` or the bare ``{"errors": [...]}``.
ErrorShape = Literal["container", "errors"]


def _default_tokens() -> dict[str, frozenset[str]]:
    return {DEFAULT_TOKEN: ALL_SCOPES}


@dataclass
class StandInConfig:
    """How the stand-in behaves. It is read afresh on every request, so tests may change it
    while the server runs (for example, drop a token from `tokens` to simulate a revocation)."""

    #: bearer token -> scopes it grants.
    tokens: dict[str, frozenset[str]] = field(default_factory=_default_tokens)
    #: Most accepted requests per rolling `rate_window` for the whole organization; None: no limit.
    rate_limit: int | None = 5
    #: Length of the rolling rate-limit window, in seconds.
    rate_window: float = 1.0
    #: Seconds added to every request before it is handled (to make benchmarks realistic).
    latency: float = 0.0
    #: Shape of 400 body-validation errors.
    error_shape: ErrorShape = "container"

    def __post_init__(self) -> None:
        if self.rate_limit is not None and self.rate_limit < 1:
            raise ValueError("rate_limit must be at least 1, or None to disable rate limiting")
        if self.rate_window <= 0:
            raise ValueError("rate_window must be a positive number of seconds")
        if self.latency < 0:
            raise ValueError("latency cannot be negative")
        if self.error_shape not in ("container", "errors"):
            raise ValueError("error_shape must be 'container' or 'errors'")
