"""The trade tape of one market: bounded, newest first, de-duplicated on trade id."""

from __future__ import annotations

from bisect import bisect_right, insort_left
from collections import deque
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import NamedTuple

from dfx_tui.book.levels import MAX_TEXT, MAX_VALUE, MIN_VALUE, plain_pair

MAX_TIME = 1e11  # Unix seconds (year 5138); datetime cannot show much past year 9999
BUY = "buy"
SELL = "sell"


class Trade(NamedTuple):
    id: int
    time: float  # exchange time, Unix seconds (integer-valued times occur too)
    price: str  # exact wire text
    amount: str
    side: str  # taker side: "buy" or "sell"
    price_value: float
    amount_value: float

    @classmethod
    def from_wire(cls, raw: object) -> Trade:
        """Validate one wire trade dict; raise ValueError on anything malformed."""
        if type(raw) is not dict:
            raise ValueError(f"a trade must be an object, got {type(raw).__name__}")
        try:
            tid, when, price, amount, side = (raw["id"], raw["time"], raw["price"],
                                              raw["amount"], raw["type"])
        except KeyError as exc:
            raise ValueError(f"trade lacks field {exc.args[0]!r}") from None
        if type(tid) is not int or tid < 0:
            raise ValueError("trade id must be a non-negative integer")
        # Unix seconds; a huge int would overflow float(), and a time past MAX_TIME (or in
        # milliseconds) cannot be shown as a date at all.
        if type(when) not in (int, float) or not 0 <= when < MAX_TIME:
            raise ValueError("trade time must be Unix seconds")
        if (type(price) is not str or type(amount) is not str or len(price) > MAX_TEXT
                or len(amount) > MAX_TEXT):
            raise ValueError("trade price and amount must be decimal strings")
        if not plain_pair(price, amount):
            raise ValueError("trade price and amount must be plain decimal strings")
        if side not in (BUY, SELL):
            raise ValueError("trade type must be 'buy' or 'sell'")
        try:
            p, a = float(price), float(amount)
        except ValueError:
            raise ValueError("trade price or amount is not a number") from None
        if not (MIN_VALUE <= p < MAX_VALUE and MIN_VALUE <= a < MAX_VALUE):
            raise ValueError("trade price and amount must be positive numbers in range")
        return cls(tid, float(when), price, amount, side, p, a)


class TradeTape:
    """Recent trades, newest first. A clean batch replaces the tape; later batches add."""

    __slots__ = ("market", "maxlen", "_trades", "_ids", "_sizes", "version")

    def __init__(self, market: str = "", maxlen: int = 500) -> None:
        self.market = market
        self.maxlen = maxlen
        self._trades: deque[Trade] = deque()
        self._ids: set[int] = set()
        # Every print's size, ascending; equal sizes in tape order (newest first), as a stable
        # sort of the tape would leave them, so the oldest print's is the last of its equals.
        # Kept as prints come and go for `median_size` (the automatic large-trade tiers, asked
        # at every repaint of a changed tape): sorting the tape's sizes each time cost 135 us
        # of a ~550 us tape build (bench_paint, 1 step a paint).
        self._sizes: list[Decimal] = []
        self.version = 0

    def __len__(self) -> int:
        return len(self._trades)

    def __iter__(self) -> Iterator[Trade]:
        return iter(self._trades)

    def newest(self, n: int | None = None) -> list[Trade]:
        if n is None:
            return list(self._trades)
        out: list[Trade] = []
        for trade in self._trades:
            if len(out) >= n:
                break
            out.append(trade)
        return out

    def apply(self, clean: bool, trades: Iterable[Trade]) -> int:
        """Apply a batch given newest first (wire order). Returns how many trades were added."""
        if clean:
            self._trades.clear()
            self._ids.clear()
            self._sizes.clear()
        added = 0
        out_of_order = False
        head = self._trades[0] if self._trades else None
        # Oldest first, so the newest ends on top.
        for trade in reversed(list(trades)):
            if trade.id in self._ids:
                continue
            if head is not None and (trade.time, trade.id) < (head.time, head.id):
                out_of_order = True
            self._trades.appendleft(trade)
            self._ids.add(trade.id)
            insort_left(self._sizes, Decimal(trade.amount))  # the newest: first of its equals
            head = trade if not out_of_order else head
            added += 1
        if out_of_order:
            # Rare: restore newest-first order by exchange time, then id.
            ordered = sorted(self._trades, key=lambda t: (t.time, t.id), reverse=True)
            self._trades = deque(ordered)
            self._sizes = sorted(Decimal(t.amount) for t in ordered)
        sizes = self._sizes
        while len(self._trades) > self.maxlen:
            oldest = self._trades.pop()
            self._ids.discard(oldest.id)
            del sizes[bisect_right(sizes, Decimal(oldest.amount)) - 1]
        if added or clean:
            self.version += 1
        return added

    def clear(self) -> None:
        self._trades.clear()
        self._ids.clear()
        self._sizes.clear()
        self.version += 1

    # ----------------------------------------------------------------- reading
    def last(self) -> Trade | None:
        return self._trades[0] if self._trades else None

    def median_size(self) -> Decimal | None:
        """The median print size, as book/numbers.median of the sizes in tape order gives it
        (the same Decimal, not only an equal one); None while the tape is empty."""
        sizes, n = self._sizes, len(self._sizes)
        if n == 0:
            return None
        if n % 2:
            return sizes[n // 2]
        return (sizes[n // 2 - 1] + sizes[n // 2]) / 2

    def last_direction(self) -> int:
        """+1 if the last trade printed above the previous distinct price, -1 below, 0 flat."""
        if not self._trades:
            return 0
        last = self._trades[0].price_value
        for trade in self._trades:
            if trade.price_value != last:
                return 1 if last > trade.price_value else -1
        return 0

    def rolling_volume(self, window: float, now: float | None = None) -> tuple[float, float]:
        """(buy, sell) base volume of trades within `window` seconds of `now`.

        `now` defaults to the newest trade's exchange time, so the figure does not depend on
        the local clock or on the clock offset to the exchange.
        """
        if not self._trades:
            return 0.0, 0.0
        if now is None:
            now = self._trades[0].time
        cutoff = now - window
        buy = sell = 0.0
        for trade in self._trades:
            if trade.time < cutoff:
                break
            if trade.side == BUY:
                buy += trade.amount_value
            else:
                sell += trade.amount_value
        return buy, sell
