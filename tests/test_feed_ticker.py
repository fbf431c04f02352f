"""The feed's ticker channels against dfx-sim on 127.0.0.1: tickers and the market catalogue
arrive and equal what the simulator sent; an error reply, silence or garbage on them costs
nothing but the figures (the books still equal the truth, no reconnect, no resync); and the
headless `--markets` / `--once --json` output, as real subprocesses and in-process."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest

from dfx_tui.app import cli
from dfx_tui.app.config import AppConfig
from dfx_tui.app.feed.core import FeedCore
from dfx_tui.app.feed.notices import NoticeKind
from dfx_tui.app.feed.tickers import CATALOG_REFRESH_S, REREAD_BUDGET
from dfx_tui.app.sim.faults import Faults
from dfx_tui.app.sim.market import CATALOG
from dfx_tui.app.sim.server import SimConfig, SimServer
from dfx_tui.book.catalog import DEFAULT_TTL
from dfx_tui.book.state import MarketState
from dfx_tui.book.ticker import Ticker, parse_ticker
from tests.support.feed import assert_books_match, fast_config, wait_until
from tests.support.sim_helpers import serving_in_thread

FAST = 0.15  # seconds between the simulator's ticker pushes here (1 s by default)
MARKETS = ("BTC_USDT", "ETH_USDT")
EVERY = len(set(MARKETS) | set(CATALOG))  # markets all_ticker lists: served + catalogue
BAD_NEWS = {NoticeKind.RESYNC, NoticeKind.REJECTED, NoticeKind.STALE, NoticeKind.DISCONNECTED}


def without_time(t: Ticker) -> Ticker:
    return t._replace(timestamp_ms=None)


async def start(sim_factory: Any, feed_factory: Any, faults: Faults | None = None,
                markets: tuple[str, ...] = MARKETS) -> tuple[SimServer, Any]:
    sim = await sim_factory(markets=markets, faults=faults, ticker_interval=FAST)
    h = await feed_factory(fast_config(sim.url, markets))
    assert await h.feed.wait_ready(5)
    return sim, h


def assert_unharmed(h: Any) -> None:
    """Nothing but figures lost: one connection, no resync, nothing rejected, no bad notice."""
    feed = h.feed
    assert feed.connects == 1 and feed.status.reconnects == 0
    assert feed.status.frames_rejected == 0
    for market in feed.markets.values():
        assert market.status.resyncs == 0 and market.status.state is MarketState.LIVE
    assert not BAD_NEWS & set(h.kinds()), h.kinds()


# ------------------------------------------------------------------ tickers and catalogue
async def test_tickers_arrive_and_equal_what_the_sim_sent(sim_factory, feed_factory):
    sim, h = await start(sim_factory, feed_factory)
    feed = h.feed
    await wait_until(lambda: all(m.ticker is not None for m in feed.markets.values()), 3,
                     "a ticker for every market")
    sim.pause()  # the figures hold still; the pushes go on
    pushes = feed.core.tickers.pushes
    await wait_until(lambda: feed.core.tickers.pushes >= pushes + 1, 3, "a push paused")
    versions = {n: m.ticker_version for n, m in feed.markets.items()}
    stamps = {n: m.ticker.timestamp_ms for n, m in feed.markets.items() if m.ticker}
    await wait_until(lambda: feed.core.tickers.pushes >= pushes + 3, 3, "two more pushes")
    for name, market in feed.markets.items():
        assert market.ticker is not None
        truth = parse_ticker(sim.tickers.ticker(name))
        assert without_time(market.ticker) == without_time(truth), name
        assert market.ticker.last == sim.trades(name)[0]["price"]  # the last trade sent
        # Every push a newer time, kept; but the figures shown did not change, so the
        # version (the header's repaint) did not move either.
        assert (market.ticker.timestamp_ms or 0) > (stamps[name] or 0)
        assert market.ticker_version == versions[name] >= 1
    await assert_books_match(feed, sim)
    assert_unharmed(h)


async def test_the_catalogue_fills_from_all_ticker_slices(sim_factory, feed_factory):
    sim, h = await start(sim_factory, feed_factory)
    catalog = h.feed.catalog
    await wait_until(lambda: len(catalog) == EVERY, 3, "every market of all_ticker")
    assert set(sim.tickers.markets) == {t.symbol for t in catalog}
    assert "PEPE_USDT" in catalog and "PEPE_USDT" not in h.feed.markets  # not subscribed
    volumes = [t.quote_volume_value for t in catalog.by_volume()]
    assert volumes == sorted(volumes, reverse=True) and volumes[0] > 0
    assert [t.symbol for t in catalog.search("doge")] == ["DOGE_USDT"]
    assert h.feed.core.tickers.all_pushes >= 3  # three slices make the list
    assert_unharmed(h)


async def test_ticker_subscription_follows_the_open_markets_and_reconnects(hostile,
                                                                          feed_factory):
    sim = await hostile(markets=("BTC_USDT", "ETH_USDT", "SOL_USDT"), ticker_interval=FAST)
    h = await feed_factory(fast_config(sim.url, ["BTC_USDT"]))
    feed = h.feed
    await wait_until(lambda: feed.markets["BTC_USDT"].ticker is not None, 3, "BTC's ticker")
    feed.add_market("SOL_USDT")
    await wait_until(lambda: feed.markets["SOL_USDT"].ticker is not None, 3, "SOL's ticker")
    assert sim.sessions[0].ticker == {"BTC_USDT", "SOL_USDT"}
    feed.remove_market("BTC_USDT")
    await wait_until(lambda: sim.sessions[0].ticker == {"SOL_USDT"}, 3, "BTC unsubscribed")

    sim.abort_all()  # a lost connection: both channels subscribed again on the next one
    await wait_until(lambda: feed.connects == 2 and len(sim.sessions) == 1
                     and sim.sessions[0].ticker == {"SOL_USDT"} and sim.sessions[0].all_ticker,
                     5, "the tickers subscribed again after the reconnect")
    pushes = feed.core.tickers.pushes, feed.core.tickers.all_pushes
    await wait_until(lambda: feed.core.tickers.pushes > pushes[0]
                     and feed.core.tickers.all_pushes > pushes[1], 3, "pushes again")
    await assert_books_match(feed, sim)


# ------------------------------------------------------------------ the ticker's own faults
async def test_silent_ticker_channels_cost_only_the_figures(sim_factory, feed_factory):
    sim, h = await start(sim_factory, feed_factory, Faults(ticker_silent=True))
    await wait_until(lambda: sim.tickers.pushes == 0 and sim.sessions[0].all_ticker, 3)
    await assert_books_match(h.feed, sim)
    sim.resume()
    await wait_until(lambda: h.feed.status.messages > 200, 5, "books flowing a while")
    assert all(m.ticker is None for m in h.feed.markets.values())
    assert len(h.feed.catalog) == 0 and h.feed.core.tickers.problems == 0
    assert h.feed.status.last_error == ""  # silence is no error: just no figures
    await assert_books_match(h.feed, sim)
    assert_unharmed(h)


async def test_refused_ticker_channels_cost_only_the_figures(sim_factory, feed_factory):
    # Code 3 ("service unavailable") would be retried on the depth channel: not here.
    sim, h = await start(sim_factory, feed_factory, Faults(ticker_error=3))
    tickers = h.feed.core.tickers
    await wait_until(lambda: tickers.problems == 2, 3, "both refusals counted")
    assert tickers.refused and tickers.all_state == "refused"
    assert tickers.all_refusal == "ticker unavailable"
    # Shown once, and only because no other error was: the first refusal, not the second.
    assert h.feed.status.last_error == "ticker.subscribe refused: ticker unavailable"
    assert all(m.ticker is None for m in h.feed.markets.values()) and not len(h.feed.catalog)
    # No retry behind the books' back: a refused ticker is not a transient depth refusal.
    assert h.feed.core.subs.failures == 0 and not h.feed.core.subs.needed
    await assert_books_match(h.feed, sim)
    assert_unharmed(h)


async def test_garbage_tickers_cost_only_themselves(sim_factory, feed_factory):
    sim, h = await start(sim_factory, feed_factory, Faults(ticker_garbage=True))
    tickers = h.feed.core.tickers
    # Five odd shapes rotate over the pushes of both channels: let every one come twice.
    await wait_until(lambda: tickers.pushes + tickers.all_pushes >= 12, 5, "garbage pushes")
    assert tickers.problems > 10
    shown = h.feed.status.last_error
    assert shown.startswith(("ticker", "all_ticker")), shown  # the first problem, once
    seen = tickers.problems
    await wait_until(lambda: tickers.problems > seen + 3, 3, "more garbage")
    assert h.feed.status.last_error == shown
    for ticker in [m.ticker for m in h.feed.markets.values()] + list(h.feed.catalog):
        if ticker is not None:  # what did get through is a real ticker, not a guess
            assert ticker.symbol in sim.tickers.markets and float(ticker.last) > 0
    await assert_books_match(h.feed, sim)
    assert_unharmed(h)


# ------------------------------------------------------------------ the core, by hand
def refuse(core: FeedCore, method: str, code: int, now: float) -> None:
    request = next(r for r in core.dialogue.requests.pending.values() if r.method == method)
    core.handle_message({"id": request.id, "result": None,
                         "error": {"code": code, "message": "busy"}}, now)


def test_ticker_replies_stay_out_of_the_depth_subscription():
    core = FeedCore(AppConfig(markets=["BTC_USDT"], ping_interval=1e6, pong_timeout=1e6,
                              stale_after=1e6, request_timeout=5.0), lambda _n: None)
    core.connected(0.0, "ws://x/")
    core.tick(0.0)
    sent = [(r.method, r.params, r.markets) for r in core.take_outgoing()]
    assert ("ticker.subscribe", ["BTC_USDT"], ()) in sent  # no markets: settles no wait
    assert ("all_ticker.subscribe", [], ()) in sent
    ticker = next(r for r in core.dialogue.requests.pending.values()
                  if r.method == "ticker.subscribe")
    core.handle_message({"id": ticker.id, "result": {"status": "success"}}, 0.1)
    assert not core.subs.waiting["BTC_USDT"].acked  # a ticker ack is not the depth ack
    refuse(core, "all_ticker.subscribe", 3, 0.2)  # "transient" on the ticker: no resubscribe
    assert core.subs.failures == 0 and core.subs.due(0.3) is None
    assert core.status.last_error == "all_ticker.subscribe refused: busy"
    core.handle_message({"method": "ticker.update", "params": {"x": 1}}, 0.3)
    assert core.status.last_error == "all_ticker.subscribe refused: busy"  # once only
    assert core.tickers.problems == 2 and core.status.frames_rejected == 0
    core.tick(6.0)  # the depth and trades subscribes time out: theirs is the error now
    assert core.status.last_error.startswith("trades.subscribe: no reply")
    assert core.markets["BTC_USDT"].status.state is MarketState.WAITING


# ------------------------------------------------------------------ headless
@pytest.fixture
def sim_url() -> Iterator[str]:
    """A dfx-sim on its own thread and loop, for code that runs its own loop."""
    sim = SimServer(SimConfig(markets=MARKETS, seed=3, rate=30.0, ticker_interval=FAST),
                    host="127.0.0.1", port=0)
    with serving_in_thread(sim):
        yield sim.url


def run_cli(*args: str, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "dfx_tui.app.cli", *args],
                          capture_output=True, text=True, timeout=timeout)


def test_markets_prints_the_catalogue_by_volume(sim_url):
    res = run_cli("--markets", "--url", sim_url)
    assert res.returncode == 0, res.stderr
    lines = res.stdout.splitlines()
    assert lines[0].split() == ["MARKET", "LAST", "24H", "HIGH", "LOW", "QUOTE", "VOL"]
    assert len(lines) == 1 + EVERY and res.stderr == ""
    symbols = [line.split()[0] for line in lines[1:]]
    assert set(symbols) == set(MARKETS) | set(CATALOG)
    assert all(line.endswith(" USDT") for line in lines[1:])  # every quote volume came


def test_markets_json_is_exact_and_ordered(sim_url):
    res = run_cli("--markets", "--json", "--url", sim_url)
    assert res.returncode == 0, res.stderr
    doc = json.loads(res.stdout)
    assert doc["complete"] is True and len(doc["markets"]) == EVERY
    volumes = [float(m["quote_volume_24h"]) for m in doc["markets"]]
    assert volumes == sorted(volumes, reverse=True)
    btc = next(m for m in doc["markets"] if m["symbol"] == "BTC_USDT")
    assert isinstance(btc["last"], str) and btc["change_pct"].endswith("%")
    assert set(btc) >= {"open_24h", "high_24h", "low_24h", "best_bid", "timestamp"}


@pytest.mark.parametrize("faults, needle", [
    (Faults(ticker_error=4), "refused all_ticker.subscribe: ticker unavailable"),
    (Faults(ticker_silent=True), "no all_ticker push within 1.5 s"),
])
def test_markets_without_a_list_fails_with_one_line(faults, needle):
    sim = SimServer(SimConfig(markets=MARKETS, seed=3, faults=faults, ticker_interval=FAST),
                    host="127.0.0.1", port=0)
    with serving_in_thread(sim):
        res = run_cli("--markets", "--timeout", "1.5", "--url", sim.url)
    assert res.returncode == 1 and res.stdout == ""
    assert res.stderr.count("\n") == 1 and needle in res.stderr, res.stderr


@pytest.mark.parametrize("argv, needle", [
    (["--markets", "BTC_USDT"], "give no MARKET names"),
    (["--markets", "--once"], "cannot be used together"),
    (["--markets", "--replay", "x.jsonl"], "cannot be used together"),
])
def test_markets_usage_errors(capsys, argv, needle):
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and needle in err


def test_once_json_includes_each_markets_ticker(sim_url, capsys):
    assert cli.main(["--once", "--json", "--depth", "2", "--url", sim_url, *MARKETS]) == 0
    doc = json.loads(capsys.readouterr().out)
    for name, market in doc["markets"].items():
        ticker = market["ticker"]
        assert ticker["symbol"] == name and isinstance(ticker["last"], str)
        assert ticker["change_pct"].endswith("%") and "quote_volume_24h" in ticker


def test_once_json_ticker_is_null_when_refused(capsys):
    sim = SimServer(SimConfig(markets=MARKETS, seed=3, faults=Faults(ticker_error=4),
                              ticker_interval=FAST), host="127.0.0.1", port=0)
    with serving_in_thread(sim):
        assert cli.main(["--once", "--json", "--url", sim.url, "BTC_USDT"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["markets"]["BTC_USDT"]["ticker"] is None
    assert doc["markets"]["BTC_USDT"]["bids"]  # the book, whatever the ticker did


def all_ticker(symbols: list[str], last: str, ts: int) -> dict[str, Any]:
    return {"method": "all_ticker.update", "id": None,
            "params": [{"symbol": s, "last": last, "quote_volume_24h": "10", "timestamp": ts}
                       for s in symbols]}


def test_catalogue_markets_are_read_again_only_now_and_then():
    """Reading a ticker costs 14-30 us: a catalogue market that is not open is read again
    only CATALOG_REFRESH_S after it last was, at most REREAD_BUDGET a push; in between it is
    only kept listed. Open markets are read from every push."""
    core = FeedCore(AppConfig(markets=["M0_USDT"]), lambda _n: None)
    symbols = [f"M{i}_USDT" for i in range(REREAD_BUDGET + 50)]
    core.handle_message(all_ticker(symbols, "1.0", 1), 0.0)
    catalog = core.tickers.catalog
    assert len(catalog) == len(symbols) and core.tickers.new_in_last_slice == len(symbols)
    core.handle_message(all_ticker(symbols, "2.0", 2), 1.0)
    assert catalog.get("M1_USDT").last == "1.0"  # not read again yet...
    assert core.markets["M0_USDT"].ticker.last == "2.0"  # ...but the open market is
    assert core.tickers.all_pushes_read == 2  # kept listed counts as read (no new market)
    core.handle_message(all_ticker(symbols, "3.0", 3), CATALOG_REFRESH_S + 1.0)
    again = [s for s in symbols[1:] if catalog.get(s).last == "3.0"]
    assert len(again) == REREAD_BUDGET  # the rest wait for the next push
    core.handle_message(all_ticker(symbols, "4.0", 4), CATALOG_REFRESH_S + 2.0)
    assert all(catalog.get(s).last in ("3.0", "4.0") for s in symbols)
    assert catalog.expire(CATALOG_REFRESH_S + 2.0 + DEFAULT_TTL - 1) == 0  # kept listed
