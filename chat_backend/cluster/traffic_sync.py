"""The live traffic list across the nodes: every node holds every row, changes travel on the bus.

Each node's `TrafficList` hands its changes to `send` at every flush (about every 250 ms), in messages of
at most `CHUNK` rows; the other nodes apply them (`TrafficList.apply_remote`). A node that connects to
the bus (at start, or after a Redis outage, when changes sent meanwhile were lost) says hello, and every
node answers with the rows of the visitors connected to it, whole.

What degrades while Redis is down: each node's list shows its own visitors' changes only; the others'
rows freeze until the bus is back and the hello exchange sends them again. A node that died stops
speaking for its visitors: once presence drops them (`CHAT_PRESENCE_TTL`) and the leave grace passes,
every node marks them as left (`TrafficList.sweep_nowhere`).
"""

from __future__ import annotations

import json
import logging
from typing import Any

from chat_backend.cluster.bus import Bus
from chat_backend.realtime.traffic_list import TrafficList

log = logging.getLogger(__name__)

CHANGES = "t"
HELLO = "th"
CHUNK = 200


class TrafficSync:
    def __init__(self, bus: Bus, traffic: TrafficList) -> None:
        self.bus = bus
        self.traffic = traffic
        bus.handlers[CHANGES] = self._on_changes
        bus.handlers[HELLO] = self._on_hello
        bus.on_connected.append(self._hello)
        traffic.replica = self

    def send(self, changes: list[dict[str, Any]]) -> None:
        for start in range(0, len(changes), CHUNK):
            body = json.dumps(changes[start : start + CHUNK], separators=(",", ":"))
            self.bus.publish(CHANGES, None, body)

    def _hello(self) -> None:
        self.bus.publish(HELLO)
        self.send(self.traffic.owned_changes())

    def _on_hello(self, _node: str, _header: dict[str, Any], _body: str) -> None:
        self.send(self.traffic.owned_changes())

    def _on_changes(self, _node: str, _header: dict[str, Any], body: str) -> None:
        try:
            changes = json.loads(body)
        except ValueError:
            changes = None
        if not isinstance(changes, list):
            log.warning("ignored a malformed traffic message from another node (%d bytes)", len(body))
            return
        self.traffic.apply_remote([change for change in changes if isinstance(change, dict)])
