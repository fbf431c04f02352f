"""One market tab: header line, ladder and tape (side by side when wide, stacked when narrow)."""

from __future__ import annotations

from datetime import tzinfo

from textual.app import ComposeResult
from textual.containers import Container
from textual.widget import Widget

from dfx_tui.book.state import LinkState, Market, MarketState
from dfx_tui.widgets.ladder import LadderView
from dfx_tui.widgets.market_header import MarketHeader
from dfx_tui.widgets.tape import TapeView
from dfx_tui.widgets.trader_settings import TraderSettings
from dfx_tui.widgets.view_state import MarketViewState, view_state_for

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
    """Everything shown for one market. The app's clock calls `tick()` on the visible pane;
    the grouping and depth keys act on the visible pane through `change_group` and
    `cycle_depth`."""

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

    def __init__(self, market: Market, *, settings: TraderSettings | None = None,
                 view: MarketViewState | None = None,
                 tz: tzinfo | None = None, name: str | None = None, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.market = market
        settings = settings if settings is not None else TraderSettings()
        # The market's view settings, shared by its widgets (cursor, modes, tape filters).
        self.view = view if view is not None else view_state_for(market.name, settings)
        self.header = MarketHeader(market, imbalance_bps=settings.imbalance_bps)
        self.ladder = LadderView(market.book, market.analytics, self.view)
        self.tape = TapeView(market.tape, self.view, tz=tz)
        self.label: str | None = None
        self._last_tick: tuple[float, LinkState] | None = None

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

    def change_group(self, delta: int, *, repaint: bool = True) -> bool:
        """Coarser (`delta` > 0) or finer price grouping; False when already at the end."""
        changed = self.ladder.change_group(delta)
        if changed and repaint:
            self.repaint_now()
        return changed

    def cycle_depth(self, *, repaint: bool = True) -> None:
        """Next ladder depth (auto, 5, 10, 20, 50); the ladder's header line shows it."""
        self.ladder.cycle_depth()
        if repaint:
            self.repaint_now()

    def repaint_now(self) -> None:
        """Show a changed view at once instead of at the next clock tick, with that tick's
        time and link state (nothing, if the pane was never ticked: the clock paints it)."""
        if self._last_tick is not None:
            self.tick(*self._last_tick)
