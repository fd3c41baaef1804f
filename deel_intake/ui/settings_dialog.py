"""Settings: which Deel, which token, which default phone region. Changes apply at once."""

from __future__ import annotations

from typing import Protocol

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from deel_intake.api.environments import (
    BASE_URLS,
    Environment,
    InvalidBaseURLError,
    validate_base_url,
)
from deel_intake.domain.phone import phone_regions
from deel_intake.storage.errors import KeychainUnavailableError
from deel_intake.storage.settings import Settings

__all__ = ["SettingsDialog", "TokenKeeper"]


class TokenKeeper(Protocol):
    """What the dialog may do with tokens; the keychain itself stays behind this door."""

    def describe(self, key: str) -> str: ...
    def set(self, key: str, token: str) -> None: ...
    def delete(self, key: str) -> bool: ...


class SettingsDialog(QDialog):
    settings_changed = Signal(object)  # Settings
    token_changed = Signal()
    test_requested = Signal()

    def __init__(
        self,
        settings: Settings,
        tokens: TokenKeeper,
        parent: QWidget | None = None,
        *,
        locked_environment: bool = False,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self.setMinimumWidth(520)
        self._settings = settings
        self._tokens = tokens

        self.environment = QComboBox(self)
        self.environment.setAccessibleName("Environment")
        for env in Environment:
            self.environment.addItem(env.label, env.value)
        self.environment.setCurrentIndex(self.environment.findData(settings.environment.value))
        self.environment.setEnabled(not locked_environment)
        self.url = QLineEdit(self)
        self.url.setAccessibleName("Custom URL")
        self.url.setPlaceholderText("https://api.letsdeel.com/rest/v2")
        self.url_error = QLabel(self)
        self.url_error.setObjectName("fieldError")
        self.url_error.setWordWrap(True)

        self.token = QLineEdit(self)
        self.token.setAccessibleName("Deel API token")
        self.token.setEchoMode(QLineEdit.EchoMode.Password)
        self.token.setPlaceholderText("Paste a new token to replace the stored one")
        self.token_status = QLabel(self)
        self.token_status.setWordWrap(True)
        self.token_status.setObjectName("fieldHint")
        self.save_token = QPushButton("Save token", self)
        self.remove_token = QPushButton("Remove token", self)
        self.test = QPushButton("Test connection", self)
        self.test_result = QLabel(self)
        self.test_result.setWordWrap(True)
        self.test_result.setAccessibleName("Connection test result")

        self.region = QComboBox(self)
        self.region.setAccessibleName("Default phone region")
        for code, name in phone_regions():
            self.region.addItem(f"{name} ({code})", code)
        self.region.setCurrentIndex(max(0, self.region.findData(settings.phone_region)))

        token_buttons = QHBoxLayout()
        token_buttons.addWidget(self.save_token)
        token_buttons.addWidget(self.remove_token)
        token_buttons.addStretch(1)
        form = QFormLayout()
        form.addRow("Environment:", self.environment)
        form.addRow("Base URL:", self.url)
        form.addRow("", self.url_error)
        form.addRow("Token:", self.token)
        form.addRow("", self.token_status)
        form.addRow("", token_buttons)
        form.addRow("", self.test)
        form.addRow("", self.test_result)
        form.addRow("Phone region:", self.region)
        help_text = QLabel(
            "Create a token in Deel under Developer → Access Tokens with the scopes "
            "<b>ats:read</b> and <b>ats:write</b>. Sandbox and Production have separate "
            "tokens. The token is kept only in this computer's keychain.",
            self,
        )
        help_text.setWordWrap(True)
        help_text.setObjectName("fieldHint")
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(help_text)
        layout.addWidget(close)

        self.environment.currentIndexChanged.connect(self._on_environment_changed)
        self.url.editingFinished.connect(self._on_url_edited)
        self.region.currentIndexChanged.connect(self._on_region_changed)
        self.save_token.clicked.connect(self._on_save_token)
        self.token.returnPressed.connect(self._on_save_token)
        self.remove_token.clicked.connect(self._on_remove_token)
        self.test.clicked.connect(self._on_test)
        self._sync_url_field()
        self._refresh_token_status()

    # ------------------------------------------------------------------ state
    @property
    def settings(self) -> Settings:
        return self._settings

    def _apply(self, settings: Settings) -> None:
        if settings != self._settings:
            self._settings = settings
            self.settings_changed.emit(settings)

    def _sync_url_field(self) -> None:
        env = self._settings.environment
        custom = env is Environment.CUSTOM
        self.url.setReadOnly(not custom)
        self.url.setText(self._settings.custom_base_url if custom else BASE_URLS[env])

    def _refresh_token_status(self) -> None:
        self.token_status.setText(self._tokens.describe(self._settings.token_key))

    def show_test_result(self, ok: bool, message: str) -> None:
        self.test.setEnabled(True)
        self.test_result.setText(("✓ " if ok else "✗ ") + message)

    # ------------------------------------------------------------------ slots
    def _on_environment_changed(self) -> None:
        env = Environment(self.environment.currentData())
        self._apply(self._settings.with_(environment=env))
        self._sync_url_field()
        self.url_error.clear()
        self.test_result.clear()
        self._refresh_token_status()
        if env is Environment.CUSTOM:
            self.url.setFocus(Qt.FocusReason.OtherFocusReason)

    def _on_url_edited(self) -> None:
        if self._settings.environment is not Environment.CUSTOM:
            return
        try:
            url = validate_base_url(self.url.text())
        except InvalidBaseURLError as exc:
            self.url_error.setText(str(exc))
            return
        self.url_error.clear()
        self.url.setText(url)
        self._apply(self._settings.with_(custom_base_url=url))
        self._refresh_token_status()

    def _on_region_changed(self) -> None:
        code = str(self.region.currentData())
        self._apply(self._settings.with_(phone_region=code))

    def _on_save_token(self) -> None:
        text = self.token.text()
        try:
            self._tokens.set(self._settings.token_key, text)
        except (KeychainUnavailableError, ValueError) as exc:
            self.token_status.setText(str(exc))  # the typed token stays in the field
            return
        self.token.clear()
        self._refresh_token_status()
        self.test_result.clear()
        self.token_changed.emit()

    def _on_remove_token(self) -> None:
        try:
            removed = self._tokens.delete(self._settings.token_key)
        except KeychainUnavailableError as exc:
            self.token_status.setText(str(exc))
            return
        self._refresh_token_status()
        if removed:
            self.token_changed.emit()

    def _on_test(self) -> None:
        self.test.setEnabled(False)
        self.test_result.setText("Testing…")
        self.test_requested.emit()
