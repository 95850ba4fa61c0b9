"""The list parts of the visitor sidebar, as small item models: visits with their page views,
previous chats, custom data and the cart. Every visitor value is one capped plain-text line."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QStandardItem, QStandardItemModel

from chat_protocol import ChatState
from chat_protocol.models import ChatSummary
from operator_app.store.display_text import escaped_tooltip, one_line
from operator_app.store.traffic_text import cart_text, cell, device_text, source_text

if TYPE_CHECKING:
    from chat_protocol.traffic import Cart, VisitRecord

CHAT_ID_ROLE = Qt.ItemDataRole.UserRole + 1


def local(moment: datetime, pattern: str = "%Y-%m-%d %H:%M") -> str:
    """A moment in the operator's own time zone."""
    return moment.astimezone().strftime(pattern)


def _item(text: str, tooltip: str = "") -> QStandardItem:
    item = QStandardItem(cell(text))
    item.setEditable(False)
    if tooltip:
        item.setToolTip(escaped_tooltip(tooltip))
    return item


def fill_history(model: QStandardItemModel, visits: list[VisitRecord]) -> None:
    """Visits newest first; under each, its pages with the time they were opened."""
    model.clear()
    for visit in visits:
        pages = QCoreApplication.translate("VisitorSections", "%1 pages").replace("%1", str(len(visit.pages)))
        summary = " \u00b7 ".join(
            (
                local(visit.started_at),
                pages,
                source_text(visit.source),
                device_text(visit.device_class, visit.os, visit.browser),
            )
        )
        tooltip = "\n".join(part for part in (visit.landing_url, visit.referrer) if part)
        parent = _item(summary, tooltip)
        for page in reversed(visit.pages):  # newest first, like the visits
            text = f"{local(page.viewed_at, '%H:%M:%S')}  {cell(page.title) or cell(page.url)}"
            parent.appendRow(_item(text, f"{page.title}\n{page.url}".strip()))
        model.appendRow(parent)


def chat_state_text(state: ChatState) -> str:
    return {
        ChatState.QUEUED: QCoreApplication.translate("VisitorSections", "waiting"),
        ChatState.TAKEN: QCoreApplication.translate("VisitorSections", "open"),
        ChatState.CLOSED: QCoreApplication.translate("VisitorSections", "closed"),
    }.get(state, state.value)


def fill_chats(model: QStandardItemModel, chats: list[ChatSummary]) -> None:
    model.clear()
    for chat in chats:
        parts = [local(chat.created_at), chat_state_text(chat.state)]
        if chat.agent is not None and chat.agent.name:
            parts.append(cell(chat.agent.name))
        if chat.last_message is not None:
            parts.append(one_line(chat.last_message.text, 80))
        item = _item(" \u00b7 ".join(parts), chat.last_message.text if chat.last_message else "")
        item.setData(chat.chat_id, CHAT_ID_ROLE)
        model.appendRow(item)


def fill_custom_data(model: QStandardItemModel, data: dict[str, str]) -> None:
    model.clear()
    model.setHorizontalHeaderLabels(
        [
            QCoreApplication.translate("VisitorSections", "Key"),
            QCoreApplication.translate("VisitorSections", "Value"),
        ]
    )
    for key, value in data.items():
        model.appendRow([_item(key, key), _item(value, value)])


def fill_cart(model: QStandardItemModel, cart: Cart | None) -> str:
    """The cart's items; returns the total as text ("" for no cart)."""
    model.clear()
    model.setHorizontalHeaderLabels(
        [
            QCoreApplication.translate("VisitorSections", "Item"),
            QCoreApplication.translate("VisitorSections", "Qty"),
            QCoreApplication.translate("VisitorSections", "Price"),
        ]
    )
    if cart is None or not cart.items:
        return ""
    for entry in cart.items:
        quantity = _item(str(entry.quantity))
        quantity.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        price = _item(cart_text(entry.price, cart.currency) or "0")
        price.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        model.appendRow([_item(entry.name, entry.name), quantity, price])
    return cart_text(cart.total, cart.currency)
