"""Pulling and stacking: the signed change of resting size at each price over the last N s.

Design: sample, don't hook. `sample()` runs on the repaint clock and keeps at most one sample
of the top `depth` levels per side per `resolution` seconds in a ring; `changes()` diffs the
book now against the sample N seconds old. Nothing runs per message, and `OrderBook` is
untouched. Measured by tests/benchmarks/bench_analytics.py (50-level book, 2 loaded cores):
  - a hook in `apply_delta_levels` doing the least per-level bookkeeping (old size, a record,
    expiry) costs 1.1-1.6 us a message, +55-65 % on the 2.0-2.5 us apply, on every market,
    shown or not, and grows with the message rate (bursts reach thousands a second);
  - sampling costs 32-43 us per stored sample (once a second), 0.1 us on other clock ticks,
    and 150-190 us per `changes()` after a book change (0.3 us when asked again unchanged),
    paid only while the figure is shown, at most once per repaint.
So the hot path keeps its rate, and the cost is bounded by the frame rate, not the feed's:
at 10 fps the readouts equal a hook's cost near 1 000 messages/s on one market.

Coverage: a sample only knows the prices it saw. A side cut at `depth` levels covers bids down
to its last bid and asks up to its last ask; a side shorter than `depth` covers everything.
A price is considered only where both samples cover it; there an absent level is size 0, so
for those levels the changes sum exactly to the net change of their total size.
"""

from __future__ import annotations

import math
from collections import deque
from decimal import Decimal
from itertools import islice
from typing import NamedTuple

from sortedcontainers import SortedDict

from dfx_tui.book.numbers import decimal_of
from dfx_tui.book.orderbook import ASKS, BIDS, OrderBook
from dfx_tui.book.price_grid import ZERO, grid_index, grid_price

DEFAULT_WINDOW = 10.0
DEFAULT_DEPTH = 50
# Past a sample's time + window by this much, `_base` has surely moved past it (an exact
# deadline can fall an ulp short of `now - window <= time`).
LATE = 1e-3

_Levels = dict[float, tuple[str, str]]  # float price key -> (price text, amount text)


class _Sample(NamedTuple):
    time: float
    version: int  # the book's version when taken
    bids: _Levels
    asks: _Levels
    bid_floor: float | None  # lowest price the bid sample covers (None: the whole side)
    ask_ceiling: float | None  # highest price the ask sample covers (None: the whole side)


class LiquidityDelta(NamedTuple):
    """Signed size change per price (or grid bucket) since `since`: + stacked, - pulled."""

    since: float  # clock time of the older sample (later than now - window while warming up)
    bids: dict[Decimal, Decimal]  # price -> change; only non-zero changes are listed
    asks: dict[Decimal, Decimal]
    # The sums of `bids` and `asks`, kept as the changes are (`_update`): the ladder shows
    # them each paint, ~100 changes summed (bench_paint, one step a paint: ~7 us).
    bid_net: Decimal = ZERO
    ask_net: Decimal = ZERO


