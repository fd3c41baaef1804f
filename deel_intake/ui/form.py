"""The candidate form, built in code: labels, placeholders, tab order, accessible names,
and each validation message right under its field."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from deel_intake.domain.fields import FIELD_LABELS, FIELDS, CandidateDraft
from deel_intake.domain.phone import region_name
from deel_intake.domain.sources import BUILTIN_SOURCES, source_label

if TYPE_CHECKING:
    from deel_intake.domain.candidate import Candidate

__all__ = ["CandidateForm"]

_PLACEHOLDERS = {
    "first_name": "Jane",
    "last_name": "Doe",
    "email": "jane.doe@example.com",
    "phone": "+44 20 7946 0958",
    "linkedin": "linkedin.com/in/jane-doe",
}
_REQUIRED = {"first_name", "last_name", "email", "source"}


class CandidateForm(QWidget):
    """Collects raw text; validation is the domain's. Nothing typed is ever thrown away by
    a failed validation or a failed submit: only :meth:`clear_for_next` empties the fields.

    (No ``Qt`` namespace here: its first use builds hundreds of Python enums, ~15 ms that
    the form does not need before it can be typed in.)"""

    submit_requested = Signal()
    draft_edited = Signal(str)  # field name

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.region = "US"
        self.edits: dict[str, QLineEdit] = {}
        self.errors: dict[str, QLabel] = {}
        self._touched: set[str] = set()

        layout = QFormLayout()
        layout.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        layout.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        layout.setVerticalSpacing(2)

        for name in FIELDS:
            label_text = FIELD_LABELS[name] + (" *" if name in _REQUIRED else "")
            if name == "source":
                field: QWidget = self._make_source_combo()
            else:
                edit = QLineEdit(self)
                edit.setObjectName(f"field_{name}")
                edit.setPlaceholderText(_PLACEHOLDERS[name])
                edit.setClearButtonEnabled(True)
                edit.setAccessibleName(FIELD_LABELS[name])
                edit.returnPressed.connect(self.submit_requested)
                edit.editingFinished.connect(lambda n=name: self._on_field_left(n))
                edit.textEdited.connect(lambda _t, n=name: self._on_field_edited(n))
                self.edits[name] = edit
                field = edit
            label = QLabel(label_text, self)
            label.setBuddy(field)
            error = QLabel(self)
            error.setObjectName("fieldError")
            error.setWordWrap(True)
            error.setAccessibleName(f"{FIELD_LABELS[name]} error")
            error.setVisible(False)
            self.errors[name] = error
            box = QVBoxLayout()
            box.setContentsMargins(0, 0, 0, 6)
            box.setSpacing(2)
            box.addWidget(field)
            if name == "phone":
                self.phone_hint = QLabel(self)
                self.phone_hint.setObjectName("fieldHint")
                box.addWidget(self.phone_hint)
            if name == "email":
                self.duplicate_hint = QLabel(self)
                self.duplicate_hint.setObjectName("duplicateHint")
                self.duplicate_hint.setVisible(False)
                self.duplicate_hint.setWordWrap(True)
                box.addWidget(self.duplicate_hint)
            box.addWidget(error)
            layout.addRow(label, box)

        self.setLayout(layout)
        order: list[QWidget] = [self.edits[n] for n in FIELDS if n in self.edits] + [self.source]
        for first, second in itertools.pairwise(order):
            QWidget.setTabOrder(first, second)
        self.set_region(self.region)

    def _make_source_combo(self) -> QComboBox:
        self.source = QComboBox(self)
        self.source.setObjectName("field_source")
        self.source.setAccessibleName("Source")
        self.set_sources([s.slug for s in BUILTIN_SOURCES])
        return self.source

    # ------------------------------------------------------------------ data
    def draft(self) -> CandidateDraft:
        """Exactly what is typed now."""
        texts = {name: edit.text() for name, edit in self.edits.items()}
        return CandidateDraft(source=str(self.source.currentData() or ""), **texts)

    def set_draft(self, draft: CandidateDraft) -> None:
        for name, edit in self.edits.items():
            edit.setText(getattr(draft, name))
        if draft.source:
            self.select_source(draft.source)
        self.clear_errors()

    def set_sources(self, slugs: Iterable[str]) -> None:
        """Replace the source list, keeping the current choice when it is still offered."""
        current = self.source.currentData()
        self.source.blockSignals(True)
        self.source.clear()
        for slug in slugs:
            self.source.addItem(source_label(slug), slug)
        self.source.blockSignals(False)
        if current:
            self.select_source(str(current))

    def select_source(self, slug: str) -> None:
        index = self.source.findData(slug.lower())
        if index < 0:  # a slug Deel no longer lists, e.g. from an older capture: keep it
            self.source.addItem(source_label(slug), slug.lower())
            index = self.source.count() - 1
        self.source.setCurrentIndex(index)

    def set_region(self, region: str) -> None:
        self.region = region.upper()
        self.phone_hint.setText(
            f"Numbers without + are read as numbers in {region_name(self.region)}."
        )

    def set_read_only(self, read_only: bool) -> None:
        for edit in self.edits.values():
            edit.setReadOnly(read_only)
        self.source.setEnabled(not read_only)

    def clear_for_next(self) -> None:
        """Ready for the next person: empty fields, same source, cursor in first name."""
        for edit in self.edits.values():
            edit.clear()
        self._touched.clear()
        self.clear_errors()
        self.set_duplicate_hint(None)
        self.edits["first_name"].setFocus()

    # ------------------------------------------------------------------ validation
    def validate(self) -> Candidate | None:
        """Validate everything; show every message; focus the first bad field."""
        from deel_intake.domain.candidate import DraftInvalidError, validate_draft

        try:
            candidate = validate_draft(self.draft(), region=self.region)
        except DraftInvalidError as exc:
            self.show_errors(exc.errors)
            return None
        self.clear_errors()
        return candidate

    def show_errors(self, errors: Mapping[str, str], *, focus: bool = True) -> None:
        self.clear_errors()
        first: QWidget | None = None
        for name in FIELDS:
            message = errors.get(name)
            if message:
                self._set_error(name, message)
                if first is None:
                    first = self.edits.get(name, self.source)
        if focus and first is not None:
            first.setFocus()

    def clear_errors(self) -> None:
        for name in FIELDS:
            self._set_error(name, None)

    def error_text(self, name: str) -> str:
        return self.errors[name].text()  # cleared whenever the message is hidden

    def _set_error(self, name: str, message: str | None) -> None:
        label = self.errors[name]
        label.setText(message or "")
        label.setVisible(bool(message))
        edit = self.edits.get(name)
        if edit is not None:
            edit.setProperty("invalid", bool(message))
            edit.setAccessibleDescription(message or "")
            edit.style().unpolish(edit)
            edit.style().polish(edit)

    def set_duplicate_hint(self, text: str | None) -> None:
        self.duplicate_hint.setText(text or "")
        self.duplicate_hint.setVisible(bool(text))

    def _on_field_left(self, name: str) -> None:
        """On leaving a field, check that field alone (others may not be typed yet)."""
        if not self.edits[name].text().strip() and name not in self._touched:
            return
        self._touched.add(name)
        from deel_intake.domain.candidate import DraftInvalidError, validate_draft

        try:
            validate_draft(self.draft(), region=self.region)
        except DraftInvalidError as exc:
            self._set_error(name, exc.errors.get(name))
        else:
            self._set_error(name, None)

    def _on_field_edited(self, name: str) -> None:
        self._touched.add(name)
        if self.errors[name].text():
            self._set_error(name, None)
        self.draft_edited.emit(name)
