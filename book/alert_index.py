"""Level-crossing alerts on one value series, indexed by level: a move checks only the alerts
it passes, never a scan of all of them.

An UP alert at level L is *beyond* when the value is >= L (or > L when the series is
strict); it fires when a move goes from not beyond to beyond, then disarms. It re-arms once
the value is back past the hysteresis band: < L - h (<= L - h when strict), the mirror of
"beyond" at L - h. DOWN is the same upside down. A new alert is armed; a value already
beyond does not fire it (no crossing happened) until it comes back and crosses again.

Armed alerts sit in one sorted list per direction keyed by their level; disarmed ones in
another keyed by their re-arm level. A move from p0 to p1 bisects each list for the keys
between p0 and p1, so its cost is O(log n + alerts fired or re-armed).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sortedcontainers import SortedKeyList


@dataclass(eq=False, slots=True)  # identity equality: the sorted lists find items by identity
class Crossing:
    id: int
    level: float
    up: bool
    band: float  # hysteresis, in the series' units, >= 0
    armed: bool = True

    @property
    def rearm_level(self) -> float:
        return self.level - self.band if self.up else self.level + self.band


def _by_level(alert: Crossing) -> float:
    return alert.level


def _by_rearm(alert: Crossing) -> float:
    return alert.rearm_level


class CrossingIndex:
    """Crossing alerts on one series (see the module doc); `move` returns those that fire."""

    __slots__ = ("strict", "value", "_up", "_up_idle", "_down", "_down_idle")

    def __init__(self, strict: bool) -> None:
        self.strict = strict
        self.value: float | None = None
        self._up: Any = SortedKeyList(key=_by_level)
        self._up_idle: Any = SortedKeyList(key=_by_rearm)
        self._down: Any = SortedKeyList(key=_by_level)
        self._down_idle: Any = SortedKeyList(key=_by_rearm)

    def __len__(self) -> int:
        return len(self._up) + len(self._up_idle) + len(self._down) + len(self._down_idle)

    def _list(self, alert: Crossing) -> Any:
        if alert.up:
            return self._up if alert.armed else self._up_idle
        return self._down if alert.armed else self._down_idle

    def add(self, alert: Crossing) -> None:
        if alert.band < 0:
            raise ValueError("hysteresis must be >= 0")
        self._list(alert).add(alert)

    def remove(self, alert: Crossing) -> None:
        self._list(alert).discard(alert)

    def move(self, value: float) -> list[Crossing]:
        """Set the series to `value`; return the alerts that fire, in the order passed."""
        old, self.value = self.value, value
        if old is None or value == old:
            return []
        strict = self.strict
        if value > old:
            fired = _between(self._up, old, value, strict, not strict)
            rearmed = _between(self._down_idle, old, value, not strict, strict)
        else:
            fired = _between(self._down, value, old, not strict, strict)[::-1]
            rearmed = _between(self._up_idle, value, old, strict, not strict)
        for alert in rearmed:
            self._toggle(alert)
        for alert in fired:
            self._toggle(alert)
        return fired

    def _toggle(self, alert: Crossing) -> None:
        self._list(alert).remove(alert)
        alert.armed = not alert.armed
        self._list(alert).add(alert)


def _between(keyed: Any, lo: float, hi: float, lo_in: bool, hi_in: bool) -> list[Crossing]:
    found: list[Crossing] = list(keyed.irange_key(lo, hi, inclusive=(lo_in, hi_in)))
    return found

