"""The Textual app: one tab per market, a status bar, a footer, and the keys.

Data flow (design.md): the feed mutates books and tapes in place and bumps their versions;
one clock here (`config.fps`) ticks only the visible pane, whose widgets repaint only when a
version changed. Rare feed events arrive through `on_notice` and become Textual messages.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import os
import time
from collections.abc import Callable, Iterable
from datetime import tzinfo
from pathlib import Path
from typing import Any, Protocol

from textual import events, work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Static, TabbedContent, TabPane

from dfx_tui.app.config import AppConfig
from dfx_tui.book.codec import normalize_market
from dfx_tui.book.state import ConnectionStatus, LinkState, Market, MarketState
from dfx_tui.book.tape import Trade
from dfx_tui.widgets.add_market import AddMarketScreen
from dfx_tui.widgets.confirm_quit import ConfirmQuitScreen
from dfx_tui.widgets.help_screen import HelpScreen
from dfx_tui.widgets.market_commands import (
    AddMarketRequest,
    CloseMarketRequest,
    MarketCommands,
    ShowMarketRequest,
)
from dfx_tui.widgets.market_pane import MarketPane
from dfx_tui.widgets.palette import THEMES, theme_variables
from dfx_tui.widgets.safe import sanitize
from dfx_tui.widgets.status_bar import StatusBar

MIN_WIDTH, MIN_HEIGHT = 60, 16  # below this a notice replaces the panes
WIDE_WIDTH = 110  # from this width the ladder and the tape sit side by side
QUIT_AGAIN_S = 2.0  # a second `q` within this many seconds quits without asking
LIVE_SUGGESTIONS = ("BTC_USDT", "ETH_USDT", "XRP_USDT", "SOL_USDT", "DOGE_USDT", "LTC_USDT",
                    "TRX_USDT", "DFT_USDT")


class FeedSource(Protocol):
    """What the app needs of a feed: `FeedClient`, or `FixedFeed` for tests and pictures."""

    markets: dict[str, Market]
    status: ConnectionStatus

    def add_market(self, name: str) -> Market: ...
    def remove_market(self, name: str) -> None: ...
    async def start(self) -> None: ...
    async def stop(self) -> None: ...


class FixedFeed:
    """A feed over markets filled beforehand: no I/O, nothing changes unless a test says so.

    `filler(market)` fills markets added later (by the `a` key or the command palette).
    """

    def __init__(self, markets: Iterable[Market], status: ConnectionStatus | None = None,
                 filler: Callable[[Market], None] | None = None) -> None:
        self.markets: dict[str, Market] = {m.name: m for m in markets}
        self.status = status or ConnectionStatus(url="fixed://", state=LinkState.LIVE)
        self.filler = filler
        self.removed: list[str] = []

    def add_market(self, name: str) -> Market:
        if name not in self.markets:
            market = Market(name)
            if self.filler is not None:
                self.filler(market)
            self.markets[name] = market
        return self.markets[name]

    def remove_market(self, name: str) -> None:
        self.markets.pop(name, None)
        self.removed.append(name)

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None


def seeded_market(name: str, seed: int = 7, *, steps: int = 200, t0: float = 1_750_000_000.0,
                  state: MarketState = MarketState.LIVE) -> Market:
    """A market filled from the simulator's model with a fixed seed and fixed times."""
    from dfx_tui.app.sim.market import MarketModel, spec_for

    model = MarketModel(spec_for(name), seed, now=t0)
    for i in range(steps):
        model.step(t0 + i * 0.05)
    market = Market(name.upper())
    wire = model.snapshot_wire()
    market.book.apply_snapshot(wire["asks"], wire["bids"])
    market.tape.apply(True, [Trade.from_wire(dict(t)) for t in model.trades_recent])
    market.status.state = state
    return market


class FeedNoticeMessage(Message):
    """A rare feed event (connected, stale, error, resync, rejected market)."""

    def __init__(self, kind: str, market: str | None, text: str) -> None:
        super().__init__()
        self.kind = kind
        self.market = market
        self.text = text


