"""Snapshot tests (pytest-textual-snapshot) on seeded data with a frozen clock and UTC times.

Update after an intended change: `.venv/bin/pytest tests/test_snapshots.py --snapshot-update`,
then look at the report before committing.
"""

from __future__ import annotations

from typing import Any

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
