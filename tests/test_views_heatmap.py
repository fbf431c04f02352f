"""The heatmap widget: its incremental columns equal one full `grid()`, and the running view
(toggle, gaps, the newest column only per tick, live-only refreshes, replay clock)."""

from __future__ import annotations

import math
from datetime import UTC

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dfx_tui.app.config import AppConfig
from dfx_tui.app.feed_source import FixedFeed, seeded_market
from dfx_tui.app.seeded_history import HISTORY_END, seeded_history
from dfx_tui.app.tui import DfxApp
from dfx_tui.book.heatmap_grid import grid
from dfx_tui.book.heatmap_store import HeatmapStore
from dfx_tui.book.state import MarketState
from dfx_tui.widgets.heatmap import HeatmapView, fit_group_index
from dfx_tui.widgets.heatmap_cells import gradient, level_of
from dfx_tui.widgets.heatmap_columns import Column, HeatmapColumns, Window
from tests.support.apps import T0, fixed_status

PRICES = [100.0 + 0.5 * i for i in range(10)]  # rows of 0.5 from 99.75 to 105.25
WINDOW_LO, WINDOW_HI, ROWS = 99.75, 105.25, 11

level = st.tuples(st.sampled_from(PRICES), st.sampled_from([0.5, 1.0, 2.0, 7.25]))
event = st.one_of(
    st.tuples(st.just("sample"), st.lists(level, max_size=6)),
    st.tuples(st.just("gap"), st.just(None)),
    st.tuples(st.just("trade"), st.tuples(st.sampled_from(PRICES), st.floats(0.1, 9.0),
                                          st.booleans())),
    st.tuples(st.just("tick"), st.just(None)),
)
step = st.sampled_from([0.0, 0.25, 0.5, 1.0, 2.5, 7.0])


def expected(store: HeatmapStore, now: float, window: Window, count: int) -> list[Column]:
    """The same columns from one `grid()` over the whole window."""
    s = window.seconds
    k_now = math.floor(now / s)
    k0 = k_now - count + 1
    g = grid(store, k0 * s, (k_now + 1) * s, count, window.price_lo, window.price_hi,
             window.rows)
    out = []
    for c in range(count):
        values = [line[c] or 0.0 for line in g.cells] if g.covered[c] > 0 else None
        marks = {row: mark for (row, col), mark in g.trades.items() if col == c}
        out.append(Column(k0 + c, values, marks))
    return out


def same(got: list[Column], want: list[Column]) -> None:
    assert [c.k for c in got] == [c.k for c in want]
    for a, b in zip(got, want, strict=True):
        if b.values is None:
            assert a.values is None, a.k
        else:
            assert a.values == pytest.approx(b.values, rel=1e-12, abs=1e-12), a.k
        assert a.trades.keys() == b.trades.keys(), a.k
        for row, mark in b.trades.items():
            assert (a.trades[row].buy, a.trades[row].sell) == pytest.approx(
                (mark.buy, mark.sell), rel=1e-12), (a.k, row)


@settings(max_examples=150, deadline=None)
@given(events=st.lists(st.tuples(step, event), min_size=1, max_size=60),
       seconds=st.sampled_from([1, 2, 5]), count=st.sampled_from([3, 8]),
       min_interval=st.sampled_from([0.0, 1.0]), segment=st.sampled_from([3.0, 60.0]),
       horizon=st.sampled_from([12.0, 3600.0]))
def test_incremental_columns_equal_a_full_grid(events, seconds, count, min_interval, segment,
                                               horizon):
    store = HeatmapStore(horizon=horizon, segment=segment, min_interval=min_interval)
    columns = HeatmapColumns()
    window = Window(seconds, WINDOW_LO, WINDOW_HI, ROWS)
    now = 1_000.0
    for dt, (kind, arg) in events:
        now += dt
        if kind == "sample":
            levels = dict(arg)
            bids = sorted(((p, s) for p, s in levels.items() if p < 102.0), reverse=True)
            asks = sorted((p, s) for p, s in levels.items() if p >= 102.0)
            store.sample(now, bids, asks)
        elif kind == "gap":
            store.mark_gap(now)
        elif kind == "trade":
            price, size, buy = arg
            store.record_trade(now, price, size, buy)
        else:
            same(columns.update(store, now, window, count), expected(store, now, window, count))
    same(columns.update(store, now, window, count), expected(store, now, window, count))


