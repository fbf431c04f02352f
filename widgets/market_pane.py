"""The market view: header line, ladder and tape (side by side when wide, stacked when narrow).

One view for every open market: `show_market` swaps the market it shows (book, histories,
tape, header, charts, and that market's `MarketViewState`), so a tab switch is a repaint, not
a mount or a layout (issue 11). In the ladder's place the body can show the liquidity heatmap
or the depth chart instead (`show_body`): each is mounted once, the charts the first time they
are needed (most runs never show them: their imports and styles were ~10 ms of a cold start),
and only the one shown is displayed and repainted.
"""


from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import tzinfo
from typing import TYPE_CHECKING

from textual import events
from textual.app import ComposeResult
from textual.containers import Container
from textual.widget import Widget

from dfx_tui.book.state import LinkState, Market, MarketState
from dfx_tui.widgets.ladder import LadderView
from dfx_tui.widgets.market_header import MarketHeader
from dfx_tui.widgets.strip_view import StripView
from dfx_tui.widgets.tape import TapeView
from dfx_tui.widgets.trader_settings import TraderSettings
from dfx_tui.widgets.view_state import BodyView, MarketViewState, view_state_for

if TYPE_CHECKING:
    from dfx_tui.widgets.depth_chart import DepthChartView
    from dfx_tui.widgets.heatmap import HeatmapView

WHEEL_TRADES = 3  # trades the tape scrolls per wheel step

_LINK_LABELS = {
    LinkState.RECONNECTING: "RECONNECTING",
    LinkState.DOWN: "DOWN",
    LinkState.STALE: "STALE",
    LinkState.RESYNCING: "RESYNCING",
    LinkState.CONNECTING: "CONNECTING",
}
_MARKET_LABELS = {
    MarketState.REJECTED: "REJECTED",
    MarketState.RESYNCING: "RESYNCING",
    MarketState.STALE: "STALE",
    MarketState.WAITING: "WAITING",
}


def state_label(link: LinkState, market: MarketState) -> str | None:
    """What to mark the market with, or None when its data is live."""
    if market == MarketState.REJECTED:
        return "REJECTED"
    if link != LinkState.LIVE and link in _LINK_LABELS:
        return _LINK_LABELS[link]
    return _MARKET_LABELS.get(market)


