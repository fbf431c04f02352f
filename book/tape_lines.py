"""Tape lines: consecutive prints with the same time and side merged, with notional and tiers.

One taker order sweeping several levels arrives as several prints with one time and side;
the tape shows them as one line (count, total size, VWAP, notional). Only neighbours merge, so
the tape's order is kept. Figures are exact Decimals; the VWAP is rounded half-even to two
places more than the prices carry, and shown without needless trailing zeros.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from operator import is_
from typing import NamedTuple

from dfx_tui.book.numbers import decimals_of
from dfx_tui.book.price_grid import ZERO, divide_rounded, trimmed
from dfx_tui.book.tape import Trade

VWAP_EXTRA_PLACES = 2
MAX_TIERS = 3


class TapeLine(NamedTuple):  # not a frozen dataclass: ~1 ms of every start to define
    time: float
    side: str  # taker side: "buy" or "sell"
    prints: int  # prints merged (not `count`: a tuple's method)
    size: Decimal  # total base size
    notional: Decimal  # sum(price * size), exact
    vwap: Decimal  # notional / size, half-even to price places + 2, trailing zeros trimmed
    high: Decimal  # highest and lowest print price (equal for a single print)
    low: Decimal
    first_id: int  # ids of the newest and oldest print in the line
    last_id: int
    tier: int  # 0 ordinary, 1..3: the large-trade thresholds it reaches
    size_value: float  # float(size), for bars and sorting only


def notional(trade: Trade) -> Decimal:
    """Quote value of one print, exact."""
    return Decimal(trade.price) * Decimal(trade.amount)


def tier_of(value: Decimal, thresholds: Sequence[Decimal]) -> int:
    """How many of the ascending `thresholds` (at most three) `value` reaches (>=)."""
    tier = 0
    for threshold in thresholds[:MAX_TIERS]:
        if value >= threshold:
            tier += 1
        else:
            break
    return tier


def merge_prints(trades: Iterable[Trade], thresholds: Sequence[Decimal] = (),
                 by_notional: bool = False, max_lines: int | None = None) -> list[TapeLine]:
    """Merge neighbouring prints of one time and side; keeps the input order (newest first).

    `thresholds`: up to three ascending large-trade thresholds, on the line's size (or its
    notional when `by_notional`). `max_lines` stops early for a screenful.
    """
    if list(thresholds) != sorted(thresholds):
        raise ValueError("large-trade thresholds must be ascending")
    lines: list[TapeLine] = []
    group: list[Trade] = []
    for trade in trades:
        if group and (trade.time != group[0].time or trade.side != group[0].side):
            lines.append(_line(group, thresholds, by_notional))
            group = []
            if max_lines is not None and len(lines) >= max_lines:
                return lines
        group.append(trade)
    if group and (max_lines is None or len(lines) < max_lines):
        lines.append(_line(group, thresholds, by_notional))
    return lines


def _line(group: list[Trade], thresholds: Sequence[Decimal], by_notional: bool) -> TapeLine:
    first = group[0]
    if len(group) == 1:  # the common case: no sums, no division
        price, size = Decimal(first.price), Decimal(first.amount)
        quote = price * size
        tier = tier_of(quote if by_notional else size, thresholds)
        return TapeLine(first.time, first.side, 1, size, quote, price, price, price, first.id,
                        first.id, tier, first.amount_value)
    size = quote = ZERO
    places = 0
    prices = []
    for trade in group:
        price, amount = Decimal(trade.price), Decimal(trade.amount)
        size += amount
        quote += price * amount
        prices.append(price)
        places = max(places, decimals_of(trade.price))
    vwap = Decimal(trimmed(divide_rounded(quote, size, places + VWAP_EXTRA_PLACES), places))
    tier = tier_of(quote if by_notional else size, thresholds)
    return TapeLine(first.time, first.side, len(group), size, quote, vwap, max(prices),
                    min(prices), first.id, group[-1].id, tier, float(size))


def tape_lines(trades: Iterator[Trade], merge: bool, tiers: Sequence[Decimal],
               min_size: Decimal | None, count: int,
               memo: LineMemo | None = None) -> list[TapeLine]:
    """The first `count` lines of the tape (newest first): one per print, or per run of
    prints of one time and side when `merge`; lines smaller than `min_size` are skipped.
    With a `memo`, a line made before for the same prints is taken from it."""
    if list(tiers) != sorted(tiers):
        raise ValueError("large-trade thresholds must be ascending")
    memo = memo if memo is not None else LineMemo()
    line_of, kept = memo.line_of, memo._lines
    out: list[TapeLine] = []
    if not merge:
        floor = None if min_size is None else float(min_size)
        for trade in trades:
            if floor is not None and trade.amount_value < floor:
                continue
            # `line_of` inlined for a print kept for these tiers: 16 -> 9 us for 47 lines.
            entry = kept.get(id(trade))
            if (entry is not None and entry[2] is tiers and entry[0][0] is trade
                    and len(entry[0]) == 1):
                line = entry[1]
            else:
                line = line_of([trade], tiers)
            if min_size is not None and line.size < min_size:
                continue
            out.append(line)
            if len(out) >= count:
                break
        return out
    group: list[Trade] = []
    for trade in trades:
        if group and (trade.time != group[0].time or trade.side != group[0].side):
            line = line_of(group, tiers)
            group = []
            if min_size is None or line.size >= min_size:
                out.append(line)
                if len(out) >= count:
                    return out
        group.append(trade)
    if group:
        line = line_of(group, tiers)
        if min_size is None or line.size >= min_size:
            out.append(line)
    return out


class LineMemo:
    """The lines `tape_lines` made, each kept by its prints (the very `Trade` objects): a new
    trade shifts the tape down a line, and every other line is found here instead of merged
    again: 47 lines of a 500-print tape (bench_paint's stream) took 64 us, 16 with a memo.

    Keyed by the newest print's id(); the entry holds the prints themselves, so no other
    object can take that id while it is kept, and a line is taken only for the same prints
    in the same order. A line made for other tiers gets its tier again (the automatic tiers
    move with the median print). Past `LIMIT` entries it starts again, empty.
    """

    __slots__ = ("_lines",)
    LIMIT = 4096  # lines: some markets' whole tapes (500 prints each)

    def __init__(self) -> None:
        self._lines: dict[int, tuple[list[Trade], TapeLine, Sequence[Decimal]]] = {}

    def __len__(self) -> int:
        return len(self._lines)

    def line_of(self, prints: list[Trade], tiers: Sequence[Decimal]) -> TapeLine:
        """`merge_prints(prints, tiers)[0]` for one run of prints (newest first, one line)."""
        key = id(prints[0])
        lines = self._lines
        entry = lines.get(key)
        if entry is not None:
            kept, line, made_for = entry
            if len(kept) == len(prints) and all(map(is_, kept, prints)):
                if made_for is tiers or made_for == tiers:
                    return line
                tier = tier_of(line.size, tiers)
                if tier != line.tier:
                    line = line._replace(tier=tier)
                lines[key] = (kept, line, tiers)
                return line
        line = _line(prints, tiers, False)
        if len(lines) >= self.LIMIT:
            lines.clear()
        lines[key] = (prints, line, tiers)
        return line
