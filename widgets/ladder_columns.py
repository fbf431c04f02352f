"""The ladder's rows and columns: one row model for both modes, the figures beside each level
(pulling and stacking, volume at price, large resting orders), and which columns fit.

Columns, by priority (the first ones win a narrow width): price, size (with the large-order
mark), cumulative size, the signed size change over the pulling window (Δ), buy and sell
volume at price with a small two-colour bar, then the depth bar in whatever is left. A figure
is looked up only when its column can fit, once per repaint, for the rows on screen.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from functools import lru_cache
from typing import TYPE_CHECKING, NamedTuple

from rich.style import Style

from dfx_tui.book.depth_signals import large_levels
from dfx_tui.book.liquidity_change import LiquidityDelta
from dfx_tui.book.orderbook import ASKS
from dfx_tui.widgets.columns import aligned, compact, kept_widths, new_widths

if TYPE_CHECKING:
    from dfx_tui.widgets.ladder_segments import RowStyles

GAP = "  "
MARK = "◆"  # after the size of a large resting level
VOL_BAR = 5  # cells of the two-colour volume bar
DELTA_MIN = 5  # the narrowest Δ column worth computing
VOL_MIN = 4 + 1 + 4 + 1 + VOL_BAR


class Row(NamedTuple):
    """One ladder row: a level (or a bucket of levels), or an empty price (price mode).

    Rows, their cells and the book's `LadderRow`s are made for every row of every paint:
    as NamedTuples they cost 0.29 us to make against 1.04 for a frozen, slotted dataclass
    (and half as much to hash, as the row cache's key)."""

    side: str | None  # ASKS, BIDS, or None for a price without resting size
    price: Decimal  # exact (grid) price
    price_text: str
    size_text: str  # "" on an empty price
    cum_text: str  # "" where not known (price mode with the touch off screen) or empty
    size: Decimal | None
    size_value: float  # for bars only
    cum_value: float


class Layout(NamedTuple):
    """Column widths that fit the ladder's width (0: the column is not shown)."""

    price_w: int
    size_w: int
    mark: bool
    cum_w: int
    delta_w: int
    buy_w: int
    sell_w: int
    bar_w: int


class Cells(NamedTuple):
    """What one row shows, each text aligned to its column ("" where the column is hidden);
    with the row's styles, the key of its cached strip."""

    price: str
    size: str
    cum: str
    large: bool
    delta: str
    delta_sign: int
    buy: str
    sell: str
    vol_cells: tuple[int, int]


Sides = tuple[Mapping[Decimal, Decimal], Mapping[Decimal, Decimal]]  # (asks, bids)


class Columns:
    """The columns of one paint: their widths (`layout`), the alignment of the price, size
    and cumulative texts, and each row's figures. A row's `Cells` are made only when its
    strip is not cached (`figures` stands for them in its key): at one delta a paint, ~20
    of ~42 rows."""

    __slots__ = ("layout", "aligns", "deltas", "signs", "buys", "sells", "vols", "marks")

    def __init__(self, layout: Layout, aligns: tuple[int, int, int, int, int, int],
                 deltas: list[str], signs: list[int], buys: list[str], sells: list[str],
                 vols: list[tuple[int, int]], large: Sequence[bool] | None) -> None:
        self.layout, self.aligns = layout, aligns
        self.deltas, self.signs = deltas, signs
        self.buys, self.sells, self.vols = buys, sells, vols
        # Each row's large-order mark (none without a rule).
        self.marks = [bool(flag) for flag in large] if large else [False] * len(deltas)

    def figures(self) -> list[tuple[object, ...]]:
        """What each row shows beyond its `Row` and the layout: its figures and mark."""
        return list(zip(self.deltas, self.signs, self.buys, self.sells, self.vols, self.marks,
                        strict=True))

    def figure_key(self, i: int) -> tuple[object, ...]:
        """What a row's `figure_parts` depend on."""
        layout = self.layout
        return (self.deltas[i], self.signs[i], self.buys[i], self.sells[i], self.vols[i],
                layout.delta_w, layout.buy_w, layout.sell_w)

    def level_parts(self, i: int, row: Row, price_text: str,
                    st: RowStyles) -> list[tuple[str, Style]]:
        """The (text, style) parts of a row's price, size and mark: the row's `row_segments`
        parts before its Cum (`parts` the rest)."""
        layout, (pi, pf, si, sf, _ci, _cf) = self.layout, self.aligns
        parts = [(" " + aligned(price_text, pi, pf), st.text),
                 (GAP + aligned(row.size_text, si, sf), st.size)]
        if layout.mark:
            parts.append(("  " if not self.marks[i] else " " + MARK, st.mark))
        return parts

    def parts(self, i: int, row: Row, bar: str | None,
              st: RowStyles) -> list[tuple[str, Style]]:
        """The (text, style) parts after a row's mark, as `row_segments` makes them: its
        Cum, its figures (`figure_parts`) and its bar."""
        layout = self.layout
        parts = [(GAP + aligned(row.cum_text, *self.aligns[4:]), st.cum)] if layout.cum_w else []
        parts += self.figure_parts(i, st)
        if bar is not None:
            parts.append((GAP + bar, st.bar))
        return parts

    def figure_parts(self, i: int, st: RowStyles) -> list[tuple[str, Style]]:
        """The (text, style) parts of a row's Δ and volume columns."""
        layout = self.layout
        parts = []
        if layout.delta_w:
            parts.append((GAP + self.deltas[i].rjust(layout.delta_w),
                          st.up if self.signs[i] > 0 else st.down))
        if layout.buy_w:
            b, s = self.vols[i]
            parts += ((GAP + self.buys[i].rjust(layout.buy_w), st.buy),
                      (" " + self.sells[i].rjust(layout.sell_w), st.sell),
                      (" " + "█" * b, st.buy), ("█" * s, st.sell),
                      (" " * (VOL_BAR - b - s), st.sell))
        return parts

    def cells(self, i: int, row: Row, price_text: str) -> Cells:
        layout, (pi, pf, si, sf, ci, cf) = self.layout, self.aligns
        dw, bw, sv = layout.delta_w, layout.buy_w, layout.sell_w
        return Cells(aligned(price_text, pi, pf), aligned(row.size_text, si, sf),
                     aligned(row.cum_text, ci, cf) if layout.cum_w else "", self.marks[i],
                     self.deltas[i].rjust(dw) if dw else "", self.signs[i] if dw else 0,
                     self.buys[i].rjust(bw) if bw else "", self.sells[i].rjust(sv) if sv else "",
                     self.vols[i] if bw else (0, 0))


def lay_out(rows: Sequence[Row], width: int, price_texts: Sequence[str], price_label: str,
            large: Sequence[bool] | None, delta_label: str, changes: Callable[[], Sides],
            volume: Callable[[], Mapping[Decimal, tuple[Decimal, Decimal]]]) -> Columns:
    """Which columns fit `width`, and every row's figures. `changes` and `volume` are called
    only when their column can fit (`large` is None when no large-order rule is set)."""
    pi, pf = kept_widths(price_texts)
    si, sf = kept_widths([r.size_text for r in rows])
    ci, cf = new_widths([r.cum_text for r in rows])  # new texts each paint: not kept
    pw, sw, cw = max(pi + pf, 5, len(price_label)), max(si + sf, 4), max(ci + cf, 3)
    mark = large is not None
    room = width - (1 + pw + len(GAP) + sw + (2 if mark else 0)) - len(GAP) - cw
    n = len(rows)
    deltas, signs, dw = [""] * n, [0] * n, None
    if room >= len(GAP) + DELTA_MIN:
        deltas, signs = delta_texts(rows, *changes())
        dw = max([len(d) for d in deltas] + [len(delta_label)])
    buys, sells, vol, vw = [""] * n, [""] * n, [(0, 0)] * n, None
    if room >= len(GAP) + VOL_MIN:
        buys, sells, vol = volume_texts(rows, volume())
        vw = (max([len(b) for b in buys] + [3]), max([len(s) for s in sells] + [4]))
    layout = fit(width, pw, sw, mark, cw, dw, vw)
    if not layout.delta_w:
        deltas, signs = [""] * n, [0] * n
    if not layout.buy_w:
        buys, sells, vol = [""] * n, [""] * n, [(0, 0)] * n
    return Columns(layout, (pi, pf, si, sf, ci, cf), deltas, signs, buys, sells, vol, large)


@lru_cache(maxsize=4096)
def figure(value: Decimal, signed: bool = False) -> str:
    """A short figure for the Δ and volume columns (see `columns.compact`), "" for zero.

    Kept per value: a paint asks it for every row's Δ, mostly the same values as the last
    paint's (~2.5 us a figure made, ~0.3 us looked up)."""
    if not value:
        return ""
    text = compact(float(abs(value)))
    if abs(value) < 1 and len(text) > 6:  # tiny sizes: 0.0001234 -> 0.00012
        text = f"{float(abs(value)):.2g}"
    if signed:
        return ("+" if value > 0 else "-") + text
    return text


def large_flags(rows: Sequence[Row | None], absolute: Decimal | None,
                factor: float | None) -> list[bool]:
    """Which rows are large resting levels (absolute size, or k x the median shown)."""
    if absolute is None and factor is None:
        return [False] * len(rows)
    sizes = [row.size if row is not None else None for row in rows]
    if all(sizes):  # every line a level (compact mode): no line to leave out and put back
        # (bench_paint's 42 rows: 21 -> 8 us, the median's sort most of what is left)
        return large_levels(sizes, absolute, factor)  # type: ignore[arg-type]
    sized = [(i, size) for i, size in enumerate(sizes) if size]
    flags = [False] * len(rows)
    marks = large_levels([size for _i, size in sized], absolute, factor)
    for (i, _size), large in zip(sized, marks, strict=True):
        flags[i] = large
    return flags


def net_changes(delta: LiquidityDelta | None, label: str) -> str:
    """"Δ10s asks +2.50 bids -0.1546": the net change per side ("" when nothing moved, or
    before two samples). The sums are the ones `LiquidityChange` keeps."""
    if delta is None:
        return ""
    ask, bid = delta.ask_net, delta.bid_net
    if not ask and not bid:
        return ""
    return f"{label} asks {figure(ask, True) or '0'} bids {figure(bid, True) or '0'}"


def delta_texts(rows: Sequence[Row | None], asks: Mapping[Decimal, Decimal],
                bids: Mapping[Decimal, Decimal]) -> tuple[list[str], list[int]]:
    """The signed change at each row's price (an empty price looks on both sides).

    One lookup a row and the text and sign of a change as one cached pair (`_signed`):
    bench_paint's 42 rows, ~20 -> ~9 us."""
    n = len(rows)
    texts, signs = [""] * n, [0] * n
    if not asks and not bids:
        return texts, signs
    for i, row in enumerate(rows):
        if row is None:
            continue
        side = row.side
        change = ((asks if side == ASKS else bids).get(row.price) if side is not None
                  else asks.get(row.price) or bids.get(row.price))
        if change:
            texts[i], signs[i] = _signed(change)
    return texts, signs


@lru_cache(maxsize=4096)
def _signed(change: Decimal) -> tuple[str, int]:
    """A non-zero change's Δ text and sign."""
    return figure(change, signed=True), 1 if change > 0 else -1


def volume_texts(rows: Sequence[Row | None], volume: Mapping[Decimal, tuple[Decimal, Decimal]]
                 ) -> tuple[list[str], list[str], list[tuple[int, int]]]:
    """Buy and sell volume at each row's price, and the cells of its two-colour bar.

    The bar of the busiest row shown is full; a side with any volume gets at least one cell.
    """
    n = len(rows)
    buys, sells, cells = [""] * n, [""] * n, [(0, 0)] * n
    if not volume:
        return buys, sells, cells
    found = [volume.get(row.price) if row is not None else None for row in rows]
    top = max((b + s for b, s in (f for f in found if f is not None)), default=Decimal(0))
    if not top:
        return buys, sells, cells
    for i, pair in enumerate(found):
        if pair is not None:
            buys[i], sells[i], cells[i] = _volume_cells(pair[0], pair[1], top)
    return buys, sells, cells


@lru_cache(maxsize=4096)
def _volume_cells(buy: Decimal, sell: Decimal, top: Decimal) -> tuple[str, str, tuple[int, int]]:
    """One row's volume texts and bar cells, kept: the volume window moves with trades, not
    with the paints (bench: ~1.3 us a row made in Decimal, ~0.2 looked up)."""
    total = round(float((buy + sell) / top) * VOL_BAR)
    b = round(float(buy / top) * VOL_BAR)
    b = max(b, 1) if buy else 0
    s = max(total - b, 1) if sell else 0
    if b + s > VOL_BAR:
        b = VOL_BAR - s
    return figure(buy), figure(sell), (b, s)


def fit(width: int, price_w: int, size_w: int, mark: bool, cum_w: int,
        delta_w: int | None, vol_w: tuple[int, int] | None) -> Layout:
    """The columns that fit `width`, in priority order; `None` widths are not wanted."""
    used = 1 + price_w + len(GAP) + size_w + (2 if mark else 0)
    room = width - used

    def take(w: int) -> int:
        nonlocal room
        if w > 0 and room >= len(GAP) + w:
            room -= len(GAP) + w
            return w
        return 0

    cum = take(cum_w)
    delta = take(delta_w) if delta_w is not None else 0
    buy = sell = 0
    if vol_w is not None and take(vol_w[0] + 1 + vol_w[1] + 1 + VOL_BAR):
        buy, sell = vol_w
    bar = room - len(GAP) - 1
    return Layout(price_w, size_w, mark, cum, delta, buy, sell, bar if bar >= 3 else 0)