def test_only_the_newest_column_is_computed_once_the_window_is_filled():
    store = HeatmapStore(min_interval=1.0)
    columns = HeatmapColumns()
    window = Window(5, WINDOW_LO, WINDOW_HI, ROWS)
    now = 10_000.0
    for i in range(600):  # ten minutes, a sample a second
        store.sample(now + i, [(101.0, 1.0 + i % 7)], [(103.0, 2.0)])
    now += 600
    columns.update(store, now, window, 100)
    first = columns.computed
    assert first == 100
    for i in range(1, 11):  # ten more seconds, updated every second
        store.sample(now + i, [(101.0, 3.0)], [(103.0, 2.0 + i)])
        columns.update(store, now + i, window, 100)
    # One column in progress per update (two when a column just closed), never the window.
    assert columns.computed - first <= 10 * 2


def test_colour_levels_and_scale():
    assert level_of(0.0, 5.0) == 0 and level_of(-1, 5.0) == 0 and level_of(3.0, 0.0) == 0
    assert level_of(0.0001, 5.0) == 1  # anything resting shows
    assert level_of(5.0, 5.0) == level_of(500.0, 5.0) == 12  # capped: one wall, no washout
    from textual.color import Color

    colours = gradient((Color(0, 0, 0), Color(0, 128, 128), Color(255, 255, 0)), 12)
    assert len(colours) == 13 and colours[0].get_truecolor() == (0, 0, 0)
    assert colours[12].get_truecolor() == (255, 255, 0)
    ansi = gradient((Color.parse("ansi_blue"), Color.parse("ansi_cyan"),
                     Color.parse("ansi_yellow")), 12)
    assert {c.number for c in ansi} == {4, 6, 3}  # no blends of ANSI colours


def test_automatic_rows_fit_the_top_levels_in_half_the_window():
    market = seeded_market("BTC_USDT")
    bids = [(float(p), float(a)) for p, a in market.book.bids(20)]
    asks = [(float(p), float(a)) for p, a in market.book.asks(20)]
    index = fit_group_index(bids, asks, 0.01, 96)
    from dfx_tui.book.numbers import HUMAN_STEPS

    mid = (bids[0][0] + asks[0][0]) / 2
    reach = max(mid - bids[-1][0], asks[-1][0] - mid)
    assert HUMAN_STEPS[index] * 0.01 * 47 >= reach  # fits
    assert index == 0 or HUMAN_STEPS[index - 1] * 0.01 * 47 < reach  # and no coarser


# ------------------------------------------------------------------ in the running app
def history_app(**config) -> DfxApp:
    market = seeded_history("BTC_USDT", gaps=[(HISTORY_END - 420, HISTORY_END - 360)])
    feed = FixedFeed([market, seeded_market("ETH_USDT")], fixed_status())
    clock = {"wall": HISTORY_END}
    app = DfxApp(AppConfig(markets=["BTC_USDT", "ETH_USDT"], **config), feed=feed,
                 clock=lambda: T0, tz=UTC, wall_clock=lambda: clock["wall"])
    app.test_clock = clock  # type: ignore[attr-defined]
    return app


def heatmap_of(app: DfxApp) -> HeatmapView:
    pane = app.active_pane()
    assert pane is not None
    return pane.heatmap


def picture(view: HeatmapView) -> list[str]:
    return ["".join(s.text for s in view.render_line(y)) for y in range(view.size.height)]


