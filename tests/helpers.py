"""Small test doubles that are real implementations, just not persistent.

They deliberately do not subclass ``keyring.backend.KeyringBackend``: every subclass of it
registers itself with keyring's backend detection, which would change what the real
keychain tests detect.
"""

from __future__ import annotations

from keyring.errors import PasswordDeleteError


class MemoryKeyring:
    """A keyring backend that keeps passwords in a dict (for tests where the keychain is not
    the subject); the token store accepts any object with keyring's three methods."""

    priority = 1.0

    def __init__(self) -> None:
        self.items: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.items.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.items[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if (service, username) not in self.items:
            raise PasswordDeleteError("not found")
        del self.items[(service, username)]
