"""Repaint discipline, stale marking, layouts and the real simulator behind the app."""

from __future__ import annotations

import asyncio

import pytest

from dfx_tui.app.config import AppConfig
from dfx_tui.app.feed.notices import FeedNotice, NoticeKind
from dfx_tui.app.feed_source import seeded_market
from dfx_tui.app.tui import DfxApp
from dfx_tui.book.state import ConnectionStatus, LinkState, MarketState
from dfx_tui.widgets.columns import align_decimals, bar_text
from dfx_tui.widgets.market_pane import MarketPane, state_label
from dfx_tui.widgets.safe import inert, sanitize
from dfx_tui.widgets.status_bar import status_text
from dfx_tui.widgets.tape import tick_marks
from tests.support.apps import T0, fixed_app, fixed_feed


def text_of(widget) -> list[str]:
    return ["".join(s.text for s in widget.render_line(y)) for y in range(widget.size.height)]


# ------------------------------------------------------------------ pure helpers
def test_sanitize_strips_controls_and_markup_stays_literal():
    evil = "bad\x1b[31m red\x07\n[bold]x[/bold]\u202eevil" + "z" * 300
    clean = sanitize(evil, 50)
    assert "\x1b" not in clean and "\x07" not in clean and "\n" not in clean
    assert "\u202e" not in clean and len(clean) == 50 and clean.endswith("…")
    assert inert("[bold]x[/bold]").plain == "[bold]x[/bold]"  # never parsed as markup


def test_align_decimals_lines_up_points():
    out, width = align_decimals(["9.5", "10.25", "100"])
    assert out == ["  9.5 ", " 10.25", "100   "] and width == 6
    assert len({o.index(".") for o in out if "." in o}) == 1


def test_bar_and_tick_marks():
    assert bar_text(0.0, 4) == "    " and bar_text(1.0, 4) == "████"
    assert bar_text(0.5, 4) == "██  " and len(bar_text(0.33, 7)) == 7
    market = seeded_market("BTC_USDT")
    trades = market.tape.newest(5)
    marks = tick_marks(trades)
    assert len(marks) == 5 and marks[-1] == " "
    for i in range(4):
        a, b = trades[i].price_value, trades[i + 1].price_value
        assert marks[i] == ("▲" if a > b else "▼" if a < b else "·")


def test_state_labels():
    assert state_label(LinkState.LIVE, MarketState.LIVE) is None
    assert state_label(LinkState.RECONNECTING, MarketState.STALE) == "RECONNECTING"
    assert state_label(LinkState.LIVE, MarketState.RESYNCING) == "RESYNCING"
    assert state_label(LinkState.STALE, MarketState.LIVE) == "STALE"
    assert state_label(LinkState.LIVE, MarketState.REJECTED) == "REJECTED"


def test_status_text_shows_everything_inertly():
    status = ConnectionStatus(state=LinkState.RECONNECTING, last_message_at=T0 - 12.0,
                              msgs_per_s=12.4, reconnects=3, latency_ms=41.2,
                              last_error="boom\x1b]0;title\x07 [red]x")
    plain = status_text(status, T0).plain
    for part in ("RECONNECTING", "12s ago", "12 msg/s", "reconnects 3", "41 ms", "[red]x"):
        assert part in plain
    assert "\x1b" not in plain and "\x07" not in plain


# ------------------------------------------------------------------ the app
async def test_repaints_only_on_change_and_only_the_shown_market():
    app = fixed_app(fps=50)  # a fixed feed has no `watch` hook: the app polls it at the fps
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.2)
        pane = app.active_pane()
        assert len(app.query(MarketPane)) == 1  # one market view for every tab
        btc, eth = fixed_feed(app).markets["BTC_USDT"], fixed_feed(app).markets["ETH_USDT"]
        first = pane.ladder.repaints
        assert first >= 1 and pane.market is btc
        ticks, tape = app.ticks, pane.tape.repaints
        await pilot.pause(0.3)
        assert app.ticks > ticks + 3  # the clock ran...
        assert (pane.ladder.repaints, pane.tape.repaints) == (first, tape)  # ...nothing changed
        eth.book.apply_update([[eth.book.asks(1)[0][0], "1.0000"]], None)
        await pilot.pause(0.2)
        assert pane.ladder.repaints == first  # not shown: not painted
        price = btc.book.bids(1)[0][0]
        btc.book.apply_update(None, [[price, "7.7777"]])
        await pilot.pause(0.1)
        app.on_clock()
        assert pane.ladder.repaints > first
        assert any("7.7777" in line for line in text_of(pane.ladder))
        await pilot.press("2")
        assert pane.market is eth and pane.ladder.book is eth.book  # swapped, drawn at once
        assert any(eth.book.asks(1)[0][0] in line for line in text_of(pane.ladder))
        assert "ETH_USDT" in pane.header.plain


