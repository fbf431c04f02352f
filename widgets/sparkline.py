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


class Sparkline:
    """The header's sparkline, recomputed once a slot of the history (`step` seconds): when
    the window moved or the history got its first mid of a new slot. Later mids within a
    slot wait for the next one: keyed on the last mid as well, it was recomputed (900 slots
    into 24 buckets, ~0.3 ms) and the header rebuilt on every paint that moved the mid."""

    def __init__(self, width: int = WIDTH) -> None:
        self.width = width
        self._key: tuple[object, ...] | None = None
        self._text: str | None = None

    def text(self, history: MidHistory, now: float) -> str | None:
        """" 15m ▁▂▄█▇ +0.12%" for the window ending at `now`, or None (nothing to draw)."""
        key = (id(history), math.floor(now / history.step), history.last_slot)
        if key != self._key:
            self._key = key
            buckets = history.buckets(now, self.width)
            line = spark_text(buckets)
            minutes = round(history.capacity * history.step / 60)
            self._text = None if line is None else f"{minutes}m {line} {change_text(buckets)}"
        return self._text