async def test_the_heatmap_shows_history_gaps_and_the_live_book():
    app = history_app()
    async with app.run_test(size=(160, 50)) as pilot:
        app.on_clock()
        await pilot.pause()
        view = heatmap_of(app)
        assert not view.display
        await pilot.press("h")
        await pilot.pause()
        assert view.display and not app.active_pane().ladder.display
        lines = picture(view)
        assert lines[0].startswith(" heatmap · 5s a column")
        body = lines[1:-1]
        # The gap (six to seven minutes ago) is drawn as a gap in every line, never filled.
        s = view.view.heatmap_seconds
        k_now = math.floor(HISTORY_END / s)
        count = len(view.columns._columns)
        gap_cols = [c for c in range(count)
                    if (k_now - count + 1 + c) * s >= HISTORY_END - 420
                    and (k_now - count + 2 + c) * s <= HISTORY_END - 360]
        assert len(gap_cols) >= 10
        x0 = view._axis_w
        for line in body:
            assert all(line[x0 + c] == "░" for c in gap_cols)
        # Data on both sides of the gap, the live book at the right edge, the mid marked.
        assert any(line[x0 + gap_cols[0] - 1] in " ▀" for line in body)
        assert sum("◀" in line for line in body) == 1
        assert lines[-1].strip().startswith("╵")  # the time axis


async def test_a_tick_asks_the_store_only_for_the_newest_column():
    app = history_app()
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.press("h")
        app.on_clock()
        await pilot.pause()
        view = heatmap_of(app)
        computed = view.columns.computed
        assert computed >= 50  # the first picture: the whole window
        market = app.feed.markets["BTC_USDT"]
        for i in range(1, 6):  # five more seconds of a moving book
            app.test_clock["wall"] = HISTORY_END + i
            bid = market.book.bids(1)[0]
            market.book.apply_update(None, [[bid[0], f"{1 + i}.0000"]])
            app.on_clock()
            await pilot.pause()
        assert view.columns.computed - computed <= 5 * 2


async def test_a_book_change_alone_refreshes_only_the_live_cells():
    app = history_app()
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.press("h")
        app.on_clock()
        await pilot.pause()
        view = heatmap_of(app)
        before = picture(view)
        refreshed = []
        original = view.refresh_lines  # a paint's changed lines (StripView.repaint)

        def spy(*regions):
            refreshed.extend(regions)
            return original(*regions)

        view.refresh_lines = spy
        market = app.feed.markets["BTC_USDT"]
        # The ten best bids pulled (the mid stays: the best ask is where it was).
        market.book.apply_update(None, [[p, "0"] for p, _a in market.book.bids(10)])
        app.on_clock()  # the same second: no new sample, no new column
        await pilot.pause()
        assert view.last_live_only
        after = picture(view)
        assert after != before
        history = slice(view._axis_w, view.size.width - 4)
        assert [line[history] for line in after] == [line[history] for line in before]
        assert refreshed and all(r.width <= max(view._axis_w, 5) for r in refreshed)


async def test_a_hidden_tab_keeps_its_history_and_shows_it_when_shown():
    # ETH is hidden from the start; its analytics are fed on every tick all the same.
    app = history_app()
    async with app.run_test(size=(160, 50)) as pilot:
        market = app.feed.markets["ETH_USDT"]
        for i in range(1, 31):
            app.test_clock["wall"] = HISTORY_END + i
            app.on_clock()
        assert not math.isinf(market.analytics.heatmap.oldest)
        await pilot.press("2", "h")
        app.on_clock()
        await pilot.pause()
        lines = picture(heatmap_of(app))
        assert any("▀" in line or line.count(" ") < len(line) - 20 for line in lines[1:-1])


async def test_no_snapshot_yet_is_a_wait_then_a_gap():
    app = history_app()
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.press("a", *"sol_usdt", "enter")  # a new market: no book yet
        await pilot.pause()
        await pilot.press("h")
        app.on_clock()
        await pilot.pause()
        view = heatmap_of(app)
        assert view.market.name == "SOL_USDT"
        assert any("waiting for the book" in line for line in picture(view))
        # Thirty seconds later the first snapshot: data from then on, a gap before it.
        app.test_clock["wall"] = HISTORY_END + 30
        seeded = seeded_market("SOL_USDT")
        view.market.book.apply_snapshot(seeded.book.asks(), seeded.book.bids())
        view.market.status.state = MarketState.LIVE
        app.on_clock()
        app.test_clock["wall"] = HISTORY_END + 41
        app.on_clock()
        await pilot.pause()
        lines = picture(view)[1:-1]
        right = view.size.width - 4
        assert all(line[view._axis_w:right - 3].strip("░") == "" for line in lines)
        assert any(line[right - 2:right].strip(" ░") for line in lines)  # the newest: data
