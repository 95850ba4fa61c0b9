"""`chat-backend`: serve, migrate, create-agent, create-site."""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import os
import sys

from sqlalchemy import select

from chat_backend.cluster import cluster_refusal
from chat_backend.db import migrate
from chat_backend.db.engine import Database
from chat_backend.db.tables import Site
from chat_backend.domain import auth, passwords, sites
from chat_backend.settings import DEFAULT_PORT, Settings
from chat_protocol.rest import RoutingSettings

SHUTDOWN_GRACE = 10  # seconds


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="chat-backend", description="The live-chat backend.")
    parser.add_argument(
        "--database-url", help="sqlite:///path.db (default: in the user data dir) or postgresql://..."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the server (applies migrations first)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=DEFAULT_PORT)
    serve.add_argument("--demo", action="store_true", help="serve the demo shop and keep its site and agent")
    serve.add_argument("--log-level", default="info")
    serve.add_argument("--ssl-certfile", metavar="PEM", help="serve https/wss with this certificate (chain)")
    serve.add_argument("--ssl-keyfile", metavar="PEM", help="the certificate's private key")
    serve.add_argument(
        "--demo-samples",
        action="store_true",
        help="with --demo: sample canned replies and a greeting rule, and the demo agent accepting chats",
    )
    serve.add_argument(
        "--exit-with-stdin", action="store_true", help="stop when standard input closes (the demo app's pipe)"
    )
    sub.add_parser("migrate", help="apply database migrations")
    agent = sub.add_parser("create-agent", help="create an agent account")
    agent.add_argument("--email", required=True)
    agent.add_argument("--name", required=True)
    agent.add_argument(
        "--password-stdin", action="store_true", required=True, help="read the password from stdin"
    )
    agent.add_argument("--role", choices=auth.ROLES, default="agent")
    routing_cmd = sub.add_parser("routing", help="show or change routing settings")
    routing_cmd.add_argument("--auto-assign", choices=("on", "off"))
    routing_cmd.add_argument("--max-chats", type=int, help="default chats per agent")
    routing_cmd.add_argument("--reassign-after", type=int, help="seconds; 0 turns re-offering off")
    routing_cmd.add_argument("--inactivity-close-after", type=int, help="seconds; 0 turns it off")
    _greeting_parser(sub)
    traffic_cmd = sub.add_parser("traffic", help="show or change page-view retention, or purge now")
    traffic_cmd.add_argument("--retention-days", type=int, help="days of page-view history to keep")
    traffic_cmd.add_argument("--purge", action="store_true", help="delete page views past the retention")
    site = sub.add_parser("create-site", help="register a website and print the widget snippet")
    site.add_argument("--name", required=True)
    site.add_argument(
        "--origin", action="append", required=True, help="e.g. https://shop.example (repeatable)"
    )
    site.add_argument("--server-url", default=None, help="public URL of this backend, for the snippet")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    settings = Settings()
    if args.database_url:
        settings.database_url = args.database_url
    url = settings.resolved_database_url()
    if args.command == "migrate":
        newer = migrate.upgrade(url)
        if newer is not None:
            print(f"the database is at revision {newer}, newer than this release knows: left as it is")
        else:
            print("database is up to date")
        return 0
    if args.command == "serve":
        settings.host, settings.port, settings.demo = args.host, args.port, args.demo
        settings.ssl_certfile = args.ssl_certfile or settings.ssl_certfile
        settings.ssl_keyfile = args.ssl_keyfile or settings.ssl_keyfile
        if args.exit_with_stdin:
            from chat_backend.demo_seed import exit_when_stdin_closes

            exit_when_stdin_closes()
        return _serve(settings, args.log_level, samples=args.demo_samples)
    migrate.upgrade(url)
    if args.command == "create-agent":
        password = sys.stdin.readline().rstrip("\n")
        try:
            asyncio.run(_create_agent(url, args.email, args.name, password, args.role))
        except ValueError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        return 0
    if args.command == "routing":
        try:
            print(asyncio.run(_routing(url, args)))
        except ValueError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        return 0
    if args.command == "greeting-rules":
        try:
            print(asyncio.run(_greeting_rules(url, args)))
        except ValueError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        return 0
    if args.command == "traffic":
        try:
            print(asyncio.run(_traffic(url, args.retention_days, args.purge)))
        except ValueError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        return 0
    if args.command == "create-site":
        server_url = args.server_url or settings.public_url or f"http://{settings.host}:{settings.port}"
        try:
            print(asyncio.run(_create_site(url, args.name, args.origin, server_url)))
        except ValueError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        return 0
    return 2


