"""Reconnect delays: exponential backoff with jitter, reset only by real market data."""

from __future__ import annotations

import random


class Backoff:
    """`base` doubling up to `cap`, each delay scaled by a random factor in 1 +- `jitter`."""

    __slots__ = ("base", "cap", "jitter", "attempt", "_rng")

    def __init__(self, base: float = 0.5, cap: float = 30.0, jitter: float = 0.25,
                 rng: random.Random | None = None) -> None:
        self.base = base
        self.cap = cap
        self.jitter = jitter
        self.attempt = 0
        self._rng = rng or random.Random()

    def next_delay(self) -> float:
        raw = min(self.cap, self.base * 2.0 ** min(self.attempt, 30))
        self.attempt += 1
        return max(0.0, raw * (1.0 + self._rng.uniform(-self.jitter, self.jitter)))

    def reset(self) -> None:
        self.attempt = 0
