"""The ASGI app factory: REST, WebSockets, the widget and (in demo mode) the demo shop."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import sqlalchemy.exc
from fastapi import FastAPI, HTTPException, WebSocket
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, HTMLResponse, Response

from chat_backend import __version__
from chat_backend.api import (
    agents,
    archives,
    audit,
    auth,
    canned,
    chats,
    greeting_rules,
    groups,
    info,
    mail,
    reports,
    sites,
    supervision,
    tags,
    team,
    tickets,
    traffic,
    training,
)
from chat_backend.api import attachments as attachments_api
from chat_backend.api import ops as ops_api
from chat_backend.api import settings as settings_api
from chat_backend.api.deps import AppState
from chat_backend.api.errors import RefuseNul, database_failure, invalid_request
from chat_backend.cluster import metrics
from chat_backend.cluster.drain import Drain
from chat_backend.cluster.health import Readiness, database_check, redis_check
from chat_backend.cluster.inbox_job import inbox_job
from chat_backend.cluster.jobs import retention_job
from chat_backend.cluster.lease import Leases
from chat_backend.cluster.mail_job import mail_job
from chat_backend.cluster.node import ClusterNode
from chat_backend.cluster.traffic_sync import TrafficSync
from chat_backend.cluster.training_job import training_job
from chat_backend.db.engine import Database
from chat_backend.domain.login_limits import LoginLimits, LoginPolicy
from chat_backend.domain.passwords import PasswordWork
from chat_backend.files.stores import open_store
from chat_backend.http_security import SecurityHeaders, VisitorPreflight, add_api_docs
from chat_backend.net import TrustedProxyHeaders, parse_networks
from chat_backend.realtime.agent_socket import AgentConnection
from chat_backend.realtime.call_relay import CallRelay
from chat_backend.realtime.event_tail import EventTail
from chat_backend.realtime.greeter import Greeter
from chat_backend.realtime.hub import Hub
from chat_backend.realtime.rate_limit import SocketLimits
from chat_backend.realtime.router import Router
from chat_backend.realtime.services import Services
from chat_backend.realtime.traffic_list import TrafficList
from chat_backend.realtime.visitor_socket import VisitorConnection
from chat_backend.settings import Settings
from chat_backend.widget_files import add_widget_routes

STATIC = Path(__file__).with_name("static")
DEMO_SITE_ID = "demo-shop"
_DEMO_FILE = re.compile(r"^[a-z0-9-]+\.(html|css|js)$")
_NO_STORE = {"Cache-Control": "no-cache"}
# One REST module per resource (the first path segment under /api/v1), each with its `router`.
REST_RESOURCES = (
    info,
    auth,
    chats,
    attachments_api,
    archives,
    tickets,
    mail,
    tags,
    reports,
    canned,
    agents,
    groups,
    settings_api,
    traffic,
    greeting_rules,
    supervision,
    audit,
    team,
    sites,
    training,
)


def create_app(settings: Settings) -> FastAPI:
    db = Database(settings.resolved_database_url())
    hub = Hub(SocketLimits(settings))  # every limit of the sockets, in one place
    tail = EventTail(db, hub)  # reads new events once for the node, wakes only who may see them
    db.on_commit = tail.poke
    traffic = TrafficList(db, hub, settings)  # the live list of visitors on the site
    # Cluster-wide jobs run on one node at a time, each under its lease in the database.
    leases = Leases(db, settings.node_id, ttl=settings.lease_ttl)
    calls = CallRelay(
        db,
        hub,
        settings.call_ring_timeout,
        settings.call_disconnect_grace,
        lease=leases.lease("calls"),
        push_grace=settings.call_page_push_grace,
    )
    db.after_commit = calls.committed  # `call_state` pushes once a call's change is committed
    metrics.count_committed_events(db)
    router = Router(db, hub, traffic, leave_grace=settings.visitor_leave_grace, lease=leases.lease("routing"))
    cluster: ClusterNode | None = None
    if settings.redis_url:  # other nodes: their commits wake what ours do; ours are announced to them
        cluster = ClusterNode(settings, db, hub, on_remote_commit=db.on_commit, on_agents_changed=router.kick)
        TrafficSync(cluster.bus, traffic)  # every node's live list shows every node's visitors
        db.on_commit = cluster.after_commit(db.on_commit)
    greeter = Greeter(db, hub, traffic, lease=leases.lease("greeting"))  # automatic greeting rules
    files = open_store(settings)  # attachments: a folder on one node, a shared bucket on several
    retention = retention_job(db, leases.lease("retention"), files)
    inbox = inbox_job(db, hub, leases.lease("inbox"), settings.imap_ca_file, files)  # e-mail in (IMAP)
    mailer = mail_job(db, hub, leases.lease("mail"), settings.smtp_ca_file)  # e-mail out, the daily summary
    trainer = training_job(db, hub, leases.lease("training"), router.kick)  # scripted training visitors
    drain = Drain(settings.drain_timeout)
    drain.on_start.append(leases.release)  # the other nodes take the jobs at once
    readiness = Readiness()
    readiness.add("database", database_check(db))
    if cluster is not None:
        readiness.add("redis", redis_check(cluster.bus), required=False)
    services = Services(db, hub, settings, router, traffic, calls, greeter, tail)
    policy = LoginPolicy(
        window=settings.login_window,
        pair_failures=settings.login_pair_failures,
        ip_failures=settings.login_ip_failures,
        account_failures=settings.login_account_failures,
        account_interval=settings.login_account_interval,
    )
    passwords = PasswordWork(settings.password_hash_workers, settings.password_hash_queue)
    state = AppState(
        settings=settings,
        db=db,
        hub=hub,
        limits=LoginLimits(policy),
        passwords=passwords,
        router=router,
        traffic=traffic,
        mail_kick=mailer.kick,
    )
    state.inbox_kick = inbox.kick
    state.files = files
    trusted_proxies = parse_networks(settings.trusted_proxies)  # a bad entry stops the start

    observed = metrics.Installed(metrics.LiveCollector(drain.sockets_by_kind))

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        observed.start()
        if cluster is not None:
            await cluster.start()
        # Per node: routing's own part, the traffic list; cluster-wide (under leases): the rest.
        tasks = [
            asyncio.create_task(leases.run()),
            asyncio.create_task(router.run()),
            asyncio.create_task(traffic.run()),
            asyncio.create_task(greeter.run()),
            asyncio.create_task(calls.run()),
            asyncio.create_task(retention.run()),
            asyncio.create_task(inbox.run()),
            asyncio.create_task(mailer.run()),
            asyncio.create_task(trainer.run()),
            asyncio.create_task(tail.run()),
        ]
        yield
        for task in tasks:
            task.cancel()
        router.stop()
        calls.stop()
        await asyncio.gather(*tasks, return_exceptions=True)
        await leases.release()
        await traffic.close()
        if cluster is not None:
            await cluster.stop()
        await db.dispose()
        passwords.close()
        observed.stop()

    # The API reference page only when asked for (CHAT_API_DOCS), and from local files: FastAPI's own
    # /docs and /redoc load their scripts from a CDN into this origin.
    app = FastAPI(title="Chat backend", version=__version__, lifespan=lifespan, docs_url=None, redoc_url=None)
    app.state.chat = state
    app.state.ops = ops_api.OpsState(
        readiness=readiness,
        drain=drain,
        metrics_networks=parse_networks(settings.metrics_networks),
        metrics_token=settings.metrics_token,
    )
    app.add_exception_handler(RequestValidationError, invalid_request)
    for failure in (sqlalchemy.exc.DBAPIError, OSError):
        app.add_exception_handler(failure, database_failure)
    app.add_middleware(RefuseNul)

    # The sockets' routes first: routes are tried in order, and a reconnect storm is thousands of
    # socket upgrades, each of which would otherwise be matched against every REST route first.
    @app.websocket("/ws/agent")
    async def agent_socket(ws: WebSocket) -> None:
        if drain.draining:
            await drain.refuse(ws)
            return
        conn = AgentConnection(ws, services)
        with drain.track(conn, "agent"):
            await conn.run()

    @app.websocket("/ws/visitor")
    async def visitor_socket(ws: WebSocket) -> None:
        if drain.draining:
            await drain.refuse(ws)
            return
        conn = VisitorConnection(ws, services)
        with drain.track(conn, "visitor"):
            await conn.run()

    for resource in REST_RESOURCES:
        app.include_router(resource.router)
    app.include_router(ops_api.router)  # /healthz, /readyz, /metrics
    add_widget_routes(app)  # /widget.js (the loader) and /widget/chunks/<name>

    if settings.demo:
        _add_demo_shop(app)
    if settings.api_docs:
        add_api_docs(app)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(VisitorPreflight, allowed=lambda origin: attachments_api.site_origin(state, origin))
    if trusted_proxies:
        app.add_middleware(TrustedProxyHeaders, trusted=trusted_proxies)
    return app


def _add_demo_shop(app: FastAPI) -> None:
    @app.get("/", include_in_schema=False)
    async def home() -> Response:
        return Response(status_code=307, headers={"Location": "/demo/index.html"})

    @app.get("/demo/{name}", include_in_schema=False)
    async def demo_page(name: str) -> Response:
        path = STATIC / "demo" / name
        if not _DEMO_FILE.match(name) or not path.is_file():
            raise HTTPException(404)
        if name.endswith(".css"):
            return FileResponse(path, media_type="text/css", headers=_NO_STORE)
        if name.endswith(".js"):
            return FileResponse(path, media_type="text/javascript", headers=_NO_STORE)
        html = path.read_text(encoding="utf-8").replace("{{SITE_ID}}", DEMO_SITE_ID)
        return HTMLResponse(html, headers=_NO_STORE)
