"""Signals read off the resting book: imbalance near mid, micro-price, large resting orders.

Sizes and prices stay exact (Decimal); only the imbalance ratio, a bar/colour figure, is a
float, taken from the exact quotient so it lies in [-1, 1] exactly.

The imbalance reads the book's sides (`OrderBook.side_levels`: float price -> (price text,
amount text)) directly: their float keys say which levels are surely within reach, and only the few within a hair of the edge are compared as Decimals (see
`_size_within`).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import NamedTuple

from sortedcontainers import SortedDict

from dfx_tui.book.numbers import decimal_of, median
from dfx_tui.book.orderbook import ASKS, BIDS, OrderBook
from dfx_tui.book.price_grid import ZERO, divide_rounded

DEFAULT_IMBALANCE_BPS = 10.0
MICRO_EXTRA_PLACES = 2  # the micro-price is shown with two places more than the market's
DEFAULT_LARGE_FACTOR = 5.0


class Imbalance(NamedTuple):
    bid_size: Decimal  # resting bid size within `bps` of mid
    ask_size: Decimal
    ratio: float  # (bid - ask) / (bid + ask) in [-1, 1]; 0 when both are 0; > 0 bid-heavy
    bps: float


def imbalance(book: OrderBook, bps: float = DEFAULT_IMBALANCE_BPS) -> Imbalance | None:
    """Bid vs ask size of the levels within `bps` basis points of mid (inclusive).

    None without a two-sided book. A price is within when |price - mid| <= mid * bps / 10_000,
    tested exactly, so a book mirrored around mid gives exactly the negated ratio.
    """
    mid = book.mid()
    if mid is None or mid <= 0:
        return None
    reach = mid * Decimal(repr(float(bps))) / 10_000
    bid_size = _size_within(book.side_levels(BIDS), mid - reach, True)
    ask_size = _size_within(book.side_levels(ASKS), mid + reach, False)
    total = bid_size + ask_size
    ratio = 0.0 if total == 0 else float((bid_size - ask_size) / total)
    return Imbalance(bid_size, ask_size, ratio, bps)


# A level whose float key is this far (relative) from the edge's float is surely on its side
# of the exact edge: a float price or edge is off by at most 2^-53 of itself (~1.1e-16).
# The absolute floor keeps subnormal floats, which carry less precision, on the exact path.
EDGE_SLACK = 1e-9
EDGE_FLOOR = 1e-300


def _size_within(side: SortedDict, edge: Decimal, is_bid: bool) -> Decimal:
    """Exact total size of the levels of `side` from the touch out to `edge` inclusive (bids
    at or above it, asks at or below), summed touch outward as `price_grid.levels_to` read
    them. The float keys split the side by bisection: levels surely inside are summed with
    cached parses (`decimal_of`), those within `EDGE_SLACK` of the edge are compared as
    Decimals. The header asks this every paint for every level within 10 bps (all ~55 a side
    on the bench's BTC book): with `levels_to` each level's two texts were parsed anew;
    `imbalance` 68 -> 28 us a call (timeit, that book)."""
    at = float(edge)
    slack = abs(at) * EDGE_SLACK + EDGE_FLOOR
    low, high = side.bisect_left(at - slack), side.bisect_right(at + slack)
    values = side.values()
    if is_bid:  # touch outward is high to low
        inside, unsure = values[high:][::-1], values[low:high][::-1]
    else:
        inside, unsure = values[:low], values[low:high]
    parse = decimal_of
    total = sum([parse(amount) for _price, amount in inside], ZERO)
    for price, amount in unsure:
        if (Decimal(price) < edge) if is_bid else (Decimal(price) > edge):
            break  # beyond the edge, and so is every level after it
        total += parse(amount)
    return total


def micro_price(book: OrderBook, places: int | None = None) -> Decimal | None:
    """Size-weighted mid of the touch, (bid * ask_size + ask * bid_size) / (bid_size +
    ask_size), rounded half-even to `places` (default: price decimals + 2). None when a side
    is empty. It leans towards the side with less size: the price likelier to trade next."""
    bid, ask = book.best_bid(), book.best_ask()
    if bid is None or ask is None:
        return None
    bid_price, bid_size = Decimal(bid[0]), Decimal(bid[1])
    ask_price, ask_size = Decimal(ask[0]), Decimal(ask[1])
    if places is None:
        places = book.price_decimals + MICRO_EXTRA_PLACES
    return divide_rounded(bid_price * ask_size + ask_price * bid_size, bid_size + ask_size,
                          places)


def large_levels(sizes: Sequence[Decimal], absolute: Decimal | None = None,
                 factor: float | None = DEFAULT_LARGE_FACTOR) -> list[bool]:
    """Flag each size that is at least `absolute` (per market) or `factor` x the median size.

    `sizes` are the visible levels (either side, or both); the median is theirs. Either rule
    may be None (off). Exact comparisons: a size equal to the threshold is flagged.
    """
    threshold = absolute
    if factor is not None and sizes:
        relative = median(sizes) * Decimal(repr(float(factor)))
        threshold = relative if threshold is None else min(threshold, relative)
    if threshold is None:
        return [False] * len(sizes)
    return [size >= threshold for size in sizes]
