"""The floor for bench_app: a minimal client that only receives, inflates and parses.

Subscribes depth and trades of the given markets on one WebSocket (the same options as the
feed client: no compression, no protocol pings), sends ``server.ping`` every 20 s so the
server keeps it, and does nothing else with what it receives. No Python viewer of this feed
can use less CPU than this.

    python tests/benchmarks/bare_consumer.py URL MARKET [MARKET ...]

Prints ``{"ready": true, "port": N}`` once every market's depth snapshot arrived, and
``{"frames": N}`` on SIGTERM or when the server closes.
"""

from __future__ import annotations

import asyncio
import json
import signal
import sys
import zlib


async def main(url: str, markets: list[str]) -> int:
    from websockets.asyncio.client import connect

    loads, inflate = json.loads, zlib.decompress
    frames = 0
    ws = await connect(url, max_size=4 * 1024 * 1024, ping_interval=None, compression=None,
                       proxy=None)
    port = ws.local_address[1]

    async def pinger() -> None:
        rid = 100
        while True:
            await asyncio.sleep(20.0)
            rid += 1
            await ws.send(json.dumps({"id": rid, "method": "server.ping", "params": []}))

    loop = asyncio.get_running_loop()
    done = loop.create_future()
    loop.add_signal_handler(signal.SIGTERM, lambda: done.done() or done.set_result(None))

    async def receive() -> None:
        nonlocal frames
        waiting = set(markets)
        async for data in ws:
            obj = loads(inflate(data) if type(data) is bytes else data)
            frames += 1
            if waiting and obj.get("method") == "depth.update" and obj["params"][0]:
                waiting.discard(obj["params"][2])
                if not waiting:
                    print(json.dumps({"ready": True, "port": port}), flush=True)

    await ws.send(json.dumps({"id": 1, "method": "depth.subscribe", "params": markets}))
    await ws.send(json.dumps({"id": 2, "method": "trades.subscribe", "params": markets}))
    tasks = [asyncio.create_task(pinger()), asyncio.create_task(receive())]
    await asyncio.wait([done, tasks[1]], return_when=asyncio.FIRST_COMPLETED)
    for t in tasks:
        t.cancel()
    print(json.dumps({"frames": frames}), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main(sys.argv[1], [m.upper() for m in sys.argv[2:]])))
