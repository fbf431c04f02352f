"""The fault matrix (issue 7): every fault against a real dfx-sim on 127.0.0.1.

For each fault: the app keeps running, the book equals the simulator's truth within one
snapshot interval (plus a reconnect delay, plus slack for a noisy machine: RECOVER_S), and the
status bar said what happened. A representative subset runs the real DfxApp headless and reads
its rendered status bar; the rest check `feed.status` / `market.status`, which the bar renders
(through `status_text`). The faults dfx-sim's flags cannot produce are scripted by HostileSim.
"""

from __future__ import annotations

import asyncio
import os
import random
import socket
import time
import zlib

import pytest

from dfx_tui.app.sim.faults import crossed_update
from dfx_tui.app.sim.server import Faults
from dfx_tui.book.codec import MAX_INFLATED
from dfx_tui.book.state import LinkState, MarketState
from dfx_tui.widgets.status_bar import status_text
from tests.support.fault_harness import (
    MARKETS,
    RECOVER_S,
    SNAPSHOT_S,
    app_against,
    control_chars,
)
from tests.support.feed import assert_books_match, fast_config, wait_until
from tests.support.hostile_sim import depth_push, trades_push


def bar_of(feed) -> str:
    """What the status bar shows for this feed right now."""
    return status_text(feed.status, time.monotonic()).plain


async def live(run) -> None:
    """The app is connected, every market has its book and the bar says LIVE."""
    await wait_until(lambda: run.feed.ready(), 5, "every market live")
    await wait_until(lambda: " LIVE " in run.bar, 3, "the status bar to say LIVE")


# =========================================================== the real app, status bar read
async def test_abrupt_close(hostile):
    sim = await hostile()
    async with app_against(sim.url) as run:
        await live(run)
        sim.abort_all()  # TCP abort, no close frame
        await wait_until(lambda: "reconnects 1" in run.bar, 3, "a reconnect on the bar")
        await assert_books_match(run.feed, sim, timeout=RECOVER_S)
        await wait_until(lambda: " LIVE " in run.bar, 2, "LIVE again")
        assert run.saw("RECONNECTING")
        assert "error: connection lost" in run.bar  # the last error stays visible
        assert any("disconnected" in msg for _sev, msg in run.notes)


async def test_close_frame(hostile):
    sim = await hostile()
    async with app_against(sim.url) as run:
        await live(run)
        sim.close_all(1012, "service restart")
        await wait_until(lambda: "reconnects 1" in run.bar, 3, "a reconnect on the bar")
        await assert_books_match(run.feed, sim, timeout=RECOVER_S)
        assert "server closed the connection (1012 service restart)" in run.bar
        assert run.saw("RECONNECTING")


async def test_handshake_refused_several_times(hostile):
    sim = await hostile(faults=Faults(refuse_handshakes=4))
    async with app_against(sim.url) as run:
        await wait_until(lambda: "handshake refused: HTTP 502" in run.bar, 3, "the 502 shown")
        await live(run)
        assert sim.stats.handshakes_refused == 4
        assert "reconnects 4" in run.bar
        assert run.saw("RECONNECTING")
        await assert_books_match(run.feed, sim, timeout=RECOVER_S)


def _free_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


async def test_connection_refused_then_server_comes_up(hostile):
    port = _free_port()
    async with app_against(f"ws://127.0.0.1:{port}/ws/v1/") as run:
        await wait_until(lambda: "connection refused" in run.bar and "reconnects 2" in run.bar,
                         4, "refusals on the bar")
        pane = run.app.active_pane()
        assert pane.label in ("RECONNECTING", "CONNECTING", "WAITING")
        assert not pane.market.book.has_snapshot
        sim = await hostile(port=port)
        await live(run)
        await assert_books_match(run.feed, sim, timeout=RECOVER_S)


