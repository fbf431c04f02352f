"""Each fault flag of dfx-sim visibly happens."""

from __future__ import annotations

import asyncio
import json
import time
import zlib

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, ConnectionClosedError, InvalidStatus

from dfx_tui.app.sim.faults import Faults
from dfx_tui.app.sim.server import SimConfig, SimServer
from dfx_tui.book.codec import ProtocolError, decode_frame
from tests.support.sim_helpers import Client, Replayer


def cfg(faults: Faults, **kw) -> SimConfig:
    kw.setdefault("markets", ("BTC_USDT", "ETH_USDT"))
    kw.setdefault("rate", 100)
    return SimConfig(seed=1, faults=faults, **kw)


async def test_drop_every_aborts_the_connection() -> None:
    async with SimServer(cfg(Faults(drop_every=0.4))) as sim:
        for _ in range(2):  # every connection, again after reconnecting
            c = await Client.open(sim.url)
            await c.call("depth.subscribe", ["BTC_USDT"])
            t0 = time.monotonic()
            with pytest.raises(ConnectionClosedError):  # no close frame: abnormal closure
                while True:
                    await c.recv()
            assert 0.25 <= time.monotonic() - t0 <= 1.5
            assert c.ws.close_code is None or c.ws.close_code == 1006
        assert sim.stats.drops == 2 and sim.stats.connections == 2


async def test_stall_keeps_socket_open_and_sends_nothing() -> None:
    async with SimServer(cfg(Faults(stall_after=0.3), idle_timeout=0.6)) as sim:
        c = await Client.open(sim.url)
        await c.call("depth.subscribe", ["BTC_USDT"])
        await asyncio.sleep(0.4)
        while True:  # read what was sent before the stall
            try:
                await c.recv(0.2)
            except TimeoutError:
                break
        await c.send("server.ping")
        with pytest.raises(TimeoutError):
            await c.recv(0.9)  # no pong, no pushes, and not closed by the idle timeout either
        assert c.ws.state.name == "OPEN"
        assert sim.stats.stalls == 1 and sim.sessions[0].stalled
        await c.close()


async def test_corrupt_frames_rotate_kinds() -> None:
    async with SimServer(cfg(Faults(corrupt_every=5))) as sim, await Client.open(sim.url) as c:
        await c.call("depth.subscribe", ["BTC_USDT"])
        errors: list[str] = []
        good = 0
        while len(errors) < 3:
            raw = await c.recv_raw()
            try:
                decode_frame(raw)
                good += 1
            except ProtocolError as e:
                errors.append(str(e))
        assert sim.stats.corrupt_sent >= 3
        assert "zlib" in errors[0]
        assert "JSON" in errors[1] or "json" in errors[1]
        assert "zlib" not in errors[2] and "JSON" not in errors[2]  # valid JSON, wrong shape
        assert good >= 3 * 5


async def test_crossed_after_sends_one_crossed_update() -> None:
    async with SimServer(cfg(Faults(crossed_after=0.2))) as sim, await Client.open(sim.url) as c:
        await c.call("depth.subscribe", ["ETH_USDT"])
        rep = Replayer()
        for f in c.frames:
            rep.feed(f)
        t0 = time.monotonic()
        while "ETH_USDT" not in rep.books or not rep.books["ETH_USDT"].is_crossed():
            rep.feed(await c.recv())
            assert time.monotonic() - t0 < 3, "no crossed update"
        assert time.monotonic() - t0 >= 0.1
        assert sim.stats.crossed_sent == 1
        truth = sim.truth("ETH_USDT")
        assert float(truth["bids"][0][0]) < float(truth["asks"][0][0])


async def test_refuse_first_handshakes_with_502() -> None:
    async with SimServer(cfg(Faults(refuse_handshakes=2))) as sim:
        for _ in range(2):
            with pytest.raises(InvalidStatus) as ei:
                await connect(sim.url, proxy=None)
            assert ei.value.response.status_code == 502
        async with connect(sim.url, proxy=None) as ws:
            await ws.send('{"id":1,"method":"server.ping","params":[]}')
            assert json.loads(zlib.decompress(await ws.recv()))["result"] == "pong"
        assert sim.stats.handshakes_refused == 2 and sim.stats.connections == 1


async def test_text_acks() -> None:
    async with SimServer(cfg(Faults(text_acks=True))) as sim, await Client.open(sim.url) as c:
        await c.send("server.ping")
        raw = await c.recv_raw()
        assert isinstance(raw, str) and json.loads(raw)["result"] == "pong"
        await c.send("depth.subscribe", ["BTC_USDT"])
        ack = await c.recv_raw()
        assert isinstance(ack, str) and json.loads(ack)["result"] == {"status": "success"}
        assert isinstance(await c.recv_raw(), bytes)  # pushes stay binary


async def test_snapshot_before_ack() -> None:
    async with (
        SimServer(cfg(Faults(snapshot_before_ack=True))) as sim,
        await Client.open(sim.url) as c,
    ):
        rid = await c.send("depth.subscribe", ["BTC_USDT", "ETH_USDT"])
        first, second, third = await c.recv(), await c.recv(), await c.recv()
        assert first["method"] == second["method"] == "depth.update" and first["params"][0] is True
        assert third == {"error": None, "result": {"status": "success"}, "id": rid}


async def test_lifetime_closes_cleanly() -> None:
    async with SimServer(cfg(Faults(lifetime=0.3))) as sim, await Client.open(sim.url) as c:
        await c.call("depth.subscribe", ["BTC_USDT"])
        with pytest.raises(ConnectionClosed):
            while True:
                await c.recv()
        assert c.ws.close_code == 1000 and sim.stats.lifetime_closes == 1


async def test_no_faults_by_default() -> None:
    assert not Faults().any() and Faults(text_acks=True).any()
    async with SimServer(cfg(Faults(), rate=300)) as sim, await Client.open(sim.url) as c:
        await c.call("depth.subscribe", ["BTC_USDT"])
        for _ in range(200):
            decode_frame(await c.recv_raw())  # every frame valid
        s = sim.stats
        assert s.corrupt_sent == s.crossed_sent == s.drops == s.stalls == 0
