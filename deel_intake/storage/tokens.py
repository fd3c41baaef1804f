"""The Deel token's only home: the operating system's keychain (or, for headless use, the
``DEEL_API_TOKEN`` environment variable, which wins and is never stored).

There is no fallback to a file. If keyring can only offer its ``fail`` or ``null`` backend,
or a plaintext backend from ``keyrings.alt``, the store refuses and says what to install.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Mapping
from typing import Any

from deel_intake.storage.errors import KeychainUnavailableError

__all__ = ["KeychainUnavailableError", "TokenStore"]

log = logging.getLogger(__name__)

SERVICE = "deel-intake"
TOKEN_ENV = "DEEL_API_TOKEN"  # noqa: S105 - the variable's name, not a token


def _no_keychain_message() -> str:
    linux = sys.platform.startswith("linux")
    if linux:
        return (
            "No system keychain found. Install and unlock one — on Debian or Ubuntu: "
            "sudo apt install gnome-keyring (KDE users: kwalletmanager) — then sign in again. "
            f"For headless use, set {TOKEN_ENV} instead."
        )
    return (
        "No system keychain found. deel-intake keeps the Deel token only in the system "
        f"keychain; for headless use, set {TOKEN_ENV} instead."
    )


_REFUSED_MODULE_PREFIXES = ("keyring.backends.fail", "keyring.backends.null", "keyrings.alt")


class TokenStore:
    """Set, read and delete the token for one environment key (``production``, ``sandbox``,
    ``custom:<url>``). The keyring module is imported lazily: backend detection costs tens of
    milliseconds and has no place on the start-up path."""

    def __init__(
        self,
        *,
        environ: Mapping[str, str] | None = None,
        backend: Any = None,
        service: str = SERVICE,
    ) -> None:
        self._environ = os.environ if environ is None else environ
        self._backend = backend
        self._service = service

    # ------------------------------------------------------------------ backend
    def _keyring(self) -> Any:
        backend = self._backend
        if backend is None:
            try:
                import keyring

                backend = keyring.get_keyring()
            except Exception as exc:  # noqa: BLE001 - any failure here means "no keychain"
                log.warning("keyring backend detection failed: %s", type(exc).__name__)
                raise KeychainUnavailableError(_no_keychain_message()) from None
        if _is_refused(backend):
            raise KeychainUnavailableError(_no_keychain_message())
        self._backend = backend
        return backend

    def backend_name(self) -> str:
        """A readable name of the keychain in use (``none`` when there is none)."""
        try:
            backend = self._keyring()
        except KeychainUnavailableError:
            return "none"
        inner = getattr(backend, "backends", None)
        if isinstance(inner, list | tuple):
            return " + ".join(_name(b) for b in inner)
        return _name(backend)

    # ------------------------------------------------------------------ operations
    def get(self, key: str) -> str | None:
        """The token for ``key``: the environment variable wins, then the keychain. ``None``
        when neither has one or the keychain is unavailable (the reason is logged)."""
        env_token = self._environ.get(TOKEN_ENV, "").strip()
        if env_token:
            return env_token
        try:
            value = self._keyring().get_password(self._service, key)
        except KeychainUnavailableError:
            return None
        except Exception as exc:  # noqa: BLE001 - a locked or broken keychain reads as "no token"
            log.warning("Reading the token from the keychain failed: %s", type(exc).__name__)
            return None
        return str(value) if value else None

    def describe(self, key: str) -> str:
        """One sentence for Settings: where the token for ``key`` comes from."""
        if self._environ.get(TOKEN_ENV, "").strip():
            return f"Using the token from {TOKEN_ENV} (not stored anywhere)."
        try:
            backend = self._keyring()
        except KeychainUnavailableError as exc:
            return str(exc)
        try:
            present = bool(backend.get_password(self._service, key))
        except Exception as exc:  # noqa: BLE001 - a locked keychain
            log.warning("Reading the keychain failed: %s", type(exc).__name__)
            return "The system keychain is locked — unlock it to use the stored token."
        if present:
            return "A token is stored in the system keychain."
        return "No token yet for this environment."

    def set(self, key: str, token: str) -> None:
        """Store the token in the keychain. Raises :class:`KeychainUnavailableError` (with a
        message for the recruiter) when there is no keychain or it refuses."""
        token = token.strip()
        if not token:
            raise ValueError("The token is empty.")
        if any(ch.isspace() for ch in token):
            raise ValueError("A Deel token has no spaces — paste it again.")
        backend = self._keyring()
        try:
            backend.set_password(self._service, key, token)
        except Exception as exc:  # noqa: BLE001 - the keychain's own failure, never our bug
            log.warning("The keychain refused to store the token: %s", type(exc).__name__)
            raise KeychainUnavailableError(
                "The system keychain refused to store the token — unlock it and try again."
            ) from None

    def delete(self, key: str) -> bool:
        """Remove the token; ``True`` when there was one. Captures are never touched."""
        backend = self._keyring()
        try:
            backend.delete_password(self._service, key)
        except Exception as exc:  # noqa: BLE001 - PasswordDeleteError when absent, or a locked keychain
            if type(exc).__name__ == "PasswordDeleteError":
                return False
            log.warning("The keychain refused to delete the token: %s", type(exc).__name__)
            raise KeychainUnavailableError(
                "The system keychain refused to remove the token — unlock it and try again."
            ) from None
        return True


def _name(backend: Any) -> str:
    return f"{type(backend).__module__}.{type(backend).__name__}"


def _is_refused(backend: Any) -> bool:
    """Refuse keyring's fail and null backends, plaintext backends, and a chain of nothing."""
    inner = getattr(backend, "backends", None)
    if isinstance(inner, list | tuple):
        return not inner or all(_is_refused(b) for b in inner)
    module = type(backend).__module__
    if module.startswith(_REFUSED_MODULE_PREFIXES):
        return True
    priority = getattr(backend, "priority", 1)
    try:
        return float(priority) <= 0
    except (TypeError, ValueError):
        return False
