"""Errors of the storage layer that the window may show (no keyring import here)."""

from __future__ import annotations

__all__ = ["KeychainUnavailableError"]


class KeychainUnavailableError(RuntimeError):
    """No usable system keychain, or it refused; the message says what to do."""
