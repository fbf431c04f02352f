"""When the app paints: soon after the shown market changed, at most `fps` times a second,
and otherwise only when something on screen changes with time.

Issue 11 measured the fixed `set_interval(1/fps)` clock of before: a change waited for the
next tick, and an idle app still woke `fps` times a second (idle CPU 5-8x a one-widget
Textual app). Here:

- the feed calls `data_arrived` at most once per paint: the app arms the feed's `watch`
  hook for the shown market after each paint (one comparison per feed message; no UI
  message per frame). The paint runs at once if the last one is at least 1/fps old, else
  at last paint + 1/fps;
- each paint reports (`painted(next_at)`) when it needs the next one with no new data: a
  flash ending, the status bar's age ticking over, the 1 Hz histories; nothing else wakes
  the app.

What this cannot do: when the shown market changes more often than `fps` times a second
(dfx-sim at 50 msg/s over 4 markets sends the shown one a delta every 80 ms), the first
change after a paint waits for the rest of the interval, 0 to 1/fps, about half of it at
the median. A token bucket (bursts of two) was tried: with changes that regular the bucket
never refills, so it paints every 1/fps all the same (in-process: p50 65 ms either way).

Timing uses the loop's clock (`loop.time()`, monotonic), independent of the app's own
(test-frozen) clock.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable
from typing import Any, Protocol


class Handle(Protocol):
    def cancel(self) -> None: ...


class Scheduler(Protocol):
    """What the clock needs of an event loop (an asyncio loop, or a test's fake one)."""

    def time(self) -> float: ...
    def call_at(self, when: float, callback: Callable[[], Any]) -> Handle: ...


class PaintClock:
    """Schedules calls of `paint`. Every paint, scheduled or called directly (a key, a feed
    notice), reports back through `painted`."""

    def __init__(self, paint: Callable[[], None], fps: float,
                 loop: Scheduler | None = None) -> None:
        self.paint = paint
        self.fps = fps
        self.interval = 1.0 / fps
        self.loop: Scheduler = loop if loop is not None else asyncio.get_running_loop()
        self.last_paint = -math.inf  # loop time the last paint started
        self._started: float | None = None  # start of the scheduled paint now running
        self.paints = 0
        self._due = math.inf  # loop time of the scheduled paint
        self._handle: Handle | None = None
        self._stopped = False

    def data_arrived(self) -> None:
        """The shown market changed: paint as soon as the cap allows."""
        self.request(self.loop.time())

    def request(self, at: float) -> None:
        """Paint at loop time `at`, or at last paint + 1/fps if that is later."""
        if self._stopped:
            return
        at = max(at, self.last_paint + self.interval)
        if at >= self._due:
            return  # a paint at least as early is already scheduled
        if self._handle is not None:
            self._handle.cancel()
        self._due = at
        self._handle = self.loop.call_at(at, self._run)

    def painted(self, next_at: float | None) -> None:
        """A paint just ran (it showed whatever a scheduled paint was for): schedule the next
        one it asked for. The cap counts from the paint's start: counted from its end, the
        paints drifted 1/fps + a paint apart (+5-15 ms at 5,000 msg/s), and so did a
        change's wait."""
        started, self._started = self._started, None
        self.last_paint = self.loop.time() if started is None else started
        self.paints += 1
        if self._handle is not None:
            self._handle.cancel()
            self._handle, self._due = None, math.inf
        if next_at is not None:
            self.request(next_at)

    def stop(self) -> None:
        self._stopped = True
        if self._handle is not None:
            self._handle.cancel()
        self._handle, self._due = None, math.inf

    def _run(self) -> None:
        self._handle, self._due = None, math.inf
        self._started = self.loop.time()
        try:
            self.paint()
        finally:
            self._started = None
