"""The heatmap's cells: colour levels of the size scale, half blocks, trade marks, gaps.

A line of the widget holds two price rows: the upper half block takes the upper row's colour,
the background the lower row's. Sizes become one of `LEVELS` colour steps (`level_of`) on a
gradient through the theme's $heat-low, $heat-mid and $heat-high; a cell with trades shows a
mark sized against the largest mark in view; a column without data is a gap.

`CellPainter` keeps what it drew: the styles of each (upper, lower) pair, and each column's
cells while the column, the scale and the largest mark are as they were, so a new sample
redraws one column, not the window.
"""

from __future__ import annotations

import math

from rich.color import Color as RichColor
from rich.segment import Segment
from rich.style import Style
from textual.color import Color

from dfx_tui.book.heatmap_grid import TradeMark
from dfx_tui.widgets.heatmap_columns import Column

LEVELS = 12  # colour steps of the size scale (level 0: nothing rests there)
MARKS = ("·", "•", "●")  # trade marks, small to large (a third of the largest each)

Cell = tuple[str, Style]
# A column's cells and what they were drawn from: (values, trades, (scale, largest mark,
# lines, pending), cells), compared by identity (values, trades) and by value (the rest).
ColumnCells = tuple[list[float] | None, dict[int, TradeMark], tuple[float, float, int, bool],
                    list[Cell]]


def gradient(stops: tuple[Color, Color, Color], levels: int) -> list[RichColor]:
    """levels + 1 colours from low (level 0) through mid to high (level `levels`).

    ANSI stops are not blended (a blend is an RGB colour): each level takes the nearest stop.
    """
    low, mid, high = stops
    out: list[RichColor] = []
    ansi = any(c.ansi is not None for c in stops)
    for level in range(levels + 1):
        x = level / levels
        if ansi:
            out.append((low if x < 1 / 3 else mid if x < 2 / 3 else high).rich_color)
        elif x <= 0.5:
            out.append(low.blend(mid, x * 2).rich_color)
        else:
            out.append(mid.blend(high, (x - 0.5) * 2).rich_color)
    return out


def level_of(size: float, scale: float) -> int:
    """0 for nothing resting, else 1..LEVELS by size / scale (capped)."""
    if size <= 0 or scale <= 0:
        return 0
    return max(1, min(LEVELS, math.ceil(size / scale * LEVELS)))


def merge(cells: list[Cell]) -> list[Segment]:
    """Segments of consecutive cells, neighbours in the same style joined."""
    out: list[Segment] = []
    text, style = "", None
    for char, cell_style in cells:
        if cell_style is style:
            text += char
            continue
        if text:
            out.append(Segment(text, style))
        text, style = char, cell_style
    if text:
        out.append(Segment(text, style))
    return out


def cell_marks(columns: list[Column]) -> tuple[list[dict[int, TradeMark]], float]:
    """Each column's trades per line (two price rows a line), and the largest total."""
    out: list[dict[int, TradeMark]] = []
    biggest = 0.0
    for col in columns:
        merged: dict[int, TradeMark] = {}
        for row, traded in col.trades.items():
            cell = merged.setdefault(row // 2, TradeMark())
            cell.buy += traded.buy
            cell.sell += traded.sell
            biggest = max(biggest, cell.buy + cell.sell)
        out.append(merged)
    return out, biggest


class CellPainter:
    """Cells in the current styles, and the columns drawn with them (see the module doc)."""

    def __init__(self) -> None:
        self._palette: tuple[list[Style], list[RichColor]] | None = None
        self._cells: dict[tuple[object, ...], Cell] = {}
        self._columns: dict[int, ColumnCells] = {}

    def clear(self) -> None:
        """Forget everything drawn (the theme changed the styles)."""
        self._palette = None
        self._cells.clear()
        self._columns.clear()

    def _styles(self, st: dict[str, Style]) -> tuple[list[Style], list[RichColor]]:
        if self._palette is None:
            low, mid, high = (Color.from_rich_color(st[name].color)
                              for name in ("low", "mid", "high"))
            colours = gradient((low, mid, high), LEVELS)
            self._palette = ([Style(bgcolor=c) for c in colours], colours)
        return self._palette

    def cell(self, upper: int, lower: int, st: dict[str, Style]) -> Cell:
        key = (upper, lower)
        cell = self._cells.get(key)
        if cell is None:
            bgs, colours = self._styles(st)
            if upper == lower:
                cell = (" ", bgs[upper])
            else:
                cell = ("▀", Style(color=colours[upper], bgcolor=colours[lower]))
            self._cells[key] = cell
        return cell

    def mark(self, mark: TradeMark, bg_level: int, biggest: float,
             st: dict[str, Style]) -> Cell:
        total = mark.buy + mark.sell
        size = MARKS[min(2, int(3 * total / biggest))] if biggest > 0 else MARKS[0]
        buy = mark.buy >= mark.sell
        key = ("mark", size, buy, bg_level)
        cell = self._cells.get(key)
        if cell is None:
            bgs, _colours = self._styles(st)
            cell = (size, (st["buy"] if buy else st["sell"]) + bgs[bg_level])
            self._cells[key] = cell
        return cell

    def history(self, shown: list[Column], scale: float, body: int, pending: bool,
                st: dict[str, Style]) -> list[list[Segment]]:
        """Every line's history part (`pending`: the newest column has no data yet, which
        is drawn blank, not as a gap)."""
        marks, biggest = cell_marks(shown)
        newest = shown[-1] if shown else None
        context = (scale, biggest, body, pending)
        old = self._columns
        kept: dict[int, ColumnCells] = {}
        columns: list[list[Cell]] = []
        for col, merged in zip(shown, marks, strict=True):
            cached = old.get(col.k)
            if cached is not None and cached[0] is col.values and cached[1] is col.trades \
                    and cached[2] == context:
                cells = cached[3]
            else:
                cells = self._column(col, merged, scale, biggest, body, st,
                                     pending and col is newest)
            kept[col.k] = (col.values, col.trades, context, cells)
            columns.append(cells)
        self._columns = kept
        return [merge([cells[y] for cells in columns]) for y in range(body)]

    def _column(self, col: Column, marks: dict[int, TradeMark], scale: float, biggest: float,
                body: int, st: dict[str, Style], pending: bool) -> list[Cell]:
        """One column's cells, top line first."""
        values = col.values
        if values is None:
            return [(" ", st["empty"]) if pending else ("░", st["gap"])] * body
        out: list[Cell] = []
        for y in range(body):
            upper = level_of(values[2 * y], scale)
            lower = level_of(values[2 * y + 1], scale)
            mark = marks.get(y)
            out.append(self.cell(upper, lower, st) if mark is None
                       else self.mark(mark, max(upper, lower), biggest, st))
        return out

    def live(self, live: list[float] | None, y: int, scale: float,
             st: dict[str, Style]) -> tuple[Segment, ...]:
        """Line `y` of the live book's column (two cells wide); a gap while there is none."""
        if live is None:
            return (Segment("░░", st["gap"]),)
        char, style = self.cell(level_of(live[2 * y], scale), level_of(live[2 * y + 1], scale),
                                st)
        return (Segment(char * 2, style),)
