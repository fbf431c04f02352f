"""Level cursor: readouts equal a direct Decimal computation over the raw levels."""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_EVEN, Decimal, localcontext

from hypothesis import given, settings
from hypothesis import strategies as st

from dfx_tui.book.cursor import LevelCursor, read_level
from dfx_tui.book.orderbook import ASKS, BIDS, OrderBook
from dfx_tui.book.price_grid import bucket_price, divide_rounded, grid_index, grid_price

GROUPS = st.sampled_from([1, 2, 5, 10, 50, 100])
SIZES = st.integers(min_value=1, max_value=10**7).map(lambda n: Decimal(n).scaleb(-4))


def price_text(ticks: int, trim: bool) -> str:
    text = f"{Decimal(ticks).scaleb(-2):f}"
    return text.rstrip("0").rstrip(".") if trim else text


@st.composite
def books(draw: st.DrawFn) -> OrderBook:
    """A two-decimal book, not crossed; some prices sent without trailing zeros."""
    mid = draw(st.integers(min_value=500, max_value=50_000))
    ask_ticks = draw(st.sets(st.integers(min_value=1, max_value=400), max_size=30))
    bid_ticks = draw(st.sets(st.integers(min_value=0, max_value=400), max_size=30))
    trim = draw(st.booleans())
    asks = [[price_text(mid + t, trim), str(draw(SIZES))] for t in ask_ticks]
    bids = [[price_text(mid - t, trim), str(draw(SIZES))] for t in bid_ticks]
    book = OrderBook("T")
    book.apply_snapshot(asks, bids)
    book.learn_from([("0.01", "0")])  # the market's tick, as a repaint would have learnt it
    return book


def bucket(price: Decimal, step: Decimal, up: bool) -> Decimal:
    rounding = ROUND_CEILING if up else ROUND_FLOOR
    return (price / step).to_integral_value(rounding=rounding) * step


def direct(book: OrderBook, cursor: Decimal, step: Decimal) -> dict[str, object]:
    """What the readout must say, from the full book and the ladder's bucket rule."""
    asks = [(Decimal(p), Decimal(a)) for p, a in book.asks()]
    bids = [(Decimal(p), Decimal(a)) for p, a in book.bids()]
    if asks and cursor >= bucket(asks[0][0], step, True):
        side, chosen = ASKS, [(p, a) for p, a in asks if bucket(p, step, True) <= cursor]
        at = [a for p, a in asks if bucket(p, step, True) == cursor]
    elif bids and cursor <= bucket(bids[0][0], step, False):
        side, chosen = BIDS, [(p, a) for p, a in bids if bucket(p, step, False) >= cursor]
        at = [a for p, a in bids if bucket(p, step, False) == cursor]
    else:
        return {"side": None, "cum_size": Decimal(0), "vwap": None, "size": None}
    cum_size = sum((a for _p, a in chosen), Decimal(0))
    notional = sum((p * a for p, a in chosen), Decimal(0))
    with localcontext() as ctx:
        ctx.prec = 80
        vwap = (notional / cum_size).quantize(Decimal("1E-4"), rounding=ROUND_HALF_EVEN)
    return {"side": side, "cum_size": cum_size, "cum_notional": notional, "vwap": vwap,
            "size": sum(at, Decimal(0)) if at else None, "levels": len(chosen)}


@settings(max_examples=300, deadline=None)
@given(books(), GROUPS, st.integers(min_value=-450, max_value=450))
def test_readout_equals_direct_computation(book, group, offset):
    step = Decimal(group).scaleb(-2)
    mid = book.mid()
    touch = book.best_ask() or book.best_bid()
    centre = mid if mid is not None else Decimal(touch[0]) if touch else Decimal(100)
    cursor = bucket(centre, step, False) + offset * step
    readout = read_level(book, cursor, group)
    want = direct(book, cursor, step)
    assert readout.price == cursor
    assert readout.side == want["side"]
    assert readout.cum_size == want["cum_size"]
    assert readout.vwap == want["vwap"]
    assert readout.size == want["size"]
    if want["side"] is not None:
        assert readout.cum_notional == want["cum_notional"]
        assert readout.levels == want["levels"]
        # The existing grouped ladder agrees on the cumulative size of that row.
        rows = {Decimal(r.price): r for r in book.ladder(want["side"], 10_000, group)}
        if cursor in rows:
            assert Decimal(rows[cursor].cum_size) == readout.cum_size
            assert Decimal(rows[cursor].size) == readout.size
    if mid is not None:
        assert readout.mid_ticks is not None and readout.mid_bps is not None
        assert mid + readout.mid_ticks * Decimal("0.01") == cursor
        exact = (cursor - mid) / mid * 10_000
        assert abs(readout.mid_bps - exact) <= Decimal("0.005")
        assert (readout.mid_ticks * 2) % 1 == 0  # whole or half ticks
    else:
        assert readout.mid_ticks is None and readout.mid_bps is None


