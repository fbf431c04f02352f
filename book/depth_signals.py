"""Signals read off the resting book: imbalance near mid, micro-price, large resting orders.

Sizes and prices stay exact (Decimal); only the imbalance ratio, a bar/colour figure, is a
float, taken from the exact quotient so it lies in [-1, 1] exactly.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import NamedTuple

from dfx_tui.book.numbers import median
from dfx_tui.book.orderbook import ASKS, BIDS, OrderBook
from dfx_tui.book.price_grid import ZERO, divide_rounded, levels_to

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
    bid_size = sum((a for _p, a in levels_to(book, BIDS, mid - reach)), ZERO)
    ask_size = sum((a for _p, a in levels_to(book, ASKS, mid + reach)), ZERO)
    total = bid_size + ask_size
    ratio = 0.0 if total == 0 else float((bid_size - ask_size) / total)
    return Imbalance(bid_size, ask_size, ratio, bps)


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
