"""Exact price-grid arithmetic shared by the trader's-ladder figures.

A grid is the market tick (10**-decimals, see `OrderBook.price_decimals`) times a grouping
multiple (`numbers.HUMAN_STEPS`). Grid prices are handled as integer indices (price = index *
group * tick), so no figure ever goes through a float. Grouping follows the ladder's rule:
bids round down, asks round up (a bucket price `b` holds bids in [b, b + step) and asks in
(b - step, b]); a trade is bucketed with the side it consumed (buys up, sells down).
"""

from __future__ import annotations

import math
from decimal import Decimal

from dfx_tui.book.orderbook import BIDS, OrderBook

ZERO = Decimal(0)


def grid_index(price: Decimal, decimals: int, group: int = 1, round_up: bool = False) -> int:
    """Index of the grid bucket holding `price` (bucket price = index * group * tick)."""
    units = price.scaleb(decimals)
    if round_up:
        return -(-math.ceil(units) // group)
    return math.floor(units) // group


def grid_price(index: int, decimals: int, group: int = 1) -> Decimal:
    """The exact price of grid bucket `index` (built from text, so never context-rounded)."""
    return Decimal(f"{index * group}E{-decimals}")


def bucket_price(price: Decimal, decimals: int, group: int, round_up: bool) -> Decimal:
    """`price` moved onto its grid bucket (identity when already on the grid)."""
    if group <= 1 and -_exponent(price) <= decimals:
        return price
    return grid_price(grid_index(price, decimals, group, round_up), decimals, group)


def step_of(decimals: int, group: int = 1) -> Decimal:
    return grid_price(1, decimals, group)


def divide_rounded(num: Decimal, den: Decimal, places: int) -> Decimal:
    """`num / den` rounded half-even to `places` decimals, exactly (integer arithmetic).

    Decimal division rounds to the context's 28 digits first; rounding that again to the
    shown places could differ from one correct rounding, so the quotient is built from ints.
    """
    if den == 0:
        raise ZeroDivisionError("divide_rounded by zero")
    n, n_exp = _as_int(num)
    d, d_exp = _as_int(den)
    shift = n_exp - d_exp + places
    if shift >= 0:
        n *= 10**shift
    else:
        d *= 10**-shift
    negative = (n < 0) != (d < 0)
    q, r = divmod(abs(n), abs(d))
    twice = 2 * r
    if twice > abs(d) or (twice == abs(d) and q % 2 == 1):
        q += 1
    return Decimal(f"{'-' if negative and q else ''}{q}E{-places}")


def trimmed(value: Decimal, min_places: int) -> str:
    """Plain text of `value` without trailing zeros beyond `min_places` decimals."""
    text = f"{value:f}"
    if "." not in text:
        return text if min_places <= 0 else f"{text}.{'0' * min_places}"
    whole, frac = text.split(".")
    frac = frac.rstrip("0")
    if len(frac) < min_places:
        frac += "0" * (min_places - len(frac))
    return f"{whole}.{frac}" if frac else whole


def levels_to(book: OrderBook, side: str, limit: Decimal | None) -> list[tuple[Decimal, Decimal]]:
    """Levels of `side` from the touch outward while not beyond `limit`, as exact Decimals.

    Asks stop after a price above `limit`, bids after a price below it (`None`: the whole
    side). Reads through the book's public `bids(n)`/`asks(n)` in growing chunks, so a limit
    near the touch converts only the levels it needs.
    """
    is_bid = side == BIDS
    out: list[tuple[Decimal, Decimal]] = []
    n = 16
    while True:
        raw = book.bids(n) if is_bid else book.asks(n)
        for price_text, amount_text in raw[len(out):]:  # each level is converted once
            price = Decimal(price_text)
            if limit is not None and (price < limit if is_bid else price > limit):
                return out
            out.append((price, Decimal(amount_text)))
        if len(raw) < n:
            return out
        n *= 4


def _as_int(value: Decimal) -> tuple[int, int]:
    sign, digits, exponent = value.as_tuple()
    if not isinstance(exponent, int):
        raise ValueError(f"not a finite number: {value}")
    number = int("".join(map(str, digits)) or "0")
    return (-number if sign else number), exponent


def _exponent(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    return exponent if isinstance(exponent, int) else 0
