"""Heatmap queries: a (price row x time column) grid of resting size, trade marks, colour scale.

Rows split [price_lo, price_hi) evenly, row 0 at the top (highest prices); sizes of every
level in a row add up (that is the price grouping: `price_window` gives the range where each
row is `group` ticks and no price sits on a row boundary).
Columns split [t0, t1) evenly. A cell holds the time-weighted mean size over the part of
the column that has data (`how="mean"`, the resting size) or the largest size seen in it
(`how="max"`, so a short-lived wall still shows), or None when the column has no data at all
(a gap, before the first snapshot, past the last sample or before the retained history).

Cost: one pass over the changes in [t0, t1) plus rows x columns. A widget keeps the columns
it has and asks only for the newest (history never changes behind the last sample).
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from dfx_tui.book.heatmap_store import HeatmapStore

Cells = list[list[float | None]]


@dataclass(slots=True)
class TradeMark:
    """Trades printed in one cell: total bought and sold (base size), for marks by size."""

    buy: float = 0.0
    sell: float = 0.0


@dataclass(frozen=True, slots=True)
class HeatGrid:
    edges: list[float]  # columns + 1 times: column c is [edges[c], edges[c + 1])
    price_lo: float
    price_hi: float
    cells: Cells  # cells[row][column]
    covered: list[float]  # seconds with data in each column
    trades: dict[tuple[int, int], TradeMark]  # (row, column) -> trades in that cell

    @property
    def rows(self) -> int:
        return len(self.cells)

    @property
    def columns(self) -> int:
        return len(self.edges) - 1


def row_of(price: float, price_lo: float, price_hi: float, rows: int) -> int:
    """Row of a price (0 = top, highest prices), or -1 outside [price_lo, price_hi)."""
    if not price_lo <= price < price_hi or rows <= 0:
        return -1
    r = rows - 1 - int((price - price_lo) * rows / (price_hi - price_lo))
    return min(rows - 1, max(0, r))


def price_window(center: float, tick: float, group: int, rows: int) -> tuple[float, float]:
    """(price_lo, price_hi) of `rows` rows of `group` ticks each around `center`: each row
    holds the ticks from a multiple of the row height up (the ladder's bid grouping), and the
    edges sit half a tick off any price, so float rounding never moves a level across one."""
    height = tick * group
    bucket = round(center / tick) // group  # via whole ticks: 19.47 / 0.01 is 1946.99999...
    lo = (bucket - rows // 2) * height - tick / 2
    return lo, lo + rows * height


def column_edges(t0: float, t1: float, columns: int) -> list[float]:
    """columns + 1 boundaries of [t0, t1), the last one exactly t1."""
    return [t0 + (t1 - t0) * i / columns for i in range(columns)] + [t1]


def _overlaps(edges: list[float], a: float, b: float) -> Iterable[tuple[int, float]]:
    """(column, seconds) of [a, b) in each column it touches, positive lengths only."""
    if b <= a:
        return
    first = max(0, bisect_right(edges, a) - 1)
    last = min(len(edges) - 1, bisect_left(edges, b))
    for c in range(first, last):
        length = min(b, edges[c + 1]) - max(a, edges[c])
        if length > 0:
            yield c, length


def coverage(spans: Iterable[tuple[float, float]], edges: list[float]) -> list[float]:
    """Seconds of each column inside the covered spans."""
    covered = [0.0] * (len(edges) - 1)
    for a, b in spans:
        for c, length in _overlaps(edges, a, b):
            covered[c] += length
    return covered


def grid(store: HeatmapStore, t0: float, t1: float, columns: int, price_lo: float,
         price_hi: float, rows: int, how: Literal["mean", "max"] = "mean") -> HeatGrid:
    """The heatmap of [t0, t1) x [price_lo, price_hi) (see the module doc)."""
    if columns <= 0 or rows <= 0 or not t1 > t0 or not price_hi > price_lo:
        raise ValueError("grid needs columns, rows > 0, t1 > t0 and price_hi > price_lo")
    edges = column_edges(t0, t1, columns)
    covered = coverage(store.spans(), edges)
    want_max = how == "max"
    acc = [[0.0] * columns for _ in range(rows)]  # integral of size (mean) or the max so far

    def flush(r: int, a: float, b: float, value: float) -> None:
        if value <= 0:
            return
        line = acc[r]
        for c, length in _overlaps(edges, a, b):
            if want_max:
                if value > line[c]:
                    line[c] = value
            else:
                line[c] += value * length

    row_cache: dict[float, int] = {}
    in_row: list[dict[float, float]] = [{} for _ in range(rows)]
    for price, size in store.state_at(t0).items():
        r = row_cache[price] = row_of(price, price_lo, price_hi, rows)
        if r >= 0:
            in_row[r][price] = size
    # fsum: a row's total is exactly rounded whatever the order its levels came in.
    value = [math.fsum(levels.values()) for levels in in_row]
    since = [t0] * rows
    t_end = min(t1, store.last_time)
    for t, prices, sizes in store.changes(t0, t_end):
        touched = set()
        for price, size in zip(prices, sizes, strict=True):
            cached = row_cache.get(price)
            if cached is None:
                r = row_cache[price] = row_of(price, price_lo, price_hi, rows)
            else:
                r = cached
            if r < 0:
                continue
            if size > 0:
                in_row[r][price] = size
            else:
                in_row[r].pop(price, None)
            touched.add(r)
        for r in touched:
            new = math.fsum(in_row[r].values())
            if new != value[r]:
                flush(r, since[r], t, value[r])
                value[r], since[r] = new, t
    for r in range(rows):
        flush(r, since[r], t_end, value[r])

    cells: Cells = []
    for line in acc:
        if want_max:
            cells.append([v if cov > 0 else None for v, cov in zip(line, covered, strict=True)])
        else:
            cells.append([v / cov if cov > 0 else None
                          for v, cov in zip(line, covered, strict=True)])
    return HeatGrid(edges, price_lo, price_hi, cells, covered,
                    trade_marks(store, edges, price_lo, price_hi, rows))


def trade_marks(store: HeatmapStore, edges: list[float], price_lo: float, price_hi: float,
                rows: int) -> dict[tuple[int, int], TradeMark]:
    """Trades per (row, column) cell, buys and sells apart."""
    marks: dict[tuple[int, int], TradeMark] = {}
    for t, price, size in store.trades(edges[0], edges[-1]):
        r = row_of(price, price_lo, price_hi, rows)
        if r < 0:
            continue
        key = (r, bisect_right(edges, t) - 1)
        mark = marks.get(key)
        if mark is None:
            mark = marks[key] = TradeMark()
        if size > 0:
            mark.buy += size
        else:
            mark.sell -= size
    return marks


def current_column(bids: Iterable[tuple[float, float]], asks: Iterable[tuple[float, float]],
                   price_lo: float, price_hi: float, rows: int) -> list[float]:
    """Size per row of the live book, for the right edge (same rows as `grid`)."""
    in_row: list[list[float]] = [[] for _ in range(rows)]
    for side in (bids, asks):
        for price, size in side:
            r = row_of(price, price_lo, price_hi, rows)
            if r >= 0 and size > 0:
                in_row[r].append(size)
    return [math.fsum(sizes) for sizes in in_row]


def percentile_scale(cells: Cells, q: float = 0.95,
                     extra: Sequence[float] = ()) -> float:
    """Colour scale: the q-quantile (nearest rank) of the non-empty visible cells (and `extra`,
    e.g. the current column), so one huge order does not wash out the rest. 0 when empty."""
    values = sorted([v for line in cells for v in line if v] + [v for v in extra if v > 0])
    if not values:
        return 0.0
    k = min(len(values) - 1, max(0, math.ceil(q * len(values)) - 1))
    return values[k]


def intensity(size: float | None, scale: float) -> float:
    """Colour intensity in [0, 1]: size / scale, capped; 0 for no data or no scale."""
    if size is None or scale <= 0 or size <= 0:
        return 0.0
    return min(1.0, size / scale)