async def _create_agent(url: str, email: str, name: str, password: str, role: str) -> None:
    db = Database(url)
    try:
        async with db.write() as session:
            if await auth.find_agent(session, email):
                raise ValueError(f"an agent with e-mail {email} already exists")
            agent = await auth.create_agent(session, email, name, password, role)
            print(f"created {role} {agent.email} ({agent.id})")
    finally:
        await db.dispose()


async def _routing(url: str, args: argparse.Namespace) -> str:
    from chat_backend.domain import routing

    db = Database(url)
    try:
        async with db.write() as session:
            current = (await routing.routing_settings(session)).model_dump()
            if args.auto_assign:
                current["auto_assign"] = args.auto_assign == "on"
            if args.max_chats is not None:
                current["default_max_chats"] = args.max_chats
            if args.reassign_after is not None:
                current["reassign_after"] = args.reassign_after or None
            if args.inactivity_close_after is not None:
                current["inactivity_close_after"] = args.inactivity_close_after or None
            value = RoutingSettings.model_validate(current)
            await routing.save_routing_settings(session, value)
            return value.model_dump_json(indent=2)
    finally:
        await db.dispose()


def _greeting_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    rules = sub.add_parser("greeting-rules", help="list or add automatic greeting rules")
    rules_sub = rules.add_subparsers(dest="rules_command", required=True)
    rules_sub.add_parser("list", help="name, shown, accepted and acceptance rate of every rule")
    add = rules_sub.add_parser("add", help="add a rule; every given condition must hold")
    add.add_argument("--name", required=True)
    add.add_argument("--text", required=True, help="the greeting the visitor sees")
    add.add_argument("--sender-name", default="", help="shown as the greeting's author")
    add.add_argument("--site", default=None, help="site id (default: every site)")
    add.add_argument("--min-time-on-site", type=int, help="seconds")
    add.add_argument("--min-time-on-page", type=int, help="seconds")
    add.add_argument("--url-pattern", help="shell-style pattern on the page URL, e.g. '*/cart*'")
    add.add_argument("--min-pages-viewed", type=int)
    add.add_argument("--referrer-contains")
    add.add_argument("--device", choices=("desktop", "tablet", "mobile"))
    add.add_argument("--returning", choices=("yes", "no"))
    add.add_argument("--min-cart-value", type=float)
    add.add_argument("--business-hours-only", action="store_true")
    add.add_argument("--disabled", action="store_true", help="create it switched off")


async def _greeting_rules(url: str, args: argparse.Namespace) -> str:
    from pydantic import ValidationError

    from chat_backend.domain import greetings
    from chat_backend.domain.errors import DomainError
    from chat_protocol.traffic import GreetingConditions, GreetingRuleInput

    db = Database(url)
    try:
        async with db.write() as session:
            if args.rules_command == "list":
                found = [greetings.to_model(rule) for rule in await greetings.rules(session)]
                lines = [f"{'name':30} {'shown':>7} {'accepted':>9} {'rate':>7}  enabled"]
                for rule in found:
                    rate = f"{rule.acceptance_rate:.1%}"
                    state = "yes" if rule.enabled else "no"
                    lines.append(f"{rule.name[:30]:30} {rule.shown:>7} {rule.accepted:>9} {rate:>7}  {state}")
                return "\n".join(lines) if found else "no greeting rules"
            conditions = {
                "min_time_on_site": args.min_time_on_site,
                "min_time_on_page": args.min_time_on_page,
                "url_pattern": args.url_pattern,
                "min_pages_viewed": args.min_pages_viewed,
                "referrer_contains": args.referrer_contains,
                "device_class": args.device,
                "returning": None if args.returning is None else args.returning == "yes",
                "min_cart_value": args.min_cart_value,
                "business_hours_only": args.business_hours_only,
            }
            try:
                body = GreetingRuleInput(
                    name=args.name,
                    text=args.text,
                    sender_name=args.sender_name,
                    site_id=args.site,
                    enabled=not args.disabled,
                    conditions=GreetingConditions.model_validate(
                        {k: v for k, v in conditions.items() if v is not None}
                    ),
                )
                rule = await greetings.create_rule(session, body)
            except ValidationError as exc:
                raise ValueError(exc.errors()[0]["msg"]) from exc
            except DomainError as exc:
                raise ValueError(exc.message) from exc
            return f"greeting rule {rule.rule_id} created: {rule.name}"
    finally:
        await db.dispose()


