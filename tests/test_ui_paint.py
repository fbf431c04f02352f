"""When the app paints: the feed's one-shot `watch` hook, the paint clock's cap and its quiet
wake-ups, and the real app against dfx-sim (paints follow data, at most fps a second)."""

from __future__ import annotations

import asyncio
import gc
import random
import re
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from dfx_tui.app.config import AppConfig
from dfx_tui.app.feed.client import FeedClient
from dfx_tui.app.feed.core import FeedCore
from dfx_tui.app.feed_source import FixedFeed, seeded_market
from dfx_tui.app.paint_clock import BURST, PaintClock
from dfx_tui.app.screen_updates import LinesUpdate
from dfx_tui.app.sim.server import Faults
from dfx_tui.app.tui import DfxApp
from dfx_tui.book.state import LinkState
from dfx_tui.widgets.trader_settings import TraderSettings
from tests.support.apps import fixed_app, fixed_feed
from tests.support.feed import fast_config, wait_until


def depth(market: str, clean: bool = True) -> dict[str, Any]:
    return {"method": "depth.update", "id": None,
            "params": [clean, {"asks": [["2.00", "1.0"]], "bids": [["1.00", "1.0"]]}, market]}


# ------------------------------------------------------------------ the feed's hook
def test_watch_fires_once_for_the_watched_market_then_disarms():
    core = FeedCore(AppConfig(markets=["BTC_USDT", "ETH_USDT"]), lambda notice: None)
    core.handle_message(depth("BTC_USDT"), 0.9)  # the first data makes the link LIVE
    fired: list[int] = []
    core.watch("ETH_USDT", lambda: fired.append(core.markets["ETH_USDT"].book.version))
    core.handle_message(depth("BTC_USDT"), 1.0)
    assert fired == []  # another market: no call
    before = core.markets["ETH_USDT"].book.version
    core.handle_message(depth("ETH_USDT"), 1.1)
    assert fired == [before]  # called before the message is applied (it only schedules)
    core.handle_message(depth("ETH_USDT", clean=False), 1.2)
    assert len(fired) == 1  # disarmed until armed again
    core.watch("ETH_USDT", lambda: fired.append(-1))
    core.set_link(LinkState.STALE)  # a link state change is on the status bar: fires too
    assert fired[-1] == -1
    core.watch("ETH_USDT", None)
    core.handle_message(depth("ETH_USDT", clean=False), 1.3)
    assert len(fired) == 2


def test_watch_stays_armed_while_the_callback_returns_true():
    core = FeedCore(AppConfig(markets=["BTC_USDT"]), lambda notice: None)
    core.handle_message(depth("BTC_USDT"), 0.9)
    calls: list[float] = []

    def seen() -> bool:
        calls.append(core.markets["BTC_USDT"].status.last_message_at or 0.0)
        return len(calls) < 3  # the third call lets go

    core.watch("BTC_USDT", seen)
    for t in (1.0, 1.1, 1.2, 1.3):
        core.handle_message(depth("BTC_USDT", clean=False), t)
    assert calls == [1.0, 1.1, 1.2]


# ------------------------------------------------------------------ the clock
class FakeLoop:
    """call_at and time, run by hand."""

    def __init__(self) -> None:
        self.now = 100.0
        self.calls: list[tuple[float, Callable[[], Any], list[bool]]] = []

    def time(self) -> float:
        return self.now

    def call_at(self, when: float, callback: Callable[[], Any]) -> Any:
        cancelled = [False]
        self.calls.append((when, callback, cancelled))

        class Handle:
            def cancel(self) -> None:
                cancelled[0] = True

        return Handle()

    def pending(self) -> list[float]:
        return sorted(when for when, _cb, cancelled in self.calls if not cancelled[0])

    def advance(self, seconds: float) -> None:
        end = self.now + seconds
        while True:
            due = [c for c in self.calls if not c[2][0] and c[0] <= end]
            if not due:
                break
            call = min(due, key=lambda c: c[0])
            self.calls.remove(call)
            self.now = max(self.now, call[0])
            call[1]()
        self.now = end


def make_clock(next_in: float | None = 1.0,
               paint_s: float = 0.0) -> tuple[PaintClock, FakeLoop, list[float]]:
    loop = FakeLoop()
    times: list[float] = []

    def paint() -> None:
        times.append(loop.now)
        loop.now += paint_s  # the paint's own time
        clock.painted(None if next_in is None else loop.now + next_in)

    clock = PaintClock(paint, 10.0, loop=loop)
    return clock, loop, times


