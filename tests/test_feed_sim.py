"""The feed client against dfx-sim on 127.0.0.1 with faults on: books always end equal to truth."""

from __future__ import annotations

import asyncio
import time

import pytest

from dfx_tui.app.sim import wire as sim_wire
from dfx_tui.app.sim.server import Faults
from dfx_tui.book.state import LinkState, MarketState
from tests.support.feed import assert_books_match, fast_config, wait_until

MARKETS = ("BTC_USDT", "ETH_USDT")


async def test_live_books_and_trades_match_truth(sim_factory, feed_factory):
    sim = await sim_factory()
    h = await feed_factory(fast_config(sim.url, ["btc_usdt", "ETH_USDT"]))
    feed = h.feed
    assert await feed.wait_ready(3)
    await asyncio.sleep(0.5)
    await assert_books_match(feed, sim)
    for m in MARKETS:
        ours = [t.id for t in feed.markets[m].tape.newest(20)]
        assert ours == [t["id"] for t in sim.trades(m)][: len(ours)]
    st = feed.status
    assert st.state is LinkState.LIVE and st.reconnects == 0 and st.frames_rejected == 0
    assert st.latency_ms is not None and st.clock_offset_s is not None
    assert abs(st.clock_offset_s) < 2
    assert h.kinds() == ["connected"]


async def test_drop_mid_stream_reconnects_and_books_recover(sim_factory, feed_factory):
    sim = await sim_factory(faults=Faults(drop_every=0.4))
    h = await feed_factory(fast_config(sim.url, MARKETS))
    seen_stale: list[bool] = []

    def on_notice(n):
        h.notices.append(n)
        if n.kind == "disconnected":  # books kept and marked stale, never blanked
            seen_stale.append(all(m.status.state is MarketState.STALE and len(m.book) > 0
                                  for m in h.feed.markets.values()))

    h.feed.on_notice = on_notice
    await wait_until(lambda: h.feed.status.reconnects >= 2, 5, "two reconnects")
    assert seen_stale and all(seen_stale)
    await assert_books_match(h.feed, sim)


async def test_handshake_refused_twice_then_accepted(sim_factory, feed_factory):
    sim = await sim_factory(faults=Faults(refuse_handshakes=2))
    h = await feed_factory(fast_config(sim.url, MARKETS))
    assert await h.feed.wait_ready(5)
    assert h.feed.status.reconnects == 2
    assert sim.stats.handshakes_refused == 2
    await assert_books_match(h.feed, sim)


async def test_stall_is_detected_as_stale_and_reconnected(sim_factory, feed_factory):
    sim = await sim_factory(faults=Faults(stall_after=0.5))
    h = await feed_factory(fast_config(sim.url, MARKETS))
    assert await h.feed.wait_ready(3)
    t = await wait_until(lambda: "stale" in h.kinds(), 5, "a stale notice")
    await wait_until(lambda: h.feed.status.reconnects >= 1 and h.feed.ready(), 5, "recovery")
    assert t < 0.5 + 0.8 + 0.5
    await assert_books_match(h.feed, sim)


async def test_corrupt_frames_counted_never_fatal(sim_factory, feed_factory):
    sim = await sim_factory(faults=Faults(corrupt_every=5))
    h = await feed_factory(fast_config(sim.url, MARKETS))
    await wait_until(lambda: h.feed.status.frames_rejected >= 6, 5, "corrupt frames")
    assert h.feed.status.reconnects == 0
    assert h.feed.status.last_error.startswith("bad frame")
    await assert_books_match(h.feed, sim)


async def test_crossed_update_resyncs_market(sim_factory, feed_factory):
    sim = await sim_factory(faults=Faults(crossed_after=0.3))
    h = await feed_factory(fast_config(sim.url, MARKETS))
    await wait_until(lambda: "resync" in h.kinds(), 3, "a resync")
    crossed = sorted(MARKETS)[0]
    assert [n.market for n in h.notices if n.kind == "resync"] == [crossed]
    await wait_until(lambda: h.feed.markets[crossed].status.state is MarketState.LIVE, 3,
                     "the resynced market to go live")
    assert h.feed.markets[crossed].status.resyncs == 1
    assert not h.feed.markets[crossed].book.is_crossed()
    assert h.feed.status.reconnects == 0
    await assert_books_match(h.feed, sim)


