"""The token store: a real Secret Service where the keychain is the subject, and refusal of
every backend that is not a real keychain."""

from __future__ import annotations

import contextlib
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail, null

from deel_intake.storage.errors import KeychainUnavailableError
from deel_intake.storage.tokens import TOKEN_ENV, TokenStore
from tests.helpers import MemoryKeyring

SERVICE = "deel-intake-tests"


@pytest.fixture
def secret_service() -> Iterator[None]:
    """Only inside tests/with-keychain.sh (which `make test` uses): a private D-Bus session
    with an unlocked throwaway gnome-keyring. In CI its absence is a failure, not a skip."""
    if os.environ.get("DEEL_INTAKE_KEYCHAIN_TESTS") != "1":
        if os.environ.get("CI"):
            pytest.fail("the keychain tests must run inside tests/with-keychain.sh in CI")
        pytest.skip("needs a Secret Service: run through `make test`")
    yield
    for key in ("production", "sandbox", "custom:http://127.0.0.1:9/rest/v2"):
        with contextlib.suppress(keyring.errors.PasswordDeleteError):
            keyring.delete_password(SERVICE, key)


@pytest.mark.keychain
def test_real_secret_service_set_read_delete(secret_service: None) -> None:
    store = TokenStore(environ={}, service=SERVICE)
    assert "keyring.backends.SecretService.Keyring" in store.backend_name()
    assert store.get("sandbox") is None
    store.set("sandbox", "  sandbox-token-1  ")
    store.set("production", "production-token-2")
    assert store.get("sandbox") == "sandbox-token-1"  # trimmed, one entry per environment
    assert store.get("production") == "production-token-2"
    assert store.describe("sandbox") == "A token is stored in the system keychain."
    # the desktop's own tool sees the same item: it really is in the keychain
    found = subprocess.run(
        ["secret-tool", "lookup", "service", SERVICE, "username", "sandbox"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert found.stdout == "sandbox-token-1"
    store.set("sandbox", "sandbox-token-3")
    assert store.get("sandbox") == "sandbox-token-3"
    assert store.delete("sandbox") is True
    assert store.get("sandbox") is None
    assert store.delete("sandbox") is False
    assert store.get("production") == "production-token-2"


@pytest.mark.keychain
def test_a_fresh_process_reads_the_token_from_the_keychain(secret_service: None) -> None:
    TokenStore(environ={}, service=SERVICE).set("production", "from-another-process")
    code = (
        "from deel_intake.storage.tokens import TokenStore;"
        f"print(TokenStore(environ={{}}, service={SERVICE!r}).get('production'))"
    )
    env = {k: v for k, v in os.environ.items() if k != TOKEN_ENV}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    assert out.stdout.strip() == "from-another-process"


def test_no_session_bus_is_reported_as_no_keychain(tmp_path: Path) -> None:
    """Forcing the Secret Service without a bus raises a bare RuntimeError inside keyring;
    the store turns it into its own error with a message that says what to do."""
    code = (
        "from deel_intake.storage.tokens import TokenStore\n"
        "from deel_intake.storage.errors import KeychainUnavailableError\n"
        "try:\n"
        "    TokenStore(environ={}).set('sandbox', 'x')\n"
        "except KeychainUnavailableError as exc:\n"
        "    print('refused:', exc)\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("DBUS")}
    env["DBUS_SESSION_BUS_ADDRESS"] = f"unix:path={tmp_path}/no-bus"
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.SecretService.Keyring"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    assert out.stdout.startswith("refused: ")
    assert "Traceback" not in out.stderr


class _EmptyChain:
    """What keyring's ChainerBackend looks like when it finds no usable backend at all."""

    backends: list[object] = []  # noqa: RUF012


class _PlaintextFile(MemoryKeyring):
    """Stands for keyrings.alt's plaintext backends, which must never hold the token."""


_PlaintextFile.__module__ = "keyrings.alt.file"


@pytest.mark.parametrize(
    "backend",
    [fail.Keyring(), null.Keyring(), _EmptyChain(), _PlaintextFile()],
    ids=["fail", "null", "empty-chain", "keyrings.alt-plaintext"],
)
def test_backends_that_are_not_a_real_keychain_are_refused(backend: object) -> None:
    store = TokenStore(environ={}, backend=backend)
    with pytest.raises(KeychainUnavailableError, match="No system keychain found") as info:
        store.set("sandbox", "t")
    assert "apt install gnome-keyring" in str(info.value) or sys.platform != "linux"
    assert store.get("sandbox") is None
    assert store.backend_name() == "none"
    assert "No system keychain found" in store.describe("sandbox")


def test_the_default_backend_here_without_a_keychain_is_refused() -> None:
    """On this kind of machine keyring's default outside a desktop session is ``fail``."""
    code = (
        "from deel_intake.storage.tokens import TokenStore\n"
        "s = TokenStore(environ={})\n"
        "print(s.backend_name(), s.get('sandbox'))\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("DBUS")}
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False
    )
    assert out.stdout.split() == ["none", "None"]


def test_environment_variable_wins_and_is_never_stored() -> None:
    backend = MemoryKeyring()
    store = TokenStore(environ={TOKEN_ENV: " env-token "}, backend=backend)
    assert store.get("sandbox") == "env-token"
    assert store.describe("sandbox") == f"Using the token from {TOKEN_ENV} (not stored anywhere)."
    assert backend.items == {}
    store.set("sandbox", "typed-token")
    assert store.get("sandbox") == "env-token"


@pytest.mark.parametrize("bad", ["", "   ", "two words"])
def test_empty_or_spaced_tokens_are_refused(bad: str, memory_tokens: TokenStore) -> None:
    with pytest.raises(ValueError, match="token"):
        memory_tokens.set("sandbox", bad)


def test_the_token_is_never_logged(
    caplog: pytest.LogCaptureFixture, stand_in: object, memory_tokens: TokenStore
) -> None:
    from deel_intake.api import errors as e
    from deel_intake.api.client import DeelClient
    from deel_intake.domain.candidate import CandidateDraft, validate_draft
    from deel_intake.standin import StandIn

    assert isinstance(stand_in, StandIn)
    secret = "very-secret-token-value"
    caplog.set_level(logging.DEBUG)
    draft = CandidateDraft(first_name="A", last_name="B", email="a@example.com", source="x")
    with (
        DeelClient(stand_in.base_url, lambda: secret) as client,
        pytest.raises(e.TokenRejectedError) as info,
    ):
        client.create_candidate(validate_draft(draft, region="US"), idempotency_key="k")
    assert secret not in caplog.text
    assert secret not in info.value.support_text()
    assert secret not in repr(client._http.auth)
