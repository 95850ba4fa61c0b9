"""A visitor's file -> the agent has its message, and the agent's thumbnail fetch.

    .venv/bin/python -m benchmarks.attachments [--screenshots 30] [--photos 10] [--smoke]

One backend (a subprocess, SQLite and the disk store in a temporary folder), one agent holding one
chat over its socket, the chat's visitor uploading over HTTP as the widget does. For each file: from
the start of the upload to the agent socket's receipt of the message event that carries it (upload,
type detection, re-encoding, storing, the event's commit and delivery), on one clock (this process);
then the agent's thumbnail fetch. Two kinds of file: a 1920x1080 PNG screenshot, and a 12-megapixel
phone photo (JPEG with EXIF and a GPS position, which the backend re-encodes without them). Everything
shares this machine's cores. `--smoke`: 3 screenshots and 1 photo of 2 megapixels.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import statistics
import tempfile
import time
import uuid
from pathlib import Path

import httpx
from PIL import Image, ImageDraw, ImageFilter

from benchmarks.deadline import hard_timeout
from tests.support.backend import BackendProcess
from tests.support.wire import WireClient, connect_agent, connect_visitor


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] if ordered else float("nan")


def screenshot(seed: int) -> bytes:
    """A screen-like PNG: flat areas, lines of 'text', a window frame."""
    image = Image.new("RGB", (1920, 1080), (245, 246, 248))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 1920, 48), fill=(40, 60, 90))
    for line in range(40):
        y = 80 + line * 24
        draw.rectangle((60, y, 60 + (seed * 37 + line * 91) % 1500 + 200, y + 10), fill=(120, 120, 130))
    picture = Image.effect_noise((640, 400), 60).filter(ImageFilter.GaussianBlur(1)).convert("RGB")
    image.paste(picture, (1200, 300))  # a product photo on the page
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def photo(width: int, height: int) -> bytes:
    """A camera-like JPEG: a gradient with grain, EXIF with a maker and a GPS position."""
    gradient = Image.linear_gradient("L").resize((width, height))
    grain = Image.effect_noise((width, height), 40).filter(ImageFilter.GaussianBlur(1.5))
    image = Image.merge("RGB", (gradient, Image.blend(gradient, grain, 0.35), grain))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "N", (35.0, 39.0, 29.0), "E", (139.0, 44.0, 28.0)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=88, exif=exif)
    return out.getvalue()


async def send_one(
    http: httpx.AsyncClient,
    backend: BackendProcess,
    login: dict[str, str],
    chat_id: str,
    agent: WireClient,
    data: bytes,
    name: str,
) -> tuple[float, float]:
    """Seconds until the agent has the file's message, then seconds for the agent's thumbnail."""
    headers = {
        "X-Visitor-Token": login["visitor_token"],
        "X-Site-Id": backend.site_id,
        "Origin": backend.url,
        "X-File-Name": name,
        "X-Client-Id": str(uuid.uuid4()),
        "Content-Type": "application/octet-stream",
    }
    started = time.perf_counter()
    sent = await http.post(f"/api/v1/visitor/chats/{chat_id}/attachments", content=data, headers=headers)
    if sent.status_code != 201:
        raise RuntimeError(f"upload of {name} ({len(data)} bytes) refused: {sent.status_code} {sent.text}")
    file_id = sent.json()["event"]["attachment"]["attachment_id"]
    while True:
        event = await agent.next_event(kind="message", chat_id=chat_id)
        if (event.get("attachment") or {}).get("attachment_id") == file_id:
            break
    delivered = time.perf_counter() - started
    started = time.perf_counter()
    thumb = await http.get(
        f"/api/v1/attachments/{file_id}/thumbnail",
        headers={"Authorization": f"Bearer {agent.token}"},  # type: ignore[attr-defined]
    )
    thumb.raise_for_status()
    return delivered, time.perf_counter() - started


def report(label: str, size: float, delivered: list[float], thumbs: list[float]) -> None:
    ms = [d * 1000 for d in delivered]
    print(
        f"{label} ({size / 1024:.0f} KB): upload -> agent has it p50 {statistics.median(ms):.0f} ms, "
        f"p95 {percentile(ms, 0.95):.0f} ms, max {max(ms):.0f} ms over {len(ms)}; "
        f"thumbnail fetch p50 {statistics.median(thumbs) * 1000:.0f} ms",
        flush=True,
    )


async def run(backend: BackendProcess, screenshots: int, photos: int, photo_size: tuple[int, int]) -> None:
    backend.cli("routing", "--auto-assign", "off")
    agent = await connect_agent(backend)
    await agent.ok("set_status", {"status": "accepting"})
    visitor, login = await connect_visitor(backend)
    try:
        sent = await visitor.ok("send_message", {"client_id": str(uuid.uuid4()), "text": "写真を送ります"})
        chat_id = sent["event"]["chat_id"]
        await agent.ok("take_chat", {"chat_id": chat_id, "client_id": str(uuid.uuid4())})
        async with httpx.AsyncClient(base_url=backend.url, timeout=120) as http:
            shots = [screenshot(n) for n in range(screenshots)]
            results = [await send_one(http, backend, login, chat_id, agent, s, "screen.png") for s in shots]
            report(
                "screenshot 1920x1080 PNG",
                statistics.mean(map(len, shots)),
                *map(list, zip(*results, strict=True)),
            )
            picture = photo(*photo_size)
            results = [
                await send_one(http, backend, login, chat_id, agent, picture, "IMG_0001.JPG")
                for _ in range(photos)
            ]
            label = f"photo {photo_size[0]}x{photo_size[1]} JPEG with EXIF/GPS"
            report(label, len(picture), *map(list, zip(*results, strict=True)))
    finally:
        await visitor.close()
        await agent.close()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--screenshots", type=int, default=30)
    parser.add_argument("--photos", type=int, default=10)
    parser.add_argument("--smoke", action="store_true", help="3 screenshots, 1 photo of 2 megapixels")
    parser.add_argument("--timeout", type=float, help="hard limit for the whole run, seconds")
    args = parser.parse_args()
    photo_size = (4000, 3000)
    if args.smoke:
        args.screenshots, args.photos, photo_size = 3, 1, (1632, 1224)
    hard_timeout(args.timeout or (60 if args.smoke else 900), "attachments")
    with tempfile.TemporaryDirectory() as tmp:
        env = {"CHAT_UPLOADS_PER_VISITOR_BURST": "10000", "CHAT_UPLOADS_PER_IP_BURST": "10000"}
        backend = BackendProcess(database_url=f"sqlite:///{tmp}/chat.db", workdir=Path(tmp), env=env)
        backend.start()
        try:
            asyncio.run(run(backend, args.screenshots, args.photos, photo_size))
        finally:
            backend.stop()


if __name__ == "__main__":
    main()
