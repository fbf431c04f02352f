"""Imbalance (bounds, mirror symmetry, direct computation), micro-price, large levels."""

from __future__ import annotations

import statistics
from decimal import ROUND_HALF_EVEN, Decimal, localcontext

from hypothesis import given, settings
from hypothesis import strategies as st

from dfx_tui.book.depth_signals import imbalance, large_levels, micro_price
from dfx_tui.book.orderbook import OrderBook

SIZE = st.integers(min_value=1, max_value=10**6).map(lambda n: Decimal(n).scaleb(-3))
# Distances from mid in ticks of 0.01 (mid itself on a tick), with a size each.
SIDE = st.dictionaries(st.integers(min_value=1, max_value=300), SIZE, max_size=25)
BPS = st.sampled_from([0.5, 1.0, 5.0, 10.0, 25.0, 1000.0])


def book_of(mid: int, asks: dict[int, Decimal], bids: dict[int, Decimal]) -> OrderBook:
    def text(t: int) -> str:
        return f"{Decimal(t).scaleb(-2):f}"

    book = OrderBook("T")
    book.apply_snapshot([[text(mid + d), str(s)] for d, s in asks.items()],
                        [[text(mid - d), str(s)] for d, s in bids.items()])
    return book


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=1_000, max_value=10**7), SIDE, SIDE, BPS)
def test_imbalance_is_bounded_direct_and_mirror_symmetric(mid, asks, bids, bps):
    book = book_of(mid, asks, bids)
    result = imbalance(book, bps)
    if not asks or not bids:
        assert result is None
        return
    assert result is not None
    assert -1.0 <= result.ratio <= 1.0
    centre = book.mid()
    reach = centre * Decimal(str(bps)) / 10_000
    want_bid = sum((Decimal(a) for p, a in book.bids() if Decimal(p) >= centre - reach),
                   Decimal(0))
    want_ask = sum((Decimal(a) for p, a in book.asks() if Decimal(p) <= centre + reach),
                   Decimal(0))
    assert (result.bid_size, result.ask_size) == (want_bid, want_ask)
    if want_bid + want_ask:
        assert result.ratio == float((want_bid - want_ask) / (want_bid + want_ask))
    else:
        assert result.ratio == 0.0
    if want_ask == 0 and want_bid > 0:
        assert result.ratio == 1.0
    # The book mirrored through its mid: sides swap, the ratio negates exactly.
    swapped = imbalance(book_of_mirror(book), bps)
    assert swapped is not None
    assert (swapped.bid_size, swapped.ask_size) == (result.ask_size, result.bid_size)
    assert swapped.ratio == -result.ratio


def book_of_mirror(book: OrderBook) -> OrderBook:
    """Each level reflected through the mid: price p -> 2 * mid - p, sides swapped."""
    mid = book.mid()
    assert mid is not None
    mirrored = OrderBook("M")
    mirrored.apply_snapshot([[f"{2 * mid - Decimal(p):f}", a] for p, a in book.bids()],
                            [[f"{2 * mid - Decimal(p):f}", a] for p, a in book.asks()])
    assert mirrored.mid() == mid
    return mirrored


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=1_000, max_value=10**7), SIDE, SIDE)
def test_micro_price_is_the_size_weighted_touch(mid, asks, bids):
    book = book_of(mid, asks, bids)
    micro = micro_price(book)
    if not asks or not bids:
        assert micro is None
        return
    assert micro is not None
    (bp, bs), (ap, as_) = [(Decimal(p), Decimal(s)) for p, s in (book.best_bid(),
                                                                 book.best_ask())]
    with localcontext() as ctx:
        ctx.prec = 80
        want = ((bp * as_ + ap * bs) / (bs + as_)).quantize(Decimal("1E-4"), ROUND_HALF_EVEN)
    assert micro == want
    assert bp <= micro <= ap
    if bs == as_:
        assert micro == book.mid()


@settings(max_examples=200, deadline=None)
@given(st.lists(SIZE, max_size=40), st.one_of(st.none(), SIZE),
       st.one_of(st.none(), st.sampled_from([1.5, 3.0, 5.0])))
def test_large_levels_flag_absolute_or_relative_size(sizes, absolute, factor):
    flags = large_levels(sizes, absolute, factor)
    assert len(flags) == len(sizes)
    median = statistics.median(sizes) if sizes else None
    for size, flag in zip(sizes, flags, strict=True):
        by_abs = absolute is not None and size >= absolute
        by_rel = factor is not None and median is not None and size >= median * Decimal(
            str(factor))
        assert flag == (by_abs or by_rel)


def test_imbalance_decides_levels_a_hair_from_the_edge_exactly():
    """Levels whose float keys lie within `EDGE_SLACK` of the edge are compared as Decimals:
    mid 100.000 and 1 bps put the edges at exactly 99.99 and 100.01; a level on an edge
    counts, one 1e-8 beyond it does not (the same answer as reading every level exactly)."""
    book = OrderBook("T")
    book.apply_snapshot(
        [["100.001", "3"], ["100.00999999", "5"], ["100.01", "7"], ["100.01000001", "11"],
         ["100.02", "13"]],
        [["99.999", "1"], ["99.99000001", "2"], ["99.99", "4"], ["99.98999999", "8"],
         ["99.98", "16"]])
    assert book.mid() == Decimal("100.000")
    result = imbalance(book, 1.0)
    assert result is not None
    assert (result.bid_size, result.ask_size) == (Decimal(7), Decimal(15))
    assert result.ratio == float(Decimal(-8) / Decimal(22))
