"""The tab line: one label per open market and the bar under the active one, in two lines.

It looks like Textual's focused `Tabs` (the market view had a `TabbedContent`), but it is one
Line API widget: switching redraws two strips, with no Tab widgets to restyle, no underline to
move after a refresh and no pane to lay out (issue 11: a switch cost a layout pass, p99
~200 ms at 10 fps). Clicking a label asks the screen to show that market.
"""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.geometry import Size
from textual.strip import Strip

from dfx_tui.widgets.columns import gap
from dfx_tui.widgets.market_messages import ShowMarketRequest
from dfx_tui.widgets.safe import sanitize
from dfx_tui.widgets.strip_view import StripView

BAR, HALF_LEFT, HALF_RIGHT = "━", "╺", "╸"  # as textual.renderables.bar.Bar draws them


def label_spans(names: list[str]) -> list[tuple[int, int]]:
    """(start, end) cells of each label; a label is padded by one cell on either side."""
    spans, x = [], 0
    for name in names:
        spans.append((x + 1, x + 1 + len(name)))
        x += len(name) + 2
    return spans


def scroll_for(spans: list[tuple[int, int]], active: int, width: int, scroll: int) -> int:
    """The first cell shown: `scroll` moved just enough to show the active label whole."""
    if not spans or active < 0:
        return 0
    total = spans[-1][1] + 1
    start, end = spans[active][0] - 1, spans[active][1] + 1
    if end - scroll > width:
        scroll = end - width
    if start < scroll:
        scroll = start
    return max(0, min(scroll, max(0, total - width)))


def bar_segments(start: int, end: int, width: int, on: Style, off: Style) -> list[Segment]:
    """The underline: `on` over [start, end), `off` elsewhere, half-cell caps at the joins
    (textual's `Bar` for an integer range)."""
    if width <= 0:
        return []
    start, end = max(0, min(start, width)), max(0, min(end, width))
    if start >= end:
        return [Segment(BAR * width, off)]
    segments = []
    if start > 0:
        segments.append(Segment(BAR * (start - 1) + HALF_RIGHT, off))
    segments.append(Segment(BAR * (end - start), on))
    if end < width:
        segments.append(Segment(HALF_LEFT + BAR * (width - end - 1), off))
    return segments


class MarketTabs(StripView):
    """The open markets in order, the active one highlighted."""

    DEFAULT_CSS = """
    MarketTabs {
        width: 1fr;
        height: 2;
    }
    MarketTabs > .market-tabs--tab { color: $foreground 50%; }
    MarketTabs > .market-tabs--active {
        text-style: $block-cursor-text-style;
        color: $block-cursor-foreground;
        background: $block-cursor-background;
    }
    MarketTabs > .market-tabs--bar { color: $block-cursor-background; background: $foreground 30%; }
    MarketTabs:ansi > .market-tabs--tab { text-style: dim; }
    MarketTabs:ansi > .market-tabs--bar { background: $border-blurred; }
    """

    COMPONENT_CLASSES = {"market-tabs--tab", "market-tabs--active", "market-tabs--bar"}

    def __init__(self, names: list[str] | None = None, active: str | None = None, *,
                 name: str | None = None, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.names: list[str] = list(names or [])
        self.active = active
        self._scroll = 0
        self._spans: list[tuple[int, int]] = []

    def show(self, names: list[str], active: str | None) -> None:
        """Show these tabs with `active` highlighted; redraws only the lines that changed."""
        self.names, self.active = list(names), active
        if self.is_attached and self.size.width:
            self.maybe_repaint(self._last_now)

    def _key(self) -> tuple[object, ...]:
        return (tuple(self.names), self.active, self.size.width)

    def _build(self, now: float) -> list[Strip]:
        width = self.size.width
        if width <= 0:
            return []
        st = self.component_styles()
        base, tab, active = self.rich_style, st["tab"], st["active"]
        bar = st["bar"]
        on, off = base + Style(color=bar.color), base + Style(color=bar.bgcolor)
        names = [sanitize(n, 40) for n in self.names]
        spans = self._spans = label_spans(names)
        index = self.names.index(self.active) if self.active in self.names else -1
        scroll = self._scroll = scroll_for(spans, index, width, self._scroll)
        segments: list[Segment] = []
        for i, text in enumerate(names):
            style = active if i == index else tab
            segments += (gap(" ", style), Segment(f"{text} ", style))
        labels = Strip(segments).crop(scroll, scroll + width).adjust_cell_length(width, base)
        start, end = spans[index] if index >= 0 else (0, 0)
        underline = Strip(bar_segments(start - scroll, end - scroll, width, on, off), width)
        return [labels, underline]

    def market_at(self, x: int) -> str | None:
        """The market whose label (or bar) is at cell `x` of the widget, if any."""
        x += self._scroll
        for name, (start, end) in zip(self.names, self._spans, strict=False):
            if start - 1 <= x < end + 1:
                return name
        return None

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        market = None if offset is None else self.market_at(offset.x)
        if market is not None and market != self.active:
            event.stop()
            self.post_message(ShowMarketRequest(market))

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return 2