def test_a_change_paints_at_once_when_the_cap_allows_else_when_it_does():
    clock, loop, times = make_clock(next_in=None)
    clock.data_arrived()
    assert loop.pending() == [100.0]  # nothing painted yet: now
    loop.advance(0.0)
    assert times == [100.0]
    loop.advance(0.3)
    clock.data_arrived()  # a quiet market: painted at once again
    loop.advance(0.0)
    assert times == [100.0, 100.3]
    loop.advance(0.01)
    clock.data_arrived()
    clock.data_arrived()  # a second change before the paint: the same paint
    # The bucket held BURST - 1 paints after the last one: the next is due when it holds
    # one again.
    due = 100.3 + (2.0 - BURST) / 10
    assert loop.pending() == [pytest.approx(due)]
    loop.advance(0.5)
    assert times[-1] == pytest.approx(due)
    loop.advance(0.5)  # quiet for long: the next change is painted at once
    clock.data_arrived()
    assert loop.pending() == [loop.now]


def run_arrivals(gaps: list[float]) -> tuple[list[float], list[float]]:
    """Feed changes `gaps` seconds apart to a clock (the paint arms the hook again, as the
    app does); returns each change's wait and the paint times."""
    clock, loop, times = make_clock(next_in=None)
    waiting: list[float] = []
    waits: list[float] = []

    def paint() -> None:
        times.append(loop.now)
        waits.extend(loop.now - t for t in waiting)
        waiting.clear()
        clock.painted(None)

    clock.paint = paint
    for gap in gaps:
        loop.advance(gap)
        waiting.append(loop.now)
        clock.data_arrived()
    loop.advance(1.0)
    return waits, times


def most_in_one_second(times: list[float]) -> int:
    return max(sum(1 for t in times if s <= t < s + 1.0 - 1e-9) for s in times)