async def test_dns_failure_is_shown_and_retried(feed_factory):
    h = await feed_factory(fast_config("ws://no-such-host.invalid/ws/v1/"))
    await wait_until(lambda: h.feed.status.reconnects >= 2, 4, "retries")
    bar = bar_of(h.feed)
    assert "RECONNECTING" in bar or "CONNECTING" in bar
    assert "cannot connect to no-such-host.invalid" in bar
    assert h.feed.markets["BTC_USDT"].status.state is MarketState.WAITING


async def test_stall_with_socket_open(hostile):
    sim = await hostile(faults=Faults(stall_after=0.6))
    async with app_against(sim.url) as run:
        await live(run)
        await wait_until(lambda: run.saw("STALE"), 4, "STALE on the bar")
        sim.set_faults(Faults())  # the next connections do not stall
        assert run.saw("no data for 0.8 s") or run.saw("no pong within 0.5 s")
        assert any(sev == "warning" for sev, _m in run.notes)
        await wait_until(lambda: run.feed.status.reconnects >= 1, 3, "a reconnect")
        await assert_books_match(run.feed, sim, timeout=RECOVER_S)
        await wait_until(lambda: " LIVE " in run.bar, 2, "LIVE again")


async def test_pong_never_answered(hostile):
    sim = await hostile()
    async with app_against(sim.url) as run:
        await live(run)
        sim.answer_pings = False  # data keeps flowing; only pings go unanswered
        await wait_until(lambda: "no pong within 0.5 s" in run.bar, 4, "the missing pong shown")
        assert run.saw("STALE") and sim.pings_ignored >= 1
        await wait_until(lambda: run.feed.status.reconnects >= 1, 3, "a reconnect")
        sim.answer_pings = True
        await assert_books_match(run.feed, sim, timeout=RECOVER_S)


async def test_corrupt_zlib_and_invalid_json(hostile):
    sim = await hostile()
    async with app_against(sim.url) as run:
        await live(run)
        sim.inject(b"\x78\x9c\xde\xad\xbe\xef garbage")  # zlib header, garbage after
        await wait_until(lambda: "rejected 1" in run.bar, 3, "bad zlib counted")
        assert "bad frame: bad zlib data" in run.bar
        sim.inject(zlib.compress(b'{"method": "depth.update", "params": [false, {"asks": [['))
        sim.inject("{not json")  # a text frame
        await wait_until(lambda: "rejected 3" in run.bar, 3, "bad JSON counted")
        assert "bad frame: bad JSON" in run.bar
        assert run.feed.status.reconnects == 0
        await assert_books_match(run.feed, sim, timeout=RECOVER_S)


async def test_crossed_update(hostile):
    sim = await hostile()
    async with app_against(sim.url) as run:
        await live(run)
        assert sim.inject(crossed_update(sim.model("ETH_USDT")), market="ETH_USDT") == 1
        eth = run.feed.markets["ETH_USDT"]
        await wait_until(lambda: eth.status.resyncs == 1, 3, "a resync")
        await wait_until(lambda: any("ETH_USDT: crossed book" in m for _s, m in run.notes), 3,
                         "a resync toast")
        await assert_books_match(run.feed, sim, timeout=RECOVER_S)
        assert run.feed.markets["BTC_USDT"].status.resyncs == 0
        assert run.feed.status.reconnects == 0


