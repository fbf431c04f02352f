"""SideRows: the ladder rows of one side kept between paints equal a fresh `book.ladder`."""

from __future__ import annotations

import random

from dfx_tui.book.orderbook import ASKS, BIDS, OrderBook
from dfx_tui.book.side_rows import SideRows


def _level(rng: random.Random, price: int, places: int = 2) -> list[str]:
    return [f"{price / 100:.2f}", f"{rng.randint(1, 5000) / 10 ** places:.{places}f}"]


def test_rows_equal_a_fresh_ladder_through_random_deltas() -> None:
    rng = random.Random(7)
    book = OrderBook("BTC_USDT")
    book.apply_snapshot([_level(rng, 10_001 + i) for i in range(40)],
                        [_level(rng, 10_000 - i) for i in range(40)])
    kept = {ASKS: SideRows(ASKS), BIDS: SideRows(BIDS)}
    for step in range(600):
        side = rng.choice((ASKS, BIDS))
        # Mostly near the touch, sometimes deep, sometimes a delete or a finer size.
        offset = rng.choice((0, 0, 1, 2, 5, 30, 60))
        price = 10_001 + offset if side == ASKS else 10_000 - offset
        if rng.random() < 0.2:
            level = [f"{price / 100:.2f}", "0"]
        else:
            level = _level(rng, price, 4 if rng.random() < 0.02 else 2)
        book.apply_update([level] if side == ASKS else None, [level] if side == BIDS else None)
        n = rng.choice((20, 20, 20, 7))
        for name, rows in kept.items():
            got = rows.rows(book, n)
            assert got == book.ladder(name, n), f"step {step}, {name}, n={n}"


def test_an_unchanged_level_keeps_its_row_object() -> None:
    book = OrderBook("BTC_USDT")
    book.apply_snapshot([["101.00", "1.00"], ["102.00", "2.00"], ["103.00", "3.00"]],
                        [["100.00", "1.00"]])
    kept = SideRows(ASKS)
    before = kept.rows(book, 10)
    book.apply_update([["102.00", "2.50"]], None)
    after = kept.rows(book, 10)
    assert after[0] is before[0]  # before the changed level: the same row
    assert [r.cum_size for r in after] == ["1.00", "3.50", "6.50"]  # from it on: new sums
    book.apply_update(None, [["99.00", "4.00"]])  # the other side only
    assert kept.rows(book, 10) is after
    other = OrderBook("ETH_USDT")  # another book: nothing carries over
    other.apply_snapshot([["101.00", "9.00"]], [])
    assert [r.cum_size for r in kept.rows(other, 10)] == ["9.00"]


def test_places_learnt_as_a_fresh_ladder_learns_them() -> None:
    """`SideRows` learns precision only from levels it has not shown: a book read through
    it alone widens its places as one read by `book.ladder` alone (a shared book would
    hide a level it skipped, `book.ladder` learning from it)."""
    rng = random.Random(11)
    kept_book, fresh_book = OrderBook("BTC_USDT"), OrderBook("BTC_USDT")
    asks = [_level(rng, 10_001 + i) for i in range(40)]
    bids = [_level(rng, 10_000 - i) for i in range(40)]
    for book in (kept_book, fresh_book):
        book.apply_snapshot(asks, bids)
    kept = {ASKS: SideRows(ASKS), BIDS: SideRows(BIDS)}
    for step in range(800):
        side = rng.choice((ASKS, BIDS))
        offset = rng.choice((0, 1, 2, 5, 19, 30))
        price = 10_001 + offset if side == ASKS else 10_000 - offset
        places = rng.choice((2, 2, 2, 3, 4, 6)) if step % 97 == 0 else 2
        level = ([f"{price / 100:.2f}", "0"] if rng.random() < 0.15
                 else _level(rng, price, places))
        for book in (kept_book, fresh_book):
            book.apply_update([level] if side == ASKS else None,
                              [level] if side == BIDS else None)
        n = rng.choice((20, 20, 7))
        for name, rows in kept.items():
            assert rows.rows(kept_book, n) == fresh_book.ladder(name, n), f"step {step}"
        assert (kept_book.price_decimals, kept_book.size_decimals) == (
            fresh_book.price_decimals, fresh_book.size_decimals)
