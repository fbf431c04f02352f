"""FeedClient's data path without a network: handle_message, states, markets, backoff."""

from __future__ import annotations

import json
import random
import time
from pathlib import Path

import pytest

from dfx_tui.app.config import AppConfig
from dfx_tui.app.feed.backoff import Backoff
from dfx_tui.app.feed.client import FeedClient, FeedNotice
from dfx_tui.book.codec import encode_server_frame
from dfx_tui.book.state import LinkState, MarketState

FIXTURES = Path(__file__).resolve().parent / "data" / "captured-frames.jsonl"


def depth(clean: bool, asks: list, bids: list, market: str = "BTC_USDT") -> dict:
    return {"method": "depth.update", "params": [clean, {"asks": asks, "bids": bids}, market],
            "id": None}


def trades(clean: bool, items: list, market: str = "BTC_USDT") -> dict:
    return {"method": "trades.update", "params": [clean, items, market], "id": None}


def make(markets=("BTC_USDT",)) -> tuple[FeedClient, list[FeedNotice]]:
    notices: list[FeedNotice] = []
    feed = FeedClient(AppConfig(markets=list(markets)), notices.append)
    return feed, notices


SNAP = depth(True, [["101", "1"], ["102", "2"]], [["100", "1"], ["99", "3"]])


def test_markets_normalized_ordered_and_idempotent():
    feed, _ = make(["btc_usdt"])
    assert list(feed.markets) == ["BTC_USDT"]
    m = feed.add_market("eth_usdt")
    assert feed.add_market("ETH_USDT") is m
    assert m.status.state is MarketState.WAITING
    feed.set_markets(["xrp_usdt", "ETH_USDT"])
    assert list(feed.markets) == ["XRP_USDT", "ETH_USDT"]
    assert feed.markets["ETH_USDT"] is m
    feed.remove_market("xrp_usdt")
    feed.remove_market("XRP_USDT")  # idempotent
    assert list(feed.markets) == ["ETH_USDT"]
    with pytest.raises(ValueError):
        feed.add_market("not a market")


def test_snapshot_replaces_never_merges():
    feed, _ = make()
    feed.handle_message(SNAP, 1.0)
    book = feed.markets["BTC_USDT"].book
    assert feed.markets["BTC_USDT"].status.state is MarketState.LIVE
    feed.handle_message(depth(True, [["105", "1"]], [["104", "1"]]), 2.0)
    assert book.as_dict() == {"bids": [["104", "1"]], "asks": [["105", "1"]]}


def test_delta_sets_absolute_and_zero_deletes():
    feed, _ = make()
    feed.handle_message(SNAP, 1.0)
    feed.handle_message(depth(False, [["101", "0.000"], ["103", "5"]], [["100", "7"]]), 2.0)
    assert feed.markets["BTC_USDT"].book.as_dict() == {
        "bids": [["100", "7"], ["99", "3"]], "asks": [["102", "2"], ["103", "5"]]}


def test_delta_before_snapshot_resyncs_and_is_not_applied():
    feed, notices = make()
    feed.handle_message(depth(False, [["101", "1"]], [["100", "1"]]), 1.0)
    m = feed.markets["BTC_USDT"]
    assert len(m.book) == 0
    assert m.status.state is MarketState.RESYNCING and m.status.resyncs == 1
    assert [n.kind for n in notices] == ["resync"]
    feed.handle_message(SNAP, 2.0)
    assert m.status.state is MarketState.LIVE


def test_crossed_after_delta_resyncs_until_fresh_snapshot():
    feed, notices = make()
    feed.handle_message(SNAP, 1.0)
    m = feed.markets["BTC_USDT"]
    feed.handle_message(depth(False, [], [["101.5", "1"]]), 2.0)
    assert m.status.state is MarketState.RESYNCING
    assert "crossed" in m.status.error
    # Deltas while resyncing are ignored: the book is known to be wrong.
    before = m.book.as_dict()
    feed.handle_message(depth(False, [["110", "1"]], []), 3.0)
    assert m.book.as_dict() == before
    feed.handle_message(SNAP, 4.0)
    assert m.status.state is MarketState.LIVE
    assert m.book.as_dict() == {"bids": [["100", "1"], ["99", "3"]],
                                "asks": [["101", "1"], ["102", "2"]]}
    assert notices[0].kind == "resync" and notices[0].market == "BTC_USDT"


def test_locked_book_counts_as_crossed():
    feed, _ = make()
    feed.handle_message(SNAP, 1.0)
    feed.handle_message(depth(False, [], [["101", "1"]]), 2.0)
    assert feed.markets["BTC_USDT"].status.state is MarketState.RESYNCING


def test_unwanted_market_dropped():
    feed, _ = make()
    feed.handle_message(depth(True, [["1", "1"]], [], market="ETH_USDT"), 1.0)
    assert "ETH_USDT" not in feed.markets
    assert feed.frames_dropped == 1


