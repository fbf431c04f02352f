"""dfx-sim's ticker channels against a real WebSocket client on 127.0.0.1: figures consistent
with the trades and books it sends, all_ticker slices that add up to every market, the
subscription rules of the other channels, and the fault flags."""

from __future__ import annotations

import asyncio
import shlex
from decimal import Decimal
from typing import Any

import pytest

from dfx_tui.app.sim.cli import build_parser, config_from_args
from dfx_tui.app.sim.faults import Faults
from dfx_tui.app.sim.market import CATALOG
from dfx_tui.app.sim.server import SimConfig, SimServer
from dfx_tui.book.catalog import MarketCatalog
from dfx_tui.book.codec import ProtocolError, UnknownPush, decode_frame
from dfx_tui.book.ticker import Ticker, TickerPush, ticker_event
from tests.support.sim_helpers import Client, decode

ACK = {"status": "success"}
FAST = 0.15  # seconds between ticker pushes in these tests (the default is 1 s)


def cfg(**kw: Any) -> SimConfig:
    kw.setdefault("markets", ("BTC_USDT", "ETH_USDT", "SHIB_USDT"))
    kw.setdefault("seed", 1)
    kw.setdefault("ticker_interval", FAST)
    return SimConfig(**kw)


async def next_ticker_push(c: Client, method: str = "ticker.update",
                           timeout: float = 3.0) -> TickerPush:
    """The next push of `method`, through the client's path: codec, then ticker_event."""
    while True:
        event = decode_frame(await c.recv_raw(timeout))
        if isinstance(event, UnknownPush) and event.method == method:
            push = ticker_event(event.method, event.params)
            assert push is not None
            return push


async def quiet_for(c: Client, seconds: float, method: str) -> int:
    """How many `method` pushes arrive in the next `seconds` (other frames are read too)."""
    loop = asyncio.get_running_loop()
    end = loop.time() + seconds
    n = 0
    while (left := end - loop.time()) > 0:
        try:
            msg = decode(await c.recv_raw(left))
        except TimeoutError:
            break
        n += isinstance(msg, dict) and msg.get("method") == method
    return n


# ------------------------------------------------------------------- consistency
async def test_ticker_follows_the_trades_and_the_book_the_sim_sent() -> None:
    async with SimServer(cfg(rate=80, trade_rate=20)) as sim, await Client.open(sim.url) as c:
        await c.send("trades.subscribe", ["BTC_USDT"])
        await c.send("ticker.subscribe", ["btc_usdt"])  # after the trades snapshot, in order
        newest: dict[str, Any] | None = None  # the newest trade received on trades.update
        since: list[dict[str, Any]] = []  # trades received since the previous ticker
        previous: Ticker | None = None
        tickers = checked_deltas = 0
        received = 0  # ticker pushes read so far
        paused_at: int | None = None  # ticker pushes the sim had sent when it was paused
        while True:
            msg = decode(await c.recv_raw())
            if msg.get("method") == "trades.update":
                clean, trades, market = msg["params"]
                assert market == "BTC_USDT"
                if not clean:
                    since.extend(trades)
                newest = trades[0] if trades else newest
                continue
            if msg.get("method") != "ticker.update":
                continue
            received += 1
            push = ticker_event(msg["method"], msg["params"])
            assert push is not None and push.rejected == ()
            (t,) = push.tickers
            assert newest is not None and t.symbol == "BTC_USDT"
            assert t.last == newest["price"]  # last = the last trade the sim sent
            assert t.high_24h is not None and t.low_24h is not None
            assert Decimal(t.low_24h) <= Decimal(t.last) <= Decimal(t.high_24h)
            assert t.best_bid is not None and t.best_ask is not None
            assert Decimal(t.best_bid) < Decimal(t.best_ask)
            assert t.timestamp_ms is not None and t.timestamp_ms > 1.5e12  # milliseconds
            if previous is not None:  # the volumes grow by exactly the trades in between
                assert (Decimal(t.base_volume_24h or "") - Decimal(previous.base_volume_24h or "")
                        == sum((Decimal(x["amount"]) for x in since), Decimal(0)))
                assert (Decimal(t.quote_volume_24h or "")
                        - Decimal(previous.quote_volume_24h or "")
                        == sum((Decimal(x["amount"]) * Decimal(x["price"]) for x in since),
                               Decimal(0)))
                checked_deltas += bool(since)
                assert t.open_24h == previous.open_24h  # the window does not slide
            previous, since = t, []
            tickers += 1
            if paused_at is None and tickers >= 6 and checked_deltas >= 2:
                # Freeze the market; a ticker made from here on shows this book and this tape.
                sim.pause()
                paused_at = sim.sessions[0].stats.ticker_msgs_sent
                truth, last_trade = sim.truth("BTC_USDT"), sim.trades("BTC_USDT")[0]
            elif paused_at is not None and received > paused_at:
                assert [t.best_bid, t.best_bid_size] == truth["bids"][0]
                assert [t.best_ask, t.best_ask_size] == truth["asks"][0]
                assert t.last == last_trade["price"] == newest["price"]
                assert msg["params"][0]["last_qty"] == last_trade["amount"]
                return


