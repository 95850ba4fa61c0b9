"""Three nodes on one PostgreSQL database and one Redis, behind HAProxy: a visitor on one node and an agent
on another chat exactly as on one node.

Each test places its clients on chosen nodes (connecting to them directly), so that what it checks has
to cross nodes: routing sees an agent online elsewhere, events committed on one node wake the sockets of
another, ephemeral pushes (typing, sneak peek) are carried over, presence ages out with a dead node.
The proxy test goes through HAProxy and checks that the nodes see the client's own address.

The cluster has a Redis of its own (one test kills it), never the machine's shared one.
"""

from __future__ import annotations

import asyncio
import io
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
import websockets
from PIL import Image

from tests.support.backend import BackendProcess, free_port
from tests.support.cluster import REDIS_URL, Cluster, RedisServer
from tests.support.s3 import S3Server
from tests.support.sharing import admin_of
from tests.support.waiting import until
from tests.support.wire import WireClient, connect_agent, connect_visitor, http_get, new_id

POSTGRES_URL = os.environ.get("CHAT_TEST_DATABASE_URL", "")
# Presence of a dead node ages out after this many seconds (and a third more), instead of 30.
PRESENCE_TTL = 3
# Seconds after a visitor's last socket closed before they count as gone, instead of 15.
LEAVE_GRACE = 2


@pytest.fixture(scope="module")
def cluster(
    tmp_path_factory: pytest.TempPathFactory, redis_server: RedisServer, s3_server: S3Server
) -> Iterator[Cluster]:
    if not POSTGRES_URL:
        pytest.skip("several nodes share a PostgreSQL database: set CHAT_TEST_DATABASE_URL")
    nodes = Cluster(
        POSTGRES_URL,
        tmp_path_factory.mktemp("cluster"),
        redis_url=redis_server.url,
        s3=s3_server,
        env={
            # One new chat per client address, counted across the nodes (the proxy test relies on it).
            "CHAT_NEW_CHATS_PER_IP_BURST": "1",
            "CHAT_NEW_CHATS_PER_IP_PER_MINUTE": "0.1",
            "CHAT_PRESENCE_TTL": str(PRESENCE_TTL),
            "CHAT_VISITOR_LEAVE_GRACE": str(LEAVE_GRACE),
        },
    )
    try:
        nodes.start()
        yield nodes
    finally:
        nodes.stop()


async def _agent_on(node: BackendProcess, cluster: Cluster, name: str, accepting: bool = True) -> WireClient:
    account = await asyncio.to_thread(admin_of(cluster.nodes[0]).new_agent, name)
    agent = await connect_agent(node, account.email, account.password)
    agent.account = account  # type: ignore[attr-defined]
    if accepting:
        await agent.ok("set_status", {"status": "accepting"})
    return agent


def _online(cluster: Cluster) -> set[str]:
    """E-mails of the agents that node 1 reports online (its own sockets and the other nodes')."""
    return {member["email"] for member in admin_of(cluster.nodes[0]).call("GET", "/team") if member["online"]}


@pytest.mark.asyncio
async def test_visitor_on_one_node_and_agent_on_another_chat_as_on_one_node(cluster: Cluster) -> None:
    visitor_node, agent_node = cluster.nodes[0], cluster.nodes[1]
    agent = await _agent_on(agent_node, cluster, "Agent on node 2")
    visitor, _login = await connect_visitor(visitor_node, origin=cluster.origin)

    # Routing on the visitor's node sees the agent online on the other node and gives them the chat.
    sent = await visitor.ok("send_message", {"client_id": new_id(), "text": "Hello from node 1"})
    chat_id = sent["event"]["chat_id"]
    message = await agent.next_event(kind="message", chat_id=chat_id)
    assert message["text"] == "Hello from node 1"
    taken = await agent.next_event(kind="chat_state", state="taken", chat_id=chat_id)
    assert taken["agent"]["name"] == "Agent on node 2"
    await visitor.next_event(kind="chat_state", state="taken")

    # Ephemeral pushes cross nodes both ways.
    await visitor.send("sneak_peek", {"text": "I am typ"})
    peek = await agent.next_push("sneak_peek")
    assert peek["payload"] == {"chat_id": chat_id, "text": "I am typ"}
    await agent.send("typing", {"chat_id": chat_id, "typing": True})
    typing = await visitor.next_push("typing")
    assert typing["payload"]["typing"] is True

    await agent.ok("send_message", {"chat_id": chat_id, "client_id": new_id(), "text": "How can I help?"})
    reply = await visitor.next_event(kind="message")
    assert reply["text"] == "How can I help?"
    await visitor.ok("send_message", {"client_id": new_id(), "text": "Where is my parcel?"})
    again = await agent.next_event(kind="message", chat_id=chat_id, text="Where is my parcel?")
    assert again["author"]["kind"] == "visitor"

    await agent.ok("close_chat", {"chat_id": chat_id, "client_id": new_id()})
    await visitor.next_event(kind="chat_state", state="closed")
    await agent.close()
    await visitor.close()


