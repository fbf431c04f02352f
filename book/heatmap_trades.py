"""Trades for the liquidity heatmap: a bounded ring sorted by time, in flat arrays.

24 bytes a trade (float64 time and price, float32 size signed by side: buys positive, sells
negative), no object per trade. Trimmed in chunks (a quarter over `maxlen`), so adding stays
amortised O(1); an out-of-order trade (exchange jitter) is inserted in place.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Iterator


class TradeRing:
    """Trades by time, bounded: parallel arrays, buys positive and sells negative size."""

    __slots__ = ("times", "prices", "sizes", "maxlen")

    def __init__(self, maxlen: int) -> None:
        self.times = array("d")
        self.prices = array("d")
        self.sizes = array("f")
        self.maxlen = maxlen

    def add(self, t: float, price: float, size: float, is_buy: bool) -> None:
        signed = size if is_buy else -size
        if not self.times or t >= self.times[-1]:
            self.times.append(t)
            self.prices.append(price)
            self.sizes.append(signed)
        else:  # out of order (exchange jitter): rare, keep the arrays sorted by time
            i = bisect_right(self.times, t)
            self.times.insert(i, t)
            self.prices.insert(i, price)
            self.sizes.insert(i, signed)
        if len(self.times) > self.maxlen + self.maxlen // 4:  # trim in chunks: amortised O(1)
            self.drop(len(self.times) - self.maxlen)

    def drop(self, n: int) -> None:
        for arr in (self.times, self.prices, self.sizes):
            del arr[:n]

    def drop_before(self, t: float) -> None:
        n = bisect_left(self.times, t)
        if n > len(self.times) // 4:  # only in chunks, so pruning stays amortised O(1)
            self.drop(n)

    def between(self, t0: float, t1: float) -> Iterator[tuple[float, float, float]]:
        """(time, price, signed size) of trades with t0 <= time < t1."""
        lo, hi = bisect_left(self.times, t0), bisect_left(self.times, t1)
        return zip(self.times[lo:hi], self.prices[lo:hi], self.sizes[lo:hi], strict=True)
