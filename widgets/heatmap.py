"""The liquidity heatmap: time runs across, price runs down, resting size is colour.

A Line API widget like the ladder (`StripView`). Each line of the widget holds two price rows
(the upper half block takes the upper row's colour, the background the lower row's). Columns
sit on fixed multiples of `seconds` of the store's clock; `HeatmapColumns` keeps them between
repaints and asks the store only for the newest. Right of the history, past a rule, is the
book as it is now (two cells wide), then a marker at the mid.

Cost per repaint, so the chart stays about as cheap as the ladder it replaces:
- the history part of every line is cached and rebuilt only when a column changed (the
  newest column moves once a second, with each sample, or with a trade);
- the live column is rebuilt when the book's version moved, and only its cells are
  refreshed on screen;
- the colour scale (a high percentile of the visible sizes, so one huge order does not wash
  out the rest) is recomputed with the history, and kept while the new figure stays within
  `SCALE_BAND` of it, so the picture does not shimmer;
- the price window stays put while the mid is in its middle half, so a move of the mid does
  not recompute every column.

Gaps (reconnects, resyncs, before the first snapshot) are drawn in the gap colour, never
filled in. Colours are theme variables ($heat-low/-mid/-high, $heat-gap, $heat-buy/-sell).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from datetime import datetime, tzinfo
from decimal import Decimal

from rich.segment import Segment
from rich.style import Style
from textual.geometry import Region, Size
from textual.strip import Strip

from dfx_tui.book.heatmap_grid import current_column, percentile_scale, row_of
from dfx_tui.book.heatmap_store import book_levels
from dfx_tui.book.numbers import HUMAN_STEPS
from dfx_tui.book.state import Market
from dfx_tui.widgets.columns import compact, gap, lead_split
from dfx_tui.widgets.heatmap_cells import CellPainter
from dfx_tui.widgets.heatmap_columns import Column, HeatmapColumns, Window
from dfx_tui.widgets.lean_strip import LeanStrip
from dfx_tui.widgets.strip_view import StripView, changed_lines
from dfx_tui.widgets.view_state import MarketViewState

SCALE_Q = 0.95  # the colour scale's percentile
SCALE_BAND = (0.8, 1.25)  # the scale is kept while the new percentile stays in this band
SECONDS_STEPS: tuple[int, ...] = (1, 2, 5, 10, 15, 30, 60)  # seconds per column
LABEL_STEPS: tuple[int, ...] = (10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200)
LABEL_EVERY = 14  # at least this many columns between two time labels
FIT_LEVELS = 20  # auto price rows: the top 20 levels of each side fit in half the window
RIGHT = 4  # the rule, two cells of the live book, the mid marker


def next_seconds(current: int, longer: bool) -> int:
    """The next step of seconds per column (clamped at the ends)."""
    if longer:
        return next((s for s in SECONDS_STEPS if s > current), SECONDS_STEPS[-1])
    return next((s for s in reversed(SECONDS_STEPS) if s < current), SECONDS_STEPS[0])


def fit_group_index(bids: list[tuple[float, float]], asks: list[tuple[float, float]],
                    tick: float, rows: int) -> int:
    """HUMAN_STEPS index whose rows fit the top FIT_LEVELS of each side in half the window."""
    if not bids or not asks or tick <= 0 or rows < 2:
        return 0
    mid = (bids[0][0] + asks[0][0]) / 2
    deepest = max(mid - bids[:FIT_LEVELS][-1][0], asks[:FIT_LEVELS][-1][0] - mid)
    need = deepest / (tick * max(1, rows // 2 - 1))
    return next((i for i, g in enumerate(HUMAN_STEPS) if g >= need), len(HUMAN_STEPS) - 1)


class HeatmapView(StripView):
    """Resting size over time of one market (see the module doc)."""

    DEFAULT_CSS = """
    HeatmapView {
        width: 1fr;
        height: 1fr;
        min-width: 24;
    }
    HeatmapView > .heatmap--header { color: $text-muted; text-style: bold; }
    HeatmapView > .heatmap--axis { color: $text-muted; }
    HeatmapView > .heatmap--axis-mid { color: $text; text-style: bold; }
    HeatmapView > .heatmap--low { color: $heat-low; }
    HeatmapView > .heatmap--mid { color: $heat-mid; }
    HeatmapView > .heatmap--high { color: $heat-high; }
    HeatmapView > .heatmap--gap { color: $heat-gap; }
    HeatmapView > .heatmap--buy { color: $heat-buy; text-style: bold; }
    HeatmapView > .heatmap--sell { color: $heat-sell; text-style: bold; }
    HeatmapView > .heatmap--empty { color: $text-muted; }
    """

    COMPONENT_CLASSES = {
        "heatmap--header", "heatmap--axis", "heatmap--axis-mid", "heatmap--low",
        "heatmap--mid", "heatmap--high", "heatmap--gap", "heatmap--buy", "heatmap--sell",
        "heatmap--empty",
    }

    def __init__(self, market: Market, *, view: MarketViewState | None = None,
                 tz: tzinfo | None = None, wall_clock: Callable[[], float] = time.time,
                 name: str | None = None, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.market = market
        self.view = view if view is not None else MarketViewState()
        self.tz = tz  # None: local time
        self.wall_clock = wall_clock  # the histories' clock (app.wall_clock)
        self.stale = False
        self.columns = HeatmapColumns()
        self._wall = 0.0  # the wall clock of this repaint
        self._anchor: tuple[int, int, int, float] | None = None  # (group idx, rows, b0, tick)
        self._history_key: tuple[object, ...] | None = None
        self._shown: list[Column] = []
        self._lines_key: tuple[object, ...] | None = None
        self._history_lines: list[list[Segment]] = []
        self._live_key: tuple[object, ...] | None = None
        self._live: list[float] | None = None
        self._scale = 0.0
        self.painter = CellPainter()
        self.last_live_only = False  # the last repaint changed the live column only
        self._line_strips: dict[int, tuple[tuple[object, ...], Strip]] = {}
        self._axis_w = 0

    # ----------------------------------------------------------------- settings
    def show_market(self, market: Market, view: MarketViewState) -> None:
        """Show another market (one view swapped between markets)."""
        self.market, self.view = market, view
        self.columns.reset()
        self._anchor = self._history_key = self._lines_key = self._live_key = None
        self._scale = 0.0
        self._drawn = None

    @property
    def group_index(self) -> int:
        """HUMAN_STEPS index of a price row now (the fitted one while on auto)."""
        if self.view.heatmap_group:
            return self.view.heatmap_group - 1
        return self._anchor[0] if self._anchor is not None else 0

    def change_group(self, delta: int) -> bool:
        """Coarser (`delta` > 0) or finer price rows; leaves the automatic fit."""
        index = max(0, min(len(HUMAN_STEPS) - 1, self.group_index + delta))
        if index == self.group_index and self.view.heatmap_group:
            return False
        self.view.heatmap_group = index + 1
        return True

    def change_seconds(self, longer: bool) -> bool:
        """More (`longer`) or fewer seconds per column; False at the end of the steps."""
        new = next_seconds(self.view.heatmap_seconds, longer)
        changed = new != self.view.heatmap_seconds
        self.view.heatmap_seconds = new
        return changed

    # ----------------------------------------------------------------- clock
    def maybe_repaint(self, now: float = 0.0) -> bool:
        self._wall = self.wall_clock()
        return super().maybe_repaint(now)

    def changes_in(self, wall_now: float) -> float:
        """Seconds until the time axis moves a column (on the histories' clock)."""
        seconds = self.view.heatmap_seconds
        return (math.floor(wall_now / seconds) + 1) * seconds - wall_now

    def _key(self) -> tuple[object, ...]:
        m = self.market
        store = m.analytics.heatmap
        size = self.size
        return (m.book.version, m.analytics.trades_seen, store.last_time, store.in_gap,
                store.oldest, math.floor(self._wall / self.view.heatmap_seconds),
                size.width, size.height, self.view.heatmap_seconds, self.view.heatmap_group,
                self.stale)

    def clear_caches(self) -> None:
        self.painter.clear()
        self._line_strips.clear()
        self._lines_key = None

    # ----------------------------------------------------------------- drawing
    def _window(self, height: int) -> Window | None:
        """The price window for `height` lines: kept while the mid stays in its middle half."""
        book = self.market.book
        rows = 2 * height
        tick = 10.0 ** -book.price_decimals
        bid, ask = book.best_bid_value(), book.best_ask_value()
        anchor = self._anchor
        if bid is not None and ask is not None and book.has_snapshot:
            mid = (bid + ask) / 2
            if self.view.heatmap_group:
                index = self.view.heatmap_group - 1
            elif anchor is not None and anchor[1] == rows and anchor[3] == tick:
                index = anchor[0]
            else:
                index = fit_group_index(*book_levels(book, FIT_LEVELS), tick, rows)
            group = HUMAN_STEPS[index]
            if anchor is not None and anchor[:2] == (index, rows) and anchor[3] == tick:
                lo, hi = self._bounds(anchor)
                r = row_of(mid, lo, hi, rows)
                if rows // 4 <= r < rows - rows // 4:
                    return Window(self.view.heatmap_seconds, lo, hi, rows)
            bucket = round(mid / tick) // group
            anchor = self._anchor = (index, rows, bucket - rows // 2, tick)
        if anchor is None or anchor[1] != rows:
            return None
        lo, hi = self._bounds(anchor)
        return Window(self.view.heatmap_seconds, lo, hi, rows)

    @staticmethod
    def _bounds(anchor: tuple[int, int, int, float]) -> tuple[float, float]:
        # book.heatmap_grid.price_window's edges, from the bottom row's bucket.
        index, rows, b0, tick = anchor
        height = tick * HUMAN_STEPS[index]
        lo = b0 * height - tick / 2
        return lo, lo + rows * height

    def _row_price(self, row: int) -> str:
        """The lowest price of a price row (0 = top), exact."""
        assert self._anchor is not None
        index, rows, b0, _tick = self._anchor
        bucket = b0 + rows - 1 - row
        decimals = self.market.book.price_decimals
        return f"{Decimal(bucket * HUMAN_STEPS[index]).scaleb(-decimals):.{decimals}f}"

    def _build(self, now: float) -> list[Strip]:
        width, height = self.size.width, self.size.height
        if width <= 0 or height <= 0:
            return []
        st = self.component_styles()
        blank = Strip.blank(width, st["empty"])
        body = height - 2
        window = self._window(body) if body >= 2 else None
        if window is None:
            text = " waiting for the book…" if body >= 2 else ""
            lines = [self._header_strip(width, st, None), blank,
                     Strip(lead_split(text, st["empty"])).adjust_cell_length(width, st["empty"])]
            return (lines + [blank] * height)[:height]
        axis_w = self._axis_w = max(len(self._row_price(0)),
                                    len(self._row_price(window.rows - 1))) + 1
        count = width - axis_w - RIGHT
        if count < 4:
            return [blank] * height
        store = self.market.analytics.heatmap
        history_key = (store.last_time, store.in_gap, store.oldest,
                       self.market.analytics.trades_seen,
                       math.floor(self._wall / window.seconds), window, count)
        if history_key != self._history_key:
            self._history_key = history_key
            self._shown = self.columns.update(store, self._wall, window, count)
        live = self._live_column(window)
        lines_key = (self.columns.version, window, count)
        history_changed = lines_key != self._lines_key
        if history_changed:
            self._rescale(live)
            self._history_lines = self.painter.history(self._shown, self._scale, body,
                                                       self._pending(), st)
            self._lines_key = lines_key
        self.last_live_only = not history_changed
        mid_row = self._mid_row(window)
        lines = [self._header_strip(width, st, window)]
        axis, axis_mid = st["axis"], st["axis-mid"]
        rule = Segment("│", axis)
        history, strips = self._history_lines, self._line_strips
        for y in range(body):
            at_mid = mid_row is not None and mid_row // 2 == y
            live_cells = self.painter.live(live, y, self._scale, st)
            # A line whose parts are all as they were keeps its Strip (an identity diff).
            key = (id(history[y]), live_cells, at_mid, width)
            cached = strips.get(y)
            if cached is not None and cached[0] == key:
                lines.append(cached[1])
                continue
            label = self._row_price(2 * y) if y % 4 == 0 or at_mid else ""
            segs = [*lead_split(label.rjust(axis_w - 1) + " ", axis_mid if at_mid else axis),
                    *history[y], rule, *live_cells, Segment("◀" if at_mid else " ", axis_mid)]
            strip = LeanStrip(segs, width)
            strips[y] = (key, strip)
            lines.append(strip)
        lines.append(self._time_axis(width, axis_w, count, window.seconds, axis))
        return lines[:height]

    def _live_column(self, window: Window) -> list[float] | None:
        """Size per price row of the book now; None while the history is in a gap."""
        book, store = self.market.book, self.market.analytics.heatmap
        key = (book.version, window, store.in_gap)
        if key != self._live_key:
            self._live_key = key
            self._live = None
            if book.has_snapshot and not store.in_gap:
                bids, asks = book_levels(book, store.max_levels)
                self._live = current_column(bids, asks, window.price_lo, window.price_hi,
                                            window.rows)
        return self._live

    def _rescale(self, live: list[float] | None) -> None:
        values: list[float | None] = [v for col in self._shown if col.values is not None
                                      for v in col.values]
        new = percentile_scale([values], SCALE_Q, extra=live or ())
        low, high = SCALE_BAND
        if not low * self._scale <= new <= high * self._scale:
            self._scale = new

    def _pending(self) -> bool:
        """The column in progress has no data yet (for a moment after it opens): not a gap."""
        store = self.market.analytics.heatmap
        newest = self._shown[-1] if self._shown else None
        return (newest is not None and newest.values is None and not store.in_gap
                and newest.k * self.view.heatmap_seconds >= store.last_time)

    def _mid_row(self, window: Window) -> int | None:
        bid, ask = self.market.book.best_bid_value(), self.market.book.best_ask_value()
        if bid is None or ask is None:
            return None
        row = row_of((bid + ask) / 2, window.price_lo, window.price_hi, window.rows)
        return row if row >= 0 else None

    def _header_strip(self, width: int, st: dict[str, Style],
                      window: Window | None) -> Strip:
        hs = st["header"]
        parts = [f"heatmap · {self.view.heatmap_seconds}s a column"]
        if window is not None and self._anchor is not None:
            step = Decimal(HUMAN_STEPS[self._anchor[0]]).scaleb(
                -self.market.book.price_decimals)
            auto = "" if self.view.heatmap_group else " (fit)"
            parts.append(f"{format(step.normalize(), 'f')} a row{auto}")
            parts.append(f"scale {compact(self._scale)}")
        if self.market.analytics.heatmap.in_gap:
            parts.append("no live book: gap")
        segs = [gap(" ", hs), Segment(" · ".join(parts), hs)]
        if window is not None:
            segs += [gap("  ", hs), Segment("●", st["buy"]), gap(" ", hs), Segment("buy", hs),
                     gap(" ", hs), Segment("●", st["sell"]), gap(" ", hs), Segment("sell", hs)]
        return Strip(segs).adjust_cell_length(width, hs)

    def _time_axis(self, width: int, axis_w: int, count: int, seconds: int,
                   style: Style) -> Strip:
        every = next((s for s in LABEL_STEPS if s >= seconds * LABEL_EVERY and s % seconds == 0),
                     LABEL_STEPS[-1])
        k_now = math.floor(self._wall / seconds)
        k_first = k_now - count + 1
        chars = [" "] * count
        fmt = "%H:%M" if every >= 60 else "%H:%M:%S"
        free = 0
        for c in range(count):
            t = (k_first + c) * seconds
            if t % every or c < free:
                continue
            text = "╵" + datetime.fromtimestamp(t, self.tz).strftime(fmt)
            if c + len(text) > count:
                break
            chars[c:c + len(text)] = text
            free = c + len(text) + 1
        return Strip([gap(" " * axis_w, style), *lead_split("".join(chars), style)]
                     ).adjust_cell_length(width, style)

    # ----------------------------------------------------------------- refreshing
    def _changed_regions(self, old: list[Strip], new: list[Strip], width: int) -> list[Region]:
        """A change of the live column alone refreshes only the cells right of the history
        (so Textual renders and writes those, not whole lines)."""
        regions = changed_lines(old, new, width)
        if self.last_live_only and old[0] == new[0] and old[-1] == new[-1]:
            # The header and the time axis are as they were; the price axis (the mid's label)
            # and the live cells right of the history are what can have changed.
            x = width - RIGHT - 1
            regions = [part for r in regions for part in (
                Region(0, r.y, self._axis_w, r.height), Region(x, r.y, width - x, r.height))]
        return regions

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return container.height

