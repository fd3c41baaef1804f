"""Strict test set-up shared by every test.

- Qt runs offscreen, set before any QApplication exists (without it a headless Qt aborts).
- A test fails if it leaves a thread running or logs an ERROR it did not expect.
- Helpers: a stand-in of Deel's API on loopback, an in-memory keyring backend.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.pop("DEEL_API_TOKEN", None)  # the developer's own token must never leak into tests

from deel_intake.standin import StandIn, StandInConfig
from deel_intake.storage.tokens import TokenStore
from tests.helpers import MemoryKeyring

TOKEN = "test-token-0123456789"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "allow_log_errors: the test expects ERROR log records")


@pytest.fixture(autouse=True)
def _no_leftover_threads() -> Iterator[None]:
    before = {t.ident for t in threading.enumerate()}
    yield
    deadline = time.monotonic() + 2.0
    while True:
        extra = [t for t in threading.enumerate() if t.ident not in before and t.is_alive()]
        if not extra or time.monotonic() > deadline:
            break
        time.sleep(0.02)
    assert not extra, f"test left threads running: {[t.name for t in extra]}"


class _ErrorCatcher(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture(autouse=True)
def _fail_on_logged_errors(request: pytest.FixtureRequest) -> Iterator[None]:
    catcher = _ErrorCatcher()
    root = logging.getLogger()
    root.addHandler(catcher)
    yield
    root.removeHandler(catcher)
    if request.node.get_closest_marker("allow_log_errors") is None and catcher.records:
        messages = [f"{r.name}: {r.getMessage()}" for r in catcher.records]
        pytest.fail(f"unexpected ERROR log records: {messages}")


@pytest.fixture
def stand_in() -> Iterator[StandIn]:
    """A stand-in of Deel's API on a free loopback port; no rate limit unless a test sets one."""
    server = StandIn(
        StandInConfig(tokens={TOKEN: frozenset({"ats:read", "ats:write"})}, rate_limit=None)
    )
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def memory_tokens() -> TokenStore:
    """A token store over an in-memory keyring backend (the real keychain has its own tests)."""
    return TokenStore(environ={}, backend=MemoryKeyring())


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    path = tmp_path / "data"
    path.mkdir()
    return path
