"""The mid-price sparkline of the market header: the last N minutes in a few block characters.

One character per bucket of the window (`MidHistory.buckets`: min and max of each), drawn at
the bucket's middle on a scale from the window's lowest to its highest mid. A bucket with no
data (the feed was down, no book) is a space: gaps are never filled in. Nothing is drawn
until two buckets have data (one point is not a line).
"""

from __future__ import annotations

import math

from dfx_tui.book.mid_history import MidHistory

BLOCKS = "▁▂▃▄▅▆▇█"
WIDTH = 24  # characters


def spark_text(buckets: list[tuple[float, float] | None]) -> str | None:
    """The sparkline of `buckets` (oldest first), or None with fewer than two of data."""
    seen = [b for b in buckets if b is not None]
    if len(seen) < 2:
        return None
    low = min(b[0] for b in seen)
    high = max(b[1] for b in seen)
    span = high - low
    top = len(BLOCKS) - 1
    out = []
    for bucket in buckets:
        if bucket is None:
            out.append(" ")
            continue
        middle = (bucket[0] + bucket[1]) / 2
        out.append(BLOCKS[round((middle - low) / span * top) if span > 0 else top // 2])
    return "".join(out)


def change_text(buckets: list[tuple[float, float] | None]) -> str:
    """The move from the first bucket with data to the last, in percent ("+0.12%")."""
    seen = [b for b in buckets if b is not None]
    first = (seen[0][0] + seen[0][1]) / 2
    last = (seen[-1][0] + seen[-1][1]) / 2
    return f"{(last - first) / first * 100:+.2f}%" if first else ""


SLIDES_PER_CHAR = 8  # an unchanged mid slides the window an eighth of a character at a time


class Sparkline:
    """The header's sparkline, recomputed only when the history got its first mid of a new
    slot (`step` seconds) or the window slid by an eighth of a character (15 minutes in 24
    characters: every 4.7 s): one character is 37.5 s, so a slide of a second rarely moves a
    block, and an idle app need not wake every second to draw it (issue 11). Later mids
    within a slot wait for the next one: keyed on the last mid, it was recomputed (900 slots
    into 24 buckets, ~0.3 ms) and the header rebuilt on every paint that moved the mid."""

    def __init__(self, width: int = WIDTH) -> None:
        self.width = width
        self._key: tuple[object, ...] | None = None
        self._text: str | None = None

    def slide(self, history: MidHistory) -> float:
        """Seconds between two recomputations of an unchanged mid's line."""
        window = history.capacity * history.step
        return max(history.step, window / max(1, self.width) / SLIDES_PER_CHAR)

    def changes_in(self, history: MidHistory, now: float) -> float | None:
        """Seconds until the line slides with the clock alone (None: nothing to draw)."""
        if history.last() is None and self._text is None:
            return None
        slide = self.slide(history)
        return (math.floor(now / slide) + 1) * slide - now

    def text(self, history: MidHistory, now: float) -> str | None:
        """" 15m ▁▂▄█▇ +0.12%" for the window ending at `now`, or None (nothing to draw)."""
        key = (id(history), math.floor(now / self.slide(history)), history.last_slot)
        if key != self._key:
            self._key = key
            buckets = history.buckets(now, self.width)
            line = spark_text(buckets)
            minutes = round(history.capacity * history.step / 60)
            self._text = None if line is None else f"{minutes}m {line} {change_text(buckets)}"
        return self._text
