"""The Textual app: start-up, the repaint clock, and opening or closing markets on the feed.

Data flow (design.md): the feed mutates books and tapes in place and bumps their versions;
the app paints (`on_clock`) when the shown market changed (the feed's `watch` hook, armed
after each paint), at most `config.fps` times a second, and otherwise only when something on
screen changes with time (app/paint_clock.py). A paint redraws only what changed. Rare feed
events arrive through `_on_feed_notice` as typed `FeedNotice`s and become
`FeedNoticeMessage`s. The keys live on `MarketsScreen` (app/markets_screen.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from collections.abc import Callable
from datetime import tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, Protocol, runtime_checkable

from textual import work
from textual.app import App
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.screen import Screen

from dfx_tui.app.alerts import AlertWatcher
from dfx_tui.app.collector import StartupHeap
from dfx_tui.app.config import AppConfig
from dfx_tui.app.feed.notices import FeedNotice, NoticeKind
from dfx_tui.app.feed_source import FeedSource
from dfx_tui.app.markets_screen import MarketShown, MarketsScreen
from dfx_tui.app.paint_clock import PaintClock
from dfx_tui.app.paint_schedule import HEARTBEAT_S, observe_markets, quiet_delay
from dfx_tui.app.screen_updates import tick_and_draw
from dfx_tui.book.codec import normalize_market
from dfx_tui.book.market_analytics import MarketAnalytics
from dfx_tui.book.state import LinkState, Market, MarketState
from dfx_tui.widgets.market_messages import AddMarketRequest, CloseMarketRequest
from dfx_tui.widgets.market_pane import MarketPane
from dfx_tui.widgets.palette import THEMES, theme_variables
from dfx_tui.widgets.safe import sanitize

if TYPE_CHECKING:
    from dfx_tui.app.feed.replay_control import ReplayControl
    from dfx_tui.app.sim.server import SimServer

LIVE_SUGGESTIONS = ("BTC_USDT", "ETH_USDT", "XRP_USDT", "SOL_USDT", "DOGE_USDT", "LTC_USDT",
                    "TRX_USDT", "DFT_USDT")
TOAST_SECONDS = {"error": 6.0, "warning": 4.0, "information": 4.0}


HISTORY_S = 1.0  # a hidden tab's new data is taken at most this often (the 1 s samples)


@runtime_checkable
class WatchableFeed(Protocol):
    """A feed that says when a market changed (`FeedClient.watch`) and when any market has
    data (`watch_data`); others are polled."""

    def watch(self, market: str | None, callback: Callable[[], bool] | None) -> None: ...
    def watch_data(self, callback: Callable[[], None] | None) -> None: ...


class FeedNoticeMessage(Message):
    """A rare feed event (connected, stale, resync, rejected market, ...), as the feed said it."""

    def __init__(self, notice: FeedNotice) -> None:
        super().__init__()
        self.notice = notice


class DfxApp(App[int]):
    """dfx-tui. Pass `feed` (e.g. a `FixedFeed`) for tests and screenshots; otherwise the app
    builds a `FeedClient` (and with `config.demo`, starts the simulator in-process first)."""

    CSS_PATH = Path(__file__).with_name("app.tcss")
    TITLE = "dfx-tui"
    COMMAND_PALETTE_BINDING = "ctrl+p"
    # Textual's own ctrl+q, with an id so a keymap can move it and the help screen lists it.
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+q", "quit", "Quit now", show=False, priority=True, id="quit-now",
                tooltip="quit at once, without asking"),
    ]

    def __init__(self, config: AppConfig, *, feed: FeedSource | None = None,
                 clock: Callable[[], float] = time.monotonic, tz: tzinfo | None = None,
                 wall_clock: Callable[[], float] = time.time) -> None:
        super().__init__()
        for theme in THEMES:  # dfx-colorblind, dfx-ansi: for the config file and ctrl+p
            self.register_theme(theme)
        self.config = config
        self.feed: FeedSource | None = feed
        self.clock = clock  # monotonic: ages, staleness, flashes
        self.wall_clock = wall_clock  # Unix seconds: histories line up with trade times
        self.tz = tz
        self.sim: SimServer | None = None
        self.replay: ReplayControl | None = None  # the replay desk, when a recording plays
        self.known_markets: tuple[str, ...] = LIVE_SUGGESTIONS
        self.startup_heap = StartupHeap()  # frozen 1.5 s after mount (app/collector.py)
        self.ticks = 0  # paints
        self.paint_clock: PaintClock | None = None  # None: a feed without `watch`, polled
        self._watch: Callable[[str | None, Callable[[], bool] | None], None] | None = None
        self._watch_data: Callable[[Callable[[], None] | None], None] | None = None
        self.alert_watcher = AlertWatcher(config.alerts)  # issue 13: checked in observe_markets
        self.alert_watcher.on_change = self._alerts_changed
        if "TEXTUAL_ANIMATIONS" not in os.environ:
            # No tab-underline slide: 18 extra screen updates per tab switch, on the loop
            # that applies the feed (bench_app: switch latency and CPU while switching).
            self.animation_level = "none"

    def get_theme_variable_defaults(self) -> dict[str, str]:
        # The book's colours ($bid, $ask, $stale, ...) for the current theme.
        return theme_variables(self.current_theme)

    # ----------------------------------------------------------------- start and stop
    async def on_load(self) -> None:
        # Before the first compose: the feed (and the demo simulator) must exist to make tabs.
        if self.feed is not None:
            return
        if self.config.demo:
            from dfx_tui.app.demo import start_demo_sim

            self.sim = await start_demo_sim(self.config)
            self.known_markets = self.sim.markets
        from dfx_tui.app.feed.client import FeedClient

        feed = self.feed = FeedClient(self.config, on_notice=self._on_feed_notice)
        self.replay = feed.replay
        if feed.replay is not None:  # histories run on the recording's clock
            self.wall_clock = feed.wall_time

    def get_default_screen(self) -> Screen[None]:
        assert self.feed is not None
        markets = list(self.feed.markets.values())
        if not markets:
            raise ValueError("no market to show")
        for market in markets:
            self._configure_market(market)
        screen = MarketsScreen(self._make_pane(markets[0]), markets,
                               known_markets=self.known_markets, on_ready=self.on_clock)
        screen.replay = self.replay
        return screen

    def _make_pane(self, market: Market) -> MarketPane:
        self._configure_market(market)
        return MarketPane(market, settings=self.config.trader_settings(), tz=self.tz,
                          wall_clock=lambda: self.wall_clock())

    def _configure_market(self, market: Market) -> None:
        """The config's windows for a newly opened market's histories (volume at price,
        pulling and stacking), set before any history is taken."""
        wanted = self.config.trader_settings().analytics()
        if market.analytics.settings != wanted and market.analytics.observed_at is None:
            market.analytics = MarketAnalytics(wanted)

    def _apply_preferences(self) -> None:
        """Theme and rebound keys from the config file; a bad entry is reported, not fatal."""
        theme = self.config.theme
        if theme:
            if theme in self.available_themes:
                self.theme = theme
            else:
                self.notify(sanitize(f"unknown theme {theme!r:.40}; known: "
                                     f"{', '.join(sorted(self.available_themes))}"),
                            severity="warning", markup=False, timeout=8)
        keymap = self.config.keymap
        if keymap:
            known = {b.id for b in Binding.make_bindings([*MarketsScreen.BINDINGS,
                                                          *self.BINDINGS]) if b.id}
            unknown = sorted(set(keymap) - known)
            if unknown:
                self.notify(sanitize(f"unknown key binding id {unknown[0]!r:.40}; known: "
                                     f"{', '.join(sorted(known))}"),
                            severity="warning", markup=False, timeout=8)
            self.set_keymap({k: v for k, v in keymap.items() if k in known})

    def on_mount(self) -> None:
        self._apply_preferences()
        fps = self.config.fps if self.config.fps > 0 else 10.0
        feed: object = self.feed  # a FeedSource, maybe also a WatchableFeed
        if isinstance(feed, WatchableFeed):
            self._watch, self._watch_data = feed.watch, feed.watch_data
            self.paint_clock = PaintClock(self.on_clock, fps)
        else:  # a fixed feed changes only when a test says so: poll it at the fps
            self.set_interval(1.0 / fps, self.on_clock)
        self.markets_screen.fit(self.size.width, self.size.height)
        self.call_after_refresh(self._first_picture)
        self.start_feed()
        self.set_timer(1.5, self.startup_heap.freeze)

    def _first_picture(self) -> None:
        """Paint after the first layout unless the screen's mount did: a second paint before
        any data spent the clock's burst, and a local feed's first book waited ~200 ms."""
        if self.paint_clock is None or self.paint_clock.paints == 0:
            self.on_clock()

    @work(exit_on_error=False, group="feed")
    async def start_feed(self) -> None:
        assert self.feed is not None
        try:
            await self.feed.start()
        except Exception as exc:  # shown, not raised: the status bar keeps the last state
            self.notify(sanitize(f"feed failed to start: {exc}"), severity="error",
                        markup=False)

    async def on_unmount(self) -> None:
        if self.paint_clock is not None:
            self.paint_clock.stop()
        self.startup_heap.thaw()
        await self.shutdown_sources()

    async def shutdown_sources(self) -> None:
        feed, sim = self.feed, self.sim
        self.sim = None
        if feed is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(feed.stop(), 3.0)
        if sim is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(sim.stop(), 3.0)

    # ----------------------------------------------------------------- feed notices
    def _on_feed_notice(self, notice: FeedNotice) -> None:
        # The feed's callback, on this loop, for rare events only.
        self.post_message(FeedNoticeMessage(notice))

    async def on_feed_notice_message(self, message: FeedNoticeMessage) -> None:
        notice = message.notice
        if notice.kind is NoticeKind.MARKETS_CHANGED:
            await self.follow_feed_markets()
        severity = notice.severity
        if severity is not None:
            text = sanitize(notice.text, 160)
            if notice.market and not text.startswith(notice.market):
                text = f"{sanitize(notice.market, 30)}: {text}"
            self.notify(text, severity=severity, markup=False, timeout=TOAST_SECONDS[severity])
        self.on_clock()

    # ----------------------------------------------------------------- clock
    @property
    def markets_screen(self) -> MarketsScreen:
        """The main screen (at the bottom of the stack, under any dialog)."""
        screen = self.screen_stack[0]
        assert isinstance(screen, MarketsScreen)
        return screen

    _main = markets_screen  # the name tests/support/fault_harness.py and the benchmarks use

    def active_pane(self) -> MarketPane:
        return self.markets_screen.active_pane()

    def on_clock(self) -> None:
        """One paint: the histories that have something new, the status bar, then (unless
        paused) the market view; each widget redraws only what changed. Then arm the feed's
        hooks and say when to paint next with nothing new (None: not before the feed or a
        key says so)."""
        clock = self.paint_clock
        if self.feed is None or not self.screen_stack:
            if clock is not None:
                clock.painted(clock.loop.time() + HEARTBEAT_S)
            return
        self.ticks += 1
        screen = self.markets_screen
        histories_in = self.observe_markets(screen.current_market())
        now = self.clock()
        status, tag = self.feed.status, "DEMO" if self.config.demo else None
        tick_and_draw(screen, lambda: screen.tick(now, status, tag=tag))
        if clock is None:
            return
        if self._watch is not None:
            self._watch(screen.current_market(), clock.data_arrived)
        if self._watch_data is not None:
            self._watch_data(self._history_data)
        delay = self._quiet_delay(now, screen.next_change(), clock.fps, histories_in)
        clock.painted(None if delay is None else clock.loop.time() + delay)

    def _history_data(self) -> None:
        """Some market has new data (the feed's `watch_data`): take it into the histories
        within `HISTORY_S` of the last paint (the shown market's own hook paints sooner)."""
        clock = self.paint_clock
        if clock is not None:
            clock.request(clock.last_paint + HISTORY_S)

    def _alerts_changed(self) -> None:
        # A new alert reads its market's book at the next paint: soon, so that the first
        # change after it can fire it.
        if self.paint_clock is not None:
            self.paint_clock.data_arrived()

    def _quiet_delay(self, now: float, change_at: float | None, fps: float,
                     histories_in: float | None) -> float | None:
        assert self.feed is not None
        return quiet_delay(self.feed.status, now, change_at, fps, histories_in)

    def observe_markets(self, shown: str | None = None) -> float | None:
        """Feed the open markets' histories and check their alerts (app/paint_schedule.py);
        returns the seconds until a history is due with no new data."""
        assert self.feed is not None
        fired, due = observe_markets(self.feed.markets.values(),
                                     self.feed.status.state is LinkState.LIVE,
                                     self.wall_clock(), self.alert_watcher, shown)
        if fired:
            self.alert_watcher.notify(self, fired)
        return due

    def on_market_shown(self, message: MarketShown) -> None:
        # The view shows another market (and has drawn it): watch that one now; and if its
        # histories have something to take (a hidden tab's data waits up to HISTORY_S),
        # take it at once.
        clock, feed = self.paint_clock, self.feed
        if self._watch is not None and clock is not None:
            self._watch(message.market, clock.data_arrived)
            market = feed.markets.get(message.market) if feed is not None else None
            if market is not None and market.analytics.pending(
                    market.book, market.tape, market.status.state is MarketState.LIVE,
                    self.wall_clock()):
                clock.data_arrived()

    # ----------------------------------------------------------------- markets
    async def add_market(self, name: str) -> None:
        """Subscribe to a market and open its tab (or switch to it, if already open)."""
        assert self.feed is not None
        try:
            name = normalize_market(name)
        except ValueError:
            self.notify("Not a market name: use BASE_QUOTE, e.g. ETH_USDT", severity="warning",
                        markup=False)
            return
        if name in self.feed.markets:
            self.markets_screen.show(name)
            return
        market = self.feed.add_market(name)
        self._configure_market(market)
        self.markets_screen.add_market(market)

    async def close_market(self, name: str) -> None:
        """Unsubscribe from a market and close its tab; the last tab stays."""
        assert self.feed is not None
        if name not in self.feed.markets:
            return
        if len(self.feed.markets) <= 1:
            self.bell()
            self.notify("The last tab stays open: add another market first (a)",
                        severity="warning", markup=False)
            return
        self.feed.remove_market(name)
        self.markets_screen.remove_market(name)

    async def follow_feed_markets(self) -> None:
        """The feed opened or closed markets by itself (a replay, as its recording did): the
        tabs follow (see `MarketsScreen.sync_markets`)."""
        assert self.feed is not None
        wanted = dict(self.feed.markets)  # the feed may change it while tabs are opened
        for market in wanted.values():
            self._configure_market(market)
        self.markets_screen.sync_markets(wanted)

    async def on_add_market_request(self, message: AddMarketRequest) -> None:
        await self.add_market(message.market)

    async def on_close_market_request(self, message: CloseMarketRequest) -> None:
        await self.close_market(message.market)


def run_tui(config: AppConfig) -> int:
    """Run the app in the terminal; the terminal is restored on every exit, crash included."""
    app = DfxApp(config)
    from dfx_tui.app.terminal import with_backpressure  # issue 11: never wait on the terminal

    app.driver_class = with_backpressure(app.driver_class)
    try:
        result = app.run()
    finally:
        if app.sim is not None or app.feed is not None:
            # The app's loop is gone if it crashed before unmounting: stop what is left.
            with contextlib.suppress(Exception):
                asyncio.run(app.shutdown_sources())
    if app.return_code not in (None, 0):
        return int(app.return_code)
    return int(result or 0)
