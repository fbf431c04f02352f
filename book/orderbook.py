"""The local order book of one market.

Each side is a `SortedDict` keyed by the float price, holding the exact wire text
`(price, amount)`. Bids are read from the high end, asks from the low end. Wire order is never
trusted: the live server sends both snapshot sides descending.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import NamedTuple

from sortedcontainers import SortedDict

from dfx_tui.book.levels import Level, parse_levels
from dfx_tui.book.numbers import ZERO, decimals_of, fmt_fixed

BIDS = "bids"
ASKS = "asks"


class LadderRow(NamedTuple):
    """One displayed level (or group of levels) with cumulative figures from the touch."""

    price: str  # exact decimal text, padded to the market precision
    size: str
    cum_size: str
    size_value: float  # for bars and highlighting only, never shown
    cum_size_value: float
    price_exact: Decimal  # `price` and `size` as numbers
    size_exact: Decimal


FIGURE_CACHE = 4096  # texts kept by `OrderBook._figure`; cleared when full


def _first_key(side: SortedDict) -> float:
    """The lowest key of a non-empty side: `SortedDict.peekitem(0)[0]` without its two
    Python calls and the value's lookup (its sorted key list is a list of sorted lists)."""
    key: float = side._list._lists[0][0]
    return key


def _last_key(side: SortedDict) -> float:
    key: float = side._list._lists[-1][-1]
    return key


