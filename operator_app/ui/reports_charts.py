"""Bar charts of the reports workspace (QtCharts, imported only with the reports view).

Objects: the chart view carries the name it is given (``reportsHourChart``, ``reportsWeekdayChart``).
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCharts import QBarCategoryAxis, QBarSeries, QBarSet, QChart, QChartView, QValueAxis
from PySide6.QtCore import QMargins, Qt
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QWidget

BAR_COLOUR = QColor("#2563eb")


class BarChart(QChartView):
    """One series of counts over categories; `set_counts` redraws it."""

    def __init__(self, name: str, title: str, parent: QWidget | None = None) -> None:
        chart = QChart()
        chart.setTitle(title)
        chart.legend().hide()
        chart.setMargins(QMargins(4, 4, 4, 4))
        chart.setBackgroundRoundness(0)
        chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
        super().__init__(chart, parent)
        self.setObjectName(name)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setMinimumHeight(220)
        self._bars = QBarSet(title)
        self._bars.setColor(BAR_COLOUR)
        self._series = QBarSeries()
        self._series.append(self._bars)
        self._series.setBarWidth(0.8)
        chart.addSeries(self._series)
        self._x = QBarCategoryAxis()
        self._y = QValueAxis()
        self._y.setLabelFormat("%d")
        chart.addAxis(self._x, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(self._y, Qt.AlignmentFlag.AlignLeft)
        self._series.attachAxis(self._x)
        self._series.attachAxis(self._y)

    def set_counts(self, categories: Sequence[str], counts: Sequence[int]) -> None:
        self._bars.remove(0, self._bars.count())
        self._bars.append([float(count) for count in counts])
        self._x.clear()
        self._x.append(list(categories))
        top = max(counts, default=0)
        # Whole numbers on the axis: at most 5 ticks, the top a multiple of their step.
        step = max(1, -(-top // 4))
        self._y.setRange(0, max(step * 4, 1))
        self._y.setTickCount(5 if top else 2)

    def counts(self) -> list[int]:
        return [int(self._bars.at(i)) for i in range(self._bars.count())]
