"""The ladder's body lines in either mode, as `Row`s (None: a blank line or the spread line).

- Compact mode: one row per level (or bucket), asks above the spread line, bids below,
  centred in the height; rows move when levels come and go.
- Price-ladder mode: one row per grid price around an anchor that moves only when a touch
  leaves the middle band (`book.price_ladder`), empty prices shown: prices stand still and
  sizes move under them. Cumulative sizes count from the touch, so they are left blank on a
  side whose touch is off screen.
"""

from __future__ import annotations

from decimal import Decimal
from typing import NamedTuple

from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip

from dfx_tui.book.numbers import fmt_fixed
from dfx_tui.book.orderbook import ASKS, BIDS, LadderRow, OrderBook
from dfx_tui.book.price_grid import ZERO
from dfx_tui.book.price_ladder import PriceLadder
from dfx_tui.book.side_rows import SideRows
from dfx_tui.widgets.columns import PAD
from dfx_tui.widgets.ladder_columns import Row
from dfx_tui.widgets.lean_strip import LeanStrip


class Body(NamedTuple):  # never changed; not a dataclass: ~0.6 ms of every start
    """The body lines of a ladder, top to bottom, and where the cursor can stop."""

    lines: list[Row | None]
    spread_at: int | None  # line index of the spread line (compact mode)
    stops: list[Decimal]  # every row price, ascending: where the cursor can go
    best_ask: Decimal | None  # the touch rows' prices, if on screen
    best_bid: Decimal | None
    asks: list[LadderRow]  # compact mode: the rows as the book gave them (tests read them)
    bids: list[LadderRow]

    def cut(self, height: int) -> Body:
        """The top `height` lines only (the readout covers the rest): the rows keep their
        lines whether a readout is shown or not, so a click never moves the ladder."""
        if height >= len(self.lines):
            return self
        lines = self.lines[:max(0, height)]
        kept = {row.price for row in lines if row is not None}
        return Body(lines, self.spread_at if self.spread_at is not None
                    and self.spread_at < len(lines) else None,
                    [p for p in self.stops if p in kept],
                    self.best_ask if self.best_ask in kept else None,
                    self.best_bid if self.best_bid in kept else None, self.asks, self.bids)


def _level_row(row: LadderRow, side: str) -> Row:
    return Row(side, row.price_exact, row.price, row.size, row.cum_size, row.size_exact,
               row.size_value, row.cum_size_value)


class SideMemo:
    """One side's rows from the last paint: the book's (`SideRows`, ungrouped) and the
    ladder's `Row` of each, so an unchanged level keeps its `Row` object (the ladder's
    strip cache then knows it by identity)."""

    __slots__ = ("side", "book_rows", "levels", "rows")

    def __init__(self, side: str) -> None:
        self.side = side
        self.book_rows = SideRows(side)
        self.levels: list[LadderRow] = []
        self.rows: list[Row] = []

    def of(self, book: OrderBook, n: int, group: int) -> tuple[list[LadderRow], list[Row]]:
        if n <= 0:
            levels: list[LadderRow] = []
        elif group > 1:
            levels = book.ladder(self.side, n, group)
        else:
            levels = self.book_rows.rows(book, n)
        if levels is not self.levels:
            old_levels, old_rows, side = self.levels, self.rows, self.side
            same = min(len(old_levels), len(levels))
            self.rows = [old_rows[i] if i < same and level is old_levels[i]
                         else _level_row(level, side) for i, level in enumerate(levels)]
            self.levels = levels
        return levels, self.rows


