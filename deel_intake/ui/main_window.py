"""The window a recruiter sees: the form, the submit button, and what happened."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from deel_intake import APP_TITLE
from deel_intake.api import errors as e
from deel_intake.api.environments import Environment
from deel_intake.storage.settings import Settings, SettingsStore
from deel_intake.ui.form import CandidateForm
from deel_intake.ui.resources import icon
from deel_intake.ui.result import ResultPanel
from deel_intake.ui.settings_dialog import SettingsDialog, TokenKeeper

if TYPE_CHECKING:
    from deel_intake.api.models import IntakeResult
    from deel_intake.services.intake import IntakeService

__all__ = ["MainWindow"]

log = logging.getLogger(__name__)

SUBMIT_TEXT = "Create candidate"
BUSY_TEXT = "Creating…"


class MainWindow(QMainWindow):
    def __init__(
        self,
        service: IntakeService,
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
        self.setWindowTitle(APP_TITLE + (" — DEMO" if demo else ""))
        self.setWindowIcon(icon("deel-intake"))

        # header
        title = QLabel("New candidate", self)
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

        # form and submit
        self.form = CandidateForm(self)
        self.form.set_region(self._settings.phone_region)
        if self._settings.sources_cache:
            self.form.set_sources(self._settings.sources_cache)
        self.form.select_source(self._settings.source)
        self.form.submit_requested.connect(self.submit)
        self.submit_button = QPushButton(SUBMIT_TEXT, self)
        self.submit_button.setObjectName("submit")
        self.submit_button.setToolTip("Enter or Ctrl+Enter")
        self.submit_button.setDefault(True)
        self.submit_button.clicked.connect(self.submit)
        self.progress = QProgressBar(self)
        self.progress.setRange(0, 0)
        self.progress.setMaximumWidth(120)
        self.progress.setTextVisible(False)
        self.progress.setAccessibleName("Working")
        self.progress.setVisible(False)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.progress)
        buttons.addWidget(self.submit_button)

        self.result = ResultPanel(self)
        self.result.settings_requested.connect(self.open_settings)

        body = QWidget(self)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(18, 14, 18, 14)
        layout.addLayout(header)
        layout.addSpacing(6)
        layout.addWidget(self.form)
        layout.addLayout(buttons)
        layout.addSpacing(6)
        layout.addWidget(self.result)
        layout.addStretch(1)
        self.setCentralWidget(body)
        self.resize(620, 660)

        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(keys), self, self.submit)
        settings_action = QAction("Settings…", self, shortcut=QKeySequence("Ctrl+,"))
        settings_action.triggered.connect(self.open_settings)
        self.addAction(settings_action)

        service.busy_changed.connect(self._on_service_busy_changed)
        service.submitted.connect(self._on_service_submitted)
        service.submit_failed.connect(self._on_service_submit_failed)
        service.sources_loaded.connect(self._on_service_sources_loaded)
        service.connection_checked.connect(self._on_service_connection_checked)
        self._show_environment()
        self.statusBar().showMessage("Ready.")
        QTimer.singleShot(0, self.form.edits["first_name"].setFocus)

    # ------------------------------------------------------------------ actions
    def submit(self) -> None:
        if self._service.busy:
            return  # one at a time: a second Enter while sending does nothing
        candidate = self.form.validate()
        if candidate is None:
            self.statusBar().showMessage("Fix the highlighted fields, then press Enter.")
            return
        if candidate.source != self._settings.source:
            self._save_settings(self._settings.model_copy(update={"source": candidate.source}))
        if self._service.submit(candidate):
            self.result.show_busy(f"Creating {candidate.full_name} in Deel…")
            self.statusBar().showMessage("Sending to Deel…")

    def open_settings(self) -> None:
        if self._dialog is not None:
            self._dialog.raise_()
            return
        dialog = SettingsDialog(self._settings, self._tokens, self, locked_environment=self._demo)
        dialog.settings_changed.connect(self._on_dialog_settings_changed)
        dialog.token_changed.connect(self._service.reset_client)
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

    # ------------------------------------------------------------------ slots
    def _on_service_busy_changed(self, busy: bool) -> None:
        self.submit_button.setEnabled(not busy)
        self.submit_button.setText(BUSY_TEXT if busy else SUBMIT_TEXT)
        self.progress.setVisible(busy)
        self.form.set_read_only(busy)

    def _on_service_submitted(self, result: IntakeResult) -> None:
        self.result.show_created(result)
        cand = result.candidate
        self.statusBar().showMessage(
            f"Created {cand.first_name} {cand.last_name} (#{cand.numeric_id}). Next candidate."
        )
        self.form.clear_for_next()

    def _on_service_submit_failed(self, exc: BaseException) -> None:
        self.form.set_read_only(False)
        if not isinstance(exc, e.DeelError):
            hint = f" Details are in the log: {self._log_hint}" if self._log_hint else ""
            self.result.show_error(
                "Not created — something went wrong inside deel-intake.",
                f"What you typed is still here.{hint}",
            )
            self.statusBar().showMessage("Not created.")
            return
        log.info("Submit failed: %s", exc.support_text())
        if isinstance(exc, e.FieldRejectedError):
            self.form.show_errors(exc.fields)
            self.result.show_error("Not created — " + exc.user_message, " ".join(exc.general))
        elif isinstance(exc, e.DuplicateEmailError):
            self.form.show_errors({"email": exc.user_message})
            self.result.show_error("Not created — " + exc.user_message)
        elif isinstance(exc, e.AuthError | e.NoTokenError):
            self.result.show_error("Not created — " + exc.user_message, offer_settings=True)
        else:
            more = "What you typed is still here: press Enter to try again."
            if exc.api_req_id:
                more += f" (Deel request id {exc.api_req_id})"
            self.result.show_error("Not created — " + exc.user_message, more)
        self.statusBar().showMessage("Not created.")

    def _on_service_sources_loaded(self, slugs: list[str], live: bool) -> None:
        self.form.set_sources(slugs)
        self.form.select_source(self._settings.source)
        if live and tuple(slugs) != self._settings.sources_cache:
            self._save_settings(self._settings.model_copy(update={"sources_cache": tuple(slugs)}))

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
            self._service.reset_client()
            self._service.load_sources()

    def _on_dialog_finished(self) -> None:
        if self._dialog is not None:
            self._dialog.deleteLater()
        self._dialog = None

    def closeEvent(self, event: QCloseEvent) -> None:
        self._service.shutdown()
        super().closeEvent(event)
