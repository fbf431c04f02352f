"""The feed core without an event loop: plain calls with `now`, real frames where they fit.

Each test drives `FeedCore` as the link would: `connected(now)`, `tick(now)` and
`take_outgoing()` for what goes out, `handle_message(frame, now)` for what comes in.
"""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from dfx_tui.app.config import AppConfig
from dfx_tui.app.feed.core import FeedCore
from dfx_tui.app.feed.notices import FeedNotice, NoticeKind
from dfx_tui.app.feed.requests import Request
from dfx_tui.book.state import LinkState, MarketState

FIXTURES = Path(__file__).resolve().parent / "data" / "captured-frames.jsonl"
CAPTURED = [json.loads(line) for line in FIXTURES.read_text().splitlines()]
T0 = 1000.0  # the core's clock at the handshake (monotonic seconds in the app)
WALL0 = 1_700_000_000.0  # Unix time at T0


def captured(fragment: str, **changes: Any) -> dict[str, Any]:
    """A copy of the captured frame whose source mentions `fragment`, keys replaced."""
    frame = next(x["frame"] for x in CAPTURED if fragment in x["source"])
    return {**copy.deepcopy(frame), **changes}


BTC_SNAPSHOT = captured("both sides descending")  # best bid 11697.89, best ask 11699.57
BTC_DELTA = captured("deletions far from the touch")


def snapshot_of(market: str) -> dict[str, Any]:
    frame = copy.deepcopy(BTC_SNAPSHOT)
    frame["params"][2] = market
    return frame


def delta(market: str, asks: list[list[str]], bids: list[list[str]]) -> dict[str, Any]:
    return {"method": "depth.update", "params": [False, {"asks": asks, "bids": bids}, market],
            "id": None}


class Driver:
    """A core, its clock, what it sent and the notices it raised."""

    def __init__(self, markets: tuple[str, ...] = ("BTC_USDT",), **config: Any) -> None:
        self.now = T0
        self.notices: list[FeedNotice] = []
        self.wakes = 0
        self.core = FeedCore(AppConfig(markets=list(markets), **config), self.notices.append,
                             wall=lambda: WALL0 + (self.now - T0))
        self.core.on_wake = self._woken
        self.sent: list[Request] = []
        self.last: list[Request] = []

    def _woken(self) -> None:
        self.wakes += 1

    def connect(self) -> None:
        self.core.connected(self.now, "ws://127.0.0.1/ws/v1/")

    def tick(self, at: float | None = None) -> str | None:
        if at is not None:
            self.now = at
        why = self.core.tick(self.now)
        self.last = self.core.take_outgoing()
        self.sent += self.last
        return why

    def sent_now(self) -> list[tuple[str, list[str]]]:
        return [(r.method, r.params) for r in self.last]

    def request(self, method: str) -> Request:
        """The latest request of `method`."""
        return next(r for r in reversed(self.sent) if r.method == method)

    def receive(self, frame: dict[str, Any], at: float | None = None) -> None:
        if at is not None:
            self.now = at
        self.core.handle_message(frame, self.now)

    def ack(self, request: Request, at: float | None = None) -> None:
        self.receive(captured("subscribe ack", id=request.id), at)

    def refuse(self, request: Request, code: int, message: str) -> None:
        self.receive({"id": request.id, "result": None,
                      "error": {"code": code, "message": message}})

    def state(self, market: str = "BTC_USDT") -> MarketState:
        return self.core.markets[market].status.state

    def kinds(self) -> list[NoticeKind]:
        return [n.kind for n in self.notices]


QUIET = dict(ping_interval=1e6, pong_timeout=1e6, stale_after=1e6)  # keep-alive out of the way


