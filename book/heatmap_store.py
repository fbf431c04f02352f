"""Liquidity heatmap history of one market: runs of unchanged size at each price.

Feeding: sampled, not per update. `sample(now, bids, asks)` runs on a clock (`min_interval`,
1 s by default; calls in between return at once) and diffs the top `max_levels` levels of each
side against the previous sample: only levels whose size changed open a run. Measured on the
simulator at 500 msg/s (tests/benchmarks/bench_heatmap.py): ~870 level changes a second, of
which ~190 still differ between two samples 1 s apart, so recording per update would hold
4.5x the runs, show nothing more (a column is at least a sample wide) and cost a call per
message on the feed's hot path; a sample costs ~0.1-0.5 ms once a second.

Storage: a run is kept as the change that opens it (size 0 ends a run: the level is gone).
Changes are grouped in time segments (`segment` seconds); each segment opens with the open
runs it inherits (the state at its start), so a query seeks to one segment instead of
replaying history, and pruning drops whole segments past the horizon (amortised O(1)). In a
segment a change costs 6 bytes (a uint16 index into the segment's price table and a float32
size: 7 significant digits, far finer than any colour scale); a sample with changes adds a
float64 time and a uint32 offset. No Python object per run or per level survives.
Measured: 6.2 MB per market-hour at 500 msg/s, where the simulator redraws nearly every level
each second (so runs are as many as levels a second); 2.8 MB at 50 msg/s.

Gaps: `mark_gap(now)` ends every open run at `now`; nothing is known until the next sample.
Covered time is kept as spans, so a query shows gaps (and the time before the first
snapshot) as gaps and never carries a size across one.
"""

from __future__ import annotations

import math
import sys
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator
from itertools import islice

from dfx_tui.book.heatmap_trades import TradeRing
from dfx_tui.book.orderbook import ASKS, BIDS, OrderBook

PriceSize = tuple[float, float]
MAX_LEVELS_CAP = 10_000  # keyframe + one sample's changes must fit a uint16 price table
_TABLE_LIMIT = 65_535


def book_levels(book: OrderBook, n: int) -> tuple[list[PriceSize], list[PriceSize]]:
    """The top `n` bids and asks of a book as (price, size) floats, best first."""
    return ([(float(p), float(a)) for p, a in book.bids(n)],
            [(float(p), float(a)) for p, a in book.asks(n)])


def _book_sizes(book: OrderBook, n: int, memo: dict[str, float]) -> dict[float, float]:
    """What `sample(now, *book_levels(book, n))` diffs, read off the book's sides: their keys
    are the float of each price text (book/levels.py), so only sizes are converted, and a
    stored amount is never zero (a zero is a deletion), so none is filtered out. The same
    dict in the same order (tests/test_book_heatmap.py).

    `memo`: amount text -> float() of it, from earlier samples (a pure function: never
    stale). float() of a size text costs ~170 ns here, a hit ~40: most levels of a book at
    50 msg/s keep their size from one sample to the next. One side of 50 levels, timeit:
    12.1 us with float(), 5.4 all hits; bench_observe, in-process A/B median of 5: 35.7 us a
    paint with the memo, 41.4 with a fresh one each sample (see `MarketAnalytics.observe`)."""
    bids, asks = book.side_levels(BIDS), book.side_levels(ASKS)
    bid_keys, ask_keys = bids.keys(), asks.keys()
    top_bids = bid_keys[max(0, len(bid_keys) - n):]
    top_asks = ask_keys[:n]
    get = memo.get
    current: dict[float, float] = {}
    for key in reversed(top_bids):
        text = bids[key][1]
        size = get(text)
        if size is None:
            size = memo[text] = float(text)
        current[key] = size
    crossed = top_bids and top_asks and top_asks[0] <= top_bids[-1]
    for key in top_asks:
        text = asks[key][1]
        size = get(text)
        if size is None:
            size = memo[text] = float(text)
        if crossed:  # or locked (rare): the same price on both sides adds up, as in `sample`
            size += current.get(key, 0.0)
        current[key] = size
    return current


