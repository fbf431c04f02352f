"""dfx-sim speaks DigiFinex v1 as docs/protocol.md describes it."""

from __future__ import annotations

import asyncio
import json
import time
import zlib
from decimal import Decimal

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from dfx_tui.app.sim.server import SimConfig, SimServer
from dfx_tui.book.codec import DepthUpdate, Reply, TradesUpdate, decode_frame
from tests.support.sim_helpers import Client

ACK = {"status": "success"}


def cfg(**kw) -> SimConfig:
    kw.setdefault("markets", ("BTC_USDT", "ETH_USDT", "SHIB_USDT"))
    kw.setdefault("seed", 1)
    return SimConfig(**kw)


async def test_ping_and_time_are_zlib_binary_replies() -> None:
    async with SimServer(cfg()) as sim, await Client.open(sim.url) as c:
        await c.send("server.ping")
        raw = await c.recv_raw()
        assert isinstance(raw, bytes) and raw[:2] in (b"\x78\x9c", b"\x78\xda")
        assert decode_frame(raw) == Reply(1, "pong")
        r = await c.call("server.time")
        assert r["error"] is None and isinstance(r["result"], int)
        assert abs(r["result"] - time.time()) < 5


async def test_depth_subscribe_ack_then_snapshot_then_updates() -> None:
    async with SimServer(cfg(rate=50)) as sim, await Client.open(sim.url) as c:
        rid = await c.send("depth.subscribe", ["BTC_USDT", "SHIB_USDT"])
        assert await c.recv() == {"error": None, "result": ACK, "id": rid}
        snaps = [await c.recv(), await c.recv()]
        assert [s["params"][2] for s in snaps] == ["BTC_USDT", "SHIB_USDT"]
        for s in snaps:
            assert s["method"] == "depth.update" and s["id"] is None and s["params"][0] is True
            for side in ("asks", "bids"):
                prices = [Decimal(p) for p, _ in s["params"][1][side]]
                assert prices == sorted(prices, reverse=True)
                assert 40 <= len(prices) <= 60
        seen = set()
        for _ in range(40):
            msg = await c.recv()
            ev = decode_frame(zlib.compress(json.dumps(msg).encode()))
            assert isinstance(ev, DepthUpdate) and ev.clean is False
            assert set(msg["params"][1]) == {"asks", "bids"}  # both keys, always
            seen.add(ev.market)
        assert seen == {"BTC_USDT", "SHIB_USDT"}


async def test_trades_subscribe_history_newest_first_then_new_trades() -> None:
    async with SimServer(cfg(rate=50, trade_rate=20)) as sim, await Client.open(sim.url) as c:
        assert (await c.call("trades.subscribe", ["ETH_USDT"]))["result"] == ACK
        snap = await c.push("trades.update")
        clean, trades, market = snap["params"]
        assert clean is True and market == "ETH_USDT" and len(trades) >= 20
        ids = [t["id"] for t in trades]
        assert ids == sorted(ids, reverse=True)
        assert ids[0] <= sim.trades("ETH_USDT")[0]["id"]
        upd = await c.push("trades.update")
        assert upd["params"][0] is False and upd["params"][1][0]["id"] > ids[0]
        ev = decode_frame(json.dumps(upd))
        assert isinstance(ev, TradesUpdate)


async def test_errors_in_protocol_shape() -> None:
    async with SimServer(cfg()) as sim, await Client.open(sim.url) as c:
        r = await c.call("no.such.method")
        assert r == {
            "error": {"code": 4, "message": "method not found"},
            "result": None,
            "id": r["id"],
        }
        for bad in ("BTC_USDT", [1, 2], {"m": 1}, []):
            r = await c.call("depth.subscribe", bad)
            assert r["result"] is None and r["error"]["code"] == 1, bad
        r = await c.call("depth.subscribe", ["BTC_USDT", "NOPE_USDT"])
        assert r["error"]["code"] == 1 and "NOPE_USDT" in r["error"]["message"]
        await c.ws.send("this is not json")
        r = await c.recv()
        assert r["error"]["code"] == 1 and r["id"] is None
        # nothing was subscribed by the failed requests
        assert await c.call("server.ping") == {"error": None, "result": "pong", "id": c._id}
        assert sim.sessions[0].depth == set()


async def test_lowercase_markets_work_and_pushes_are_uppercase() -> None:
    async with SimServer(cfg()) as sim, await Client.open(sim.url) as c:
        assert (await c.call("depth.subscribe", ["btc_usdt"]))["result"] == ACK
        snap = await c.push("depth.update")
        assert snap["params"][2] == "BTC_USDT"


async def _markets_after(c: Client, n: int = 30) -> set[str]:
    seen = set()
    for _ in range(n):
        seen.add((await c.push("depth.update"))["params"][2])
    return seen


