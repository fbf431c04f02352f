"""The connection shell around `FeedCore`: connect, read frames, write what the core asks for.

One connection at a time, reopened with backoff until `close`. While a connection is open two
tasks share it: `_serve` reads frames into the core (the hot path), and `_control` (the only
writer) ticks the core at its next deadline or when it asks for it, writes the requests it
queued and drops the link when the core says it is stale. Nothing here decides policy; it reports
what happened to the core and says why a connection ended.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from urllib.parse import urlsplit

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus
from websockets.frames import Frame, Opcode
from websockets.protocol import Event

from dfx_tui.app.config import AppConfig
from dfx_tui.app.feed.core import FeedCore
from dfx_tui.app.feed.notices import ERROR_LIMIT
from dfx_tui.book.state import LinkState
from dfx_tui.book.text import inert_text

log = logging.getLogger("dfx_tui.feed")

MAX_FRAME = 4 * 1024 * 1024  # compressed frame size accepted from the server
_LOOPBACK = ("127.0.0.1", "::1", "localhost")  # never through a system proxy (dfx-sim, tests)


class DirectConnection(ClientConnection):
    """A client connection that hands each complete data frame to `on_frame` as it is parsed,
    inside `data_received`, instead of queueing it for `recv`.

    websockets' reader queues every frame (`Assembler.put`, flow control) and wakes the
    reading task, which takes it back out through `recv`, an async generator and a coroutine
    resume a frame: per frame, work the feed has no use for, since it handles a frame
    synchronously anyway. tests/benchmarks/bench_link.py, frames in dfx-sim's bursts at
    5,000 msg/s (12 a write): 63.3 -> 55.1 us of the client's CPU a frame (median of 3
    interleaved runs; the pairs saved 7.6-11 us), about 15% of what a frame costs.

    Anything else takes websockets' own path, which `FeedLink._serve` still reads: frames
    before `on_frame` is set, fragmented messages, a text frame that is not UTF-8 (websockets
    closes with 1007, as before), and any frame while that path holds frames not yet read
    (so the order of messages is kept)."""

    on_frame: Callable[[bytes | str, float], None] | None = None
    failure: BaseException | None = None  # `on_frame` raised: the link is dropped

    def process_event(self, event: Event) -> None:
        on_frame = self.on_frame
        # `frames` is websockets' internal queue (17.x); a websockets without it gets its own
        # path for every frame rather than a failure.
        queued = getattr(self.recv_messages, "frames", None)
        if (on_frame is None or type(event) is not Frame or not event.fin or queued is None
                or len(queued) or self.failure is not None):
            super().process_event(event)
            return
        opcode = event.opcode
        if opcode is Opcode.BINARY:
            data: bytes | str = bytes(event.data)
        elif opcode is Opcode.TEXT:
            try:
                data = str(event.data, "utf-8")
            except UnicodeDecodeError:
                super().process_event(event)  # `recv` fails it with 1007
                return
        else:
            super().process_event(event)
            return
        try:
            on_frame(data, time.monotonic())
        except Exception as exc:  # a bug, not bad input (the core never raises for that)
            log.exception("handling a frame failed")
            self.failure = exc
            self.transport.abort()


class FeedLink:
    """The live connection of one feed. `connects` counts handshakes, `failed_connects` the
    failed attempts since the last one."""

    def __init__(self, core: FeedCore, config: AppConfig, *, max_size: int,
                 on_frame: Callable[[bytes | str, float], None],
                 on_connect: Callable[[str], None]) -> None:
        self.core = core
        self.config = config
        self.max_size = max_size
        self.websocket: ClientConnection | None = None
        self.connects = 0
        self.failed_connects = 0
        self._on_frame = on_frame
        self._on_connect = on_connect
        self._closing = False
        self._wake = asyncio.Event()
        self._drop_reason: str | None = None  # why _control dropped the link, if it did
        core.on_wake = self._wake.set

    async def run(self) -> None:
        """Connect, serve, and reconnect after a backoff, until `close`."""
        core, url = self.core, self.config.url
        first = True
        while not self._closing:
            if not first:
                delay = core.backoff.next_delay()
                core.status.reconnects += 1
                core.set_link(LinkState.RECONNECTING)
                await asyncio.sleep(delay)
            else:
                core.set_link(LinkState.CONNECTING)
            first = False
            try:
                ws = await self._connect(url)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self.failed_connects += 1
                core.set_link(LinkState.RECONNECTING, connect_error(url, exc))
                continue
            self.connects += 1
            self.failed_connects = 0
            await self._serve(ws)

    async def close(self) -> None:
        """Stop reconnecting and close the open connection (if any) politely, briefly."""
        self._closing = True
        ws = self.websocket
        if ws is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(ws.close(), 1.0)

    async def _connect(self, url: str) -> ClientConnection:
        host = urlsplit(url).hostname or ""
        return await connect(
            url,
            max_size=self.max_size,
            ping_interval=None,  # the core sends server.ping itself
            open_timeout=self.config.request_timeout,
            close_timeout=1.0,
            compression=None,  # the live server negotiates none
            proxy=None if host in _LOOPBACK else True,
            create_connection=DirectConnection,
        )

    async def _serve(self, ws: ClientConnection) -> None:
        """Run one open connection until it dies."""
        self.websocket = ws
        url = self.config.url
        log.info("connected to %s", url)
        self._on_connect(url)
        self.core.connected(time.monotonic(), url)
        control = asyncio.create_task(self._control(ws), name="dfx-feed-control")
        reason = "connection closed"
        try:
            handle = self._on_frame
            mono = time.monotonic
            if isinstance(ws, DirectConnection):
                ws.on_frame = handle  # from here on frames are handled as they are parsed
            async for data in ws:  # what the direct path leaves to websockets (see above)
                handle(data, mono())
            reason = close_reason(ws)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            reason = close_reason(ws, exc)
        finally:
            if not control.done():
                control.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await control
            failure = getattr(ws, "failure", None)
            if failure is not None:
                reason = close_reason(ws, failure)
            if self._drop_reason:
                reason = self._drop_reason
            self._drop_reason = None
            self.websocket = None
            if self._closing:  # quitting keeps the last states for a final print
                self.core.reset_link()
            else:
                log.info("disconnected: %s", reason)
                self.core.disconnected(reason)
            with contextlib.suppress(Exception):
                ws.transport.abort()

    async def _control(self, ws: ClientConnection) -> None:
        """Tick the core and write what it queued; drop the link when it says so. Between
        ticks it sleeps until the core's next deadline (`wake_in`: a ping, a time-out, a
        resubscribe) or until the core asks for a tick (`on_wake`), nothing else: an idle
        connection wakes a few times a minute (issue 11: a 0.25 s clock woke it 4 times a
        second)."""
        core, wake = self.core, self._wake
        mono = time.monotonic
        try:
            while True:
                wake.clear()
                why = core.tick(mono())
                for request in core.take_outgoing():
                    await ws.send(request.wire)
                if why is not None:
                    self._drop(ws, why)
                    return
                wait = core.wake_in(mono())
                if wait is not None and wait <= 0:
                    await asyncio.sleep(0)
                    continue
                if wait is None:
                    await wake.wait()
                    continue
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(wake.wait(), wait)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # a send on a dead socket, mostly
            self._drop(ws, inert_text(f"send failed: {exc}", ERROR_LIMIT))

    def _drop(self, ws: ClientConnection, reason: str) -> None:
        self._drop_reason = reason
        ws.transport.abort()


def connect_error(url: str, exc: BaseException) -> str:
    """One line saying why a handshake failed."""
    if isinstance(exc, InvalidStatus):
        return f"handshake refused: HTTP {exc.response.status_code}"
    if isinstance(exc, TimeoutError):
        return "handshake timed out"
    if isinstance(exc, InvalidHandshake):
        return inert_text(f"handshake failed: {exc}", ERROR_LIMIT)
    if isinstance(exc, OSError):
        host = urlsplit(url).netloc
        why = "connection refused" if isinstance(exc, ConnectionRefusedError) else (
            exc.strerror or str(exc))
        return inert_text(f"cannot connect to {host}: {why}", ERROR_LIMIT)
    return inert_text(f"connect failed: {type(exc).__name__}: {exc}", ERROR_LIMIT)


def close_reason(ws: ClientConnection, exc: BaseException | None = None) -> str:
    """One line saying why a connection ended, and who closed it."""
    if exc is not None and not isinstance(exc, ConnectionClosed):
        return inert_text(f"connection error: {exc}", ERROR_LIMIT)
    protocol = ws.protocol
    rcvd, sent = protocol.close_rcvd, protocol.close_sent
    if sent is not None and (rcvd is None or protocol.close_rcvd_then_sent is False):
        # We closed first: websockets refused a frame (1009 too big, 1002, 1007, ...).
        text = f"bad frame from the server, connection closed ({sent.code}"
        return inert_text(text + (f" {sent.reason})" if sent.reason else ")"), ERROR_LIMIT)
    if rcvd is not None:
        text = f"server closed the connection ({rcvd.code}"
        return inert_text(text + (f" {rcvd.reason})" if rcvd.reason else ")"), ERROR_LIMIT)
    return "connection lost"