async def test_size_change_flashes_then_fades():
    clock = [T0]
    app = fixed_app()
    app.clock = lambda: clock[0]
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.15)
        ladder = app.active_pane().ladder
        book = ladder.book
        price, size = book.bids(1)[0]
        book.apply_update(None, [[price, "99.0000"]])
        app.on_clock()
        assert ("bids", price) in ladder._flashes and ladder._flashes[("bids", price)][1]
        clock[0] += 1.0
        app.on_clock()
        assert not ladder._flashes


async def test_stale_book_stays_on_screen_dimmed_and_marked():
    app = fixed_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.15)
        pane = app.active_pane()
        live_lines = text_of(pane.ladder)
        feed = fixed_feed(app)
        feed.status.state = LinkState.RECONNECTING
        for m in feed.markets.values():
            m.status.state = MarketState.STALE
        await pilot.pause(0.2)
        app.on_clock()
        await pilot.pause()
        assert pane.ladder.stale and pane.label == "RECONNECTING"
        assert "RECONNECTING" in pane.header.plain
        assert text_of(pane.ladder) == live_lines  # same numbers, never blanked
        assert "RECONNECTING" in app.markets_screen.status_bar.plain


async def test_layouts_wide_narrow_and_too_small():
    app = fixed_app()
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause(0.1)
        pane = app.active_pane()
        assert pane.ladder.region.y == pane.tape.region.y  # side by side
        await pilot.resize_terminal(80, 24)
        await pilot.pause(0.2)
        assert pane.tape.region.y > pane.ladder.region.y  # stacked
        assert pane.ladder.per_side() >= 4
        await pilot.resize_terminal(40, 10)
        await pilot.pause(0.2)
        assert app.markets_screen.has_class("-too-small")
        notice = app.markets_screen.query_one("#too-small")
        assert notice.display and "too small" in str(notice.render())
        await pilot.resize_terminal(100, 30)
        await pilot.pause(0.2)
        assert not app.markets_screen.has_class("-too-small")
        assert any("spread" in line for line in text_of(pane.ladder))


async def test_demo_mode_runs_the_simulator_and_updates_subscriptions():
    app = DfxApp(AppConfig(markets=["BTC_USDT", "ETH_USDT"], demo=True, demo_rate=30.0))
    async with app.run_test(size=(120, 40)) as pilot:
        assert app.sim is not None and app.config.url == app.sim.url
        assert await app.feed.wait_ready(5.0)
        await pilot.pause(0.3)
        pane = app.active_pane()
        assert pane.ladder.repaints >= 1 and pane.market.book.has_snapshot
        assert "LIVE" in app.markets_screen.status_bar.plain and "DEMO" in app.markets_screen.status_bar.plain

        async def subscribed(expected: set[str]) -> bool:
            for _ in range(100):
                sessions = app.sim.sessions
                if sessions and sessions[-1].depth == expected:
                    return True
                await asyncio.sleep(0.05)
            return False

        assert await subscribed({"BTC_USDT", "ETH_USDT"})
        await pilot.press("a", *"sol_usdt", "enter")
        assert await subscribed({"BTC_USDT", "ETH_USDT", "SOL_USDT"})
        await pilot.press("1", "w")
        assert await subscribed({"ETH_USDT", "SOL_USDT"})
        assert app.markets_screen.current_market() == "ETH_USDT"
        sim = app.sim
    assert app.sim is None and sim is not None  # stopped on exit


@pytest.mark.parametrize(("kind", "toast"), [
    (NoticeKind.CONNECTED, None),
    (NoticeKind.STALE, "warning"),
    (NoticeKind.RESYNC, "warning"),
    (NoticeKind.REJECTED, "error"),
    (NoticeKind.ERROR, "error"),
    (NoticeKind.REPLAY_DONE, "information"),
])
async def test_feed_notices_toast_as_loud_as_their_severity(kind: NoticeKind, toast: str | None):
    app = fixed_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        app._on_feed_notice(FeedNotice(kind, "ETH_USDT", "book check failed\x1b[2J [b]x"))
        await pilot.pause()
        toasts = [(n.severity, n.message) for n in app._notifications]
        if toast is None:
            assert toasts == []
        else:  # the market named once, server text inert
            assert toasts == [(toast, "ETH_USDT: book check failed [2J [b]x")]
