"""The archive's filters (``archiveFilters``): closed between two local dates, agent, group, site,
rating, "had a video call", "transferred", the visitor's name or e-mail, and tags (chats with any of
the ticked ones: a menu that stays open while several are ticked).

Dates are this computer's calendar days: "from" is the start of that day here, "to" the start of
the day after it, both sent as UTC. Agent, group and site names come from admins and are shown as
plain text.

Signals: ``changed()`` when any filter changes. Objects: ``archiveFromCheck``, ``archiveFromDate``,
``archiveToCheck``, ``archiveToDate``, ``archiveAgentFilter``, ``archiveGroupFilter``,
``archiveSiteFilter``, ``archiveRatingFilter``, ``archiveCallFilter``, ``archiveTransferredFilter``,
``archiveVisitorFilter``, ``archiveTagFilter`` (its menu ``archiveTagFilterMenu``),
``archiveResetFilters``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from chat_protocol.archive import MAX_SEARCH_CHARS, ArchiveQuery
from operator_app.store.archives_service import ArchiveChoices
from operator_app.store.choice_list_model import ChoiceListModel
from operator_app.ui.tag_chips import StayOpenMenu, colour_icon, menu_text

RATINGS = ("", "good", "bad", "none")


def day_start_utc(day: date) -> datetime:
    """The start of `day` on this computer's clock, in UTC (DST-correct)."""
    return datetime.combine(day, time()).astimezone().astimezone(UTC)