# ------------------------------------------------------------------ the subscribe flow
def test_greeting_then_replies_matched_by_id_then_snapshot_makes_live():
    d = Driver(("BTC_USDT", "ETH_USDT"))
    d.connect()
    assert d.core.status.state is LinkState.CONNECTING and d.kinds() == [NoticeKind.CONNECTED]
    assert d.tick() is None
    both = ["BTC_USDT", "ETH_USDT"]
    assert d.sent_now() == [("server.time", []), ("depth.subscribe", both),
                            ("trades.subscribe", both), ("ticker.subscribe", both),
                            ("all_ticker.subscribe", []), ("server.ping", [])]
    assert [r.id for r in d.last] == [1, 2, 3, 4, 5, 6]
    assert json.loads(d.last[1].wire) == {"id": 2, "method": "depth.subscribe", "params": both}
    assert d.tick() is None and d.last == []  # nothing more is due

    # Replies in any order, each matched to its request by id; foreign ids are ignored.
    d.receive(captured("server.ping reply"), at=T0 + 0.02)  # id 12312: not ours
    d.receive(captured("server.ping reply", id=d.request("server.ping").id), at=T0 + 0.05)
    assert d.core.status.latency_ms == 50.0
    d.receive(captured("server.time reply", id=d.request("server.time").id))
    assert d.core.status.clock_offset_s == round(1523348055 - (WALL0 + 0.025), 3)
    assert d.core.status.state is LinkState.LIVE
    d.ack(d.request("depth.subscribe"))
    d.ack(d.request("trades.subscribe"))
    d.ack(d.request("ticker.subscribe"))
    d.ack(d.request("all_ticker.subscribe"))
    assert not d.core.dialogue.requests.pending and d.core.status.frames_rejected == 0

    d.receive(BTC_SNAPSHOT)
    assert d.state("BTC_USDT") is MarketState.LIVE and d.state("ETH_USDT") is MarketState.WAITING
    assert d.core.markets["BTC_USDT"].book.best_bid() == ("11697.89", "0.2184")
    assert not d.core.ready()
    d.receive(snapshot_of("ETH_USDT"))
    assert d.core.ready()
    d.receive(BTC_DELTA)  # a real delta on a live book
    assert d.core.markets["BTC_USDT"].book.best_bid() == ("11697.89", "0.2184")
    assert d.state("BTC_USDT") is MarketState.LIVE and d.core.frames_dropped == 0


def test_market_changes_are_coalesced_into_one_resubscribe():
    d = Driver(**QUIET)
    d.connect()
    d.tick()
    d.wakes = 0
    d.core.add_market("eth_usdt")
    d.core.add_market("XRP_USDT")
    assert d.wakes == 2  # the link is told to tick soon
    assert d.core.wake_in(d.now) == pytest.approx(0.2)  # coalescing window after the greeting
    assert d.tick(T0 + 0.1) is None and d.last == []
    d.tick(T0 + 0.2)
    three = ["BTC_USDT", "ETH_USDT", "XRP_USDT"]
    assert d.sent_now() == [("depth.unsubscribe", []), ("depth.subscribe", three),
                            ("trades.unsubscribe", []), ("trades.subscribe", three),
                            ("ticker.unsubscribe", []), ("ticker.subscribe", three)]
    # Nothing more to send: the next deadline is the greeting's requests timing out.
    assert d.core.wake_in(d.now) == pytest.approx(d.core.config.request_timeout - 0.2, abs=0.01)


# ------------------------------------------------------------------ keep-alive
def test_the_link_sleeps_from_deadline_to_deadline_and_still_catches_a_silent_link():
    """`wake_in` is the next deadline of every timer, so a link that sleeps exactly that long
    (link.py) ticks a quiet connection only for its pings and data checks: 6 ticks in a
    minute where a 0.25 s clock ticked 240 times. Pings still go out on time, and a link
    that falls silent is dropped the moment its data time-out passes."""
    d = Driver(ping_interval=20.0, pong_timeout=10.0, stale_after=15.0)
    d.connect()
    d.tick()
    for method in ("server.time", "depth.subscribe", "trades.subscribe", "ticker.subscribe",
                   "all_ticker.subscribe"):
        d.ack(d.request(method), at=T0 + 0.05)
    d.receive(captured("server.ping reply", id=d.request("server.ping").id), at=T0 + 0.05)
    d.receive(BTC_SNAPSHOT, at=T0 + 0.1)
    ticks: list[float] = []
    pings: list[float] = []
    next_push = T0 + 1.0  # a ticker push every second: messages that wake nobody
    while d.now < T0 + 60.0:
        wake = d.now + d.core.wake_in(d.now)
        while next_push < wake:
            d.receive(captured("server.ping reply", id=99999), at=next_push)  # not ours
            next_push += 1.0
        d.tick(wake)
        ticks.append(round(wake - T0, 3))
        if ("server.ping", []) in d.sent_now():
            pings.append(round(wake - T0, 3))
            d.receive(captured("server.ping reply", id=d.request("server.ping").id),
                      at=wake + 0.05)
    assert pings == [20.0, 40.0, 60.0]
    assert ticks == [15.101, 20.0, 35.051, 40.0, 55.051, 60.0]
    # Silence (no push, no pong): dropped at the first wake-up, 15 s after the last message.
    last = d.now
    wake = d.now + d.core.wake_in(d.now)
    assert wake - last == pytest.approx(15.0, abs=0.01)
    assert d.tick(wake) == "no data for 15 s"


