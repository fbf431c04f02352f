"""The ladder rows of one side of a book, kept from one paint to the next.

A delta moves a side's rows only from its first changed level outward: the cumulative
figures count from the touch, so the rows before that level are what they were. `SideRows`
keeps the levels it last read and resumes from the first one that differs, and the rows it
keeps are the same objects as before, so the ladder can tell an unchanged row by identity.

Why: the ladder read and formatted both sides whole on every paint. bench_paint, one model
step a paint (160x50): `compact_body` ~0.43 ms of a ~1.0 ms ladder build under cProfile.
"""

from __future__ import annotations

from decimal import Decimal

from dfx_tui.book.numbers import ZERO
from dfx_tui.book.orderbook import BIDS, LadderRow, OrderBook


class SideRows:
    """The top `n` ungrouped rows of one side of one book, rebuilt from the first change."""

    __slots__ = ("side", "_book", "_key", "_version", "_raw", "_rows", "_cums")

    def __init__(self, side: str) -> None:
        self.side = side
        self._book: OrderBook | None = None
        self._key: tuple[int, int, int] = (-1, -1, -1)  # (n, price and size decimals)
        self._version = -1
        self._raw: list[tuple[str, str]] = []  # the levels the rows show, as the book holds them
        self._rows: list[LadderRow] = []
        self._cums: list[Decimal] = []  # the cumulative size at each row

    def rows(self, book: OrderBook, n: int) -> list[LadderRow]:
        """`book.ladder(side, n)`: the same rows, and the same row objects where unchanged.
        The answer is shared: don't mutate it."""
        if book is self._book and book.version == self._version and n == self._key[0]:
            return self._rows
        raw = book.bids(n) if self.side == BIDS else book.asks(n)
        start = 0
        before: dict[int, LadderRow] = {}
        if book is self._book and n == self._key[0]:
            old = self._raw
            same = min(len(raw), len(old))
            while start < same and raw[start] == old[start]:
                start += 1
            if start < len(raw):
                # The old raw levels are alive here, so their ids are theirs.
                before = dict(zip(map(id, old), self._rows, strict=False))
        # Only levels not shown before: a level object this book showed was learnt from
        # then, and a book's places only grow. bench_paint, one step a paint: ~18 levels
        # learnt a paint -> ~1.
        book.learn_from([level for level in raw[start:] if id(level) not in before])
        key = (n, book.price_decimals, book.size_decimals)
        same_places = book is self._book and key == self._key
        if not same_places:
            start = 0  # another book, or other places: every row changes
        if start < len(self._rows) or len(raw) != len(self._rows):
            rows, cums = self._rows[:start], self._cums[:start]
            cum = cums[-1] if cums else ZERO
            if same_places:
                self._rows = _resume(book, raw, start, before, rows, cum, cums)
            else:
                self._rows = book.ladder_rows(raw, rows, cum, cums)
            self._cums = cums
        self._book, self._key, self._version, self._raw = book, key, book.version, raw
        return self._rows


def _resume(book: OrderBook, raw: list[tuple[str, str]], start: int,
            before: dict[int, LadderRow], rows: list[LadderRow], cum_size: Decimal,
            cums: list[Decimal]) -> list[LadderRow]:
    """`book.ladder_rows(raw[start:], rows, cum_size, cums)`, with the price and size of each
    level that was shown before (the same level object, at the same places: the caller
    checks those) taken from its old row: only its cumulative size is new. A delta near the
    touch moves the cumulative size of nearly every row of its side (bench_paint, one step
    a paint: ~18 rows a paint), and most of those levels are unchanged. `before`: the old
    rows by the id of their raw level (the caller keeps those levels alive)."""
    fresh: list[tuple[str, str]] = []  # the run of new levels waiting to be made
    places = f".{book.size_decimals}f"
    new = tuple.__new__
    for level in raw[start:]:
        old = before.get(id(level))
        if old is None:
            fresh.append(level)
            continue
        if fresh:
            rows = book.ladder_rows(fresh, rows, cum_size, cums)
            cum_size = cums[-1]
            fresh = []
        cum_size += old.size_exact
        rows.append(new(LadderRow, (old.price, old.size, format(cum_size, places),
                                    old.size_value, float(cum_size), old.price_exact,
                                    old.size_exact)))
        cums.append(cum_size)
    if fresh:
        rows = book.ladder_rows(fresh, rows, cum_size, cums)
    return rows
