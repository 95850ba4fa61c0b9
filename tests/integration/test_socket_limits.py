"""Socket-level denial of service: frames cost their user's budget, sockets are capped per IP and per
site, chats and offline messages are limited per IP and per site, hostile integers and nesting are
refused, and a socket that stops reading is closed and dropped without holding memory.

Two backends with small limits, shared by the tests of this module; each test speaks from its own
127.77.x.y addresses, so the per-IP limits of one test never touch another's.
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
import os
import re
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import websockets

from tests.support.backend import BackendProcess
from tests.support.databases import sqlite_database
from tests.support.waiting import until
from tests.support.wire import WireClient, connect_agent, http_get, loopback_addresses, new_id

pytestmark = [
    pytest.mark.asyncio,
    pytest.mark.skipif(not loopback_addresses(), reason="needs all of 127.0.0.0/8 (Linux)"),
]

FRAME_BURST = 60  # tokens per user; refilled at 0.01 a second: no refill during a test
LIMITS = {
    "CHAT_FRAME_BURST": str(FRAME_BURST),
    "CHAT_FRAME_RATE": "0.01",
    "CHAT_MAX_SOCKETS_PER_IP": "6",
    "CHAT_MAX_VISITOR_SOCKETS_PER_SITE": "8",
    "CHAT_NEW_CHATS_PER_IP_BURST": "3",
    "CHAT_NEW_CHATS_PER_IP_PER_MINUTE": "0.01",
    "CHAT_NEW_CHATS_PER_SITE_BURST": "4",
    "CHAT_NEW_CHATS_PER_SITE_PER_MINUTE": "0.01",
    "CHAT_OFFLINE_MESSAGES_PER_IP_BURST": "2",
    "CHAT_OFFLINE_MESSAGES_PER_IP_PER_MINUTE": "0.01",
    "CHAT_OFFLINE_MESSAGES_PER_SITE_BURST": "3",
    "CHAT_OFFLINE_MESSAGES_PER_SITE_PER_MINUTE": "0.01",
    "CHAT_COALESCE_WRITES_EVERY": "0.3",
}
QUEUE_BYTES = 1024 * 1024
STUCK = {
    "CHAT_SEND_QUEUE_BYTES": str(QUEUE_BYTES),
    "CHAT_SOCKET_CLOSE_TIMEOUT": "1",
    "CHAT_VISITOR_IDLE_TIMEOUT": "3",
}
_addresses = (f"127.77.{n // 250}.{n % 250 + 1}" for n in itertools.count())


def _backend(tmp: Path, env: dict[str, str]) -> Iterator[BackendProcess]:
    proc = BackendProcess(database_url=sqlite_database(tmp), workdir=tmp)
    with pytest.MonkeyPatch.context() as patch:
        for name, value in env.items():
            patch.setenv(name, value)
        proc.start()
    try:
        yield proc
    finally:
        proc.stop()


@pytest.fixture(scope="module")
def limits_backend(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BackendProcess]:
    yield from _backend(tmp_path_factory.mktemp("limits"), LIMITS)


@pytest.fixture(scope="module")
def stuck_backend(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BackendProcess]:
    yield from _backend(tmp_path_factory.mktemp("stuck"), STUCK)


def _new_site(backend: BackendProcess, name: str) -> str:
    out = backend.cli("create-site", "--name", name, "--origin", backend.url)
    found = re.search(r"site (\S+) created", out)
    assert found, out
    return found[1]


async def _visitor(
    backend: BackendProcess, ip: str, site_id: str | None = None, token: str | None = None
) -> tuple[WireClient, dict[str, Any]]:
    """A logged-in visitor socket from `ip`."""
    ws = await websockets.connect(f"{backend.ws_url}/ws/visitor", origin=backend.url, local_addr=(ip, 0))  # type: ignore[arg-type]
    client = WireClient(ws)
    login = await client.ok("login", {"site_id": site_id or backend.site_id, "visitor_token": token})
    return client, login


async def _close_all(clients: list[WireClient]) -> None:
    await asyncio.gather(*(client.close() for client in clients))


def _errors(client: WireClient, code: str) -> list[dict[str, Any]]:
    return [f for f in client.unsolicited if f["type"] == "err" and f["payload"]["code"] == code]


# --- frames cost their user's budget ---------------------------------------------------------------


async def test_pipelined_floods_of_each_action_are_answered_rate_limited(
    limits_backend: BackendProcess,
) -> None:
    """900 pipelined frames used to get no `rate_limited` (and `activity`, `mark_read` each took the
    database's write lock)."""
    payloads = {
        "activity": {"active": False},
        "mark_read": {"seq": 1},
        "transcript": {"after_seq": 0, "limit": 500},
        "sneak_peek": {"text": "typing..."},
        "ping": {},
        "dismiss_invitation": {"invitation_id": "no-such-invitation"},
    }
    for action, payload in payloads.items():
        visitor, _login = await _visitor(limits_backend, next(_addresses))
        for _ in range(FRAME_BURST + 40):
            await visitor.send(action, payload)
        last = await visitor.request("ping")  # frames are answered in order: the flood is answered
        assert last["payload"]["code"] == "rate_limited"
        limited = [f for f in _errors(visitor, "rate_limited") if f["action"] == action]
        assert len(limited) >= 40, (action, len(limited))
        assert all(f["payload"]["retry_after"] > 0 and f["req_id"] for f in limited)
        await visitor.close()


async def test_every_action_of_both_sockets_costs_its_user(limits_backend: BackendProcess) -> None:
    """Once a user's budget is spent, every request of theirs is refused before it is even validated,
    on either socket."""
    from chat_backend.realtime.action_costs import ACTION_COSTS

    limits_backend.create_agent("flood@example.com", "Flood", "flood-password")
    agent = await connect_agent(limits_backend, "flood@example.com", "flood-password")
    visitor, _login = await _visitor(limits_backend, next(_addresses))
    for client, socket_name in ((agent, "agent"), (visitor, "visitor")):
        while (await client.request("ping"))["type"] == "res":
            pass
        for action in ACTION_COSTS[socket_name]:  # type: ignore[index]
            answer = await client.request(action, {})
            assert (answer["type"], answer["payload"]["code"]) == ("err", "rate_limited"), (
                socket_name,
                action,
            )
            assert answer["payload"]["retry_after"] > 0
    await _close_all([agent, visitor])


async def test_huge_integers_are_invalid_payloads_and_deep_json_a_bad_frame(
    limits_backend: BackendProcess,
) -> None:
    """`after_seq=10**30` and friends used to fail in the database (`internal`, a traceback); JSON nested
    5,000 deep raised RecursionError out of the frame parser and dropped the socket."""
    visitor, _login = await _visitor(limits_backend, next(_addresses))
    huge = 10**30
    for action, payload in (
        ("transcript", {"after_seq": huge}),
        ("resume", {"cursor": huge}),
        ("mark_read", {"seq": huge}),
        ("answer_page_push", {"client_id": new_id(), "seq": huge, "accept": True}),
        ("call_signal", {"call_id": "c", "kind": "ice", "sdp_mline_index": huge}),
    ):
        answer = await visitor.request(action, payload)
        assert answer["payload"]["code"] == "invalid_payload", (action, answer)
    await visitor.ws.send("[" * 5000 + "]" * 5000)
    await visitor.ws.send(json.dumps({"v": 1, "type": "req", "action": "ping", "payload": {"a": [[[]]] * 3}}))
    deep = {"v": 1, "type": "req", "action": "cart", "req_id": "deep", "payload": {}}
    await visitor.ws.send(json.dumps(deep)[:-2] + '"items":' + "[" * 5000 + "]" * 5000 + "}}")
    assert (await visitor.request("ping"))["action"] == "pong"  # the socket lives on
    assert [f["action"] for f in _errors(visitor, "bad_frame")] == ["frame", "frame"]
    await visitor.close()


# --- sockets per IP and per site -------------------------------------------------------------------


async def test_sockets_from_one_address_are_capped(limits_backend: BackendProcess) -> None:
    ip = next(_addresses)
    clients = [(await _visitor(limits_backend, ip))[0] for _ in range(6)]
    refused = await websockets.connect(f"{limits_backend.ws_url}/ws/visitor", local_addr=(ip, 0))
    with pytest.raises(websockets.ConnectionClosed) as closed:
        await refused.recv()
    assert closed.value.rcvd is not None
    assert (closed.value.rcvd.code, closed.value.rcvd.reason) == (1013, "too many sockets from this address")
    other, _login = await _visitor(limits_backend, next(_addresses))  # another address is served
    await clients.pop().close()
    back: list[WireClient] = []

    async def one_more() -> bool:
        try:
            back.append((await _visitor(limits_backend, ip))[0])
        except (websockets.ConnectionClosed, TimeoutError):
            return False
        return True

    for _attempt in range(50):  # the server counts the closed socket out when its handler ends
        if await one_more():
            break
        await asyncio.sleep(0.1)
    assert back
    await _close_all([*clients, *back, other])


async def test_visitor_sockets_per_site_are_capped(limits_backend: BackendProcess) -> None:
    site = _new_site(limits_backend, "Capped shop")
    clients = [(await _visitor(limits_backend, next(_addresses), site))[0] for _ in range(8)]
    ws = await websockets.connect(
        f"{limits_backend.ws_url}/ws/visitor",
        origin=limits_backend.url,  # type: ignore[arg-type]
        local_addr=(next(_addresses), 0),
    )
    late = WireClient(ws)
    answer = await late.request("login", {"site_id": site})
    assert answer["payload"]["code"] == "rate_limited"
    assert answer["payload"]["retry_after"] > 0
    await until(lambda: ws.close_code is not None, 10, "the refused socket closed")
    assert ws.close_code == 1013
    demo, _login = await _visitor(limits_backend, next(_addresses))  # other sites are served
    await _close_all([*clients, late, demo])


# --- what visitors create ------------------------------------------------------------------------


async def test_new_chats_and_offline_messages_are_limited_per_ip_and_per_site(
    limits_backend: BackendProcess,
) -> None:
    """40 fresh visitors from one IP used to open 40 queued chats in seconds; the offline form likewise."""
    shop, busy = _new_site(limits_backend, "Per-IP shop"), _new_site(limits_backend, "Busy shop")
    ip = next(_addresses)
    opened: list[WireClient] = []
    for _ in range(3):
        visitor, _login = await _visitor(limits_backend, ip, shop)
        await visitor.ok("send_message", {"client_id": new_id(), "text": "hello"})
        opened.append(visitor)
    late, _login = await _visitor(limits_backend, ip, shop)
    first = {"client_id": new_id(), "text": "hello"}
    refused = await late.request("send_message", first)
    assert refused["payload"]["code"] == "rate_limited"
    assert refused["payload"]["retry_after"] > 0
    again = await opened[0].ok("send_message", {"client_id": new_id(), "text": "a chat already open"})
    assert again["event"]["seq"] > 1
    form = {"name": "Ken", "email": "ken@example.com", "text": "call me"}
    assert "message_id" in await late.ok("offline_message", {**form, "client_id": new_id()})
    assert "message_id" in await opened[0].ok("offline_message", {**form, "client_id": new_id()})
    third = await opened[1].request("offline_message", {**form, "client_id": new_id()})
    assert third["payload"]["code"] == "rate_limited"
    await _close_all([*opened, late])

    # Per site: visitors from as many addresses as there are.
    answers = []
    for _ in range(5):
        visitor, _login = await _visitor(limits_backend, next(_addresses), busy)
        answers.append((await visitor.request("send_message", {"client_id": new_id(), "text": "hi"}))["type"])
        await visitor.close()
    assert answers == ["res", "res", "res", "res", "err"]
    answers = []
    for _ in range(4):
        visitor, _login = await _visitor(limits_backend, next(_addresses), busy)
        answers.append((await visitor.request("offline_message", {**form, "client_id": new_id()}))["type"])
        await visitor.close()
    assert answers == ["res", "res", "res", "err"]


async def test_floods_of_presence_and_read_marks_end_in_the_final_state(
    limits_backend: BackendProcess,
) -> None:
    """`activity` and `mark_read` are written coalesced: the last value lands, and the agent hears it."""
    token = limits_backend.login_tokens()["access_token"]
    agent = await connect_agent(limits_backend)
    await agent.ok("set_status", {"status": "accepting"})
    site = _new_site(limits_backend, "Coalesced shop")
    visitor, _login = await _visitor(limits_backend, next(_addresses), site)
    chat_id = (await visitor.ok("send_message", {"client_id": new_id(), "text": "hi"}))["event"]["chat_id"]
    await agent.ok("take_chat", {"chat_id": chat_id, "client_id": new_id()})
    seqs = [
        (await agent.ok("send_message", {"chat_id": chat_id, "client_id": new_id(), "text": f"r{i}"}))[
            "event"
        ]["seq"]
        for i in range(3)
    ]
    for i in range(20):
        await visitor.send("activity", {"active": i % 2 == 1})
        await visitor.send("mark_read", {"seq": i})
    await visitor.send("activity", {"active": False})
    await visitor.send("mark_read", {"seq": seqs[-1]})
    for seq in range(1, seqs[-1] + 1):
        await agent.send("mark_read", {"chat_id": chat_id, "seq": seq})
    assert (await visitor.request("ping"))["action"] == "pong"  # every frame of the flood is handled

    summary: dict[str, Any] = {}

    async def settled() -> bool:
        snapshot = await http_get(limits_backend, "/api/v1/snapshot", token)
        summary.update(next(c for c in snapshot["my_chats"] if c["chat_id"] == chat_id))
        return bool(
            summary["visitor_presence"] == "inactive"
            and summary["visitor_read_seq"] == summary["agent_read_seq"] == seqs[-1]
        )

    for _attempt in range(50):
        if await settled():
            break
        await asyncio.sleep(0.1)
    assert (summary["visitor_presence"], summary["visitor_read_seq"], summary["agent_read_seq"]) == (
        "inactive",
        seqs[-1],
        seqs[-1],
    )
    presence = [p["payload"]["presence"] for p in _drain(agent, "visitor_presence")]
    assert presence[-1] == "inactive"
    assert [p["payload"]["seq"] for p in _drain(agent, "read")][-1] == seqs[-1]
    await _close_all([agent, visitor])


def _drain(client: WireClient, action: str) -> list[dict[str, Any]]:
    """The pushes of `action` received so far (others are put back)."""
    frames, kept = [], []
    while not client.pushes.empty():
        frame = client.pushes.get_nowait()
        (frames if frame["action"] == action else kept).append(frame)
    for frame in kept:
        client.pushes.put_nowait(frame)
    return frames


# --- a socket that stops reading -----------------------------------------------------------------


def _frame(text: str) -> bytes:
    """A masked client text frame."""
    data, mask = text.encode(), os.urandom(4)
    size = len(data)
    head = bytes([129, 128 | size]) if size < 126 else bytes([129, 128 | 126]) + size.to_bytes(2, "big")
    return head + mask + bytes(byte ^ mask[i % 4] for i, byte in enumerate(data))


def _stuck_visitor(port: int, ip: str, token: str, requests: int) -> socket.socket:
    """A visitor socket with a tiny receive buffer that logs in, asks for `requests` transcripts,
    and then reads nothing."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 2048)  # before connecting: a tiny window
    sock.bind((ip, 0))
    sock.connect(("127.0.0.1", port))
    key = base64.b64encode(os.urandom(16)).decode()
    sock.sendall(
        (
            f"GET /ws/visitor HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
            f"Origin: http://127.0.0.1:{port}\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
            "Sec-WebSocket-Version: 13\r\n\r\n"
        ).encode()
    )
    answer = b""
    while b"\r\n\r\n" not in answer:
        answer += sock.recv(1)
    assert answer.startswith(b"HTTP/1.1 101"), answer
    frames = [("login", {"site_id": "demo-shop", "visitor_token": token})]
    frames += [("transcript", {"after_seq": 0, "limit": 500})] * requests
    for n, (action, payload) in enumerate(frames):
        sock.sendall(
            _frame(
                json.dumps({"v": 1, "type": "req", "action": action, "req_id": f"r{n}", "payload": payload})
            )
        )
    return sock


def _read_until_reset(sock: socket.socket) -> tuple[int, str]:
    """Read what the kernel still holds; the byte count and how the connection ended."""
    sock.settimeout(10)
    received = 0
    try:
        while chunk := sock.recv(65536):
            received += len(chunk)
    except ConnectionResetError:
        return received, "reset"
    except TimeoutError:
        return received, "still open"
    return received, "closed"


async def _log_line(backend: BackendProcess, pattern: str) -> re.Match[str]:
    found: list[re.Match[str]] = []

    def seen() -> bool:
        found[:] = list(re.finditer(pattern, backend.log_path.read_text(errors="replace")))
        return bool(found)

    await until(seen, 20, f"a log line {pattern!r}")
    return found[-1]


async def test_transcript_pages_and_replays_stay_within_the_send_queue(stuck_backend: BackendProcess) -> None:
    """A page of 500 long messages used to be one frame of megabytes; now a page stops at a quarter of
    the queue (`has_more`) and a reader pages through all of it, and a replay that big is refused."""
    visitor, login = await _visitor(stuck_backend, next(_addresses))
    for n in range(15):
        await visitor.ok("send_message", {"client_id": new_id(), "text": f"{n:02d}" + "x" * 19_990})
    pages, after, seqs = [], 0, []
    while True:
        page = await visitor.ok("transcript", {"after_seq": after, "limit": 500})
        pages.append(page)
        seqs += [event["seq"] for event in page["events"]]
        if not page["has_more"]:
            break
        after = page["events"][-1]["seq"]
    assert len(pages) > 1
    assert all(len(json.dumps(page)) < QUEUE_BYTES // 4 + 30_000 for page in pages)
    texts = [e["text"][:2] for page in pages for e in page["events"] if e.get("kind") == "message"]
    assert texts == [f"{n:02d}" for n in range(15)]
    assert seqs == sorted(set(seqs))
    replay = await visitor.request("resume", {"cursor": login["cursor"]})
    assert replay["payload"]["code"] == "resync_required"
    await visitor.close()


@pytest.mark.parametrize("requests", [40, 2], ids=["asking-for-more", "idle"])
async def test_a_socket_that_stops_reading_is_closed_and_dropped(
    stuck_backend: BackendProcess, requests: int
) -> None:
    """A visitor asking for big transcripts and never reading made the server hold ~96 MB, and its
    connection was not freed after the idle limit (the close waited on the blocked write). Now its
    queue stops at the byte bound (4008), or the idle limit closes it, and the connection is reset
    when the close frame cannot go out."""
    writer, login = await _visitor(stuck_backend, next(_addresses))
    for _ in range(15):  # a chat of 15 long messages: pages of 256 KiB (a quarter of the queue)
        await writer.ok("send_message", {"client_id": new_id(), "text": "x" * 20_000})
    await writer.close()
    ip = next(_addresses)
    sock = await asyncio.to_thread(_stuck_visitor, stuck_backend.port, ip, login["visitor_token"], requests)
    port = sock.getsockname()[1]
    try:
        if requests > 2:
            full = await _log_line(
                stuck_backend,
                rf"send queue full on visitor socket {re.escape(ip)}:{port} \((\d+) bytes queued, limit (\d+), next frame (\d+) bytes\); closing with 4008",
            )
            queued, limit, _next = map(int, full.groups())
            assert limit == QUEUE_BYTES
            assert queued <= limit
        await _log_line(
            stuck_backend, rf"dropped visitor socket {re.escape(ip)}:{port}: the peer did not take its close"
        )
        received, ending = await asyncio.to_thread(_read_until_reset, sock)
        assert ending == "reset"
        assert received < QUEUE_BYTES  # what the kernel buffers held, not what was queued
    finally:
        sock.close()
