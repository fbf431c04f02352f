"""Property tests: the book equals a simple reference model under any event sequence."""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from dfx_tui.book.levels import parse_levels
from dfx_tui.book.orderbook import ASKS, BIDS, OrderBook

PRICES = st.integers(min_value=1, max_value=400).map(lambda t: f"{Decimal(t).scaleb(-2):.2f}")
NONZERO = st.integers(min_value=1, max_value=10**6).map(lambda t: f"{Decimal(t).scaleb(-4)}")
ZEROS = st.sampled_from(["0", "0.0000", "0E-8", "0.0"])
AMOUNTS = st.one_of(NONZERO, NONZERO, ZEROS)
LEVELS = st.lists(st.tuples(PRICES, AMOUNTS).map(list), max_size=12)
SNAP_LEVELS = st.lists(st.tuples(PRICES, NONZERO).map(list), max_size=20)
SIDE = st.one_of(st.none(), LEVELS)
EVENT = st.one_of(
    st.tuples(st.just(True), SNAP_LEVELS, SNAP_LEVELS),
    st.tuples(st.just(False), SIDE, SIDE),
)


class ReferenceBook:
    """A dict per side, sorted on read: obviously right, slow."""

    def __init__(self) -> None:
        self.sides: dict[str, dict[Decimal, tuple[str, str]]] = {BIDS: {}, ASKS: {}}

    def apply(self, clean: bool, asks, bids) -> None:
        if clean:
            self.sides = {BIDS: {}, ASKS: {}}
        for name, levels in ((ASKS, asks), (BIDS, bids)):
            for price, amount in levels or ():
                if Decimal(amount) == 0:
                    self.sides[name].pop(Decimal(price), None)
                else:
                    self.sides[name][Decimal(price)] = (price, amount)

    def read(self, side: str) -> list[tuple[str, str]]:
        levels = self.sides[side]
        return [levels[k] for k in sorted(levels, reverse=side == BIDS)]


@settings(max_examples=300, deadline=None)
@given(st.lists(EVENT, max_size=30))
def test_book_equals_reference_model(events):
    book, ref = OrderBook(), ReferenceBook()
    for clean, asks, bids in events:
        if clean:
            book.apply_snapshot(asks, bids)
        else:
            book.apply_update(asks, bids)
        ref.apply(clean, asks, bids)
        assert book.bids() == ref.read(BIDS)
        assert book.asks() == ref.read(ASKS)
    for _p, amount in book.bids() + book.asks():
        assert Decimal(amount) != 0, "a zero-size level survived"
    if book.bids() and book.asks():
        expected = Decimal(book.bids()[0][0]) >= Decimal(book.asks()[0][0])
        assert book.is_crossed() == expected


@settings(max_examples=200, deadline=None)
@given(SNAP_LEVELS, SNAP_LEVELS, st.sampled_from([1, 2, 5, 10, 20, 50, 100, 1000]))
def test_grouping_conserves_total_size_and_rounds_outward(asks, bids, group):
    book = OrderBook()
    book.apply_snapshot(asks, bids)
    for side in (BIDS, ASKS):
        rows = book.ladder(side, 10_000, group=group)
        assert sum((Decimal(r.size) for r in rows), Decimal(0)) == book.total_size(side)
        prices = [Decimal(r.price) for r in rows]
        assert prices == sorted(prices, reverse=side == BIDS)  # best first, no duplicates
        assert len(set(prices)) == len(prices)
        step = Decimal(group).scaleb(-book.price_decimals)
        for price in prices:
            assert price % step == 0
        # Every raw level falls into its bucket: bids round down, asks round up.
        raw = book.bids() if side == BIDS else book.asks()
        for p, _a in raw:
            p = Decimal(p)
            rounding = ROUND_FLOOR if side == BIDS else ROUND_CEILING
            bucket = (p / step).to_integral_value(rounding=rounding) * step
            assert bucket in prices
        if rows:
            assert Decimal(rows[-1].cum_size) == book.total_size(side)


NUMBER_TEXT = st.one_of(
    st.from_regex(r"\A[ \t\n_0-9.eE+-]{1,12}\Z"),
    st.text(alphabet=st.sampled_from("0123456789._ \t\n\x0b\x85\u2028\u0661eE-"), min_size=1,
            max_size=10),
    st.decimals(min_value=0, max_value=10**6, allow_nan=False).map(str),
)


@settings(max_examples=500, deadline=None)
@given(NUMBER_TEXT, NUMBER_TEXT)
def test_hot_path_text_check_is_plain_pair(price, amount):
    """parse_levels inlines plain_pair for speed; both must give the same answer."""
    from dfx_tui.book.levels import MAX_TEXT, MAX_VALUE, MIN_VALUE, parse_levels, plain_pair

    try:
        p, a = float(price), float(amount)
    except ValueError:
        return  # not a number at all: rejected before the text rule applies
    in_range = MIN_VALUE <= p < MAX_VALUE and (a == 0.0 or MIN_VALUE <= a < MAX_VALUE)
    short = len(price) <= MAX_TEXT and len(amount) <= MAX_TEXT  # the other rule: length
    try:
        parse_levels([[price, amount]])
        accepted = True
    except ValueError:
        accepted = False
    assert accepted == (plain_pair(price, amount) and in_range and short)


@given(st.lists(st.decimals(min_value=0, max_value=10**9, places=8, allow_nan=False,
                            allow_infinity=False), min_size=1, max_size=60))
def test_median_is_statistics_median(sizes: list[Decimal]) -> None:
    import statistics

    from dfx_tui.book.numbers import median

    assert str(median(sizes)) == str(statistics.median(sizes))


@settings(max_examples=300, deadline=None)
@given(SNAP_LEVELS, SNAP_LEVELS, st.lists(st.tuples(SIDE, SIDE), max_size=20),
       st.integers(min_value=0, max_value=30))
def test_apply_delta_checked_says_what_the_general_checks_say(asks, bids, deltas, limit):
    """The feed's one-call delta (`apply_delta_checked`: no look at the book after a delta
    that only deletes) against `apply_delta_levels` + `is_crossed` + `len`, on uncrossed
    books: same levels, and True exactly when the book is crossed or past `limit`."""
    fast, general = OrderBook(), OrderBook()
    fast.apply_snapshot(asks, bids)
    general.apply_snapshot(asks, bids)
    for delta_asks, delta_bids in deltas:
        if general.is_crossed() or len(general) > limit:
            return  # the feed resyncs such a book; it takes no delta
        a = None if delta_asks is None else parse_levels(delta_asks)
        b = None if delta_bids is None else parse_levels(delta_bids)
        said = fast.apply_delta_checked(a, b, limit)
        general.apply_delta_levels(a, b)
        assert fast.bids() == general.bids() and fast.asks() == general.asks()
        assert fast.version == general.version
        assert said == (general.is_crossed() or len(general) > limit)
