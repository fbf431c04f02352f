"""When the app paints: soon after the shown market changed, at most `fps` times a second,
and otherwise only when something on screen changes with time.

Issue 11 measured the fixed `set_interval(1/fps)` clock of before: a change waited for the
next tick (staleness p50 75-122 ms at 10 fps, about one interval instead of none) and an
idle app still woke `fps` times a second (idle CPU 5x a one-widget Textual app). Here:

- the feed calls `data_arrived` once per paint at most: the app arms the feed's `watch`
  hook for the shown market after each paint (one comparison per feed message; no UI message
  per frame); the paint runs at once if the last one is at least 1/fps old, else at
  last paint + 1/fps;
- each paint reports (`painted(next_at)`) when it needs the next one with no new data: a
  flash fading, the status bar's age ticking over, the 1 Hz histories; nothing else wakes
  the app.

Timing uses the event loop's clock (`loop.time()`, monotonic), so it is independent of the
app's own (test-frozen) clock.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable


class PaintClock:
    """Schedules calls of `paint` on the running loop. Every paint, scheduled or called
    directly (a key, a feed notice), reports back through `painted`."""

    def __init__(self, paint: Callable[[], None], fps: float) -> None:
        self.paint = paint
        self.interval = 1.0 / fps
        self.loop = asyncio.get_running_loop()
        self.last_paint = -math.inf  # loop time of the last paint
        self.paints = 0
        self._due = math.inf  # loop time of the scheduled paint
        self._handle: asyncio.TimerHandle | None = None
        self._stopped = False

    def data_arrived(self) -> None:
        """The shown market changed: paint as soon as the fps cap allows."""
        self.request(self.loop.time())

    def request(self, at: float) -> None:
        """Paint no later than loop time `at`, or as soon after it as the fps cap allows."""
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
        """A paint just ran (scheduled, or called directly): count it against the cap and
        schedule the next one it asked for."""
        self.last_paint = self.loop.time()
        self.paints += 1
        if self._handle is not None and self._due <= self.last_paint + self.interval:
            # A paint was due within the cap: this one served it (keeps a request made
            # during the paint for later data, which is due after the cap).
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
        self.paint()
