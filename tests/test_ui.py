"""The window as a recruiter uses it: type, press Enter, read what happened.

Real widgets offscreen, a real worker thread, the real client against the loopback stand-in.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from deel_intake.api.environments import Environment
from deel_intake.app import AppParts, build_app
from deel_intake.standin import Fault, StandIn
from deel_intake.storage.paths import AppPaths
from deel_intake.storage.settings import Settings, SettingsStore
from deel_intake.storage.tokens import TokenStore
from deel_intake.ui.main_window import BUSY_TEXT, SUBMIT_TEXT, MainWindow
from tests.conftest import TOKEN


def make_app(data_dir: Path, base_url: str, tokens: TokenStore, token: str | None) -> AppParts:
    store = SettingsStore(data_dir / "settings.json")
    settings = Settings(environment=Environment.CUSTOM, custom_base_url=base_url, phone_region="DE")
    store.save(settings)
    if token is not None:
        tokens.set(settings.token_key, token)
    return build_app(AppPaths.resolve(data_dir), tokens=tokens, settings_store=store)


@pytest.fixture
def parts(
    qtbot: QtBot, data_dir: Path, stand_in: StandIn, memory_tokens: TokenStore
) -> Iterator[AppParts]:
    built = make_app(data_dir, stand_in.base_url, memory_tokens, TOKEN)
    qtbot.addWidget(built.window)
    built.window.show()
    built.window.activateWindow()
    qtbot.waitActive(built.window)
    yield built
    built.close()


def type_text(qtbot: QtBot, widget: QWidget, text: str) -> None:
    """Type like a keyboard. QTest only maps ASCII to keys, so other characters arrive as
    key events carrying their text, as an input method delivers them."""
    for ch in text:
        if ch.isascii():
            qtbot.keyClicks(widget, ch)
        else:
            for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
                QApplication.sendEvent(
                    widget, QKeyEvent(kind, 0, Qt.KeyboardModifier.NoModifier, ch)
                )


def type_candidate(qtbot: QtBot, window: MainWindow, **fields: str) -> None:
    for name, text in fields.items():
        edit = window.form.edits[name]
        edit.setFocus()
        edit.clear()
        type_text(qtbot, edit, text)


def press_enter(qtbot: QtBot, window: MainWindow, field: str = "email") -> None:
    qtbot.keyClick(window.form.edits[field], Qt.Key.Key_Return)


def wait_idle(qtbot: QtBot, parts: AppParts, timeout: int = 10_000) -> None:
    qtbot.waitUntil(lambda: not parts.service.busy, timeout=timeout)


JANE = {"first_name": "Zoë", "last_name": "Ñúñez", "email": "zoe.nunez+fair@example.com"}


def test_created_candidate_is_shown_and_form_is_ready_for_the_next(
    qtbot: QtBot, parts: AppParts, stand_in: StandIn
) -> None:
    window = parts.window
    type_candidate(qtbot, window, **JANE, phone="030 901820", linkedin="linkedin.com/in/zoe-n/")
    window.form.select_source("internal_referral")
    press_enter(qtbot, window)
    wait_idle(qtbot, parts)

    [stored] = stand_in.candidates_snapshot()
    assert stored["email"] == "zoe.nunez+fair@example.com"
    assert stored["phone_number"] == "+4930901820"
    assert stored["linkedin_profile_url"] == "https://www.linkedin.com/in/zoe-n"
    assert stored["source"] == "INTERNAL_REFERRAL"
    result = window.result
    assert result.isVisible()
    assert result.headline.text() == "Zoë Ñúñez is in Deel."
    assert result.values["deel_id"].text() == stored["id"]
    assert result.values["numeric_id"].text() == f"#{stored['numeric_id']}"
    assert result.values["email"].text() == "zoe.nunez+fair@example.com"
    assert result.values["source"].text() == "Internal referral"
    assert result.values["created"].text()
    assert window.statusBar().currentMessage() == (
        f"Created Zoë Ñúñez (#{stored['numeric_id']}). Next candidate."
    )
    # cleared for the next person, keeping the source, cursor in first name
    assert all(edit.text() == "" for edit in window.form.edits.values())
    assert window.form.source.currentData() == "internal_referral"
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.form.edits["first_name"])

    result.copy_button.click()
    assert QApplication.clipboard().text() == stored["id"]
    assert result.copy_button.text() == "Copied ✓"


def test_invalid_fields_show_messages_under_each_field_and_nothing_is_sent(
    qtbot: QtBot, parts: AppParts, stand_in: StandIn
) -> None:
    window = parts.window
    type_candidate(
        qtbot, window, first_name="  ", last_name="Doe", email="jane@", linkedin="github.com/jane"
    )
    press_enter(qtbot, window)
    assert window.form.error_text("first_name") == "First name is required."
    assert window.form.error_text("email").startswith("Check the email address:")
    assert window.form.error_text("linkedin") == (
        "github.com is not LinkedIn. Paste the candidate's LinkedIn profile (linkedin.com/in/…)."
    )
    assert window.form.error_text("last_name") == ""
    assert window.statusBar().currentMessage() == "Fix the highlighted fields, then press Enter."
    assert QApplication.focusWidget() is window.form.edits["first_name"]
    # nothing typed is lost
    assert window.form.edits["email"].text() == "jane@"
    assert window.form.edits["linkedin"].text() == "github.com/jane"
    assert stand_in.request_log() == []


def test_a_field_is_checked_when_leaving_it_and_the_message_goes_when_typing(
    qtbot: QtBot, parts: AppParts
) -> None:
    window = parts.window
    type_candidate(qtbot, window, phone="12")
    qtbot.keyClick(window.form.edits["phone"], Qt.Key.Key_Tab)
    assert window.form.error_text("phone") == (
        "Not a valid phone number for Germany. If it is from abroad, "
        "start with + and the country code."
    )
    assert window.form.error_text("first_name") == ""  # untouched fields stay quiet
    qtbot.keyClicks(window.form.edits["phone"], "3")
    assert window.form.error_text("phone") == ""


def test_field_error_from_deel_lands_under_its_field(
    qtbot: QtBot, parts: AppParts, stand_in: StandIn
) -> None:
    body = {
        "request": {"method": "POST", "status": 400, "api_req_id": "req-42"},
        "errors": [{"message": "must NOT have more than 50 characters", "path": "/data/last_name"}],
    }
    stand_in.inject(Fault.status(400, body, method="POST", path="/ats/candidates"))
    window = parts.window
    type_candidate(qtbot, window, **JANE)
    press_enter(qtbot, window)
    wait_idle(qtbot, parts)
    assert window.form.error_text("last_name") == "Deel accepts at most 50 characters here."
    assert window.result.headline.text() == (
        "Not created — Deel refused some of the details — see the highlighted fields."
    )
    assert window.form.edits["email"].text() == JANE["email"]
    assert window.submit_button.isEnabled()


def test_rejected_token_says_so_and_offers_settings(
    qtbot: QtBot, data_dir: Path, stand_in: StandIn, memory_tokens: TokenStore
) -> None:
    parts = make_app(data_dir, stand_in.base_url, memory_tokens, "revoked-token")
    qtbot.addWidget(parts.window)
    parts.window.show()
    try:
        type_candidate(qtbot, parts.window, **JANE)
        press_enter(qtbot, parts.window)
        wait_idle(qtbot, parts)
        assert parts.window.result.headline.text() == (
            "Not created — Deel rejected the token — update it in Settings."
        )
        assert parts.window.result.settings_button.isVisible()
        assert parts.window.form.edits["first_name"].text() == "Zoë"
        assert stand_in.candidates_snapshot() == []
    finally:
        parts.close()


def test_no_network_keeps_everything_typed(
    qtbot: QtBot, data_dir: Path, memory_tokens: TokenStore
) -> None:
    closed = StandIn()
    closed.start()
    url = closed.base_url
    closed.stop()  # nothing listens on this port any more
    parts = make_app(data_dir, url, memory_tokens, TOKEN)
    qtbot.addWidget(parts.window)
    parts.window.show()
    try:
        type_candidate(qtbot, parts.window, **JANE)
        press_enter(qtbot, parts.window)
        wait_idle(qtbot, parts)
        assert parts.window.result.headline.text() == (
            "Not created — Can't reach Deel — check the Wi-Fi. Nothing was sent."
        )
        assert parts.window.result.body.text() == (
            "What you typed is still here: press Enter to try again."
        )
        assert {n: parts.window.form.edits[n].text() for n in JANE} == JANE
    finally:
        parts.close()


def test_duplicate_email_is_shown_under_email_with_the_existing_candidate(
    qtbot: QtBot, parts: AppParts, stand_in: StandIn
) -> None:
    window = parts.window
    type_candidate(qtbot, window, **JANE)
    press_enter(qtbot, window)
    wait_idle(qtbot, parts)
    [first] = stand_in.candidates_snapshot()
    type_candidate(
        qtbot, window, first_name="Zoe", last_name="N", email="ZOE.NUNEZ+fair@example.com"
    )
    press_enter(qtbot, window)
    wait_idle(qtbot, parts)
    expected = (
        f"Zoë Ñúñez is already in Deel with this email (#{first['numeric_id']}, id {first['id']})."
    )
    assert window.form.error_text("email") == expected
    assert window.result.headline.text() == "Not created — " + expected
    assert len(stand_in.candidates_snapshot()) == 1


def test_source_refused_still_counts_as_created(
    qtbot: QtBot, parts: AppParts, stand_in: StandIn
) -> None:
    body = {"errors": [{"code": "FORBIDDEN_SOURCE", "message": "Source cannot be changed"}]}
    stand_in.inject(Fault.status(400, body, method="PATCH"))
    window = parts.window
    type_candidate(qtbot, window, **JANE)
    press_enter(qtbot, window)
    wait_idle(qtbot, parts)
    assert window.result.headline.text() == "Zoë Ñúñez is in Deel, but the source was not set."
    assert window.result.body.text() == (
        "Why: Deel refused this candidate: Source cannot be changed. "
        "Set it in Deel by hand if it matters."
    )
    assert window.result.values["source"].text() == "not set (Sourced internally was chosen)"
    assert len(stand_in.candidates_snapshot()) == 1


def test_window_stays_responsive_and_cannot_double_submit_during_a_slow_submit(
    qtbot: QtBot, parts: AppParts, stand_in: StandIn
) -> None:
    stand_in.inject(Fault.slow(1.5, method="POST", path="/ats/candidates"))
    window = parts.window
    ticks: list[float] = []
    heartbeat = QTimer()
    heartbeat.setInterval(10)
    heartbeat.timeout.connect(lambda: ticks.append(time.monotonic()))
    heartbeat.start()
    try:
        type_candidate(qtbot, window, **JANE)
        press_enter(qtbot, window)
        assert window.submit_button.text() == BUSY_TEXT
        assert not window.submit_button.isEnabled()
        assert window.progress.isVisible()
        assert window.form.edits["email"].isReadOnly()
        press_enter(qtbot, window)  # a second Enter while sending does nothing
        window.submit_button.click()
        started = time.monotonic()
        wait_idle(qtbot, parts)
        elapsed = time.monotonic() - started
    finally:
        heartbeat.stop()
    assert elapsed > 1.0
    during = [t for t in ticks if t >= started]
    gaps = [b - a for a, b in itertools.pairwise(during)]
    # The main thread kept turning its event loop the whole time the network call ran:
    # a blocking call would show one gap as long as the request (1.5 s).
    assert len(during) > 40
    assert max(gaps) < 0.5
    posts = [r for r in stand_in.request_log() if r.method == "POST"]
    assert len(posts) == 1
    assert window.submit_button.text() == SUBMIT_TEXT
    assert window.result.headline.text() == "Zoë Ñúñez is in Deel."


def test_sources_come_from_deel_when_online(qtbot: QtBot, parts: AppParts) -> None:
    window = parts.window
    parts.service.load_sources()
    combo = window.form.source
    qtbot.waitUntil(lambda: combo.findData("job_fair") >= 0)
    assert combo.itemText(combo.findData("job_fair")) == "Job fair"
    assert combo.currentData() == "sourced_internally"


def test_settings_saves_token_and_tests_the_connection(
    qtbot: QtBot, data_dir: Path, stand_in: StandIn, memory_tokens: TokenStore
) -> None:
    parts = make_app(data_dir, stand_in.base_url, memory_tokens, None)
    qtbot.addWidget(parts.window)
    parts.window.show()
    try:
        parts.window.open_settings()
        dialog = parts.window._dialog
        assert dialog is not None
        assert dialog.token_status.text() == "No token yet for this environment."
        assert dialog.token.echoMode() == dialog.token.EchoMode.Password
        type_text(qtbot, dialog.token, TOKEN)
        dialog.save_token.click()
        assert dialog.token.text() == ""
        assert dialog.token_status.text() == "A token is stored in the system keychain."
        dialog.test.click()
        qtbot.waitUntil(lambda: dialog.test_result.text().startswith("✓"))
        assert dialog.test_result.text() == (
            "✓ Connected to Deel — the token works. It holds 0 candidates."
        )
        dialog.remove_token.click()
        assert dialog.token_status.text() == "No token yet for this environment."
        dialog.test.click()
        qtbot.waitUntil(lambda: dialog.test_result.text().startswith("✗"))
        assert dialog.test_result.text() == "✗ No Deel token is set — add one in Settings."
        dialog.reject()
    finally:
        parts.close()


def test_demo_mode_shows_a_badge_and_creates_candidates(qtbot: QtBot, data_dir: Path) -> None:
    parts = build_app(AppPaths.resolve(data_dir), demo=True)
    qtbot.addWidget(parts.window)
    parts.window.show()
    try:
        assert parts.window.demo_badge.isVisible()
        assert parts.window.demo_badge.text() == "DEMO — nothing goes to Deel"
        assert "DEMO" in parts.window.windowTitle()
        type_candidate(qtbot, parts.window, **JANE)
        press_enter(qtbot, parts.window)
        wait_idle(qtbot, parts)
        assert parts.window.result.headline.text() == "Zoë Ñúñez is in Deel."
        assert parts.stand_in is not None
        [stored] = parts.stand_in.candidates_snapshot()
        assert parts.window.result.values["deel_id"].text() == stored["id"]
    finally:
        parts.close()
    # demo mode never touched the recruiter's real settings
    assert not (data_dir / "settings.json").exists()
