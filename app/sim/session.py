"""One client connection: its subscriptions, its counters, and how frames reach it.

Frames are written synchronously (websockets' ``broadcast`` on one connection) in the order
they are produced, so a connection's view is exactly snapshot + every later delta. There is
no per-message await; a client that cannot keep up is closed once its write buffer passes
``max_buffer`` bytes rather than being allowed to slow the others down.
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING, Any

from websockets.asyncio.server import ServerConnection, broadcast

from dfx_tui.app.sim import wire
from dfx_tui.app.sim.faults import CORRUPT_KINDS, corrupt_frame, corrupt_ticker_frame

if TYPE_CHECKING:
    from collections.abc import Callable


class Counters:
    """Counters; the server keeps one set in total and one per connection. A plain class,
    not a dataclass (~0.9 ms of every demo start to define): every counter starts at 0."""

    connections: int = 0  # handshakes accepted (server total only)
    active: int = 0  # open connections (server total only)
    handshakes_refused: int = 0  # 502s from the refuse_handshakes fault
    not_found: int = 0  # handshakes on a wrong path (404)
    requests: int = 0
    frames_sent: int = 0
    bytes_sent: int = 0
    depth_msgs_sent: int = 0  # depth.update clean=false
    snapshots_sent: int = 0  # depth.update clean=true
    trade_msgs_sent: int = 0  # trades.update, both kinds
    ticker_msgs_sent: int = 0  # ticker.update
    all_ticker_msgs_sent: int = 0  # all_ticker.update
    replies_sent: int = 0  # every reply, errors included
    errors_sent: int = 0
    corrupt_sent: int = 0
    crossed_sent: int = 0
    drops: int = 0
    stalls: int = 0
    idle_closes: int = 0
    lifetime_closes: int = 0
    slow_closes: int = 0

    def __init__(self) -> None:
        for name in NAMES:
            setattr(self, name, 0)

    def __getitem__(self, key: str) -> int:
        value: int = getattr(self, key)
        return value

    def as_dict(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in NAMES}


NAMES = tuple(Counters.__annotations__)  # the counters, in their order


_ids = itertools.count(1)


class Session:
    def __init__(
        self,
        ws: ServerConnection,
        total: Counters,
        *,
        now: float,
        text_replies: bool = False,
        corrupt_every: int = 0,
        max_buffer: int = 64 << 20,
        on_slow: Callable[[Session], None] | None = None,
    ) -> None:
        self.id = next(_ids)
        self.ws = ws
        self.total = total
        self.stats = Counters()
        self.opened = now
        self.last_recv = now
        self.depth: set[str] = set()
        self.trades: set[str] = set()
        self.ticker: set[str] = set()
        self.all_ticker = False
        self.stalled = False
        self.closed = False
        self.crossed_done = False
        self._text_replies = text_replies
        self._corrupt_every = corrupt_every
        self._since_corrupt = 0
        self._corrupt_kind = 0
        self._since_corrupt_ticker = 0  # the ticker channels count (and rotate) on their own
        self._corrupt_ticker_kind = 0
        self._max_buffer = max_buffer
        self._on_slow = on_slow

    def __repr__(self) -> str:
        return f"<Session {self.id} depth={sorted(self.depth)} trades={sorted(self.trades)}>"

    # ----- the one write path -------------------------------------------------------
    def _write(self, frame: bytes | str, field: str | None) -> None:
        if self.stalled or self.closed:
            return
        broadcast((self.ws,), frame)
        n = len(frame)
        for c in (self.stats, self.total):
            c.frames_sent += 1
            c.bytes_sent += n
            if field:
                setattr(c, field, getattr(c, field) + 1)
        transport = self.ws.transport
        if transport is not None and transport.get_write_buffer_size() > self._max_buffer:
            self.closed = True
            if self._on_slow:
                self._on_slow(self)

    # ----- what the server sends ----------------------------------------------------
    def reply(self, body: dict[str, Any]) -> None:
        frame = wire.dumps(body) if self._text_replies else wire.encode(body)
        self._write(frame, "replies_sent")
        if body.get("error") is not None:
            for c in (self.stats, self.total):
                c.errors_sent += 1

    def send_depth(self, frame: bytes, market: str) -> None:
        self._write(frame, "depth_msgs_sent")
        if self._corrupt_every:
            self._since_corrupt += 1
            if self._since_corrupt >= self._corrupt_every:
                self._since_corrupt = 0
                kind = CORRUPT_KINDS[self._corrupt_kind % len(CORRUPT_KINDS)]
                self._corrupt_kind += 1
                self._write(corrupt_frame(kind, market), "corrupt_sent")

    def send_snapshot(self, frame: bytes) -> None:
        self._write(frame, "snapshots_sent")

    def send_trades(self, frame: bytes) -> None:
        self._write(frame, "trade_msgs_sent")

    def send_ticker(self, frame: bytes, all_markets: bool) -> None:
        """A ticker.update (or all_ticker.update) push; `corrupt_every` counts these apart
        from depth, so ticker corruption never shifts the depth channel's."""
        self._write(frame, "all_ticker_msgs_sent" if all_markets else "ticker_msgs_sent")
        if self._corrupt_every:
            self._since_corrupt_ticker += 1
            if self._since_corrupt_ticker >= self._corrupt_every:
                self._since_corrupt_ticker = 0
                kind = CORRUPT_KINDS[self._corrupt_ticker_kind % len(CORRUPT_KINDS)]
                self._corrupt_ticker_kind += 1
                self._write(corrupt_ticker_frame(kind, all_markets), "corrupt_sent")

    def send_raw(self, frame: bytes | str, field: str | None = None) -> None:
        self._write(frame, field)

    def bump(self, field: str) -> None:
        for c in (self.stats, self.total):
            setattr(c, field, getattr(c, field) + 1)

    def info(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "depth": sorted(self.depth),
            "trades": sorted(self.trades),
            "ticker": sorted(self.ticker),
            "all_ticker": self.all_ticker,
            "stalled": self.stalled,
            **self.stats.as_dict(),
        }