# =========================================================== feed status (what the bar shows)
WRONG_SHAPES = [
    # depth.update
    {"method": "depth.update", "params": [False, {"asks": [], "bids": []}], "id": None},
    {"method": "depth.update", "params": [False, None, "BTC_USDT"], "id": None},
    {"method": "depth.update", "params": ["false", {"asks": [], "bids": []}, "BTC_USDT"],
     "id": None},
    {"method": "depth.update", "params": {"clean": False}, "id": None},
    depth_push("BTC_USDT", "asks", []),
    depth_push("BTC_USDT", [["65000.00"]], []),
    depth_push("BTC_USDT", [["65000.00", "1", "2"]], []),
    depth_push("BTC_USDT", [[65000.0, 1.0]], []),
    depth_push("BTC_USDT", [["1e400", "1"]], []),
    depth_push("BTC_USDT", [["99999", "1e999"]], []),
    depth_push("BTC_USDT", [[10**400, "1"]], []),
    depth_push("BTC_USDT", [["9" * 100, "1"]], []),
    depth_push("BTC_USDT", [], [["64000.00", "-1"]]),
    depth_push("BTC_USDT", [["NaN", "1"]], []),
    depth_push("BTC_USDT", [["99999", "Infinity"]], []),
    depth_push("BTC_USDT", [], [["64000.00", "-Infinity"]]),
    depth_push("BTC_USDT", [[float("nan"), "1"]], []),
    depth_push("BTC_USDT", [["0", "1"]], []),
    depth_push("BTC_USDT", [], [["-5", "1"]]),
    depth_push(["BTC_USDT"], [], []),
    depth_push("BTC/USDT", [], []),
    # trades.update
    trades_push("BTC_USDT", [{"id": 1}]),
    trades_push("BTC_USDT", [{"id": "1", "time": 1.0, "price": "1", "amount": "1",
                              "type": "buy"}]),
    trades_push("BTC_USDT", [{"id": 1, "time": float("nan"), "price": "1", "amount": "1",
                              "type": "buy"}]),
    trades_push("BTC_USDT", [{"id": 1, "time": 1.0, "price": "Infinity", "amount": "1",
                              "type": "buy"}]),
    trades_push("BTC_USDT", [{"id": 1, "time": 1.0, "price": "1", "amount": "-1",
                              "type": "sell"}]),
    trades_push("BTC_USDT", [{"id": 1, "time": 1.0, "price": "1", "amount": "1",
                              "type": "hold"}]),
    trades_push("BTC_USDT", {"id": 1}),
    # replies and whatever else
    {"id": "7", "result": "pong"},
    {"id": 1.5, "error": None, "result": 1},
    {"method": 5, "params": [], "id": None},
    {"method": "depth.update", "params": [], "id": 3},
    {"hello": "world"},
    [1, 2, 3],
    "just a string",
    None,
]


async def test_valid_json_wrong_shapes(hostile, feed_factory):
    sim = await hostile()
    h = await feed_factory(fast_config(sim.url, MARKETS))
    assert await h.feed.wait_ready(5)
    st = h.feed.status
    for i, body in enumerate(WRONG_SHAPES, 1):
        sim.inject(body)
        await wait_until(lambda i=i: st.frames_rejected == i, 3, f"shape #{i} rejected: {body}")
        assert bar_of(h.feed).count("rejected") >= 1
    assert "bad frame:" in st.last_error and st.reconnects == 0
    assert f"rejected {len(WRONG_SHAPES)}" in bar_of(h.feed)
    await assert_books_match(h.feed, sim, timeout=RECOVER_S)
    for m in MARKETS:
        assert not h.feed.markets[m].book.is_crossed()


async def test_delta_before_snapshot(hostile, feed_factory):
    sim = await hostile()
    sim.delta_before_snapshot = 1  # the first depth.subscribe: ack, a stray delta, snapshot
    h = await feed_factory(fast_config(sim.url, MARKETS))
    await wait_until(lambda: sim.delta_before_snapshot == 0, 3, "the stray deltas sent")
    assert await h.feed.wait_ready(5)
    await assert_books_match(h.feed, sim, timeout=RECOVER_S)
    assert h.feed.frames_dropped >= len(MARKETS)  # never applied to an empty book
    resynced = [n.market for n in h.notices if n.kind == "resync"]
    assert sorted(resynced) == sorted(MARKETS)
    assert all("before any snapshot" in n.text for n in h.notices if n.kind == "resync")
    assert h.feed.status.reconnects == 0