async def _traffic(url: str, retention_days: int | None, purge: bool) -> str:
    from datetime import UTC, datetime

    from pydantic import ValidationError

    from chat_backend.domain import traffic
    from chat_protocol.traffic import TrafficSettings

    db = Database(url)
    try:
        async with db.write() as session:
            value = await traffic.traffic_settings(session)
            if retention_days is not None:
                try:
                    value = TrafficSettings(page_view_retention_days=retention_days)
                except ValidationError as exc:
                    raise ValueError("--retention-days must be between 1 and 3650") from exc
                await traffic.save_traffic_settings(session, value)
            out = value.model_dump_json(indent=2)
            if purge:
                purged = await traffic.purge_page_views(session, datetime.now(UTC))
                out += f"\npurged {purged} page views older than {value.page_view_retention_days} days"
            return out
    finally:
        await db.dispose()


async def _create_site(url: str, name: str, origins: list[str], server_url: str) -> str:
    db = Database(url)
    try:
        async with db.write() as session:
            site = await sites.create_site(session, name, origins)
            return f"site {site.id} created; embed the widget with:\n{sites.embed_snippet(server_url, site)}"
    finally:
        await db.dispose()


async def ensure_demo(settings: Settings, *, samples: bool = False) -> None:
    """The demo shop's site (origin = this server) and, given CHAT_DEMO_AGENT_PASSWORD, its agent;
    with `samples`, canned replies, a greeting rule, the agent accepting chats (`demo_seed`)."""
    from chat_backend.app import DEMO_SITE_ID
    from chat_backend.demo_seed import seed_demo

    db = Database(settings.resolved_database_url())
    origins = [f"http://{settings.host}:{settings.port}"]
    if settings.host == "127.0.0.1":
        origins.append(f"http://localhost:{settings.port}")
    try:
        async with db.write() as session:
            site = (await session.scalars(select(Site).where(Site.id == DEMO_SITE_ID))).first()
            if site is None:
                await sites.create_site(session, "Demo shop", origins, site_id=DEMO_SITE_ID)
            else:
                site.origins = sorted({sites.normalize_origin(o) for o in origins})
            password = os.environ.get("CHAT_DEMO_AGENT_PASSWORD")
            agent = None
            if password:
                email = os.environ.get("CHAT_DEMO_AGENT_EMAIL", "demo@example.com")
                agent = await auth.find_agent(session, email)
                if agent is None:
                    agent = await auth.create_agent(session, email, "佐藤 花子", password, "agent")
                else:
                    await auth.set_password(session, agent, password)
            if samples:
                await seed_demo(session, DEMO_SITE_ID, agent)
    finally:
        await db.dispose()


def _tls_refusal(settings: Settings) -> str | None:
    """Why the TLS files cannot be served (both are needed and must be readable), or None."""
    files = {"--ssl-certfile": settings.ssl_certfile, "--ssl-keyfile": settings.ssl_keyfile}
    given = [name for name, path in files.items() if path]
    if not given:
        return None
    if len(given) == 1:
        return "TLS needs both --ssl-certfile and --ssl-keyfile (or CHAT_SSL_CERTFILE and CHAT_SSL_KEYFILE)"
    for name, path in files.items():
        if not os.access(path, os.R_OK):
            return f"{name} {path}: not a readable file"
    return None