def test_changes_a_little_faster_than_the_cap_are_mostly_painted_at_once():
    # dfx-sim at 50 msg/s over 4 markets: the shown market changes every 80 ms, 100 ms paints.
    waits, times = run_arrivals([0.08] * 600)
    waits.sort()
    assert len(waits) == 600
    assert waits[len(waits) // 2] < 1e-9  # the median change is painted at once
    assert waits[-1] <= 0.1 + 1e-9  # none waits more than an interval
    assert most_in_one_second(times) <= 10


def test_a_burst_of_frames_is_one_change_and_quiet_paints_wait_for_a_quiet_interval():
    # Each change is a depth frame and a trades frame read together; every paint also asks
    # for a time-driven paint 30 ms later (a flash ending): neither may take the slot of
    # the next change.
    clock, loop, times = make_clock(next_in=0.03)
    waiting: list[float] = []  # the depth frames not painted yet
    waits: list[float] = []

    def paint() -> None:
        times.append(loop.now)
        waits.extend(loop.now - t for t in waiting)
        waiting.clear()
        clock.painted(loop.now + 0.03)

    clock.paint = paint
    for _ in range(300):
        loop.advance(0.08)
        waiting.append(loop.now)
        clock.data_arrived()
        clock.data_arrived()  # read with it: handled before the loop runs the paint
    loop.advance(1.0)
    waits.sort()
    assert len(waits) == 300
    assert waits[len(waits) // 2] < 1e-9
    assert waits[-1] <= 0.1 + 1e-9
    assert len(times) < 300  # no paint of its own for a flash while changes flow


def test_random_changes_wait_half_an_interval_at_the_median_and_the_cap_holds():
    rnd = random.Random(7)
    for per_s in (2.0, 6.0, 12.5, 40.0, 1250.0):
        waits, times = run_arrivals([rnd.expovariate(per_s) for _ in range(int(per_s * 60))])
        waits.sort()
        assert waits[len(waits) // 2] <= 0.051, per_s
        assert waits[int(len(waits) * 0.99)] <= 0.11, per_s
        # Bursts can fill the window: it then holds a paint back, rarely.
        assert waits[-1] <= 0.15, per_s
        assert most_in_one_second(times) <= 10, per_s


def test_a_flood_of_changes_paints_fps_times_a_second_and_quiet_wakes_once_a_second():
    clock, loop, times = make_clock(next_in=1.0)
    for _ in range(1000):  # a change every millisecond for a second
        clock.data_arrived()
        loop.advance(0.001)
    assert 10 <= len(times) <= 11
    assert most_in_one_second(times) <= 10
    n = len(times)
    loop.advance(5.0)  # nothing new: the paint's own wish, once a second
    assert len(times) - n == 5


def test_the_cap_counts_from_the_start_of_a_paint():
    clock, loop, times = make_clock(next_in=None, paint_s=0.02)
    for _ in range(3000):
        clock.data_arrived()
        loop.advance(0.001)
    gaps = [round(b - a, 6) for a, b in zip(times, times[1:], strict=False)]
    # A flood paints every interval from start to start (not 0.12: start to end + 0.1).
    assert gaps and set(gaps[12:]) == {0.1}


def test_a_direct_paint_serves_the_scheduled_one():
    clock, loop, times = make_clock(next_in=None)
    clock.painted(None)  # e.g. a key repainted now
    clock.data_arrived()
    assert loop.pending() == [pytest.approx(100.0 + (2.0 - BURST) / 10)]
    clock.painted(100.6)  # a feed notice painted at once: the data was shown with it
    assert loop.pending() == [100.6]
    clock.stop()
    clock.data_arrived()
    assert loop.pending() == []


# ------------------------------------------------------------------ the app on a real feed
async def test_paints_follow_the_data_and_idle_costs_one_paint_a_second(sim_factory):
    sim = await sim_factory(markets=("BTC_USDT", "ETH_USDT"), rate=200.0, trade_rate=5.0)
    config = fast_config(sim.url, ("BTC_USDT", "ETH_USDT"), fps=10.0, stale_after=30.0,
                         ping_interval=20.0, pong_timeout=10.0, request_timeout=8.0)
    feed = FeedClient(config)
    app = DfxApp(config, feed=feed)
    feed.on_notice = app._on_feed_notice
    async with app.run_test(size=(120, 40)) as pilot:
        assert await feed.wait_ready(10.0)
        clock = app.paint_clock
        assert clock is not None
        ladder = app.active_pane().ladder
        await wait_until(lambda: ladder.repaints > 0, 5, "a first paint")
        await asyncio.sleep(0.3)  # past the start-up layouts
        p0, r0 = clock.paints, ladder.repaints
        await asyncio.sleep(2.0)
        paints, repaints = clock.paints - p0, ladder.repaints - r0
        # Fed by data (the 1 Hz heartbeat alone would give 2; a loaded machine paints fewer
        # than the cap's 20), never above the cap.
        assert repaints >= 6 and paints <= 2 * 10 + 2
        await pilot.press("2")  # the watch follows the shown market
        eth = feed.markets["ETH_USDT"].book
        seen = eth.version
        await wait_until(lambda: ladder.book is eth and ladder._drawn is not None
                         and ladder._drawn[0] > seen, 2, "ETH painted from its own data")


def idle_app(url: str, **config: Any) -> tuple[DfxApp, FeedClient]:
    config = fast_config(url, ("BTC_USDT", "ETH_USDT"), fps=10.0, ping_interval=20.0,
                         pong_timeout=10.0, request_timeout=8.0,
                         trader=TraderSettings(liquidity_window=2.0), **config)
    feed = FeedClient(config)
    app = DfxApp(config, feed=feed)
    feed.on_notice = app._on_feed_notice
    return app, feed


async def test_an_idle_app_paints_only_when_something_shown_changes(sim_factory):
    """The simulator paused (its tickers still come every second, same figures): once the
    rates have settled and the pulling-and-stacking window (2 s here) has passed the last
    samples, nothing on screen changes but the sparkline's slide (every 4.7 s), so the app
    does not paint (it painted every second): no ladder rebuild, no observe of an
    unchanged market, and the next paint is not due within the next second."""
    sim = await sim_factory(markets=("BTC_USDT", "ETH_USDT"), rate=200.0, trade_rate=5.0)
    app, feed = idle_app(sim.url, stale_after=30.0)
    async with app.run_test(size=(160, 50)):
        assert await feed.wait_ready(10.0)
        clock, ladder = app.paint_clock, app.active_pane().ladder
        assert clock is not None
        await asyncio.sleep(1.0)
        sim.pause()
        await asyncio.sleep(3.5)  # rates settle (about 2 s), the 2 s window passes
        p0, r0 = clock.paints, ladder.repaints
        observed = {m: feed.markets[m].analytics.observed_at for m in feed.markets}
        await asyncio.sleep(3.0)
        assert clock.paints - p0 <= 1, clock.paints - p0
        assert ladder.repaints == r0
        assert {m: feed.markets[m].analytics.observed_at for m in feed.markets} == observed
        bar = app.markets_screen.status_bar.plain
        assert "LIVE" in bar and "2 msg/s" in bar and "s ago" in bar  # tickers: 2 frames a s
        # The mid is held, not a gap: the sparkline's history runs up to now.
        mids = feed.markets["BTC_USDT"].analytics.mids.series(app.wall_clock())
        assert mids[-1] is not None and mids[-1] == mids[-5]


async def test_an_idle_heatmap_still_moves_a_column_a_second_and_covers_up_to_now(
        sim_factory):
    """Shown, the heatmap's time axis moves with the clock: with nothing new from the feed
    the app paints at each column (1 s here) and holds the book's coverage up to now, so
    no gap opens at the right edge. A tab switched to after a quiet spell is covered up to
    now as well, at once or by the next paint (its histories were left alone meanwhile)."""
    sim = await sim_factory(markets=("BTC_USDT", "ETH_USDT"), rate=200.0, trade_rate=5.0)
    app, feed = idle_app(sim.url, stale_after=30.0)
    async with app.run_test(size=(160, 50)) as pilot:
        assert await feed.wait_ready(10.0)
        pane = app.active_pane()
        pane.view.heatmap_seconds = 1
        await pilot.press("h")
        await asyncio.sleep(0.5)
        sim.pause()
        await asyncio.sleep(3.5)  # rates settle, the 2 s window passes
        r0 = pane.heatmap.repaints
        await asyncio.sleep(3.0)
        assert pane.heatmap.repaints - r0 >= 2  # a column a second (at least two of three)
        store = feed.markets["BTC_USDT"].analytics.heatmap
        assert not store.in_gap and app.wall_clock() - store.last_time < 1.5
        eth = feed.markets["ETH_USDT"].analytics.heatmap
        assert app.wall_clock() - eth.last_time > 2.5  # a hidden tab is not touched
        await pilot.press("2")
        await asyncio.sleep(0.3)  # a paint (if its histories had something to take)
        assert app.wall_clock() - eth.last_time < 1.5 and not eth.in_gap


async def test_a_silent_feed_shows_its_true_age_then_stale_without_a_heartbeat(sim_factory):
    """The server stops sending anything: the status bar's age steps through the seconds as
    they pass (at each step, not once a second regardless), never ahead of the true age nor
    more than a step (plus the rates clock's second for the first one) behind, until the
    link is found stale and the bar says so."""
    sim = await sim_factory(markets=("BTC_USDT", "ETH_USDT"), faults=Faults(stall_after=1.5))
    app, feed = idle_app(sim.url, stale_after=4.0)
    async with app.run_test(size=(160, 50)):
        assert await feed.wait_ready(10.0)
        bar = app.markets_screen.status_bar
        shown: list[tuple[float, str]] = []
        t0 = time.monotonic()
        while time.monotonic() - t0 < 8.0 and feed.status.reconnects == 0:
            last = feed.status.last_message_at
            assert last is not None
            age = time.monotonic() - last
            match = re.search(r"last msg (\d+(?:\.\d)?)s ago", bar.plain)
            assert match is not None, bar.plain
            text = match.group(1)
            shown.append((age, text))
            if "." not in text:  # whole seconds: not ahead, at most a step (+ lag) behind
                assert int(text) <= age + 0.05 and age - int(text) < 1.5, (age, text)
            else:  # tenths: until the rates clock (once a second) says a second has passed
                assert age < 2.0 + 0.5, (age, text)
            if feed.status.state is LinkState.STALE or "STALE" in bar.plain:
                break
            await asyncio.sleep(0.1)
        whole = sorted({int(text) for _age, text in shown if "." not in text})
        assert whole[:3] == [1, 2, 3], shown
        await wait_until(lambda: feed.status.reconnects >= 1, 5, "a reconnect")
        await wait_until(lambda: "RECONNECTING" in bar.plain or "STALE" in bar.plain
                         or "LIVE" in bar.plain, 2, "the link's state shown")


def count_displays(app: DfxApp) -> list[object]:
    """What the app hands the terminal from now on, in order (it still reaches it)."""
    displayed: list[object] = []
    real_display = app._display

    def counting_display(screen: Any, update: Any) -> None:
        displayed.append(update)
        real_display(screen, update)

    app._display = counting_display  # type: ignore[method-assign]
    return displayed


async def test_a_paint_reaches_the_terminal_in_its_own_call():
    """app/screen_updates.py draw_now: the ladder's changed lines are composed and written by
    the paint itself, not four event-loop trips later; the lines that did not change are not
    written (the update covers the changed rows only)."""
    app = fixed_app(["BTC_USDT"], fps=0.001)
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause(0.3)
        app.on_clock()
        await pilot.pause(0.1)
        displayed = count_displays(app)
        book = fixed_feed(app).markets["BTC_USDT"].book
        price, size = book.bids(12)[-1]  # a level well below the touch, nudged
        book.apply_update(None, [[price, str(Decimal(size) + Decimal("0.0001"))]])
        app.on_clock()
        assert len(displayed) == 1  # written within on_clock
        ladder = app.active_pane().ladder
        assert not ladder._repaint_regions and not app.screen._dirty_widgets
        update = displayed[0]
        assert isinstance(update, LinesUpdate)  # past the compositor (tests/test_direct_lines)
        rows = {int(row) for row in re.findall(r"\x1b\[(\d+);\d+H", update.data)}
        assert 0 < len(rows) < ladder.size.height  # the changed rows, not the screen
        app.on_clock()  # nothing new: nothing written
        await pilot.pause(0.1)
        assert len(displayed) == 1


async def test_a_paint_does_not_wake_the_widgets_it_drew_and_prompts_those_it_did_not():
    """app/screen_updates.py tick_and_draw: the lines a paint writes itself do not also wake
    the widget's message pump (whose idle handler would find nothing to do); when the paint
    cannot write (the app holds its pictures), the widget is prompted as Textual's `refresh`
    would, and Textual draws it once the hold ends."""
    app = fixed_app(["BTC_USDT"], fps=0.001)
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause(0.3)
        app.on_clock()
        await pilot.pause(0.1)
        ladder = app.active_pane().ladder
        book = fixed_feed(app).markets["BTC_USDT"].book

        def nudge() -> None:
            price, size = book.bids(12)[-1]
            book.apply_update(None, [[price, str(Decimal(size) + Decimal("0.0001"))]])

        nudge()
        app.on_clock()
        assert not ladder._repaint_required and ladder._message_queue.empty()
        nudge()
        assert ladder.maybe_repaint(app.clock())  # outside a paint: Textual's own refresh
        assert ladder._repaint_required and not ladder._message_queue.empty()
        await pilot.pause(0.2)
        assert not ladder._repaint_required
        app._begin_batch()  # what the back-pressure driver does when the terminal lags
        nudge()
        app.on_clock()
        assert ladder._repaint_required and not ladder._message_queue.empty()  # prompted
        displayed = count_displays(app)
        app._end_batch()
        await pilot.pause(0.2)
        assert not ladder._repaint_required and displayed  # Textual drew it


class QuietWatchableFeed(FixedFeed):
    """A fixed feed the app watches (so it paints on its clock) that never changes."""

    def watch(self, market: str | None, callback: Callable[[], bool] | None) -> None:
        self.watched = market

    def watch_data(self, callback: Callable[[], None] | None) -> None:
        self.data_callback = callback


async def test_start_up_paints_once_before_any_data():
    """The screen's mount paints the first picture; the paint after the first layout is then
    skipped: a second one spent the clock's burst, and a local feed's first book waited
    ~200 ms for it to refill."""
    feed = QuietWatchableFeed([seeded_market("BTC_USDT")])
    app = DfxApp(AppConfig(markets=["BTC_USDT"], fps=10.0), feed=feed)
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause(0.3)
        clock = app.paint_clock
        assert clock is not None and feed.watched == "BTC_USDT"  # painted, hooks armed
        assert clock.paints == 1 and app.ticks == 1
        assert "spread" in "".join(
            app.active_pane().ladder.render_line(y).text for y in range(45))


def test_no_collection_runs_inside_a_paint():
    """The clock holds garbage collection for the paint's duration and gives it back."""
    seen: list[bool] = []
    clock = PaintClock(lambda: seen.append(gc.isenabled()), 10.0, loop=FakeLoop())
    assert gc.isenabled()
    clock._run()
    assert seen == [False] and gc.isenabled()
    gc.disable()  # off already (the app's start-up): stays off
    try:
        clock._run()
        assert seen == [False, False] and not gc.isenabled()
    finally:
        gc.enable()
