"""The node's upload slots count a body from its first byte until it is stored: a body read but still
waiting for its turn to be inspected is held in memory, so it keeps its slot (else bodies waiting
behind slow images could pile up without bound). Real request, real disk store; the app's state holds
only what uploads use."""

from __future__ import annotations

import asyncio
from pathlib import Path
from types import SimpleNamespace
from typing import cast

import pytest
from starlette.requests import Request
from starlette.types import Message

from chat_backend.api import attachments as api
from chat_backend.api.deps import AppState
from chat_backend.files.store import DiskStore
from chat_protocol.attachments import AttachmentSettings

pytestmark = pytest.mark.asyncio

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def _request(body: bytes) -> Request:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            await asyncio.Event().wait()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    headers = [(b"content-length", str(len(body)).encode())]
    return Request({"type": "http", "method": "POST", "path": "/", "headers": headers}, receive)


async def test_a_body_waiting_to_be_inspected_keeps_its_slot(tmp_path: Path) -> None:
    inspecting = asyncio.Semaphore(1)
    state = cast(
        AppState, SimpleNamespace(uploads_reading=0, file_work=inspecting, files=DiskStore(tmp_path))
    )
    limits = AttachmentSettings()
    await inspecting.acquire()  # another file is being inspected
    upload = asyncio.ensure_future(api._receive(state, _request(PDF), "offer.pdf", limits))
    for _ in range(50):
        await asyncio.sleep(0.01)
    assert not upload.done()
    assert state.uploads_reading == 1  # read, in memory, waiting: still counted
    state.uploads_reading = api.MAX_UPLOADS_READING  # the node is full: the next one is sent away
    with pytest.raises(api.Refused) as refused:
        await api._receive(state, _request(PDF), "more.pdf", limits)
    assert (refused.value.status, refused.value.code) == (503, "unavailable")
    state.uploads_reading = 1
    inspecting.release()
    stored = await asyncio.wait_for(upload, 5)
    assert state.uploads_reading == 0
    assert await DiskStore(tmp_path).get(stored.storage_key) == PDF
