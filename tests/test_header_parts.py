"""The market header's kept parts (widgets/market_header.HeaderParts): a header built with
the parts of earlier ones equals one built from nothing after every kind of change, and a
part is made again only when what it is read from changed."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text

from dfx_tui.app.feed_source import seeded_market
from dfx_tui.book.depth_signals import imbalance
from dfx_tui.book.tape import Trade
from dfx_tui.book.ticker import Ticker
from dfx_tui.widgets import market_header
from dfx_tui.widgets.market_header import HeaderParts, header_text

STYLES = {"rise": Style(color="green", bold=True), "fall": Style(color="red", bold=True),
          "bid": Style(color="#00ff00", bold=True), "ask": Style(color="#ff0000"),
          "buy": Style(color="green"), "sell": Style(color="red")}


def same(a: Text, b: Text) -> bool:
    return a.plain == b.plain and a.spans == b.spans


def trade(price: str, side: str, at: float) -> Trade:
    return Trade.from_wire({"id": int(at * 1000), "price": price, "amount": "0.5",
                            "type": side, "time": at})


def test_a_header_from_kept_parts_equals_a_fresh_one_after_each_change():
    market = seeded_market("BTC_USDT")
    parts = HeaderParts()
    book = market.book

    def check(label: str | None = None, styles: dict[str, Style] | None = None) -> Text:
        kept = header_text(market, label, styles or STYLES, parts=parts)
        fresh = header_text(market, label, styles or STYLES)
        assert same(kept, fresh), (kept.plain, fresh.plain)
        return kept

    first = check()
    bid_price, bid_size = book.best_bid() or ("", "")
    ask_price, _ = book.best_ask() or ("", "")
    book.apply_update(None, [[bid_price, "123.4"]])  # the touch: micro-price, imbalance
    touched = check()
    assert touched.plain != first.plain
    second_bid = book.bids(2)[1]
    before = imbalance(book)
    book.apply_update(None, [[second_bid[0], "77"]])  # near mid, not the touch
    assert imbalance(book) != before
    near = check()
    assert near.plain != touched.plain
    market.tape.apply(False, [trade(ask_price, "buy", 1_750_000_100.0)])
    check()
    market.tape.apply(False, [trade(bid_price, "sell", 1_750_000_101.0)])
    check()
    market.ticker = Ticker("BTC_USDT", ask_price, "60000", "70000", "50000", "1", "1234567")
    market.ticker_version += 1
    check()
    check("STALE")
    check(styles={**STYLES, "bid": Style(color="blue")})  # other styles: nothing reused
    other = seeded_market("ETH_USDT")  # its tape and ticker versions are like BTC's
    assert header_text(other, None, STYLES, parts=parts).plain == header_text(
        other, None, STYLES).plain


def test_the_touch_figures_are_made_again_only_when_the_touch_changed(monkeypatch):
    market = seeded_market("BTC_USDT")
    book = market.book
    made = []
    touch_runs = market_header._touch_runs

    def counted(*args: object) -> object:
        made.append(1)
        return touch_runs(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(market_header, "_touch_runs", counted)
    parts = HeaderParts()
    header_text(market, None, STYLES, parts=parts)
    far_bid = book.bids()[-1]
    book.apply_update(None, [[far_bid[0], "9"]])  # away from the touch
    header_text(market, None, STYLES, parts=parts)
    assert len(made) == 1
    best = book.best_bid()
    assert best is not None
    book.apply_update(None, [[best[0], "42"]])
    header_text(market, None, STYLES, parts=parts)
    assert len(made) == 2
