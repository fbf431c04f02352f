"""Mid-price history for the market header's sparkline: one value a second, last N minutes.

A fixed ring of float64 slots (15 minutes: 900 slots, 7 KB a market), one slot per `step`
seconds of the caller's clock. The last value recorded in a slot wins. A slot recorded as None
(no book, the feed was down) is a gap: NaN in the ring, None when read, never interpolated.
A slot nobody recorded is a gap too, unless the history is `held`: then the last value
recorded goes on until the next record, in the slots skipped over and, when read, up to `now`
("unchanged since"). The app holds a live market's mid: it observes every market when its
book or its state changes, so a slot it skipped had the last value (issue 11: an idle app no
longer records an unchanged mid every second).
"""

from __future__ import annotations

import math
from array import array

NAN = math.nan


class MidHistory:
    __slots__ = ("step", "capacity", "held", "_ring", "_last_slot")

    def __init__(self, minutes: float = 15.0, step: float = 1.0) -> None:
        if step <= 0 or minutes <= 0:
            raise ValueError("minutes and step must be positive")
        self.step = step
        self.capacity = max(1, round(minutes * 60 / step))
        self._ring = array("d", [NAN]) * self.capacity
        self._last_slot: int | None = None
        self.held = False  # the last value goes on until the next record (see the module doc)

    def record(self, now: float, mid: float | None) -> None:
        """The mid at `now` (None: no book, a gap). A clock going backwards is ignored."""
        slot = math.floor(now / self.step)
        last = self._last_slot
        if slot == last:  # the usual call: a paint within the second last recorded
            self._ring[slot % self.capacity] = NAN if mid is None else mid
            return
        if last is not None:
            if slot < last:
                return
            # Slots skipped over: the held value, or gaps.
            fill = self._ring[last % self.capacity] if self.held else NAN
            for k in range(last + 1, min(slot, last + self.capacity + 1)):
                self._ring[k % self.capacity] = fill
        self._ring[slot % self.capacity] = NAN if mid is None else mid
        self._last_slot = slot

    @property
    def last_slot(self) -> int | None:
        """The newest slot recorded (None: nothing yet)."""
        return self._last_slot

    def mark_gap(self, now: float) -> None:
        self.record(now, None)

    def last(self) -> float | None:
        if self._last_slot is None:
            return None
        value = self._ring[self._last_slot % self.capacity]
        return None if math.isnan(value) else value

    def series(self, now: float) -> list[float | None]:
        """The window ending at `now`, oldest first, one entry a slot (None = no data)."""
        return [None if v != v else v for v in self._window(now)]

    def _window(self, now: float) -> list[float]:
        """`series(now)` with NaN for None, made of three runs (slots overwritten since or
        never recorded, the ring's slots in order, the slots after the last one) by slicing
        the ring: a loop over the 900 slots cost ~130 us (timeit), recomputed by the
        header's sparkline every second of mids (see `buckets`)."""
        slot = math.floor(now / self.step)
        cap = self.capacity
        last = self._last_slot
        if last is None:
            return [NAN] * cap
        first = slot - cap + 1
        gone = min(cap, max(0, last - cap - first + 1))  # k <= last - cap
        start = max(first, last - cap + 1)
        kept = min(cap - gone, max(0, min(slot, last) - start + 1))  # last - cap < k <= last
        held = self.last() if self.held else None
        out = [NAN] * gone
        if kept:
            i = start % cap
            ring = self._ring
            out += ring[i:i + kept].tolist()
            if i + kept > cap:
                out += ring[:i + kept - cap].tolist()
        out += [NAN if held is None else held] * (cap - gone - kept)  # k > last
        return out

    def buckets(self, now: float, width: int) -> list[tuple[float, float] | None]:
        """The window in `width` buckets, oldest first: (min, max) of each, None if empty:
        `bucket_min_max(self.series(now), width)`, a bucket whose sum is a number taken
        whole (a gap, NaN, would make it NaN), the others filtered as there: 268 -> 95 us
        for 900 slots in 24 buckets (timeit), which the header's sparkline asks for every
        second of mids (bench_paint: every ~10 paints)."""
        values = self._window(now)
        n = len(values)
        out: list[tuple[float, float] | None] = []
        for b in range(max(0, width)):
            lo = b * n // width
            chunk = values[lo:max((b + 1) * n // width, lo + 1)]
            if math.isnan(sum(chunk)):  # a gap, or infinities of both signs
                chunk = [v for v in chunk if v == v]
            out.append((min(chunk), max(chunk)) if chunk else None)
        return out


def bucket_min_max(values: list[float | None], width: int) -> list[tuple[float, float] | None]:
    """Split `values` into `width` consecutive buckets (each at least one value wide; with
    more buckets than values some repeat a value) and give each bucket's (min, max)."""
    n = len(values)
    out: list[tuple[float, float] | None] = []
    for b in range(max(0, width)):
        lo = b * n // width
        hi = max((b + 1) * n // width, lo + 1)
        seen = [v for v in values[lo:hi] if v is not None]
        out.append((min(seen), max(seen)) if seen else None)
    return out