class _Segment:
    """Changes from `start` until the next segment's start; sample 0 is the inherited state."""

    __slots__ = ("start", "prices", "times", "offsets", "pidx", "sizes", "index")

    def __init__(self, start: float) -> None:
        self.start = start
        self.prices = array("d")  # price table: a change names its price by index
        self.times = array("d")  # one per sample with changes, non-decreasing
        self.offsets = array("I")  # first change of each sample
        self.pidx = array("H")
        self.sizes = array("f")
        self.index: dict[float, int] | None = {}  # price -> table index, while being written

    def add(self, t: float, changes: Iterable[PriceSize]) -> None:
        index = self.index
        assert index is not None, "a sealed segment is never written"
        self.times.append(t)
        self.offsets.append(len(self.pidx))
        pidx, sizes, prices = self.pidx, self.sizes, self.prices
        for price, size in changes:
            i = index.get(price)
            if i is None:
                i = index[price] = len(prices)
                prices.append(price)
            pidx.append(i)
            sizes.append(size)

    def seal(self) -> None:
        """Drop the writing index and the arrays' spare capacity."""
        self.index = None
        for name in ("prices", "times", "offsets", "pidx", "sizes"):
            arr = getattr(self, name)
            setattr(self, name, array(arr.typecode, arr))

    def room(self, extra: int) -> bool:
        return len(self.prices) + extra <= _TABLE_LIMIT

    def samples(self, lo: int, hi: int) -> Iterator[tuple[float, list[float], array[float]]]:
        """Samples lo..hi-1 as (time, prices, sizes)."""
        times, offsets, pidx, sizes, prices = (self.times, self.offsets, self.pidx, self.sizes,
                                               self.prices)
        n = len(times)
        for k in range(lo, hi):
            a = offsets[k]
            b = offsets[k + 1] if k + 1 < n else len(pidx)
            yield times[k], [prices[i] for i in pidx[a:b]], sizes[a:b]

    def nbytes(self) -> int:
        own = sum(sys.getsizeof(a) for a in (self.prices, self.times, self.offsets, self.pidx,
                                             self.sizes))
        return own + sys.getsizeof(self) + (0 if self.index is None
                                            else sys.getsizeof(self.index) + 32 * len(self.index))