def test_ping_every_interval_and_a_missing_pong_drops_the_link_as_stale():
    d = Driver(ping_interval=20.0, pong_timeout=10.0, stale_after=1e6)
    d.connect()
    d.tick()
    assert ("server.ping", []) in d.sent_now()  # the first one at once: it measures latency
    d.receive(captured("server.ping reply", id=d.request("server.ping").id), at=T0 + 0.1)
    assert d.tick(T0 + 19.9) is None and d.last == []
    assert d.tick(T0 + 20.0) is None and d.sent_now() == [("server.ping", [])]
    assert d.tick(T0 + 30.0) is None  # unanswered for exactly the time-out: still alive
    assert d.tick(T0 + 30.01) == "no pong within 10 s"
    assert d.core.status.state is LinkState.STALE
    assert d.notices[-1].kind is NoticeKind.STALE and d.notices[-1].severity == "warning"


def test_no_data_for_stale_after_drops_the_link():
    d = Driver(ping_interval=1e6, pong_timeout=1e6, stale_after=15.0)
    d.connect()
    d.tick()
    d.receive(BTC_SNAPSHOT, at=T0 + 5.0)
    assert d.tick(T0 + 20.0) is None  # 15 s after the last frame, not more
    assert d.tick(T0 + 20.01) == "no data for 15 s"
    assert d.core.status.state is LinkState.STALE


# ------------------------------------------------------------------ time-outs
def test_unanswered_requests_time_out_and_the_subscribe_counts_as_acked():
    d = Driver(request_timeout=8.0, snapshot_timeout=60.0, **QUIET)
    d.connect()
    d.tick()
    subscribe = d.request("depth.subscribe")
    d.receive(BTC_DELTA, at=T0 + 1.0)  # before the ack: left over from an earlier subscription
    assert d.state() is MarketState.WAITING and d.core.frames_dropped == 1
    assert d.tick(T0 + 8.0) is None and len(d.core.dialogue.requests.pending) == 6
    d.tick(T0 + 8.01)
    assert [r.method for r in d.core.dialogue.requests.pending.values()] == ["server.ping"]
    assert d.core.status.last_error == "trades.subscribe: no reply within 8 s"
    d.ack(subscribe)  # too late: no longer ours, nothing happens
    d.receive(BTC_DELTA)  # the subscribe counts as acked now: this is a gap
    assert d.state() is MarketState.RESYNCING and d.kinds()[-1] is NoticeKind.RESYNC


def test_no_snapshot_in_time_rejects_the_market_across_resubscribes():
    d = Driver(("BTC_USDT", "ETH_USDT"), snapshot_timeout=10.0, request_timeout=60.0, **QUIET)
    d.connect()
    d.tick()
    d.ack(d.request("depth.subscribe"), at=T0 + 0.01)
    d.receive(BTC_SNAPSHOT, at=T0 + 0.02)
    d.core.add_market("XRP_USDT")  # a resubscribe does not restart ETH's clock
    d.tick(T0 + 5.0)
    assert ("depth.subscribe", ["BTC_USDT", "ETH_USDT", "XRP_USDT"]) in d.sent_now()
    assert d.tick(T0 + 10.0) is None and d.state("ETH_USDT") is MarketState.WAITING
    d.tick(T0 + 10.01)
    eth = d.core.markets["ETH_USDT"].status
    assert eth.state is MarketState.REJECTED and eth.error == "no snapshot within 10 s"
    assert [(n.kind, n.market) for n in d.notices][-1] == (NoticeKind.REJECTED, "ETH_USDT")
    assert d.state("BTC_USDT") is MarketState.LIVE
    assert d.state("XRP_USDT") is MarketState.WAITING  # its clock started at T0 + 5
    d.tick(T0 + 15.01)
    assert d.state("XRP_USDT") is MarketState.REJECTED


