"""book/ticker.py and book/catalog.py: ticker validation, and the market list built from
all_ticker slices."""

from __future__ import annotations

import json
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dfx_tui.book.catalog import MarketCatalog, normalize_query
from dfx_tui.book.codec import ProtocolError, UnknownPush, decode_frame, encode_server_frame
from dfx_tui.book.text import inert_text
from dfx_tui.book.ticker import (
    ALL_TICKER_UPDATE,
    DECIMAL_FIELDS,
    MAX_REASONS,
    TICKER_UPDATE,
    Ticker,
    parse_ticker,
    parse_ticker_push,
    ticker_event,
)

DATA = Path(__file__).parent / "data" / "captured-frames.jsonl"


def captured_ticker_frame() -> dict[str, Any]:
    for line in DATA.read_text().splitlines():
        entry = json.loads(line)
        if entry["frame"].get("method") == "ticker.update":
            frame: dict[str, Any] = entry["frame"]
            return frame
    raise AssertionError("no ticker frame in the captured frames")


# ------------------------------------------------------------------- the captured frame
def test_captured_frame_parses_to_its_figures() -> None:
    event = decode_frame(encode_server_frame(captured_ticker_frame()))
    assert isinstance(event, UnknownPush)  # the codec leaves ticker pushes to this module
    push = ticker_event(event.method, event.params)
    assert push is not None and push.method == TICKER_UPDATE and not push.all_markets
    assert push.rejected == ()
    (t,) = push.tickers
    assert (t.symbol, t.base, t.quote) == ("BTC_USDT", "BTC", "USDT")
    assert (t.last, t.open_24h, t.high_24h, t.low_24h) == ("4000", "1760", None, "1.00")
    assert (t.base_volume_24h, t.quote_volume_24h) == ("11.40088557", "29786.30588557")
    assert (t.best_bid, t.best_bid_size, t.best_ask, t.best_ask_size) == (
        "3375", "0.003", "4000", "108.2542")
    assert t.timestamp_ms == 1586762545336
    assert t.last_value == 4000.0 and t.quote_volume_value == pytest.approx(29786.30588557)
    # (4000 - 1760) / 1760 x 100 = 127.2727...: computed in decimal, not float
    assert t.change_pct is not None
    assert abs(Fraction(t.change_pct) - Fraction(2240 * 100, 1760)) < Fraction(1, 10**30)
    assert t.change_text() == "+127.27%" and t.change_text(0) == "+127%"
    assert t.as_json()["high_24h"] is None and t.as_json()["change_pct"] == "+127.27%"
    assert t.as_json()["quote_volume_24h"] == "29786.30588557"


def test_change_pct_unknown_without_an_open_and_signed_otherwise() -> None:
    assert Ticker("A_B", "5").change_pct is None
    assert Ticker("A_B", "5", open_24h="0").change_pct is None
    assert Ticker("A_B", "5", open_24h="0.000").change_text() is None
    assert Ticker("A_B", "4.98", open_24h="5").change_text() == "-0.40%"
    assert Ticker("A_B", "5", open_24h="5.00").change_text() == "0.00%"
    assert Ticker("A_B", "4.99999", open_24h="5").change_text() == "0.00%"  # never "-0.00%"
    assert Ticker("A_B", "0.00000003", open_24h="0.00000001").change_pct == Decimal(200)


# ------------------------------------------------------------------- valid tickers round trip
def decimal_text() -> st.SearchStrategy[str]:
    """Decimal strings as an exchange writes them: fixed places, zero included."""
    return st.builds(lambda units, places: format(Decimal(units).scaleb(-places), "f"),
                     st.integers(0, 10**15), st.integers(0, 10))


SYMBOLS = st.from_regex(r"[A-Za-z0-9]{1,8}_[A-Za-z0-9]{1,6}", fullmatch=True)