class LiquidityChange:
    """Ring of per-`resolution` samples of one book, diffed `window` seconds apart."""

    __slots__ = ("window", "depth", "resolution", "_samples", "_memo", "_running")

    def __init__(self, window: float = DEFAULT_WINDOW, depth: int = DEFAULT_DEPTH,
                 resolution: float = 1.0) -> None:
        if window <= 0 or depth <= 0 or resolution <= 0:
            raise ValueError("window, depth and resolution must be positive")
        self.window = window
        self.depth = depth
        self.resolution = resolution
        # Enough samples that one at least `window` old is always kept.
        self._samples: deque[_Sample] = deque(maxlen=int(window / resolution) + 2)
        # The last answer, for readers asking again before the book or the base changed.
        self._memo: tuple[tuple[int, int, float, int, int], LiquidityDelta] | None = None
        self._running: _Running | None = None  # the ungrouped diff against the current base

    def clear(self) -> None:
        self._samples.clear()
        self._memo = None
        self._running = None

    def sample(self, book: OrderBook, now: float) -> bool:
        """Call once per clock tick; stores a sample when `resolution` has passed and the
        book changed since the last one (True). An unchanged book needs none: the last
        sample stands for it until it changes, as a base and as the state it had."""
        samples = self._samples
        if samples and (now - samples[-1].time < self.resolution
                        or samples[-1].version == book.version):
            return False
        if not book.has_snapshot:
            return False  # a cleared book is not a state of the market
        samples.append(_take(book, self.depth, now))
        return True

    def next_sample_due(self, book: OrderBook) -> float | None:
        """When `sample` would take a change of `book` it has not taken yet (a change within
        `resolution` of the last sample waits for it); None when it has it all."""
        samples = self._samples
        if not samples or samples[-1].version == book.version:
            return None
        return samples[-1].time + self.resolution

    def next_change(self, now: float) -> float | None:
        """When `changes` moves on to a newer base sample with the clock alone (the window
        passes a sample), after `now`; None when it never will (at most one per sample)."""
        window = self.window
        # The oldest is the base until the next one; islice, not a copy of the ring a call.
        for sample in islice(self._samples, 1, None):
            at = sample.time + window + LATE
            if at > now:
                return at
        return None

    def changes(self, book: OrderBook, now: float, group: int = 1) -> LiquidityDelta | None:
        """Change per price from the sample `window` seconds before `now` to the book now.

        Grouped onto the ladder's grid (bids down, asks up) when `group` > 1. None before the
        first sample or while the book has no snapshot. The answer is shared: don't mutate it.
        """
        base = self._base(now)
        if base is None or not book.has_snapshot:
            return None
        key = (id(book), book.version, base.time, group, book.price_decimals)
        if self._memo is not None and self._memo[0] == key:
            return self._memo[1]
        current = _take(book, self.depth, now)
        run = self._running
        if run is not None and run.base is base and run.book is book:
            # The same base: only the levels that moved since the last answer can change
            # theirs (see `_update`).
            last, bids, asks = run.current, run.bids, run.asks
            bid_net = run.bid_net + _update(
                bids, base.bids, last.bids, current.bids, base.bid_floor, last.bid_floor,
                current.bid_floor, True)
            ask_net = run.ask_net + _update(
                asks, base.asks, last.asks, current.asks, base.ask_ceiling, last.ask_ceiling,
                current.ask_ceiling, False)
        else:
            bids = _diff(base.bids, current.bids, base.bid_floor, current.bid_floor, True)
            asks = _diff(base.asks, current.asks, base.ask_ceiling, current.ask_ceiling, False)
            bid_net, ask_net = sum(bids.values(), ZERO), sum(asks.values(), ZERO)
        self._running = _Running(base, book, current, bids, asks, bid_net, ask_net)
        decimals = book.price_decimals
        if group > 1:
            bid_out = _group(bids, decimals, group, round_up=False)
            ask_out = _group(asks, decimals, group, round_up=True)
        else:  # copies: the kept ones are updated in place by the next answer
            bid_out, ask_out = dict(bids), dict(asks)
        delta = LiquidityDelta(base.time, bid_out, ask_out, bid_net, ask_net)
        self._memo = (key, delta)
        return delta

    def _base(self, now: float) -> _Sample | None:
        """The newest sample at least `window` old, or the oldest one while warming up."""
        samples = self._samples
        if not samples:
            return None
        cutoff = now - self.window
        for sample in reversed(samples):
            if sample.time <= cutoff:
                return sample
        return samples[0]


def _take(book: OrderBook, depth: int, now: float) -> _Sample:
    bids = _top_levels(book.side_levels(BIDS), depth, True)
    asks = _top_levels(book.side_levels(ASKS), depth, False)
    return _Sample(now, book.version, bids, asks,
                   next(reversed(bids)) if len(bids) >= depth else None,
                   next(reversed(asks)) if len(asks) >= depth else None)


def _top_levels(side: SortedDict, depth: int, is_bid: bool) -> _Levels:
    """The `depth` levels of a book side nearest the touch, best first, by their float keys.
    Reads the book's side (`OrderBook.side_levels`: float price -> (price text, amount
    text)), whose keys are the float of each price text, instead of `book.bids(depth)` and
    float() of every text again: `changes` takes the book now on every paint that moved it.
    36 -> 10 us a take at depth 50 (timeit, the bench's BTC book; the same dicts, in the
    same order)."""
    keys = side.keys()
    picked = keys[max(0, len(keys) - depth):][::-1] if is_bid else keys[:depth]
    return {key: side[key] for key in picked}


def _edge(old_edge: float | None, new_edge: float | None, is_bid: bool) -> float | None:
    """Where both samples cover a side: bids from the higher of the two floors up, asks up to
    the lower of the two ceilings (None: everywhere)."""
    if old_edge is None or new_edge is None:
        return new_edge if old_edge is None else old_edge
    return (max if is_bid else min)(old_edge, new_edge)