class OrderBook:
    """Bids and asks of one market. Not thread-safe; lives on the app's event loop."""

    __slots__ = ("market", "_bids", "_asks", "version", "price_decimals", "size_decimals",
                 "has_snapshot", "_figures")

    def __init__(self, market: str = "") -> None:
        self.market = market
        self._bids: SortedDict = SortedDict()
        self._asks: SortedDict = SortedDict()
        self.version = 0  # bumped by every applied event, so the UI repaints only on change
        self.price_decimals = 0
        self.size_decimals = 0
        self.has_snapshot = False
        # (wire text, places) -> (value, shown text) for the ladder (see `_figure`)
        self._figures: dict[tuple[str, int], tuple[Decimal, str]] = {}

    # ----------------------------------------------------------------- writing
    def apply_snapshot(self, asks: Sequence[Sequence[str]], bids: Sequence[Sequence[str]]) -> None:
        """Replace the whole book with a clean snapshot given as wire [price, amount] pairs."""
        self.apply_snapshot_levels(parse_levels(asks), parse_levels(bids))

    def apply_update(self, asks: Sequence[Sequence[str]] | None,
                     bids: Sequence[Sequence[str]] | None) -> None:
        """Patch the book with absolute amounts; a missing side (None) means no change."""
        self.apply_delta_levels(None if asks is None else parse_levels(asks),
                                None if bids is None else parse_levels(bids))

    # The two below take already-validated levels (see `levels.parse_levels`): the hot path.
    def apply_snapshot_levels(self, asks: list[Level] | None, bids: list[Level] | None) -> None:
        """Replace the whole book; a missing side (None) is an empty side."""
        self._asks = SortedDict({k: v for k, v in asks or () if v is not None})
        self._bids = SortedDict({k: v for k, v in bids or () if v is not None})
        self.has_snapshot = True
        self._learn_precision()
        self.version += 1

    def apply_delta_levels(self, asks: list[Level] | None, bids: list[Level] | None) -> None:
        """Set absolute amounts (a None amount deletes); a missing side (None) is no change."""
        if asks:
            _set_levels(self._asks, asks)
        if bids:
            _set_levels(self._bids, bids)
        self.version += 1

    def apply_delta_checked(self, asks: list[Level] | None, bids: list[Level] | None,
                            limit: int) -> bool:
        """`apply_delta_levels`, then True when the book is crossed or locked, or holds more
        than `limit` levels: the feed's two checks after every delta, in one call. For a
        book that was neither before: a delta that only deletes can make it neither, so
        then nothing is looked at. A delta of the bench streams with its checks, best of 25:
        2.95 us as `apply_delta_levels` + `is_crossed` + `len`, 2.2 us this way."""
        grew_asks = _set_levels(self._asks, asks) if asks else False
        grew_bids = _set_levels(self._bids, bids) if bids else False
        self.version += 1
        if not (grew_asks or grew_bids):
            return False
        bid_keys, ask_keys = self._bids, self._asks
        if bid_keys and ask_keys and _last_key(bid_keys) >= _first_key(ask_keys):
            return True
        return len(bid_keys) + len(ask_keys) > limit

    def clear(self) -> None:
        self._bids = SortedDict()
        self._asks = SortedDict()
        self.has_snapshot = False
        self.version += 1

    def _learn_precision(self) -> None:
        # Precision is inferred from what the exchange sends: the most decimals seen, sticky.
        for side in (self._bids, self._asks):
            for price, amount in side.values():
                p, a = decimals_of(price), decimals_of(amount)
                if p > self.price_decimals:
                    self.price_decimals = p
                if a > self.size_decimals:
                    self.size_decimals = a

    def learn_from(self, texts: Iterable[tuple[str, str]]) -> None:
        """Widen the inferred precision from levels about to be shown (called per repaint)."""
        for price, amount in texts:
            p, a = decimals_of(price), decimals_of(amount)
            if p > self.price_decimals:
                self.price_decimals = p
            if a > self.size_decimals:
                self.size_decimals = a

    # ----------------------------------------------------------------- reading
    def __len__(self) -> int:
        return len(self._bids) + len(self._asks)

    @property
    def bid_count(self) -> int:
        return len(self._bids)

    @property
    def ask_count(self) -> int:
        return len(self._asks)

    def best_bid(self) -> tuple[str, str] | None:
        return self._bids.peekitem(-1)[1] if self._bids else None

    def best_ask(self) -> tuple[str, str] | None:
        return self._asks.peekitem(0)[1] if self._asks else None

    def best_bid_value(self) -> float | None:
        return self._bids.peekitem(-1)[0] if self._bids else None

    def best_ask_value(self) -> float | None:
        return self._asks.peekitem(0)[0] if self._asks else None

    def side_levels(self, side: str) -> SortedDict:
        """One side itself, read only: float price -> (price text, amount text), ascending.
        For readers that bisect or slice it by price (the imbalance near mid, the liquidity
        samples) instead of copying levels out with `bids(n)` / `asks(n)`."""
        return self._bids if side == BIDS else self._asks

    def bids(self, n: int | None = None) -> list[tuple[str, str]]:
        """Bid levels (price, amount) as received, best (highest) first."""
        side = self._bids
        return [side[k] for k in side.islice(0 if n is None else max(0, len(side) - n),
                                             None, reverse=True)]

    def asks(self, n: int | None = None) -> list[tuple[str, str]]:
        """Ask levels (price, amount) as received, best (lowest) first."""
        side = self._asks
        return [side[k] for k in side.islice(0, n)]

    def as_dict(self) -> dict[str, list[list[str]]]:
        return {BIDS: [list(lv) for lv in self.bids()], ASKS: [list(lv) for lv in self.asks()]}

    def is_crossed(self) -> bool:
        """True when the book is crossed or locked (best bid >= best ask)."""
        if not self._bids or not self._asks:
            return False
        crossed: bool = self._bids.peekitem(-1)[0] >= self._asks.peekitem(0)[0]
        return crossed

    def spread(self) -> Decimal | None:
        bid, ask = self.best_bid(), self.best_ask()
        if bid is None or ask is None:
            return None
        return Decimal(ask[0]) - Decimal(bid[0])

    def mid(self) -> Decimal | None:
        bid, ask = self.best_bid(), self.best_ask()
        if bid is None or ask is None:
            return None
        return (Decimal(ask[0]) + Decimal(bid[0])) / 2

    def spread_bps(self) -> float | None:
        spread, mid = self.spread(), self.mid()
        if spread is None or mid is None or mid <= 0:
            return None
        return float(spread / mid * 10_000)

    def spread_text(self) -> str | None:
        spread = self.spread()
        return None if spread is None else fmt_fixed(spread, self.price_decimals)

    def mid_text(self) -> str | None:
        mid = self.mid()
        return None if mid is None else fmt_fixed(mid, self.price_decimals + 1)

    # ----------------------------------------------------------------- ladder
    def ladder(self, side: str, n: int, group: int = 1) -> list[LadderRow]:
        """Top `n` rows of a side, best first, with cumulative size and quote notional.

        `group` is a multiple of the market tick: bids round down, asks round up, sizes add.
        """
        if n <= 0:
            return []
        is_bid = side == BIDS
        book_side = self._bids if is_bid else self._asks
        pd, sd = self.price_decimals, self.size_decimals
        if group <= 1:
            raw = self.bids(n) if is_bid else self.asks(n)
            self.learn_from(raw)
            return self.ladder_rows(raw, [], ZERO)
        pairs = [((price, fmt_fixed(price, pd)), (size, fmt_fixed(size, sd)))
                 for price, size in self._grouped(book_side, is_bid, n, group)]
        return _cumulative(pairs, ZERO, sd, [])

    def ladder_rows(self, raw: Sequence[tuple[str, str]], rows: list[LadderRow],
                    cum_size: Decimal, cums: list[Decimal] | None = None) -> list[LadderRow]:
        """Rows of the levels `raw` (wire texts, best first, precision already learnt) after
        `rows`, whose cumulative size is `cum_size`; each row's cumulative size is appended
        to `cums` when given (book/side_rows.py resumes from them)."""
        pd, sd, figure = self.price_decimals, self.size_decimals, self._figure
        pairs = [(figure(p, pd), figure(a, sd)) for p, a in raw]
        return _cumulative(pairs, cum_size, sd, rows, cums)

    def _figure(self, text: str, decimals: int) -> tuple[Decimal, str]:
        """A level's wire text as a number and as shown with `decimals` places, cached:
        most levels are the same from one repaint to the next (bench_paint, one delta a
        paint: the ladder's rows were parsed and formatted again each time, ~20% of it)."""
        key = (text, decimals)
        found = self._figures.get(key)
        if found is None:
            if len(self._figures) >= FIGURE_CACHE:
                self._figures.clear()
            value = Decimal(text)
            found = self._figures[key] = (value, fmt_fixed(value, decimals))
        return found

    def _grouped(self, side: SortedDict, is_bid: bool, n: int,
                 group: int) -> list[tuple[Decimal, Decimal]]:
        scale = self.price_decimals
        keys = side.islice(reverse=is_bid)
        out: list[tuple[Decimal, Decimal]] = []
        bucket = None
        total = ZERO
        for key in keys:
            price, amount = side[key]
            self.learn_from(((price, amount),))
            ticks = int(Decimal(price).scaleb(self.price_decimals))
            b = ticks // group * group if is_bid else -((-ticks) // group) * group
            if b != bucket:
                if bucket is not None:
                    out.append((Decimal(bucket).scaleb(-scale), total))
                    if len(out) >= n:
                        return out
                bucket, total = b, ZERO
            total += Decimal(amount)
        if bucket is not None and len(out) < n:
            out.append((Decimal(bucket).scaleb(-scale), total))
        return out

    def total_size(self, side: str) -> Decimal:
        book_side = self._bids if side == BIDS else self._asks
        return sum((Decimal(a) for _p, a in book_side.values()), ZERO)


def _cumulative(pairs: list[tuple[tuple[Decimal, str], tuple[Decimal, str]]],
                cum_size: Decimal, sd: int, rows: list[LadderRow],
                cums: list[Decimal] | None = None) -> list[LadderRow]:
    # Every size has at most `sd` places (the precision is learnt from them first), so their
    # sum is exact at `sd` places: formatted directly, not through `fmt_fixed`.
    places = f".{sd}f"
    for (price, price_text), (size, size_text) in pairs:
        cum_size += size
        rows.append(LadderRow(price_text, size_text, format(cum_size, places), float(size),
                              float(cum_size), price, size))
        if cums is not None:
            cums.append(cum_size)
    return rows


def _set_levels(side: SortedDict, levels: list[Level]) -> bool:
    """Set absolute amounts into one side of a book (a None amount deletes); True when any
    level was set rather than deleted."""
    grew = False
    for key, value in levels:
        if value is None:
            side.pop(key, None)
        else:
            side[key] = value
            grew = True
    return grew