@st.composite
def wire_tickers(draw: st.DrawFn) -> dict[str, Any]:
    raw: dict[str, Any] = {"symbol": draw(SYMBOLS), "last": draw(decimal_text())}
    for key in DECIMAL_FIELDS[1:]:
        present = draw(st.sampled_from(("text", "text", "missing", "null")))
        if present == "text":
            raw[key] = draw(decimal_text())
        elif present == "null":
            raw[key] = None
    if draw(st.booleans()):
        raw["timestamp"] = draw(st.integers(0, 4 * 10**12))
    if draw(st.booleans()):
        raw["last_qty"] = draw(decimal_text())  # an extra key, as in the captured frame
    if draw(st.booleans()):
        raw["something_new"] = draw(st.lists(st.integers(), max_size=3))
    return raw


@given(wire_tickers())
def test_valid_tickers_round_trip_exactly(raw: dict[str, Any]) -> None:
    t = parse_ticker(raw)
    assert t.symbol == raw["symbol"].upper()
    out = t.as_json()
    for key in DECIMAL_FIELDS:
        assert out[key] == raw.get(key)  # the exact text, or None when missing/null
    assert out["timestamp"] == raw.get("timestamp")
    assert t.last_value == float(raw["last"])
    assert t.quote_volume_value == float(raw.get("quote_volume_24h") or 0)
    if raw.get("open_24h") is not None and Decimal(raw["open_24h"]) != 0:
        opened = Fraction(raw["open_24h"])
        exact = (Fraction(raw["last"]) - opened) * 100 / opened
        assert t.change_pct is not None  # 34 significant digits of the exact ratio
        assert abs(Fraction(t.change_pct) - exact) <= abs(exact) / 10**32
    else:
        assert t.change_pct is None and out["change_pct"] is None


# ------------------------------------------------------------------- garbage
BAD_VALUES: list[tuple[Any, str]] = [
    (4000, "decimal string"), (4000.5, "decimal string"), (True, "decimal string"),
    ([], "decimal string"), ({}, "decimal string"), ("", "plain decimal"),
    (" 1", "plain decimal"), ("1 ", "plain decimal"), ("1_000", "plain decimal"),
    ("١٢", "plain decimal"), ("1\x1b[2J", "not a decimal number"), ("1\n", "plain decimal"), ("abc", "not a decimal number"),
    ("4,000.5", "not a decimal number"), ("0x10", "not a decimal number"),
    ("NaN", "in range"), ("inf", "in range"), ("-1", "in range"), ("1e400", "in range"),
    ("1e30", "in range"), ("1e-25", "in range"), ("9" * 65, "too long"),
]


@pytest.mark.parametrize("key", DECIMAL_FIELDS)
@pytest.mark.parametrize(("bad", "why"), BAD_VALUES)
def test_a_bad_figure_rejects_its_dict_with_a_reason(key: str, bad: Any, why: str) -> None:
    good = captured_ticker_frame()["params"][0]
    tickers, reasons = parse_ticker_push([good, {**good, key: bad}, good])
    assert [t.symbol for t in tickers] == ["BTC_USDT", "BTC_USDT"]  # only the bad dict lost
    (reason,) = reasons
    assert key in reason and why in reason and "BTC_USDT" in reason
    assert reason.isprintable() and len(reason) < 160


@pytest.mark.parametrize(("raw", "why"), [
    ({"last": "1"}, "lacks 'symbol'"),
    ({"symbol": "BTC_USDT"}, "BTC_USDT lacks 'last'"),
    ({"symbol": None, "last": "1"}, "lacks 'symbol'"),
    ({"symbol": "BTCUSDT", "last": "1"}, "not a market name"),
    ({"symbol": "\x1b[31mBTC_USDT", "last": "1"}, "not a market name"),
    ({"symbol": "BTC_USDТ", "last": "1"}, "not a market name"),  # a Cyrillic Т
    ({"symbol": ["BTC", "USDT"], "last": "1"}, "must be a string, got list"),
    ({"symbol": "A" * 100 + "_B", "last": "1"}, "too long"),
    ({"symbol": "A_B", "last": "1", "timestamp": "1586762545336"}, "Unix milliseconds"),
    ({"symbol": "A_B", "last": "1", "timestamp": -1}, "Unix milliseconds"),
    ({"symbol": "A_B", "last": "1", "timestamp": 10**20}, "Unix milliseconds"),
    ({"symbol": "A_B", "last": "1", "timestamp": True}, "Unix milliseconds"),
    ({"symbol": "A_B", "last": 10**5000}, "int (huge)"),
    ([{"symbol": "A_B"}], "must be an object, got list"),
    ("ticker", "must be an object, got str"),
])
def test_bad_dicts_are_rejected_with_a_clear_inert_reason(raw: Any, why: str) -> None:
    with pytest.raises(ProtocolError, match=None) as info:
        parse_ticker(raw)
    reason = str(info.value)
    assert why in reason and inert_text(reason, 1000) == reason and "\x1b" not in reason