def _day(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


class ArchiveFilters(QWidget):
    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("archiveFilters")
        today = QDate.currentDate()
        self.from_check = self._check("archiveFromCheck", self.tr("&From"))
        self.from_date = self._date("archiveFromDate", today.addDays(-30))
        self.to_check = self._check("archiveToCheck", self.tr("T&o"))
        self.to_date = self._date("archiveToDate", today)
        self.from_check.toggled.connect(self.from_date.setEnabled)
        self.to_check.toggled.connect(self.to_date.setEnabled)

        self.agents = ChoiceListModel(parent=self)
        self.groups = ChoiceListModel(parent=self)
        self.sites = ChoiceListModel(parent=self)
        self.tag_ids: list[str] = []  # the ticked tags, in the menu's order
        self.tag_button = QToolButton(self)
        self.tag_button.setObjectName("archiveTagFilter")
        self.tag_button.setAccessibleName(self.tr("Tags"))
        self.tag_button.setToolTip(self.tr("Chats with any of the ticked tags"))
        self.tag_button.clicked.connect(self.open_tag_menu)
        self.tag_menu = StayOpenMenu(self)
        self.tag_menu.setObjectName("archiveTagFilterMenu")
        self._update_tag_button()
        self.agent_box = self._combo("archiveAgentFilter", self.agents, self.tr("Agent"))
        self.group_box = self._combo("archiveGroupFilter", self.groups, self.tr("Group"))
        self.site_box = self._combo("archiveSiteFilter", self.sites, self.tr("Site"))
        self.set_choices(ArchiveChoices(agents=[], groups=[], sites=[]))

        self.rating_box = QComboBox(self)
        self.rating_box.setObjectName("archiveRatingFilter")
        self.rating_box.setAccessibleName(self.tr("Rating"))
        for key, text in zip(
            RATINGS,
            (self.tr("Any rating"), self.tr("Rated good"), self.tr("Rated bad"), self.tr("Not rated")),
            strict=True,
        ):
            self.rating_box.addItem(text, key)
        self.rating_box.currentIndexChanged.connect(self.changed)
        self.call_check = self._check("archiveCallFilter", self.tr("Had a video &call"))
        self.transferred_check = self._check("archiveTransferredFilter", self.tr("T&ransferred"))
        self.visitor_edit = QLineEdit(self)
        self.visitor_edit.setObjectName("archiveVisitorFilter")
        self.visitor_edit.setPlaceholderText(self.tr("Visitor name or e-mail"))
        self.visitor_edit.setAccessibleName(self.tr("Visitor name or e-mail"))
        self.visitor_edit.setClearButtonEnabled(True)
        self.visitor_edit.setMaxLength(200)
        self.visitor_edit.textChanged.connect(self.changed)
        self.reset_button = QPushButton(self.tr("Clear filters"), self)
        self.reset_button.setObjectName("archiveResetFilters")
        self.reset_button.clicked.connect(self.reset)

        first = QHBoxLayout()
        first.addWidget(self.from_check)
        first.addWidget(self.from_date)
        first.addWidget(self.to_check)
        first.addWidget(self.to_date)
        first.addSpacing(12)
        for box in (self.agent_box, self.group_box, self.site_box):
            first.addWidget(box, 1)
        second = QHBoxLayout()
        second.addWidget(self.rating_box)
        second.addWidget(self.call_check)
        second.addWidget(self.transferred_check)
        second.addWidget(self.tag_button)
        second.addSpacing(12)
        label = QLabel(self.tr("V&isitor:"), self)
        label.setBuddy(self.visitor_edit)
        second.addWidget(label)
        second.addWidget(self.visitor_edit, 1)
        second.addWidget(self.reset_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(first)
        layout.addLayout(second)

    def _check(self, name: str, text: str) -> QCheckBox:
        box = QCheckBox(text, self)
        box.setObjectName(name)
        box.toggled.connect(self.changed)
        return box

    def _date(self, name: str, value: QDate) -> QDateEdit:
        edit = QDateEdit(value, self)
        edit.setObjectName(name)
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("yyyy-MM-dd")
        edit.setEnabled(False)
        edit.dateChanged.connect(self.changed)
        return edit

    def _combo(self, name: str, model: ChoiceListModel, what: str) -> QComboBox:
        box = QComboBox(self)
        box.setObjectName(name)
        box.setAccessibleName(what)
        box.setModel(model)
        box.setMinimumContentsLength(12)
        box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        box.currentIndexChanged.connect(self.changed)
        return box

    # --- choices and values -----------------------------------------------------------------

    def set_choices(self, choices: ArchiveChoices) -> None:
        """The agents, groups, sites and tags to offer; a choice made already stays if still listed."""
        for box, model, entries, anyone in (
            (self.agent_box, self.agents, choices.agents, self.tr("Any agent")),
            (self.group_box, self.groups, choices.groups, self.tr("Any group")),
            (self.site_box, self.sites, choices.sites, self.tr("Any site")),
        ):
            chosen = model.key_at(box.currentIndex())
            box.blockSignals(True)
            model.set_entries([("", anyone), *entries])
            box.setCurrentIndex(max(0, model.row_of(chosen)))
            box.blockSignals(False)
        self._fill_tag_menu(choices)

    def _fill_tag_menu(self, choices: ArchiveChoices) -> None:
        listed = {tag.tag_id for tag in choices.tags}
        self.tag_ids = [tag_id for tag_id in self.tag_ids if tag_id in listed]
        self.tag_menu.clear()
        if not choices.tags:
            self.tag_menu.addAction(self.tr("No tags yet")).setEnabled(False)
        for tag in choices.tags:
            action = self.tag_menu.addAction(colour_icon(tag.colour), menu_text(tag.name))
            action.setCheckable(True)
            action.setChecked(tag.tag_id in self.tag_ids)
            action.setData(tag.tag_id)
            action.toggled.connect(lambda on, tag_id=tag.tag_id: self.choose_tag(tag_id, on))
        self._update_tag_button()

    def open_tag_menu(self) -> StayOpenMenu:
        """The tags to filter by, under their button (arrows, Space or Enter, Esc)."""
        self.tag_menu.popup(self.tag_button.mapToGlobal(self.tag_button.rect().bottomLeft()))
        first = next((a for a in self.tag_menu.actions() if a.isEnabled()), None)
        if first is not None:
            self.tag_menu.setActiveAction(first)
        return self.tag_menu

    def choose_tag(self, tag_id: str, on: bool) -> None:
        if (tag_id in self.tag_ids) == on:
            return
        wanted = set(self.tag_ids) ^ {tag_id}
        self.tag_ids = [a.data() for a in self.tag_menu.actions() if a.data() in wanted]
        self._update_tag_button()
        self.changed.emit()

    def _update_tag_button(self) -> None:
        count = len(self.tag_ids)
        self.tag_button.setText(
            self.tr("Tags (%1)").replace("%1", str(count)) if count else self.tr("Any tag")
        )

    def search(self, text: str) -> ArchiveQuery:
        """The search for `text` with the filters as they are now."""
        since = day_start_utc(_day(self.from_date.date())) if self.from_check.isChecked() else None
        until = None
        if self.to_check.isChecked():
            until = day_start_utc(_day(self.to_date.date()) + timedelta(days=1))
        rating = RATINGS[max(0, self.rating_box.currentIndex())]
        return ArchiveQuery(
            q=text.strip()[:MAX_SEARCH_CHARS],
            since=since,
            until=until,
            agent_id=self.agents.key_at(self.agent_box.currentIndex()) or None,
            group_id=self.groups.key_at(self.group_box.currentIndex()) or None,
            site_id=self.sites.key_at(self.site_box.currentIndex()) or None,
            rating=rating or None,
            had_call=True if self.call_check.isChecked() else None,
            transferred=True if self.transferred_check.isChecked() else None,
            visitor=self.visitor_edit.text().strip(),
            tag_ids=list(self.tag_ids),
        )

    def active(self) -> int:
        """How many filters are set (for the button that shows them)."""
        return sum(
            (
                self.from_check.isChecked(),
                self.to_check.isChecked(),
                self.agent_box.currentIndex() > 0,
                self.group_box.currentIndex() > 0,
                self.site_box.currentIndex() > 0,
                self.rating_box.currentIndex() > 0,
                self.call_check.isChecked(),
                self.transferred_check.isChecked(),
                bool(self.visitor_edit.text().strip()),
                bool(self.tag_ids),
            )
        )

    def reset(self) -> None:
        """Every filter off (one `changed`)."""
        widgets = (
            self.from_check,
            self.to_check,
            self.agent_box,
            self.group_box,
            self.site_box,
            self.rating_box,
            self.call_check,
            self.transferred_check,
            self.visitor_edit,
        )
        for widget in widgets:
            widget.blockSignals(True)
        for check in (self.from_check, self.to_check, self.call_check, self.transferred_check):
            check.setChecked(False)
        for box in (self.agent_box, self.group_box, self.site_box, self.rating_box):
            box.setCurrentIndex(0)
        self.visitor_edit.clear()
        self.tag_ids = []
        for action in self.tag_menu.actions():
            action.blockSignals(True)
            action.setChecked(False)
            action.blockSignals(False)
        self._update_tag_button()
        for widget in widgets:
            widget.blockSignals(False)
        self.from_date.setEnabled(False)
        self.to_date.setEnabled(False)
        self.changed.emit()