async def _call_state(client: WireClient, state: str) -> dict[str, Any]:
    async with asyncio.timeout(10):
        while True:
            payload: dict[str, Any] = (await client.next_push("call_state"))["payload"]
            if payload["state"] == state:
                return payload


@pytest.mark.asyncio
async def test_a_video_call_is_signalled_between_nodes(cluster: Cluster) -> None:
    """The agent on node 2 calls the visitor on node 1 (who is online there, as node 2 knows): the
    ring, the call's states and the signalling all cross nodes."""
    visitor, agent, chat_id = await _chat_across(cluster, "Agent calling across nodes")
    invited = await agent.ok("call_invite", {"chat_id": chat_id, "client_id": new_id()})
    call_id = invited["call_id"]
    incoming = (await visitor.next_push("call_incoming"))["payload"]
    assert incoming["call_id"] == call_id
    await visitor.ok("call_answer", {"call_id": call_id, "accept": True})
    await _call_state(agent, "connecting")
    await agent.ok("call_signal", {"call_id": call_id, "kind": "offer", "sdp": "v=0\r\n"})
    offer = (await visitor.next_push("call_signal"))["payload"]
    assert (offer["call_id"], offer["kind"]) == (call_id, "offer")
    await visitor.ok("call_signal", {"call_id": call_id, "kind": "answer", "sdp": "v=0\r\na=answer\r\n"})
    assert (await agent.next_push("call_signal"))["payload"]["kind"] == "answer"
    await agent.ok("call_hangup", {"call_id": call_id})
    for side in (agent, visitor):
        assert (await _call_state(side, "ended"))["ended_by"] == "agent"
    await agent.ok("close_chat", {"chat_id": chat_id, "client_id": new_id()})
    await agent.close()
    await visitor.close()


@pytest.mark.asyncio
async def test_a_logout_on_one_node_closes_the_logins_socket_on_another(cluster: Cluster) -> None:
    account = await asyncio.to_thread(admin_of(cluster.nodes[0]).new_agent, "Agent logging out")
    agent = await connect_agent(cluster.nodes[1], account.email, account.password, resume=False)
    token = agent.token  # type: ignore[attr-defined]
    await asyncio.to_thread(admin_of(cluster.nodes[0]).call, "POST", "/auth/logout", None, token)
    await asyncio.wait_for(agent.ws.wait_closed(), 10)
    assert agent.ws.close_code == 4001
    await agent.close()


@pytest.mark.asyncio
async def test_a_queued_chat_is_taken_by_an_agent_on_a_third_node(cluster: Cluster) -> None:
    """The visitor on node 1, two agents on nodes 2 and 3 racing to take the queued chat: exactly one
    wins, and both see who did."""
    admin = admin_of(cluster.nodes[0])
    await asyncio.to_thread(admin.set_routing, auto_assign=False)  # the chat waits in the queue
    try:
        second = await _agent_on(cluster.nodes[1], cluster, "Agent on node 2")
        third = await _agent_on(cluster.nodes[2], cluster, "Agent on node 3")
        visitor, _login = await connect_visitor(cluster.nodes[0], origin=cluster.origin)
        sent = await visitor.ok("send_message", {"client_id": new_id(), "text": "Anyone there?"})
        chat_id = sent["event"]["chat_id"]
        for agent in (second, third):
            await agent.next_event(kind="chat_state", state="queued", chat_id=chat_id)

        answers = await asyncio.gather(
            second.request("take_chat", {"chat_id": chat_id, "client_id": new_id()}),
            third.request("take_chat", {"chat_id": chat_id, "client_id": new_id()}),
        )
        assert sorted(answer["type"] for answer in answers) == ["err", "res"]
        winner, loser = (second, third) if answers[0]["type"] == "res" else (third, second)
        taken = await loser.next_event(kind="chat_state", state="taken", chat_id=chat_id)
        assert taken["agent"]["name"] == winner.account.name  # type: ignore[attr-defined]
        await visitor.next_event(kind="chat_state", state="taken")

        await winner.ok("send_message", {"chat_id": chat_id, "client_id": new_id(), "text": "I am here"})
        reply = await visitor.next_event(kind="message")
        assert reply["text"] == "I am here"
        await winner.ok("close_chat", {"chat_id": chat_id, "client_id": new_id()})
        for client in (second, third, visitor):
            await client.close()
    finally:
        await asyncio.to_thread(admin.set_routing, auto_assign=True)


