"""OrderBook behaviour: replace on snapshot, absolute updates, zero deletes, exact text."""

from __future__ import annotations

from decimal import Decimal

import pytest

from dfx_tui.book.orderbook import ASKS, BIDS, OrderBook


def _book() -> OrderBook:
    book = OrderBook("BTC_USDT")
    # Wire order as the live server sends it: both sides descending.
    book.apply_snapshot(
        asks=[["101.50", "3"], ["101.00", "2"], ["100.50", "1.5"]],
        bids=[["100.00", "1"], ["99.50", "2.25"], ["99.00", "4"]],
    )
    return book


def test_snapshot_is_sorted_regardless_of_wire_order():
    book = _book()
    assert book.best_ask() == ("100.50", "1.5")
    assert book.best_bid() == ("100.00", "1")
    assert [p for p, _ in book.asks()] == ["100.50", "101.00", "101.50"]
    assert [p for p, _ in book.bids()] == ["100.00", "99.50", "99.00"]
    assert book.asks(2) == [("100.50", "1.5"), ("101.00", "2")]
    assert book.bids(2) == [("100.00", "1"), ("99.50", "2.25")]


def test_snapshot_replaces_and_leaves_no_ghost_levels():
    book = _book()
    book.apply_snapshot(asks=[["200.00", "1"]], bids=[["199.00", "1"]])
    assert book.asks() == [("200.00", "1")]
    assert book.bids() == [("199.00", "1")]


@pytest.mark.parametrize("zero", ["0", "0.0000", "0E-8", "0.0", "-0"])
def test_numerically_zero_amount_deletes(zero):
    book = _book()
    book.apply_update(asks=[["101.00", zero]], bids=[["99.50", zero], ["98.00", zero]])
    assert [p for p, _ in book.asks()] == ["100.50", "101.50"]
    assert [p for p, _ in book.bids()] == ["100.00", "99.00"]


def test_update_sets_absolute_amounts_and_missing_side_means_no_change():
    book = _book()
    book.apply_update(asks=[["100.50", "7"], ["100.75", "1"]], bids=None)
    assert book.asks(2) == [("100.50", "7"), ("100.75", "1")]
    assert book.bids() == [("100.00", "1"), ("99.50", "2.25"), ("99.00", "4")]


def test_same_price_in_other_spelling_is_the_same_level():
    book = _book()
    book.apply_update(asks=[["100.5", "9"]], bids=[])
    assert book.ask_count == 3
    assert book.best_ask() == ("100.5", "9")


def test_version_changes_on_every_applied_event():
    book = _book()
    v = book.version
    book.apply_update(asks=[], bids=[])
    book.apply_update(asks=[["100.50", "2"]], bids=None)
    assert book.version == v + 2


def test_spread_mid_bps_and_crossed_flags():
    book = _book()
    assert book.spread() == Decimal("0.50")
    assert book.mid() == Decimal("100.25")
    assert book.spread_bps() == pytest.approx(0.5 / 100.25 * 10_000)
    assert not book.is_crossed()
    book.apply_update(asks=None, bids=[["100.50", "1"]])
    assert book.is_crossed()  # locked counts
    book.apply_update(asks=None, bids=[["100.50", "0"], ["100.60", "1"]])
    assert book.is_crossed()


def test_empty_book_reads():
    book = OrderBook()
    assert book.best_bid() is None and book.best_ask() is None
    assert book.spread() is None and book.mid() is None and book.spread_bps() is None
    assert not book.is_crossed()
    assert book.ladder(BIDS, 10) == []


def test_ladder_cumulative_size_is_exact():
    book = _book()
    rows = book.ladder(BIDS, 3)
    assert [r.price for r in rows] == ["100.00", "99.50", "99.00"]
    assert [r.size for r in rows] == ["1.00", "2.25", "4.00"]  # padded to the size precision
    assert [r.cum_size for r in rows] == ["1.00", "3.25", "7.25"]
    assert [r.size_exact for r in rows] == [Decimal("1"), Decimal("2.25"), Decimal("4")]
    assert rows[1].cum_size_value == 3.25
    rows = book.ladder(ASKS, 2)
    assert [(r.price, r.cum_size) for r in rows] == [("100.50", "1.50"), ("101.00", "3.50")]


def test_display_has_no_float_artefacts():
    book = OrderBook()
    book.apply_snapshot(asks=[["0.3", "0.1"]], bids=[["0.1", "0.2"], ["0.2", "0.1"]])
    rows = book.ladder(BIDS, 2)
    assert [r.cum_size for r in rows] == ["0.1", "0.3"]  # 0.1 + 0.2 is 0.3 here, not 0.30000000000000004
    assert book.spread_text() == "0.1"


def test_precision_is_inferred_and_sticky():
    book = OrderBook()
    book.apply_snapshot(asks=[["0.00001234", "1000000"]], bids=[["0.00001230", "5.5"]])
    assert book.price_decimals == 8 and book.size_decimals == 1
    rows = book.ladder(ASKS, 1)
    assert rows[0].price == "0.00001234" and rows[0].size == "1000000.0"


def test_grouping_rounds_bids_down_asks_up_and_adds_sizes():
    book = OrderBook()
    book.apply_snapshot(
        asks=[["100.01", "1"], ["100.04", "2"], ["100.05", "3"], ["100.06", "4"]],
        bids=[["99.99", "1"], ["99.96", "2"], ["99.95", "3"], ["99.94", "4"]],
    )
    asks = book.ladder(ASKS, 10, group=5)  # step 0.05
    assert [(r.price, r.size) for r in asks] == [("100.05", "6"), ("100.10", "4")]
    bids = book.ladder(BIDS, 10, group=5)
    assert [(r.price, r.size) for r in bids] == [("99.95", "6"), ("99.90", "4")]
    assert book.ladder(BIDS, 1, group=5)[0].price == "99.95"


def test_invalid_levels_raise_value_error_and_leave_book_unchanged():
    book = _book()
    before = book.as_dict()
    for bad in ([["abc", "1"]], [["100", "-1"]], [["-5", "1"]], [["nan", "1"]],
                [["100", "inf"]], [[100.0, "1"]], [["100"]], "x", [["1e999", "1"]]):
        with pytest.raises(ValueError):
            book.apply_update(asks=bad, bids=None)
    assert book.as_dict() == before
