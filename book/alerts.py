"""Alerts for every open market, checked from the feed's data (hidden tabs included).

Kinds: the mid or last price crossing a level (up or down), a trade at or above a size, the
spread wider than X bps, the imbalance (bid - ask) / (bid + ask) of the size within N bps of
the mid beyond a ratio (+r: bids heavy, -r: asks heavy). Each fires once per crossing and
re-arms only once the value is back past its hysteresis band (see alert_index); a trade alert
fires for every trade at or above its size, then waits out its cool-down (0: none).

Indexed: price, spread and imbalance alerts sit in one CrossingIndex per (market, series),
so a move of the value from p0 to p1 bisects to the alerts between p0 and p1; trade alerts
are sorted by size, so a trade reads only the alerts it meets.

When: `on_trade` for every trade, oldest first (a trade is an event; none may be skipped).
`on_book` on the render clock (about 10 Hz) for every open market, not per depth update:
mid, spread and imbalance are states, a 100 ms look is enough, one look per update would
cost an imbalance sum per message (500/s a market) and make a spread that flickers for a few
milliseconds fire and re-arm over and over. A book unchanged since the last look is skipped.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sortedcontainers import SortedKeyList

from dfx_tui.book.alert_index import Crossing, CrossingIndex
from dfx_tui.book.orderbook import OrderBook
from dfx_tui.book.tape import Trade
from dfx_tui.book.text import inert_text


class AlertKind(StrEnum):
    MID = "mid"  # the mid price crosses a level
    LAST = "last"  # the last trade price crosses a level
    TRADE = "trade"  # a trade at or above a size
    SPREAD = "spread"  # the spread wider than X bps
    IMBALANCE = "imbalance"  # the imbalance within N bps of the mid beyond a ratio


# Strict series fire on "wider than" / "beyond"; price levels fire on reaching the level.
_STRICT = {AlertKind.MID: False, AlertKind.LAST: False, AlertKind.SPREAD: True,
           AlertKind.IMBALANCE: True}


@dataclass(frozen=True, slots=True)
class AlertSpec:
    """What to watch. `hysteresis`: for MID/LAST in bps of the level, SPREAD in bps,
    IMBALANCE in ratio units, TRADE seconds of cool-down. Build with the class methods."""

    market: str
    kind: AlertKind
    threshold: float  # price level, trade size, spread bps or imbalance ratio
    up: bool = True  # MID/LAST: the direction of the crossing; IMBALANCE: ratio > 0
    hysteresis: float = 0.0
    within_bps: float = 0.0  # IMBALANCE: the depth counted, in bps of the mid

    @classmethod
    def price(cls, market: str, level: float, up: bool, *, last: bool = False,
              hysteresis_bps: float = 5.0) -> AlertSpec:
        return cls(market, AlertKind.LAST if last else AlertKind.MID, level, up, hysteresis_bps)

    @classmethod
    def trade(cls, market: str, size: float, *, cooldown: float = 0.0) -> AlertSpec:
        return cls(market, AlertKind.TRADE, size, True, cooldown)

    @classmethod
    def spread(cls, market: str, bps: float, *, hysteresis_bps: float = 1.0) -> AlertSpec:
        return cls(market, AlertKind.SPREAD, bps, True, hysteresis_bps)

    @classmethod
    def imbalance(cls, market: str, ratio: float, *, within_bps: float = 10.0,
                  hysteresis: float = 0.05) -> AlertSpec:
        return cls(market, AlertKind.IMBALANCE, ratio, ratio > 0, hysteresis, within_bps)

    def band(self) -> float:
        """The hysteresis in the series' own units."""
        if self.kind in (AlertKind.MID, AlertKind.LAST):
            return abs(self.threshold) * self.hysteresis / 10_000
        return self.hysteresis


@dataclass(frozen=True, slots=True)
class Fired:
    alert_id: int
    spec: AlertSpec
    time: float
    value: float  # what crossed: the price, the trade size, the spread bps, the imbalance

    def text(self) -> str:
        s, name = self.spec, inert_text(self.spec.market, 40)
        if s.kind is AlertKind.TRADE:
            return f"{name}: trade of {self.value} (alert at {s.threshold})"
        if s.kind is AlertKind.SPREAD:
            return f"{name}: spread {self.value:.1f} bps > {s.threshold} bps"
        if s.kind is AlertKind.IMBALANCE:
            return (f"{name}: imbalance {self.value:+.2f} beyond {s.threshold:+.2f} "
                    f"(within {s.within_bps} bps)")
        way = "up through" if s.up else "down through"
        return f"{name}: {s.kind.value} price {way} {s.threshold} ({self.value})"


@dataclass(frozen=True, slots=True)
class AlertInfo:
    id: int
    spec: AlertSpec
    armed: bool


@dataclass(eq=False, slots=True)
class _TradeAlert:
    id: int
    size: float
    cooldown: float
    armed: bool = True


def _by_size(alert: _TradeAlert) -> float:
    return alert.size


SeriesKey = tuple[str, AlertKind, float]  # (market, kind, within_bps)


