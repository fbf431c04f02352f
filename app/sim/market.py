"""The simulator's market model: one order book and trade tape per market.

Pure and deterministic: every random choice comes from one ``random.Random`` per market,
seeded from ``(seed, market)``, so the same seed gives the same sequence of states. Prices
and amounts are integers (ticks and amount units) so nothing drifts through floats; they
become fixed-precision decimal strings only on the way out.
"""

from __future__ import annotations

import math
import random
import zlib
from collections import deque
from typing import Any, NamedTuple

from sortedcontainers import SortedDict


class MarketSpec(NamedTuple):  # not a frozen dataclass: ~0.9 ms of every demo start
    """How a market looks: price scale, precision, typical size, level spacing."""

    name: str
    price: float  # starting mid, in quote units
    price_dp: int  # decimals of a price (the tick is 10**-price_dp)
    amount_dp: int  # decimals of an amount
    size: float  # typical amount of one level, in base units
    gap: int  # mean distance between neighbouring levels, in ticks
    vol: float = 5e-5  # volatility of the mid per sqrt(second), as a fraction of price


CATALOG: dict[str, MarketSpec] = {
    s.name: s
    for s in (
        MarketSpec("BTC_USDT", 65000.00, 2, 4, 0.35, 40),
        MarketSpec("ETH_USDT", 3200.00, 2, 4, 4.0, 6),
        MarketSpec("SOL_USDT", 150.00, 3, 3, 40.0, 12),
        MarketSpec("EOS_USDT", 0.7000, 4, 2, 900.0, 2),
        MarketSpec("XRP_USDT", 0.52340, 5, 1, 5000.0, 3),
        MarketSpec("DOGE_USDT", 0.154321, 6, 1, 20000.0, 8),
        MarketSpec("DFT_USDT", 0.0123456, 7, 2, 90000.0, 15),
        MarketSpec("SHIB_USDT", 0.00002345, 8, 0, 80_000_000.0, 1),
        MarketSpec("PEPE_USDT", 0.0000123456, 10, 0, 300_000_000.0, 5),
    )
}


