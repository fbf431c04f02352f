"""The requests of one connection: ids, what the link must write next, replies matched by id.

No I/O: `send` only queues the encoded request; the link takes the queue with
`take_outgoing` and writes it. Everything here is forgotten when a connection ends, since ids
restart at 1 on the next one and nothing in flight on the old one is ever answered.
"""

from __future__ import annotations

from typing import NamedTuple

from dfx_tui.book.codec import RequestEncoder

PING = "server.ping"


class Request(NamedTuple):  # never changed; not a dataclass: ~0.7 ms of every start
    """One request sent (or about to be), until its reply or its time-out."""

    id: int
    method: str
    params: list[str]
    wire: str  # the encoded text the link writes
    sent_at: float  # the core's clock (time.monotonic() in the app)
    sent_wall: float  # Unix seconds, for the server clock offset
    markets: tuple[str, ...] = ()  # subscribes: the markets it asks for
    probe: bool = False  # a one-market subscribe that looks for a refused market


class Requests:
    """Requests in flight on one connection, keyed by id, and the queue the link writes."""

    __slots__ = ("_encoder", "pending", "_outbox")

    def __init__(self) -> None:
        self._encoder = RequestEncoder()
        self.pending: dict[int, Request] = {}
        self._outbox: list[Request] = []

    def reset(self) -> None:
        """A new connection: ids start again, nothing in flight, nothing queued."""
        self._encoder = RequestEncoder()
        self.pending.clear()
        self._outbox.clear()

    def send(self, method: str, params: list[str], now: float, wall: float, *,
             markets: tuple[str, ...] = (), probe: bool = False) -> Request:
        rid, wire = self._encoder.encode(method, params)
        request = Request(rid, method, list(params), wire, now, wall, markets, probe)
        self.pending[rid] = request
        self._outbox.append(request)
        return request

    def take_outgoing(self) -> list[Request]:
        """The requests queued since the last call, oldest first, for the link to write."""
        out, self._outbox = self._outbox, []
        return out

    def answered(self, rid: int) -> Request | None:
        """The request a reply answers, no longer in flight; None if not ours (or timed out)."""
        return self.pending.pop(rid, None)

    def oldest_sent(self) -> float | None:
        """When the oldest request that `expire` would time out was sent (None: none)."""
        return min((r.sent_at for r in self.pending.values() if r.method != PING),
                   default=None)

    def expire(self, now: float, timeout: float) -> list[Request]:
        """Requests unanswered for longer than `timeout`, dropped from the pending set.

        Pings are left alone: a missing pong is the keep-alive's business (a shorter clock).
        """
        late = [r for r in self.pending.values()
                if now - r.sent_at > timeout and r.method != PING]
        for request in late:
            del self.pending[request.id]
        return late
