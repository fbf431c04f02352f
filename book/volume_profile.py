"""Volume at price: buy and sell volume traded at each price over a sliding time window.

Fed trade by trade. Totals per exact price are kept incrementally (Decimal, so expiry brings
them back to exactly zero and the price is dropped); trades wait in a time-ordered deque and
are subtracted when they fall out of the window: O(1) amortised per trade. Grouping is done
on read, so a grouping or precision change needs no reset. The window's "now" is the newest
trade's exchange time (like `TradeTape.rolling_volume`), or an explicit `expire(now)`.

Memory is bounded by `max_trades`: past it, the oldest trades leave early and
`covers_window` turns false until the window has moved beyond them.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Iterable
from decimal import Decimal
from typing import NamedTuple

from dfx_tui.book.price_grid import ZERO, grid_index, grid_price
from dfx_tui.book.tape import BUY, Trade

DEFAULT_WINDOW = 300.0
# About 430 bytes a trade (measured by bench_analytics: the Trade kept alive, its id in a set,
# a deque slot): 30 000 trades is ~13 MB, a sustained 100 trades/s over the default window.
DEFAULT_MAX_TRADES = 30_000


class PriceVolume(NamedTuple):
    price: Decimal  # exact price, or the grid bucket's price when grouped
    buy: Decimal  # taker-buy base volume
    sell: Decimal

    @property
    def total(self) -> Decimal:
        return self.buy + self.sell


class VolumeAtPrice:
    """Buy and sell volume per price of the trades within `window` seconds of now."""

    __slots__ = ("window", "max_trades", "now", "_trades", "_ids", "_totals", "_evicted_time",
                 "_buy", "_sell")

    def __init__(self, window: float = DEFAULT_WINDOW,
                 max_trades: int = DEFAULT_MAX_TRADES) -> None:
        if window <= 0 or max_trades <= 0:
            raise ValueError("window and max_trades must be positive")
        self.window = window
        self.max_trades = max_trades
        self.now: float | None = None  # the window is [now - window, now]
        self._trades: deque[Trade] = deque()  # oldest first, ordered by (time, id)
        self._ids: set[int] = set()
        self._totals: dict[Decimal, list[Decimal]] = {}  # price -> [buy, sell]
        self._evicted_time: float | None = None  # newest trade dropped for memory, not age
        self._buy = ZERO
        self._sell = ZERO

    def __len__(self) -> int:
        return len(self._trades)

    def clear(self) -> None:
        self.now = None
        self._trades.clear()
        self._ids.clear()
        self._totals.clear()
        self._evicted_time = None
        self._buy = self._sell = ZERO

    def add(self, trade: Trade) -> bool:
        """Count one trade; False for a trade id already counted or one older than the window.

        Clean tape batches resend recent trades, so ids are remembered while in the window.
        """
        if trade.id in self._ids:
            return False
        now = self.now
        if now is not None and trade.time < now - self.window:
            return False
        trades = self._trades
        if not trades or trades[-1].time <= trade.time:
            trades.append(trade)
        else:  # out of order (rare): insert from the newest end, usually a step or two
            i = len(trades)
            while i > 0 and trades[i - 1].time > trade.time:
                i -= 1
            trades.insert(i, trade)
        self._ids.add(trade.id)
        self._count(trade, 1)
        if now is None or trade.time > now:
            self.expire(trade.time)
        while len(trades) > self.max_trades:
            old = trades.popleft()
            self._evicted_time = old.time
            self._forget(old)
        return True

    def add_many(self, trades: Iterable[Trade]) -> int:
        """Count a batch (any order); returns how many were new."""
        return sum(self.add(t) for t in sorted(trades, key=lambda t: (t.time, t.id)))

    def expire(self, now: float) -> None:
        """Move the window's end to `now` (never backwards) and drop what fell out."""
        if self.now is not None and now <= self.now:
            return
        self.now = now
        cutoff = now - self.window
        trades = self._trades
        while trades and trades[0].time < cutoff:
            self._forget(trades.popleft())

    def next_expiry(self) -> float | None:
        """The first whole second (on the trades' clock) at which `expire` drops a trade;
        None when none is held. Whole seconds: trades leaving within one second leave
        together, so an idle app wakes at most once a second for them."""
        trades = self._trades
        return None if not trades else math.floor(trades[0].time + self.window) + 1.0

    @property
    def covers_window(self) -> bool:
        """False while trades inside the window were dropped to bound memory."""
        return (self._evicted_time is None or self.now is None
                or self._evicted_time < self.now - self.window)

    def totals(self) -> tuple[Decimal, Decimal]:
        """(buy, sell) base volume over the whole window."""
        return self._buy, self._sell

    def levels(self, decimals: int | None = None, group: int = 1) -> list[PriceVolume]:
        """Volume per price, highest price first; grouped onto the grid of `group` ticks of
        `decimals` places when `decimals` is given (buys round up, sells round down, so each
        trade lands on the ladder row of the side it consumed)."""
        if decimals is None:
            rows = [PriceVolume(p, b, s) for p, (b, s) in self._totals.items()]
            rows.sort(key=lambda r: r.price, reverse=True)
            return rows
        grouped: dict[int, list[Decimal]] = {}  # grid index -> [buy, sell]
        for price, (buy, sell) in self._totals.items():
            if buy:
                index = grid_index(price, decimals, group, round_up=True)
                grouped.setdefault(index, [ZERO, ZERO])[0] += buy
            if sell:
                index = grid_index(price, decimals, group, round_up=False)
                grouped.setdefault(index, [ZERO, ZERO])[1] += sell
        return [PriceVolume(grid_price(i, decimals, group), b, s)
                for i, (b, s) in sorted(grouped.items(), reverse=True)]

    def _count(self, trade: Trade, sign: int) -> None:
        price = Decimal(trade.price)
        amount = Decimal(trade.amount) if sign > 0 else -Decimal(trade.amount)
        cell = self._totals.get(price)
        if cell is None:
            cell = self._totals[price] = [ZERO, ZERO]
        if trade.side == BUY:
            cell[0] += amount
            self._buy += amount
        else:
            cell[1] += amount
            self._sell += amount
        if sign < 0 and not cell[0] and not cell[1]:
            del self._totals[price]

    def _forget(self, trade: Trade) -> None:
        self._ids.discard(trade.id)
        self._count(trade, -1)