async def test_snapshot_for_a_market_not_subscribed(hostile, feed_factory):
    sim = await hostile(markets=("BTC_USDT", "ETH_USDT", "XRP_USDT"))
    h = await feed_factory(fast_config(sim.url, MARKETS))
    assert await h.feed.wait_ready(5)
    xrp = sim.model("XRP_USDT").snapshot_wire()
    dropped = h.feed.frames_dropped
    sim.inject(depth_push("XRP_USDT", xrp["asks"], xrp["bids"], clean=True))
    sim.inject(depth_push("DOGE_USDT", [["1", "1"]], [], clean=True))
    sim.inject(trades_push("XRP_USDT", sim.trades("XRP_USDT")[:3]))
    await wait_until(lambda: h.feed.frames_dropped == dropped + 3, 3, "the pushes dropped")
    assert list(h.feed.markets) == list(MARKETS)
    assert h.feed.status.frames_rejected == 0
    await assert_books_match(h.feed, sim, timeout=RECOVER_S)


async def test_snapshot_for_a_rejected_market_does_not_revive_it(hostile, feed_factory):
    sim = await hostile()
    h = await feed_factory(fast_config(sim.url, ["BTC_USDT", "NOPE_USDT"]))
    assert await h.feed.wait_ready(5)
    nope = h.feed.markets["NOPE_USDT"]
    assert nope.status.state is MarketState.REJECTED
    sim.inject(depth_push("NOPE_USDT", [["2", "1"]], [["1", "1"]], clean=True))
    sim.inject(depth_push("BTC_USDT", [], [], clean=False))  # a marker: the push above is done
    await wait_until(lambda: h.feed.markets["BTC_USDT"].status.messages > 0
                     and sim.injected >= 2, 3)
    await asyncio.sleep(0.2)
    assert nope.status.state is MarketState.REJECTED  # not subscribed: never LIVE
    assert not nope.book.has_snapshot
    await assert_books_match(h.feed, sim, ["BTC_USDT"], timeout=RECOVER_S)


async def test_subscribe_error_for_several_markets_is_retried(hostile, feed_factory):
    sim = await hostile()
    sim.fail_next_subscribes("depth", 1, code=2, message="internal error")
    h = await feed_factory(fast_config(sim.url, MARKETS))
    assert await h.feed.wait_ready(RECOVER_S)
    assert all(m.status.state is MarketState.LIVE for m in h.feed.markets.values())
    assert "depth.subscribe refused: internal error" in bar_of(h.feed)
    await assert_books_match(h.feed, sim, timeout=RECOVER_S)


@pytest.mark.parametrize("code, message", [(3, "service unavailable"), (5, "service timeout"),
                                           (2, "internal error")])
async def test_transient_subscribe_error_is_retried(hostile, feed_factory, code, message):
    """A single market refused with a transient error is tried again, not given up on."""
    sim = await hostile()
    sim.fail_next_subscribes("depth", 1, code=code, message=message)
    h = await feed_factory(fast_config(sim.url, ["BTC_USDT"]))
    await wait_until(lambda: h.feed.status.last_error.endswith(message), 3, "the error shown")
    await wait_until(lambda: h.feed.markets["BTC_USDT"].status.state is MarketState.LIVE,
                     RECOVER_S, "the market live after a retry")
    await assert_books_match(h.feed, sim, timeout=RECOVER_S)


async def test_trades_subscribe_error_is_retried(hostile, feed_factory):
    sim = await hostile()
    sim.fail_next_subscribes("trades", 1, code=3, message="service unavailable")
    h = await feed_factory(fast_config(sim.url, MARKETS))
    assert await h.feed.wait_ready(5)
    await wait_until(lambda: all(len(m.tape) > 0 for m in h.feed.markets.values()), RECOVER_S,
                     "trades flowing after the refused trades.subscribe")
    assert "trades.subscribe refused: service unavailable" in h.feed.status.last_error