class AlertBook:
    """Every alert of every market, indexed for the feed's hot paths (see the module doc)."""

    def __init__(self) -> None:
        self._next_id = 1
        self._specs: dict[int, AlertSpec] = {}
        self._entries: dict[int, Crossing | _TradeAlert] = {}
        self._series: dict[SeriesKey, CrossingIndex] = {}
        self._by_market: dict[str, set[SeriesKey]] = {}
        self._trade_alerts: dict[str, Any] = {}  # market -> SortedKeyList of armed alerts
        self._cooling: dict[str, list[tuple[float, int]]] = {}  # market -> heap (re-arm at, id)
        self._seen: dict[str, tuple[OrderBook, int]] = {}  # market -> (book, version) read

    # ----------------------------------------------------------------- editing
    def add(self, spec: AlertSpec) -> int:
        if not math.isfinite(spec.threshold) or spec.hysteresis < 0:
            raise ValueError("an alert needs a finite threshold and a hysteresis >= 0")
        alert_id, self._next_id = self._next_id, self._next_id + 1
        if spec.kind is AlertKind.TRADE:
            entry: Crossing | _TradeAlert = _TradeAlert(alert_id, spec.threshold, spec.hysteresis)
            self._trade_alerts.setdefault(spec.market, SortedKeyList(key=_by_size)).add(entry)
        else:
            key = (spec.market, spec.kind, spec.within_bps)
            index = self._series.get(key)
            if index is None:
                index = self._series[key] = CrossingIndex(_STRICT[spec.kind])
                self._by_market.setdefault(spec.market, set()).add(key)
                self._seen.pop(spec.market, None)  # look at the book again
            entry = Crossing(alert_id, spec.threshold, spec.up, spec.band())
            index.add(entry)
        self._specs[alert_id] = spec
        self._entries[alert_id] = entry
        return alert_id

    def remove(self, alert_id: int) -> bool:
        spec = self._specs.pop(alert_id, None)
        if spec is None:
            return False
        entry = self._entries.pop(alert_id)
        if isinstance(entry, _TradeAlert):
            if entry.armed:  # a cooling one is dropped when its time comes
                self._trade_alerts[spec.market].remove(entry)
        else:
            key = (spec.market, spec.kind, spec.within_bps)
            index = self._series[key]
            index.remove(entry)
            if not len(index):
                del self._series[key]
                self._by_market[spec.market].discard(key)
        return True

    # ----------------------------------------------------------------- checking
    def on_trade(self, market: str, trade: Trade, now: float) -> list[Fired]:
        """Check one trade (call oldest first): trade-size alerts, then the last price."""
        fired: list[Fired] = []
        heap = self._cooling.get(market)
        while heap and heap[0][0] <= now:
            entry = self._entries.get(heapq.heappop(heap)[1])
            if isinstance(entry, _TradeAlert):
                entry.armed = True
                self._trade_alerts[market].add(entry)
        armed = self._trade_alerts.get(market)
        if armed:
            for entry in list(armed.irange_key(max_key=trade.amount_value)):
                fired.append(Fired(entry.id, self._specs[entry.id], now, trade.amount_value))
                if entry.cooldown > 0:
                    armed.remove(entry)
                    entry.armed = False
                    heapq.heappush(self._cooling.setdefault(market, []),
                                   (now + entry.cooldown, entry.id))
        index = self._series.get((market, AlertKind.LAST, 0.0))
        if index is not None:
            fired += self._fire(index, trade.price_value, now)
        return fired

    def on_book(self, market: str, book: OrderBook, now: float) -> list[Fired]:
        """Check mid, spread and imbalance alerts against the book (on the render clock)."""
        keys = self._by_market.get(market)
        seen = self._seen.get(market)
        if not keys or (seen is not None and seen[0] is book and seen[1] == book.version):
            return []
        self._seen[market] = (book, book.version)
        bid, ask = book.best_bid_value(), book.best_ask_value()
        if not book.has_snapshot or bid is None or ask is None:
            return []  # no book: the values keep their last reading, nothing crosses
        mid = (bid + ask) / 2
        fired: list[Fired] = []
        for key in sorted(keys, key=str):
            _market, kind, within = key
            if kind is AlertKind.MID:
                value: float | None = mid
            elif kind is AlertKind.SPREAD:
                value = (ask - bid) / mid * 10_000
            elif kind is AlertKind.IMBALANCE:
                value = _imbalance(book, mid, within)
            else:
                continue
            if value is not None:
                fired += self._fire(self._series[key], value, now)
        return fired

    def _fire(self, index: CrossingIndex, value: float, now: float) -> list[Fired]:
        return [Fired(a.id, self._specs[a.id], now, value) for a in index.move(value)]

    # Last in the class: a method named `list` would shadow the type in later annotations.
    def list(self) -> list[AlertInfo]:
        """Every alert, in the order added, with whether it is armed."""
        return [AlertInfo(i, spec, self._entries[i].armed) for i, spec in self._specs.items()]


def _imbalance(book: OrderBook, mid: float, within_bps: float) -> float | None:
    """(bid - ask) / (bid + ask) of the size within `within_bps` of the mid; None if none."""
    band = mid * within_bps / 10_000
    bid = _size_within(book.bids, mid - band, is_bid=True)
    ask = _size_within(book.asks, mid + band, is_bid=False)
    total = bid + ask
    return None if total <= 0 else (bid - ask) / total


def _size_within(levels: Callable[[int], list[tuple[str, str]]], limit: float,
                 is_bid: bool) -> float:
    """Size of the levels from the touch out to `limit`, reading the side a chunk at a time
    (a narrow band reads a few levels, not the whole side)."""
    n = 16
    while True:
        chunk = levels(n)
        total = 0.0
        for price, size in chunk:
            p = float(price)
            if (p < limit) if is_bid else (p > limit):
                return total
            total += float(size)
        if len(chunk) < n:
            return total
        n *= 4
