"""The ladder's row lines: each row's strip kept while what it shows stands.

A row's strip is keyed by its `Row` (what it shows), the paint's column context (layout and
alignment, by a number that changes when they do), the row's figures, bar, look and cursor;
its `Cells` (the aligned texts) are made only when the key is new. So a paint builds only the
rows that changed: at one delta a paint, the changed level and the deeper rows of its side
whose cumulative size moved.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip

from dfx_tui.book.orderbook import ASKS
from dfx_tui.widgets.columns import aligned, bar_text
from dfx_tui.widgets.ladder_columns import GAP, Columns, Row
from dfx_tui.widgets.ladder_segments import (
    RowStyles,
    add_parts,
    fixed_strip,
    padded_strip,
    row_segments,
)

Look = tuple[str | None, bool | None]  # a row's side and flash (up, down or None)


class RowStrips:
    """The strips of the ladder's rows, from one paint to the next."""

    __slots__ = ("_cache", "_context", "_context_id", "_looks", "_levels")

    def __init__(self) -> None:
        # (row, context id, price text, figures, bar, look, on cursor) -> strip
        self._cache: dict[tuple[object, ...], Strip] = {}
        self._context: tuple[object, ...] | None = None
        self._context_id = 0
        self._looks: dict[tuple[Look, bool], RowStyles] = {}  # kept until a restyle
        # (price text, size text, alignment, mark, look, stale) -> the segments of the
        # price, size and mark, the blank cells after them and the cells they take: a row
        # whose Cum or bar alone moved (most of the ~20 rows a delta changes) reuses them.
        self._levels: dict[tuple[object, ...], tuple[tuple[Segment, ...], int, int]] = {}

    def clear(self) -> None:
        """Forget every strip and part (they carry the old styles)."""
        self._cache.clear()
        self._looks.clear()
        self._levels.clear()
        self._context = None

    def lines(self, rows: list[Row | None], price_texts: list[str], columns: Columns,
              values: list[float], scale: float, flashes: Mapping[tuple[str, str],
                                                                  tuple[float, bool]],
              cursor_at: Decimal | None, stale: bool, width: int, st: Mapping[str, Style],
              other_line: Strip, spread_at: int | None, spread: Strip | None,
              line_prices: list[Decimal | None]) -> list[Strip]:
        """The body's lines: a strip per row, `spread` at line `spread_at`, `other_line` on
        the other empty lines; each line's row price appended to `line_prices`."""
        layout = columns.layout
        context = (layout, columns.aligns, stale, width)
        if context != self._context:
            self._context, self._context_id = context, self._context_id + 1
        context_id, bar_w = self._context_id, layout.bar_w
        old, cache = self._cache, dict[tuple[object, ...], Strip]()
        self._cache = cache
        looks = self._looks
        figures = columns.figures()
        bars = _bars(bar_w)
        out: list[Strip] = []
        k = 0
        for y, row in enumerate(rows):
            if row is None:
                out.append(spread if y == spread_at and spread is not None else other_line)
                line_prices.append(None)
                continue
            flash = flashes.get((row.side, row.price_text)) if flashes and row.side else None
            look = (row.side, None if flash is None or stale else flash[1])
            bar = None
            if bar_w:
                eighths = round(values[k] / scale * bar_w * 8) if scale > 0 else 0
                bar = bars.get(eighths)
                if bar is None:
                    bar = bars[eighths] = bar_text(eighths / (bar_w * 8), bar_w)
            on_cursor = cursor_at is not None and row.price == cursor_at
            key = (row, context_id, price_texts[k], figures[k], bar, look, on_cursor)
            strip = old.get(key)
            if strip is None:
                rs = looks.get((look, stale))
                if rs is None:
                    rs = looks[(look, stale)] = row_styles(look, stale, st)
                if on_cursor:
                    segs = row_segments(layout, columns.cells(k, row, price_texts[k]), bar, rs)
                    cursor_bg = Style(bgcolor=st["cursor"].bgcolor)
                    segs = list(Segment.apply_style(segs, post_style=cursor_bg))
                    strip = fixed_strip(segs, width, rs.text + cursor_bg)
                else:
                    strip = self._row_strip(columns, k, row, price_texts[k], bar, rs, width,
                                            (look, stale))
            cache[key] = strip
            out.append(strip)
            line_prices.append(row.price)
            k += 1
        return out

    def _row_strip(self, columns: Columns, k: int, row: Row, price_text: str,
                   bar: str | None, rs: RowStyles, width: int, look: object) -> Strip:
        """`fixed_strip(row_segments(...))` of a row, its price, size and mark kept."""
        pi, pf, si, sf, _ci, _cf = columns.aligns
        mark = columns.layout.mark
        key: tuple[object, ...] = (price_text, row.size_text, pi, pf, si, sf, mark,
                                   mark and columns.marks[k], look)
        levels = self._levels
        level = levels.get(key)
        pad = rs.gap.style
        if level is None:
            if len(levels) > LEVELS_KEPT:
                levels.clear()
            level = levels[key] = _kept(columns.level_parts(k, row, price_text, rs), pad, 0)
        segs = list(level[0])
        blank, used = level[1], level[2]
        layout = columns.layout
        if layout.cum_w:  # new with every size before it: made each time
            blank, cells = add_parts(segs, [(GAP + aligned(row.cum_text, *columns.aligns[4:]),
                                             rs.cum)], pad, blank)
            used += cells
        # The figures and the bar, kept by what they show and the blank cells before them
        # (most rows' figures are blank, and bars repeat by their eighths).
        if layout.delta_w or layout.buy_w:
            key = ("figures", columns.figure_key(k), blank, look)
            found = levels.get(key)
            if found is None:
                found = levels[key] = _kept(columns.figure_parts(k, rs), pad, blank)
            segs += found[0]
            blank, used = found[1], used + found[2]
        if bar is not None:
            key = ("bar", bar, blank, look)
            found = levels.get(key)
            if found is None:
                found = levels[key] = _kept([(GAP + bar, rs.bar)], pad, blank)
            segs += found[0]
            blank, used = found[1], used + found[2]
        if blank:
            segs.append(Segment(" " * blank, pad))
        return padded_strip(segs, used, width, rs.text)