def spec_for(name: str) -> MarketSpec:
    """The catalogue entry, or a stable made-up spec for a name not in it."""
    name = name.upper()
    if name in CATALOG:
        return CATALOG[name]
    h = zlib.crc32(name.encode())
    price_dp = 2 + h % 7  # 2..8 decimals
    price = round((1 + (h >> 8) % 9000) * 10.0 ** (2 - price_dp), price_dp)
    amount_dp = max(0, 6 - price_dp // 2)
    return MarketSpec(name, price, price_dp, amount_dp, size=50.0 * 10 ** (price_dp - 2), gap=4)


def fmt_units(units: int, dp: int) -> str:
    """Integer units of 10**-dp as a fixed-precision decimal string."""
    if dp == 0:
        return str(units)
    q, r = divmod(units, 10**dp)
    return f"{q}.{r:0{dp}d}"


class Delta:  # a plain class, not a dataclass: ~0.5 ms of every demo start to define
    """What one model step changed: absolute new amounts (0 = deleted) and new trades."""

    __slots__ = ("asks", "bids", "trades")

    def __init__(self) -> None:
        self.asks: dict[int, int] = {}
        self.bids: dict[int, int] = {}
        self.trades: list[dict[str, Any]] = []  # newest first


class MarketModel:
    """A book that moves: a random-walk fair price, levels that appear, change and vanish,
    and trades at the touch that consume liquidity. The book is never crossed.

    ``bids``/``asks`` are ``SortedDict`` tick -> amount units (ascending by price), and they
    are exactly what a client holds after applying the snapshot and every delta since.
    """

    def __init__(
        self,
        spec: MarketSpec,
        seed: int | str = 0,
        *,
        levels: int = 50,
        rate: float = 20.0,
        trade_rate: float = 2.0,
        now: float = 0.0,
        history: int = 50,
    ) -> None:
        self.spec = spec
        self.name = spec.name
        self.rng = random.Random(f"{seed}:{spec.name}")
        self.levels = max(3, levels)
        self.bids: SortedDict = SortedDict()
        self.asks: SortedDict = SortedDict()
        self.trades_recent: deque[dict[str, Any]] = deque(maxlen=history)
        self.steps = 0
        self._pdiv = 10**spec.price_dp
        self._adiv = 10**spec.amount_dp
        self.fair = spec.price * self._pdiv  # in ticks, a float
        self.set_rate(rate, trade_rate)
        self._build_book()
        self._next_trade_id = 3_000_000_000 + self.rng.randrange(10_000_000)
        self._build_history(now)

    # ----- configuration -------------------------------------------------------------
    def set_rate(self, rate: float, trade_rate: float) -> None:
        """Steps per second and trades per second; sets the per-step volatility and the
        chance that a step is a trade (so the state sequence depends only on the seed)."""
        rate = max(rate, 1e-3)
        self._sigma = self.spec.vol * self.fair / math.sqrt(rate)
        self._p_trade = min(1.0, max(0.0, trade_rate / rate))

    # ----- formatting ----------------------------------------------------------------
    def price_str(self, tick: int) -> str:
        return fmt_units(tick, self.spec.price_dp)

    def zero_str(self, tick: int) -> str:
        if self.spec.amount_dp and tick % 5 == 0:
            return "0." + "0" * self.spec.amount_dp
        return "0"

    def side_wire(self, changes: dict[int, int]) -> list[list[str]]:
        return [
            [self.price_str(t), self.zero_str(t) if a == 0 else fmt_units(a, self.spec.amount_dp)]
            for t, a in changes.items()
        ]

    def snapshot_wire(self) -> dict[str, list[list[str]]]:
        """The full book as the live server sends it: both sides sorted descending."""
        adp = self.spec.amount_dp
        return {
            "asks": [
                [self.price_str(t), fmt_units(a, adp)] for t, a in reversed(self.asks.items())
            ],
            "bids": [
                [self.price_str(t), fmt_units(a, adp)] for t, a in reversed(self.bids.items())
            ],
        }

    def truth(self) -> dict[str, list[list[str]]]:
        """The book best first on both sides, as strings."""
        adp = self.spec.amount_dp
        return {
            "bids": [
                [self.price_str(t), fmt_units(a, adp)] for t, a in reversed(self.bids.items())
            ],
            "asks": [[self.price_str(t), fmt_units(a, adp)] for t, a in self.asks.items()],
        }

    def best_bid(self) -> int | None:
        return self.bids.keys()[-1] if self.bids else None

    def best_ask(self) -> int | None:
        return self.asks.keys()[0] if self.asks else None

    # ----- construction --------------------------------------------------------------
    def _amount(self) -> int:
        return max(1, int(self.spec.size * self.rng.lognormvariate(0.0, 0.9) * self._adiv))

    def _build_book(self) -> None:
        # Each side in a plain dict, then into its SortedDict at once: the same book as level
        # by level (a demo start builds 9 markets: 6.6 -> 5.75 ms of CPU with the history's
        # touch read once).
        rng, gap = self.rng, self.spec.gap
        mid = int(self.fair)
        half = max(1, gap // 2)
        bids: dict[int, int] = {}
        asks: dict[int, int] = {}
        p = mid - half
        for _ in range(self.levels):
            if p < 1:
                break
            bids[p] = self._amount()
            p -= max(1, int(rng.expovariate(1.0 / gap)) + 1)
        p = mid + half
        for _ in range(self.levels):
            asks[p] = self._amount()
            p += max(1, int(rng.expovariate(1.0 / gap)) + 1)
        self.bids.update(bids)
        self.asks.update(asks)

    def _build_history(self, now: float) -> None:
        t = now - 1.0
        hist = []
        best_ask, best_bid = self.best_ask(), self.best_bid()  # the history leaves the book
        for _ in range(self.trades_recent.maxlen or 0):
            side = "buy" if self.rng.random() < 0.5 else "sell"
            touch = best_ask if side == "buy" else best_bid
            tick = touch if touch is not None else int(self.fair)
            tick += self.rng.randint(-2, 2) * self.spec.gap
            hist.append((t, side, max(1, tick), max(1, self._amount() // 4)))
            t -= self.rng.expovariate(0.5)
        for t_, side, tick, units in reversed(hist):  # oldest first, so ids increase
            self.trades_recent.appendleft(self._trade(t_, side, tick, units))

    def _trade(self, now: float, side: str, tick: int, units: int) -> dict[str, Any]:
        self._next_trade_id += 1 + self.rng.randrange(3)
        return {
            "id": self._next_trade_id,
            "time": round(now, 6),
            "price": self.price_str(tick),
            "amount": fmt_units(units, self.spec.amount_dp),
            "type": side,
        }

    # ----- motion --------------------------------------------------------------------
    def step(self, now: float = 0.0) -> Delta:
        """Advance one step; return the changes (one depth message, maybe some trades)."""
        rng = self.rng
        d = Delta()
        self.steps += 1
        if rng.random() < self._p_trade:
            self._trade_step(d, now)  # at the touch as it stands before this step's moves
        self.fair = max(1.0, self.fair + rng.gauss(0.0, self._sigma))
        self._follow_fair(d)
        for _ in range(1 + int(rng.expovariate(1.2))):
            r = rng.random()
            if r < 0.45:
                self._add(d, rng.random() < 0.5)
            elif r < 0.8:
                self._modify(d, rng.random() < 0.5)
            else:
                self._delete(d, rng.random() < 0.5)
        self._keep_size(d)
        return d

    def _set(self, d: Delta, is_bid: bool, tick: int, units: int) -> None:
        book, ch = (self.bids, d.bids) if is_bid else (self.asks, d.asks)
        if units > 0:
            book[tick] = units
        else:
            book.pop(tick, None)
        ch[tick] = units

    def _follow_fair(self, d: Delta) -> None:
        """Quotes on the wrong side of the fair price are cancelled (never all of a side)."""
        fair = self.fair
        while len(self.asks) > 1 and self.asks.keys()[0] < fair:
            self._set(d, False, self.asks.keys()[0], 0)
        while len(self.bids) > 1 and self.bids.keys()[-1] > fair:
            self._set(d, True, self.bids.keys()[-1], 0)

    def _add(self, d: Delta, is_bid: bool) -> None:
        rng = self.rng
        band = self.spec.gap * self.levels
        dist = max(1, int(band * rng.random() ** 1.6))
        if is_bid:
            tick = math.floor(self.fair) - dist + 1
            ask = self.best_ask()
            if ask is not None and tick >= ask:
                tick = ask - 1
            if tick < 1:
                return
        else:
            tick = math.ceil(self.fair) + dist - 1
            bid = self.best_bid()
            if bid is not None and tick <= bid:
                tick = bid + 1
        self._set(d, is_bid, tick, self._amount())

    def _pick(self, is_bid: bool) -> int | None:
        """A level, more often near the touch."""
        book = self.bids if is_bid else self.asks
        n = len(book)
        if not n:
            return None
        i = min(n - 1, int(n * self.rng.random() ** 2))
        tick: int = book.keys()[n - 1 - i] if is_bid else book.keys()[i]
        return tick

    def _modify(self, d: Delta, is_bid: bool) -> None:
        tick = self._pick(is_bid)
        if tick is not None:
            self._set(d, is_bid, tick, self._amount())

    def _delete(self, d: Delta, is_bid: bool) -> None:
        book = self.bids if is_bid else self.asks
        if len(book) <= max(2, self.levels // 4):
            return
        tick = book.keys()[self.rng.randrange(len(book))]  # anywhere, far from the touch too
        self._set(d, is_bid, tick, 0)

    def _keep_size(self, d: Delta) -> None:
        hi = self.levels + max(2, self.levels // 10)
        while len(self.bids) > hi:
            self._set(d, True, self.bids.keys()[0], 0)
        while len(self.asks) > hi:
            self._set(d, False, self.asks.keys()[-1], 0)
        lo = self.levels - max(2, self.levels // 10)
        for is_bid in (True, False):
            tries = 0
            while len(self.bids if is_bid else self.asks) < lo and tries < 4:
                self._add(d, is_bid)
                tries += 1

    def _trade_step(self, d: Delta, now: float) -> None:
        """A taker hits the touch: consume the best level (maybe sweep to the next)."""
        rng = self.rng
        is_buy = rng.random() < 0.5
        book = self.asks if is_buy else self.bids
        fills = []
        while len(book) > 1:
            tick = book.keys()[0] if is_buy else book.keys()[-1]
            have = book[tick]
            full = rng.random() < 0.3
            take = have if full else max(1, int(have * rng.uniform(0.02, 0.8)))
            take = min(take, have)
            self._set(d, not is_buy, tick, have - take)
            fills.append((tick, take))
            if not full or rng.random() >= 0.3:
                break
        for tick, take in fills:  # executed in this order; the tape is newest first
            tr = self._trade(now, "buy" if is_buy else "sell", tick, take)
            self.trades_recent.appendleft(tr)
            d.trades.insert(0, tr)