class MarketsScreen(Screen[None]):
    """The main screen; its bindings are the market keys (ids let a keymap rebind them)."""

    BINDINGS = [
        *[Binding(str(i), f"app.jump({i})", f"Tab {i}", show=False, id=f"tab-{i}")
          for i in range(1, 10)],
        Binding("tab,right_square_bracket", "app.next_tab", "Next tab", key_display="tab/]",
                show=False, priority=True, id="next-tab"),
        Binding("shift+tab,left_square_bracket", "app.previous_tab", "Previous tab",
                key_display="shift+tab/[", show=False, priority=True, id="previous-tab"),
        Binding("a", "app.add_market", "Add", id="add-market"),
        Binding("w", "app.close_market", "Close", id="close-market"),
        Binding("plus,equals_sign", "app.group(1)", "Group", key_display="+/-",
                id="group-coarser"),
        Binding("minus", "app.group(-1)", "Group finer", key_display="-", show=False,
                id="group-finer"),
        Binding("d", "app.depth", "Depth", id="cycle-depth"),
        Binding("p", "app.pause", "Pause", id="pause"),
        Binding("question_mark", "app.help", "Help", key_display="?", id="help"),
        Binding("q", "app.request_quit", "Quit", id="quit"),
    ]

    def __init__(self, panes: list[tuple[str, MarketPane]]) -> None:
        super().__init__(id="markets-screen")
        self._initial = panes
        self.tabbed = TabbedContent(id="markets")
        self.status_bar = StatusBar(id="status")

    def compose(self) -> ComposeResult:
        with self.tabbed:
            for name, pane in self._initial:
                with TabPane(name, id=pane_id(name)):
                    yield pane
        yield Static("", id="too-small")
        yield self.status_bar
        yield Footer(compact=True)

    def on_resize(self, event: events.Resize) -> None:
        self.app_layout(event.size.width, event.size.height)

    def app_layout(self, width: int, height: int) -> None:
        too_small = width < MIN_WIDTH or height < MIN_HEIGHT
        self.set_class(too_small, "-too-small")
        if too_small:
            self.query_one("#too-small", Static).update(
                f"Terminal too small: {width}x{height}\nneed at least {MIN_WIDTH}x{MIN_HEIGHT}")
        narrow = width < WIDE_WIDTH
        self.set_class(narrow, "-narrow")
        for pane in self.query(MarketPane):
            pane.set_class(narrow, "-narrow")


def pane_id(market: str) -> str:
    return f"market-{market}"