@pytest.mark.asyncio
async def test_a_visitors_image_sent_to_one_node_is_fetched_from_another_with_identical_bytes(
    cluster: Cluster,
) -> None:
    """The nodes share one bucket: a photo the visitor uploads to node 1 reaches the agent on node 2 as
    a message, and the agent downloads it and its thumbnail there, byte for byte what node 1 serves."""
    node_a, node_b = cluster.nodes[0], cluster.nodes[1]
    admin = admin_of(node_a)
    await asyncio.to_thread(admin.set_routing, auto_assign=False)
    try:
        agent = await _agent_on(node_b, cluster, "Files on node 2")
        visitor, login = await connect_visitor(node_a, origin=cluster.origin)
        sent = await visitor.ok("send_message", {"client_id": new_id(), "text": "写真を送ります"})
        chat_id = sent["event"]["chat_id"]
        await agent.ok("take_chat", {"chat_id": chat_id, "client_id": new_id()})
        photo = io.BytesIO()
        Image.new("RGB", (800, 600), (30, 140, 90)).save(photo, "JPEG")
        as_visitor = {
            "X-Visitor-Token": login["visitor_token"],
            "X-Site-Id": node_a.site_id,
            "Origin": cluster.origin,
        }
        async with httpx.AsyncClient(base_url=node_a.url, timeout=20) as http:
            up = await http.post(
                f"/api/v1/visitor/chats/{chat_id}/attachments",
                content=photo.getvalue(),
                headers={
                    **as_visitor,
                    "X-File-Name": quote("庭の写真.jpg"),
                    "X-Client-Id": new_id(),
                    "Content-Type": "application/octet-stream",
                },
            )
            assert up.status_code == 201, up.text
            info = up.json()["event"]["attachment"]
            on_a = (
                await http.get(f"/api/v1/visitor/attachments/{info['attachment_id']}", headers=as_visitor)
            ).content
            thumb_a = await http.get(
                f"/api/v1/visitor/attachments/{info['attachment_id']}/thumbnail", headers=as_visitor
            )
        message = await agent.next_event(kind="message", chat_id=chat_id, text="")
        assert message["attachment"] == info
        bearer = {"Authorization": f"Bearer {agent.token}"}  # type: ignore[attr-defined]
        async with httpx.AsyncClient(base_url=node_b.url, timeout=20) as http:
            on_b = await http.get(f"/api/v1/attachments/{info['attachment_id']}", headers=bearer)
            thumb_b = await http.get(f"/api/v1/attachments/{info['attachment_id']}/thumbnail", headers=bearer)
        assert on_b.status_code == thumb_b.status_code == thumb_a.status_code == 200
        assert on_b.content == on_a
        assert len(on_b.content) == info["size"]
        assert Image.open(io.BytesIO(on_b.content)).size == (800, 600)
        assert thumb_b.content == thumb_a.content
        assert max(Image.open(io.BytesIO(thumb_b.content)).size) <= 320
        await agent.ok("close_chat", {"chat_id": chat_id, "client_id": new_id()})
        await visitor.close()
        await agent.close()
    finally:
        await asyncio.to_thread(admin.set_routing, auto_assign=True)


async def _visitor_through_proxy(cluster: Cluster, address: str) -> WireClient:
    ws = await websockets.connect(
        f"{cluster.entry.ws_url}/ws/visitor",
        origin=cluster.origin,  # type: ignore[arg-type]
        local_addr=(address, 0),
    )
    client = WireClient(ws)
    login = await client.ok("login", {"site_id": cluster.entry.site_id, "visitor_token": None})
    await client.ok("resume", {"cursor": login["cursor"]})
    return client


