"""Snapshot + updates replayed into the project's OrderBook equal the simulator's own book."""

from __future__ import annotations

import asyncio

from dfx_tui.app.sim.faults import Faults
from dfx_tui.app.sim.server import SimConfig, SimServer
from tests.support.sim_helpers import Client, Replayer, drain, drain_sent

MARKETS = ("BTC_USDT", "ETH_USDT", "SHIB_USDT", "DOGE_USDT")


async def test_replayed_book_equals_truth_at_quiet_points() -> None:
    cfg = SimConfig(markets=MARKETS, seed=4, rate=300, trade_rate=30, snapshot_interval=0.4)
    async with SimServer(cfg) as sim, await Client.open(sim.url) as c:
        await c.call("depth.subscribe", list(MARKETS))
        rep = Replayer()
        for f in c.frames:
            rep.feed(f)
        for _round in range(3):
            t_end = asyncio.get_running_loop().time() + 0.5
            while asyncio.get_running_loop().time() < t_end:
                msg = await c.recv()
                rep.feed(msg)
                for book in rep.books.values():
                    assert not book.is_crossed()
            sim.pause()
            await drain_sent(c, rep, sim.sessions[0])
            for m in MARKETS:
                assert rep.as_truth(m) == sim.truth(m), m
            sim.resume()
        assert rep.updates > 500 and rep.snapshots >= 4 + 3
        assert rep.updates == sim.sessions[0].stats.depth_msgs_sent


async def test_two_connections_see_the_same_book() -> None:
    cfg = SimConfig(markets=("ETH_USDT",), seed=9, rate=500)
    async with SimServer(cfg) as sim:
        a, b = await Client.open(sim.url), await Client.open(sim.url)
        ra, rb = Replayer(), Replayer()
        await a.call("depth.subscribe", ["ETH_USDT"])
        await asyncio.sleep(0.3)
        await b.call("depth.subscribe", ["ETH_USDT"])  # joins later, from a snapshot
        for c, r in ((a, ra), (b, rb)):
            for f in c.frames:
                r.feed(f)
        await asyncio.sleep(0.3)
        sim.pause()
        await asyncio.gather(drain(a, ra), drain(b, rb))
        assert ra.as_truth("ETH_USDT") == rb.as_truth("ETH_USDT") == sim.truth("ETH_USDT")
        await a.close()
        await b.close()


async def test_manual_advance_while_paused() -> None:
    cfg = SimConfig(markets=("BTC_USDT",), seed=2, rate=1)
    async with SimServer(cfg) as sim, await Client.open(sim.url) as c:
        sim.pause()
        await c.call("depth.subscribe", ["BTC_USDT"])
        rep = Replayer()
        for f in c.frames:
            rep.feed(f)
        sim.advance("BTC_USDT", 200)
        await drain(c, rep, quiet=0.2)
        assert rep.updates == 200
        assert rep.as_truth("BTC_USDT") == sim.truth("BTC_USDT")


async def test_same_seed_same_market() -> None:
    cfg = SimConfig(markets=("ETH_USDT",), seed=21)
    a, b = SimServer(cfg), SimServer(cfg)
    a.advance(n=300)
    b.advance(n=300)
    assert a.truth("ETH_USDT") == b.truth("ETH_USDT")
    assert [t["id"] for t in a.trades("ETH_USDT")] == [t["id"] for t in b.trades("ETH_USDT")]


async def test_crossed_fault_is_a_lie_and_resync_gets_the_truth() -> None:
    cfg = SimConfig(markets=("BTC_USDT",), seed=3, rate=100, faults=Faults(crossed_after=0.3))
    async with SimServer(cfg) as sim, await Client.open(sim.url) as c:
        await c.call("depth.subscribe", ["BTC_USDT"])
        rep = Replayer()
        for f in c.frames:
            rep.feed(f)
        while True:
            rep.feed(await c.recv())
            if rep.books["BTC_USDT"].is_crossed():
                break
        t = sim.truth("BTC_USDT")
        assert sim.stats.crossed_sent == 1
        assert float(t["bids"][0][0]) < float(t["asks"][0][0])  # the truth never crossed
        # resync as a client would: unsubscribe all, subscribe again
        await c.call("depth.unsubscribe", [])
        rid = await c.send("depth.subscribe", ["BTC_USDT"])
        while (await c.recv()).get("id") != rid:
            pass
        snap = await c.recv()
        assert snap["params"][0] is True
        rep.feed(snap)
        await asyncio.sleep(0.3)
        sim.pause()
        await drain(c, rep)
        assert not rep.books["BTC_USDT"].is_crossed()
        assert rep.as_truth("BTC_USDT") == sim.truth("BTC_USDT")