# ------------------------------------------------------------------ integrity
def test_delta_before_snapshot_resyncs_with_a_fresh_subscribe():
    d = Driver(**QUIET)
    d.connect()
    d.tick()
    d.ack(d.request("depth.subscribe"), at=T0 + 0.01)
    d.receive(BTC_DELTA, at=T0 + 0.3)
    m = d.core.markets["BTC_USDT"]
    assert m.status.state is MarketState.RESYNCING and m.status.resyncs == 1
    assert len(m.book) == 0 and d.core.frames_dropped == 1  # never applied to an empty book
    assert "update before any snapshot" in m.status.error
    assert d.tick() is None
    assert d.sent_now() == [("depth.unsubscribe", []), ("depth.subscribe", ["BTC_USDT"]),
                            ("trades.unsubscribe", []), ("trades.subscribe", ["BTC_USDT"])]
    d.receive(BTC_DELTA)  # left over while resyncing: dropped, no second resync
    assert m.status.resyncs == 1
    d.receive(BTC_SNAPSHOT)
    assert m.status.state is MarketState.LIVE


def test_crossed_book_resyncs_and_a_crossed_snapshot_again_waits():
    d = Driver(("BTC_USDT", "EOS_USDT"), **QUIET)
    d.connect()
    d.tick()
    d.receive(BTC_SNAPSHOT, at=T0 + 0.01)
    d.receive(delta("BTC_USDT", [], [["11699.57", "1"]]))  # bid = best ask: locked
    btc = d.core.markets["BTC_USDT"].status
    assert btc.state is MarketState.RESYNCING and "crossed book after an update" in btc.error
    eos_snapshot = captured("bid equals ask")
    d.receive(eos_snapshot)
    eos = d.core.markets["EOS_USDT"]
    assert eos.status.state is MarketState.RESYNCING and eos.status.error == "crossed snapshot"
    assert eos.book.is_crossed()  # shown, but marked
    d.receive(eos_snapshot)
    assert eos.status.resyncs == 1 and "waiting for the next one" in eos.status.error
    assert d.kinds().count(NoticeKind.RESYNC) == 2
    d.tick(T0 + 1.0)
    assert ("depth.subscribe", ["BTC_USDT", "EOS_USDT"]) in d.sent_now()


def test_resyncs_in_a_row_slow_the_resubscribes_down():
    d = Driver(**QUIET)
    d.connect()
    d.tick()
    for i in range(3):  # a server whose book crosses every second
        d.receive(BTC_SNAPSHOT, at=T0 + i)
        d.receive(delta("BTC_USDT", [], [["20000", "1"]]))
        d.tick()
    assert d.last == []  # the third: at most one resubscribe per 2 s now
    assert d.core.wake_in(d.now) == pytest.approx(1.0)  # 2 s after the one at T0 + 1
    d.tick(T0 + 2.99)
    assert d.last == []
    d.tick(T0 + 3.0)
    assert ("depth.subscribe", ["BTC_USDT"]) in d.sent_now()
    assert d.core.subs.gap(T0 + 12.0) == 0.2  # the window has passed


# ------------------------------------------------------------------ refusals
def test_a_market_refused_by_an_error_reply_is_rejected():
    d = Driver(("NOPE_USDT",), **QUIET)
    d.connect()
    d.tick()
    why = "invalid argument: unknown market NOPE_USDT"
    d.refuse(d.request("depth.subscribe"), 1, why)
    d.refuse(d.request("trades.subscribe"), 1, why)
    nope = d.core.markets["NOPE_USDT"].status
    assert nope.state is MarketState.REJECTED and nope.error == f"server refused: {why}"
    assert d.core.status.last_error == f"trades.subscribe refused: {why}"
    assert d.kinds().count(NoticeKind.REJECTED) == 1 and d.core.ready()
    d.core.add_market("nope_usdt")  # adding it again tries again
    assert nope.state is MarketState.WAITING
    d.tick(T0 + 1.0)
    assert ("depth.subscribe", ["NOPE_USDT"]) in d.sent_now()


def test_a_transient_refusal_is_retried_with_a_growing_wait():
    d = Driver(**QUIET)
    d.connect()
    d.tick()
    d.refuse(d.request("depth.subscribe"), 3, "service unavailable")
    assert d.state() is MarketState.WAITING
    assert d.core.status.last_error == "depth.subscribe refused: service unavailable"
    assert d.tick(T0 + 0.49) is None and d.last == []
    d.tick(T0 + 0.5)
    assert ("depth.subscribe", ["BTC_USDT"]) in d.sent_now()
    d.refuse(d.request("depth.subscribe"), 5, "service timeout")  # the second in a row
    assert d.core.wake_in(d.now) == pytest.approx(1.0)
    d.tick(T0 + 1.49)
    assert d.last == []
    d.tick(T0 + 1.5)
    d.ack(d.request("depth.subscribe"))
    assert d.core.subs.failures == 0
    d.receive(BTC_SNAPSHOT)
    assert d.state() is MarketState.LIVE