class DfxApp(App[int]):
    """dfx-tui. Pass `feed` (e.g. a `FixedFeed`) for tests and screenshots; otherwise the app
    builds a `FeedClient` (and with `config.demo`, starts the simulator in-process first)."""

    CSS_PATH = Path(__file__).with_name("app.tcss")
    TITLE = "dfx-tui"
    COMMANDS = App.COMMANDS | {MarketCommands}
    COMMAND_PALETTE_BINDING = "ctrl+p"

    def __init__(self, config: AppConfig, *, feed: FeedSource | None = None,
                 clock: Callable[[], float] = time.monotonic, tz: tzinfo | None = None) -> None:
        super().__init__()
        for theme in THEMES:  # dfx-colorblind, dfx-ansi: for the config file and ctrl+p
            self.register_theme(theme)
        self.config = config
        self.feed: FeedSource | None = feed
        self.clock = clock
        self.tz = tz
        self.sim: Any = None
        self.paused = False
        self.known_markets: tuple[str, ...] = LIVE_SUGGESTIONS
        self._last_q = -1e9
        self._feed_task: asyncio.Task | None = None
        self._active_pane: tuple[str, MarketPane] | None = None
        self._heap_frozen = False
        self.ticks = 0
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
            from dfx_tui.app.sim.market import CATALOG
            from dfx_tui.app.sim.server import SimConfig, SimServer

            markets = tuple(dict.fromkeys([*self.config.markets, *CATALOG]))
            self.sim = SimServer(SimConfig(markets=markets, seed=self.config.demo_seed,
                                           rate=self.config.demo_rate), host="127.0.0.1", port=0)
            await self.sim.start()
            self.config.url = self.sim.url
            self.known_markets = markets
        from dfx_tui.app.feed.client import FeedClient

        self.feed = FeedClient(self.config, on_notice=self._on_feed_notice)

    def get_default_screen(self) -> Screen:
        assert self.feed is not None
        return MarketsScreen([(name, self._make_pane(m)) for name, m in self.feed.markets.items()])

    def _make_pane(self, market: Market) -> MarketPane:
        return MarketPane(market, big_trade=self.config.big_trade,
                          min_trade=self.config.min_trade, tz=self.tz)

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
            known = {b.id for b in MarketsScreen.BINDINGS if isinstance(b, Binding) and b.id}
            unknown = sorted(set(keymap) - known)
            if unknown:
                self.notify(sanitize(f"unknown key binding id {unknown[0]!r:.40}; known: "
                                     f"{', '.join(sorted(known))}"),
                            severity="warning", markup=False, timeout=8)
            self.set_keymap({k: v for k, v in keymap.items() if k in known})

    def on_mount(self) -> None:
        self._apply_preferences()
        fps = self.config.fps if self.config.fps > 0 else 10.0
        self.set_interval(1.0 / fps, self.on_clock)
        self._main.app_layout(self.size.width, self.size.height)
        self.call_after_refresh(self.on_clock)  # the first picture without waiting a tick
        self.start_feed()
        self.set_timer(1.5, self._freeze_startup_heap)

    @work(exit_on_error=False, group="feed")
    async def start_feed(self) -> None:
        assert self.feed is not None
        try:
            await self.feed.start()
        except Exception as exc:  # shown, not raised: the status bar keeps the last state
            self.notify(sanitize(f"feed failed to start: {exc}"), severity="error",
                        markup=False)

    def _freeze_startup_heap(self) -> None:
        """Move what startup built (modules, CSS, widgets) out of the collector's sight.

        Full collections otherwise walk all of it: measured 45-65 ms pauses every few
        seconds at high feed rates, longer than a repaint interval
        (tests/benchmarks/bench_app.py). Undone on unmount, so nothing stays pinned.
        """
        gc.collect()
        gc.freeze()
        self._heap_frozen = True

    async def on_unmount(self) -> None:
        if self._heap_frozen:
            gc.unfreeze()
            self._heap_frozen = False
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

    def _on_feed_notice(self, notice: Any) -> None:
        # Called by the feed on this loop for rare events only.
        self.post_message(FeedNoticeMessage(str(getattr(notice, "kind", "")),
                                            getattr(notice, "market", None),
                                            str(getattr(notice, "text", ""))))

    def on_feed_notice_message(self, message: FeedNoticeMessage) -> None:
        kind = message.kind.lower()
        text = sanitize(message.text, 160)
        if message.market and not text.startswith(message.market):
            text = f"{sanitize(message.market, 30)}: {text}"
        if any(word in kind for word in ("error", "reject", "down", "fail")):
            self.notify(text, severity="error", markup=False, timeout=6)
        elif any(word in kind for word in ("stale", "resync", "reconnect", "disconnect", "warn")):
            self.notify(text, severity="warning", markup=False, timeout=4)
        self.on_clock()

    # ----------------------------------------------------------------- clock
    @property
    def _main(self) -> MarketsScreen:
        screen = self.screen_stack[0]
        assert isinstance(screen, MarketsScreen)
        return screen

    def active_pane(self) -> MarketPane | None:
        # Asked on every clock tick: remember the answer for the active tab id.
        tabbed = self._main.tabbed
        active = tabbed.active
        cached = self._active_pane
        if cached is not None and cached[0] == active and cached[1].is_attached:
            return cached[1]
        self._active_pane = None
        pane = tabbed.active_pane
        if pane is None:
            return None
        panes = pane.query(MarketPane)
        found = panes.first() if panes else None
        if found is not None:
            self._active_pane = (active, found)
        return found

    def on_clock(self) -> None:
        """The repaint clock: status bar, then (unless paused) the visible pane only."""
        if self.feed is None or not self.screen_stack:
            return
        self.ticks += 1
        now = self.clock()
        status = self.feed.status
        main = self._main
        main.status_bar.update_view(status, now, paused=self.paused,
                                              tag="DEMO" if self.config.demo else None)
        if self.paused or main.has_class("-too-small"):
            return
        pane = self.active_pane()
        if pane is not None:
            pane.tick(now, status.state)

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        self.call_after_refresh(self.on_clock)

    # ----------------------------------------------------------------- markets
    @property
    def open_markets(self) -> tuple[str, ...]:
        return tuple(self.feed.markets) if self.feed is not None else ()

    def _tabbed(self) -> TabbedContent:
        return self._main.tabbed

    def _pane_ids(self) -> list[str]:
        return [p.id for p in self._tabbed().query(TabPane) if p.id]

    def current_market(self) -> str | None:
        pane = self.active_pane()
        return pane.market.name if pane is not None else None

    async def add_market(self, name: str) -> None:
        assert self.feed is not None
        try:
            name = normalize_market(name)
        except ValueError:
            self.notify("Not a market name: use BASE_QUOTE, e.g. ETH_USDT", severity="warning",
                        markup=False)
            return
        tabbed = self._tabbed()
        if name not in self.feed.markets:
            market = self.feed.add_market(name)
            pane = self._make_pane(market)
            pane.set_class(self._main.has_class("-narrow"), "-narrow")
            await tabbed.add_pane(TabPane(name, pane, id=pane_id(name)))
        tabbed.active = pane_id(name)

    async def close_market(self, name: str) -> None:
        assert self.feed is not None
        if name not in self.feed.markets:
            return
        if len(self.feed.markets) <= 1:
            self.bell()
            self.notify("The last tab stays open: add another market first (a)",
                        severity="warning", markup=False)
            return
        tabbed = self._tabbed()
        ids = self._pane_ids()
        index = ids.index(pane_id(name)) if pane_id(name) in ids else 0
        self.feed.remove_market(name)
        await tabbed.remove_pane(pane_id(name))
        remaining = self._pane_ids()
        if remaining:
            tabbed.active = remaining[min(index, len(remaining) - 1)]

    async def on_add_market_request(self, message: AddMarketRequest) -> None:
        await self.add_market(message.market)

    async def on_close_market_request(self, message: CloseMarketRequest) -> None:
        await self.close_market(message.market)

    def on_show_market_request(self, message: ShowMarketRequest) -> None:
        if pane_id(message.market) in self._pane_ids():
            self._tabbed().active = pane_id(message.market)

    # ----------------------------------------------------------------- actions
    def action_jump(self, number: int) -> None:
        ids = self._pane_ids()
        if 1 <= number <= len(ids):
            self._tabbed().active = ids[number - 1]

    def _step_tab(self, delta: int) -> None:
        ids = self._pane_ids()
        if not ids:
            return
        tabbed = self._tabbed()
        index = ids.index(tabbed.active) if tabbed.active in ids else 0
        tabbed.active = ids[(index + delta) % len(ids)]

    def action_next_tab(self) -> None:
        self._step_tab(1)

    def action_previous_tab(self) -> None:
        self._step_tab(-1)

    def action_add_market(self) -> None:
        suggestions = tuple(m for m in self.known_markets if m not in self.open_markets)

        async def added(name: str | None) -> None:
            if name:
                await self.add_market(name)

        self.push_screen(AddMarketScreen(suggestions), added)

    async def action_close_market(self) -> None:
        name = self.current_market()
        if name is not None:
            await self.close_market(name)

    def action_group(self, delta: int) -> None:
        pane = self.active_pane()
        if pane is not None and pane.ladder.change_group(delta):
            self._repaint_now(pane)

    def action_depth(self) -> None:
        pane = self.active_pane()
        if pane is not None:
            pane.ladder.cycle_depth()  # the ladder's header line shows the new depth
            self._repaint_now(pane)

    def _repaint_now(self, pane: MarketPane) -> None:
        if not self.paused:
            pane.tick(self.clock(), self.feed.status.state if self.feed else LinkState.DOWN)

    def action_pause(self) -> None:
        self.paused = not self.paused
        self.on_clock()

    def action_help(self) -> None:
        self.push_screen(HelpScreen(help_rows(), notes=(
            "ctrl+p: command palette (add, show or close a market)",
            "Bids round down and asks round up when grouped.",
            "A stale book stays on screen, greyed and marked.",
        )))

    def action_request_quit(self) -> None:
        now = time.monotonic()
        if now - self._last_q <= QUIT_AGAIN_S:
            self.exit(0)
            return
        self._last_q = now

        def confirmed(quit_: bool | None) -> None:
            if quit_:
                self.exit(0)

        self.push_screen(ConfirmQuitScreen(), confirmed)


def help_rows() -> list[tuple[str, str]]:
    return [
        ("1 … 9", "jump to tab 1 … 9"),
        ("tab / ]", "next tab"),
        ("shift+tab / [", "previous tab"),
        ("a", "add a market (or ctrl+p)"),
        ("w", "close the current tab"),
        ("+ / -", "coarser / finer price grouping"),
        ("d", "ladder depth: auto, 5, 10, 20, 50"),
        ("p", "pause the display (the book keeps updating)"),
        ("?", "this help"),
        ("q", "quit (confirm with y, or press q twice)"),
    ]


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
