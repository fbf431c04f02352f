"""The core's side of the conversation with the server, for one connection at a time.

What to send and when (the greeting, resubscribes, the probes after a refused subscribe,
pings), replies matched to their requests by id, and the time-outs: requests, snapshots,
pongs and data. No I/O: requests are queued for the link (`Requests.take_outgoing`), and
what a reply or time-out means for a market is told to the core (`reject`, `notice`, ...).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from dfx_tui.app.feed.keepalive import LATE, KeepAlive
from dfx_tui.app.feed.notices import ERROR_LIMIT, NoticeKind
from dfx_tui.app.feed.requests import PING, Request, Requests
from dfx_tui.app.feed.subscriptions import CHANNELS, TRANSIENT_ERRORS
from dfx_tui.app.feed.tickers import is_ticker_request
from dfx_tui.book.codec import ErrorReply, Reply
from dfx_tui.book.state import LinkState
from dfx_tui.book.text import inert_text

if TYPE_CHECKING:
    from dfx_tui.app.feed.core import FeedCore


class Dialogue:
    __slots__ = ("core", "subs", "requests", "keepalive", "greet", "_wall")

    def __init__(self, core: FeedCore, wall: Callable[[], float] = time.time) -> None:
        config = core.config
        self.core = core
        self.subs = core.subs
        self.requests = Requests()
        self.keepalive = KeepAlive(config.ping_interval, config.pong_timeout,
                                   config.stale_after)
        self.greet = False  # a connection just opened: server.time and subscribe next tick
        self._wall = wall  # Unix time, for the server clock offset

    def start(self, now: float) -> None:
        """A connection is open: greet the server on the next tick, ping at once."""
        self.reset()
        self.keepalive.start(now)
        self.greet = True

    def reset(self) -> None:
        """Nothing in flight, nothing to say: the connection is gone (or about to be new)."""
        self.requests.reset()
        self.keepalive.unanswered_since = None
        self.greet = False

    # ================================================================ what to send, when
    def tick(self, now: float) -> str | None:
        """Queue what is due; return why the link must be dropped as stale, or None."""
        if self.greet:
            self.greet = False
            self._send("server.time", [], now)
            self._subscribe_all(now, fresh=True)
        probe = self.subs.probe
        if probe.running:
            self._probe_step(now)
        if not probe.running:
            due = self.subs.due(now)
            if due is not None and now >= due:
                self._subscribe_all(now, fresh=False)
        why = self._check_timers(now)
        if why is not None:
            return why
        if self.keepalive.ping_due(now):
            self._send(PING, [], now)
            self.keepalive.pinged(now)
        return None

    def wake_in(self, now: float) -> float | None:
        """Seconds until `tick` has work: the earliest deadline of every timer (the greeting,
        a probe step, a resubscribe, the next ping, a pong, data or request time-out, a
        snapshot wait); None when nothing is pending. The link sleeps exactly that long
        (or until `core.wake`): an idle connection wakes for its deadlines only."""
        if self.greet:
            return 0.0
        probe = self.subs.probe
        due: float | None = None
        if probe.running:
            if probe.in_flight is None:
                return 0.0
        else:
            due = self.subs.due(now)
        config, keepalive = self.core.config, self.keepalive
        deadlines = [keepalive.next_deadline(self.core.status.last_message_at)]
        if due is not None:
            deadlines.append(due)
        # The time-outs below are strict (`now - since > timeout`): woken at exactly the
        # deadline, `tick` would find nothing and the link would wake again at once.
        sent = self.requests.oldest_sent()
        if sent is not None:
            deadlines.append(sent + config.request_timeout + LATE)
        waiting = self.subs.oldest_wait()
        if waiting is not None:
            deadlines.append(waiting + config.snapshot_timeout + LATE)
        return max(0.0, min(deadlines) - now)

    def _send(self, method: str, params: list[str], now: float, *,
              markets: tuple[str, ...] = (), probe: bool = False) -> Request:
        return self.requests.send(method, params, now, self._wall(), markets=markets,
                                  probe=probe)

    def _subscribe_all(self, now: float, *, fresh: bool) -> None:
        wanted = self.core.wanted()
        self.subs.sent(wanted, now)
        for channel in CHANNELS:
            if not fresh:
                self._send(f"{channel}.unsubscribe", [], now)
            if wanted:
                self._send(f"{channel}.subscribe", wanted, now, markets=tuple(wanted))
        # After the books' own: the ticker list if it changed, all_ticker once a connection.
        # No markets on these requests: their acks must settle no snapshot wait.
        for method, params in self.core.tickers.plan(wanted, fresh=fresh):
            self._send(method, params, now)

    def _probe_step(self, now: float) -> None:
        """One market alone, after a refused subscribe of several; when all were tried, one
        subscribe with every good market."""
        probe = self.subs.probe
        if probe.in_flight is not None:
            return
        name = probe.next_suspect(self.core.wanted())
        if name is None:
            self.subs.needed = True
            return
        self._send("depth.unsubscribe", [], now)
        probe.in_flight = self._send("depth.subscribe", [name], now, markets=(name,),
                                     probe=True).id

    def _check_timers(self, now: float) -> str | None:
        core, config = self.core, self.core.config
        why = self.keepalive.verdict(now, core.status.last_message_at)
        if why is not None:
            core.set_link(LinkState.STALE, why)
            core.notice(NoticeKind.STALE, None, why)
            return why
        timeout = config.request_timeout
        for request in self.requests.expire(now, timeout):
            if is_ticker_request(request.method):
                core.tickers.on_timeout(request, timeout)  # figures only
                continue
            core.status.last_error = f"{request.method}: no reply within {timeout:g} s"
            if request.method.endswith(".subscribe"):  # no ack: the snapshot clock decides
                self.subs.acked(request.markets)
            if request.probe and self.subs.probe.in_flight == request.id:
                self.subs.probe.in_flight = None  # not refused either: on to the next one
        limit = config.snapshot_timeout
        for name in self.subs.overdue(now, limit):
            core.reject(name, f"no snapshot within {limit:g} s")
        return None

    # ================================================================ replies
    def on_reply(self, ev: Reply | ErrorReply, received_at: float) -> None:
        request = self.requests.answered(ev.id)
        if request is None:
            return  # not ours (or it timed out already)
        if request.probe:
            self._probe_answered(request, ev)
            return
        method = request.method
        if is_ticker_request(method):  # never the subscription's acks, backoff or probe
            self.core.tickers.on_reply(request, ev)
            return
        st = self.core.status
        if method == PING:
            self.keepalive.ponged(request.sent_at)
            st.latency_ms = round((received_at - request.sent_at) * 1000.0, 1)
        elif method == "server.time":
            result = ev.result if type(ev) is Reply else None
            # Unix seconds; a huge integer would overflow float(), a bool is no time.
            if (type(result) is int or type(result) is float) and 0 < result < 1e11:
                mid = request.sent_wall + (received_at - request.sent_at) / 2
                st.clock_offset_s = round(float(result) - mid, 3)
                if st.state is LinkState.CONNECTING:
                    st.state = LinkState.LIVE
        elif method.endswith(".subscribe"):
            if type(ev) is Reply:
                self.subs.accepted()
                self.subs.acked(request.markets)
            elif type(ev) is ErrorReply:
                self._subscribe_refused(request, ev, received_at)
        elif type(ev) is ErrorReply:
            st.last_error = inert_text(f"{method} failed: {ev.message}", ERROR_LIMIT)

    def _subscribe_refused(self, request: Request, ev: ErrorReply, now: float) -> None:
        core = self.core
        core.status.last_error = inert_text(f"{request.method} refused: {ev.message}",
                                            ERROR_LIMIT)
        if ev.code in TRANSIENT_ERRORS:
            self.subs.refused_for_now(now)
            core.wake()
            return
        if not request.method.startswith("depth."):
            return  # the depth reply decides which markets are bad
        if len(request.markets) == 1:
            core.reject(request.markets[0], f"server refused: {ev.message}")
        else:
            self.subs.probe.start(m for m in core.markets if m in request.markets)
            core.wake()

    def _probe_answered(self, request: Request, ev: Reply | ErrorReply) -> None:
        probe = self.subs.probe
        if probe.in_flight == request.id:
            probe.in_flight = None
        if type(ev) is Reply:
            self.subs.accepted()
            self.subs.acked(request.markets)
        elif type(ev) is ErrorReply and ev.code not in TRANSIENT_ERRORS:
            self.core.reject(request.markets[0], f"server refused: {ev.message}")
        self.core.wake()
