"""The seed document's own Python examples (websocket-client), pointed at dfx-sim."""

from __future__ import annotations

import asyncio
import json
import time
import zlib

from websocket import create_connection

from dfx_tui.app.sim.server import SimConfig, SimServer

SUCCESS = {"error": None, "result": {"status": "success"}, "id": 12312}


def _run_example(url: str, request: str) -> dict:
    # As in the document: create_connection, send, recv. The frame is zlib ("请使用 zlib deflate").
    ws = create_connection(url, timeout=5)
    try:
        ws.send(request)
        return json.loads(zlib.decompress(ws.recv()))
    finally:
        ws.close()


async def test_seed_document_examples() -> None:
    cfg = SimConfig(markets=("ETH_USDT", "BTC_USDT", "EOS_USDT"), seed=1)
    async with SimServer(cfg) as sim:

        def run(req: str) -> dict:
            return _run_example(sim.url, req)

        ping = await asyncio.to_thread(run, '{"id":12312, "method":"server.ping", "params":[]}')
        assert ping == {"error": None, "result": "pong", "id": 12312}

        tm = await asyncio.to_thread(run, '{"id":12312, "method":"server.time", "params":[]}')
        assert tm["error"] is None and tm["id"] == 12312 and type(tm["result"]) is int
        assert abs(tm["result"] - time.time()) < 5

        for req in (
            '{"id":12312, "method":"trades.subscribe", "params":["ETH_USDT", "BTC_USDT"]}',
            '{"id":12312, "method":"trades.unsubscribe", "params":[]}',
            '{"id":12312, "method":"depth.subscribe", "params":["ETH_USDT", "BTC_USDT"]}',
            '{"id":12312, "method":"depth.unsubscribe", "params":[]}',
        ):
            assert await asyncio.to_thread(run, req) == SUCCESS, req


def _pushes_after_subscribe(url: str, request: str, n: int) -> list[dict]:
    ws = create_connection(url, timeout=5)
    try:
        ws.send(request)
        return [json.loads(zlib.decompress(ws.recv())) for _ in range(n)]
    finally:
        ws.close()


async def test_seed_document_push_shapes() -> None:
    async with SimServer(SimConfig(markets=("ETH_USDT", "EOS_USDT"), seed=2)) as sim:
        frames = await asyncio.to_thread(
            _pushes_after_subscribe,
            sim.url,
            '{"id":12312, "method":"trades.subscribe", "params":["ETH_USDT"]}',
            2,
        )
        assert frames[0] == SUCCESS
        push = frames[1]
        assert push["method"] == "trades.update" and push["id"] is None
        clean, trades, market = push["params"]
        assert clean is True and market == "ETH_USDT"
        assert set(trades[0]) == {"id", "time", "price", "amount", "type"}

        frames = await asyncio.to_thread(
            _pushes_after_subscribe,
            sim.url,
            '{"id":12312, "method":"depth.subscribe", "params":["EOS_USDT"]}',
            3,
        )
        assert frames[0] == SUCCESS
        assert frames[1]["method"] == "depth.update" and frames[1]["params"][0] is True
        assert frames[1]["params"][2] == "EOS_USDT"
        assert set(frames[1]["params"][1]) == {"asks", "bids"}
        assert frames[2]["params"][0] is False and set(frames[2]["params"][1]) == {"asks", "bids"}
