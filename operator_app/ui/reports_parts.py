"""Building blocks of the reports workspace: read-only tables that fit their rows, and the cards of
the headline figures (``reportsCard_<name>`` holding ``reportsCaption_<name>``, ``reportsFigure_<name>``
and ``reportsDetail_<name>``)."""

from __future__ import annotations

from PySide6.QtCore import QSortFilterProxyModel, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from operator_app.store.report_table import ReportTableModel

FIGURES = ("chats", "missed", "first_response", "duration", "good_share", "calls")


def table_view(
    name: str, model: ReportTableModel, parent: QWidget, *, sortable: bool = True, stretch: int | None = None
) -> QTableView:
    """A read-only table; `stretch` is the column that takes the width left (else none does)."""
    view_stretch = stretch
    view = QTableView(parent)
    view.setObjectName(name)
    if sortable:
        proxy = QSortFilterProxyModel(view)
        proxy.setSourceModel(model)
        proxy.setSortRole(ReportTableModel.SORT_ROLE)
        view.setModel(proxy)
        view.setSortingEnabled(True)
    else:
        view.setModel(model)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setAlternatingRowColors(True)
    view.verticalHeader().hide()
    header = view.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    if view_stretch is not None:
        # Sections exist only once the model has columns: set again after every reset.
        model.modelReset.connect(
            lambda: (
                header.count() > view_stretch
                and header.setSectionResizeMode(view_stretch, QHeaderView.ResizeMode.Stretch)
            )
        )
    return view


def fit_rows(view: QTableView, most: int) -> None:
    """As tall as its rows (at least one, at most `most`): no empty space under a short table."""
    view.resizeRowsToContents()
    rows = view.model().rowCount()
    height = view.horizontalHeader().height() + 2 * view.frameWidth() + 2
    height += (
        sum(view.rowHeight(row) for row in range(min(rows, most)))
        or view.verticalHeader().defaultSectionSize()
    )
    view.setFixedHeight(height)


class FigureCards:
    """One card per headline figure: what it is, the value, and a detail line under it."""

    def __init__(self, captions: dict[str, str], parent: QWidget) -> None:
        self.row = QHBoxLayout()
        self.figures: dict[str, QLabel] = {}
        self.details: dict[str, QLabel] = {}
        for name in FIGURES:
            card = QFrame(parent)
            card.setObjectName(f"reportsCard_{name}")
            card.setFrameShape(QFrame.Shape.StyledPanel)
            card.setStyleSheet(f"QFrame#reportsCard_{name} {{ background: white; border-radius: 4px; }}")
            column = QVBoxLayout(card)
            column.setSpacing(2)
            labels = []
            for kind, style in (
                ("Caption", "color: #4b5563;"),
                ("Figure", "font-size: 20px; font-weight: 600;"),
                ("Detail", "color: #4b5563;"),
            ):
                label = QLabel(card)
                label.setObjectName(f"reports{kind}_{name}")
                label.setTextFormat(Qt.TextFormat.PlainText)
                label.setWordWrap(kind != "Figure")
                label.setStyleSheet(style)
                column.addWidget(label)
                labels.append(label)
            labels[0].setText(captions[name])
            labels[1].setText("–")
            self.figures[name], self.details[name] = labels[1], labels[2]
            self.row.addWidget(card, 1)
