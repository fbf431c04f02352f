"""The market view: header line, ladder and tape (side by side when wide, stacked when narrow).

One view for every open market: `show_market` swaps the market it shows (book, tape, header,
and that market's `MarketViewState`), so a tab switch is a repaint, not a mount or a layout.
"""

from __future__ import annotations

from datetime import tzinfo

from textual.app import ComposeResult
from textual.containers import Container
from textual.widget import Widget

from dfx_tui.book.state import LinkState, Market, MarketState
from dfx_tui.widgets.ladder import LadderView
from dfx_tui.widgets.market_header import MarketHeader
from dfx_tui.widgets.tape import TapeView
from dfx_tui.widgets.view_state import MarketViewState

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
    MarketPane LadderView {
        width: 3fr;
    }
    MarketPane TapeView {
        width: 2fr;
        border-left: vkey $foreground 20%;
    }
    MarketPane.-narrow > #body {
        layout: vertical;
    }
    MarketPane.-narrow LadderView {
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

    def __init__(self, market: Market, view: MarketViewState | None = None, *,
                 big_trade: float | None = None, min_trade: float | None = None,
                 tz: tzinfo | None = None, name: str | None = None, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.market = market
        self.view = view if view is not None else MarketViewState()
        self.header = MarketHeader(market)
        self.ladder = LadderView(market.book)
        self.ladder.group_index, self.ladder.depth_mode = (self.view.group_index,
                                                           self.view.depth_mode)
        self.tape = TapeView(market.tape, big_trade=big_trade, min_size=min_trade, tz=tz)
        self.label: str | None = None
        self._last_tick: tuple[float, LinkState] | None = None

    def show_market(self, market: Market, view: MarketViewState) -> None:
        """Show another market with its view settings; painted at the next `tick`."""
        self.market, self.view = market, view
        self.header.show_market(market)
        self.ladder.show_book(market.book)
        self.ladder.group_index, self.ladder.depth_mode = view.group_index, view.depth_mode
        self.tape.show_tape(market.tape)

    def compose(self) -> ComposeResult:
        yield self.header
        with Container(id="body"):
            yield self.ladder
            yield self.tape

    def tick(self, now: float, link: LinkState) -> int:
        """Repaint what changed; returns how many widgets repainted (for tests and stats)."""
        self._last_tick = (now, link)
        label = state_label(link, self.market.status.state)
        self.label = label
        stale = label is not None and self.market.book.has_snapshot
        self.ladder.stale = stale
        self.tape.stale = stale
        painted = int(self.header.update_view(label))
        painted += int(self.ladder.maybe_repaint(now))
        painted += int(self.tape.maybe_repaint(now))
        return painted

    def next_change(self) -> float | None:
        """When something shown changes with time alone (a flash ends), if anything does."""
        times = [t for t in (self.ladder.next_change(), self.tape.next_change())
                 if t is not None]
        return min(times, default=None)

    def change_group(self, delta: int, *, repaint: bool = True) -> bool:
        """Coarser (`delta` > 0) or finer price grouping; False when already at the end."""
        changed = self.ladder.change_group(delta)
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
