"""The answer to "what happened?": the created candidate, or a sentence saying what to do."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from deel_intake.api.models import IntakeResult
from deel_intake.domain.sources import source_label
from deel_intake.ui.resources import icon

__all__ = ["ResultPanel"]


class ResultPanel(QFrame):
    """Shows one outcome at a time. ``kind`` (ok, error, warning, busy) drives the colour,
    but every state also has an icon and words: colour is never the only signal."""

    settings_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("resultPanel")
        self.setAccessibleName("Result")
        self._icon = QLabel(self)
        self._icon.setFixedSize(28, 28)
        self.headline = QLabel(self)
        self.headline.setObjectName("resultHeadline")
        self.headline.setWordWrap(True)
        self.headline.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.body = QLabel(self)
        self.body.setWordWrap(True)
        self.body.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self._details = QWidget(self)
        grid = QGridLayout(self._details)
        grid.setContentsMargins(0, 4, 0, 0)
        self.values: dict[str, QLabel] = {}
        for row, (key, title) in enumerate(
            (
                ("email", "Email"),
                ("deel_id", "Deel id"),
                ("numeric_id", "Number"),
                ("created", "Created"),
                ("source", "Source"),
            )
        ):
            grid.addWidget(QLabel(title + ":", self._details), row, 0, Qt.AlignmentFlag.AlignRight)
            value = QLabel(self._details)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            value.setAccessibleName(title)
            grid.addWidget(value, row, 1)
            self.values[key] = value
        self.copy_button = QPushButton("Copy Deel id", self._details)
        self.copy_button.setAccessibleName("Copy Deel id")
        self.copy_button.clicked.connect(self._copy_id)
        grid.addWidget(self.copy_button, 1, 2)
        grid.setColumnStretch(1, 1)

        self.settings_button = QPushButton("Open Settings", self)
        self.settings_button.clicked.connect(self.settings_requested)

        top = QHBoxLayout()
        top.addWidget(self._icon, 0, Qt.AlignmentFlag.AlignTop)
        top.addWidget(self.headline, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.body)
        layout.addWidget(self._details)
        layout.addWidget(self.settings_button, 0, Qt.AlignmentFlag.AlignLeft)
        self._deel_id = ""
        self.clear()

    # ------------------------------------------------------------------ states
    def clear(self) -> None:
        self.setVisible(False)
        self._deel_id = ""

    def _show(self, kind: str, headline: str, body: str = "") -> None:
        self.setProperty("kind", kind)
        self.style().unpolish(self)
        self.style().polish(self)
        self._icon.setPixmap(icon({"ok": "ok", "busy": "busy"}.get(kind, kind)).pixmap(24, 24))
        self.headline.setText(headline)
        self.body.setText(body)
        self.body.setVisible(bool(body))
        self._details.setVisible(False)
        self.settings_button.setVisible(False)
        self.setVisible(True)

    def show_busy(self, text: str) -> None:
        self._show("busy", text)

    def show_error(self, headline: str, body: str = "", *, offer_settings: bool = False) -> None:
        self._show("error", headline, body)
        self.settings_button.setVisible(offer_settings)

    def show_warning(self, headline: str, body: str = "") -> None:
        self._show("warning", headline, body)

    def show_created(self, result: IntakeResult) -> None:
        cand = result.candidate
        name = f"{cand.first_name} {cand.last_name}"
        if result.source_applied:
            self._show("ok", f"{name} is in Deel.")
            source = source_label(result.source)
        else:
            self._show(
                "warning",
                f"{name} is in Deel, but the source was not set.",
                f"Why: {result.source_error or 'unknown'} Set it in Deel by hand if it matters.",
            )
            source = f"not set ({source_label(result.source)} was chosen)"
        self._deel_id = cand.id
        self.values["email"].setText(cand.email)
        self.values["deel_id"].setText(cand.id)
        self.values["numeric_id"].setText(f"#{cand.numeric_id}")
        local = cand.created_at.astimezone()
        self.values["created"].setText(local.strftime("%d %b %Y, %H:%M:%S"))
        self.values["source"].setText(source)
        self.copy_button.setText("Copy Deel id")
        self._details.setVisible(True)

    def _copy_id(self) -> None:
        if self._deel_id:
            QGuiApplication.clipboard().setText(self._deel_id)
            self.copy_button.setText("Copied ✓")
