"""Validation of wire depth levels into the book's internal form.

A parsed level is `(price_key, (price_text, amount_text))`, or `(price_key, None)` for a
deletion (an amount that is numerically zero: "0", "0.0000", "0E-8"). Parsing once here keeps
the book's hot path free of checks.
"""

from __future__ import annotations

from collections.abc import Sequence

from dfx_tui.book.text import inert_text

Level = tuple[float, tuple[str, str] | None]

MAX_TEXT = 64  # a price or amount longer than this is not a number any exchange sends
# Levels per side in one message. Nobody knows the real snapshot depth (30-50 is a guess), so
# this is far above it; it only stops one frame under the inflate cap from loading a book of a
# million levels (seconds of CPU, hundreds of MiB kept).
MAX_LEVELS = 10_000
# Prices and non-zero sizes outside this range are not market data; inside it, sums stay
# finite as floats and shown decimals stay bounded (a price of 1E-300 would otherwise set a
# market's display precision to 300 places).
MIN_VALUE = 1e-20
MAX_VALUE = 1e30


def parse_levels(raw: object) -> list[Level]:
    """Validate `[[price, amount], ...]` of decimal strings; raise ValueError on anything else."""
    if type(raw) is not list and (not isinstance(raw, Sequence) or isinstance(raw, str | bytes)):
        raise ValueError(f"levels must be a list, got {type(raw).__name__}")
    if not raw:
        return []  # a delta's unchanged side: 40% of the sides of dfx-sim's deltas
    if len(raw) > MAX_LEVELS:
        raise ValueError(f"more than {MAX_LEVELS} levels in one message")
    out: list[Level] = []
    append = out.append
    for level in raw:
        if type(level) is not list and type(level) is not tuple or len(level) != 2:
            raise ValueError(f"a level must be [price, amount], got {quoted(level)}")
        price, amount = level
        if type(price) is not str or type(amount) is not str:
            raise ValueError(f"price and amount must be strings, got {quoted(level)}")
        if len(price) > MAX_TEXT or len(amount) > MAX_TEXT:
            raise ValueError("price or amount text too long")
        try:
            p = float(price)
            a = float(amount)
        except ValueError:
            raise ValueError(f"not a decimal number: {quoted(level)}") from None
        # The rule of `plain_pair`, inlined: a call here costs about 7 % of the book's rate
        # (bench_book). tests/test_book_properties.py pins the two to the same answers.
        if not (price.isascii() and amount.isascii() and price[0] > " " and price[-1] > " "
                and amount[0] > " " and amount[-1] > " ") or "_" in price or "_" in amount:
            raise ValueError(f"not a plain decimal number: {quoted(level)}")
        if not MIN_VALUE <= p < MAX_VALUE:  # also false for NaN and infinities
            raise ValueError(f"price must be a positive number in range, got {quoted(price, 24)}")
        if not (a == 0.0 or MIN_VALUE <= a < MAX_VALUE):
            raise ValueError(f"amount must be 0 or a positive number in range, got {quoted(amount, 24)}")
        append((p, None if a == 0.0 else (price, amount)))
    return out


def plain_pair(price: str, amount: str) -> bool:
    """True when two texts float() parsed are also plain ASCII without padding or "_".

    float() also takes whitespace, "1_0" and non-ASCII digits: text a terminal must never get
    raw (a "\n" or "\x85" in a price), and no exchange sends. One call checks both texts of
    a level or trade, since this runs for every level received.
    """
    return (price.isascii() and amount.isascii() and price[:1] > " " and price[-1:] > " "
            and amount[:1] > " " and amount[-1:] > " " and "_" not in price
            and "_" not in amount)


def quoted(value: object, limit: int = 60) -> str:
    """A bad value from the server quoted in an error message: its repr, inert, cut short."""
    return inert_text(repr(value), limit)
