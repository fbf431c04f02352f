"""Every captured frame decodes to the right event, as binary zlib and as text."""

from __future__ import annotations

import json
import zlib
from pathlib import Path

import pytest

from dfx_tui.book.codec import (
    DepthUpdate,
    ErrorReply,
    ProtocolError,
    Reply,
    RequestEncoder,
    TradesUpdate,
    UnknownPush,
    classify,
    decode_frame,
    encode_server_frame,
)
from dfx_tui.book.orderbook import OrderBook

FIXTURES = Path(__file__).resolve().parent / "data" / "captured-frames.jsonl"


def _frames() -> list[tuple[str, dict]]:
    rows = [json.loads(line) for line in FIXTURES.read_text().splitlines() if line.strip()]
    return [(row["source"], row["frame"]) for row in rows]


FRAMES = _frames()
BY_SOURCE = dict(FRAMES)


def _find(fragment: str) -> dict:
    hits = [frame for source, frame in FRAMES if fragment in source]
    assert len(hits) == 1, fragment
    return hits[0]


def test_fixture_file_has_all_ten_frames():
    assert len(FRAMES) == 10


@pytest.mark.parametrize("source,frame", FRAMES, ids=[s[:40] for s, _ in FRAMES])
def test_binary_and_text_frames_decode_alike(source, frame):
    text = json.dumps(frame)
    if "client request" in source:
        # A request is not server output: rejected with the codec's own error, saying why.
        for data in (text, encode_server_frame(frame)):
            with pytest.raises(ProtocolError, match="client request"):
                decode_frame(data)
        return
    assert decode_frame(text) == decode_frame(encode_server_frame(frame))
    # Both zlib header variants the live server may use (78 9c default, 78 da best).
    assert decode_frame(zlib.compress(text.encode(), 9)) == decode_frame(text)


def test_replies():
    assert decode_frame(json.dumps(_find("server.ping reply"))) == Reply(12312, "pong")
    assert decode_frame(json.dumps(_find("server.time reply"))) == Reply(12312, 1523348055)
    assert decode_frame(json.dumps(_find("subscribe ack"))) == Reply(12312, {"status": "success"})


def test_error_reply_shape_from_protocol_doc():
    frame = {"error": {"code": 1, "message": "invalid argument"}, "result": None, "id": 7}
    assert decode_frame(encode_server_frame(frame)) == ErrorReply(7, 1, "invalid argument")


def test_trades_snapshots():
    ev = decode_frame(encode_server_frame(_find("official doc example (trades snapshot)")))
    assert isinstance(ev, TradesUpdate) and ev.clean and ev.market == "ETH_USDT"
    (t,) = ev.trades
    assert (t.id, t.time, t.price, t.amount, t.side) == (7172173, 1523339279.761838, "398.59",
                                                        "0.027", "buy")
    ev = decode_frame(encode_server_frame(_find("trades snapshot, integer time")))
    (t,) = ev.trades
    assert (t.id, t.time, t.price, t.amount, t.side) == (3282939928, 1597419159.0, "11687.04",
                                                        "0.1", "sell")
    assert isinstance(t.time, float)


def test_live_depth_capture_best_prices():
    ev = decode_frame(encode_server_frame(_find("both sides descending")))
    assert isinstance(ev, DepthUpdate) and ev.clean and ev.market == "BTC_USDT"
    book = OrderBook("BTC_USDT")
    book.apply_snapshot_levels(ev.asks, ev.bids)
    assert book.best_ask() == ("11699.57", "0.1029")
    assert book.best_bid() == ("11697.89", "0.2184")
    assert book.spread_text() == "1.68"
    assert book.price_decimals == 2 and book.size_decimals == 4
    assert not book.is_crossed()


def test_live_depth_delta_deletes_far_levels_and_sets_absolute_amounts():
    book = OrderBook("BTC_USDT")
    for fragment in ("both sides descending", "deletions far from the touch"):
        ev = decode_frame(encode_server_frame(_find(fragment)))
        assert isinstance(ev, DepthUpdate)
        apply = book.apply_snapshot_levels if ev.clean else book.apply_delta_levels
        apply(ev.asks, ev.bids)
    assert book.asks() == [("11699.57", "0.1029"), ("11699.92", "0.008"), ("11700.24", "0.8716"),
                           ("11702.01", "0.001"), ("11702.81", "0.001")]
    assert book.bids() == [("11697.89", "0.2184"), ("11697.13", "7.0356"), ("11696.79", "0.2149"),
                           ("11642.72", "13.1172"), ("11627.05", "2.1258")]


def test_doc_depth_example_is_locked():
    ev = decode_frame(encode_server_frame(_find("bid equals ask")))
    assert isinstance(ev, DepthUpdate) and ev.clean
    book = OrderBook(ev.market)
    book.apply_snapshot_levels(ev.asks, ev.bids)
    assert book.is_crossed()  # bid == ask: locked, which the feed treats as needing a resync


def test_ticker_is_an_unknown_push():
    ev = decode_frame(encode_server_frame(_find("ticker push")))
    assert isinstance(ev, UnknownPush) and ev.method == "ticker.update"


def test_request_encoder_counts_per_connection():
    enc = RequestEncoder()
    rid1, text1 = enc.encode("depth.subscribe", ["BTC_USDT", "ETH_USDT"])
    rid2, text2 = enc.encode("server.ping")
    assert (rid1, rid2) == (1, 2)
    assert json.loads(text1) == {"id": 1, "method": "depth.subscribe",
                                 "params": ["BTC_USDT", "ETH_USDT"]}
    assert json.loads(text2) == {"id": 2, "method": "server.ping", "params": []}
    for method in ("server.time", "depth.unsubscribe", "trades.subscribe", "trades.unsubscribe"):
        rid, text = enc.encode(method, [])
        assert json.loads(text)["method"] == method
    with pytest.raises(ValueError):
        enc.encode("order.query")


def test_market_names_are_uppercased_and_validated():
    frame = {"method": "depth.update", "params": [False, {"asks": [], "bids": []}, "btc_usdt"],
             "id": None}
    assert classify(frame).market == "BTC_USDT"
    frame["params"][2] = "[red]BTC_USDT[/red]"
    with pytest.raises(ProtocolError, match="not a market name"):
        classify(frame)


# parse_json calls json's scanner directly, and json.loads only for what the scanner does not
# take whole: both must give json.loads' answer, object or error, for any text.
_JSON_EDGES = [
    "", " ", "{}", " {}", "{} ", "{}\n\t\r ", "{}x", "{} {}", "\ufeff{}", "{}\u00a0", "{}\u2028",
    "[1, 2]", "1", "-0", "1e999", "NaN", "[NaN, Infinity, -Infinity]", '"\\ud800"', "null",
    '{"a": 1, "a": 2}', "[" * 100_000 + "]" * 100_000, "[1,]", "{'a': 1}", "\x00",
]


@pytest.mark.parametrize("text", _JSON_EDGES + [json.dumps(f) for _s, f in _frames()],
                         ids=range(len(_JSON_EDGES) + len(_frames())))
def test_parse_json_answers_as_json_loads(text):
    from dfx_tui.book.codec import parse_json

    try:
        expected = json.loads(text)
    except (ValueError, RecursionError):
        with pytest.raises(ProtocolError, match="bad JSON"):
            parse_json(text)
        with pytest.raises(ProtocolError, match="bad JSON"):
            parse_json(text.encode())
        return
    for data in (text, text.encode()):
        got = parse_json(data)
        assert json.dumps(got, sort_keys=True) == json.dumps(expected, sort_keys=True)
