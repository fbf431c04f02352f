"""Keep-alive of one connection: when to ping, and when the link is to be given up as stale.

The server closes a connection that sends nothing for 60 s, and a half-open TCP link can
look alive for minutes. So: `server.ping` every `interval` (the first at once, which also
measures latency), and the link is dead when a ping goes unanswered for `pong_timeout` or no
frame at all arrives for `stale_after`.
"""

from __future__ import annotations

# A strict time-out (`now - since > timeout`) has passed this long after its deadline: a
# wake-up at `since + timeout + LATE` finds it due (an exact one would find it not yet).
LATE = 1e-3


class KeepAlive:
    __slots__ = ("interval", "pong_timeout", "stale_after", "last_ping", "unanswered_since")

    def __init__(self, interval: float, pong_timeout: float, stale_after: float) -> None:
        self.interval = interval
        self.pong_timeout = pong_timeout
        self.stale_after = stale_after
        self.last_ping = float("-inf")
        self.unanswered_since: float | None = None  # sent_at of the oldest ping without a pong

    def start(self, now: float) -> None:
        """A new connection: ping at once, nothing outstanding."""
        self.last_ping = now - self.interval
        self.unanswered_since = None

    def ping_due(self, now: float) -> bool:
        return now - self.last_ping >= self.interval

    def pinged(self, now: float) -> None:
        self.last_ping = now
        if self.unanswered_since is None:
            self.unanswered_since = now

    def ponged(self, sent_at: float) -> None:
        if self.unanswered_since == sent_at:
            self.unanswered_since = None

    def next_deadline(self, last_message_at: float | None) -> float:
        """When `ping_due` or `verdict` next turns: the next ping, a pong's or the data's
        time-out, whichever comes first."""
        deadline = self.last_ping + self.interval
        if self.unanswered_since is not None:
            deadline = min(deadline, self.unanswered_since + self.pong_timeout + LATE)
        if last_message_at is not None:
            deadline = min(deadline, last_message_at + self.stale_after + LATE)
        return deadline

    def verdict(self, now: float, last_message_at: float | None) -> str | None:
        """Why the link is stale and must be dropped, or None while it is alive."""
        if self.unanswered_since is not None and now - self.unanswered_since > self.pong_timeout:
            return f"no pong within {self.pong_timeout:g} s"
        if last_message_at is not None and now - last_message_at > self.stale_after:
            return f"no data for {self.stale_after:g} s"
        return None
