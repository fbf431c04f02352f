"""The main screen: a tab line, one market view, the status bar, the footer and the keys.

The screen owns its tabs and the actions on them (jump, next, previous, close, pause, help,
quit); grouping and depth act on the `MarketPane`, which shows the active market. Opening and
closing a market also changes the feed's subscription, so those go out as `AddMarketRequest`
/ `CloseMarketRequest` messages, handled by the app that owns the feed (which then calls
`add_market` / `remove_market`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import Footer, Static

from dfx_tui.app.alerts import AlertCommands
from dfx_tui.app.market_actions import FEATURE_BINDINGS, MarketActions
from dfx_tui.app.screen_updates import draw_now
from dfx_tui.book.state import ConnectionStatus, Market
from dfx_tui.widgets.market_messages import (
    AddMarketRequest,
    CloseMarketRequest,
    ShowMarketRequest,
)
from dfx_tui.widgets.market_pane import MarketPane
from dfx_tui.widgets.market_tabs import MarketTabs
from dfx_tui.widgets.status_bar import StatusBar
from dfx_tui.widgets.ticker_text import catalog_of
from dfx_tui.widgets.view_state import MarketViewState

if TYPE_CHECKING:
    from textual.command import Provider

MIN_WIDTH, MIN_HEIGHT = 60, 16  # below this a notice replaces the panes
WIDE_WIDTH = 110  # from this width the ladder and the tape sit side by side
QUIT_AGAIN_S = 2.0  # a second quit key within this many seconds quits without asking
# How often a hidden market's new tape lines are made (`MarketsScreen._warm_hidden`), one
# market at a time: a build of a tape whose lines are mostly made is ~0.16 ms in process,
# so ~0.2 ms a second; a market shown after it has at most a few new lines to make.
WARM_EVERY_S = 0.7

# The help screen shows a group of bindings as one row.
TAB_JUMPS = Binding.Group("jump to tab 1 … 9")
GROUPING = Binding.Group("coarser / finer price grouping")


# The palette's providers, imported when it first opens (with the help screen they pull in,
# ~2 ms of every start); Textual takes a function returning the provider class.
def market_commands() -> type[Provider]:
    from dfx_tui.widgets.market_commands import MarketCommands

    return MarketCommands


def key_commands() -> type[Provider]:
    from dfx_tui.widgets.market_commands import KeyCommands

    return KeyCommands


def pane_id(market: str) -> str:
    return f"market-{market}"


class MarketShown(Message):
    """The market view now shows another market (the app re-arms the feed's hook for it)."""

    def __init__(self, market: str) -> None:
        super().__init__()
        self.market = market


class MarketsScreen(MarketActions):
    """Every key is a `Binding` with an id (a keymap rebinds it by id). The tooltip says what
    the key does: the help screen shows it, and the command palette offers it as a command.

    One `MarketPane` shows the active market; a switch swaps its market (`show_market`) and
    repaints it, with each market's view settings kept here (`views`). Issue 11: a
    `TabbedContent` with a pane per market laid a hidden pane out again on every switch
    (p99 ~200 ms at 10 fps; here a switch costs one full repaint of the pane).
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        *[Binding(str(i), f"jump({i})", f"Tab {i}", show=False, id=f"tab-{i}", group=TAB_JUMPS)
          for i in range(1, 10)],
        Binding("tab,right_square_bracket", "next_tab", "Next tab", key_display="tab/]",
                show=False, priority=True, id="next-tab", tooltip="next tab"),
        Binding("shift+tab,left_square_bracket", "previous_tab", "Previous tab",
                key_display="shift+tab/[", show=False, priority=True, id="previous-tab",
                tooltip="previous tab"),
        Binding("a", "add_market", "Add", id="add-market", tooltip="add a market"),
        Binding("w", "close_market", "Close", id="close-market",
                tooltip="close the current tab"),
        Binding("plus,equals_sign", "group(1)", "Group", key_display="+/-", id="group-coarser",
                tooltip="coarser price grouping", group=GROUPING),
        Binding("minus", "group(-1)", "Group finer", key_display="-", show=False,
                id="group-finer", tooltip="finer price grouping", group=GROUPING),
        Binding("d", "depth", "Depth", id="cycle-depth",
                tooltip="ladder depth: auto, 5, 10, 20, 50"),
        Binding("p", "pause", "Pause", id="pause",
                tooltip="pause the display (the book keeps updating)"),
        Binding("question_mark", "help", "Help", key_display="?", id="help",
                tooltip="show the keys"),
        Binding("q", "request_quit", "Quit", id="quit",
                tooltip="quit (asks first; twice quits at once)"),
        *FEATURE_BINDINGS,  # replay desk, trader's ladder, charts: app/market_actions.py
    ]
    COMMANDS = {market_commands, key_commands, AlertCommands}

    def __init__(self, pane: MarketPane, markets: list[Market],
                 known_markets: tuple[str, ...] = (),
                 on_ready: Callable[[], None] | None = None) -> None:
        super().__init__(id="markets-screen")
        self.pane = pane
        self.on_ready = on_ready  # the first paint, called once the widgets are styled
        self._ready = False
        self._resumed = False
        self.known_markets = known_markets  # suggested by the add dialog and the palette
        self._markets: dict[str, Market] = {m.name: m for m in markets}
        self._markets.setdefault(pane.market.name, pane.market)
        self.views: dict[str, MarketViewState] = {name: pane.view_for(name)
                                                  for name in self._markets}
        self.views[pane.market.name] = pane.view
        self._warmed: dict[str, int] = {}  # market -> its tape's version last warmed
        self._warmed_at = float("-inf")  # the clock of the last warming
        self.tabs = MarketTabs(list(self._markets), pane.market.name, id="tabs")
        self.status_bar = StatusBar(id="status")
        # Held here, not queried: the app fits the screen to the terminal on its mount,
        # which may come before this screen composed (a crash at start in a terminal
        # under MIN_WIDTH x MIN_HEIGHT).
        self.too_small_notice = Static("", id="too-small")
        self.paused = False
        self._last_tick: tuple[float, ConnectionStatus, str | None] | None = None
        self._last_quit = -1e9

    def compose(self) -> ComposeResult:
        yield self.tabs
        yield self.pane
        yield self.too_small_notice
        yield self.status_bar
        yield Footer(compact=True)

    # ----------------------------------------------------------------- layout
    def _on_screen_resume(self, event: events.ScreenResume) -> None:
        # Runs before Textual's own handler (Screen._on_screen_resume). On the first resume
        # every widget was styled moments ago, when it was mounted, under the same rules (our
        # widgets' CSS is scoped to themselves; classes set since then restyled their nodes
        # at once): restyling the whole screen again, and the redraw it set off, cost ~20 ms
        # of a ~300 ms cold start (bench_app, min and lower quartile of 11). Later resumes
        # (back from a dialog, maybe after a theme change) restyle as usual.
        # tests/test_startup_styles.py checks that a restyle would change nothing.
        if not self._resumed:
            self._resumed = True
            event.refresh_styles = False

    def on_mount(self) -> None:
        # The widgets are mounted and styled: paint now, so the first screen update after
        # the first layout already shows the book if it came (a cold start drew the
        # empty frame first, then the book ~55 ms later).
        self._ready = True
        if self.on_ready is not None:
            self.on_ready()

    def on_resize(self, event: events.Resize) -> None:
        self.fit(event.size.width, event.size.height)
        # The widgets have their new sizes after this layout: draw them then (the app's
        # clock only paints when data or time asks for it).
        self.call_after_refresh(self.repaint_now)

    def fit(self, width: int, height: int) -> None:
        too_small = width < MIN_WIDTH or height < MIN_HEIGHT
        self.set_class(too_small, "-too-small")
        if too_small:
            self.too_small_notice.update(
                f"Terminal too small: {width}x{height}\nneed at least {MIN_WIDTH}x{MIN_HEIGHT}")
        narrow = width < WIDE_WIDTH
        self.set_class(narrow, "-narrow")
        self.pane.set_narrow(narrow)

    # ----------------------------------------------------------------- the clock's view
    def tick(self, now: float, status: ConnectionStatus, tag: str | None = None) -> None:
        """One paint: the status bar and the tab line, then (unless paused) the market view.
        Each redraws only what changed."""
        self._last_tick = (now, status, tag)
        if not self._ready:  # not styled yet: painted from on_mount
            return
        self.status_bar.update_view(status, now, paused=self.paused, tag=tag)
        self.tabs.maybe_repaint(now)
        if self.paused or self.has_class("-too-small"):
            return
        self.pane.tick(now, status.state)
        self._warm_hidden(now)

    def _warm_hidden(self, now: float) -> None:
        """Every `WARM_EVERY_S` at most, one hidden market whose tape changed has its new tape
        lines made (`TapeView.warm`), so a switch to it draws lines already made: a first
        visit made the whole tape and set the tab switch's p99 (module constant)."""
        shown = self.pane.market
        if now - self._warmed_at < WARM_EVERY_S:
            return
        for name, market in self._markets.items():
            version = market.tape.version
            if market is shown or self._warmed.get(name) == version:
                continue
            self._warmed[name] = version
            self._warmed_at = now
            self.pane.tape.warm(market.tape, self.views[name], self.app.console)
            return

    def repaint_now(self) -> None:
        """Paint again with the last tick's time and status (after a resize or a switch)."""
        if self._last_tick is not None:
            self.tick(*self._last_tick)

    def next_change(self) -> float | None:
        """When the market view shown changes with time alone (a flash ends), if it does."""
        if self.paused or self.has_class("-too-small"):
            return None
        return self.pane.next_change()

    def active_pane(self) -> MarketPane:
        return self.pane

    def current_market(self) -> str:
        return self.pane.market.name

    # ----------------------------------------------------------------- tabs
    @property
    def open_markets(self) -> tuple[str, ...]:
        return tuple(self._markets)

    @property
    def markets(self) -> dict[str, Market]:
        """The open markets by name, in tab order (a copy)."""
        return dict(self._markets)

    def show(self, market: str) -> None:
        """Show an open market: the same widgets, its book, tape and view settings."""
        target = self._markets.get(market)
        if target is None or target is self.pane.market:
            return
        self.pane.show_market(target, self.views[market])
        self.tabs.show(list(self._markets), market)
        # Drawn now, even when paused (a paused view freezes what it shows, and shows the
        # market it switched to once).
        if self._last_tick is not None and self._ready and not self.has_class("-too-small"):
            now, status, _tag = self._last_tick
            self.pane.tick(now, status.state)
            draw_now(self)  # on the terminal within the key's own call, like a paint
        self.post_message(MarketShown(market))

    def add_market(self, market: Market) -> None:
        """Open a tab for a new market and switch to it."""
        self._markets[market.name] = market
        self.views.setdefault(market.name, self.pane.view_for(market.name))
        self.tabs.show(list(self._markets), self.tabs.active)
        self.show(market.name)

    def remove_market(self, market: str) -> None:
        """Close a market's tab; the tab that took its place becomes active (the last stays)."""
        names = list(self._markets)
        if market not in names or len(names) <= 1:
            return
        index = names.index(market)
        del self._markets[market]
        del self.views[market]
        remaining = list(self._markets)
        if market == self.pane.market.name:
            self.show(remaining[min(index, len(remaining) - 1)])
        self.tabs.show(remaining, self.pane.market.name)

    def sync_markets(self, markets: dict[str, Market]) -> None:
        """Follow the feed's markets: a market closed and opened again is a new `Market`,
        with fresh view settings. The market in view stays in view while it is open."""
        active = self.current_market()
        for name, market in markets.items():
            if self._markets.get(name) is not market:
                self._markets[name] = market
                self.views[name] = self.pane.view_for(name)
        for name in [n for n in self._markets if n not in markets]:
            self.remove_market(name)
        if active in self._markets:
            self.show(active)
        self.tabs.show(list(self._markets), self.pane.market.name)

    def on_show_market_request(self, message: ShowMarketRequest) -> None:
        message.stop()
        self.show(message.market)

    # ----------------------------------------------------------------- actions
    def action_jump(self, number: int) -> None:
        names = list(self._markets)
        if 1 <= number <= len(names):
            self.show(names[number - 1])

    def _step_tab(self, delta: int) -> None:
        names = list(self._markets)
        index = names.index(self.current_market())
        self.show(names[(index + delta) % len(names)])

    def action_next_tab(self) -> None:
        self._step_tab(1)

    def action_previous_tab(self) -> None:
        self._step_tab(-1)

    def action_add_market(self) -> None:
        from dfx_tui.widgets.add_market import AddMarketScreen  # on first use (cold start)

        suggestions = tuple(m for m in self.known_markets if m not in self.open_markets)

        def added(name: str | None) -> None:
            if name:
                self.post_message(AddMarketRequest(name))

        # The exchange's market list, when the feed has one: searched by 24 h quote volume.
        self.app.push_screen(AddMarketScreen(suggestions, catalog_of(self.app)), added)

    def action_close_market(self) -> None:
        self.post_message(CloseMarketRequest(self.current_market()))

    def action_group(self, delta: int) -> None:
        self.pane.change_group(delta, repaint=not self.paused)
        draw_now(self)

    def action_depth(self) -> None:
        self.pane.cycle_depth(repaint=not self.paused)
        draw_now(self)

    def action_pause(self) -> None:
        self.paused = not self.paused
        self.repaint_now()  # show PAUSED (or the live view) now, not at the next paint
        draw_now(self)

    def action_help(self) -> None:
        from dfx_tui.widgets.help_screen import HelpScreen, help_rows  # first use: ~0.65 ms

        rows = help_rows((active.binding for active in self.active_bindings.values()),
                         order=[b.id for b in Binding.make_bindings(self.BINDINGS)])
        palette = self.app.COMMAND_PALETTE_BINDING
        self.app.push_screen(HelpScreen(rows, notes=(
            f"{palette}: command palette (all of the above, markets by name)",
            "Bids round down and asks round up when grouped.",
            "A stale book stays on screen, greyed and marked.",
        )))

    def action_request_quit(self) -> None:
        now = time.monotonic()
        if now - self._last_quit <= QUIT_AGAIN_S:
            self.app.exit(0)
            return
        self._last_quit = now

        def confirmed(quit_: bool | None) -> None:
            if quit_:
                self.app.exit(0)

        from dfx_tui.widgets.confirm_quit import ConfirmQuitScreen  # on first use (cold start)

        self.app.push_screen(ConfirmQuitScreen(), confirmed)
