"""What a socket works with, built once by the app and handed to every connection."""

from __future__ import annotations

from dataclasses import dataclass

from chat_backend.db.engine import Database
from chat_backend.realtime.call_relay import CallRelay
from chat_backend.realtime.event_tail import EventTail
from chat_backend.realtime.greeter import Greeter
from chat_backend.realtime.hub import Hub
from chat_backend.realtime.router import Router
from chat_backend.realtime.traffic_list import TrafficList
from chat_backend.settings import Settings


@dataclass(frozen=True)
class Services:
    db: Database
    hub: Hub
    settings: Settings
    router: Router  # `kick()` after a change routing cares about; availability and presence
    traffic: TrafficList  # the live list of visitors on the site
    calls: CallRelay  # video call signalling and timers
    greeter: Greeter  # automatic greeting rules
    tail: EventTail  # reads the new events once for the node and wakes who may see them
