"""The trade tape: newest on top; time, price, size and a tick mark, coloured by taker side.

A Line API widget like the ladder: `repaint()` builds the strips once per change, and
`render_line(y)` indexes them. Trades at or above the size threshold stand out.
"""

from __future__ import annotations

import statistics
from datetime import datetime, tzinfo

from rich.segment import Segment
from textual.geometry import Size
from textual.strip import Strip

from dfx_tui.book.tape import BUY, Trade, TradeTape
from dfx_tui.widgets.columns import align_decimals, gap, lead_split
from dfx_tui.widgets.strip_view import StripView

_GAP = "  "
AUTO_BIG_FACTOR = 4.0  # automatic threshold: this many times the median trade size


def tick_marks(trades: list[Trade]) -> list[str]:
    """Mark each trade against the one before it in time: up, down or unchanged.

    `trades` is newest first; the last one has no predecessor here and gets a blank mark.
    """
    marks = []
    for i, trade in enumerate(trades):
        if i + 1 >= len(trades):
            marks.append(" ")
            continue
        prev = trades[i + 1].price_value
        marks.append("▲" if trade.price_value > prev else "▼" if trade.price_value < prev
                     else "·")
    return marks


def big_threshold(tape: TradeTape, fixed: float | None) -> float:
    """The size from which a trade is highlighted: `fixed`, or a multiple of the median."""
    if fixed is not None:
        return fixed
    sizes = [t.amount_value for t in tape]
    if len(sizes) < 5:
        return float("inf")
    return statistics.median(sizes) * AUTO_BIG_FACTOR


class TapeView(StripView):
    """Recent trades of one `TradeTape`, newest first."""

    DEFAULT_CSS = """
    TapeView {
        width: 1fr;
        height: 1fr;
        min-width: 20;
    }
    TapeView > .tape--header { color: $text-muted; text-style: bold; }
    TapeView > .tape--buy { color: $bid; }
    TapeView > .tape--sell { color: $ask; }
    TapeView > .tape--big-buy { color: $big-trade-text; background: $big-buy; text-style: bold; }
    TapeView > .tape--big-sell {
        color: $big-trade-text; background: $big-sell; text-style: bold;
    }
    TapeView > .tape--time { color: $text-muted; }
    TapeView > .tape--stale { color: $stale; }
    TapeView > .tape--empty { color: $text-muted; }
    """

    COMPONENT_CLASSES = {
        "tape--header",
        "tape--buy",
        "tape--sell",
        "tape--big-buy",
        "tape--big-sell",
        "tape--time",
        "tape--stale",
        "tape--empty",
    }

    def __init__(self, tape: TradeTape, *, big_trade: float | None = None,
                 min_size: float | None = None,
                 tz: tzinfo | None = None, name: str | None = None, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.tape = tape
        self.big_trade = big_trade
        self.min_size = min_size  # hide trades smaller than this (None: show all)
        self.tz = tz  # None: local time
        self.stale = False
        self._threshold = (-1, float("inf"))  # (tape version, threshold)

    def show_tape(self, tape: TradeTape) -> None:
        """Show another market's tape; the next repaint draws it whole."""
        self.tape = tape
        self._threshold = (-1, float("inf"))
        self._drawn = None

    def _key(self) -> tuple[object, ...]:
        return (self.tape.version, self.size.width, self.size.height, self.stale)

    def threshold(self) -> float:
        version = self.tape.version
        if self._threshold[0] != version:
            self._threshold = (version, big_threshold(self.tape, self.big_trade))
        return self._threshold[1]

    def _build(self, now: float) -> list[Strip]:
        width, height = self.size.width, self.size.height
        if width <= 0 or height <= 0:
            return []
        st = self.component_styles()
        rows_n = height - 1
        if self.min_size:
            # The size filter: small prints are hidden, marks compare the trades shown.
            trades = [t for t in self.tape if t.amount_value >= self.min_size][:rows_n + 1]
        else:
            trades = self.tape.newest(rows_n + 1)  # one more: the oldest shown needs a mark
        marks = tick_marks(trades)[:rows_n]
        trades = trades[:rows_n]
        prices, pw = align_decimals([t.price for t in trades])
        sizes, sw = align_decimals([t.amount for t in trades])
        pw, sw = max(pw, 5), max(sw, 4)
        show_time = 1 + 8 + len(_GAP) + pw + len(_GAP) + sw + 2 <= width
        hs = st["header"]
        header = [gap(" ", hs), Segment("Time", hs), gap("    ", hs)] if show_time else [
            gap(" ", hs)]
        header += [*lead_split(_GAP + "Price".rjust(pw), hs), *lead_split(_GAP + "Size".rjust(sw), hs)]
        if self.min_size:
            header += lead_split(f"  ≥{self.min_size:g}", hs)
        lines = [self.line(header, width, hs)]
        if not trades:
            lines.append(self.line(lead_split(" no trades yet", st["empty"]), width, st["empty"]))
        big = self.threshold()
        tz = self.tz
        for i, trade in enumerate(trades):
            buy = trade.side == BUY
            if self.stale:
                style = time_style = st["stale"]
            elif trade.amount_value >= big:
                style = time_style = st["big-buy"] if buy else st["big-sell"]
            else:
                style = st["buy"] if buy else st["sell"]
                time_style = st["time"]
            segs = [gap(" ", style)]
            if show_time:
                stamp = datetime.fromtimestamp(trade.time, tz).strftime("%H:%M:%S")
                segs += [Segment(stamp, time_style), gap(_GAP, style)]
            segs += [*lead_split(prices[i], style), gap(_GAP, style),
                     *lead_split(sizes[i], style), gap(" ", style), Segment(marks[i], style),
                     gap(" ", style)]
            lines.append(self.line(segs, width, st["empty"]))
        blank = Strip.blank(width, st["empty"])
        lines.extend([blank] * (height - len(lines)))
        return lines[:height]

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return container.height
