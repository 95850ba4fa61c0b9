"""Wording and colours for visitors on the site: names, states, durations, carts, places, devices.

Every value here can come from a visitor's browser: it is flattened to one line and capped, and
shown as plain text by every view.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QColor

from chat_protocol.enums import DeviceClass, TrafficState
from operator_app.store.display_text import one_line

if TYPE_CHECKING:
    from chat_protocol.traffic import TrafficRow

CELL_LIMIT = 160

STATE_COLORS: dict[TrafficState, QColor] = {
    TrafficState.BROWSING: QColor("#4b5563"),
    TrafficState.INVITED: QColor("#7c3aed"),
    TrafficState.QUEUED: QColor("#c2410c"),
    TrafficState.CHATTING: QColor("#15803d"),
    TrafficState.LEFT: QColor("#9ca3af"),
}

# Currencies written without minor units.
_NO_DECIMALS = frozenset({"JPY", "KRW", "VND", "CLP", "ISK", "HUF", "TWD"})


def cell(text: str) -> str:
    """One line, capped: a hostile 10 KB title never makes a row taller or the table slower."""
    return one_line(text, CELL_LIMIT)


def visitor_label(name: str, number: int) -> str:
    flat = cell(name)
    if flat:
        return flat
    if number <= 0:
        return QCoreApplication.translate("Traffic", "Visitor")
    return QCoreApplication.translate("Traffic", "Visitor #%1").replace("%1", str(number))


def state_text(state: TrafficState) -> str:
    return {
        TrafficState.BROWSING: QCoreApplication.translate("Traffic", "browsing"),
        TrafficState.INVITED: QCoreApplication.translate("Traffic", "invited"),
        TrafficState.QUEUED: QCoreApplication.translate("Traffic", "queued"),
        TrafficState.CHATTING: QCoreApplication.translate("Traffic", "chatting"),
        TrafficState.LEFT: QCoreApplication.translate("Traffic", "left"),
    }[state]


def cart_text(value: float, currency: str) -> str:
    """``12,800 JPY``, ``59.90 EUR``; empty for an empty cart."""
    if value <= 0:
        return ""
    code = cell(currency).upper()
    amount = f"{value:,.0f}" if code in _NO_DECIMALS else f"{value:,.2f}"
    return f"{amount} {code}".strip()


def place_text(location: str, approximate: bool) -> str:
    """``≈ Japan (Tokyo)`` when derived from the time zone, else the location as measured."""
    flat = cell(location)
    if not flat:
        return ""
    return f"\u2248 {flat}" if approximate else flat


def language_place_text(language: str, location: str, approximate: bool) -> str:
    return " \u00b7 ".join(part for part in (cell(language), place_text(location, approximate)) if part)


def device_class_text(device: DeviceClass) -> str:
    return {
        DeviceClass.DESKTOP: QCoreApplication.translate("Traffic", "Desktop"),
        DeviceClass.TABLET: QCoreApplication.translate("Traffic", "Tablet"),
        DeviceClass.MOBILE: QCoreApplication.translate("Traffic", "Mobile"),
        DeviceClass.UNKNOWN: QCoreApplication.translate("Traffic", "Unknown device"),
    }[device]


def device_text(device: DeviceClass, os: str, browser: str) -> str:
    """``Desktop · Windows / Chrome``."""
    software = " / ".join(part for part in (cell(os), cell(browser)) if part)
    return " \u00b7 ".join(part for part in (device_class_text(device), software) if part)


def source_text(source: str) -> str:
    return cell(source) or QCoreApplication.translate("Traffic", "Direct")


def row_search_text(row: TrafficRow) -> str:
    """What the text filter looks in: name, e-mail, page title, location and source, folded."""
    parts = (row.name, row.email, row.page_title, row.location, row.source, row.page_url)
    return "\n".join(parts).casefold()