def compact_body(book: OrderBook, per_side: int, group: int, height: int,
                 memo: tuple[SideMemo, SideMemo] | None = None) -> Body:
    """Asks (worst at the top), the spread line, bids; a short side pads towards the edge.
    `memo`: the (asks, bids) rows of the last paint, kept in it."""
    n = per_side
    if memo is None:
        memo = (SideMemo(ASKS), SideMemo(BIDS))
    asks, ask_rows = memo[0].of(book, n, group)
    bids, bid_rows = memo[1].of(book, n, group)
    lines: list[Row | None] = [None] * max(0, (height - (2 * n + 1)) // 2)
    lines += [None] * (n - len(asks))
    lines += reversed(ask_rows)
    spread_at = len(lines)
    lines.append(None)
    lines += bid_rows
    lines += [None] * (height - len(lines))
    # Bids worst first, then asks: already in order unless the book is crossed, so the
    # sort only checks it (timeit, 42 rows: ~4.0 -> ~2.0 us against asks then bids).
    stops = [r.price for r in reversed(bid_rows)]
    stops += [r.price for r in ask_rows]
    stops.sort()
    return Body(lines[:height], spread_at if spread_at < height else None, stops,
                ask_rows[0].price if ask_rows else None,
                bid_rows[0].price if bid_rows else None, asks, bids)


def price_body(book: OrderBook, ladder: PriceLadder, group: int, height: int) -> Body:
    """One row per grid price, `height` rows, highest first."""
    view = ladder.view(book, height, group)
    pd, sd = book.price_decimals, book.size_decimals
    lines: list[Row | None] = []
    cums: dict[int, Decimal] = {}
    for touch, step in ((view.best_ask_row, -1), (view.best_bid_row, 1)):
        if touch is None:
            continue
        cum = ZERO
        i = touch
        while 0 <= i < len(view.rows):
            r = view.rows[i]
            size = r.ask_size if step < 0 else r.bid_size
            if size is not None:
                cum += size
                cums[i] = cum
            i += step
    for i, r in enumerate(view.rows):
        price_text = fmt_fixed(r.price, pd)
        if r.ask_size is not None or r.bid_size is not None:
            side, amount = ((ASKS, r.ask_size) if r.ask_size is not None
                            else (BIDS, r.bid_size))
            assert amount is not None
            known = cums.get(i)
            lines.append(Row(side, r.price, price_text, fmt_fixed(amount, sd),
                             "" if known is None else fmt_fixed(known, sd), amount,
                             r.ask_value or r.bid_value, 0.0 if known is None else float(known)))
        else:
            lines.append(Row(None, r.price, price_text, "", "", None, 0.0, 0.0))
    lines += [None] * (height - len(lines))
    rows = view.rows
    return Body(lines, None, [r.price for r in reversed(rows)],
                None if view.best_ask_row is None else rows[view.best_ask_row].price,
                None if view.best_bid_row is None else rows[view.best_bid_row].price, [], [])


def spread_strip(book: OrderBook, width: int, style: Style, extra: str = "") -> Strip:
    """The compact ladder's middle line: spread, in bps, and mid (or why there is none),
    then `extra` where it fits (the net pulled and stacked size: a level pulled entirely
    has no row left to show it on)."""
    text, short = _spread_texts(book)
    if short is not None:  # a two-sided book
        if extra and len(text) + 3 + len(extra) <= width:
            text = f"{text} · {extra}"
        elif len(text) > width:
            text = short
    text = text[:width]
    left = (width - len(text)) // 2
    return LeanStrip([Segment(" " * left, style + PAD), Segment(text, style),
                      Segment(" " * (width - left - len(text)), style)])



def _spread_texts(book: OrderBook) -> tuple[str, str | None]:
    """The spread line's text of `book` and its short form, or why there is none (and no
    short form); kept by the touches' prices. `extra` (the net Δ) moves with every delta,
    the touches far less often: bench_paint, one step a paint, `spread_strip` ~24 -> ~16 us."""
    bid, ask = book.best_bid(), book.best_ask()
    key = (book.has_snapshot, bid and bid[0], ask and ask[0], book.price_decimals)
    found = _SPREADS.get(key)
    if found is not None:
        return found
    if not book.has_snapshot:
        found = ("waiting for the book…", None)
    elif bid is None or ask is None:
        found = ("one-sided book", None)
    else:
        spread, bps, mid = book.spread_text(), book.spread_bps(), book.mid_text()
        parts = [f"spread {spread}"]
        if bps is not None:
            parts.append(f"{bps:.1f} bps")
        parts.append(f"mid {mid}")
        found = (" · ".join(parts), f"spread {spread}")
    if len(_SPREADS) >= 64:
        _SPREADS.clear()
    _SPREADS[key] = found
    return found


_SPREADS: dict[tuple[object, ...], tuple[str, str | None]] = {}
