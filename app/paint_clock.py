"""When the app paints: soon after the shown market changed, never more than `fps` paints in
any second, and otherwise only when something on screen changes with time.

Issue 11 measured the fixed `set_interval(1/fps)` clock of before: a change waited for the
next tick, and an idle app still woke `fps` times a second. Here:

- the feed calls `data_arrived` for each message of the shown market (the feed's `watch`
  hook, a plain call: no UI message per frame);
- each paint reports (`painted(next_at)`) when it needs the next one with no new data: a
  flash ending, the status bar's age ticking over; nothing else wakes the app.

The cap is a token bucket (`fps` tokens a second, at most `BURST`) plus a sliding window (at
most `fps` paints in any second, whatever the bucket holds). A change is painted at once when
both allow it. When they do not, what is best depends on how often the market changes:

- changes further apart than an interval, or closer than a quarter of one (a flood: every
  paint shows many changes anyway): paint as soon as the cap allows;
- changes a little more often than the cap (dfx-sim at 50 msg/s over 4 markets sends the
  shown market a delta every 80 ms against 100 ms paints): painting at the first allowed
  instant lands just before the next change, so every change waits 20, 40, ... 100 ms
  (bench_app: median 0.6-0.7 intervals). Instead the waiting change is painted with the
  next one, which is then shown at once, and never more than one interval after it
  arrived; the bucket's half paint of room lets three changes in four be painted at once.

Frames read together (a depth update and its trades) are one change, and paints that only
time asks for (a flash ending) wait while changes flow: the next data paint shows them, and
taking a slot of their own they made the next change wait.

This clock over generated arrivals (tests/test_ui_paint.py runs it the same way), median /
p99 wait in intervals and paints a second, against the min-spacing clock it replaced:

| changes | min-spacing clock | this clock |
|---|---|---|
| every 0.8 interval | 0.4-0.6 / 0.8, 10/s | 0.0 / 0.8, 9.4/s |
| every 0.8 +- 0.08 interval | 0.45-0.55 / 1.0 | 0.0 / 0.88 |
| Poisson, 1.25 a interval | 0.39 / 0.99 | 0.31 / 1.0 |
| Poisson, 0.2 a interval | 0.0 / 0.95 | 0.0 / 0.45 |
| every 0.1 interval (flood) | 0.5 / 1.0 | 0.5 / 1.0 |

Timing uses the loop's clock (`loop.time()`, monotonic), independent of the app's own
(test-frozen) clock.
"""

from __future__ import annotations

import asyncio
import math
from collections import deque
from collections.abc import Callable
from typing import Any, Protocol

from dfx_tui.app.collector import held


class Handle(Protocol):
    def cancel(self) -> None: ...


class Scheduler(Protocol):
    """What the clock needs of an event loop (an asyncio loop, or a test's fake one)."""

    def time(self) -> float: ...
    def call_at(self, when: float, callback: Callable[[], Any]) -> Handle: ...