def test_cursor_crosses_the_spread_and_sees_a_level_leave():
    book = OrderBook("T")
    book.apply_snapshot([["100.03", "1.5"], ["100.05", "2"]], [["99.99", "1"], ["99.95", "4"]])
    cursor = LevelCursor(Decimal("100.05"))
    first = cursor.readout(book)
    assert first is not None and first.side == ASKS and first.size == Decimal("2")
    assert first.cum_size == Decimal("3.5") and first.vwap == Decimal("100.0414")
    book.apply_update([["100.05", "0"]], None)
    gone = cursor.readout(book)
    assert gone is not None and gone.left_book and gone.size is None
    assert gone.cum_size == Decimal("1.5")  # what is left up to that price
    book.apply_update([["100.05", "0.7"]], None)
    back = cursor.readout(book)
    assert back is not None and not back.left_book and back.size == Decimal("0.7")
    # Down through the spread (100.04 ... 100.00) into the bids.
    cursor.move(-5, Decimal("0.01"))
    spread = cursor.readout(book)
    assert spread is not None and spread.side is None and spread.price == Decimal("100.00")
    assert spread.vwap is None and not spread.left_book
    cursor.move(-1, Decimal("0.01"))
    bid = cursor.readout(book)
    assert bid is not None and bid.side == BIDS and bid.size == Decimal("1")
    assert bid.mid_ticks == Decimal("-2") and bid.mid_bps == Decimal("-2.00")  # mid 100.01


def test_an_empty_price_never_seen_is_not_left_the_book():
    book = OrderBook("T")
    book.apply_snapshot([["100.03", "1"], ["100.05", "2"]], [["99.99", "1"]])
    readout = LevelCursor(Decimal("100.04")).readout(book)
    assert readout is not None and readout.side == ASKS
    assert readout.size is None and not readout.left_book and readout.cum_size == 1


EXACT = st.decimals(min_value=Decimal("-1E6"), max_value=Decimal("1E6"), places=6,
                    allow_nan=False, allow_infinity=False)


@settings(max_examples=500, deadline=None)
@given(EXACT, EXACT.filter(lambda d: d != 0), st.integers(0, 8))
def test_divide_rounded_is_one_correct_half_even_rounding(num, den, places):
    with localcontext() as ctx:
        ctx.prec = 100
        want = (num / den).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN)
    assert divide_rounded(num, den, places) == want


def test_divide_rounded_ties_go_to_even():
    assert divide_rounded(Decimal(1), Decimal(8), 2) == Decimal("0.12")
    assert divide_rounded(Decimal(3), Decimal(8), 2) == Decimal("0.38")
    assert divide_rounded(Decimal(-1), Decimal(8), 2) == Decimal("-0.12")
    assert divide_rounded(Decimal("2.5"), Decimal(1), 0) == Decimal(2)


@settings(max_examples=500, deadline=None)
@given(st.decimals(min_value=Decimal("1E-8"), max_value=Decimal("1E9"), places=8,
                   allow_nan=False, allow_infinity=False), st.integers(0, 6),
       st.sampled_from([1, 2, 5, 10, 20, 50, 1000]), st.booleans())
def test_grid_index_rounds_like_the_ladder(price, decimals, group, up):
    step = Decimal(group).scaleb(-decimals)
    with localcontext() as ctx:
        ctx.prec = 100
        want = (price / step).to_integral_value(ROUND_CEILING if up else ROUND_FLOOR)
    assert grid_index(price, decimals, group, up) == int(want)
    assert grid_price(int(want), decimals, group) == want * step
    assert bucket_price(price, decimals, group, up) == want * step
