"""Snapshot tests (pytest-textual-snapshot) on seeded data with a frozen clock and UTC times.

Update after an intended change: `.venv/bin/pytest tests/test_snapshots.py --snapshot-update`,
then look at the report before committing.
"""

from __future__ import annotations

from typing import Any

import pytest

from dfx_tui.app.tui import DfxApp
from dfx_tui.book.state import LinkState, MarketState
from tests.support.apps import fixed_app, fixed_status

MARKETS = ("BTC_USDT", "ETH_USDT", "SHIB_USDT")


def snap_app(*, state: LinkState = LinkState.LIVE, market_state: MarketState = MarketState.LIVE,
             **status: Any) -> DfxApp:
    return fixed_app(MARKETS, market_state=market_state,
                     status=fixed_status(state, msgs_per_s=61.0, latency_ms=12.0, **status))


async def settle(pilot) -> None:
    pilot.app.on_clock()
    await pilot.pause()


def test_wide_ladder_and_tape(snap_compare):
    assert snap_compare(snap_app(), terminal_size=(160, 50), run_before=settle)


def test_narrow_stacked(snap_compare):
    assert snap_compare(snap_app(), terminal_size=(80, 24), run_before=settle)


def test_third_tab_grouped_with_fixed_depth(snap_compare):
    async def before(pilot):
        await pilot.press("3", "+", "+", "d", "d")
        await settle(pilot)

    assert snap_compare(snap_app(), terminal_size=(80, 24), run_before=before)


def test_help_screen(snap_compare):
    assert snap_compare(snap_app(), press=["?"], terminal_size=(80, 24), run_before=settle)


def test_reconnecting_keeps_the_book_dimmed(snap_compare):
    app = snap_app(state=LinkState.RECONNECTING, market_state=MarketState.STALE, reconnects=3,
                   last_error="connection closed: 1006 (abnormal closure)", age=14.2)
    assert snap_compare(app, terminal_size=(160, 50), run_before=settle)


def test_paused_narrow(snap_compare):
    assert snap_compare(snap_app(), press=["p"], terminal_size=(80, 24), run_before=settle)


def test_terminal_too_small(snap_compare):
    assert snap_compare(snap_app(), terminal_size=(50, 12), run_before=settle)


def test_colorblind_theme(snap_compare):
    # dfx-colorblind: bids blue, asks orange (theme set the way the config file sets it).
    app = snap_app()
    app.config.theme = "dfx-colorblind"
    assert snap_compare(app, terminal_size=(120, 30), run_before=settle)


# ------------------------------------------------------------------ the trader's ladder (issue 12)
TRADER_SIZES = ((160, 50), (80, 24))


def _pressing(*keys: str, then=None):
    async def before(pilot):
        await settle(pilot)
        if then is not None:
            then(pilot.app)
            await settle(pilot)
        await pilot.press(*keys)
        await settle(pilot)

    return before


def _sweep_and_moves(app: DfxApp) -> None:
    """A three-print buy sweep on the tape, and pulled and stacked size 11 s later."""
    from dfx_tui.book.tape import BUY, Trade

    market = app.feed.markets["BTC_USDT"]
    newest = market.tape.last()
    prints = [("65010.00", "0.3000", 2), ("65009.50", "0.2000", 1), ("65009.00", "0.1000", 0)]
    market.tape.apply(False, [Trade(newest.id + 1 + i, newest.time + 1, p, a, BUY, float(p),
                                    float(a)) for p, a, i in prints])
    asks, bids = market.book.asks(3), market.book.bids(3)
    market.book.apply_update([[asks[0][0], "2.5000"]], [[bids[1][0], "0"], [bids[2][0], "1.9000"]])
    wall = app.wall_clock()
    app.wall_clock = lambda: wall + 11


@pytest.mark.parametrize(("size", "keys"), [
    ((160, 50), ("2", "l", "up", "up")),  # ETH: its 23-tick spread fits 50 rows
    ((80, 24), ("2", "+", "+", "l", "down")),  # 0.05 a row: 5 rows of spread
])
def test_price_ladder_mode(snap_compare, size, keys):
    # The cursor: on an empty price above the best ask; on the best bid.
    assert snap_compare(snap_app(), terminal_size=size, run_before=_pressing(*keys))


@pytest.mark.parametrize("size", TRADER_SIZES)
def test_cursor_readout(snap_compare, size):
    assert snap_compare(snap_app(), terminal_size=size,
                        run_before=_pressing("down", "down", "down"))


@pytest.mark.parametrize("size", TRADER_SIZES)
def test_volume_and_pulling_columns(snap_compare, size):
    assert snap_compare(snap_app(), terminal_size=size,
                        run_before=_pressing(then=_sweep_and_moves))


@pytest.mark.parametrize("size", TRADER_SIZES)
def test_merged_tape(snap_compare, size):
    assert snap_compare(snap_app(), terminal_size=size,
                        run_before=_pressing("m", then=_sweep_and_moves))


@pytest.mark.parametrize("size", TRADER_SIZES)
def test_short_prices(snap_compare, size):
    assert snap_compare(snap_app(), terminal_size=size, run_before=_pressing("s"))
# ------------------------------------------------------------------ issue 13: charts, alerts
def history_app(**config: Any) -> DfxApp:
    """BTC with fifteen minutes of seeded history (a minute-long gap six minutes ago)."""
    from datetime import UTC

    from dfx_tui.app.config import AppConfig
    from dfx_tui.app.feed_source import FixedFeed, seeded_market
    from dfx_tui.app.seeded_history import HISTORY_END, seeded_history
    from tests.support.apps import T0

    markets = [seeded_history("BTC_USDT", gaps=[(HISTORY_END - 420, HISTORY_END - 360)]),
               seeded_market("ETH_USDT")]
    feed = FixedFeed(markets, fixed_status(msgs_per_s=61.0, latency_ms=12.0))
    return DfxApp(AppConfig(markets=[m.name for m in markets], **config), feed=feed,
                  clock=lambda: T0, tz=UTC, wall_clock=lambda: HISTORY_END)


def test_heatmap(snap_compare):
    assert snap_compare(history_app(), press=["h"], terminal_size=(160, 50), run_before=settle)


def test_depth_chart(snap_compare):
    assert snap_compare(history_app(), press=["g"], terminal_size=(160, 50), run_before=settle)


def test_alerts_screen(snap_compare):
    from dfx_tui.book.alerts import AlertSpec
    from dfx_tui.book.tape import Trade

    app = history_app(alerts=[AlertSpec.price("BTC_USDT", 65200.0, True),
                              AlertSpec.trade("BTC_USDT", 1.5, cooldown=60.0),
                              AlertSpec.spread("ETH_USDT", 20.0),
                              AlertSpec.imbalance("ETH_USDT", -0.6, within_bps=20.0)])

    async def before(pilot):
        await settle(pilot)
        tape = pilot.app.feed.markets["BTC_USDT"].tape
        last = tape.last()
        tape.apply(False, [Trade.from_wire({"id": last.id + 1, "time": last.time + 0.5,
                                            "price": last.price, "amount": "2.0000",
                                            "type": "buy"})])
        await settle(pilot)  # the trade alert fires, and waits out its cool-down

    assert snap_compare(app, press=["!"], terminal_size=(160, 50), run_before=before)
