"""The fault proxy the app's tests use is transparent: what arrives came from the real backend."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import httpx
import pytest
import websockets

from tests.support.backend import BackendProcess
from tests.support.fault_proxy import FaultProxy
from tests.support.wire import WireClient


@pytest.fixture
def proxy(backend: BackendProcess) -> Iterator[FaultProxy]:
    fault_proxy = FaultProxy(backend.url)
    fault_proxy.start()
    yield fault_proxy
    fault_proxy.stop()


async def agent_through(proxy: FaultProxy, token: str) -> WireClient:
    client = WireClient(await websockets.connect(f"{proxy.ws_url}/ws/agent"))
    await client.ok("login", {"token": token})
    return client


@pytest.mark.asyncio
async def test_rest_and_socket_frames_pass_through_and_requests_are_recorded(
    backend: BackendProcess, proxy: FaultProxy
) -> None:
    async with httpx.AsyncClient(base_url=proxy.url) as http:
        info = (await http.get("/api/v1/info")).json()
        body = {"email": backend.agent_email, "password": backend.agent_password}
        tokens = (await http.post("/api/v1/auth/login", json=body)).json()
    assert info["protocol"] == 1
    agent = await agent_through(proxy, tokens["access_token"])
    assert await agent.ok("ping") == {}
    assert [f["action"] for f in proxy.frames()] == ["login", "ping"]
    await agent.close()


@pytest.mark.asyncio
async def test_the_backends_close_code_reaches_the_client(backend: BackendProcess, proxy: FaultProxy) -> None:
    token = (await asyncio.to_thread(backend.login_tokens))["access_token"]
    agent = await agent_through(proxy, token)
    async with httpx.AsyncClient(base_url=backend.url) as http:
        await http.post("/api/v1/auth/logout", headers={"Authorization": f"Bearer {token}"})
    await asyncio.wait_for(agent.ws.wait_closed(), 10)
    assert agent.ws.close_code == 4001
    await agent.close()


@pytest.mark.asyncio
async def test_switches_drop_silence_and_close(backend: BackendProcess, proxy: FaultProxy) -> None:
    token = (await asyncio.to_thread(backend.login_tokens))["access_token"]
    agent = await agent_through(proxy, token)
    proxy.drop_next("ping")
    with pytest.raises(TimeoutError):
        await agent.request("ping", within=0.5)
    proxy.drop_next("set_status", answer=True)
    with pytest.raises(TimeoutError):
        await agent.request("set_status", {"status": "accepting"}, within=1)
    me = await asyncio.to_thread(
        httpx.get, f"{backend.url}/api/v1/me", headers={"Authorization": f"Bearer {token}"}
    )
    assert me.json()["status"] == "accepting"  # the server did it; only its answer was lost
    proxy.pause()
    with pytest.raises(TimeoutError):
        await agent.request("ping", within=0.5)
    proxy.resume()
    assert await agent.ok("ping") == {}
    await proxy.close_all(4008, "send queue overflow")
    await asyncio.wait_for(agent.ws.wait_closed(), 10)
    assert agent.ws.close_code == 4008
    await agent.close()


@pytest.mark.asyncio
async def test_a_dead_backend_breaks_the_link_and_refuses_new_sockets(
    backend: BackendProcess, proxy: FaultProxy
) -> None:
    token = (await asyncio.to_thread(backend.login_tokens))["access_token"]
    agent = await agent_through(proxy, token)
    await asyncio.to_thread(backend.kill)
    await asyncio.wait_for(agent.ws.wait_closed(), 10)
    assert agent.ws.close_code == 1006  # no close frame, as from a dead machine
    with pytest.raises(websockets.InvalidStatus) as refused:
        await websockets.connect(f"{proxy.ws_url}/ws/agent")
    assert refused.value.response.status_code == 502
    async with httpx.AsyncClient(base_url=proxy.url) as http:
        with pytest.raises(httpx.TransportError):
            await http.get("/api/v1/info")
    await agent.close()
