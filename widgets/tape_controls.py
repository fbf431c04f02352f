"""The tape's adjustable figures: the minimum-size filter and the large-trade tiers.

Keys move them along the 1-2-5 sequence (0.1, 0.2, 0.5, 1, 2, 5, ...), exact Decimals so a
threshold shows as typed. The tiers keep their ratios to the first one when it moves; the
automatic tiers are multiples of the median print on the tape.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from dfx_tui.book.numbers import median
from dfx_tui.book.tape import TradeTape
from dfx_tui.widgets.columns import compact
from dfx_tui.widgets.trader_settings import AUTO_BIG_FACTORS, DEFAULT_BIG_RATIOS

_MANTISSAS = (1, 2, 5)
MIN_AUTO_TRADES = 5  # fewer prints than this on the tape: no automatic tiers yet


def step_125(value: Decimal, up: bool) -> Decimal:
    """The next 1-2-5 number strictly above (or below) a positive `value`."""
    exponent = value.adjusted()
    candidates = [Decimal(m).scaleb(e) for e in (exponent - 1, exponent, exponent + 1)
                  for m in _MANTISSAS]
    if up:
        return min(c for c in candidates if c > value)
    return max(c for c in candidates if c < value)


def floor_125(value: Decimal) -> Decimal:
    """The largest 1-2-5 number not above a positive `value`."""
    if value <= 0:
        return value
    exponent = value.adjusted()
    return max(c for e in (exponent - 1, exponent) for m in _MANTISSAS
               if (c := Decimal(m).scaleb(e)) <= value)


def auto_tiers(tape: TradeTape) -> tuple[Decimal, ...]:
    """Median print size x `AUTO_BIG_FACTORS`; none while the tape is nearly empty."""
    mid = tape.median_size()
    if len(tape) < MIN_AUTO_TRADES or mid is None:
        return ()
    return tuple(mid * factor for factor in AUTO_BIG_FACTORS)


def shift_tiers(tiers: Sequence[Decimal], up: bool, tape: TradeTape) -> tuple[Decimal, ...]:
    """Tiers with the first moved one 1-2-5 step, the others kept at their ratios to it
    (to three significant digits). A first tier of 0 (every print is large) goes up to the
    1-2-5 number at or below the median print, with the default ratios."""
    if not tiers:
        return ()
    first = tiers[0]
    if first <= 0:
        mid = median([Decimal(t.amount) for t in tape] or [Decimal(0)])
        if not up or mid <= 0:
            return tuple(tiers)
        base = floor_125(mid)
        return tuple(base * r for r in DEFAULT_BIG_RATIOS[:len(tiers)])
    moved = step_125(first, up)
    return (moved, *(significant(moved * t / first) for t in tiers[1:]))


def significant(value: Decimal, digits: int = 3) -> Decimal:
    """`value` rounded half-even to `digits` significant digits, without trailing zeros."""
    if not value:
        return value
    rounded = round(value, digits - 1 - value.adjusted())
    return rounded.normalize() if rounded == rounded.to_integral_value() else Decimal(
        f"{rounded:f}".rstrip("0"))


def raise_min(current: Decimal | None, tape: TradeTape) -> Decimal | None:
    """The filter one step up: from off, the 1-2-5 number at or below the median print."""
    if current is not None:
        return step_125(current, up=True)
    sizes = [Decimal(t.amount) for t in tape]
    if not sizes:
        return None
    return floor_125(median(sizes))


def lower_min(current: Decimal | None, tape: TradeTape) -> Decimal | None:
    """The filter one step down; off once it would hide no print on the tape."""
    if current is None:
        return None
    lower = step_125(current, up=False)
    smallest = min((Decimal(t.amount) for t in tape), default=None)
    if smallest is None or lower <= smallest:
        return None
    return lower


def size_label(size: Decimal) -> str:
    """A threshold as typed ("0.05", "1.5"), or short when large ("91.6M")."""
    return compact(float(size)) if size >= 10_000 else f"{significant(size):f}"


def tier_label(tiers: Sequence[Decimal]) -> str:
    """"1.5/5/25": the tiers, three significant digits."""
    return "/".join(size_label(t) for t in tiers)