def test_corrupt_messages_are_counted_never_fatal():
    feed, _ = make()
    bad = [[1, 2], {"method": "depth.update", "params": [False, [["1", "2"]]], "id": None},
           depth(True, [["abc", "1"]], []), {"id": "x", "result": 1}, "text"]
    for i, obj in enumerate(bad):
        feed.handle_message(obj, float(i))
    feed.handle_frame(b"\x78\x9cgarbage", 9.0)
    feed.handle_frame("{not json", 10.0)
    st = feed.status
    assert st.frames_rejected == len(bad) + 2
    assert st.last_error.startswith("bad frame:") and "\n" not in st.last_error
    feed.handle_frame(encode_server_frame(SNAP), 11.0)
    assert feed.markets["BTC_USDT"].status.state is MarketState.LIVE


def test_trades_clean_replaces_then_adds_deduped():
    feed, _ = make()
    t = lambda i: {"id": i, "time": 1.0 + i, "price": "1", "amount": "2", "type": "buy"}  # noqa: E731
    feed.handle_message(trades(True, [t(2), t(1)]), 1.0)
    feed.handle_message(trades(False, [t(3), t(2)]), 2.0)
    assert [x.id for x in feed.markets["BTC_USDT"].tape] == [3, 2, 1]


def test_captured_frames_fixture_goes_through_the_data_path():
    feed, _ = make(["BTC_USDT", "ETH_USDT", "EOS_USDT"])
    for line in FIXTURES.read_text().splitlines():
        frame = json.loads(line)["frame"]
        if "method" in frame and frame.get("id") is not None:
            continue  # a client request, not server output
        feed.handle_message(frame, 1.0)
    btc = feed.markets["BTC_USDT"].book
    assert btc.best_bid() == ("11697.89", "0.2184") and btc.best_ask() == ("11699.57", "0.1029")
    assert feed.markets["BTC_USDT"].status.state is MarketState.LIVE
    assert [t.id for t in feed.markets["ETH_USDT"].tape] == [3282939928]  # clean replaces
    assert feed.status.frames_rejected == 0


def test_rates_come_from_the_timer_not_the_data_path():
    feed, _ = make()
    feed.core.update_rates(0.0)
    feed.handle_message(SNAP, 1.0)
    feed.handle_message(depth(False, [["103", "1"]], []), 2.0)
    assert feed.status.messages == 2 and feed.status.msgs_per_s == 0.0  # counted, not rated
    feed.core.update_rates(0.5)
    assert feed.status.msgs_per_s == 4.0
    assert feed.markets["BTC_USDT"].status.msgs_per_s == 4.0


async def test_wait_ready_counts_rejected_as_done():
    feed, _ = make(["BTC_USDT", "ETH_USDT"])
    assert not await feed.wait_ready(0.05)
    feed.handle_message(SNAP, 1.0)
    feed.core.reject("ETH_USDT", "server refused: unknown market")
    assert await feed.wait_ready(0.05)
    assert feed.markets["ETH_USDT"].status.state is MarketState.REJECTED


async def test_stop_is_idempotent_and_goes_down():
    feed, _ = make()
    await feed.stop()
    await feed.stop()
    assert feed.status.state is LinkState.DOWN


def test_backoff_doubles_caps_jitters_and_resets():
    b = Backoff(0.5, 30.0, 0.25, rng=random.Random(1))
    delays = [b.next_delay() for _ in range(10)]
    for i, d in enumerate(delays):
        raw = min(30.0, 0.5 * 2**i)
        assert raw * 0.75 <= d <= raw * 1.25
    b.reset()
    assert b.next_delay() <= 0.625


def test_handle_message_throughput():
    """Sanity bound only (the figure is reported, not asserted tightly)."""
    feed, _ = make()
    feed.handle_message(depth(True, [[str(1000 + i), "1"] for i in range(50)],
                              [[str(999 - i), "1"] for i in range(50)]), 0.0)
    msgs = [depth(False, [[str(1000 + i % 50), str(1 + i % 7)]], [[str(999 - i % 50), "2"]])
            for i in range(20000)]
    t0 = time.perf_counter()
    for i, m in enumerate(msgs):
        feed.handle_message(m, float(i))
    rate = len(msgs) / (time.perf_counter() - t0)
    print(f"handle_message: {rate:,.0f} msgs/s")
    assert feed.markets["BTC_USDT"].status.state is MarketState.LIVE
    assert rate > 5000


def test_repeated_resyncs_are_throttled():
    feed, _ = make()
    subs = feed.core.subs
    assert subs.gap(2.0) == 0.2
    for _ in range(3):
        feed.handle_message(SNAP, 1.0)
        feed.handle_message(depth(False, [], [["150", "1"]]), 2.0)  # crossed
    assert feed.markets["BTC_USDT"].status.resyncs == 3
    assert subs.gap(2.0) == 2.0
    assert subs.gap(2.0 + 11) == 0.2


def test_a_failing_notice_callback_cannot_break_the_feed():
    def boom(_n):
        raise RuntimeError("ui bug")

    feed = FeedClient(AppConfig(markets=["BTC_USDT"]), boom)
    feed.handle_message(depth(False, [["1", "1"]], []), 1.0)  # resync notice raises inside
    feed.handle_message(SNAP, 2.0)
    assert feed.markets["BTC_USDT"].status.state is MarketState.LIVE
