"""Subscriptions of one connection: which markets are in sync, which wait for their snapshot,
when to (re)subscribe, and the search for the market a server refused.

Subscriptions follow docs/protocol.md: on any change of the wanted set send
``X.unsubscribe []`` then one ``X.subscribe`` with the full list (correct whether the server
adds or replaces); resubscribe after every reconnect. No I/O here: the core asks these objects
what to do and queues the requests itself.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Container, Iterable

CHANNELS = ("depth", "trades")
# Error codes of the protocol family that mean "try again later", not "no such market":
# 2 internal error, 3 service unavailable, 5 service timeout.
TRANSIENT_ERRORS = (2, 3, 5)
RESYNC_WINDOW_S = 10.0  # resyncs within this window count towards throttling
QUICK_GAP_S = 0.2  # changes within this are coalesced into one resubscribe
SLOW_GAP_S = 2.0  # a server failing the checks again and again: at most one resubscribe per 2 s
MAX_RETRY_S = 30.0


class SnapshotWait:  # a plain class, not a dataclass: ~0.6 ms of every start to define
    """A market subscribed on this connection whose snapshot has not arrived yet."""

    __slots__ = ("since", "acked")

    def __init__(self, since: float, acked: bool = False) -> None:
        # The first subscribe for it on this connection (kept across resubscribes); whether
        # the subscribe was answered (or timed out): deltas now are for it.
        self.since = since
        self.acked = acked


class Probe:
    """After a subscribe of several markets was refused: subscribe them one at a time to find
    which one the server refuses. One probe in flight at a time; the core sends it."""

    __slots__ = ("running", "suspects", "in_flight")

    def __init__(self) -> None:
        self.running = False
        self.suspects: list[str] = []
        self.in_flight: int | None = None  # request id of the probe awaiting its reply

    def start(self, suspects: Iterable[str]) -> None:
        self.running = True
        self.suspects = list(suspects)
        self.in_flight = None

    def next_suspect(self, wanted: Container[str]) -> str | None:
        """The next market to try alone (skipping any removed or rejected meanwhile); None
        when every suspect was tried, which ends the probe."""
        while self.suspects:
            name = self.suspects.pop(0)
            if name in wanted:
                return name
        self.running = False
        return None

    def reset(self) -> None:
        self.running = False
        self.suspects = []
        self.in_flight = None


class Subscriptions:
    __slots__ = ("synced", "waiting", "needed", "last_sent", "not_before", "failures",
                 "_resyncs", "probe")

    def __init__(self) -> None:
        self.synced: set[str] = set()  # markets whose snapshot arrived on this connection
        self.waiting: dict[str, SnapshotWait] = {}
        self.needed = False  # the wanted set changed or a book needs a fresh snapshot
        self.last_sent = float("-inf")
        self.not_before = float("-inf")  # after a transient refusal: retry from then on
        self.failures = 0  # transient refusals in a row
        # Kept across connections: a server that fails the checks stays throttled.
        self._resyncs: deque[float] = deque(maxlen=16)
        self.probe = Probe()

    def reset(self) -> None:
        """A new connection: nothing subscribed, nothing in sync."""
        self.synced.clear()
        self.waiting.clear()
        self.needed = False
        self.not_before = float("-inf")
        self.failures = 0
        self.probe.reset()

    # ------------------------------------------------------------ per market
    def forget(self, name: str) -> None:
        self.synced.discard(name)
        self.waiting.pop(name, None)

    def resynced(self, name: str, now: float) -> None:
        self.synced.discard(name)
        self._resyncs.append(now)

    def snapshot_arrived(self, name: str) -> None:
        self.waiting.pop(name, None)

    def early_delta(self, name: str) -> bool:
        """True while the subscribe for `name` is unanswered: a delta now is left over from
        an earlier subscription, not a gap in this one."""
        wait = self.waiting.get(name)
        return wait is not None and not wait.acked

    def acked(self, markets: Iterable[str]) -> None:
        for name in markets:
            wait = self.waiting.get(name)
            if wait is not None:
                wait.acked = True

    def overdue(self, now: float, timeout: float) -> list[str]:
        """Markets whose snapshot has not come within `timeout` of their first subscribe."""
        return [name for name, wait in self.waiting.items() if now - wait.since > timeout]

    def oldest_wait(self) -> float | None:
        """The first subscribe of the market waiting longest for its snapshot (None: none)."""
        return min((wait.since for wait in self.waiting.values()), default=None)

    # ------------------------------------------------------------ when to resubscribe
    def gap(self, now: float) -> float:
        """Least time between two resubscribes: short, unless resyncs keep coming."""
        recent = self._resyncs
        while recent and now - recent[0] > RESYNC_WINDOW_S:
            recent.popleft()
        return QUICK_GAP_S if len(recent) < 3 else SLOW_GAP_S

    def due(self, now: float) -> float | None:
        """When the next resubscribe may go out; None if none is needed."""
        if not self.needed:
            return None
        return max(self.last_sent + self.gap(now), self.not_before)

    def sent(self, wanted: Iterable[str], now: float) -> None:
        """A subscribe for `wanted` goes out now. The snapshot clock keeps running across
        resubscribes, so a market that never gets a snapshot ends REJECTED instead of
        resyncing forever."""
        self.needed = False
        self.last_sent = now
        for name in wanted:
            if name not in self.synced:
                self.waiting.setdefault(name, SnapshotWait(now)).acked = False

    def accepted(self) -> None:
        self.failures = 0

    def refused_for_now(self, now: float) -> None:
        """A transient refusal: try again later, doubling the wait each time."""
        self.failures += 1
        self.not_before = now + min(MAX_RETRY_S, 0.5 * 2.0 ** min(self.failures - 1, 10))
        self.needed = True