async def test_replace_mode_replaces() -> None:
    async with SimServer(cfg(rate=100)) as sim, await Client.open(sim.url) as c:
        await c.call("depth.subscribe", ["BTC_USDT"])
        await c.call("depth.subscribe", ["ETH_USDT"])
        assert sim.sessions[0].depth == {"ETH_USDT"}
        c.frames.clear()
        assert await _markets_after(c) == {"ETH_USDT"}


async def test_add_mode_adds() -> None:
    async with (
        SimServer(cfg(rate=100, subscribe_mode="add")) as sim,
        await Client.open(sim.url) as c,
    ):
        await c.call("depth.subscribe", ["BTC_USDT"])
        await c.call("depth.subscribe", ["ETH_USDT"])
        assert sim.sessions[0].depth == {"BTC_USDT", "ETH_USDT"}
        assert await _markets_after(c, 60) == {"BTC_USDT", "ETH_USDT"}


async def test_unsubscribe_list_and_empty() -> None:
    async with (
        SimServer(cfg(rate=100, subscribe_mode="add")) as sim,
        await Client.open(sim.url) as c,
    ):
        await c.call("depth.subscribe", ["BTC_USDT", "ETH_USDT"])
        await c.call("trades.subscribe", ["BTC_USDT"])
        assert (await c.call("depth.unsubscribe", ["ETH_USDT"]))["result"] == ACK
        assert sim.sessions[0].depth == {"BTC_USDT"}
        assert (await c.call("depth.unsubscribe", []))["result"] == ACK
        assert sim.sessions[0].depth == set() and sim.sessions[0].trades == {"BTC_USDT"}
        before = sim.sessions[0].stats.depth_msgs_sent
        await asyncio.sleep(0.3)
        assert sim.sessions[0].stats.depth_msgs_sent == before


async def test_periodic_clean_snapshot() -> None:
    async with (
        SimServer(cfg(rate=50, snapshot_interval=0.3)) as sim,
        await Client.open(sim.url) as c,
    ):
        await c.call("depth.subscribe", ["ETH_USDT"])
        cleans = 0
        deadline = asyncio.get_running_loop().time() + 2.0
        while cleans < 3 and asyncio.get_running_loop().time() < deadline:
            msg = await c.recv()
            cleans += msg.get("method") == "depth.update" and msg["params"][0] is True
        assert cleans >= 3  # the one after subscribe and at least two periodic ones


async def test_rate_is_per_market() -> None:
    async with SimServer(cfg(rate=200)) as sim, await Client.open(sim.url) as c:
        await c.call("depth.subscribe", ["BTC_USDT", "ETH_USDT"])
        s = sim.sessions[0]
        n0, t0 = s.stats.depth_msgs_sent, time.monotonic()
        await asyncio.sleep(1.0)
        rate = (s.stats.depth_msgs_sent - n0) / (time.monotonic() - t0)
        assert 300 <= rate <= 480  # 2 markets x 200/s


async def test_idle_timeout_closes_even_while_pushing() -> None:
    async with SimServer(cfg(rate=50, idle_timeout=0.5)) as sim, await Client.open(sim.url) as c:
        await c.call("depth.subscribe", ["BTC_USDT"])
        t0 = time.monotonic()
        with pytest.raises(ConnectionClosed):
            while True:
                await c.recv(3)
        assert 0.4 <= time.monotonic() - t0 <= 1.5
        assert c.ws.close_code in (1000, 1001)
        assert sim.stats.idle_closes == 1


async def test_pinging_keeps_connection_alive() -> None:
    async with SimServer(cfg(idle_timeout=0.4)) as sim, await Client.open(sim.url) as c:
        for _ in range(6):
            await asyncio.sleep(0.15)
            assert (await c.call("server.ping"))["result"] == "pong"
        assert sim.stats.idle_closes == 0


async def test_wrong_path_is_404() -> None:
    async with SimServer(cfg()) as sim:
        with pytest.raises(InvalidStatus) as ei:
            await connect(f"ws://127.0.0.1:{sim.port}/ws/v2/", proxy=None)
        assert ei.value.response.status_code == 404


async def test_no_permessage_deflate_and_no_server_pings() -> None:
    async with SimServer(cfg()) as sim:
        async with connect(sim.url, proxy=None) as ws:
            assert ws.response.headers.get("Sec-WebSocket-Extensions") is None
        assert sim.stats.connections == 1


async def test_many_connections_share_one_market() -> None:
    async with SimServer(cfg(rate=100)) as sim:
        clients = [await Client.open(sim.url) for _ in range(3)]
        for c in clients:
            await c.call("depth.subscribe", ["ETH_USDT"])
        await asyncio.sleep(0.3)
        assert sim.stats.active == 3 and len(sim.sessions) == 3
        for c in clients:
            await c.close()
