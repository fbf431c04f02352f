"""Depth chart series: cumulative bid and ask size against price within +-R bps of the mid.

Exact: prices and sizes are the book's decimal text summed as Decimal, so a column's figure
is the true cumulative size, not a float approximation or an interpolation. The range
[mid - R bps, mid + R bps] is split into `width` columns; bids fill the columns left of the
mid, asks those right of it, and the column holding the mid has both. A column's figure is
the cumulative size from the touch out to its far edge, inclusive (bids: every bid priced at
or above the column's low edge; asks: every ask at or below its high edge), so a level always
counts in the column that contains it and in every column further out.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

ZERO = Decimal(0)
BPS = Decimal(10_000)
# Ranges offered by the chart's key, in bps of the mid (0.05 % .. 10 %).
BPS_STEPS: tuple[int, ...] = (5, 10, 25, 50, 100, 250, 500, 1000)


@dataclass(frozen=True, slots=True)
class DepthColumn:
    price_lo: Decimal  # the column covers [price_lo, price_hi)
    price_hi: Decimal
    bids: Decimal | None  # cumulative bid size out to price_lo; None right of the mid
    asks: Decimal | None  # cumulative ask size out to price_hi; None left of the mid


@dataclass(frozen=True, slots=True)
class DepthSeries:
    mid: Decimal
    bps: Decimal
    columns: list[DepthColumn]
    mid_column: int  # index of the column holding the mid (marked by the widget)
    max_cum: Decimal  # the largest figure shown, for the vertical scale

    @property
    def price_lo(self) -> Decimal:
        return self.columns[0].price_lo

    @property
    def price_hi(self) -> Decimal:
        return self.columns[-1].price_hi


def depth_series(bids: Sequence[tuple[str, str]], asks: Sequence[tuple[str, str]],
                 bps: int | float | Decimal, width: int) -> DepthSeries | None:
    """The chart of a book given as wire (price, size) text, best first on both sides.

    None when a side is empty (no mid). `bids`/`asks` are what `OrderBook.bids()` and
    `.asks()` return; only the levels inside the range are read.
    """
    if width <= 0 or not bids or not asks:
        return None
    span_bps = Decimal(str(bps))
    if span_bps <= 0:
        raise ValueError("bps must be positive")
    mid = (Decimal(bids[0][0]) + Decimal(asks[0][0])) / 2
    lo = mid - mid * span_bps / BPS
    hi = mid + mid * span_bps / BPS
    step = (hi - lo) / width
    edges = [lo + step * i for i in range(width)] + [hi]
    mid_column = min(width - 1, max(0, bisect_right(edges, mid) - 1))  # mid in its edges

    bid_cum: list[Decimal | None] = [None] * width
    cum, i = ZERO, 0
    for c in range(mid_column, -1, -1):  # outwards from the mid: lower edges fall
        edge = edges[c]
        while i < len(bids) and Decimal(bids[i][0]) >= edge:
            cum += Decimal(bids[i][1])
            i += 1
        bid_cum[c] = cum
    ask_cum: list[Decimal | None] = [None] * width
    cum, i = ZERO, 0
    for c in range(mid_column, width):  # outwards from the mid: upper edges rise
        edge = edges[c + 1]
        while i < len(asks) and Decimal(asks[i][0]) <= edge:
            cum += Decimal(asks[i][1])
            i += 1
        ask_cum[c] = cum
    columns = [DepthColumn(edges[c], edges[c + 1], bid_cum[c], ask_cum[c])
               for c in range(width)]
    shown = [v for v in (*bid_cum, *ask_cum) if v is not None]
    return DepthSeries(mid, span_bps, columns, mid_column, max(shown, default=ZERO))


def next_bps(current: int | float | Decimal, wider: bool) -> int:
    """The next range step wider or narrower than `current` (clamped at the ends)."""
    value = Decimal(str(current))
    if wider:
        return next((s for s in BPS_STEPS if s > value), BPS_STEPS[-1])
    return next((s for s in reversed(BPS_STEPS) if s < value), BPS_STEPS[0])
