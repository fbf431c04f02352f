"""Make the README pictures of the real app from seeded data: SVGs, then PNG copies.

    .venv/bin/python screenshots/make_screenshots.py          # needs rsvg-convert for PNGs

Every picture is the real `DfxApp` on markets filled by the simulator's model with a fixed
seed, a frozen clock and UTC times, so running it twice gives the same pictures.
"""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC
from pathlib import Path

from dfx_tui.app.config import AppConfig
from dfx_tui.app.feed_source import FixedFeed, seeded_market
from dfx_tui.app.seeded_history import HISTORY_END, seeded_history
from dfx_tui.app.sim.market import CATALOG, MarketModel, spec_for
from dfx_tui.app.sim.ticker_data import DayStats
from dfx_tui.app.tui import DfxApp
from dfx_tui.book.alerts import AlertSpec
from dfx_tui.book.catalog import MarketCatalog
from dfx_tui.book.state import ConnectionStatus, LinkState, Market, MarketState
from dfx_tui.book.tape import BUY, Trade
from dfx_tui.book.ticker import Ticker, parse_ticker

HERE = Path(__file__).resolve().parent
T0 = 1000.0
WALL_T0 = 1_750_000_010.0  # the wall clock: just after the seeded trades (volume at price)
ALL = ("BTC_USDT", "ETH_USDT", "SOL_USDT", "XRP_USDT", "DOGE_USDT", "SHIB_USDT")


def seeded_ticker(name: str, seed: int = 7, t0: float = 1_750_000_000.0) -> Ticker:
    """The simulator's 24 h ticker of a market, from the same seeded model as its book."""
    model = MarketModel(spec_for(name), seed, now=t0)
    for i in range(200):
        model.step(t0 + i * 0.05)
    return parse_ticker(DayStats(model, seed).ticker(model, int(t0 * 1000) + 10_000))


def with_ticker(market: Market) -> Market:
    market.ticker = seeded_ticker(market.name)
    market.ticker_version += 1
    return market


def fixed_app(markets: tuple[str, ...], *, state: LinkState = LinkState.LIVE,
              market_state: MarketState = MarketState.LIVE, age: float = 0.2,
              msgs_per_s: float = 183.0, **status_kw) -> DfxApp:
    status = ConnectionStatus(url="fixed://", state=state, last_message_at=T0 - age,
                              msgs_per_s=msgs_per_s, latency_ms=11.0, **status_kw)
    feed = FixedFeed([with_ticker(seeded_market(m, state=market_state)) for m in markets],
                     status)
    catalog = MarketCatalog()
    catalog.update([seeded_ticker(m) for m in CATALOG], T0)
    feed.catalog = catalog  # the exchange's market list, as all_ticker fills it
    return DfxApp(AppConfig(markets=list(markets)), feed=feed, clock=lambda: T0,
                  tz=UTC, wall_clock=lambda: WALL_T0)


def history_app(**config) -> DfxApp:
    """BTC with fifteen minutes of seeded history behind it (a one-minute gap six minutes
    ago, as a reconnect leaves), for the heatmap and the sparkline."""
    markets = [seeded_history("BTC_USDT", gaps=[(HISTORY_END - 420, HISTORY_END - 360)]),
               seeded_market("ETH_USDT"), seeded_market("SOL_USDT")]
    status = ConnectionStatus(url="fixed://", state=LinkState.LIVE, last_message_at=T0 - 0.2,
                              msgs_per_s=183.0, latency_ms=11.0)
    return DfxApp(AppConfig(markets=[m.name for m in markets], **config),
                  feed=FixedFeed(markets, status), clock=lambda: T0, tz=UTC,
                  wall_clock=lambda: HISTORY_END)


async def flash_some_levels(app: DfxApp) -> None:
    """Change a few sizes after the first paint so the picture shows the up/down flashes."""
    pane = app.active_pane()
    assert pane is not None
    book = pane.market.book
    asks, bids = book.asks(4), book.bids(6)
    book.apply_update([[asks[1][0], "2.5000"]], [[bids[2][0], "0.0100"], [bids[4][0], "3.1000"]])
    app.on_clock()


