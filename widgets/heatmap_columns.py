"""The heatmap widget's columns, kept between repaints: only the newest are asked for.

Columns sit on a fixed grid of time: column k covers [k * seconds, (k + 1) * seconds), so
a column keeps its meaning as time runs and the window slides one column at a time.

A column is *final* once nothing can change it any more: the store's history is known past
its end (`last_time`), or the store is in a gap that began before its end and the clock is
past it (the next sample will be later still). A final column is computed once; the others
(the column in progress, usually one) are computed again on every update, with the earliest
of them and everything after it in one `grid()` call (one pass over the store's changes; a
full hour costs ~340 ms, the newest column ~2 ms). The property test
(tests/test_views_heatmap.py) checks the columns against one `grid()` over the whole window.

Two things change a final column after all, and both are handled: pruning (columns older
than the store's retained history become gaps, and their trades go in chunks: they are
recomputed whenever the store opens a segment, the only time it prunes) and late trades (a
trade is drawn at its exchange time, which can be behind the clock by the feed's latency:
the marks of the last `TRADE_LAG` seconds are recounted on every update). Not handled: the
trade ring's own cap (`max_trades` in the horizon, 20,000 by default); past it, the oldest
cached columns keep marks the store has let go.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from dfx_tui.book.heatmap_grid import TradeMark, column_edges, grid, trade_marks
from dfx_tui.book.heatmap_store import HeatmapStore

TRADE_LAG = 30.0  # seconds: trades this far behind the clock may still arrive


@dataclass(slots=True)
class Column:
    """One column: the size per price row (top first), or None for no data at all."""

    k: int
    values: list[float] | None
    trades: dict[int, TradeMark] = field(default_factory=dict)  # price row -> trades
    final: bool = False


@dataclass(frozen=True, slots=True)
class Window:
    """What the columns are computed for; a change drops every column."""

    seconds: int
    price_lo: float
    price_hi: float
    rows: int  # price rows (two per line of the widget)


class HeatmapColumns:
    """The visible columns of one store for one `Window` (see the module doc)."""

    def __init__(self) -> None:
        self._store: HeatmapStore | None = None
        self._window: Window | None = None
        self._columns: dict[int, Column] = {}
        self._pruned: tuple[float, int] = (math.inf, 0)  # (oldest, segments) last seen
        self.computed = 0  # columns computed so far (for tests and the benchmark)
        self.version = 0  # bumped whenever a column kept here changes what it shows

    def reset(self) -> None:
        self._columns.clear()
        self._window = None
        self._store = None

    def update(self, store: HeatmapStore, now: float, window: Window,
               count: int) -> list[Column]:
        """The `count` columns ending with the one holding `now`, oldest first."""
        if store is not self._store or window != self._window:
            self._columns.clear()
            self._store, self._window = store, window
            self.version += 1
        s = window.seconds
        k_now = math.floor(now / s)
        k_first = k_now - count + 1
        columns = self._columns
        gone = [k for k in columns if k < k_first or k > k_now]
        for k in gone:
            del columns[k]  # slid out of the window (or the clock went back)
        if gone:
            self.version += 1
        pruned = (store.oldest, store.segment_count)
        if pruned != self._pruned:  # a new segment, so maybe pruned: old columns lose data
            self._pruned = pruned
            for col in columns.values():
                if col.k * s < store.oldest:
                    col.final = False
        pending = [k for k in range(k_first, k_now + 1)
                   if k not in columns or not columns[k].final]
        if pending:
            self._compute(store, now, window, min(pending), k_now)
        self._recount_recent_trades(store, now, window, max(k_first, min(
            k_now, math.floor((now - TRADE_LAG) / s))), k_now)
        return [columns[k] for k in range(k_first, k_now + 1)]

    def _compute(self, store: HeatmapStore, now: float, window: Window, k0: int,
                 k1: int) -> None:
        s = window.seconds
        g = grid(store, k0 * s, (k1 + 1) * s, k1 - k0 + 1, window.price_lo, window.price_hi,
                 window.rows)
        last, in_gap = store.last_time, store.in_gap
        by_column: list[dict[int, TradeMark]] = [{} for _ in range(k1 - k0 + 1)]
        for (row, c), mark in g.trades.items():
            by_column[c][row] = mark
        for c in range(k1 - k0 + 1):
            k = k0 + c
            end = (k + 1) * s
            values: list[float] | None = None
            if g.covered[c] > 0:
                values = [line[c] or 0.0 for line in g.cells]
            final = end <= last or (in_gap and end <= now)
            old = self._columns.get(k)
            if old is None or old.values != values or old.trades != by_column[c]:
                self.version += 1
            self._columns[k] = Column(k, values, by_column[c], final)
        self.computed += k1 - k0 + 1

    def _recount_recent_trades(self, store: HeatmapStore, now: float, window: Window,
                               k0: int, k1: int) -> None:
        if k1 < k0:
            return
        s = window.seconds
        edges = column_edges(k0 * s, (k1 + 1) * s, k1 - k0 + 1)
        marks = trade_marks(store, edges, window.price_lo, window.price_hi, window.rows)
        by_column: list[dict[int, TradeMark]] = [{} for _ in range(k1 - k0 + 1)]
        for (row, c), mark in marks.items():
            by_column[c][row] = mark
        for c, found in enumerate(by_column):
            col = self._columns.get(k0 + c)
            if col is not None and col.trades != found:
                col.trades = found
                self.version += 1