@pytest.mark.asyncio
async def test_through_haproxy_the_nodes_see_the_clients_address(cluster: Cluster) -> None:
    """New chats are limited to one per client address here, counted across the nodes: two clients
    behind the one proxy both get theirs (the nodes do not count the proxy's address), and a second
    visitor from the first one's address is refused, whichever node the proxy gives it."""
    first, second = "127.3.0.1", "127.3.0.2"
    clients: list[WireClient] = []
    try:
        for address in (first, second):
            clients.append(await _visitor_through_proxy(cluster, address))
            await clients[-1].ok("send_message", {"client_id": new_id(), "text": f"from {address}"})
        clients.append(await _visitor_through_proxy(cluster, first))
        refused: dict[str, Any] = await clients[-1].request(
            "send_message", {"client_id": new_id(), "text": "again"}
        )
        assert refused["type"] == "err"
        assert refused["payload"]["code"] == "rate_limited"
    finally:
        for client in clients:
            await client.close()
        await asyncio.to_thread(admin_of(cluster.nodes[0]).close_queued_chats)


async def _chat_across(cluster: Cluster, name: str) -> tuple[WireClient, WireClient, str]:
    """A visitor on node 1 whose chat went to a new agent on node 2: (visitor, agent, chat id)."""
    agent = await _agent_on(cluster.nodes[1], cluster, name)
    visitor, _login = await connect_visitor(cluster.nodes[0], origin=cluster.origin)
    sent = await visitor.ok("send_message", {"client_id": new_id(), "text": "hello"})
    chat_id = sent["event"]["chat_id"]
    await agent.next_event(kind="chat_state", state="taken", chat_id=chat_id)
    return visitor, agent, chat_id


async def _typing_arrives(agent: WireClient, visitor: WireClient, chat_id: str) -> bool:
    await agent.send("typing", {"chat_id": chat_id, "typing": True})
    try:
        await visitor.next_push("typing", within=0.5)
    except TimeoutError:
        return False
    return True


@pytest.mark.asyncio
async def test_with_redis_down_messages_still_cross_nodes_and_pushes_come_back_with_it(
    cluster: Cluster, redis_server: RedisServer
) -> None:
    """Redis killed: the nodes read the log on a timer, so messages still go from node to node (not the
    ephemeral pushes); Redis back, empty: they reconnect and carry pushes again; nothing logs an error."""
    visitor, agent, chat_id = await _chat_across(cluster, "Agent while Redis dies")
    assert await _typing_arrives(agent, visitor, chat_id)

    await asyncio.to_thread(redis_server.kill)
    await visitor.ok("send_message", {"client_id": new_id(), "text": "Redis is gone"})
    lost = await agent.next_event(kind="message", chat_id=chat_id, text="Redis is gone", within=5)
    assert lost["author"]["kind"] == "visitor"
    await agent.ok("send_message", {"chat_id": chat_id, "client_id": new_id(), "text": "Still here"})
    await visitor.next_event(kind="message", text="Still here", within=5)

    await asyncio.to_thread(redis_server.start)
    for _ in range(40):  # the listener retries at most every 5 s
        if await _typing_arrives(agent, visitor, chat_id):
            break
    else:
        raise AssertionError("ephemeral pushes did not cross nodes again after Redis came back")
    await visitor.ok("send_message", {"client_id": new_id(), "text": "Redis is back"})
    await agent.next_event(kind="message", chat_id=chat_id, text="Redis is back")
    # Presence was written again: node 1 still counts the agent online on node 2.
    assert agent.account.email in _online(cluster)  # type: ignore[attr-defined]
    await agent.ok("close_chat", {"chat_id": chat_id, "client_id": new_id()})
    await agent.close()
    await visitor.close()


async def _traffic_row(node: BackendProcess, token: str, visitor_id: str) -> dict[str, Any] | None:
    snapshot = await http_get(node, "/api/v1/traffic", token)
    return next((row for row in snapshot["rows"] if row["visitor_id"] == visitor_id), None)


async def _until_row(
    node: BackendProcess, token: str, visitor_id: str, condition: Any, within: float, what: str
) -> dict[str, Any]:
    """The visitor's row in the node's live list once `condition(row)` holds."""
    deadline = asyncio.get_running_loop().time() + within
    while True:
        row = await _traffic_row(node, token, visitor_id)
        if row is not None and condition(row):
            return row
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for {what} (row: {row})")
        await asyncio.sleep(0.1)