class MarketPane(Widget):
    """Everything shown for the active market. The app's clock calls `tick()`; the grouping
    and depth keys act through `change_group` and `cycle_depth`, which keep the choice in the
    market's `view`."""

    DEFAULT_CSS = """
    MarketPane {
        height: 1fr;
        width: 1fr;
        layout: vertical;
    }
    MarketPane > #body {
        layout: horizontal;
        height: 1fr;
    }
    MarketPane LadderView, MarketPane HeatmapView, MarketPane DepthChartView {
        width: 3fr;
    }
    MarketPane TapeView {
        width: 2fr;
    }
    MarketPane.-narrow > #body {
        layout: vertical;
    }
    MarketPane.-narrow LadderView, MarketPane.-narrow HeatmapView,
    MarketPane.-narrow DepthChartView {
        width: 1fr;
        height: 2fr;
    }
    MarketPane.-narrow TapeView {
        width: 1fr;
        height: 1fr;
        min-height: 4;
        border-left: none;
        border-top: hkey $foreground 20%;
    }
    """

    def __init__(self, market: Market, *, settings: TraderSettings | None = None,
                 view: MarketViewState | None = None,
                 tz: tzinfo | None = None, wall_clock: Callable[[], float] = time.time,
                 name: str | None = None, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.market = market
        self.settings = settings if settings is not None else TraderSettings()
        # The market's view settings, shared by its widgets (cursor, modes, tape filters).
        self.view = view if view is not None else self.view_for(market.name)
        self.header = MarketHeader(market, imbalance_bps=self.settings.imbalance_bps)
        self.ladder = LadderView(market.book, market.analytics, self.view)
        self.ladder.group_index, self.ladder.depth_mode = (self.view.group_index,
                                                           self.view.depth_mode)
        self.tape = TapeView(market.tape, self.view, tz=tz)
        self.tape.rule_left = True  # beside the ladder; stacked below it (narrow) it is not
        self.label: str | None = None
        self._last_tick: tuple[float, LinkState] | None = None
        # Issue 13: the charts that can take the ladder's place, on the histories' clock;
        # made when first needed (`heatmap`, `depth_chart`).
        self.wall_clock = wall_clock
        self.tz = tz
        self._heatmap: HeatmapView | None = None
        self._depth_chart: DepthChartView | None = None
        self._composed = False

    @property
    def heatmap(self) -> HeatmapView:
        """The liquidity heatmap (made and mounted, hidden, on first use)."""
        if self._heatmap is None:
            from dfx_tui.widgets.heatmap import HeatmapView

            self._heatmap = HeatmapView(self.market, view=self.view, tz=self.tz,
                                        wall_clock=self.wall_clock)
            self._place_chart(self._heatmap)
        return self._heatmap

    @property
    def depth_chart(self) -> DepthChartView:
        """The depth chart (made and mounted, hidden, on first use)."""
        if self._depth_chart is None:
            from dfx_tui.widgets.depth_chart import DepthChartView

            self._depth_chart = DepthChartView(self.market.book, view=self.view)
            self._place_chart(self._depth_chart)
        return self._depth_chart

    def _charts(self) -> Iterator[HeatmapView | DepthChartView]:
        """The charts made so far, in their place's order."""
        yield from (c for c in (self._heatmap, self._depth_chart) if c is not None)

    def _place_chart(self, chart: HeatmapView | DepthChartView) -> None:
        """Put a new chart, hidden, between the ladder and the tape (where compose put them):
        now if the body holds its widgets, else with compose, or once the body is mounted."""
        chart.display = False
        body = self.tape.parent
        if isinstance(body, Widget):
            body.mount(chart, before=self.tape)
        elif self._composed:  # composed, the body not mounted yet: place it after this turn
            self.call_later(self._place_chart, chart)

    def view_for(self, market: str) -> MarketViewState:
        """A newly opened market's view settings, as the config file starts them."""
        return view_state_for(market, self.settings)

    def set_narrow(self, narrow: bool) -> None:
        """Stack the tape below the ladder (narrow) or set it beside, behind a rule (wide)."""
        self.set_class(narrow, "-narrow")
        self.tape.rule_left = not narrow

    def show_market(self, market: Market, view: MarketViewState) -> None:
        """Show another market with its view settings; painted at the next `tick`."""
        # A quiet market is not observed by the app: its heatmap's covered time is brought
        # up to now before it is drawn (see MarketAnalytics.hold).
        market.analytics.hold(market.book, self.wall_clock())
        self.market, self.view = market, view
        self.header.show_market(market)
        self.ladder.show_book(market.book, market.analytics, view)
        self.tape.show_tape(market.tape, view)
        self.show_charts_for(market, view)

    def compose(self) -> ComposeResult:
        self._composed = True
        yield self.header
        with Container(id="body"):
            yield self.ladder
            yield from self._charts()
            yield self.tape

    def tick(self, now: float, link: LinkState) -> int:
        """Repaint what changed; returns how many widgets repainted (for tests and stats)."""
        self._last_tick = (now, link)
        label = state_label(link, self.market.status.state)
        self.label = label
        stale = label is not None and self.market.book.has_snapshot
        self.ladder.stale = stale
        for chart in self._charts():
            chart.stale = stale
        self.tape.stale = stale
        painted = int(self.header.update_view(label, self.wall_clock()))
        painted += int(self.body_view().maybe_repaint(now))
        painted += int(self.tape.maybe_repaint(now))
        return painted

    def next_change(self) -> float | None:
        """When something shown changes with time alone, if anything does: a flash ends,
        the heatmap's time axis moves a column, the header's sparkline slides. On the clock
        `tick` is given (the charts' own clock is the wall clock: converted)."""
        times = [self.body_view().next_change(), self.tape.next_change()]
        if self._last_tick is not None:
            now, wall = self._last_tick[0], self.wall_clock()
            if self.view.body == "heatmap":
                times.append(now + self.heatmap.changes_in(wall))
            slide = self.header.changes_in(wall)
            if slide is not None:
                times.append(now + slide)
        return min((t for t in times if t is not None), default=None)

    def change_group(self, delta: int, *, repaint: bool = True) -> bool:
        """Coarser (`delta` > 0) or finer price grouping (of the heatmap's rows while it is
        shown); False when already at the end."""
        shown = self.heatmap if self.view.body == "heatmap" else self.ladder
        changed = shown.change_group(delta)
        self.view.group_index = self.ladder.group_index
        if changed and repaint:
            self.repaint_now()
        return changed

    def cycle_depth(self, *, repaint: bool = True) -> None:
        """Next ladder depth (auto, 5, 10, 20, 50); the ladder's header line shows it."""
        self.view.depth_mode = self.ladder.cycle_depth()
        if repaint:
            self.repaint_now()

    def repaint_now(self) -> None:
        """Show a changed view at once instead of at the next clock tick, with that tick's
        time and link state (nothing, if the pane was never ticked: the clock paints it)."""
        if self._last_tick is not None:
            self.tick(*self._last_tick)

    # ----------------------------------------------------------------- issue 13: charts, mouse
    def body_view(self) -> StripView:
        """The widget shown in the ladder's place: the ladder, the heatmap or the depth chart."""
        body = self.view.body
        return (self.heatmap if body == "heatmap" else self.depth_chart if body == "depth"
                else self.ladder)

    def show_charts_for(self, market: Market, view: MarketViewState) -> None:
        """The charts of another market, with its settings: for one view whose market is
        swapped on a tab switch (issue 11), whose `show_market` calls this."""
        self.view = view
        if view.body != "ladder":  # the chart to show, made now if it never was
            self.body_view()
        if self._heatmap is not None:
            self._heatmap.show_market(market, view)
        if self._depth_chart is not None:
            self._depth_chart.show_book(market.book, view)
        if self._shown_body() != view.body:  # a display change costs a layout pass
            self.show_body(view.body, repaint=False)
        else:
            self.view.body = view.body

    def _shown_body(self) -> BodyView:
        heatmap, depth_chart = self._heatmap, self._depth_chart
        return ("heatmap" if heatmap is not None and heatmap.display
                else "depth" if depth_chart is not None and depth_chart.display else "ladder")

    def show_body(self, body: BodyView, *, repaint: bool = True) -> None:
        """Show `body` in the ladder's place (a display toggle: a chart is mounted the first
        time it is shown, and stays)."""
        self.view.body = body
        self.ladder.display = body == "ladder"
        if body == "heatmap" or self._heatmap is not None:
            self.heatmap.display = body == "heatmap"
        if body == "depth" or self._depth_chart is not None:
            self.depth_chart.display = body == "depth"
        if repaint:
            self.repaint_now()
            # Again once laid out: a widget shown again gets its size with the next layout.
            self.call_after_refresh(self.repaint_now)

    def toggle_body(self, body: BodyView, *, repaint: bool = True) -> BodyView:
        """Show `body`, or the ladder again if `body` is already shown; returns what is shown."""
        self.show_body("ladder" if self.view.body == body else body, repaint=repaint)
        return self.view.body

    def change_range(self, wider: bool, *, repaint: bool = True) -> bool:
        """Widen or narrow the chart shown: the depth chart's bps, the heatmap's seconds per
        column. False when at the end of the steps, or when the ladder is shown."""
        body = self.view.body
        changed = (self.depth_chart.change_range(wider) if body == "depth" else
                   self.heatmap.change_seconds(wider) if body == "heatmap" else False)
        if changed and repaint:
            self.repaint_now()
        return changed

    async def on_mouse_scroll_down(self, event: events.MouseScrollDown) -> None:
        await self._wheel(event, 1)

    async def on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        await self._wheel(event, -1)

    async def _wheel(self, event: events.MouseEvent, step: int) -> None:
        """The wheel over the tape scrolls it (down: older trades); over the ladder it runs
        the screen's `cursor-down` / `cursor-up` bindings (the ladder cursor's keys, found by
        id, so whatever their action is called and wherever a keymap put them)."""
        if event.widget is self.tape:
            event.stop()
            if self.tape.scroll_trades(step * WHEEL_TRADES) and self._last_tick is not None:
                self.tape.maybe_repaint(self._last_tick[0])
        elif event.widget is self.ladder:
            action = self._screen_action("cursor-down" if step > 0 else "cursor-up")
            if action is not None:
                event.stop()
                await self.screen.run_action(action)

    def _screen_action(self, binding_id: str) -> str | None:
        screen = self.screen
        for active in screen.active_bindings.values():
            if active.node is screen and active.binding.id == binding_id:
                return active.binding.action
        return None