@pytest.mark.parametrize("faults", [Faults(text_acks=True), Faults(snapshot_before_ack=True),
                                    Faults(text_acks=True, snapshot_before_ack=True)],
                         ids=["text-acks", "snapshot-before-ack", "both"])
async def test_ack_variants(sim_factory, feed_factory, faults):
    sim = await sim_factory(faults=faults)
    h = await feed_factory(fast_config(sim.url, MARKETS))
    assert await h.feed.wait_ready(3)
    await asyncio.sleep(0.4)  # several pings answered
    assert h.feed.status.latency_ms is not None
    assert h.feed.status.frames_rejected == 0
    assert all(m.status.resyncs == 0 for m in h.feed.markets.values())
    await assert_books_match(h.feed, sim)


@pytest.mark.parametrize("mode", ["add", "replace"])
async def test_market_set_changes_in_both_subscribe_modes(sim_factory, feed_factory, mode):
    sim = await sim_factory(markets=("BTC_USDT", "ETH_USDT", "XRP_USDT"), subscribe_mode=mode)
    h = await feed_factory(fast_config(sim.url, ["BTC_USDT"]))
    feed = h.feed
    assert await feed.wait_ready(3)

    async def check(wanted: list[str]) -> None:
        assert list(feed.markets) == wanted
        assert await feed.wait_ready(3)
        await wait_until(lambda: sim.sessions and sim.sessions[0].depth == set(wanted)
                         and sim.sessions[0].trades == set(wanted), 3,
                         f"server-side subscriptions == {wanted}")
        await assert_books_match(feed, sim)
        sim.resume()
        await asyncio.sleep(0.2)

    feed.add_market("eth_usdt")
    await check(["BTC_USDT", "ETH_USDT"])
    feed.remove_market("BTC_USDT")
    await check(["ETH_USDT"])
    feed.set_markets(["XRP_USDT", "ETH_USDT"])
    await check(["XRP_USDT", "ETH_USDT"])
    assert feed.status.reconnects == 0 and len(sim.sessions) == 1


async def test_idle_close_when_pings_stop_then_recovers(sim_factory, feed_factory):
    sim = await sim_factory(idle_timeout=0.4)
    h = await feed_factory(fast_config(sim.url, MARKETS, ping_interval=30.0, stale_after=5.0))
    await wait_until(lambda: h.feed.status.reconnects >= 1, 3, "a reconnect after idle close")
    assert sim.stats.idle_closes >= 1
    assert "1000" in h.feed.status.last_error or "closed" in h.feed.status.last_error
    await assert_books_match(h.feed, sim)


async def test_pings_keep_an_idle_server_from_closing(sim_factory, feed_factory):
    sim = await sim_factory(idle_timeout=0.6)
    h = await feed_factory(fast_config(sim.url, MARKETS, ping_interval=0.2))
    await asyncio.sleep(1.5)
    assert sim.stats.idle_closes == 0 and h.feed.status.reconnects == 0


async def test_an_idle_connection_ticks_only_for_its_pings(sim_factory, feed_factory):
    """The link's control task sleeps until the core's next deadline: on a quiet connection
    that is the next ping (0.3 s here), so about 5 ticks in 1.5 s, where a clock of a
    quarter of the shortest timer ticked every 0.075 s (20 ticks). Keep-alive still works:
    every ping is answered and the link stays up."""
    sim = await sim_factory(rate=0.0, trade_rate=0.0)
    h = await feed_factory(fast_config(sim.url, MARKETS, stale_after=5.0))
    assert await h.feed.wait_ready(5)
    await asyncio.sleep(0.3)  # the greeting's replies are in
    core = h.feed.core
    tick, ticks = core.tick, []

    def counted(now: float) -> str | None:
        ticks.append(now)
        return tick(now)

    core.tick = counted  # type: ignore[method-assign]
    t0 = time.monotonic()
    await asyncio.sleep(1.5)
    assert 3 <= len(ticks) <= 7, ticks
    keepalive = core.dialogue.keepalive
    assert keepalive.last_ping > t0 + 1.0  # pings kept going out, every 0.3 s
    assert h.feed.status.reconnects == 0 and h.feed.status.state is LinkState.LIVE


