"""This node's Prometheus metrics, served at `/metrics` (`chat_backend.api.ops`).

Counters and histograms are module-level (prometheus-client's usual form: any module increments them);
what is read from live objects at scrape time (sockets by kind) comes from a collector the app
registers while it runs. The process collector adds CPU seconds, resident memory and open file
descriptors. Rates (events/s, logins/s) are the scraper's `rate()` of the counters.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

from prometheus_client import REGISTRY, Counter, Gauge, Histogram, disable_created_metrics
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from chat_backend.db.engine import EVENTS_WRITTEN, Database

disable_created_metrics()  # type: ignore[no-untyped-call]  # no `_created` series beside every counter: scrapers do not need them

EVENTS_COMMITTED = Counter("chat_events_committed", "Durable events committed by this node.")
DELIVERY_LAG = Histogram(
    "chat_delivery_lag_seconds",
    "From an event's commit to its frame being queued on a socket of this node.",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
QUEUE_LENGTH = Gauge("chat_queue_length", "Chats waiting in the queue (as of this node's last pass).")
LOGINS = Counter("chat_logins", "Socket logins on this node.", ["kind"])
ERRORS = Counter("chat_log_errors", "Records logged at ERROR or above by this node.")
JOB_PASSES = Counter("chat_job_passes", "Passes of cluster-wide jobs run by this node.", ["job"])
JOB_PASSES_FAILED = Counter(
    "chat_job_passes_failed", "Passes of cluster-wide jobs that failed on this node (an error).", ["job"]
)
JOB_PASSES_FENCED = Counter(
    "chat_job_passes_fenced", "Passes stopped because another node had taken the job's lease.", ["job"]
)
LEASES_HELD = Gauge("chat_job_lease_held", "1 while this node holds the job's lease.", ["job"])
DRAINING = Gauge("chat_draining", "1 while this node drains (SIGTERM received).")


def delivered(created_at: Iterable[datetime]) -> None:
    """Events just queued on a socket: their lag since they were written (the commit follows the
    write within the same transaction, so this is commit-to-send plus the transaction's tail)."""
    now = time.time()
    for at in created_at:
        stamp = at.timestamp() if at.tzinfo else at.replace(tzinfo=UTC).timestamp()
        DELIVERY_LAG.observe(max(now - stamp, 0.0))


class ErrorCounter(logging.Handler):
    """Counts records at ERROR and above (installed on the root logger while the app runs)."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)

    def emit(self, record: logging.LogRecord) -> None:
        ERRORS.inc()


class LiveCollector(Collector):
    """Values read from the running node at scrape time."""

    def __init__(self, sockets_by_kind: Callable[[], dict[str, int]]) -> None:
        self.sockets_by_kind = sockets_by_kind

    def collect(self) -> Iterator[GaugeMetricFamily]:
        sockets = GaugeMetricFamily("chat_sockets", "Open WebSockets on this node.", labels=["kind"])
        for kind, count in sorted(self.sockets_by_kind().items()):
            sockets.add_metric([kind], count)
        yield sockets


class Installed:
    """The app's scrape-time collector and error counter, added at start and removed at stop (several
    apps may be built in one process, e.g. by tests; only a running one reports)."""

    def __init__(self, collector: LiveCollector) -> None:
        self.collector = collector
        self.handler = ErrorCounter()

    def start(self) -> None:
        REGISTRY.register(self.collector)
        for name in _ERROR_LOGGERS:
            logging.getLogger(name).addHandler(self.handler)

    def stop(self) -> None:
        for name in _ERROR_LOGGERS:
            logging.getLogger(name).removeHandler(self.handler)
        REGISTRY.unregister(self.collector)


# The root logger, and uvicorn's, which does not propagate to it (its errors: a failed request).
_ERROR_LOGGERS = ("", "uvicorn")


def count_committed_events(db: Database) -> None:
    """Count the events of every committed write transaction (`chat_events_committed_total`)."""
    previous = db.after_commit

    def after_commit(info: dict[Any, Any]) -> None:
        written = info.get(EVENTS_WRITTEN, 0)
        if written:
            EVENTS_COMMITTED.inc(written)
        previous(info)

    db.after_commit = after_commit
