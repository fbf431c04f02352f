"""Fuzzing the app's frame handler: `FeedClient.handle_frame` / `handle_message` (issue 7).

Random bytes, random text, random JSON, protocol-shaped messages with junk swapped in, and
mutated real frames (captured fixtures and dfx-sim output), fed in sequences to a FeedClient
with markets subscribed. After every frame:
- nothing raised;
- `status.messages` counted it, and `frames_rejected` went up by one exactly when the codec
  rejects the frame;
- no book is crossed unless its market is marked RESYNCING;
- a LIVE market's book equals a reference model fed the same valid messages.
The number of examples run is reported at the end of the module (and written to
$DFX_FUZZ_REPORT, if set).
"""

from __future__ import annotations

import json
import os
import random
import time
import zlib
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dfx_tui.app.config import AppConfig
from dfx_tui.app.feed.client import FeedClient
from dfx_tui.app.feed.requests import Request
from dfx_tui.app.sim.market import MarketModel, spec_for
from dfx_tui.book.codec import DepthUpdate, ProtocolError, decode_frame, encode_server_frame
from dfx_tui.book.state import MarketState

MARKETS = ("BTC_USDT", "ETH_USDT")
FIXTURES = Path(__file__).resolve().parent / "data" / "captured-frames.jsonl"
EXAMPLES: Counter[str] = Counter()
FRAMES: Counter[str] = Counter()


@pytest.fixture(scope="module", autouse=True)
def _report(request):
    yield
    total = sum(EXAMPLES.values())
    line = (f"feed fuzz: {total} examples, {sum(FRAMES.values())} frames "
            f"({', '.join(f'{k} {v}' for k, v in sorted(EXAMPLES.items()))}); "
            f"frames by outcome: {dict(FRAMES)}")
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_line("")
        reporter.write_line(line)
    path = os.environ.get("DFX_FUZZ_REPORT")
    if path:
        with open(path, "a") as fh:
            fh.write(json.dumps({"module": "test_feed_fuzz", "examples": dict(EXAMPLES),
                                 "frames": dict(FRAMES), "total_examples": total}) + "\n")


# ------------------------------------------------------------------ a reference of the books
class Reference:
    """What a correct client holds: snapshot replaces, delta sets/deletes, nothing applied to a
    market between a failed check (delta before snapshot, crossed book) and its next snapshot."""

    def __init__(self) -> None:
        self.books: dict[str, dict[str, dict[float, tuple[str, str]]]] = {}
        self.synced: set[str] = set()

    def apply(self, ev: DepthUpdate) -> None:
        if ev.market not in MARKETS:
            return
        if ev.clean:
            self.books[ev.market] = {"asks": {}, "bids": {}}
        elif ev.market not in self.synced:
            return
        book = self.books[ev.market]
        for side, levels in (("asks", ev.asks), ("bids", ev.bids)):
            for key, value in levels or ():
                if value is None:
                    book[side].pop(key, None)
                else:
                    book[side][key] = value
        bids, asks = book["bids"], book["asks"]
        crossed = bool(bids and asks and max(bids) >= min(asks))
        if crossed:
            self.synced.discard(ev.market)
        elif ev.clean:
            self.synced.add(ev.market)

    def as_dict(self, market: str) -> dict[str, list[list[str]]]:
        book = self.books[market]
        return {"bids": [list(book["bids"][p]) for p in sorted(book["bids"], reverse=True)],
                "asks": [list(book["asks"][p]) for p in sorted(book["asks"])]}


# ------------------------------------------------------------------ strategies
HUGE = st.sampled_from([10**400, -10**400, 2**63, 2**1024, 1e308, -1e308, 1e12, -0.0])
JSON_LEAF = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(),
                      st.text(max_size=12), HUGE)
JSON = st.recursive(JSON_LEAF, lambda c: st.one_of(st.lists(c, max_size=4),
                                                   st.dictionaries(st.text(max_size=6), c,
                                                                   max_size=4)),
                    max_leaves=20)
