"""The feed client: one WebSocket for all markets, books kept right through every fault.

Data path (hot, once per frame): read frame -> `inflate`/`parse_json` -> recorder ->
`handle_message` -> `classify` -> apply in place to the market's book/tape -> bump counters.
No logging, notices, time formatting or awaits per message; rates come from a 1 Hz timer.

Everything else (requests, keep-alive, stale detection, timeouts, resubscription) runs in
one control task per connection, so only that task ever writes to the socket.

Subscriptions follow docs/protocol.md: on any change of the wanted set send
``X.unsubscribe []`` then one ``X.subscribe`` with the full list (correct whether the server
adds or replaces); drop pushes for markets not wanted; resubscribe after every reconnect.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from dfx_tui.app.config import AppConfig
from dfx_tui.app.feed.backoff import Backoff
from dfx_tui.app.feed.recorder import Recorder, read_recording
from dfx_tui.book.codec import (
    DepthUpdate,
    ErrorReply,
    ProtocolError,
    Reply,
    RequestEncoder,
    TradesUpdate,
    classify,
    inflate,
    normalize_market,
    parse_json,
)
from dfx_tui.book.levels import MAX_LEVELS
from dfx_tui.book.state import ConnectionStatus, LinkState, Market, MarketState

log = logging.getLogger("dfx_tui.feed")

MAX_FRAME = 4 * 1024 * 1024  # compressed frame size accepted from the server
CHANNELS = ("depth", "trades")
# Error codes of the protocol family that mean "try again later", not "no such market":
# 2 internal error, 3 service unavailable, 5 service timeout.
TRANSIENT_ERRORS = (2, 3, 5)
# Updates that only ever add levels far from the touch would grow a book without end.
MAX_BOOK_LEVELS = 4 * MAX_LEVELS
_LOOPBACK = ("127.0.0.1", "::1", "localhost")


@dataclass(slots=True)
class FeedNotice:
    """A rare event for the UI: connected, disconnected, stale, resync, rejected, error,
    replay_done."""

    kind: str
    market: str | None
    text: str


@dataclass(slots=True)
class _Pending:
    method: str
    params: list[str]
    sent_at: float  # monotonic
    sent_wall: float
    future: asyncio.Future[Reply | ErrorReply | None] | None = None
    markets: tuple[str, ...] = field(default_factory=tuple)


class _LinkDead(Exception):
    """Raised inside the control task when the link must be dropped and reopened."""


# C0/C1 controls, DEL, bidi overrides and line separators: server text must never act on a
# terminal, whether it ends up in the status bar, in --once's stderr or in a log line.
_CONTROLS = dict.fromkeys([*range(0x20), *range(0x7F, 0xA0), 0x200E, 0x200F, 0x2028, 0x2029,
                           *range(0x202A, 0x202F), *range(0x2066, 0x206A)], " ")


def _short(text: str, limit: int = 160) -> str:
    text = " ".join(str(text).translate(_CONTROLS).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


class FeedClient:
    """One connection (or one replay) feeding `markets`; status in `status`, rare events via
    `on_notice`."""

    def __init__(self, config: AppConfig, on_notice: Callable[[FeedNotice], None] | None = None,
                 *, backoff_base: float = 0.5, backoff_max: float = 30.0,
                 max_size: int = MAX_FRAME) -> None:
        self.config = config
        self.on_notice = on_notice
        self.markets: dict[str, Market] = {}
        self.status = ConnectionStatus(url=config.replay or config.url)
        self.backoff = Backoff(backoff_base, backoff_max)
        self.max_size = max_size
        self.frames_dropped = 0  # pushes for markets not wanted, or deltas before a snapshot
        self.replay_done = False
        self.replay_warnings: list[str] = []  # skipped lines of the recording (e.g. torn tail)
        self.connects = 0  # successful handshakes
        self.failed_connects = 0  # consecutive failed attempts since the last handshake
        self.recorder: Recorder | None = None
        self._ws: Any = None
        self._task: asyncio.Task[None] | None = None
        self._rate_task: asyncio.Task[None] | None = None
        self._stopping = False
        self._started = False
        self._wake = asyncio.Event()
        self._probe: set[str] = set()  # markets to try one by one after a refused subscribe
        self._dead_reason: str | None = None
        self._resync_times: deque[float] = deque(maxlen=16)
        # per connection
        self._encoder = RequestEncoder()
        self._pending: dict[int, _Pending] = {}
        self._synced: set[str] = set()  # markets whose depth snapshot arrived on this link
        self._awaiting: dict[str, list[Any]] = {}  # market -> [subscribe sent_at, acked]
        self._resub_needed = False
        self._last_resub = 0.0
        self._resub_not_before = 0.0  # after a transient subscribe error: retry from then
        self._sub_failures = 0
        self._got_data = False
        self._ping_sent: float | None = None
        self._last_ping = 0.0
        self._connected = False
        # rates and rate-limited logging
        self._rate_prev: tuple[float, int, dict[str, int]] = (time.monotonic(), 0, {})
        self._log_after = 0.0
        self._log_suppressed = 0
        for name in config.markets:
            self.add_market(name)

    # ================================================================ markets
    def add_market(self, name: str) -> Market:
        key = normalize_market(name)
        market = self.markets.get(key)
        if market is not None:
            if market.status.state is MarketState.REJECTED:  # adding again = try again
                self._set_state(market, MarketState.WAITING, "")
                self._request_resubscribe()
            return market
        market = Market(key)
        self.markets[key] = market
        self.status.version += 1
        self._request_resubscribe()
        self._record_event("markets", markets=list(self.markets))
        return market

    def remove_market(self, name: str) -> None:
        key = normalize_market(name)
        if self.markets.pop(key, None) is None:
            return
        self._synced.discard(key)
        self._awaiting.pop(key, None)
        self.status.version += 1
        self._request_resubscribe()
        self._record_event("markets", markets=list(self.markets))

    def set_markets(self, names: Iterable[str]) -> None:
        keys = list(dict.fromkeys(normalize_market(n) for n in names))
        for key in list(self.markets):
            if key not in keys:
                self.remove_market(key)
        for key in keys:
            self.add_market(key)
        if list(self.markets) != keys:  # tab order follows the given order
            self.markets = {k: self.markets[k] for k in keys}
            self.status.version += 1

    # ================================================================ lifecycle
    async def start(self) -> None:
        if self._started:
            return
        self._started = True
        self._stopping = False
        if self.config.record and not self.config.replay:
            try:
                self.recorder = Recorder(self.config.record, list(self.markets), self.config.url)
            except OSError as exc:  # the live view goes on without a recording
                self._record_failed(exc)
        self._rate_task = asyncio.create_task(self._rate_loop(), name="dfx-feed-rates")
        if self.config.replay:
            self._task = asyncio.create_task(self._run_replay(self.config.replay),
                                             name="dfx-feed-replay")
        else:
            self._task = asyncio.create_task(self._run_live(), name="dfx-feed")

    async def stop(self) -> None:
        if self._stopping and self._task is None:
            return
        self._stopping = True
        ws = self._ws
        if ws is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(ws.close(), 1.0)
        for task in (self._task, self._rate_task):
            if task is not None and not task.done():
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
        self._task = self._rate_task = None
        if self.recorder is not None:
            try:
                self.recorder.close()
            except OSError as exc:
                self._record_failed(exc)
        self._set_link(LinkState.DOWN)

    async def wait_ready(self, timeout: float) -> bool:
        """True once every market has a snapshot or is REJECTED; False on timeout."""
        deadline = time.monotonic() + timeout
        while True:
            if self.ready():
                return True
            if self.replay_done or time.monotonic() >= deadline:
                return self.ready()
            await asyncio.sleep(0.01)

    def ready(self) -> bool:
        return all(m.status.state is MarketState.REJECTED
                   or (m.book.has_snapshot and m.status.state is MarketState.LIVE)
                   for m in self.markets.values())

    # ================================================================ the data path
    def handle_message(self, obj: Any, received_at: float) -> None:
        """Apply one decoded server message. Never raises for bad input."""
        st = self.status
        st.messages += 1
        st.last_message_at = received_at
        try:
            ev = classify(obj)
        except ProtocolError as exc:
            self._frame_rejected(exc)
            self._lost_update(obj)
            return
        kind = type(ev)
        if kind is DepthUpdate:
            market = self._wanted_market(ev.market, received_at)
            if market is None:
                return
            ms = market.status
            if ev.clean:
                market.book.apply_parsed(True, ev.asks, ev.bids)
                name = ev.market
                self._awaiting.pop(name, None)
                if market.book.is_crossed():
                    self._crossed_snapshot(market)
                else:
                    self._synced.add(name)
                    if ms.state is not MarketState.LIVE:
                        self._set_state(market, MarketState.LIVE, "")
            elif ev.market in self._synced:
                book = market.book
                book.apply_parsed(False, ev.asks, ev.bids)
                if book.is_crossed():
                    self._resync(market, "crossed book after an update")
                elif len(book) > MAX_BOOK_LEVELS:
                    book.clear()  # memory stays bounded; a fresh snapshot refills it
                    self._resync(market, f"book grew past {MAX_BOOK_LEVELS} levels")
            else:
                self._delta_before_snapshot(market)
        elif kind is TradesUpdate:
            market = self._wanted_market(ev.market, received_at)
            if market is not None:
                market.tape.apply(ev.clean, ev.trades)
        elif kind is Reply or kind is ErrorReply:
            self._on_reply(ev, received_at)
        # UnknownPush (ticker etc.): counted above, otherwise ignored

    def _wanted_market(self, name: str, received_at: float) -> Market | None:
        """The market a push is for, counted as heard from; None (dropped) if not wanted."""
        market = self.markets.get(name)
        if market is None or market.status.state is MarketState.REJECTED:
            self.frames_dropped += 1  # not wanted (not subscribed, or refused)
            return None
        ms = market.status
        ms.messages += 1
        ms.last_message_at = received_at
        if not self._got_data:
            self._first_data()
        return market

    def handle_frame(self, data: bytes | str, received_at: float) -> None:
        """A raw WebSocket frame: binary = zlib + JSON, text = JSON; then `handle_message`."""
        try:
            obj = parse_json(inflate(data) if isinstance(data, bytes) else data)
        except ProtocolError as exc:
            self.status.messages += 1
            self.status.last_message_at = received_at
            self._frame_rejected(exc)
            return
        if self.recorder is not None:
            try:
                self.recorder.frame(obj, received_at)
            except OSError as exc:  # disk full, say: stop recording, never stop the feed
                self._record_failed(exc)
        self.handle_message(obj, received_at)

    # ---------------------------------------------------------------- data-path helpers
    def _first_data(self) -> None:
        self._got_data = True
        self.backoff.reset()
        if self.status.state is not LinkState.LIVE:
            self._set_link(LinkState.LIVE)

    def _frame_rejected(self, exc: ProtocolError) -> None:
        st = self.status
        st.frames_rejected += 1
        st.last_error = _short(f"bad frame: {exc}")
        st.version += 1
        now = time.monotonic()
        if now >= self._log_after:
            extra = f" ({self._log_suppressed} more since)" if self._log_suppressed else ""
            log.warning("rejected a server frame: %s%s", st.last_error, extra)
            self._log_after = now + 5.0
            self._log_suppressed = 0
        else:
            self._log_suppressed += 1

    def _delta_before_snapshot(self, market: Market) -> None:
        self.frames_dropped += 1
        state = market.status.state
        if state is MarketState.RESYNCING or state is MarketState.REJECTED:
            return  # leftovers of the stream we already gave up on
        waiting = self._awaiting.get(market.name)
        if waiting is not None and not waiting[1]:
            return  # subscribe not acked yet: deltas of an earlier subscription still in flight
        self._resync(market, "update before any snapshot")

    def _lost_update(self, obj: Any) -> None:
        """A depth.update naming a synced market was rejected: whatever it changed is lost,
        so that book is no longer known to be right until a fresh snapshot."""
        if type(obj) is not dict or obj.get("method") != "depth.update":
            return
        params = obj.get("params")
        if type(params) is not list or len(params) < 3:
            return
        try:
            name = normalize_market(params[2])
        except ValueError:
            return
        market = self.markets.get(name)
        if market is not None and name in self._synced:
            self._resync(market, "an update could not be read")

    def _crossed_snapshot(self, market: Market) -> None:
        """Shown, but marked: a crossed or locked snapshot. Ask once for a fresh one; if that
        one is crossed too, wait for the next periodic snapshot rather than loop."""
        self._synced.discard(market.name)
        if market.status.state is MarketState.RESYNCING:
            self._set_state(market, MarketState.RESYNCING,
                            "crossed snapshot again; waiting for the next one")
            return
        self._resync(market, "crossed snapshot")

    def _resync(self, market: Market, why: str) -> None:
        self._synced.discard(market.name)
        market.status.resyncs += 1
        self._resync_times.append(time.monotonic())
        self._set_state(market, MarketState.RESYNCING, why)
        self._request_resubscribe()
        self._notice("resync", market.name, f"{market.name}: {why}; resyncing")

    def _on_reply(self, ev: Reply | ErrorReply, received_at: float) -> None:
        pending = self._pending.pop(ev.id, None)
        if pending is None:
            return  # not ours (or it timed out already)
        if pending.future is not None and not pending.future.done():
            pending.future.set_result(ev)
        method = pending.method
        st = self.status
        if method == "server.ping":
            if self._ping_sent == pending.sent_at:
                self._ping_sent = None
            st.latency_ms = round((received_at - pending.sent_at) * 1000.0, 1)
            st.version += 1
        elif method == "server.time":
            result = ev.result if type(ev) is Reply else None
            # Unix seconds; a huge integer would overflow float().
            if type(result) in (int, float) and 0 < result < 1e11:
                mid = pending.sent_wall + (received_at - pending.sent_at) / 2
                st.clock_offset_s = round(float(result) - mid, 3)
                if st.state is LinkState.CONNECTING:
                    st.state = LinkState.LIVE
                st.version += 1
        elif method.endswith(".subscribe"):
            if type(ev) is Reply:
                self._sub_failures = 0
                for name in pending.markets:
                    waiting = self._awaiting.get(name)
                    if waiting is not None:
                        waiting[1] = True
            elif pending.future is None:
                self._subscribe_failed(pending, ev)
        elif type(ev) is ErrorReply:
            st.last_error = _short(f"{method} failed: {ev.message}")
            st.version += 1

    def _subscribe_failed(self, pending: _Pending, ev: ErrorReply) -> None:
        text = _short(f"{pending.method} refused: {ev.message}")
        self.status.last_error = text
        self.status.version += 1
        if ev.code in TRANSIENT_ERRORS:
            self._retry_subscribe_later()
            return
        if not pending.method.startswith("depth."):
            return  # the depth reply decides which markets are bad
        if len(pending.markets) == 1:
            self._reject(pending.markets[0], f"server refused: {ev.message}")
        else:
            self._probe = set(pending.markets)
            self._request_resubscribe()

    def _retry_subscribe_later(self) -> None:
        self._sub_failures += 1
        delay = min(30.0, 0.5 * 2 ** min(self._sub_failures - 1, 10))
        self._resub_not_before = time.monotonic() + delay
        self._request_resubscribe()

    def _reject(self, name: str, why: str) -> None:
        market = self.markets.get(name)
        self._awaiting.pop(name, None)
        self._synced.discard(name)
        if market is None or market.status.state is MarketState.REJECTED:
            return
        self._set_state(market, MarketState.REJECTED, _short(why))
        self._notice("rejected", name, f"{name}: {_short(why)}")

    # ================================================================ state helpers
    def _set_state(self, market: Market, state: MarketState, error: str | None) -> None:
        ms = market.status
        ms.state = state
        if error is not None:
            ms.error = error
        self.status.version += 1

    def _set_link(self, state: LinkState, error: str | None = None) -> None:
        st = self.status
        st.state = state
        if error is not None:
            st.last_error = _short(error)
        st.version += 1

    def _notice(self, kind: str, market: str | None, text: str) -> None:
        if self.on_notice is not None:
            try:
                self.on_notice(FeedNotice(kind, market, text))
            except Exception:  # a UI bug must not kill the feed
                log.exception("on_notice callback failed")

    def _request_resubscribe(self) -> None:
        self._resub_needed = True
        self._wake.set()

    def _begin_connection(self) -> None:
        """Forget per-link state: nothing of the old link is trusted on the new one."""
        self._encoder = RequestEncoder()
        for p in self._pending.values():
            if p.future is not None and not p.future.done():
                p.future.set_result(None)
        self._pending.clear()
        self._synced.clear()
        self._awaiting.clear()
        self._got_data = False
        self._ping_sent = None
        self._probe = set()
        self._resub_not_before = 0.0
        self._sub_failures = 0

    def _mark_markets_stale(self) -> None:
        for market in self.markets.values():
            state = market.status.state
            if state is MarketState.LIVE or state is MarketState.RESYNCING:
                self._set_state(market, MarketState.STALE if market.book.has_snapshot
                                else MarketState.WAITING, None)
            elif state is MarketState.WAITING and market.book.has_snapshot:
                self._set_state(market, MarketState.STALE, None)

    # ================================================================ rates
    async def _rate_loop(self) -> None:
        while True:
            await asyncio.sleep(1.0)
            self._update_rates()
            if self.recorder is not None:
                try:
                    self.recorder.flush()
                except OSError as exc:
                    self._record_failed(exc)

    def _update_rates(self) -> None:
        now = time.monotonic()
        t0, n0, per0 = self._rate_prev
        dt = max(now - t0, 1e-6)
        st = self.status
        st.msgs_per_s = round((st.messages - n0) / dt, 1)
        per = {}
        for name, market in self.markets.items():
            ms = market.status
            per[name] = ms.messages
            ms.msgs_per_s = round((ms.messages - per0.get(name, 0)) / dt, 1)
        self._rate_prev = (now, st.messages, per)
        st.version += 1  # ages and rates change every second

    def _record_event(self, kind: str, **fields: Any) -> None:
        if self.recorder is not None:
            try:
                self.recorder.event(kind, **fields)
            except OSError as exc:
                self._record_failed(exc)

    def _record_failed(self, exc: OSError) -> None:
        self._set_link(self.status.state, f"recording stopped: {exc}")
        self._notice("error", None, f"recording stopped: {exc}")
        if self.recorder is not None:
            with contextlib.suppress(OSError):
                self.recorder.close()
            self.recorder = None

    # ================================================================ live connection
    async def _run_live(self) -> None:
        url = self.config.url
        first = True
        while not self._stopping:
            if not first:
                delay = self.backoff.next_delay()
                self.status.reconnects += 1
                self._set_link(LinkState.RECONNECTING)
                await asyncio.sleep(delay)
            else:
                self._set_link(LinkState.CONNECTING)
            first = False
            try:
                ws = await self._connect(url)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self.failed_connects += 1
                self._set_link(LinkState.RECONNECTING, _connect_error(url, exc))
                continue
            self.connects += 1
            self.failed_connects = 0
            await self._serve(ws)

    async def _connect(self, url: str) -> Any:
        from websockets.asyncio.client import connect

        host = urlsplit(url).hostname or ""
        kwargs: dict[str, Any] = {
            "max_size": self.max_size,
            "ping_interval": None,  # we send server.ping ourselves
            "open_timeout": self.config.request_timeout,
            "close_timeout": 1.0,
            "compression": None,  # the live server negotiates none
        }
        if host in _LOOPBACK:
            kwargs["proxy"] = None
        return await connect(url, **kwargs)

    async def _serve(self, ws: Any) -> None:
        """Run one open connection until it dies; then mark books stale."""
        self._ws = ws
        self._begin_connection()
        self._connected = True
        self.status.url = self.config.url
        log.info("connected to %s", self.config.url)
        self._record_event("connect", url=self.config.url)
        self._set_link(LinkState.LIVE if self._got_data else LinkState.CONNECTING)
        self._notice("connected", None, f"connected to {self.config.url}")
        now = time.monotonic()
        self.status.last_message_at = now  # the stale clock starts at the handshake
        self._last_ping = now - self.config.ping_interval  # first ping at once: latency
        self._resub_needed = False
        control = asyncio.create_task(self._control(ws), name="dfx-feed-control")
        reason = "connection closed"
        try:
            handle = self.handle_frame
            mono = time.monotonic
            async for data in ws:
                handle(data, mono())
            reason = _close_reason(ws)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            reason = _close_reason(ws, exc)
        finally:
            if not control.done():
                control.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await control
            if self._dead_reason:
                reason = self._dead_reason
            self._dead_reason = None
            self._ws = None
            self._connected = False
            self._begin_connection()
            if not self._stopping:  # quitting keeps the last states for a final print
                self._mark_markets_stale()
                log.info("disconnected: %s", reason)
                self._set_link(LinkState.RECONNECTING, reason)
                self._notice("disconnected", None, f"disconnected: {reason}; reconnecting")
            with contextlib.suppress(Exception):
                ws.transport.abort()

    def _kill(self, ws: Any, reason: str, state: LinkState | None = None) -> None:
        self._dead_reason = reason
        if state is not None:
            self._set_link(state, reason)
            if state is LinkState.STALE:
                self._notice("stale", None, reason)
        with contextlib.suppress(Exception):
            ws.transport.abort()

    async def _send(self, ws: Any, method: str, params: list[str], *,
                    markets: tuple[str, ...] = (), wait: bool = False) -> _Pending:
        rid, text = self._encoder.encode(method, params)
        now = time.monotonic()
        fut = asyncio.get_running_loop().create_future() if wait else None
        pending = _Pending(method, params, now, time.time(), fut, markets)
        self._pending[rid] = pending
        await ws.send(text)
        return pending

    async def _control(self, ws: Any) -> None:
        """Requests, keep-alive, stale and timeout checks of one connection."""
        cfg = self.config
        tick = max(0.01, min(0.25, cfg.ping_interval / 4, cfg.pong_timeout / 4,
                             cfg.stale_after / 4, cfg.request_timeout / 4))
        try:
            await self._send(ws, "server.time", [])
            await self._subscribe_all(ws, fresh=True)
            while True:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), tick)
                self._wake.clear()
                now = time.monotonic()
                if self._probe:
                    await self._probe_markets(ws)
                gap = self._resub_gap(now)
                due = max(self._last_resub + gap, self._resub_not_before)
                if self._resub_needed and now >= due:
                    await self._subscribe_all(ws, fresh=False)
                elif self._resub_needed and due - now <= gap:
                    self._wake.set()
                    await asyncio.sleep(due - now)
                # (a later retry time: the loop ticks on and comes back)
                self._check_timers(ws, time.monotonic())
                if now - self._last_ping >= cfg.ping_interval:
                    self._last_ping = now
                    pending = await self._send(ws, "server.ping", [])
                    if self._ping_sent is None:
                        self._ping_sent = pending.sent_at
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # a send on a dead socket, mostly
            self._kill(ws, _short(f"send failed: {exc}"))

    def _resub_gap(self, now: float) -> float:
        # Coalesce bursts of changes; a server that keeps failing the checks (say, a crossed
        # book on every snapshot) is resubscribed at most every 2 s, not in a tight loop.
        recent = self._resync_times
        while recent and now - recent[0] > 10.0:
            recent.popleft()
        return 0.2 if len(recent) < 3 else 2.0

    def _check_timers(self, ws: Any, now: float) -> None:
        cfg = self.config
        st = self.status
        if self._ping_sent is not None and now - self._ping_sent > cfg.pong_timeout:
            self._kill(ws, f"no pong within {cfg.pong_timeout:g} s", LinkState.STALE)
            return
        last = st.last_message_at
        if last is not None and now - last > cfg.stale_after:
            self._kill(ws, f"no data for {cfg.stale_after:g} s", LinkState.STALE)
            return
        for rid, p in list(self._pending.items()):
            if now - p.sent_at > cfg.request_timeout and p.method != "server.ping":
                del self._pending[rid]
                if p.future is not None and not p.future.done():
                    p.future.set_result(None)
                st.last_error = _short(f"{p.method}: no reply within {cfg.request_timeout:g} s")
                st.version += 1
                if p.method.endswith(".subscribe"):
                    for name in p.markets:  # no ack: let the snapshot timeout decide
                        waiting = self._awaiting.get(name)
                        if waiting is not None:
                            waiting[1] = True
        for name, (sent_at, _acked) in list(self._awaiting.items()):
            if now - sent_at > cfg.snapshot_timeout:
                self._reject(name, f"no snapshot within {cfg.snapshot_timeout:g} s")

    def _wanted(self) -> list[str]:
        return [n for n, m in self.markets.items() if m.status.state is not MarketState.REJECTED]

    async def _subscribe_all(self, ws: Any, *, fresh: bool) -> None:
        self._resub_needed = False
        self._last_resub = time.monotonic()
        wanted = self._wanted()
        now = time.monotonic()
        for name in wanted:
            if name not in self._synced:
                # The snapshot clock keeps running across resubscribes, so a market that
                # never gets a snapshot ends REJECTED instead of resyncing forever.
                self._awaiting.setdefault(name, [now, False])[1] = False
        markets = tuple(wanted)
        for ch in CHANNELS:
            if not fresh:
                await self._send(ws, f"{ch}.unsubscribe", [])
            if wanted:
                await self._send(ws, f"{ch}.subscribe", list(wanted), markets=markets)

    async def _probe_markets(self, ws: Any) -> None:
        """A subscribe of several markets was refused: find the bad ones one at a time."""
        suspects = [m for m in self.markets if m in self._probe]
        self._probe = set()
        for name in suspects:
            if name not in self.markets:
                continue
            await self._send(ws, "depth.unsubscribe", [])
            pending = await self._send(ws, "depth.subscribe", [name], markets=(name,),
                                       wait=True)
            assert pending.future is not None
            try:
                ev = await asyncio.wait_for(pending.future, self.config.request_timeout)
            except TimeoutError:
                ev = None
            if type(ev) is ErrorReply and ev.code not in TRANSIENT_ERRORS:
                self._reject(name, f"server refused: {ev.message}")
        self._resub_needed = True  # then one subscribe with every good market

    # ================================================================ replay
    async def _run_replay(self, path: str) -> None:
        """Feed a recording through `handle_message`, like live frames, with no network."""
        speed = self.config.speed
        self._set_link(LinkState.CONNECTING)
        self._begin_connection()
        first_t: float | None = None
        start = time.monotonic()
        n = 0
        try:
            for line in read_recording(path, on_skip=self.replay_warnings.append):
                t = line.get("t")
                if "meta" in line:
                    continue
                if speed > 0 and type(t) in (int, float):
                    if first_t is None:
                        first_t = t
                    due = start + (t - first_t) / speed
                    delay = due - time.monotonic()
                    if delay > 0:
                        await asyncio.sleep(delay)
                elif n % 512 == 0:
                    await asyncio.sleep(0)  # let the UI breathe
                n += 1
                if "frame" in line:
                    self.handle_message(line["frame"], time.monotonic())
                elif line.get("event") == "connect":
                    if self._connected:
                        self._mark_markets_stale()
                    self._begin_connection()
                    self._connected = True
        except (OSError, EOFError, ValueError) as exc:
            self._set_link(LinkState.DOWN, f"replay failed: {exc}")
            self._notice("error", None, _short(f"replay failed: {exc}"))
        else:
            warning = _short("; ".join(self.replay_warnings)) if self.replay_warnings else ""
            self._set_link(LinkState.DOWN, warning)
            if warning:
                self._notice("warning", None, f"recording: {warning}")
            self._notice("replay_done", None, f"replay finished: {n} lines")
        finally:
            self.replay_done = True


def _connect_error(url: str, exc: BaseException) -> str:
    from websockets.exceptions import InvalidHandshake, InvalidStatus

    if isinstance(exc, InvalidStatus):
        return f"handshake refused: HTTP {exc.response.status_code}"
    if isinstance(exc, TimeoutError):
        return "handshake timed out"
    if isinstance(exc, InvalidHandshake):
        return _short(f"handshake failed: {exc}")
    if isinstance(exc, OSError):
        host = urlsplit(url).netloc
        why = "connection refused" if isinstance(exc, ConnectionRefusedError) else (
            exc.strerror or str(exc))
        return _short(f"cannot connect to {host}: {why}")
    return _short(f"connect failed: {type(exc).__name__}: {exc}")


def _close_reason(ws: Any, exc: BaseException | None = None) -> str:
    from websockets.exceptions import ConnectionClosed

    if isinstance(exc, ConnectionClosed) or exc is None:
        protocol = getattr(ws, "protocol", None)
        rcvd = getattr(protocol, "close_rcvd", None)
        sent = getattr(protocol, "close_sent", None)
        if sent is not None and (rcvd is None
                                 or getattr(protocol, "close_rcvd_then_sent", None) is False):
            # We closed first: websockets refused a frame (1009 too big, 1002, 1007, ...).
            text = f"bad frame from the server, connection closed ({sent.code}"
            return _short(text + (f" {sent.reason})" if sent.reason else ")"))
        if rcvd is not None:
            text = f"server closed the connection ({rcvd.code}"
            return _short(text + (f" {rcvd.reason})" if rcvd.reason else ")"))
        return "connection lost"
    return _short(f"connection error: {exc}")