async def test_all_ticker_slices_cover_every_market_in_three_pushes() -> None:
    served = ("BTC_USDT", "ABC_USDT")  # a made-up market it runs is listed too
    everything = set(CATALOG) | set(served)
    async with SimServer(cfg(markets=served)) as sim, await Client.open(sim.url) as c:
        assert (await c.call("all_ticker.subscribe", []))["result"] == ACK
        catalog = MarketCatalog(ttl=60)
        for round_ in range(2):  # and again: the rotation goes on
            seen: list[str] = []
            for i in range(3):
                push = await next_ticker_push(c, "all_ticker.update")
                assert push.all_markets and push.rejected == ()
                assert 1 <= len(push.tickers) <= 4  # a third of the ten, rounded up
                seen += [t.symbol for t in push.tickers]
                catalog.update(push.tickers, now=round_ * 3.0 + i)
                for t in push.tickers:
                    assert t.best_bid and t.best_ask and Decimal(t.best_bid) < Decimal(t.best_ask)
                    assert t.low_24h is not None and Decimal(t.low_24h) <= Decimal(t.last)
                    assert (t.high_24h is None) == (t.symbol in ("ETH_USDT", "EOS_USDT",
                                                                   "DFT_USDT"))
                    if t.high_24h is not None:
                        assert Decimal(t.last) <= Decimal(t.high_24h)
            assert sorted(seen) == sorted(everything)  # each market exactly once a rotation
        assert len(catalog) == len(everything)
        volumes = [Decimal(t.quote_volume_24h or 0) for t in catalog.by_volume()]
        assert volumes == sorted(volumes, reverse=True) and len(set(volumes)) == len(volumes)
        assert [t.symbol for t in catalog.search("btc")] == ["BTC_USDT"]


# ------------------------------------------------------------------- subscriptions
@pytest.mark.parametrize("mode", ["replace", "add"])
async def test_a_second_ticker_subscribe_adds_or_replaces(mode: str) -> None:
    async with SimServer(cfg(subscribe_mode=mode)) as sim, await Client.open(sim.url) as c:
        assert (await c.call("ticker.subscribe", ["BTC_USDT"]))["result"] == ACK
        assert [t.symbol for t in (await next_ticker_push(c)).tickers] == ["BTC_USDT"]
        assert (await c.call("ticker.subscribe", ["ETH_USDT", "eth_usdt"]))["result"] == ACK
        first = await next_ticker_push(c)  # at once: the markets of this subscribe
        assert [t.symbol for t in first.tickers] == ["ETH_USDT"]
        later = await next_ticker_push(c)  # then every market the connection has
        want = ["ETH_USDT"] if mode == "replace" else ["BTC_USDT", "ETH_USDT"]
        assert [t.symbol for t in later.tickers] == want
        assert sim.sessions[0].info()["ticker"] == want


async def test_unsubscribe_stops_the_pushes_and_unknown_markets_are_refused() -> None:
    async with SimServer(cfg()) as sim, await Client.open(sim.url) as c:
        r = await c.call("ticker.subscribe", ["BTC_USDT", "NOPE_USDT"])
        assert r["error"] == {"code": 1, "message": "invalid argument: unknown market NOPE_USDT"}
        assert (await c.call("ticker.subscribe", []))["error"]["code"] == 1
        assert (await c.call("ticker.subscribe", "BTC_USDT"))["error"]["code"] == 1
        # a catalogue market the sim does not run has a ticker (it is in all_ticker)
        assert (await c.call("ticker.subscribe", ["SOL_USDT", "BTC_USDT"]))["result"] == ACK
        assert (await c.call("all_ticker.subscribe", []))["result"] == ACK
        await next_ticker_push(c)
        assert (await c.call("ticker.unsubscribe", []))["result"] == ACK
        assert (await c.call("all_ticker.unsubscribe", []))["result"] == ACK
        for method in ("ticker.update", "all_ticker.update"):
            assert await quiet_for(c, 4 * FAST, method) == 0
        s = sim.sessions[0]
        assert s.ticker == set() and not s.all_ticker


