"""The trainees' results (supervisors and admins), opened from the team view: per trainee the training
chats held, replies, canned replies used, mean first response and ratings. Built and loaded when first
opened; ``Refresh`` loads again.

Objects: ``trainingResultsDialog``, ``trainingResultsTable``, ``trainingResultsRefresh``,
``trainingResultsState`` (loading, empty, or the reason a load failed)."""

from __future__ import annotations

from PySide6.QtCore import QLocale, Qt
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from chat_protocol.training import TrainingResult
from operator_app.store.training_service import TrainingService
from operator_app.ui.async_tools import async_slot, disabled, reports_errors


class TrainingResultsDialog(QDialog):
    def __init__(self, service: TrainingService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("trainingResultsDialog")
        self.setWindowTitle(self.tr("Training results"))
        self.service = service
        self.model = QStandardItemModel(0, 7, self)
        self.model.setHorizontalHeaderLabels(
            [
                self.tr("Trainee"),
                self.tr("In training"),
                self.tr("Chats"),
                self.tr("Replies"),
                self.tr("Canned replies"),
                self.tr("First response"),
                self.tr("Ratings (good / bad)"),
            ]
        )
        self.table = QTableView(self)
        self.table.setObjectName("trainingResultsTable")
        self.table.setModel(self.model)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.state = QLabel(self)
        self.state.setObjectName("trainingResultsState")
        self.state.setTextFormat(Qt.TextFormat.PlainText)
        self.state.setWordWrap(True)
        self.refresh_button = QPushButton(self.tr("&Refresh"), self)
        self.refresh_button.setObjectName("trainingResultsRefresh")
        self.refresh_button.clicked.connect(self.load)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.addButton(self.refresh_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.state)
        layout.addWidget(buttons)
        self.resize(760, 360)
        self.results: list[TrainingResult] = []

    def show_error(self, text: str) -> None:
        self.state.setText(text)
        self.state.show()

    @async_slot()
    @reports_errors
    async def load(self) -> None:
        self.state.setText(self.tr("Loading the results…"))
        self.state.show()
        with disabled(self.refresh_button):
            self.show_results(await self.service.results())

    def show_results(self, results: list[TrainingResult]) -> None:
        self.results = results
        self.model.removeRows(0, self.model.rowCount())
        locale = QLocale()
        for result in results:
            seconds = (
                self.tr("%1 s").replace("%1", locale.toString(result.first_response, "f", 1))
                if result.first_response is not None
                else "\u2013"
            )
            cells = [
                result.name,
                self.tr("yes") if result.training else self.tr("no"),
                locale.toString(result.chats),
                locale.toString(result.replies),
                locale.toString(result.canned_replies),
                seconds,
                f"{locale.toString(result.rated_good)} / {locale.toString(result.rated_bad)}",
            ]
            items = []
            for column, text in enumerate(cells):
                item = QStandardItem(text)
                if column:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                items.append(item)
            self.model.appendRow(items)
        self.state.setText("" if results else self.tr("Nobody in your groups has practised yet."))
        self.state.setVisible(not results)
