"""The feed without I/O: markets, the data path, integrity policy, requests and timers.

Data path (hot, once per frame): `handle_frame` -> `inflate`/`parse_json` -> recorder ->
`handle_message` -> `classify` -> apply in place to the market's book/tape -> counters.
No logging, notices, time formatting or clock reads per message; rates come from
`update_rates`, called about once a second (`on_second`: by the first message due, else by the
client's timer).

Everything else is plain calls that take `now` (monotonic seconds): `connected(now, url)` and
`disconnected(reason)` bracket a connection; `tick(now)` decides what to send (the greeting,
resubscribes, probes, pings), expires requests and says when the link is stale;
`take_outgoing()` hands the link the requests to write (that side lives in dialogue.py).
No asyncio, no sockets: `link.py` does the I/O, `replay.py` drives the same core from a file,
and tests drive it by hand.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Iterable
from typing import Any

from dfx_tui.app.config import AppConfig
from dfx_tui.app.feed.backoff import Backoff
from dfx_tui.app.feed.dialogue import Dialogue
from dfx_tui.app.feed.hooks import AppHooks
from dfx_tui.app.feed.notices import ERROR_LIMIT, FeedNotice, NoticeKind
from dfx_tui.app.feed.rates import Rates
from dfx_tui.app.feed.requests import Request
from dfx_tui.app.feed.subscriptions import Subscriptions
from dfx_tui.app.feed.tickers import TickerFeed
from dfx_tui.book.codec import (
    DepthUpdate,
    ErrorReply,
    ProtocolError,
    Reply,
    TradesUpdate,
    UnknownPush,
    classify,
    inflate,
    normalize_market,
    parse_json,
)
from dfx_tui.book.levels import MAX_LEVELS
from dfx_tui.book.state import ConnectionStatus, LinkState, Market, MarketState
from dfx_tui.book.text import inert_text

log = logging.getLogger("dfx_tui.feed")

# Updates that only ever add levels far from the touch would grow a book without end.
MAX_BOOK_LEVELS = 4 * MAX_LEVELS
LOG_EVERY_S = 5.0  # rejected frames: at most one log line per this


class FeedCore(AppHooks):
    """One feed's state and decisions; `markets` and `status` are what the UI reads."""

    def __init__(self, config: AppConfig, notify: Callable[[FeedNotice], None], *,
                 backoff: Backoff | None = None, wall: Callable[[], float] = time.time) -> None:
        self.config = config
        self.markets: dict[str, Market] = {}
        self.status = ConnectionStatus(url=config.replay or config.url)
        self.backoff = backoff or Backoff()  # reset by real market data, read by the link
        self.frames_dropped = 0  # pushes for markets not wanted, or deltas before a snapshot
        self.subs = Subscriptions()
        self.tickers = TickerFeed(self)  # ticker.* and all_ticker.*: figures only (tickers.py)
        self.dialogue = Dialogue(self, wall)  # requests, replies and timers
        self.record_frame: Callable[[Any, float], None] | None = None  # set while recording
        self.on_wake: Callable[[], None] | None = None  # the link's "tick me soon"
        self._init_hooks()  # the app's `watch` and `watch_data` (hooks.py)
        # The client's once-a-second work (rates, flush), run by the first message from
        # `second_at` on: while messages come, that clock needs no wake-up of its own.
        self.on_second: Callable[[float], None] | None = None
        self.second_at = math.inf
        self._notify = notify
        self._synced = self.subs.synced  # the same set (only ever cleared): read per delta
        self._got_data = False
        self._rates = Rates()
        self._log_after = float("-inf")
        self._log_suppressed = 0
        for name in config.markets:
            self.add_market(name)

    # ================================================================ markets
    def add_market(self, name: str) -> Market:
        key = normalize_market(name)
        market = self.markets.get(key)
        if market is None:
            market = self.markets[key] = Market(key)
            self.request_resubscribe()
        elif market.status.state is MarketState.REJECTED:  # adding again = try again
            self._set_state(market, MarketState.WAITING, "")
            self.request_resubscribe()
        return market

    def remove_market(self, name: str) -> None:
        key = normalize_market(name)
        if self.markets.pop(key, None) is not None:
            self.subs.forget(key)
            self.request_resubscribe()

    def set_markets(self, names: Iterable[str]) -> None:
        keys = list(dict.fromkeys(normalize_market(n) for n in names))
        for key in list(self.markets):
            if key not in keys:
                self.remove_market(key)
        for key in keys:
            self.add_market(key)
        if list(self.markets) != keys:  # tab order follows the given order
            self.markets = {k: self.markets[k] for k in keys}

    def ready(self) -> bool:
        """Every market has its snapshot and is live, or was rejected."""
        return all(m.status.state is MarketState.REJECTED
                   or (m.book.has_snapshot and m.status.state is MarketState.LIVE)
                   for m in self.markets.values())

    def wanted(self) -> list[str]:
        return [n for n, m in self.markets.items() if m.status.state is not MarketState.REJECTED]

    # ================================================================ the data path
    def handle_frame(self, data: bytes | str, received_at: float) -> None:
        """A raw WebSocket frame: binary = zlib + JSON, text = JSON; then `handle_message`."""
        try:
            obj = parse_json(inflate(data) if isinstance(data, bytes) else data)
        except ProtocolError as exc:
            self.status.messages += 1
            self.status.last_message_at = received_at
            self._frame_rejected(exc, received_at)
            return
        if self.record_frame is not None:
            self.record_frame(obj, received_at)
        self.handle_message(obj, received_at)

    def handle_message(self, obj: Any, received_at: float) -> None:
        """Apply one decoded server message. Never raises for bad input."""
        st = self.status
        st.messages += 1
        st.last_message_at = received_at
        if received_at >= self.second_at and self.on_second is not None:
            self.on_second(received_at)
        try:
            ev = classify(obj)
        except ProtocolError as exc:
            self._frame_rejected(exc, received_at)
            self._lost_update(obj, received_at)
            return
        if type(ev) is DepthUpdate:
            market = self._wanted_market(ev.market, received_at)
            if market is None:
                return
            book = market.book
            if ev.clean:
                book.apply_snapshot_levels(ev.asks, ev.bids)
                self.subs.snapshot_arrived(ev.market)
                if book.is_crossed():
                    self._crossed_snapshot(market, received_at)
                else:
                    self._synced.add(ev.market)
                    if market.status.state is not MarketState.LIVE:
                        self._set_state(market, MarketState.LIVE, "")
            elif ev.market in self._synced:
                if book.apply_delta_checked(ev.asks, ev.bids, MAX_BOOK_LEVELS):  # crossed or too big
                    if book.is_crossed():
                        self._resync(market, "crossed book after an update", received_at)
                    else:
                        book.clear()  # memory stays bounded; a fresh snapshot refills it
                        self._resync(market, f"book grew past {MAX_BOOK_LEVELS} levels",
                                     received_at)
            else:
                self._delta_before_snapshot(market, received_at)
        elif type(ev) is TradesUpdate:
            market = self._wanted_market(ev.market, received_at)
            if market is not None:
                market.tape.apply(ev.clean, ev.trades)
        elif type(ev) is Reply or type(ev) is ErrorReply:
            self.dialogue.on_reply(ev, received_at)
        elif type(ev) is UnknownPush:  # ticker pushes; others: counted above, else ignored
            self.tickers.on_unknown_push(ev.method, ev.params, received_at)

    def _wanted_market(self, name: str, received_at: float) -> Market | None:
        """The market a push is for, counted as heard from; None (dropped) if not wanted."""
        market = self.markets.get(name)
        if market is None or market.status.state is MarketState.REJECTED:
            self.frames_dropped += 1  # not wanted (not subscribed, or refused)
            return None
        ms = market.status
        ms.messages += 1
        ms.last_message_at = received_at
        if name == self._watched:
            self._fire_watch()
        if self._on_data is not None:
            self._fire_data()
        if not self._got_data:  # the first market data on this connection
            self._got_data = True
            self.backoff.reset()
            if self.status.state is not LinkState.LIVE:
                self.set_link(LinkState.LIVE)
        return market

    def _frame_rejected(self, exc: ProtocolError, now: float) -> None:
        st = self.status
        st.frames_rejected += 1
        st.last_error = inert_text(f"bad frame: {exc}", ERROR_LIMIT)
        if now >= self._log_after:
            extra = f" ({self._log_suppressed} more since)" if self._log_suppressed else ""
            log.warning("rejected a server frame: %s%s", st.last_error, extra)
            self._log_after = now + LOG_EVERY_S
            self._log_suppressed = 0
        else:
            self._log_suppressed += 1

    def _delta_before_snapshot(self, market: Market, now: float) -> None:
        self.frames_dropped += 1
        state = market.status.state
        if state is MarketState.RESYNCING or state is MarketState.REJECTED:
            return  # leftovers of the stream we already gave up on
        if self.subs.early_delta(market.name):
            return  # subscribe not acked yet: deltas of an earlier subscription still in flight
        self._resync(market, "update before any snapshot", now)

    def _lost_update(self, obj: Any, now: float) -> None:
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
            self._resync(market, "an update could not be read", now)

    def _crossed_snapshot(self, market: Market, now: float) -> None:
        """Shown, but marked: a crossed or locked snapshot. Ask once for a fresh one; if that
        one is crossed too, wait for the next periodic snapshot rather than loop."""
        self._synced.discard(market.name)
        if market.status.state is MarketState.RESYNCING:
            self._set_state(market, MarketState.RESYNCING,
                            "crossed snapshot again; waiting for the next one")
            return
        self._resync(market, "crossed snapshot", now)

    def _resync(self, market: Market, why: str, now: float) -> None:
        self.subs.resynced(market.name, now)
        market.status.resyncs += 1
        self._set_state(market, MarketState.RESYNCING, why)
        self.request_resubscribe()
        self.notice(NoticeKind.RESYNC, market.name, f"{market.name}: {why}; resyncing")

    def reject(self, name: str, why: str) -> None:
        """Give up on a market: refused by the server, or no snapshot in time."""
        market = self.markets.get(name)
        self.subs.forget(name)
        if market is None or market.status.state is MarketState.REJECTED:
            return
        why = inert_text(why, ERROR_LIMIT)
        self._set_state(market, MarketState.REJECTED, why)
        self.notice(NoticeKind.REJECTED, name, f"{name}: {why}")

    # ================================================================ the conversation
    def tick(self, now: float) -> str | None:
        """Queue what is due (see `take_outgoing`); return why the link must be dropped as
        stale, or None."""
        return self.dialogue.tick(now)

    def wake_in(self, now: float) -> float | None:
        """Seconds until `tick` has work (the next deadline of any timer; None: none). Work
        that comes sooner (a resubscribe wanted, a market added) calls `wake`."""
        return self.dialogue.wake_in(now)

    def take_outgoing(self) -> list[Request]:
        """The requests queued since the last call, oldest first, for the link to write."""
        return self.dialogue.requests.take_outgoing()

    def request_resubscribe(self) -> None:
        self.subs.needed = True
        self.wake()

    def wake(self) -> None:
        if self.on_wake is not None:
            self.on_wake()

    # ================================================================ connections
    def connected(self, now: float, url: str) -> None:
        """A connection is open: nothing of the old one is trusted; greet on the next tick."""
        self.reset_link()
        self.status.url = url
        self.set_link(LinkState.CONNECTING)
        self.notice(NoticeKind.CONNECTED, None, f"connected to {url}")
        self.status.last_message_at = now  # the stale clock starts at the handshake
        self.dialogue.start(now)

    def disconnected(self, reason: str) -> None:
        """The connection is gone (not by our stop): books are kept, marked stale."""
        self.reset_link()
        self.mark_markets_stale()
        self.set_link(LinkState.RECONNECTING, reason)
        self.notice(NoticeKind.DISCONNECTED, None, f"disconnected: {reason}; reconnecting")

    def reset_link(self) -> None:
        """Forget per-connection state: nothing of the old link is trusted on the new one."""
        self.dialogue.reset()
        self.subs.reset()
        self.tickers.reset_link()
        self._got_data = False

    def mark_markets_stale(self) -> None:
        for market in self.markets.values():
            state = market.status.state
            if state is MarketState.LIVE or state is MarketState.RESYNCING:
                self._set_state(market, MarketState.STALE if market.book.has_snapshot
                                else MarketState.WAITING, None)
            elif state is MarketState.WAITING and market.book.has_snapshot:
                self._set_state(market, MarketState.STALE, None)

    # ================================================================ status
    def update_rates(self, now: float) -> None:
        """Messages per second, overall and per market, since the previous call."""
        self._rates.update(self.status, self.markets, now)

    def set_link(self, state: LinkState, error: str | None = None) -> None:
        self.status.state = state
        if error is not None:
            self.status.last_error = inert_text(error, ERROR_LIMIT)
        if self._on_watched is not None:  # shown on the status bar: worth a paint soon
            self._fire_watch()

    def _set_state(self, market: Market, state: MarketState, error: str | None) -> None:
        market.status.state = state
        if error is not None:
            market.status.error = error

    def notice(self, kind: NoticeKind, market: str | None, text: str) -> None:
        try:
            self._notify(FeedNotice(kind, market, inert_text(text)))
        except Exception:  # a UI bug must not kill the feed
            log.exception("on_notice callback failed")
