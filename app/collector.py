"""The app's garbage-collection policy, in one place: off during start-up (app/cli.py), then
start-up's heap frozen and young collections made rarer, and none inside a paint.

Measured at 5,000 msg/s (tests/benchmarks/bench_app.py):
- full collections walking the start-up heap (modules, CSS, widgets) paused the loop
  45-65 ms every few seconds, longer than a repaint interval: `StartupHeap.freeze`;
- each middle collection (2.6 a second, 2.1 ms each) walked every book level and cached
  strip: with young collections every 10,000 allocations instead of 700, collector time per
  10 s went 99-160 -> 60-73 ms and middle collections 26 -> 1 (2 interleaved pairs); the
  longest young pause went 4-8 -> 8-10 ms;
- such a pause inside a paint was added to its latency, the tail of the staleness goal:
  `held()` makes one that falls due wait until the picture is written (staleness p99
  1.19 -> 1.15 intervals, clock tick to screen p99 20.6 -> 15.8 ms, 3 repetitions).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

YOUNG_THRESHOLD = 10_000


class StartupHeap:
    """Freezes what start-up built and raises the young threshold; `thaw` undoes both, so
    nothing stays pinned (tests run many apps in one process)."""

    def __init__(self) -> None:
        self.frozen = False
        self._threshold = gc.get_threshold()

    def freeze(self) -> None:
        gc.collect()
        gc.freeze()
        self._threshold = gc.get_threshold()
        gc.set_threshold(YOUNG_THRESHOLD)
        self.frozen = True
        gc.enable()  # off since start-up when run from the command line (app/cli.py)

    def thaw(self) -> None:
        if self.frozen:
            gc.unfreeze()
            gc.set_threshold(*self._threshold)
            self.frozen = False


@contextmanager
def held() -> Iterator[None]:
    """No collection inside the block; one that fell due runs at the next allocation after
    it. Left off if it was off (start-up)."""
    collecting = gc.isenabled()
    if collecting:
        gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()
