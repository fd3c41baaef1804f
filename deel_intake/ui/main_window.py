"""The window a recruiter sees: the form, what happened to each capture, and the outbox."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from deel_intake import APP_TITLE
from deel_intake.api.environments import Environment
from deel_intake.domain.capture import DuplicateMatch, Status
from deel_intake.domain.fields import CandidateDraft
from deel_intake.storage.settings import Settings, SettingsStore
from deel_intake.ui.form import CandidateForm
from deel_intake.ui.resources import icon

if TYPE_CHECKING:
    from PySide6.QtGui import QCloseEvent

    from deel_intake.domain.capture import Capture
    from deel_intake.services.outbox import OutboxService, SyncState
    from deel_intake.ui.outbox_view import OutboxView
    from deel_intake.ui.result import ResultPanel
    from deel_intake.ui.settings_dialog import SettingsDialog, TokenKeeper

__all__ = ["MainWindow"]

log = logging.getLogger(__name__)

SUBMIT_TEXT = "Save candidate"
RESUBMIT_TEXT = "Save and send again"
_DUPLICATE_PHRASES = {
    Status.WAITING: "waiting to be sent",
    Status.SENDING: "being sent",
    Status.IN_DEEL: "already in Deel",
    Status.ALREADY_IN_DEEL: "already in Deel",
    Status.NEEDS_ATTENTION: "needs attention",
}


def duplicate_text(match: DuplicateMatch) -> str:
    at = match.captured_at.astimezone().strftime("%H:%M")
    return (
        f"Captured at {at}, {_DUPLICATE_PHRASES[match.status]} "
        f"({match.name}, same {match.matched_on}). You can still save."
    )


def ask_before_quitting(parent: QWidget, unsynced: int) -> bool:
    """Say plainly what happens to captures that are not in Deel yet."""
    from PySide6.QtWidgets import QMessageBox

    box = QMessageBox(
        QMessageBox.Icon.Information,
        "Captures waiting",
        f"{unsynced} capture{'s are' if unsynced != 1 else ' is'} not in Deel yet. "
        "They are saved on this laptop and will be sent the next time deel-intake starts "
        "with a network.",
        parent=parent,
    )
    quit_button = box.addButton("Quit", QMessageBox.ButtonRole.AcceptRole)
    box.addButton("Keep open", QMessageBox.ButtonRole.RejectRole)
    box.exec()
    return box.clickedButton() is quit_button


class MainWindow(QMainWindow):
    def __init__(
        self,
        service: OutboxService,
        settings_store: SettingsStore,
        tokens: TokenKeeper,
        *,
        demo: bool = False,
        log_hint: str = "",
    ) -> None:
        super().__init__()
        self._service = service
        self._settings_store = settings_store
        self._settings = settings_store.load()
        self._tokens = tokens
        self._demo = demo
        self._log_hint = log_hint
        self._dialog: SettingsDialog | None = None
        self._editing: str | None = None  # the capture being edited, if any
        self._stashed: CandidateDraft | None = None  # what was typed before an edit began
        self._state: SyncState | None = None
        self.ask_quit: Callable[[QWidget, int], bool] = ask_before_quitting
        self.setWindowTitle(APP_TITLE + (" — DEMO" if demo else ""))
        self.setWindowIcon(icon("deel-intake"))

        # header
        title = QLabel(APP_TITLE, self)
        title.setObjectName("title")
        self.env_badge = QLabel(self)
        self.env_badge.setObjectName("envBadge")
        self.demo_badge = QLabel("DEMO — nothing goes to Deel", self)
        self.demo_badge.setObjectName("demoBadge")
        self.demo_badge.setAccessibleName("Demo mode")
        self.demo_badge.setVisible(demo)
        self.settings_button = QPushButton("Settings…", self)
        self.settings_button.clicked.connect(self.open_settings)
        header = QHBoxLayout()
        header.addWidget(title)
        header.addWidget(self.demo_badge)
        header.addStretch(1)
        header.addWidget(self.env_badge)
        header.addWidget(self.settings_button)

        # the pause banner: the whole queue waits for a new token
        self.banner, self.banner_text = self._bar("banner", "Open Settings", self.open_settings)
        self.banner_text.setObjectName("bannerText")
        # capture tab: shown while a capture that needs attention is being edited
        self.edit_bar, self.edit_text = self._bar("editBar", "Cancel edit", self.cancel_edit)

        self.form = CandidateForm(self)
        self.form.set_region(self._settings.phone_region)
        if self._settings.sources_cache:
            self.form.set_sources(self._settings.sources_cache)
        self.form.select_source(self._settings.source)
        self.form.submit_requested.connect(self.submit)
        self.form.draft_edited.connect(self._on_form_draft_edited)
        self.submit_button = QPushButton(SUBMIT_TEXT, self)
        self.submit_button.setObjectName("submit")
        self.submit_button.setToolTip("Enter or Ctrl+Enter")
        self.submit_button.setDefault(True)
        self.submit_button.clicked.connect(self.submit)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.submit_button)
        # The result panel appears with the first capture; built then (it uses the Qt
        # namespace's enums, which cost ~15 ms to create on first use).
        self._result: ResultPanel | None = None
        self._result_slot = QVBoxLayout()

        capture_tab = QWidget(self)
        capture_layout = QVBoxLayout(capture_tab)
        capture_layout.addWidget(self.edit_bar)
        capture_layout.addWidget(self.form)
        capture_layout.addLayout(buttons)
        capture_layout.addSpacing(6)
        capture_layout.addLayout(self._result_slot)
        capture_layout.addStretch(1)

        # The outbox tab is built the first time it is needed: its table classes cost start-up
        # time, and the recruiter's first look is at the form.
        self._outbox: OutboxView | None = None
        self._outbox_page = QWidget(self)
        QVBoxLayout(self._outbox_page).setContentsMargins(0, 0, 0, 0)
        self.tabs = QTabWidget(self)
        self.tabs.addTab(capture_tab, "New candidate")
        self.tabs.addTab(self._outbox_page, "Outbox")
        self.tabs.currentChanged.connect(self._on_tabs_current_changed)

        body = QWidget(self)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(14, 10, 14, 6)
        layout.addLayout(header)
        layout.addWidget(self.banner)
        layout.addWidget(self.tabs, 1)
        self.setCentralWidget(body)
        self.resize(900, 720)

        # status bar: connectivity, queue, last sync — words and icons, not colour alone
        self.net_icon = QLabel(self)
        self.net_label = QLabel(self)
        self.net_label.setAccessibleName("Connection")
        self.queue_label = QLabel(self)
        self.queue_label.setAccessibleName("Queue")
        self.last_sync_label = QLabel(self)
        self.sync_button = QPushButton("Sync now", self)
        self.sync_button.clicked.connect(self._service.sync_now)
        bar = self.statusBar()
        for widget in (self.net_icon, self.net_label, self.queue_label, self.last_sync_label):
            bar.addPermanentWidget(widget)
        bar.addPermanentWidget(self.sync_button)

        self._duplicate_timer = QTimer(self)
        self._duplicate_timer.setSingleShot(True)
        self._duplicate_timer.setInterval(150)
        self._duplicate_timer.timeout.connect(self._check_duplicates)

        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(keys), self, self.submit)
        # QShortcut, not a QAction: QAction.setShortcut builds ~90 of PySide's Python enums on
        # first use (25 ms of start-up) for the same key binding.
        QShortcut(QKeySequence("Ctrl+,"), self, self.open_settings)

        service.saved.connect(self._on_service_saved)
        service.capture_changed.connect(self._on_service_capture_changed)
        service.state_changed.connect(self._on_service_state_changed)
        service.sources_loaded.connect(self._on_service_sources_loaded)
        service.connection_checked.connect(self._on_service_connection_checked)
        self._show_environment()
        self._on_service_state_changed(service.state())
        bar.showMessage("Ready.")
        self.form.edits["first_name"].setFocus()

    def _bar(
        self, name: str, button_text: str, on_click: Callable[[], None]
    ) -> tuple[QFrame, QLabel]:
        """A hidden strip with a sentence and one button (the pause banner, the edit bar)."""
        frame = QFrame(self)
        frame.setObjectName(name)
        text = QLabel(frame)
        text.setWordWrap(True)
        button = QPushButton(button_text, frame)
        button.clicked.connect(on_click)
        layout = QHBoxLayout(frame)
        layout.addWidget(text, 1)
        layout.addWidget(button)
        frame.setVisible(False)
        return frame, text

    @property
    def result(self) -> ResultPanel:
        if self._result is None:
            from deel_intake.ui.result import ResultPanel

            self._result = ResultPanel(self)
            self._result.settings_requested.connect(self.open_settings)
            self._result.edit_requested.connect(self.edit_capture)
            self._result_slot.addWidget(self._result)
        return self._result

    @property
    def outbox(self) -> OutboxView:
        if self._outbox is None:
            from deel_intake.ui.outbox_view import OutboxView

            self._outbox = OutboxView(self._service, self._outbox_page)
            self._outbox.edit_requested.connect(self.edit_capture)
            layout = self._outbox_page.layout()
            assert layout is not None
            layout.addWidget(self._outbox)
        return self._outbox

    def _on_tabs_current_changed(self, index: int) -> None:
        if index == 1:
            _ = self.outbox

    # ------------------------------------------------------------------ actions
    def submit(self) -> None:
        candidate = self.form.validate()
        if candidate is None:
            self.statusBar().showMessage("Fix the highlighted fields, then press Enter.")
            return
        if candidate.source != self._settings.source:
            self._save_settings(self._settings.with_(source=candidate.source))
        try:
            if self._editing is not None:
                capture = self._service.resubmit(self._editing, candidate)
                self._end_edit()
            else:
                capture = self._service.submit(candidate)
        except Exception:
            # The outbox could not be written (disk full, read-only folder): keep the form.
            log.exception("Saving the capture failed")
            self.result.show_error(
                "Not saved — the outbox on this laptop could not be written.",
                f"What you typed is still here. Details are in the log: {self._log_hint}",
            )
            return
        self.statusBar().showMessage(f"Saved {candidate.full_name}. Next candidate.", 5000)
        self._show_capture(capture)
        self.form.clear_for_next()

    def edit_capture(self, capture_id: str) -> None:
        """Load a capture that needs attention into the form, with Deel's messages."""
        capture = self._service.get(capture_id)
        if capture.status.done:
            return
        if self._editing is None:
            draft = self.form.draft()
            typed = any(getattr(draft, n) for n in ("first_name", "last_name", "email", "phone"))
            self._stashed = draft if typed else None
        self._editing = capture_id
        self.form.set_draft(capture.candidate.to_draft())
        self.form.show_errors(capture.field_errors)
        at = capture.captured_at.astimezone().strftime("%H:%M")
        self.edit_text.setText(
            f"Editing {capture.candidate.full_name}, captured at {at}. "
            "Fix it and press Enter to send it again."
        )
        self.edit_bar.setVisible(True)
        self.submit_button.setText(RESUBMIT_TEXT)
        self.tabs.setCurrentIndex(0)
        if not capture.field_errors:
            self.form.edits["first_name"].setFocus()

    def cancel_edit(self) -> None:
        self._end_edit()
        self.form.clear_for_next()
        if self._stashed is not None:
            self.form.set_draft(self._stashed)
        self._stashed = None

    def _end_edit(self) -> None:
        self._editing = None
        self.edit_bar.setVisible(False)
        self.submit_button.setText(SUBMIT_TEXT)

    def bring_forward(self) -> None:
        """Another launch asked for this window: show it on top."""
        if self.isMinimized():
            self.showNormal()
        self.show()
        self.raise_()
        self.activateWindow()

    def open_settings(self) -> None:
        if self._dialog is not None:
            self._dialog.raise_()
            return
        from deel_intake.ui.settings_dialog import SettingsDialog

        dialog = SettingsDialog(self._settings, self._tokens, self, locked_environment=self._demo)
        dialog.settings_changed.connect(self._on_dialog_settings_changed)
        dialog.token_changed.connect(self._service.credentials_changed)
        dialog.test_requested.connect(self._service.check_connection)
        dialog.finished.connect(self._on_dialog_finished)
        self._dialog = dialog
        dialog.open()

    # ------------------------------------------------------------------ helpers
    def _save_settings(self, settings: Settings) -> None:
        self._settings = settings
        try:
            self._settings_store.save(settings)
        except OSError as exc:
            log.warning("Could not save settings: %s", exc)
            self.statusBar().showMessage("Settings could not be saved to disk.")

    def _show_environment(self) -> None:
        env = self._settings.environment
        text = env.label if env is not Environment.CUSTOM else self._settings.custom_base_url
        self.env_badge.setText(f"Deel: {text}")

    def _show_capture(self, capture: Capture) -> None:
        state = self._state or self._service.state()
        self.result.show_capture(capture, online=state.online, waiting=state.counts.unsynced)

    def _check_duplicates(self) -> None:
        from deel_intake.domain.candidate import duplicate_keys

        email, phone, slug = duplicate_keys(self.form.draft(), region=self.form.region)
        matches = self._service.find_duplicates(
            email_key=email, phone=phone, linkedin_slug=slug, exclude_id=self._editing
        )
        self.form.set_duplicate_hint(duplicate_text(matches[0]) if matches else None)

    # ------------------------------------------------------------------ slots
    def _on_form_draft_edited(self, field: str) -> None:
        if field in ("email", "phone", "linkedin"):
            self._duplicate_timer.start()

    def _on_service_saved(self, capture: Capture) -> None:
        if self._outbox is not None and self.tabs.currentIndex() == 1:
            self._outbox.select_capture(capture.id)

    def _on_service_capture_changed(self, capture_id: str) -> None:
        if self._result is not None and capture_id == self._result.capture_id:
            self._show_capture(self._service.get(capture_id))

    def _on_service_state_changed(self, state: SyncState) -> None:
        self._state = state
        counts = state.counts
        if state.paused:
            self.banner_text.setText(state.paused)
        self.banner.setVisible(bool(state.paused))
        if state.paused:
            net, text = "error", "Paused"
        elif state.online is False:
            net, text = "offline", "Offline"
        elif state.syncing:
            net, text = "busy", "Syncing…"
        elif state.online:
            net, text = "ok", "Online"
        else:
            net, text = "busy", "Connecting…"
        self.net_icon.setPixmap(icon(net).pixmap(16, 16))
        self.net_label.setText(text)
        parts = [f"{counts.waiting + counts.sending} waiting"]
        if counts.needs_attention:
            n = counts.needs_attention
            parts.append(f"{n} need{'s' if n == 1 else ''} attention")
        self.queue_label.setText(" · ".join(parts))
        last = state.last_sync_at
        self.last_sync_label.setText(
            f"Last sync {last.astimezone().strftime('%H:%M')}" if last else "Not synced yet"
        )
        unsynced = counts.unsynced
        self.tabs.setTabText(1, f"Outbox ({unsynced} not in Deel)" if unsynced else "Outbox")

    def _on_service_sources_loaded(self, slugs: list[str], live: bool) -> None:
        self.form.set_sources(slugs)
        self.form.select_source(self._settings.source)
        if live and tuple(slugs) != self._settings.sources_cache:
            self._save_settings(self._settings.with_(sources_cache=tuple(slugs)))

    def _on_service_connection_checked(self, ok: bool, message: str) -> None:
        if self._dialog is not None:
            self._dialog.show_test_result(ok, message)

    def _on_dialog_settings_changed(self, settings: Settings) -> None:
        environment_changed = (settings.environment, settings.custom_base_url) != (
            self._settings.environment,
            self._settings.custom_base_url,
        )
        self._save_settings(settings)
        self.form.set_region(settings.phone_region)
        self._show_environment()
        if environment_changed:
            self._service.credentials_changed()
            self._service.load_sources()

    def _on_dialog_finished(self) -> None:
        if self._dialog is not None:
            self._dialog.deleteLater()
        self._dialog = None

    def closeEvent(self, event: QCloseEvent) -> None:
        unsynced = self._service.state().counts.unsynced
        if unsynced and not self.ask_quit(self, unsynced):
            event.ignore()
            return
        self._service.shutdown()
        super().closeEvent(event)