def _diff(old: _Levels, new: _Levels, old_edge: float | None, new_edge: float | None,
          is_bid: bool) -> dict[Decimal, Decimal]:
    edge = _edge(old_edge, new_edge, is_bid)
    # Cached parses (the base sample stays a second), and a loop over both samples' own
    # items instead of a set of their keys. bench_paint, `changes` per paint: 0.60 -> ~0.39
    # ms at 125 steps a paint, 0.45 -> ~0.21 ms at 1.
    dec = decimal_of
    out: dict[Decimal, Decimal] = {}
    for key, after in new.items():
        before = old.get(key)
        if before is not None and before[1] == after[1]:
            continue  # same text: unchanged, and no Decimal work
        if edge is not None and (key < edge if is_bid else key > edge):
            continue  # beyond what one of the samples saw: unknown there
        change = dec(after[1]) - dec(before[1]) if before is not None else dec(after[1])
        if change:
            out[dec(after[0])] = change
    for key, before in old.items():
        if key in new or (edge is not None and (key < edge if is_bid else key > edge)):
            continue
        out[dec(before[0])] = -dec(before[1])
    return out


class _Running(NamedTuple):
    """`changes`' ungrouped answer for `book` against `base` when the book was `current`:
    what `_update` starts from while the base stands (a second at the sampling resolution,
    ten paints at 10 fps)."""

    base: _Sample
    book: OrderBook
    current: _Sample
    bids: dict[Decimal, Decimal]  # `_diff(base, current)` of each side, updated in place
    asks: dict[Decimal, Decimal]
    bid_net: Decimal  # their sums
    ask_net: Decimal


def _update(out: dict[Decimal, Decimal], base: _Levels, last: _Levels, new: _Levels,
            base_edge: float | None, last_edge: float | None, new_edge: float | None,
            is_bid: bool) -> Decimal:
    """`out`, which is `_diff(base, last)`, made `_diff(base, new)` in place; returns what
    that added to the sum of its values (Decimal sums of sizes: exact).

    A price's change depends only on its level in `base` and in `new` and on whether both
    samples cover it: only the levels that differ between `last` and `new` (a set difference
    of their items, in C), and the prices the covered span gained or lost when its edge
    moved, can change theirs. At one delta a paint that is a level or two of 50, where
    `_diff` walks every level that moved over the whole window: `changes` after each step
    of bench_paint's stream, median of 5, 48 -> 29 us at one step a paint (the `_take` of
    the book now, ~10 us, is most of what is left), 236 -> 173 us at 125."""
    edge = _edge(base_edge, new_edge, is_bid)
    moved = {key for key, _level in last.items() ^ new.items()}
    was = _edge(base_edge, last_edge, is_bid)
    if was != edge:  # the prices between the two edges came into the span or left it
        inf = -math.inf if is_bid else math.inf
        lo, hi = sorted((inf if was is None else was, inf if edge is None else edge))
        for levels in (base, last, new):
            # From the far end, where the edges are, up to the span's (each sample is
            # ordered best first): a few keys, not the 50.
            for key in reversed(levels):
                if lo <= key <= hi:
                    moved.add(key)
                elif key > hi if is_bid else key < lo:
                    break
    # The same dict operations as before the sums were kept (the order of `out` stands).
    dec, pop, get, net = decimal_of, out.pop, out.get, ZERO
    for key in moved:
        after, before = new.get(key), base.get(key)
        if edge is not None and (key < edge if is_bid else key > edge):
            for level in (after, before, last.get(key)):  # not covered now: not listed
                if level is not None:
                    net -= pop(dec(level[0]), ZERO)
        elif after is None:
            if before is not None:
                price, gone = dec(before[0]), -dec(before[1])
                net += gone - get(price, ZERO)
                out[price] = gone
            else:  # in neither sample: gone from `new`, so it was in `last`
                net -= pop(dec(last[key][0]), ZERO)
        else:
            change = (dec(after[1]) if before is None else None if before[1] == after[1]
                      else dec(after[1]) - dec(before[1]))
            price = dec(after[0])
            if change:
                net += change - get(price, ZERO)
                out[price] = change
            else:
                net -= pop(price, ZERO)
    return net


def _group(changes: dict[Decimal, Decimal], decimals: int, group: int,
           round_up: bool) -> dict[Decimal, Decimal]:
    by_index: dict[int, Decimal] = {}
    for price, change in changes.items():
        index = grid_index(price, decimals, group, round_up)
        by_index[index] = by_index.get(index, ZERO) + change
    return {grid_price(i, decimals, group): v for i, v in by_index.items() if v}
