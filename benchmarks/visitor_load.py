"""Simulated visitors at realistic rates, in their own process (used by benchmarks.concurrent_chats).

    python -m benchmarks.visitor_load --url http://127.0.0.1:PORT --site demo-shop --visitors 50 --seconds 60

Each visitor opens a chat, then repeats: types a sentence over a few seconds (a sneak-peek frame about
every 200 ms, as the widget throttles), sends it, and reads for 5-15 s.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import time
import uuid

import websockets

SENTENCES = [
    "こんにちは、注文した商品の配送状況を教えてください",
    "Do you ship to Osaka and how long does it take?",
    "抹茶のギフトセットはまだ在庫がありますか？",
    "Can I change the delivery address of order 1042?",
]


async def visitor(url: str, site: str, origin: str, until: float, counters: dict[str, int]) -> None:
    ws_url = url.replace("http", "ws", 1) + "/ws/visitor"
    async with websockets.connect(ws_url, origin=origin) as ws:  # type: ignore[arg-type]

        async def request(action: str, payload: dict[str, object]) -> None:
            frame = {"v": 1, "type": "req", "action": action, "req_id": uuid.uuid4().hex, "payload": payload}
            await ws.send(json.dumps(frame))
            counters[action] = counters.get(action, 0) + 1

        async def drain() -> None:
            async for _ in ws:
                pass

        reader = asyncio.ensure_future(drain())
        await request("login", {"site_id": site})
        await asyncio.sleep(random.uniform(0, 3))
        await request("send_message", {"client_id": str(uuid.uuid4()), "text": "はじめまして"})
        while time.monotonic() < until:
            sentence = random.choice(SENTENCES)
            step = max(1, len(sentence) // random.randint(10, 25))
            for end in range(step, len(sentence) + step, step):
                await request("sneak_peek", {"text": sentence[:end]})
                await asyncio.sleep(random.uniform(0.18, 0.3))
            await request("send_message", {"client_id": str(uuid.uuid4()), "text": sentence})
            await request("sneak_peek", {"text": ""})
            await asyncio.sleep(random.uniform(5, 15))
        reader.cancel()


async def main_async(args: argparse.Namespace) -> None:
    counters: dict[str, int] = {}
    until = time.monotonic() + args.seconds
    origin = args.url
    await asyncio.gather(
        *(visitor(args.url, args.site, origin, until, counters) for _ in range(args.visitors))
    )
    print(json.dumps(counters), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", required=True)
    parser.add_argument("--site", default="demo-shop")
    parser.add_argument("--visitors", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    main()
