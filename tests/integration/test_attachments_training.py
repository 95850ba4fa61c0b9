"""Files of chats and training mode on a real backend: a trainee reads no real chat but their own, so
neither the files nor the transcript of a real chat waiting in the queue (an agent at real work does)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from urllib.parse import quote

import httpx
import pytest
from PIL import Image

from tests.support.backend import BackendProcess
from tests.support.sharing import admin_of
from tests.support.wire import connect_agent, connect_visitor, new_id

pytestmark = pytest.mark.asyncio


@pytest.fixture(scope="module", autouse=True)
def visitors_share_one_address() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CHAT_UPLOADS_PER_IP_BURST", "1000")
        yield


@pytest.fixture
def backend(tidy_db_backend: BackendProcess) -> BackendProcess:
    return tidy_db_backend


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (16, 16), (20, 120, 30)).save(out, "PNG")
    return out.getvalue()


async def test_a_trainee_cannot_fetch_the_files_of_a_real_chat_in_the_queue(backend: BackendProcess) -> None:
    admin = admin_of(backend)
    admin.set_routing(auto_assign=False)
    worker_account = admin.new_agent("Real Worker")
    trainee_account = admin.new_agent("In Training")
    worker = await connect_agent(backend, worker_account.email, worker_account.password)
    trainee = await connect_agent(backend, trainee_account.email, trainee_account.password)
    visitor, login = await connect_visitor(backend)
    try:
        sent = await visitor.ok("send_message", {"client_id": new_id(), "text": "a photo of the parcel"})
        chat_id = sent["event"]["chat_id"]
        async with httpx.AsyncClient(base_url=backend.url, timeout=20) as http:
            upload = await http.post(
                f"/api/v1/visitor/chats/{chat_id}/attachments",
                content=_png(),
                headers={
                    "X-Visitor-Token": login["visitor_token"],
                    "X-Site-Id": backend.site_id,
                    "Origin": backend.url,
                    "X-File-Name": quote("parcel.png"),
                    "X-Client-Id": new_id(),
                    "Content-Type": "application/octet-stream",
                },
            )
            assert upload.status_code == 201, upload.text
            file_id = upload.json()["event"]["attachment"]["attachment_id"]
            as_trainee = {"Authorization": f"Bearer {trainee.token}"}  # type: ignore[attr-defined]
            as_worker = {"Authorization": f"Bearer {worker.token}"}  # type: ignore[attr-defined]
            became = await http.put("/api/v1/training", json={"training": True}, headers=as_trainee)
            assert became.status_code == 200, became.text
            # The real agent reads the queued chat and its file; the trainee neither.
            assert (await http.get(f"/api/v1/attachments/{file_id}", headers=as_worker)).status_code == 200
            assert (await http.get(f"/api/v1/chats/{chat_id}/events", headers=as_worker)).status_code == 200
            for path in (
                f"/api/v1/attachments/{file_id}",
                f"/api/v1/attachments/{file_id}/thumbnail",
                f"/api/v1/chats/{chat_id}/events",
            ):
                assert (await http.get(path, headers=as_trainee)).status_code == 404, path
            # Back at real work, the same agent reads it again.
            back = await http.put("/api/v1/training", json={"training": False}, headers=as_trainee)
            assert back.status_code == 200, back.text
            assert (await http.get(f"/api/v1/attachments/{file_id}", headers=as_trainee)).status_code == 200
    finally:
        for client in (visitor, worker, trainee):
            await client.close()