async def test_duplicate_and_out_of_order_trades(hostile, feed_factory):
    sim = await hostile(trade_rate=10.0)
    h = await feed_factory(fast_config(sim.url, MARKETS))
    assert await h.feed.wait_ready(5)
    await assert_books_match(h.feed, sim, timeout=RECOVER_S)  # pauses the sim
    m = "ETH_USDT"
    tape = h.feed.markets[m].tape
    recent = sim.trades(m)
    # Duplicates: the latest trades again, shuffled, and again in a clean=false batch.
    again = recent[:10]
    random.Random(1).shuffle(again)
    sim.inject(trades_push(m, again))
    sim.inject(trades_push(m, recent[:3]))
    # Out of order: two new trades, the newer one sent first.
    model = sim.model(m)
    head = recent[0]
    t1 = {**head, "id": head["id"] + 10, "time": round(head["time"] + 1.0, 6)}
    t2 = {**head, "id": head["id"] + 20, "time": round(head["time"] + 2.0, 6)}
    model._next_trade_id = t2["id"] + 1
    model.trades_recent.appendleft(t1)
    model.trades_recent.appendleft(t2)
    sim.inject(trades_push(m, [t2]))
    sim.inject(trades_push(m, [t1]))
    await wait_until(lambda: tape.last() is not None and tape.last().id == t2["id"]
                     and t1["id"] in {t.id for t in tape.newest(5)}, 3, "the new trades")
    await asyncio.sleep(0.1)
    ids = [t.id for t in tape]
    assert len(ids) == len(set(ids)), "duplicate trade ids on the tape"
    truth = [t["id"] for t in sim.trades(m)]
    assert ids[: len(truth)] == truth
    assert h.feed.status.frames_rejected == 0


async def test_server_switches_between_add_and_replace(hostile, feed_factory):
    sim = await hostile(markets=("BTC_USDT", "ETH_USDT", "XRP_USDT"), subscribe_mode="add")
    h = await feed_factory(fast_config(sim.url, ["BTC_USDT"]))
    feed = h.feed
    assert await feed.wait_ready(5)

    async def check(wanted: list[str]) -> None:
        assert list(feed.markets) == wanted
        assert await feed.wait_ready(5)
        await wait_until(lambda: sim.sessions and sim.sessions[0].depth == set(wanted)
                         and sim.sessions[0].trades == set(wanted), 3,
                         f"server-side subscriptions == {wanted} ({sim.config.subscribe_mode})")
        await assert_books_match(feed, sim, timeout=RECOVER_S)
        sim.resume()

    feed.add_market("ETH_USDT")
    await check(["BTC_USDT", "ETH_USDT"])
    sim.set_subscribe_mode("replace")
    feed.remove_market("BTC_USDT")
    await check(["ETH_USDT"])
    feed.add_market("XRP_USDT")
    await check(["ETH_USDT", "XRP_USDT"])
    sim.set_subscribe_mode("add")
    feed.set_markets(["BTC_USDT"])
    await check(["BTC_USDT"])
    sim.set_subscribe_mode("replace")
    feed.set_markets(["XRP_USDT", "BTC_USDT"])
    await check(["XRP_USDT", "BTC_USDT"])
    assert feed.status.reconnects == 0 and len(sim.sessions) == 1
    assert all(m.status.resyncs == 0 for m in feed.markets.values())


async def test_lifetime_close(hostile, feed_factory):
    """The live server closes at about 2 h of age: here at 0.7 s."""
    sim = await hostile(faults=Faults(lifetime=0.7))
    h = await feed_factory(fast_config(sim.url, MARKETS))
    await wait_until(lambda: sim.stats.lifetime_closes >= 1 and h.feed.status.reconnects >= 1,
                     4, "a lifetime close")
    sim.set_faults(Faults())
    assert "server closed the connection (1000 connection lifetime reached)" in bar_of(h.feed)
    assert any(n.kind == "disconnected" for n in h.notices)
    await assert_books_match(h.feed, sim, timeout=RECOVER_S)