TICKS = st.integers(min_value=95, max_value=105)  # a narrow band: crossings happen often
PRICE = TICKS.map(lambda t: f"{t}.00")
AMOUNT = st.one_of(st.sampled_from(["0", "0.000", "1", "2.5", "0.0001"]),
                   st.integers(min_value=1, max_value=999).map(str))
JUNK_NUMBER = st.one_of(st.sampled_from(["NaN", "-1", "Infinity", "1e999", "", "abc", "0x10",
                                         "\x0b1", "1\n", "[red]1", "-0"]), JSON_LEAF)
LEVEL = st.one_of(st.tuples(PRICE, AMOUNT).map(list), st.tuples(PRICE, AMOUNT).map(list),
                  st.tuples(PRICE, AMOUNT).map(list), st.tuples(JUNK_NUMBER, AMOUNT).map(list),
                  st.tuples(PRICE, JUNK_NUMBER).map(list), JSON_LEAF)
SIDE = st.lists(LEVEL, max_size=6)
MARKET = st.one_of(st.sampled_from([*MARKETS, "btc_usdt", "XRP_USDT"]),
                   st.sampled_from(["BTC-USDT", "[b]X_Y", "\x1b[2J_X", ""]), JSON_LEAF)
DEPTH = st.builds(
    lambda clean, asks, bids, market, drop: {
        "method": "depth.update", "id": None,
        "params": [clean, {k: v for k, v in (("asks", asks), ("bids", bids)) if k != drop},
                   market]},
    st.one_of(st.booleans(), st.booleans(), JSON_LEAF), SIDE, SIDE, MARKET,
    st.sampled_from([None, None, None, "asks", "bids"]))
TRADE = st.fixed_dictionaries({
    "id": st.one_of(st.integers(min_value=0, max_value=50), JSON_LEAF),
    "time": st.one_of(st.floats(min_value=1e9, max_value=2e9), HUGE, JSON_LEAF),
    "price": st.one_of(PRICE, JUNK_NUMBER), "amount": st.one_of(AMOUNT, JUNK_NUMBER),
    "type": st.sampled_from(["buy", "sell", "hold", 1])})
TRADES = st.builds(lambda clean, trades, market: {"method": "trades.update", "id": None,
                                                  "params": [clean, trades, market]},
                   st.one_of(st.booleans(), JSON_LEAF), st.lists(TRADE, max_size=4), MARKET)
REPLY = st.one_of(
    st.fixed_dictionaries({"id": st.integers(min_value=-2, max_value=26),
                           "result": st.one_of(JSON_LEAF, st.just({"status": "success"}),
                                               st.sampled_from([10**400, -10**400, 1e308,
                                                                1523348055, "pong"])),
                           "error": st.none()}),
    st.fixed_dictionaries({"id": st.one_of(st.integers(0, 20), JSON_LEAF),
                           "result": st.none(),
                           "error": st.one_of(st.fixed_dictionaries(
                               {"code": st.one_of(st.sampled_from([1, 2, 3, 4, 5, 6]),
                                                  JSON_LEAF),
                                "message": JSON_LEAF}), JSON_LEAF)}))
MESSAGE = st.one_of(DEPTH, DEPTH, DEPTH, TRADES, REPLY, JSON)


def _captured() -> list[dict[str, Any]]:
    out = []
    for line in FIXTURES.read_text().splitlines():
        frame = json.loads(line)["frame"]
        if frame.get("method") in ("depth.update", "trades.update"):
            frame = json.loads(json.dumps(frame).replace("EOS_USDT", "ETH_USDT"))
        out.append(frame)
    return out


def _sim_frames() -> list[dict[str, Any]]:
    """Real dfx-sim output for BTC_USDT: a snapshot, deltas and trades."""
    model = MarketModel(spec_for("BTC_USDT"), 3, levels=15, rate=20.0, trade_rate=5.0, now=1e9)
    snap = model.snapshot_wire()
    frames: list[dict[str, Any]] = [{"method": "depth.update", "id": None,
                                     "params": [True, snap, "BTC_USDT"]}]
    for i in range(40):
        d = model.step(1e9 + i * 0.05)
        frames.append({"method": "depth.update", "id": None, "params": [
            False, {"asks": model.side_wire(d.asks), "bids": model.side_wire(d.bids)},
            "BTC_USDT"]})
        if d.trades:
            frames.append({"method": "trades.update", "id": None,
                           "params": [False, d.trades, "BTC_USDT"]})
    return frames


