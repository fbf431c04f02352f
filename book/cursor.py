"""The level cursor: what taking the book up to one price would cost, exactly.

The cursor sits on a grid price (the tick, or the grouping step) on either side and may cross
the spread. Its readout is computed from the raw levels, never from rounded bucket prices:
cumulative size and notional from the touch through the cursor's bucket, their VWAP, and the
distance from mid in bps and ticks. A level that was there and is gone is "left the book".
"""

from __future__ import annotations

from decimal import Decimal
from typing import NamedTuple

from dfx_tui.book.orderbook import ASKS, BIDS, OrderBook
from dfx_tui.book.price_grid import (
    ZERO,
    divide_rounded,
    grid_index,
    grid_price,
    levels_to,
)

VWAP_EXTRA_PLACES = 2  # the VWAP is shown with two places more than the market's prices
BPS_PLACES = 2


class LevelReadout(NamedTuple):
    """Figures for one cursor price. Decimals are exact; format them with `fmt_fixed`."""

    price: Decimal  # the grid price the cursor is on
    side: str | None  # BIDS or ASKS, None inside the spread (or on an empty book)
    size: Decimal | None  # resting size in the cursor's bucket, None when no level is there
    cum_size: Decimal  # from the touch through the cursor's bucket (0 inside the spread)
    cum_notional: Decimal  # sum(price * size) over the same raw levels, exact
    vwap: Decimal | None  # average price of taking all of it, half-even to price places + 2
    mid_bps: Decimal | None  # (price - mid) / mid * 10_000, half-even to 2 places
    mid_ticks: Decimal | None  # (price - mid) / tick, exact (a multiple of 0.5)
    levels: int  # raw levels counted in cum_size
    left_book: bool = False  # the cursor's level was seen earlier and is gone now


def read_level(book: OrderBook, price: Decimal, group: int = 1) -> LevelReadout:
    """Readout at grid price `price` for the ladder grouped by `group` ticks.

    The side is the one whose touch bucket the price is at or beyond: asks at or above the
    best ask's bucket, bids at or below the best bid's. With grouping, the ask bucket `b`
    holds asks in (b - step, b] and the bid bucket holds bids in [b, b + step), like the ladder.
    """
    decimals = book.price_decimals
    index = grid_index(price, decimals, group)
    price = grid_price(index, decimals, group)
    side = _side_of(book, index, decimals, group)
    mid = book.mid()
    mid_bps = mid_ticks = None
    if mid is not None and mid > 0:
        mid_bps = divide_rounded((price - mid) * 10_000, mid, BPS_PLACES)
        mid_ticks = (price - mid).scaleb(decimals)
    if side is None:
        return LevelReadout(price, None, None, ZERO, ZERO, None, mid_bps, mid_ticks, 0)
    is_bid = side == BIDS
    lower = grid_price(index - 1, decimals, group) if not is_bid else price
    upper = grid_price(index + 1, decimals, group) if is_bid else price
    size: Decimal | None = None
    cum_size = cum_notional = ZERO
    count = 0
    for level_price, amount in levels_to(book, side, price):
        cum_size += amount
        cum_notional += level_price * amount
        count += 1
        if lower < level_price < upper or level_price == price:
            size = amount if size is None else size + amount
    vwap = None
    if cum_size > 0:
        vwap = divide_rounded(cum_notional, cum_size, decimals + VWAP_EXTRA_PLACES)
    return LevelReadout(price, side, size, cum_size, cum_notional, vwap, mid_bps, mid_ticks,
                        count)


def _side_of(book: OrderBook, index: int, decimals: int, group: int) -> str | None:
    ask, bid = book.best_ask(), book.best_bid()
    if ask is not None and index >= grid_index(Decimal(ask[0]), decimals, group, round_up=True):
        return ASKS
    if bid is not None and index <= grid_index(Decimal(bid[0]), decimals, group):
        return BIDS
    return None


class LevelCursor:
    """A cursor on the ladder: a grid price, moved by rows, that remembers what it saw.

    `left_book` in a readout is true when the cursor's bucket had size at an earlier readout
    (since the cursor was last placed) and has none now.
    """

    __slots__ = ("price", "_seen")

    def __init__(self, price: Decimal | None = None) -> None:
        self.price = price
        self._seen = False

    def place(self, price: Decimal | None) -> None:
        self.price = price
        self._seen = False

    def move(self, rows: int, step: Decimal) -> None:
        """Move by `rows` grid steps; positive is up (towards higher prices)."""
        if self.price is not None:
            self.place(self.price + step * rows)

    def readout(self, book: OrderBook, group: int = 1) -> LevelReadout | None:
        if self.price is None:
            return None
        readout = read_level(book, self.price, group)
        if readout.size is not None:
            self._seen = True
            return readout
        if not self._seen:
            return readout
        return LevelReadout(readout.price, readout.side, None, readout.cum_size,
                            readout.cum_notional, readout.vwap, readout.mid_bps,
                            readout.mid_ticks, readout.levels, left_book=True)