def test_a_refused_subscribe_of_several_markets_is_probed_down_to_the_bad_one():
    markets = ("BTC_USDT", "NOPE_USDT", "ETH_USDT", "XRP_USDT")
    d = Driver(markets, request_timeout=8.0, snapshot_timeout=60.0, **QUIET)
    d.connect()
    d.tick()
    why = "invalid argument: unknown market NOPE_USDT"
    d.refuse(d.request("depth.subscribe"), 1, why)
    assert all(d.state(m) is MarketState.WAITING for m in markets)  # not known which yet
    assert d.core.wake_in(d.now) == 0.0

    d.tick()  # one market at a time, each waited for by id
    assert d.sent_now() == [("depth.unsubscribe", []), ("depth.subscribe", ["BTC_USDT"])]
    probe = d.last[1]
    assert d.tick() is None and d.last == []  # nothing else while the probe is out
    d.ack(probe)
    d.tick()
    assert d.sent_now() == [("depth.unsubscribe", []), ("depth.subscribe", ["NOPE_USDT"])]
    d.refuse(d.last[1], 1, why)
    assert d.state("NOPE_USDT") is MarketState.REJECTED
    d.core.remove_market("ETH_USDT")  # removed meanwhile: skipped
    d.tick()
    assert d.sent_now() == [("depth.unsubscribe", []), ("depth.subscribe", ["XRP_USDT"])]
    d.tick(d.now + 8.01)  # no reply: neither refused nor accepted, on to the end
    assert d.state("XRP_USDT") is MarketState.WAITING
    d.tick(d.now + 0.01)  # every suspect tried: one subscribe with every good market
    good = ["BTC_USDT", "XRP_USDT"]
    assert d.sent_now() == [("depth.unsubscribe", []), ("depth.subscribe", good),
                            ("trades.unsubscribe", []), ("trades.subscribe", good),
                            ("ticker.unsubscribe", []), ("ticker.subscribe", good)]
    assert not d.core.subs.probe.running
    assert [(n.kind, n.market) for n in d.notices if n.kind is NoticeKind.REJECTED] == [
        (NoticeKind.REJECTED, "NOPE_USDT")]


# ------------------------------------------------------------------ connections
def test_a_lost_connection_keeps_books_marked_stale_and_forgets_its_requests():
    d = Driver(**QUIET)
    d.connect()
    d.tick()
    old_subscribe = d.request("depth.subscribe")
    d.receive(BTC_SNAPSHOT, at=T0 + 0.01)
    d.core.disconnected("server closed the connection (1000)")
    assert d.state() is MarketState.STALE and d.core.markets["BTC_USDT"].book.has_snapshot
    assert d.core.status.state is LinkState.RECONNECTING
    assert d.core.status.last_error == "server closed the connection (1000)"
    assert d.notices[-1].kind is NoticeKind.DISCONNECTED
    d.now = T0 + 5.0
    d.connect()
    d.tick()
    assert [r.id for r in d.last] == [1, 2, 3, 4, 5, 6]  # ids start again on every connection
    assert d.core.dialogue.requests.pending[old_subscribe.id] is not old_subscribe
    assert d.state() is MarketState.STALE  # until this connection's snapshot
    d.receive(BTC_DELTA)  # before this subscribe's ack: the old stream, dropped
    assert d.state() is MarketState.STALE and d.core.markets["BTC_USDT"].status.resyncs == 0
    d.receive(BTC_SNAPSHOT)
    assert d.state() is MarketState.LIVE


def test_notice_text_is_inert_and_a_failing_callback_is_contained():
    def boom(_notice: FeedNotice) -> None:
        raise RuntimeError("ui bug")

    core = FeedCore(AppConfig(markets=["BTC_USDT"]), boom)
    core.connected(T0, "ws://x/")  # the CONNECTED notice raises inside
    d = Driver(("NOPE_USDT",), **QUIET)
    d.connect()
    d.tick()
    d.refuse(d.request("depth.subscribe"), 1, "no\x1b[2J such\u202emarket\n" + "x" * 500)
    text = d.notices[-1].text
    assert "\x1b" not in text and "\u202e" not in text and "\n" not in text
    assert len(text) <= 200


def test_the_core_imports_no_event_loop_or_network_code():
    code = ("import sys\nimport dfx_tui.app.feed.core\n"
            "print(sorted({m.split('.')[0] for m in sys.modules} & "
            "{'asyncio', 'websockets', 'socket', 'textual'}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]"