REAL = _captured() + _sim_frames()
REAL_BYTES = [encode_server_frame(f) for f in REAL]


@st.composite
def mutated_real(draw) -> bytes | str:
    """A real frame with a few bytes flipped, cut short, or its JSON text mutated."""
    i = draw(st.integers(0, len(REAL) - 1))
    how = draw(st.sampled_from(["bytes", "truncate", "text", "as-is", "as-is"]))
    if how == "as-is":
        return REAL_BYTES[i]
    if how == "text":
        text = json.dumps(REAL[i])
        pos = draw(st.integers(0, len(text) - 1))
        repl = draw(st.sampled_from(["", "0", "-", "\"", ",", "]", "}", "null", "1e999", "[[",
                                     "\x1b"]))
        text = text[:pos] + repl + text[pos + 1:]
        return zlib.compress(text.encode()) if draw(st.booleans()) else text
    data = bytearray(REAL_BYTES[i])
    if how == "truncate":
        return bytes(data[: draw(st.integers(0, len(data) - 1))])
    for _ in range(draw(st.integers(1, 4))):
        pos = draw(st.integers(0, len(data) - 1))
        data[pos] = draw(st.integers(0, 255))
    return bytes(data)


def _encode(obj: Any, how: str) -> bytes | str:
    text = json.dumps(obj)
    return text if how == "text" else zlib.compress(text.encode())


ENCODED = st.builds(_encode, MESSAGE, st.sampled_from(["zlib", "zlib", "text"]))
FRAME = st.one_of(ENCODED, ENCODED, ENCODED, mutated_real(), mutated_real(),
                  st.binary(max_size=200), st.text(max_size=100))


# ------------------------------------------------------------------ the invariants
PENDING_METHODS = ("server.ping", "server.time", "depth.subscribe", "trades.subscribe",
                   "depth.unsubscribe", "trades.unsubscribe")


def _feed() -> FeedClient:
    """A feed with markets subscribed and requests 1..24 in flight, so replies hit them."""
    feed = FeedClient(AppConfig(markets=list(MARKETS)))
    now = time.monotonic()
    requests = feed.core.dialogue.requests
    for rid in range(1, 25):
        method = PENDING_METHODS[rid % len(PENDING_METHODS)]
        markets = MARKETS if rid % 4 else MARKETS[:1]
        requests.pending[rid] = Request(rid, method, list(markets), "", now, time.time(),
                                        tuple(markets))
        if method == "server.ping":
            feed.core.dialogue.keepalive.unanswered_since = now
    return feed


def _step(feed: FeedClient, ref: Reference, frame: bytes | str, t: float) -> None:
    st_ = feed.status
    messages, rejected = st_.messages, st_.frames_rejected
    try:
        ev = decode_frame(frame)
    except ProtocolError:
        ev = None
    feed.handle_frame(frame, t)  # must never raise
    assert st_.messages == messages + 1
    if ev is None:
        FRAMES["rejected"] += 1
        assert st_.frames_rejected == rejected + 1
    else:
        FRAMES[type(ev).__name__] += 1
        assert st_.frames_rejected == rejected
        if isinstance(ev, DepthUpdate):
            ref.apply(ev)
    assert "\n" not in st_.last_error
    for name, market in feed.markets.items():
        state = market.status.state
        if market.book.is_crossed():
            assert state is MarketState.RESYNCING, f"{name} crossed but {state}"
        if state is MarketState.LIVE:
            assert market.book.as_dict() == ref.as_dict(name), name
    assert list(feed.markets) == list(MARKETS)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(FRAME, min_size=1, max_size=25))
