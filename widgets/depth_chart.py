"""The depth chart: cumulative bids to the left of the mid, asks to the right, within +-R bps.

A Line API widget (`StripView`): the series comes from `book.depth_chart.depth_series`
(exact decimal sums), one column per cell, drawn as bars with eighth-cell tops; the column
holding the mid is a marker. The range steps through `BPS_STEPS` (the `range-wider` /
`range-narrower` keys); it is a per-market setting (`MarketViewState.depth_bps`).
"""

from __future__ import annotations

from decimal import Decimal

from rich.segment import Segment
from rich.style import Style
from textual.geometry import Size
from textual.strip import Strip

from dfx_tui.book.depth_chart import DepthSeries, depth_series, next_bps
from dfx_tui.book.orderbook import OrderBook
from dfx_tui.widgets.columns import compact, gap, lead_split
from dfx_tui.widgets.heatmap_cells import merge
from dfx_tui.widgets.lean_strip import LeanStrip
from dfx_tui.widgets.strip_view import StripView
from dfx_tui.widgets.view_state import MarketViewState

_BARS = " ▁▂▃▄▅▆▇█"
FIRST_READ = 200  # levels a side read at first; more while the range reaches past them


def levels_within(levels: list[tuple[str, str]], read: int, limit: float,
                  is_bid: bool) -> bool:
    """True when `levels` (the first `read` of a side) reach past `limit` or are all there
    is, so the range needs no more of the side."""
    if len(levels) < read:
        return True
    last = float(levels[-1][0])
    return last < limit if is_bid else last > limit


def side_for_range(book: OrderBook, is_bid: bool, limit: float) -> list[tuple[str, str]]:
    """The levels of a side from the touch out past `limit` (read in growing chunks)."""
    read = FIRST_READ
    while True:
        levels = book.bids(read) if is_bid else book.asks(read)
        if levels_within(levels, read, limit, is_bid):
            return levels
        read *= 4