async def test_the_rates_clock_rides_on_the_messages_and_sleeps_in_silence(sim_factory,
                                                                         feed_factory):
    """The once-a-second work (rates, status news, the recording's flush) is run by the
    first message due: with the simulator paused its tickers (a push a second) bring it,
    and its own timer never fires; when the server goes silent the timer runs it until the
    rates read 0 and the age a second, then sleeps until the next message."""
    sim = await sim_factory(faults=Faults(stall_after=4.0))
    h = await feed_factory(fast_config(sim.url, MARKETS, stale_after=30.0, ping_interval=30.0))
    feed = h.feed
    assert await feed.wait_ready(5)
    sim.pause()
    silent, seconds = [], []
    second, timer = feed._second, feed._silent

    def counted_second(now: float) -> None:
        seconds.append(now)
        second(now)

    def counted_silent() -> None:
        silent.append(time.monotonic())
        timer()

    feed.core.on_second = feed._second = counted_second  # type: ignore[method-assign]
    feed._silent = counted_silent  # type: ignore[method-assign]
    await asyncio.sleep(2.5)  # tickers only
    assert len(seconds) >= 2 and silent == [], (seconds, silent)
    assert 0 < feed.status.msgs_per_s <= 3
    await wait_until(lambda: feed.status.msgs_per_s == 0, 4, "the rates at 0 in silence")
    await asyncio.sleep(3.0)
    assert 1 <= len(silent) <= 3, silent  # then asleep: no timer left
    assert feed._silence is None


async def test_unknown_market_rejected_others_carry_on(sim_factory, feed_factory):
    sim = await sim_factory()
    h = await feed_factory(fast_config(sim.url, ["BTC_USDT", "NOPE_USDT", "ETH_USDT"]))
    assert await h.feed.wait_ready(3)
    bad = h.feed.markets["NOPE_USDT"]
    assert bad.status.state is MarketState.REJECTED
    assert "unknown market" in bad.status.error
    assert [n.market for n in h.notices if n.kind == "rejected"] == ["NOPE_USDT"]
    await assert_books_match(h.feed, sim, ["BTC_USDT", "ETH_USDT"])


async def test_market_without_snapshot_is_rejected_after_timeout(sim_factory, feed_factory):
    sim = await sim_factory()
    real = sim._snapshot_frame
    noop = sim_wire.encode(sim_wire.push("noop.update", []))
    sim._snapshot_frame = lambda m: noop if m == "ETH_USDT" else real(m)  # acked, never sent
    h = await feed_factory(fast_config(sim.url, MARKETS, snapshot_timeout=0.5))
    t0 = time.monotonic()
    assert await h.feed.wait_ready(3)
    eth = h.feed.markets["ETH_USDT"]
    assert eth.status.state is MarketState.REJECTED and "no snapshot" in eth.status.error
    assert 0.5 <= time.monotonic() - t0 < 1.5
    await assert_books_match(h.feed, sim, ["BTC_USDT"])


async def test_unreachable_server_keeps_retrying_with_backoff(feed_factory):
    import socket

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    h = await feed_factory(fast_config(f"ws://127.0.0.1:{port}/ws/v1/"))
    await wait_until(lambda: h.feed.status.reconnects >= 3, 3, "retries")
    assert h.feed.status.state in (LinkState.RECONNECTING, LinkState.CONNECTING)
    assert "connection refused" in h.feed.status.last_error
    assert h.feed.markets["BTC_USDT"].status.state is MarketState.WAITING