def test_frame_sequences(frames):
    EXAMPLES["frame_sequences"] += 1
    feed, ref = _feed(), Reference()
    for i, frame in enumerate(frames):
        _step(feed, ref, frame, float(i))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(st.sampled_from(range(len(REAL))), mutated_real()), min_size=1,
                max_size=40))
def test_real_frames_interleaved_with_mutants(items):
    """Mostly-valid streams: the real sim sequence in order, with mutants dropped in."""
    EXAMPLES["real_with_mutants"] += 1
    feed, ref = _feed(), Reference()
    for i, item in enumerate(items):
        frame = REAL_BYTES[item] if isinstance(item, int) else item
        _step(feed, ref, frame, float(i))


@settings(max_examples=300, deadline=None)
@given(st.lists(MESSAGE, min_size=1, max_size=25))
def test_handle_message_objects(messages):
    """The replay path: already-parsed JSON objects straight into handle_message."""
    EXAMPLES["handle_message"] += 1
    feed = _feed()
    for i, obj in enumerate(messages):
        rejected = feed.status.frames_rejected
        feed.handle_message(obj, float(i))
        assert feed.status.frames_rejected in (rejected, rejected + 1)
        for market in feed.markets.values():
            if market.book.is_crossed():
                assert market.status.state is MarketState.RESYNCING


HOSTILE_RESULTS = [10**400, -10**400, 2**1024, 1e308, float("nan"), -1, 0, 1.7e12, "pong",
                   None, [], {}, {"status": "failure"}, "\x1b[2J", True]
HOSTILE_ERRORS = [{"code": c, "message": m} for c in (1, 2, 3, 4, 5, 6, 10**400, None, "3")
                  for m in ("x", "\x1b]0;t\x07", 5)] + ["boom", 7, [1], {"code": 3}]


def test_replies_to_requests_in_flight():
    """Every request kind in flight answered with every hostile result and error."""
    n = 0
    for result in HOSTILE_RESULTS:
        feed = _feed()
        for rid in range(1, 25):
            for encode in ("zlib", "text"):
                feed.handle_frame(_encode({"id": rid, "result": result, "error": None}, encode),
                                  1.0)
                n += 1
        assert not feed.core.dialogue.requests.pending
    for error in HOSTILE_ERRORS:
        feed = _feed()
        for rid in range(1, 25):
            feed.handle_frame(_encode({"id": rid, "result": None, "error": error}, "zlib"), 1.0)
            n += 1
        assert "\x1b" not in feed.status.last_error
        for market in feed.markets.values():
            assert "\x1b" not in market.status.error
    EXAMPLES["hostile_replies"] += n


def test_seeded_random_soak_of_the_handler():
    """A long deterministic run: 20 000 frames, a third of them broken."""
    EXAMPLES["seeded_soak_frames"] += 20_000
    rng = random.Random(7)
    feed, ref = _feed(), Reference()
    model = MarketModel(spec_for("ETH_USDT"), 1, levels=20, rate=50.0, now=1e9)
    snap = {"method": "depth.update", "id": None,
            "params": [True, model.snapshot_wire(), "ETH_USDT"]}
    _step(feed, ref, encode_server_frame(snap), 0.0)
    for i in range(20_000):
        r = rng.random()
        if r < 0.6:
            d = model.step(1e9 + i)
            frame: bytes | str = encode_server_frame({"method": "depth.update", "id": None,
                                                      "params": [False, {
                                                          "asks": model.side_wire(d.asks),
                                                          "bids": model.side_wire(d.bids)},
                                                          "ETH_USDT"]})
        elif r < 0.67:
            frame = encode_server_frame({"method": "depth.update", "id": None,
                                         "params": [True, model.snapshot_wire(), "ETH_USDT"]})
        else:
            data = bytearray(REAL_BYTES[rng.randrange(len(REAL_BYTES))])
            for _ in range(rng.randint(1, 3)):
                data[rng.randrange(len(data))] = rng.randrange(256)
            frame = bytes(data)
        _step(feed, ref, frame, float(i))
    eth = feed.markets["ETH_USDT"]
    if eth.status.state is MarketState.LIVE:
        assert eth.book.as_dict() == model.truth()