BURST = 1.5  # bucket size in paints: room to paint a change at once after a skipped slot
FLOOD_GAP = 0.25  # in intervals: changes closer than this are a flood (no burst, no waiting)
GAP_WEIGHT = 0.25  # weight of the newest gap in the moving average of gaps between changes
BURST_GAP = 0.02  # in intervals: frames closer than this are one change (one burst)


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
        self._tokens, self._tokens_at = BURST, -math.inf  # bucket level at a loop time
        # The window: at most n paints in any n/fps seconds (n = fps when fps >= 1).
        n = max(1, int(fps))
        self._window, self._window_s = deque[float](maxlen=n), n / fps
        self._gap = math.inf  # moving average of the gaps between changes, seconds
        self._last_change: float | None = None
        self._waiting_since: float | None = None  # first change not yet painted

    def data_arrived(self) -> bool:
        """The shown market changed: paint at once if the cap allows, else see the module
        docstring. Returns True: the feed's hook stays armed, so every change of the shown
        market is seen (the gaps between them decide the policy); about 1 us a message."""
        if self._stopped:
            return False
        now = self.loop.time()
        if self._last_change is not None:
            gap = now - self._last_change
            if gap < BURST_GAP * self.interval:
                # Frames of one burst (a depth update and its trades) are one change: their
                # zero gaps made the estimate short, so the paint fell just before the next
                # change (bench_app at 50 msg/s: half the changes waited 85 ms).
                return self._burst_frame(now)
            self._gap = gap if math.isinf(self._gap) else self._gap + GAP_WEIGHT * (
                gap - self._gap)
        self._last_change = now
        if self._waiting_since is None:
            self._waiting_since = now
        token_at = self._token_at(now)
        at = self._window_at(token_at)
        gap = self._gap
        if at > now and token_at > now and FLOOD_GAP * self.interval <= gap < self.interval:
            # Paint with the next change (expected in `gap`, give or take a quarter), an
            # interval after the first waiting one at the latest; and not sooner for a flash
            # ending, which would take the slot and make the next change wait in its turn.
            at = max(at, min(token_at + gap * 1.25, self._waiting_since + self.interval))
            self._schedule(at, replace=True)
        else:
            self._schedule(at)
        return True

    def _burst_frame(self, now: float) -> bool:
        if self._waiting_since is None:  # the burst's first frame was painted already
            self._waiting_since = now
            self._schedule(self._earliest(now))
        return True

    def request(self, at: float) -> None:
        """Paint at loop time `at` for something that changes with time (a flash ending,
        the status bar's age), or when the cap allows if that is later. While the market
        changes more often than the cap, the next data paint shows it anyway: such a paint
        waits for a quiet interval instead. (bench_app at 50 msg/s: flash ends, one per
        change, took the slot of every other change, which then waited 80 ms.)"""
        if self._stopped:
            return
        if self._last_change is not None and self._gap < self.interval:
            at = max(at, self._last_change + self.interval)
        self._schedule(self._earliest(at))

    def painted(self, next_at: float | None) -> None:
        """A paint just ran (it showed whatever a scheduled paint was for): schedule the next
        one it asked for. The cap counts from the paint's start: counted from its end, the
        paints drifted 1/fps + a paint apart (+5-15 ms at 5,000 msg/s), and so did a
        change's wait."""
        started, self._started = self._started, None
        self.last_paint = at = self.loop.time() if started is None else started
        self.paints += 1
        self._tokens, self._tokens_at = self._level(at) - 1.0, at
        self._window.append(at)
        self._waiting_since = None
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

    def _cap(self) -> float:
        flood = self._gap < FLOOD_GAP * self.interval
        return 1.0 if flood else BURST  # a flood fills every slot: a burst only jitters it

    def _level(self, at: float) -> float:
        return min(self._cap(), self._tokens + (at - self._tokens_at) * self.fps)

    def _token_at(self, at: float) -> float:
        """The first time from `at` on when the bucket holds a paint."""
        level = self._level(at)
        return at if level >= 1.0 else at + (1.0 - level) / self.fps

    def _earliest(self, at: float) -> float:
        """The first time from `at` on when both the bucket and the window allow a paint."""
        return self._window_at(self._token_at(at))

    def _window_at(self, at: float) -> float:
        """The first time from `at` on when the window has room."""
        w = self._window
        return at if len(w) < (w.maxlen or 1) else max(at, w[0] + self._window_s)

    def _schedule(self, at: float, replace: bool = False) -> None:
        if at >= self._due and not replace:
            return  # a paint at least as early is already scheduled
        if self._handle is not None:
            self._handle.cancel()
        self._due = at
        self._handle = self.loop.call_at(at, self._run)

    def _run(self) -> None:
        self._handle, self._due = None, math.inf
        self._started = self.loop.time()
        try:
            with held():  # no collection adds to the paint's latency (app/collector.py)
                self.paint()
        finally:
            self._started = None