def test_params_that_are_not_a_list_reject_the_whole_push() -> None:
    for params in ({"symbol": "BTC_USDT", "last": "1"}, None, "x", 5):
        tickers, reasons = parse_ticker_push(params, ALL_TICKER_UPDATE)
        assert tickers == [] and len(reasons) == 1
        assert reasons[0].startswith("all_ticker.update params must be a list")


def test_many_bad_dicts_are_counted_not_listed() -> None:
    tickers, reasons = parse_ticker_push([{"symbol": "A_B", "last": "x"}] * 500 + [
        {"symbol": "A_B", "last": "2"}])
    assert [t.last for t in tickers] == ["2"]
    assert len(reasons) == MAX_REASONS + 1 and reasons[-1] == "ticker.update: 480 more tickers rejected"


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                  max_size=4),
    max_leaves=20,
)
FIELDS = st.sampled_from(["symbol", *DECIMAL_FIELDS, "timestamp", "last_qty"])


@settings(max_examples=300)
@given(st.lists(st.one_of(JSON, st.dictionaries(FIELDS, JSON | st.text(max_size=10)),
                          wire_tickers()), max_size=6) | JSON)
def test_garbage_never_raises_and_every_dict_is_accounted_for(params: Any) -> None:
    tickers, reasons = parse_ticker_push(params)
    if type(params) is list:
        assert len(tickers) + len(reasons) == len(params)
    else:
        assert tickers == [] and len(reasons) == 1
    for reason in reasons:  # server text in a reason has been made inert
        assert inert_text(reason, 1000) == reason and len(reason) <= 200
    for t in tickers:  # what passes is a real ticker
        assert Decimal(t.last) >= 0 and t.symbol == t.symbol.upper()


def test_ticker_event_only_claims_the_ticker_channels() -> None:
    assert ticker_event("depth.update", []) is None
    assert ticker_event(None, []) is None
    assert ticker_event(["ticker.update"], []) is None
    push = ticker_event("all_ticker.update", [{"symbol": "eth_usdt", "last": "3"}, 7])
    assert push is not None and push.all_markets
    assert [t.symbol for t in push.tickers] == ["ETH_USDT"] and len(push.rejected) == 1


# ------------------------------------------------------------------- the catalogue
def tick(symbol: str, volume: str | None, last: str = "1", ts: int | None = None) -> Ticker:
    return parse_ticker({"symbol": symbol, "last": last, "quote_volume_24h": volume,
                         "timestamp": ts})


MARKETS = [tick(f"C{i}_USDT", str(i * 1000)) for i in range(30)]


def test_slices_add_up_to_the_whole_list() -> None:
    cat = MarketCatalog(ttl=10)
    for k in range(3):
        new = cat.update(MARKETS[k::3], now=float(k))
        assert new == 10 and len(cat) == 10 * (k + 1)
    assert cat.update(MARKETS[0::3], now=3.0) == 0 and len(cat) == 30  # a refresh adds nothing
    assert {t.symbol for t in cat.by_volume()} == {t.symbol for t in MARKETS}


@given(st.lists(st.tuples(st.sampled_from([f"M{i}_USDT" for i in range(12)]),
                          st.none() | decimal_text()), max_size=40), st.integers(1, 5))