class DepthChartView(StripView):
    """Cumulative depth of one `OrderBook` around its mid."""

    DEFAULT_CSS = """
    DepthChartView {
        width: 1fr;
        height: 1fr;
        min-width: 24;
    }
    DepthChartView > .depth--header { color: $text-muted; text-style: bold; }
    DepthChartView > .depth--axis { color: $text-muted; }
    DepthChartView > .depth--bid { color: $depth-bid; }
    DepthChartView > .depth--ask { color: $depth-ask; }
    DepthChartView > .depth--mid { color: $depth-mid; text-style: bold; }
    DepthChartView > .depth--stale { color: $stale; }
    DepthChartView > .depth--empty { color: $text-muted; }
    """

    COMPONENT_CLASSES = {"depth--header", "depth--axis", "depth--bid", "depth--ask",
                         "depth--mid", "depth--stale", "depth--empty"}

    def __init__(self, book: OrderBook, *, view: MarketViewState | None = None,
                 name: str | None = None, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.book = book
        self.view = view if view is not None else MarketViewState()
        self.stale = False
        self.series: DepthSeries | None = None  # the last one drawn (for tests)

    def show_book(self, book: OrderBook, view: MarketViewState) -> None:
        """Show another market's book (one view swapped between markets)."""
        self.book, self.view = book, view
        self._drawn = None

    def change_range(self, wider: bool) -> bool:
        """The next range step; False at the end of the steps."""
        new = next_bps(self.view.depth_bps, wider)
        changed = new != self.view.depth_bps
        self.view.depth_bps = new
        return changed

    def _key(self) -> tuple[object, ...]:
        size = self.size
        return (self.book.version, size.width, size.height, self.view.depth_bps, self.stale,
                self.book.price_decimals)

    def _build(self, now: float) -> list[Strip]:
        width, height = self.size.width, self.size.height
        if width <= 0 or height <= 0:
            return []
        st = self.component_styles()
        blank = Strip.blank(width, st["empty"])
        book, bps = self.book, self.view.depth_bps
        body = height - 2
        axis_w = 9
        chart_w = width - axis_w
        series = None
        bid, ask = book.best_bid_value(), book.best_ask_value()
        if book.has_snapshot and bid is not None and ask is not None and body >= 2 \
                and chart_w >= 8:
            mid = (bid + ask) / 2
            reach = mid * bps / 10_000 * 1.01  # a little past the edges: float vs Decimal
            series = depth_series(side_for_range(book, True, mid - reach),
                                  side_for_range(book, False, mid + reach), bps, chart_w)
        self.series = series
        header = self._header(series, st)
        if series is None:
            why = ("waiting for the book…" if not book.has_snapshot else
                   "one-sided book" if bid is None or ask is None else "")
            lines = [header, blank, Strip(lead_split(" " + why, st["empty"])).adjust_cell_length(
                width, st["empty"])]
            return (lines + [blank] * height)[:height]
        stale = self.stale
        bid_style = st["stale"] if stale else st["bid"]
        ask_style = st["stale"] if stale else st["ask"]
        mid_style = st["stale"] if stale else st["mid"]
        # A full cell is a background, not "█": no seams between lines in any font.
        bid_full = Style(bgcolor=bid_style.color)
        ask_full = Style(bgcolor=ask_style.color)
        # Empty cells in a style of their own: a bar's top never joins the blanks before it
        # (SVG renderers drop a text's leading spaces, see widgets/columns.lead_split).
        empty = st["empty"]
        top = series.max_cum
        eighths: list[int] = []
        for col in series.columns:
            value = col.bids if col.asks is None else col.asks if col.bids is None else None
            eighths.append(0 if value is None or top <= 0 else
                           round(float(value / top) * body * 8))
        lines = [header]
        axis = st["axis"]
        for y in range(body):
            floor = (body - 1 - y) * 8
            cells: list[tuple[str, Style]] = []
            for c, filled in enumerate(eighths):
                if c == series.mid_column:
                    cells.append(("┃", mid_style))
                    continue
                part = max(0, min(8, filled - floor))
                bids = c < series.mid_column
                if part == 8:
                    cells.append((" ", bid_full if bids else ask_full))
                elif part == 0:
                    cells.append((" ", empty))
                else:
                    cells.append((_BARS[part], bid_style if bids else ask_style))
            label = ""
            if y == 0:
                label = compact(float(top))
            elif y == body // 2:
                label = compact(float(top) / 2)
            tick = f"{label[:axis_w - 2]:>{axis_w - 2}} ┤" if label else " " * (axis_w - 1) + "│"
            segs = [*lead_split(tick, axis), *merge(cells)]
            lines.append(LeanStrip(segs, width))
        lines.append(self._price_axis(series, width, axis_w, chart_w, axis))
        return lines[:height]

    def _header(self, series: DepthSeries | None, st: dict[str, Style]) -> Strip:
        hs = st["header"]
        segs = [gap(" ", hs), Segment(f"depth ±{self.view.depth_bps} bps", hs)]
        if series is not None:
            first, last = series.columns[0], series.columns[-1]
            segs += [gap(" ", hs), Segment(f"· mid {self._price(series.mid)} · bids", hs),
                     gap(" ", hs), Segment(compact(float(first.bids or 0)), st["bid"]),
                     gap(" ", hs), Segment("· asks", hs), gap(" ", hs),
                     Segment(compact(float(last.asks or 0)), st["ask"])]
        return Strip(segs).adjust_cell_length(self.size.width, hs)

    def _price(self, value: Decimal) -> str:
        decimals = self.book.price_decimals
        return f"{value.quantize(Decimal(1).scaleb(-decimals)):f}" if decimals else \
            f"{value.quantize(Decimal(1)):f}"

    def _price_axis(self, series: DepthSeries, width: int, axis_w: int, chart_w: int,
                    style: Style) -> Strip:
        chars = [" "] * chart_w
        left = self._price(series.price_lo)
        right = self._price(series.price_hi)
        mid = "▲" + self._price(series.mid)
        start = max(0, min(chart_w - len(mid), series.mid_column))
        if len(mid) <= chart_w:
            chars[start:start + len(mid)] = mid
        if len(left) < start:  # the edges only where they leave the mid's label a space
            chars[:len(left)] = left
        if chart_w - len(right) > start + len(mid):
            chars[chart_w - len(right):] = right
        return Strip([gap(" " * axis_w, style), *lead_split("".join(chars), style)]
                     ).adjust_cell_length(width, style)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return container.height