class HeatmapStore:
    """Resting size history of one market (see the module doc). Times are the caller's clock,
    one clock for samples, gaps and trades (the render clock, or the replay clock)."""

    def __init__(self, *, horizon: float = 3600.0, segment: float = 60.0,
                 max_levels: int = 100, min_interval: float = 1.0,
                 max_trades: int = 20_000) -> None:
        if not 1 <= max_levels <= MAX_LEVELS_CAP:
            raise ValueError(f"max_levels must be 1..{MAX_LEVELS_CAP}")
        self.horizon = horizon
        self.segment = segment
        self.max_levels = max_levels
        self.min_interval = min_interval
        self._segments: list[_Segment] = []
        self._starts: list[float] = []
        self._state: dict[float, float] = {}  # the last sample: price -> size
        self._spans: list[tuple[float, float]] = []  # closed covered spans
        self._open: float | None = None  # start of the open span; None while in a gap
        self._last_time = -math.inf
        self._last_version = -1
        self._trades = TradeRing(max_trades)
        self._sizes: dict[str, float] = {}  # size text -> float, see `_book_sizes`

    # ----------------------------------------------------------------- writing
    def sample(self, now: float, bids: Iterable[PriceSize], asks: Iterable[PriceSize]) -> int:
        """Record the book (levels best first; the top `max_levels` a side are kept).

        Returns how many levels changed; 0 also when the call came before `min_interval`.
        """
        if self._open is not None and now < self._last_time + self.min_interval:
            return 0
        current: dict[float, float] = {}
        for side in (bids, asks):
            for price, size in islice(side, self.max_levels):
                if size > 0:  # the same price on both sides (a crossed book) adds up
                    current[price] = current.get(price, 0.0) + size
        return self._take(now, current)

    def _take(self, now: float, current: dict[float, float]) -> int:
        """Record `current` (price -> size, bids best first then asks best first) as the
        sample at `now`, once `min_interval` has passed (the callers checked)."""
        now = max(now, self._last_time)
        state = self._state
        get = state.get  # bound once: 200 levels a sample
        changes = [(p, s) for p, s in current.items() if get(p) != s]
        changes += [(p, 0.0) for p in state if p not in current]
        if changes or not self._segments:  # the first sample opens the history, even empty
            self._record(now, changes)
        self._state = current
        if self._open is None:
            self._open = now
        self._last_time = now
        return len(changes)

    def sample_book(self, now: float, book: OrderBook) -> int:
        """`sample` from an order book; a book without a snapshot is a gap."""
        if not book.has_snapshot:
            self.mark_gap(now)
            return 0
        if self._open is not None:
            if book.version == self._last_version:
                # Nothing applied since: no diff, the last sample stands up to now (not held
                # back by `min_interval`, which spaces samples: a quiet book shown on the
                # heatmap is covered up to each paint, with no gap column at its edge).
                self._last_time = max(now, self._last_time)
                return 0
            if now < self._last_time + self.min_interval:
                return 0
        self._last_version = book.version
        memo = self._sizes
        if len(memo) > 8 * self.max_levels:  # bounded: texts of sizes long gone go too
            memo.clear()
        return self._take(now, _book_sizes(book, self.max_levels, memo))

    def next_sample_due(self, book: OrderBook) -> float | None:
        """When `sample_book` would take a change of `book` it has not taken yet (a change
        within `min_interval` of the last sample waits for it); None when it has it all."""
        if self._open is None or book.version == self._last_version:
            return None
        return self._last_time + self.min_interval

    def mark_gap(self, now: float) -> None:
        """No valid book from `now` until the next sample (reconnect, resync, stale)."""
        if self._open is None:
            return
        now = max(now, self._last_time)
        if self._state:
            self._record(now, [(p, 0.0) for p in self._state])
        self._state = {}
        self._spans.append((self._open, now))
        self._open = None
        self._last_time = now
        self._last_version = -1

    def record_trade(self, t: float, price: float, size: float, is_buy: bool) -> None:
        self._trades.add(t, price, size, is_buy)

    def _record(self, t: float, changes: list[PriceSize]) -> None:
        seg = self._segments[-1] if self._segments else None
        if seg is None or t - seg.start >= self.segment or not seg.room(len(changes)):
            if seg is not None:
                seg.seal()
            seg = _Segment(t)
            seg.add(t, self._state.items())  # the runs it inherits, at its start
            self._segments.append(seg)
            self._starts.append(t)
            self._prune(t)
        seg.add(t, changes)

    def _prune(self, now: float) -> None:
        cut = 0
        while cut + 1 < len(self._starts) and self._starts[cut + 1] <= now - self.horizon:
            cut += 1
        if cut:
            del self._segments[:cut]
            del self._starts[:cut]
        oldest = self._starts[0]
        self._spans = [s for s in self._spans if s[1] > oldest]
        self._trades.drop_before(oldest)

    # ----------------------------------------------------------------- reading
    @property
    def oldest(self) -> float:
        """Start of the retained history (inf before the first sample)."""
        return self._starts[0] if self._starts else math.inf

    @property
    def last_time(self) -> float:
        """Time up to which the history is known (the last sample or gap)."""
        return self._last_time

    @property
    def in_gap(self) -> bool:
        return self._open is None

    @property
    def segment_count(self) -> int:
        return len(self._segments)

    def segment_starts(self) -> list[float]:
        return list(self._starts)

    def spans(self) -> list[tuple[float, float]]:
        """Covered intervals [start, end), clipped to the retained history."""
        out = list(self._spans)
        if self._open is not None and self._last_time > self._open:
            out.append((self._open, self._last_time))
        oldest = self.oldest
        return [(max(a, oldest), b) for a, b in out if b > oldest]

    def gaps(self, t0: float, t1: float) -> list[tuple[float, float]]:
        """Intervals of [t0, t1) with no data: gaps, before the first sample, after the last."""
        out, cursor = [], t0
        for a, b in self.spans():
            if a > cursor and cursor < t1:
                out.append((cursor, min(a, t1)))
            cursor = max(cursor, b)
        if cursor < t1:
            out.append((cursor, t1))
        return out

    def state_at(self, t: float) -> dict[float, float]:
        """price -> size of the book recorded as of time t (samples at t included)."""
        k = bisect_right(self._starts, t) - 1
        if k < 0:
            return {}
        seg = self._segments[k]
        n = bisect_right(seg.times, t)
        end = seg.offsets[n] if n < len(seg.times) else len(seg.pidx)
        prices = seg.prices
        state = dict(zip([prices[i] for i in seg.pidx[:end]], seg.sizes[:end], strict=True))
        return {p: s for p, s in state.items() if s > 0}

    def changes(self, t0: float, t1: float) -> Iterator[tuple[float, list[float], array[float]]]:
        """Samples with t0 < time < t1, oldest first, as (time, prices, sizes); size 0 ends a
        run. A segment's first sample repeats the state it inherits (harmless to re-apply)."""
        first = max(0, bisect_right(self._starts, t0) - 1)
        for seg in self._segments[first:]:
            if seg.start >= t1:
                break
            yield from seg.samples(bisect_right(seg.times, t0), bisect_left(seg.times, t1))

    def trades(self, t0: float, t1: float) -> Iterator[tuple[float, float, float]]:
        """(time, price, size) of trades with t0 <= time < t1: size > 0 buy, < 0 sell."""
        return self._trades.between(t0, t1)

    def runs(self, price: float) -> list[tuple[float, float, float]]:
        """Runs (start, end, size) at one price, oldest first (for inspection and tests)."""
        out: list[tuple[float, float, float]] = []
        start, size = 0.0, 0.0
        for t, prices, sizes in self.changes(-math.inf, math.inf):
            for p, s in zip(prices, sizes, strict=True):
                if p == price and s != size:
                    if size > 0 and t > start:
                        out.append((start, t, size))
                    start, size = t, s
        if size > 0 and self._last_time > start:
            out.append((start, self._last_time, size))
        return out

    def nbytes(self) -> int:
        """Approximate bytes held (arrays, segment objects, the last sample, trades)."""
        ring = self._trades
        return (sum(seg.nbytes() for seg in self._segments)
                + sys.getsizeof(self._state) + 48 * len(self._state)
                + sum(sys.getsizeof(a) for a in (ring.times, ring.prices, ring.sizes)))
