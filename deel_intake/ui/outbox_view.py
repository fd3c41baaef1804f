"""The outbox view: every capture, where it stands, and what can be done with it.

A model/view table over plain row tuples (one query at start, then one row per change), so
10,000 captures scroll smoothly. Status is an icon *and* words, never colour alone.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, ClassVar

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from deel_intake.domain.capture import Status
from deel_intake.ui.resources import icon

if TYPE_CHECKING:
    from deel_intake.services.outbox import OutboxService

__all__ = ["OutboxModel", "OutboxView"]

# Row tuple layout, as Outbox.rows_for_view() returns it.
_ID, _AT, _NAME, _EMAIL, _STATUS, _DEEL_ID, _NUM, _ERROR, _DISCARDED, _SRC_OK, _SRC_ERR = range(11)

TRASH = "trash"
_STATUS_ICONS = {
    Status.WAITING: "busy",
    Status.SENDING: "busy",
    Status.IN_DEEL: "ok",
    Status.ALREADY_IN_DEEL: "ok",
    Status.NEEDS_ATTENTION: "warning",
}

AnyIndex = QModelIndex | QPersistentModelIndex


def status_text(row: tuple[Any, ...]) -> str:
    status = Status(row[_STATUS])
    text = status.label
    if row[_DISCARDED]:
        return f"In trash ({text.lower()})"
    if status.done and row[_SRC_OK] == 0:
        text += " — source not set"
    return text


def local_time(text: str) -> str:
    moment = datetime.fromisoformat(text).astimezone()
    today = datetime.now(UTC).astimezone().date()
    return moment.strftime("%H:%M:%S" if moment.date() == today else "%d %b %H:%M")


class OutboxModel(QAbstractTableModel):
    HEADERS: ClassVar = ("Captured", "Name", "Email", "Status", "Deel id", "Last error")
    IdRole = Qt.ItemDataRole.UserRole + 1
    StatusRole = Qt.ItemDataRole.UserRole + 2

    def __init__(self, service: OutboxService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._service = service
        self._rows: list[tuple[Any, ...]] = []
        self._index: dict[str, int] = {}
        self.reload()
        service.capture_changed.connect(self._on_service_capture_changed)
        service.saved.connect(lambda capture: self._on_service_capture_changed(capture.id))

    def reload(self) -> None:
        self.beginResetModel()
        self._rows = self._service.rows_for_view()
        self._index = {row[_ID]: i for i, row in enumerate(self._rows)}
        self.endResetModel()

    def row_tuple(self, row: int) -> tuple[Any, ...]:
        return self._rows[row]

    def row_of(self, capture_id: str) -> int:
        return self._index.get(capture_id, -1)

    # ------------------------------------------------------------------ Qt model
    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section]
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                return local_time(row[_AT])
            if column == 1:
                return row[_NAME]
            if column == 2:
                return row[_EMAIL]
            if column == 3:
                return status_text(row)
            if column == 4:
                return f"#{row[_NUM]}  {row[_DEEL_ID]}" if row[_DEEL_ID] else ""
            if column == 5:
                return row[_ERROR] or (row[_SRC_ERR] if row[_SRC_OK] == 0 else "") or ""
        elif role == Qt.ItemDataRole.DecorationRole and column == 3:
            name = "error" if row[_DISCARDED] else _STATUS_ICONS[Status(row[_STATUS])]
            return icon(name)
        elif role == Qt.ItemDataRole.ToolTipRole and column == 5:
            return row[_ERROR] or row[_SRC_ERR]
        elif role == self.IdRole:
            return row[_ID]
        elif role == self.StatusRole:
            return TRASH if row[_DISCARDED] else row[_STATUS]
        return None

    # ------------------------------------------------------------------ updates
    def _on_service_capture_changed(self, capture_id: str) -> None:
        fresh = self._service.row_for_view(capture_id)
        if fresh is None:
            return
        at = self._index.get(capture_id)
        if at is None:
            position = len(self._rows)
            self.beginInsertRows(QModelIndex(), position, position)
            self._rows.append(fresh)
            self._index[capture_id] = position
            self.endInsertRows()
            return
        self._rows[at] = fresh
        self.dataChanged.emit(self.index(at, 0), self.index(at, len(self.HEADERS) - 1))


class _StatusFilter(QSortFilterProxyModel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.wanted: set[str] | None = None

    def set_wanted(self, wanted: set[str] | None) -> None:
        self.beginFilterChange()
        self.wanted = wanted
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: AnyIndex) -> bool:
        if self.wanted is None:
            return True
        model = self.sourceModel()
        status = model.data(model.index(source_row, 0, source_parent), OutboxModel.StatusRole)
        return status in self.wanted


FILTERS: tuple[tuple[str, set[str] | None], ...] = (
    ("Everything", None),
    ("Not in Deel yet", {Status.WAITING.value, Status.SENDING.value}),
    ("Needs attention", {Status.NEEDS_ATTENTION.value}),
    ("In Deel", {Status.IN_DEEL.value, Status.ALREADY_IN_DEEL.value}),
    ("Trash", {TRASH}),
)


class OutboxView(QWidget):
    edit_requested = Signal(str)  # capture id

    def __init__(self, service: OutboxService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._service = service
        self.model = OutboxModel(service, self)
        self.proxy = _StatusFilter(self)
        self.proxy.setSourceModel(self.model)

        self.filter = QComboBox(self)
        self.filter.setAccessibleName("Show")
        for label, _wanted in FILTERS:
            self.filter.addItem(label)
        self.filter.currentIndexChanged.connect(self._on_filter_changed)

        self.table = QTableView(self)
        self.table.setModel(self.proxy)
        self.table.setAccessibleName("Captures")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        vertical = self.table.verticalHeader()
        vertical.setVisible(False)
        vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)  # uniform rows: fast
        vertical.setDefaultSectionSize(self.fontMetrics().height() + 10)
        header = self.table.horizontalHeader()
        header.setStretchLastSection(True)
        for column, width in enumerate((80, 150, 210, 160, 150)):
            header.resizeSection(column, width)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._on_table_context_menu)
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self.table.doubleClicked.connect(lambda _i: self._edit())

        self.retry_button = QPushButton("Retry now", self)
        self.edit_button = QPushButton("Edit…", self)
        self.copy_button = QPushButton("Copy Deel id", self)
        self.discard_button = QPushButton("Discard…", self)
        self.restore_button = QPushButton("Restore", self)
        self.retry_button.clicked.connect(self._retry)
        self.edit_button.clicked.connect(self._edit)
        self.copy_button.clicked.connect(self._copy)
        self.discard_button.clicked.connect(self._discard)
        self.restore_button.clicked.connect(self._restore)
        self.detail = QLabel(self)
        self.detail.setWordWrap(True)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        top = QHBoxLayout()
        top.addWidget(QLabel("Show:", self))
        top.addWidget(self.filter)
        top.addStretch(1)
        buttons = QHBoxLayout()
        for button in (
            self.retry_button, self.edit_button, self.copy_button,
            self.discard_button, self.restore_button,
        ):  # fmt: skip
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.detail)
        layout.addLayout(buttons)
        self.model.dataChanged.connect(self._update_buttons)
        self._update_buttons()

    # ------------------------------------------------------------------ selection
    def select_capture(self, capture_id: str) -> None:
        row = self.model.row_of(capture_id)
        if row < 0:
            return
        proxy_index = self.proxy.mapFromSource(self.model.index(row, 0))
        if proxy_index.isValid():
            self.table.selectRow(proxy_index.row())

    def selected(self) -> tuple[Any, ...] | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        return self.model.row_tuple(self.proxy.mapToSource(rows[0]).row())

    def _update_buttons(self, *_args: object) -> None:
        row = self.selected()
        status = Status(row[_STATUS]) if row else None
        trashed = bool(row and row[_DISCARDED])
        self.retry_button.setEnabled(status is Status.WAITING and not trashed)
        self.edit_button.setEnabled(
            status in (Status.NEEDS_ATTENTION, Status.WAITING) and not trashed
        )
        self.copy_button.setEnabled(bool(row and row[_DEEL_ID]))
        self.discard_button.setEnabled(row is not None and not trashed)
        self.restore_button.setEnabled(trashed)
        if row is None:
            self.detail.clear()
        else:
            capture = self._service.get(row[_ID])
            lines = [f"{capture.candidate.full_name} — {status_text(row)}"]
            if capture.field_errors:
                lines += [f"• {k.replace('_', ' ')}: {v}" for k, v in capture.field_errors.items()]
            if capture.last_error:
                lines.append(f"Last error: {capture.last_error}")
            if capture.attempts:
                lines.append(f"Attempts: {capture.attempts}")
            self.detail.setText("\n".join(lines))

    def _on_filter_changed(self, index: int) -> None:
        self.proxy.set_wanted(FILTERS[index][1])
        self._update_buttons()

    def _on_table_context_menu(self, position: Any) -> None:
        if self.selected() is None:
            return
        menu = QMenu(self)
        for button in (
            self.retry_button, self.edit_button, self.copy_button,
            self.discard_button, self.restore_button,
        ):  # fmt: skip
            if button.isEnabled():
                menu.addAction(button.text(), button.click)
        menu.popup(self.table.viewport().mapToGlobal(position))

    # ------------------------------------------------------------------ actions
    def _retry(self) -> None:
        row = self.selected()
        if row:
            self._service.retry_now(row[_ID])

    def _edit(self) -> None:
        row = self.selected()
        if row and self.edit_button.isEnabled():
            self.edit_requested.emit(row[_ID])

    def _copy(self) -> None:
        row = self.selected()
        if row and row[_DEEL_ID]:
            QGuiApplication.clipboard().setText(row[_DEEL_ID])

    def _discard(self) -> None:
        row = self.selected()
        if row is None:
            return
        unsynced = not Status(row[_STATUS]).done
        text = f"Move {row[_NAME]} to the trash?" + (
            "\n\nThis capture is NOT in Deel. It will not be sent, but it stays in the "
            "trash and in exports, and can be restored."
            if unsynced
            else "\n\nThe candidate stays in Deel; only this list entry moves to the trash."
        )
        box = QMessageBox(QMessageBox.Icon.Question, "Discard capture", text, parent=self)
        discard = box.addButton("Move to trash", QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        if box.clickedButton() is discard:
            self._service.discard(row[_ID])

    def _restore(self) -> None:
        row = self.selected()
        if row:
            self._service.restore(row[_ID])