def _kept(parts: list[tuple[str, Style]], pad: Style | None,
          blank: int) -> tuple[tuple[Segment, ...], int, int]:
    """The segments of `parts` after `blank` waiting cells (`add_parts`), the blank cells
    waiting after them and the cells they take, to be kept."""
    segs: list[Segment] = []
    after, used = add_parts(segs, parts, pad, blank)
    return tuple(segs), after, used


LEVELS_KEPT = 4096  # the price-size parts of recent rows; a paint makes ~20 at most


_BARS: dict[int, dict[int, str]] = {}  # bar width -> eighths -> bar text


def _bars(width: int) -> dict[int, str]:
    """The depth-bar texts of a width by their eighths of a cell (`columns.bar_text`): a
    lookup where `bar_text` cost ~1.5 us a row."""
    found = _BARS.get(width)
    if found is None:
        if len(_BARS) > 64:  # widths come and go with resizes
            _BARS.clear()
        found = _BARS[width] = {}
    return found


def row_styles(look: Look, stale: bool, st: Mapping[str, Style]) -> RowStyles:
    """The styles of a row of this look (side and flash)."""
    if stale:
        s = st["stale"]
        return RowStyles(s, s, s, s, s, s, s, s, s)
    side = look[0]
    is_ask = side == ASKS
    text = st["empty"] if side is None else st["ask"] if is_ask else st["bid"]
    cell = text if look[1] is None else st["flash-up"] if look[1] else st["flash-down"]
    return RowStyles(text, cell, st["cum"], st["large"], st["stacked"], st["pulled"],
                     st["bid"], st["ask"], st["ask-bar"] if is_ask else st["bid-bar"])