# =========================================================== hostile frames on the socket
async def test_oversized_frame_closes_and_reconnects(hostile, feed_factory):
    sim = await hostile()
    h = await feed_factory(fast_config(sim.url, MARKETS))
    assert await h.feed.wait_ready(5)
    sim.inject(os.urandom(h.feed.max_size + 1024))  # past the client's max_size
    await wait_until(lambda: h.feed.status.reconnects >= 1, 4, "a reconnect")
    assert "1009" in h.feed.status.last_error  # "message too big", not a vague "lost"
    await assert_books_match(h.feed, sim, timeout=RECOVER_S)


async def test_text_frame_with_invalid_utf8(hostile, feed_factory):
    sim = await hostile()
    h = await feed_factory(fast_config(sim.url, MARKETS))
    assert await h.feed.wait_ready(5)
    assert sim.inject_invalid_utf8_text() == 1
    await wait_until(lambda: h.feed.status.reconnects >= 1, 4, "a reconnect")
    assert "1007" in h.feed.status.last_error  # websockets refuses the frame, we say so
    await assert_books_match(h.feed, sim, timeout=RECOVER_S)


async def test_decompression_bomb_on_the_socket(hostile, feed_factory):
    sim = await hostile()
    h = await feed_factory(fast_config(sim.url, MARKETS))
    assert await h.feed.wait_ready(5)
    bomb = zlib.compress(b" " * (MAX_INFLATED + (1 << 20)), 9)
    assert len(bomb) < 64 * 1024
    sim.inject(bomb)
    await wait_until(lambda: h.feed.status.frames_rejected == 1, 4, "the bomb rejected")
    assert "inflates past 16 MiB" in bar_of(h.feed)
    assert h.feed.status.reconnects == 0 and h.feed.status.state is LinkState.LIVE
    await assert_books_match(h.feed, sim, timeout=RECOVER_S)


async def test_hostile_close_reason_is_inert_on_screen(hostile):
    sim = await hostile()
    async with app_against(sim.url) as run:
        await live(run)
        reason = "[red]x[/red] \x1b[2J\x1b]0;pwned\x07\x9b31m"
        assert len(reason.encode()) <= 123
        sim.close_all(4000, reason)
        await wait_until(lambda: "reconnects 1" in run.bar, 3, "a reconnect")
        await wait_until(lambda: " LIVE " in run.bar, RECOVER_S, "LIVE again")
        await run.pilot.pause(0.1)
        assert "4000 [red]x[/red]" in run.bar  # markup shown literally
        screen = run.screen_text()
        bad = [(i, control_chars(line)) for i, line in enumerate(screen) if control_chars(line)]
        assert not bad, bad
        assert any("[red]x[/red]" in line for line in screen)


async def test_an_undetectable_lie_is_gone_by_the_next_snapshot(hostile, feed_factory):
    """A valid, uncrossed but false delta cannot be detected (no sequence numbers): the next
    periodic snapshot replaces the book, so it is right again within one snapshot interval."""
    sim = await hostile()
    h = await feed_factory(fast_config(sim.url, MARKETS))
    assert await h.feed.wait_ready(5)
    model = sim.model("BTC_USDT")
    deep_bid = model.truth()["bids"][-1][0]
    sim.inject(depth_push("BTC_USDT", [], [[deep_bid, "424242.0000"]]), market="BTC_USDT")
    book = h.feed.markets["BTC_USDT"].book
    await wait_until(lambda: [deep_bid, "424242.0000"] in book.as_dict()["bids"], 3, "the lie")
    took = await assert_books_match(h.feed, sim, timeout=RECOVER_S)
    assert h.feed.markets["BTC_USDT"].status.resyncs == 0  # nothing to detect: replaced
    print(f"lie corrected after {took:.2f} s (snapshot interval {SNAPSHOT_S:g} s)")
