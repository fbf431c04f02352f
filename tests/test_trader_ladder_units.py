"""The trader's ladder helpers in widgets/, without an app: 1-2-5 steps, tiers, figures,
the volume bar, the readout's packing, the imbalance bar (properties where they help)."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from dfx_tui.book.cursor import LevelReadout
from dfx_tui.book.orderbook import ASKS
from dfx_tui.book.tape import SELL, Trade, TradeTape
from dfx_tui.widgets.cursor_readout import SEPARATOR, pack, readout_parts
from dfx_tui.widgets.imbalance_bar import WIDTH, bar_cells
from dfx_tui.widgets.ladder_columns import VOL_BAR, Row, figure, fit, large_flags, volume_texts
from dfx_tui.widgets.tape_controls import (
    floor_125,
    lower_min,
    raise_min,
    shift_tiers,
    significant,
    step_125,
    tier_label,
)

SIZES = st.decimals(min_value=Decimal("0.00000001"), max_value=Decimal("1e9"), places=8,
                    allow_nan=False, allow_infinity=False).filter(lambda d: d > 0)


def is_125(value: Decimal) -> bool:
    return value.normalize().as_tuple().digits in ((1,), (2,), (5,))


@given(SIZES)
def test_125_steps_bracket_any_size(value):
    up, down = step_125(value, up=True), step_125(value, up=False)
    assert down < value < up and is_125(up) and is_125(down)
    assert step_125(up, up=False) <= value  # nothing of the sequence in between
    floor = floor_125(value)
    assert is_125(floor) and floor <= value < step_125(floor, up=True)


def test_125_examples():
    assert [step_125(Decimal(v), True) for v in ("1", "1.5", "2", "5", "0.05")] == [
        Decimal(2), Decimal(2), Decimal(5), Decimal(10), Decimal("0.1")]
    assert floor_125(Decimal("0.0484")) == Decimal("0.02")


def tape_of(*amounts: str) -> TradeTape:
    tape = TradeTape("X")
    tape.apply(True, [Trade(i, 1000.0 + i, "1.00", a, SELL, 1.0, float(a))
                      for i, a in enumerate(amounts)][::-1])
    return tape


def test_tiers_move_together_and_keep_their_ratios():
    tape = tape_of("0.1", "0.2", "0.3")
    tiers = (Decimal("1.5"), Decimal("5"), Decimal("25"))
    up = shift_tiers(tiers, True, tape)
    assert up == (Decimal(2), Decimal("6.67"), Decimal("33.3"))
    assert shift_tiers(tiers, False, tape)[0] == Decimal(1)
    assert shift_tiers((), True, tape) == ()
    # From 0 (every print large): up to the 1-2-5 size at the median, default ratios.
    assert shift_tiers((Decimal(0),), True, tape) == (Decimal("0.2"),)
    assert tier_label(up) == "2/6.67/33.3"
    assert tier_label((Decimal(91_600_000),)) == "91.60M"


@given(SIZES)
def test_significant_keeps_three_digits(value):
    out = significant(value)
    assert len(out.normalize().as_tuple().digits) <= 3
    assert abs(out - value) <= abs(value) / 100


def test_min_filter_steps_up_from_the_median_and_down_to_off():
    tape = tape_of("0.04", "0.3", "0.35", "0.9")
    assert raise_min(None, tape) == Decimal("0.2")  # the 1-2-5 size under the median 0.325
    assert raise_min(Decimal("0.2"), tape) == Decimal("0.5")
    assert lower_min(Decimal("0.5"), tape) == Decimal("0.2")
    assert lower_min(Decimal("0.05"), tape) is None  # 0.02 would hide nothing
    assert raise_min(None, TradeTape()) is None  # nothing to go by


@given(st.lists(st.tuples(st.decimals(0, 1000, places=4), st.decimals(0, 1000, places=4)),
                min_size=1, max_size=30))
def test_volume_bar_cells(pairs):
    rows = [Row(ASKS, Decimal(i), str(i), "1", "1", Decimal(1), 1.0, 1.0)
            for i in range(len(pairs))]
    volume = {Decimal(i): pair for i, pair in enumerate(pairs)}
    buys, sells, cells = volume_texts(rows, volume)
    for (buy, sell), b_text, s_text, (b, s) in zip(pairs, buys, sells, cells, strict=True):
        assert b + s <= VOL_BAR
        assert (b > 0) == (buy > 0) and (s > 0) == (sell > 0)  # any volume shows
        assert (b_text != "") == (buy > 0) and (s_text != "") == (sell > 0)
    busiest = max(b + s for b, s in pairs)
    if busiest > 0:
        assert max(b + s for b, s in cells) >= VOL_BAR - 1  # rounding of two parts


def test_figures_are_short():
    assert figure(Decimal("0")) == ""
    assert figure(Decimal("2.5"), signed=True) == "+2.50"
    assert figure(Decimal("-0.0001234"), signed=True) == "-0.00012"
    assert figure(Decimal("231100000")) == "231.10M"


def test_columns_drop_by_priority_as_the_width_shrinks():
    wide = fit(120, 8, 6, True, 8, 6, (6, 6))
    assert wide.cum_w and wide.delta_w and wide.buy_w and wide.bar_w
    assert fit(60, 8, 6, True, 8, 6, (6, 6)).bar_w == 0  # the depth bar takes what is left
    middle = fit(50, 8, 6, True, 8, 6, (6, 6))
    assert middle.delta_w and not middle.buy_w and middle.bar_w  # volume goes first
    narrow = fit(32, 8, 6, True, 8, 6, (6, 6))
    assert narrow.cum_w and not narrow.delta_w and not narrow.bar_w
    assert not fit(20, 8, 6, True, 8, 6, (6, 6)).cum_w


def test_large_flags_either_rule():
    rows = [Row(ASKS, Decimal(i), str(i), s, s, Decimal(s), 1.0, 1.0)
            for i, s in enumerate(("1", "1", "1", "6", "3"))]
    assert large_flags([*rows, None], None, 5.0) == [False, False, False, True, False, False]
    assert large_flags(rows, Decimal(3), None) == [False, False, False, True, True]
    assert large_flags(rows, None, None) == [False] * 5


@given(st.lists(st.text(alphabet="abc 123.", min_size=1, max_size=30), max_size=12),
       st.integers(10, 120))
def test_readout_packing_fits_the_width(texts, width):
    parts = [(t, "plain") for t in texts]
    lines = pack(parts, width)
    assert len(lines) <= 2
    for line in lines:
        assert sum(len(t) for t, _s in line) <= width - 1
    kept = [t for line in lines for t, _s in line if t != SEPARATOR]
    assert kept == [t[:width - 1] for t in texts][:len(kept)]  # in order, whole or cut


def test_readout_says_when_the_level_left_the_book():
    r = LevelReadout(Decimal("100.5"), ASKS, None, Decimal("2"), Decimal("200.5"),
                     Decimal("100.25"), Decimal("12.5"), Decimal("2.5"), 2, left_book=True)
    texts = [t for t, _s in readout_parts(r, 2, 4)]
    assert texts == ["▸ 100.50", "ask", "left the book", "cum 2.0000 (2 lv)",
                     "notional 200.50", "VWAP 100.25", "+12.5 bps", "+2.5 ticks"]


@given(st.floats(-1, 1))
def test_imbalance_bar_fills_by_the_bid_share(ratio):
    full, part = bar_cells(ratio)
    eighths = full * 8 + part
    assert 0 <= eighths <= WIDTH * 8 and 0 <= part < 8
    assert abs(eighths - (1 + ratio) / 2 * WIDTH * 8) <= 0.5