async def trader_moves(app: DfxApp) -> None:
    """The trader's ladder at work: a three-print buy sweep on the tape, size pulled and
    stacked 11 s after the first sample, the cursor three bids down, the tape merged."""
    market = app.feed.markets["BTC_USDT"] if app.feed is not None else None
    assert market is not None
    newest = market.tape.last()
    assert newest is not None
    prints = [("64994.16", "0.4100", 2), ("64993.55", "0.1472", 1), ("64993.19", "0.1278", 0)]
    market.tape.apply(False, [Trade(newest.id + 1 + i, newest.time + 1, p, a, BUY, float(p),
                                    float(a)) for p, a, i in prints])
    asks, bids = market.book.asks(6), market.book.bids(6)
    market.book.apply_update([[asks[0][0], "0"], [asks[1][0], "0"], [asks[4][0], "1.2000"]],
                             [[bids[1][0], "0"], [bids[3][0], "2.4000"]])
    app.wall_clock = lambda: WALL_T0 + 11
    app.on_clock()


async def shoot(name: str, app: DfxApp, size: tuple[int, int],
                keys: tuple[str, ...] = (),
                after: Callable[[DfxApp], Awaitable[None]] | None = None) -> Path:
    async with app.run_test(size=size) as pilot:
        app.on_clock()
        await pilot.pause()
        if keys:
            await pilot.press(*keys)
        if after is not None:
            await after(app)
        app.on_clock()
        await pilot.pause()
        path = HERE / f"{name}.svg"
        app.save_screenshot(filename=path.name, path=str(HERE))
    return path


async def main() -> list[Path]:
    shots = [
        await shoot("wide", fixed_app(ALL[:3]), (160, 50), after=flash_some_levels),
        await shoot("narrow", fixed_app(ALL[:3]), (80, 24)),
        await shoot("tabs", fixed_app(ALL), (120, 36), keys=("4", "+", "d", "d")),
        await shoot("help", fixed_app(ALL[:3]), (100, 30), keys=("?",)),
        await shoot("add-market", fixed_app(ALL[:2]), (120, 30), keys=("a",)),
        await shoot("stale", fixed_app(
            ALL[:3], state=LinkState.RECONNECTING, market_state=MarketState.STALE,
            age=6.4, msgs_per_s=0.0, reconnects=2, last_error="connection closed: 1006 (abnormal closure); retry in 2s"),
            (120, 36), keys=("2",)),
        await shoot("trader", fixed_app(ALL[:3]), (160, 50), after=trader_moves,
                    keys=("down", "down", "down", "m")),
        await shoot("price_ladder", fixed_app(ALL[:3]), (80, 24), keys=("2", "+", "+", "l", "up")),
        await shoot("short_prices", fixed_app(ALL[:3]), (80, 24), keys=("s", "down")),
        await shoot("heatmap", history_app(), (160, 50), keys=("h",)),
        await shoot("depth", history_app(), (120, 36), keys=("g",)),
        await shoot("alerts", history_app(alerts=[
            AlertSpec.price("BTC_USDT", 65200.0, True),
            AlertSpec.trade("BTC_USDT", 1.5, cooldown=60.0),
            AlertSpec.spread("ETH_USDT", 20.0),
            AlertSpec.imbalance("SOL_USDT", -0.6, within_bps=20.0)]), (120, 36), keys=("!",)),
    ]
    return shots


def to_png(svgs: list[Path]) -> None:
    tool = shutil.which("rsvg-convert")
    if tool is None:
        print("rsvg-convert not found (apt-get install librsvg2-bin): SVGs only", file=sys.stderr)
        return
    for svg in svgs:
        subprocess.run([tool, str(svg), "-o", str(svg.with_suffix(".png"))], check=True)


if __name__ == "__main__":
    made = asyncio.run(main())
    to_png(made)
    for path in made:
        print(path.relative_to(HERE.parent))