def test_by_volume_is_highest_quote_volume_first(updates: list[tuple[str, str | None]],
                                                 slices: int) -> None:
    cat = MarketCatalog()
    pushes = [updates[i::slices] for i in range(slices)]
    for n, push in enumerate(pushes):
        cat.update([tick(s, v) for s, v in push], now=float(n))
    expected: dict[str, str | None] = {}
    for push in pushes:  # within and across pushes, the last figure for a market wins
        expected.update(push)
    listed = cat.by_volume()
    assert {t.symbol: t.quote_volume_24h for t in listed} == expected
    keys = [(-Decimal(t.quote_volume_24h or 0), t.symbol) for t in listed]
    assert keys == sorted(keys)


def test_markets_not_refreshed_expire() -> None:
    cat = MarketCatalog(ttl=5)
    cat.update(MARKETS[:10], now=0.0)
    cat.update(MARKETS[10:20], now=3.0)
    assert len(cat.by_volume(now=4.9)) == 20
    v = cat.version
    assert len(cat.by_volume(now=5.5)) == 10 and cat.version > v  # the first slice is gone
    cat.update(MARKETS[10:12], now=7.5)  # refreshed: these stay past the rest of their slice
    assert cat.expire(8.6) == 8 and sorted(t.symbol for t in cat) == ["C10_USDT", "C11_USDT"]
    assert cat.get("c10_usdt") is not None and "C12_USDT" not in cat


def test_an_older_ticker_refreshes_the_market_but_keeps_the_newer_figures() -> None:
    cat = MarketCatalog(ttl=5)
    cat.update([tick("A_B", "10", last="2", ts=2000)], now=0.0)
    cat.update([tick("A_B", "99", last="1", ts=1000)], now=4.0)
    held = cat.get("A_B")
    assert held is not None and held.last == "2"
    assert len(cat.by_volume(now=8.0)) == 1  # refreshed at 4.0
    cat.update([tick("A_B", "11", last="3", ts=3000)], now=8.0)
    held = cat.get("A_B")
    assert held is not None and held.last == "3"


def test_a_full_catalogue_refuses_new_markets() -> None:
    cat = MarketCatalog(max_markets=5)
    assert cat.update(MARKETS[:8], now=0.0) == 5 and len(cat) == 5 and cat.overflow == 3
    cat.update(MARKETS[:5], now=1.0)  # known markets still refresh
    assert len(cat) == 5


def test_search_by_symbol_base_or_quote_highest_volume_first() -> None:
    cat = MarketCatalog()
    cat.update([tick("BTC_USDT", "900"), tick("ETH_USDT", "800"), tick("WETH_USDT", "950"),
                tick("ETH_BTC", "50"), tick("ETHW_USDT", "5"), tick("SHIB_USDC", "1")],
               now=0.0)
    names = lambda q, n=20: [t.symbol for t in cat.search(q, n)]  # noqa: E731
    assert names("eth") == ["ETH_USDT", "ETH_BTC", "WETH_USDT", "ETHW_USDT"]  # base ETH first
    assert names("btc") == ["BTC_USDT", "ETH_BTC"]
    assert names("usdt") == ["WETH_USDT", "BTC_USDT", "ETH_USDT", "ETHW_USDT"]
    assert names("usdc") == ["SHIB_USDC"]
    assert names("eth/btc") == names("ETH-BTC") == names(" eth_btc ") == ["ETH_BTC"]
    assert names("th_u") == ["WETH_USDT", "ETH_USDT"]
    assert names("") == ["WETH_USDT", "BTC_USDT", "ETH_USDT", "ETH_BTC", "ETHW_USDT",
                         "SHIB_USDC"]
    assert names("eth", 2) == ["ETH_USDT", "ETH_BTC"] and names("eth", 0) == []
    assert names("doge") == [] and names("\x1b[") == []
    assert normalize_query(" btc/usdt ") == "BTC_USDT"