def _store_refusal(settings: Settings) -> str | None:
    """Why the attachments' store cannot be used (an S3 bucket missing or unreachable, a folder not
    writable), or None: checked at start-up, so a misconfigured store fails `serve` at once."""
    from chat_backend.files.store import StoreError, check_store
    from chat_backend.files.stores import open_store

    try:
        asyncio.run(check_store(open_store(settings)))
    except StoreError as exc:
        return str(exc)
    return None


# Allocations between two collections of the youngest generation (Python's default is 700), and how
# many collections of one generation make one of the next (default 10 and 10).
GC_THRESHOLDS = (20_000, 20, 20)


def _tune_garbage_collection() -> None:
    """A node allocates without pause while it serves (frames, sessions, rows), and with Python's
    default thresholds the cyclic collector ran about 2,000 times during 4,000 logins and took a
    quarter of the node's CPU (5-6 s of 20-22 s, `benchmarks.logins`). What exists once the app is
    built lives as long as the process: frozen, it is never scanned again; and the collector runs
    about 30 times less often. Reference counting still frees everything without a cycle at once."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


def _serve(settings: Settings, log_level: str, *, samples: bool = False) -> int:
    import uvicorn

    from chat_backend.app import create_app
    from chat_backend.cluster.single_node import AnotherNode, hold_single_node_lock
    from chat_backend.http_server import DrainingServer, HttpLimits, guarded_protocol

    logging.basicConfig(level=log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    refusal = cluster_refusal(settings) or _tls_refusal(settings)
    if refusal is not None:
        print(f"chat-backend: {refusal}", file=sys.stderr)
        return 2
    store_problem = _store_refusal(settings)
    if store_problem is not None:
        print(f"chat-backend: {store_problem}", file=sys.stderr)
        return 2
    url = settings.resolved_database_url()
    try:
        hold_single_node_lock(url)  # SQLite: one node per database file
    except AnotherNode as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    logging.getLogger(__name__).info("node %s starting", settings.node_id)
    if passwords.cheap_for_tests():
        logging.getLogger(__name__).warning(
            "%s=1: new password hashes use argon2's cheapest parameters; for test suites only, never in"
            " production",
            passwords.CHEAP_FOR_TESTS,
        )
    newer = migrate.upgrade(url)
    if newer is not None:  # a newer release's nodes migrated it: this one runs beside them until upgraded
        logging.getLogger(__name__).warning(
            "the database schema (revision %s) is newer than this release; running as a previous-release node"
            " during a rolling upgrade: upgrade this node next",
            newer,
        )
    if settings.demo:
        asyncio.run(ensure_demo(settings, samples=samples))
    limits = HttpLimits(
        header_timeout=settings.http_header_timeout,
        body_timeout=settings.http_body_timeout,
        max_header_bytes=settings.http_max_header_bytes,
        max_body_bytes=settings.http_max_body_bytes,
        max_upload_bytes=settings.http_max_upload_bytes,
        upload_timeout=settings.http_upload_timeout,
    )
    app = create_app(settings)
    _tune_garbage_collection()
    config = uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        log_level=log_level,
        http=guarded_protocol(limits),  # deadlines and caps on requests (chat_backend/http_server.py)
        timeout_keep_alive=settings.http_keep_alive_timeout,
        limit_concurrency=settings.http_max_connections,
        ws_max_size=1024 * 1024,  # larger frames are refused by uvicorn; up to here we answer frame_too_large
        ws_ping_interval=None,  # the protocol has its own application ping
        proxy_headers=False,  # chat_backend.net.TrustedProxyHeaders, with CHAT_TRUSTED_PROXIES
        # After the drain (CHAT_DRAIN_TIMEOUT), requests and sockets still running get this long.
        timeout_graceful_shutdown=SHUTDOWN_GRACE,
        server_header=False,
        ws_per_message_deflate=settings.ws_compression,
        ssl_certfile=settings.ssl_certfile or None,
        ssl_keyfile=settings.ssl_keyfile or None,
    )
    # SIGTERM drains first (chat_backend/cluster/drain.py); a second signal stops at once.
    DrainingServer(config, app.state.ops.drain).run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
