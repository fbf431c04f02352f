"""Price-ladder mode: fixed contiguous grid rows; the anchor moves only when a touch leaves
the band; sizes agree with the existing grouped ladder."""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from dfx_tui.book.orderbook import ASKS, BIDS, OrderBook
from dfx_tui.book.price_ladder import PriceLadder, price_ladder

TICK = Decimal("0.01")
SIZES = st.integers(min_value=1, max_value=10**6).map(lambda n: str(Decimal(n).scaleb(-3)))


def text(ticks: int) -> str:
    return f"{Decimal(ticks).scaleb(-2):f}"


@st.composite
def book_at(draw: st.DrawFn, mid: int) -> tuple[list[list[str]], list[list[str]]]:
    spread = draw(st.integers(min_value=1, max_value=40))
    ask_ticks = {mid + spread // 2 + 1} | draw(st.sets(st.integers(1, 200), max_size=15))
    bid_ticks = {mid - (spread - spread // 2)} | draw(st.sets(st.integers(1, 200), max_size=15))
    best_ask, best_bid = min(ask_ticks), max(bid_ticks)
    asks = [[text(t if t == best_ask else best_ask + t), draw(SIZES)] for t in ask_ticks]
    bids = [[text(t if t == best_bid else best_bid - t), draw(SIZES)] for t in bid_ticks]
    one_sided = draw(st.sampled_from([None, None, None, None, ASKS, BIDS]))
    return ([] if one_sided == ASKS else asks), ([] if one_sided == BIDS else bids)


@st.composite
def walks(draw: st.DrawFn) -> list[tuple[list[list[str]], list[list[str]]]]:
    mid = draw(st.integers(min_value=10_000, max_value=100_000))
    out = []
    for drift in draw(st.lists(st.integers(-30, 30), min_size=1, max_size=12)):
        mid += drift
        out.append(draw(book_at(mid)))
    return out


def bucket(price: Decimal, step: Decimal, up: bool) -> Decimal:
    return (price / step).to_integral_value(ROUND_CEILING if up else ROUND_FLOOR) * step


@settings(max_examples=200, deadline=None)
@given(walks(), st.integers(min_value=1, max_value=60), st.sampled_from([1, 2, 5, 10]),
       st.sampled_from([0.0, 0.3, 0.5, 0.8, 1.0]))
def test_rows_are_a_fixed_grid_and_the_anchor_moves_only_outside_the_band(walk, n_rows, group,
                                                                          band):
    step = TICK * group
    ladder = PriceLadder(band)
    above = n_rows // 2
    below = n_rows - 1 - above
    up, down = int(band * above), int(band * below)
    book = OrderBook("T")
    for asks, bids in walk:
        book.apply_snapshot(asks, bids)
        old = ladder.anchor
        view = ladder.view(book, n_rows, group)
        rows = view.rows
        assert len(rows) == n_rows
        assert all(rows[i].price - rows[i + 1].price == step for i in range(n_rows - 1))
        assert all(r.price % step == 0 for r in rows)
        assert view.anchor == rows[above].price
        ask = None if not asks else bucket(Decimal(book.best_ask()[0]), step, True)
        bid = None if not bids else bucket(Decimal(book.best_bid()[0]), step, False)
        touches = [t for t in (ask, bid) if t is not None]
        fits_band = max(touches) - min(touches) <= step * (up + down)
        if old is not None and fits_band:
            in_band = all(-down <= (t - old) / step <= up for t in touches)
            assert (view.anchor == old) == in_band
            assert view.recentred == (not in_band)
        if fits_band:  # the ladder now holds both touches inside its band
            assert all(-down <= (t - view.anchor) / step <= up for t in touches)
        if max(touches) - min(touches) <= step * (n_rows - 1):
            rows_by_price = {r.price: i for i, r in enumerate(rows)}
            if ask is not None:
                assert view.best_ask_row == rows_by_price[ask]
                assert rows[view.best_ask_row].ask_size is not None
            if bid is not None:
                assert view.best_bid_row == rows_by_price[bid]
                assert rows[view.best_bid_row].bid_size is not None
        # Sizes are those of the existing grouped ladder, empty prices included as None.
        for side, attr in ((ASKS, "ask_size"), (BIDS, "bid_size")):
            want = {Decimal(r.price): Decimal(r.size) for r in book.ladder(side, 10_000, group)}
            for row in rows:
                assert getattr(row, attr) == want.get(row.price)
        # A repaint of the same book never moves it.
        assert ladder.view(book, n_rows, group).anchor == view.anchor


def test_small_moves_inside_the_band_keep_prices_still_and_recentre_is_explicit():
    book = OrderBook("T")
    book.apply_snapshot([["100.05", "1"], ["100.07", "2"]], [["100.00", "3"], ["99.90", "1"]])
    ladder = PriceLadder(band=0.5)
    first = ladder.view(book, 21)  # centre 100.02, band +-5 rows
    assert first.anchor == Decimal("100.02") and first.rows[0].price == Decimal("100.12")
    book.apply_update([["100.05", "0"]], [["100.02", "1"]])  # touch moves 2-3 ticks
    second = ladder.view(book, 21)
    assert second.anchor == first.anchor and not second.recentred
    assert second.rows[10].bid_size == Decimal("1") and second.rows[5].ask_size == Decimal("2")
    book.apply_update([["100.07", "0"], ["100.30", "1"]], [["100.02", "0"], ["100.00", "0"], ["99.90", "0"],
                                          ["100.20", "5"]])  # bid 100.20, ask 100.30
    third = ladder.view(book, 21)
    assert third.recentred and third.anchor == Decimal("100.25")
    ladder.recentre()
    assert ladder.view(book, 21).anchor == Decimal("100.25")


def test_an_empty_book_keeps_the_anchor_and_a_fresh_one_has_no_rows():
    book = OrderBook("T")
    assert price_ladder(book, 10).rows == []
    book.apply_snapshot([["100.01", "1"]], [["99.99", "1"]])
    book.apply_update([["100.01", "0"]], [["99.99", "0"]])
    assert price_ladder(book, 10).rows == []
    anchored = price_ladder(book, 5, anchor=Decimal("100.00"))
    assert [r.price for r in anchored.rows] == [Decimal(x) for x in
                                                ("100.02", "100.01", "100.00", "99.99", "99.98")]
    assert all(r.ask_size is None and r.bid_size is None for r in anchored.rows)
