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

from deel_intake.domain.capture import Capture, Status
from deel_intake.domain.sources import source_label
from deel_intake.ui.resources import icon

__all__ = ["ResultPanel"]


class ResultPanel(QFrame):
    """Shows one outcome at a time. ``kind`` (ok, error, warning, busy) drives the colour,
    but every state also has an icon and words: colour is never the only signal."""

    settings_requested = Signal()
    edit_requested = Signal(str)  # capture id

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
        self.edit_button = QPushButton("Edit", self)
        self.edit_button.setAccessibleName("Edit this capture")
        self.edit_button.clicked.connect(lambda: self.edit_requested.emit(self.capture_id))

        top = QHBoxLayout()
        top.addWidget(self._icon, 0, Qt.AlignmentFlag.AlignTop)
        top.addWidget(self.headline, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.body)
        layout.addWidget(self._details)
        actions = QHBoxLayout()
        actions.addWidget(self.settings_button)
        actions.addWidget(self.edit_button)
        actions.addStretch(1)
        layout.addLayout(actions)
        self._deel_id = ""
        self.capture_id: str = ""
        self.clear()

    # ------------------------------------------------------------------ states
    def clear(self) -> None:
        self.setVisible(False)
        self._deel_id = ""
        self.capture_id = ""

    def _show(self, kind: str, headline: str, body: str = "") -> None:
        self.setProperty("kind", kind)
        self.style().unpolish(self)
        self.style().polish(self)
        self._icon.setPixmap(icon(kind).pixmap(24, 24))
        self.headline.setText(headline)
        self.body.setText(body)
        self.body.setVisible(bool(body))
        self._details.setVisible(False)
        self.settings_button.setVisible(False)
        self.edit_button.setVisible(False)
        self.setVisible(True)

    def show_busy(self, text: str) -> None:
        self._show("busy", text)

    def show_error(self, headline: str, body: str = "", *, offer_settings: bool = False) -> None:
        self._show("error", headline, body)
        self.settings_button.setVisible(offer_settings)
        self.capture_id = ""

    def show_warning(self, headline: str, body: str = "") -> None:
        self._show("warning", headline, body)

    def show_capture(self, capture: Capture, *, online: bool | None, waiting: int) -> None:
        """Where this capture stands, in words: saved, sending, in Deel, or what to fix."""
        self.capture_id = capture.id
        name = capture.candidate.full_name
        status = capture.status
        if status.done:
            self._show_in_deel(capture)
        elif status is Status.NEEDS_ATTENTION:
            self._show(
                "error",
                f"Needs attention — {name} is not in Deel yet.",
                f"{capture.last_error or ''} Press Edit, fix it and send it again.".strip(),
            )
            self.edit_button.setVisible(True)
        elif status is Status.SENDING:
            self._show("busy", f"Saved — sending {name} to Deel…")
        elif capture.last_error:
            self._show(
                "offline",
                f"Saved — {name} is not in Deel yet ({waiting} waiting).",
                f"{capture.last_error} It is safe on this laptop and will be sent automatically.",
            )
        elif online is False:
            self._show(
                "offline",
                f"Saved offline — {waiting} waiting.",
                f"{name} will be sent to Deel when the network is back.",
            )
        else:
            self._show("busy", "Saved — sending to Deel…", name)

    def _show_in_deel(self, capture: Capture) -> None:
        name = capture.candidate.full_name
        if capture.status is Status.ALREADY_IN_DEEL:
            self._show("ok", f"{name} was already in Deel — linked, not created again.")
            source = "left as Deel has it"
        elif capture.source_applied is False:
            self._show(
                "warning",
                f"{name} is in Deel, but the source was not set.",
                f"Why: {capture.source_error or 'unknown'} Set it in Deel by hand if it matters.",
            )
            source = f"not set ({source_label(capture.candidate.source)} was chosen)"
        else:
            self._show("ok", f"{name} is in Deel.")
            pending = capture.source_applied is None
            source = source_label(capture.candidate.source) + (" (being set…)" if pending else "")
        self._deel_id = capture.deel_id or ""
        self.values["email"].setText(capture.candidate.email)
        self.values["deel_id"].setText(self._deel_id)
        self.values["numeric_id"].setText(f"#{capture.deel_numeric_id}")
        created = capture.deel_created_at or capture.updated_at or capture.captured_at
        self.values["created"].setText(created.astimezone().strftime("%d %b %Y, %H:%M:%S"))
        self.values["source"].setText(source)
        self.copy_button.setText("Copy Deel id")
        self._details.setVisible(True)

    def _copy_id(self) -> None:
        if self._deel_id:
            QGuiApplication.clipboard().setText(self._deel_id)
            self.copy_button.setText("Copied ✓")