@pytest.mark.asyncio
async def test_every_node_lists_the_visitors_of_every_node(cluster: Cluster) -> None:
    """A visitor on node 1 is in the live list of all three nodes, with their page as it changes, their
    chat as it is taken by an agent on node 2, and as gone once they leave."""
    agent = await _agent_on(cluster.nodes[1], cluster, "Agent watching the site")
    token = agent.token  # type: ignore[attr-defined]
    page = {"url": f"{cluster.origin}/matcha", "title": "抹茶"}
    visitor, login = await connect_visitor(cluster.nodes[0], origin=cluster.origin, page=page)
    visitor_id = login["visitor_id"]
    for node in cluster.nodes:
        row = await _until_row(
            node, token, visitor_id, lambda r: r["page_title"] == "抹茶", 10, "the visitor everywhere"
        )
        assert row["state"] == "browsing"

    await visitor.send("page_view", {"url": f"{cluster.origin}/cart", "title": "カート"})
    await _until_row(
        cluster.nodes[2], token, visitor_id, lambda r: r["page_title"] == "カート", 10, "the new page"
    )
    sent = await visitor.ok("send_message", {"client_id": new_id(), "text": "hello"})
    chat_id = sent["event"]["chat_id"]
    await agent.next_event(kind="chat_state", state="taken", chat_id=chat_id)
    for node in cluster.nodes:
        row = await _until_row(
            node, token, visitor_id, lambda r: r["state"] == "chatting", 10, "the chat in the list"
        )
        assert (row["chat_id"], row["page_title"], row["messages_sent"]) == (chat_id, "カート", 1)

    await agent.ok("close_chat", {"chat_id": chat_id, "client_id": new_id()})
    await visitor.close()
    for node in cluster.nodes:
        await _until_row(
            node, token, visitor_id, lambda r: r["state"] == "left", LEAVE_GRACE + 10, "the visitor gone"
        )
    await agent.close()


@pytest.mark.asyncio
async def test_a_dead_nodes_agents_go_offline_and_its_visitors_leave_the_list(cluster: Cluster) -> None:
    """(The last test of the cluster: it kills node 3.) The agent's socket on node 3 makes them online on
    node 1; once node 3 is killed its presence entries expire and node 1 stops counting them. A visitor
    on node 3 is in node 1's live list, and leaves it once presence and the leave grace have passed."""
    doomed = cluster.nodes[2]
    agent = await _agent_on(doomed, cluster, "Agent on a node that dies")
    watcher = await _agent_on(cluster.nodes[0], cluster, "Agent on a node that lives", accepting=False)
    token = watcher.token  # type: ignore[attr-defined]
    visitor, login = await connect_visitor(doomed, origin=cluster.origin)
    visitor_id = login["visitor_id"]
    email = agent.account.email  # type: ignore[attr-defined]
    await until(lambda: email in _online(cluster), within=10, what="online elsewhere")
    await _until_row(cluster.nodes[0], token, visitor_id, lambda r: r["state"] == "browsing", 10, "the row")
    await asyncio.to_thread(doomed.kill)
    await until(
        lambda: email not in _online(cluster),
        within=PRESENCE_TTL * 4 / 3 + 5,
        what="the dead node's agent offline",
    )
    await _until_row(
        cluster.nodes[0],
        token,
        visitor_id,
        lambda r: r["state"] == "left",
        PRESENCE_TTL * 4 / 3 + LEAVE_GRACE + 5,
        "the dead node's visitor gone from the list",
    )
    await agent.close()
    await visitor.close()
    await watcher.close()


def test_a_node_with_redis_on_sqlite_is_refused(tmp_path: Path) -> None:
    database = tmp_path / "chat.db"
    cmd = [sys.executable, "-m", "chat_backend.cli", "--database-url", f"sqlite:///{database}", "serve"]
    env = {**os.environ, "CHAT_REDIS_URL": REDIS_URL, "CHAT_BACKEND_HOME": str(tmp_path)}
    done = subprocess.run(
        [*cmd, "--port", str(free_port())], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2
    assert "CHAT_REDIS_URL is set, but the database is SQLite" in done.stderr
    assert not database.exists()  # refused before anything was created