# ------------------------------------------------------------------- fault flags
async def test_ticker_silent_acks_and_never_pushes() -> None:
    async with SimServer(cfg(faults=Faults(ticker_silent=True))) as sim, \
            await Client.open(sim.url) as c:
        assert (await c.call("ticker.subscribe", ["BTC_USDT"]))["result"] == ACK
        assert (await c.call("all_ticker.subscribe", []))["result"] == ACK
        assert (await c.call("depth.subscribe", ["BTC_USDT"]))["result"] == ACK
        assert await quiet_for(c, 5 * FAST, "ticker.update") == 0  # all_ticker counted below
        stats = sim.sessions[0].stats
        assert stats.ticker_msgs_sent == stats.all_ticker_msgs_sent == 0
        assert stats.depth_msgs_sent > 0  # the books go on


@pytest.mark.parametrize("code", [4, 2])
async def test_ticker_error_refuses_both_subscribes_and_nothing_else(code: int) -> None:
    async with SimServer(cfg(faults=Faults(ticker_error=code))) as sim, \
            await Client.open(sim.url) as c:
        for method, params in (("ticker.subscribe", ["BTC_USDT"]), ("all_ticker.subscribe", [])):
            r = await c.call(method, params)
            assert r["result"] is None and r["error"]["code"] == code
        assert (await c.call("ticker.unsubscribe", []))["result"] == ACK
        assert (await c.call("depth.subscribe", ["BTC_USDT"]))["result"] == ACK
        assert await quiet_for(c, 4 * FAST, "ticker.update") == 0
        assert sim.sessions[0].stats.errors_sent == 2


async def test_ticker_garbage_costs_only_the_bad_tickers() -> None:
    faults = Faults(ticker_garbage=True)
    async with SimServer(cfg(faults=faults)) as sim, await Client.open(sim.url) as c:
        await c.send("ticker.subscribe", ["BTC_USDT", "ETH_USDT"])
        await c.send("all_ticker.subscribe", [])
        reasons: list[str] = []
        good: list[Ticker] = []
        pushes = 0
        while pushes < 10:  # two rounds of the five kinds
            event = decode_frame(await c.recv_raw())  # garbage inside valid frames
            if isinstance(event, UnknownPush):
                push = ticker_event(event.method, event.params)
                assert push is not None
                reasons += push.rejected
                good += push.tickers
                pushes += 1
        text = " | ".join(reasons)
        for why in ("params must be a list", "lacks 'last'", "lacks 'symbol'",
                    "not a decimal number", "plain decimal", "must be a decimal string",
                    "in range", "too long", "Unix milliseconds", "not a market name",
                    "must be an object", "symbol must be a string"):
            assert why in text, why
        assert good and {t.symbol for t in good} <= set(CATALOG)
        assert "\x1b" not in text
        assert sim.sessions[0].stats.errors_sent == 0


async def test_the_existing_fault_flags_apply_to_the_ticker_channels() -> None:
    faults = Faults(text_acks=True, snapshot_before_ack=True, corrupt_every=2, stall_after=1.2)
    async with SimServer(cfg(faults=faults)) as sim, await Client.open(sim.url) as c:
        await c.send("ticker.subscribe", ["BTC_USDT"])
        first, ack = await c.recv_raw(), await c.recv_raw()
        assert isinstance(first, bytes) and decode(first)["method"] == "ticker.update"  # before
        assert isinstance(ack, str) and decode(ack)["result"] == ACK  # the ack, as text
        bad = real = 0
        while True:  # until the stall at 1.2 s, then 0.6 s (4 intervals) of silence
            try:
                raw = await c.recv_raw(4 * FAST)
            except TimeoutError:
                break
            try:
                event = decode_frame(raw)
            except ProtocolError:
                bad += 1  # bad zlib or bad JSON
                continue
            assert isinstance(event, UnknownPush)
            push = ticker_event(event.method, event.params)
            assert push is not None
            real += not push.rejected
            bad += bool(push.rejected)  # the wrong-shape kind
        stats = sim.sessions[0].stats
        assert stats.stalls == 1 and sim.sessions[0].ticker == {"BTC_USDT"}
        assert bad >= 2 and bad == stats.corrupt_sent  # one after every second push
        assert real + 1 == stats.ticker_msgs_sent >= 6  # every real push arrived (+ the first)


def test_ticker_flags_map_to_config() -> None:
    def faults(argv: str) -> Faults:
        return config_from_args(build_parser().parse_args(shlex.split(argv))).faults

    assert faults("") == Faults()
    assert faults("--ticker-silent").ticker_silent
    assert faults("--ticker-error").ticker_error == 4
    assert faults("--ticker-error 2").ticker_error == 2
    assert faults("--ticker-garbage").ticker_garbage
