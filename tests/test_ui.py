"""The window as a recruiter uses it: type, press Enter, read what happened.

Real widgets offscreen, the real outbox file, a real sync thread, the real client against
the loopback stand-in.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from deel_intake.api.environments import Environment
from deel_intake.app import AppParts, build_app
from deel_intake.domain.capture import Status
from deel_intake.standin import Fault, StandIn
from deel_intake.storage.paths import AppPaths
from deel_intake.storage.settings import Settings, SettingsStore
from deel_intake.storage.tokens import TokenStore
from deel_intake.ui.main_window import RESUBMIT_TEXT, SUBMIT_TEXT, MainWindow
from tests.conftest import TOKEN

JANE = {"first_name": "Zoë", "last_name": "Ñúñez", "email": "zoe.nunez+fair@example.com"}


def make_app(data_dir: Path, base_url: str, tokens: TokenStore, token: str | None) -> AppParts:
    store = SettingsStore(data_dir / "settings.json")
    settings = Settings(environment=Environment.CUSTOM, custom_base_url=base_url, phone_region="DE")
    store.save(settings)
    if token is not None:
        tokens.set(settings.token_key, token)
    return build_app(
        AppPaths.resolve(data_dir),
        tokens=tokens,
        settings_store=store,
        rate_limit=1000,
        watch_network=False,
    )


def show(qtbot: QtBot, parts: AppParts) -> AppParts:
    qtbot.addWidget(parts.window)
    parts.window.ask_quit = lambda _parent, _count: True
    parts.window.show()
    parts.window.activateWindow()
    qtbot.waitActive(parts.window)
    return parts


@pytest.fixture
def parts(
    qtbot: QtBot, data_dir: Path, stand_in: StandIn, memory_tokens: TokenStore
) -> Iterator[AppParts]:
    built = show(qtbot, make_app(data_dir, stand_in.base_url, memory_tokens, TOKEN))
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


def wait_headline(qtbot: QtBot, window: MainWindow, text: str, timeout: int = 10_000) -> None:
    qtbot.waitUntil(lambda: window.result.headline.text() == text, timeout=timeout)


def wait_sync_idle(qtbot: QtBot, parts: AppParts) -> None:
    qtbot.waitUntil(lambda: not parts.service.syncing, timeout=10_000)


def test_saved_at_once_then_shown_as_created_with_its_deel_id(
    qtbot: QtBot, parts: AppParts, stand_in: StandIn
) -> None:
    window = parts.window
    type_candidate(qtbot, window, **JANE, phone="030 901820", linkedin="linkedin.com/in/zoe-n/")
    window.form.select_source("internal_referral")
    press_enter(qtbot, window)
    # saved and cleared for the next person before anything reached Deel
    assert all(edit.text() == "" for edit in window.form.edits.values())
    assert window.form.source.currentData() == "internal_referral"
    assert window.statusBar().currentMessage() == "Saved Zoë Ñúñez. Next candidate."
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.form.edits["first_name"])

    wait_headline(qtbot, window, "Zoë Ñúñez is in Deel.")
    [stored] = stand_in.candidates_snapshot()
    assert stored["email"] == "zoe.nunez+fair@example.com"
    assert stored["phone_number"] == "+4930901820"
    assert stored["linkedin_profile_url"] == "https://www.linkedin.com/in/zoe-n"
    result = window.result
    assert result.values["deel_id"].text() == stored["id"]
    assert result.values["numeric_id"].text() == f"#{stored['numeric_id']}"
    assert result.values["email"].text() == "zoe.nunez+fair@example.com"
    qtbot.waitUntil(lambda: result.values["source"].text() == "Internal referral")
    assert stand_in.candidates_snapshot()[0]["source"] == "INTERNAL_REFERRAL"
    assert result.values["created"].text()
    result.copy_button.click()
    assert QApplication.clipboard().text() == stored["id"]
    assert result.copy_button.text() == "Copied ✓"
    wait_sync_idle(qtbot, parts)
    assert window.net_label.text() == "Online"
    assert window.queue_label.text() == "0 waiting"
    assert window.last_sync_label.text().startswith("Last sync ")


def test_invalid_fields_show_messages_under_each_field_and_nothing_is_saved(
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
    assert window.form.edits["email"].text() == "jane@"  # nothing typed is lost
    assert window.form.edits["linkedin"].text() == "github.com/jane"
    assert parts.service.state().counts.total == 0
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


def test_deel_field_error_needs_attention_then_edit_and_send_again(
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
    wait_headline(qtbot, window, "Needs attention — Zoë Ñúñez is not in Deel yet.")
    assert window.result.body.text() == (
        "Deel refused some of the details — see the highlighted fields. "
        "Press Edit, fix it and send it again."
    )
    assert window.result.edit_button.isVisible()
    wait_sync_idle(qtbot, parts)
    assert window.queue_label.text() == "0 waiting · 1 needs attention"

    window.result.edit_button.click()
    assert window.edit_bar.isVisible()
    assert window.submit_button.text() == RESUBMIT_TEXT
    assert window.form.edits["last_name"].text() == "Ñúñez"
    assert window.form.error_text("last_name") == "Deel accepts at most 50 characters here."
    type_candidate(qtbot, window, last_name="Nunez")
    press_enter(qtbot, window)
    assert not window.edit_bar.isVisible()
    assert window.submit_button.text() == SUBMIT_TEXT
    wait_headline(qtbot, window, "Zoë Nunez is in Deel.")
    [stored] = stand_in.candidates_snapshot()
    assert stored["last_name"] == "Nunez"
    [capture] = parts.service.all_captures()  # the same local capture, sent again
    assert capture.revision == 1
    assert capture.status is Status.IN_DEEL


def test_rejected_token_pauses_the_queue_with_a_banner_until_the_token_changes(
    qtbot: QtBot, data_dir: Path, stand_in: StandIn, memory_tokens: TokenStore
) -> None:
    parts = show(qtbot, make_app(data_dir, stand_in.base_url, memory_tokens, "revoked-token"))
    try:
        window = parts.window
        type_candidate(qtbot, window, **JANE)
        press_enter(qtbot, window)
        qtbot.waitUntil(window.banner.isVisible, timeout=10_000)
        assert window.banner_text.text() == "Deel rejected the token — update it in Settings."
        assert window.net_label.text() == "Paused"
        assert window.queue_label.text() == "1 waiting"
        assert stand_in.candidates_snapshot() == []

        window.open_settings()
        dialog = window._dialog
        assert dialog is not None
        type_text(qtbot, dialog.token, TOKEN)
        dialog.save_token.click()
        wait_headline(qtbot, window, "Zoë Ñúñez is in Deel.")
        assert not window.banner.isVisible()
        assert len(stand_in.candidates_snapshot()) == 1
        dialog.reject()
    finally:
        parts.close()


def test_offline_capture_is_saved_and_says_so(
    qtbot: QtBot, data_dir: Path, memory_tokens: TokenStore
) -> None:
    closed = StandIn()
    closed.start()
    url = closed.base_url
    closed.stop()  # nothing listens on this port any more
    parts = show(qtbot, make_app(data_dir, url, memory_tokens, TOKEN))
    try:
        window = parts.window
        type_candidate(qtbot, window, **JANE)
        press_enter(qtbot, window)
        wait_headline(qtbot, window, "Saved — Zoë Ñúñez is not in Deel yet (1 waiting).")
        assert window.result.body.text() == (
            "Can't reach Deel — check the Wi-Fi. Nothing was sent. "
            "It is safe on this laptop and will be sent automatically."
        )
        wait_sync_idle(qtbot, parts)
        assert window.net_label.text() == "Offline"
        type_candidate(qtbot, window, first_name="Max", last_name="Muster", email="max@example.de")
        press_enter(qtbot, window)
        assert window.result.headline.text() == "Saved offline — 2 waiting."
        assert (
            window.result.body.text() == "Max Muster will be sent to Deel when the network is back."
        )
        assert window.tabs.tabText(1) == "Outbox (2 not in Deel)"
    finally:
        parts.close()


def test_duplicate_guard_warns_while_typing_and_still_allows_saving(
    qtbot: QtBot, parts: AppParts, stand_in: StandIn
) -> None:
    window = parts.window
    type_candidate(qtbot, window, **JANE)
    press_enter(qtbot, window)
    wait_headline(qtbot, window, "Zoë Ñúñez is in Deel.")
    [first] = parts.service.all_captures()
    at = first.captured_at.astimezone().strftime("%H:%M")
    type_candidate(
        qtbot, window, first_name="Zoe", last_name="N", email="ZOE.NUNEZ+FAIR@example.com"
    )
    hint = window.form.duplicate_hint
    qtbot.waitUntil(hint.isVisible)
    assert hint.text() == (
        f"Captured at {at}, already in Deel (Zoë Ñúñez, same email). You can still save."
    )
    press_enter(qtbot, window)
    assert not hint.isVisible()
    wait_headline(qtbot, window, "Zoe N was already in Deel — linked, not created again.")
    assert window.result.values["deel_id"].text() == first.deel_id
    assert len(stand_in.candidates_snapshot()) == 1


def test_source_refused_still_counts_as_created(
    qtbot: QtBot, parts: AppParts, stand_in: StandIn
) -> None:
    body = {"errors": [{"code": "FORBIDDEN_SOURCE", "message": "Source cannot be changed"}]}
    stand_in.inject(Fault.status(400, body, method="PATCH"))
    window = parts.window
    type_candidate(qtbot, window, **JANE)
    press_enter(qtbot, window)
    wait_headline(qtbot, window, "Zoë Ñúñez is in Deel, but the source was not set.")
    assert window.result.body.text() == (
        "Why: Deel refused this candidate: Source cannot be changed. "
        "Set it in Deel by hand if it matters."
    )
    assert window.result.values["source"].text() == "not set (Sourced internally was chosen)"
    assert len(stand_in.candidates_snapshot()) == 1


def test_window_stays_responsive_and_takes_the_next_candidate_during_a_slow_sync(
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
        started = time.monotonic()
        qtbot.waitUntil(lambda: parts.service.syncing)
        # the next person, while the first is still on its way to Deel
        type_candidate(qtbot, window, first_name="Max", last_name="Muster", email="max@example.de")
        press_enter(qtbot, window)
        assert window.result.headline.text() == "Saved — sending to Deel…"
        qtbot.waitUntil(lambda: len(stand_in.candidates_snapshot()) == 2, timeout=10_000)
        wait_sync_idle(qtbot, parts)
    finally:
        heartbeat.stop()
    during = [t for t in ticks if t >= started]
    gaps = [b - a for a, b in itertools.pairwise(during)]
    # The main thread kept turning its event loop while the request took 1.5 s: a blocking
    # call would show one gap as long as the request.
    assert time.monotonic() - started > 1.0
    assert len(during) > 40
    assert max(gaps) < 0.5
    assert sorted(c["email"] for c in stand_in.candidates_snapshot()) == [
        "max@example.de",
        "zoe.nunez+fair@example.com",
    ]


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
    parts = show(qtbot, make_app(data_dir, stand_in.base_url, memory_tokens, None))
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
    parts = show(qtbot, build_app(AppPaths.resolve(data_dir), demo=True, watch_network=False))
    try:
        assert parts.window.demo_badge.isVisible()
        assert parts.window.demo_badge.text() == "DEMO — nothing goes to Deel"
        assert "DEMO" in parts.window.windowTitle()
        type_candidate(qtbot, parts.window, **JANE)
        press_enter(qtbot, parts.window)
        wait_headline(qtbot, parts.window, "Zoë Ñúñez is in Deel.")
        assert parts.stand_in is not None
        [stored] = parts.stand_in.candidates_snapshot()
        assert parts.window.result.values["deel_id"].text() == stored["id"]
    finally:
        parts.close()
    # demo mode never touched the recruiter's real settings or outbox
    assert not (data_dir / "settings.json").exists()
    assert not (data_dir / "outbox.sqlite3").exists()
    assert (data_dir / "demo" / "outbox.sqlite3").exists()


def _click_in_next_message_box(qtbot: QtBot, button_text: str) -> None:
    def click() -> None:
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox), box
        [button] = [b for b in box.findChildren(QPushButton) if b.text() == button_text]
        button.click()

    QTimer.singleShot(50, click)


def test_outbox_view_filters_acts_and_discards_into_a_trash(
    qtbot: QtBot, data_dir: Path, memory_tokens: TokenStore
) -> None:
    closed = StandIn()
    closed.start()
    url = closed.base_url
    closed.stop()  # offline: everything stays waiting
    parts = show(qtbot, make_app(data_dir, url, memory_tokens, TOKEN))
    try:
        window = parts.window
        for first, email in (("Ann", "ann@example.com"), ("Ben", "ben@example.com")):
            type_candidate(qtbot, window, first_name=first, last_name="Lee", email=email)
            press_enter(qtbot, window)
        wait_sync_idle(qtbot, parts)
        window.tabs.setCurrentIndex(1)
        view = window.outbox
        assert view.proxy.rowCount() == 2
        assert view.proxy.index(0, 3).data() == "Waiting"
        assert (
            view.proxy.index(0, 5).data() == "Can't reach Deel — check the Wi-Fi. Nothing was sent."
        )
        view.filter.setCurrentText("In Deel")
        assert view.proxy.rowCount() == 0
        view.filter.setCurrentText("Not in Deel yet")
        assert view.proxy.rowCount() == 2

        view.table.selectRow(1)
        assert view.selected() is not None
        assert view.retry_button.isEnabled()
        assert view.discard_button.isEnabled()
        assert not view.copy_button.isEnabled()
        _click_in_next_message_box(qtbot, "Move to trash")
        view.discard_button.click()
        assert view.proxy.rowCount() == 1  # gone from "not in Deel yet"
        view.filter.setCurrentText("Trash")
        assert view.proxy.rowCount() == 1
        assert view.proxy.index(0, 1).data() == "Ben Lee"
        assert view.proxy.index(0, 3).data() == "In trash (waiting)"
        # never deleted: still in the outbox and in the export
        assert {c.candidate.first_name for c in parts.service.all_captures()} == {"Ann", "Ben"}
        assert window.tabs.tabText(1) == "Outbox (1 not in Deel)"
        view.table.selectRow(0)
        view.restore_button.click()
        assert view.proxy.rowCount() == 0
        assert window.tabs.tabText(1) == "Outbox (2 not in Deel)"
    finally:
        parts.close()


def test_quitting_with_unsynced_captures_says_they_sync_next_time(
    qtbot: QtBot, data_dir: Path, memory_tokens: TokenStore
) -> None:
    closed = StandIn()
    closed.start()
    url = closed.base_url
    closed.stop()
    parts = show(qtbot, make_app(data_dir, url, memory_tokens, TOKEN))
    asked: list[int] = []

    def decline(_parent: QWidget, count: int) -> bool:
        asked.append(count)
        return False

    try:
        window = parts.window
        type_candidate(qtbot, window, **JANE)
        press_enter(qtbot, window)
        wait_sync_idle(qtbot, parts)
        window.ask_quit = decline
        assert not window.close()  # the recruiter chose to keep it open
        assert asked == [1]
        assert window.isVisible()
        window.ask_quit = lambda _p, _c: True
        assert window.close()
    finally:
        parts.close()
    # and the capture is still there for the next start
    reopened = make_app(data_dir, url, memory_tokens, None)
    try:
        assert reopened.service.state().counts.waiting == 1
    finally:
        reopened.close()


def test_the_quit_message_box_wording(qtbot: QtBot) -> None:
    from deel_intake.ui.main_window import ask_before_quitting

    parent = QWidget()
    qtbot.addWidget(parent)
    seen: list[str] = []

    def read_and_quit() -> None:
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox)
        seen.append(box.text())
        [button] = [b for b in box.findChildren(QPushButton) if b.text() == "Quit"]
        button.click()

    QTimer.singleShot(50, read_and_quit)
    assert ask_before_quitting(parent, 7) is True
    assert seen == [
        "7 captures are not in Deel yet. They are saved on this laptop and will be sent "
        "the next time deel-intake starts with a network."
    ]
