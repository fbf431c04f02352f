"""Short prices for narrow terminals: the common leading digits once, each row its tail.

65003.42 and 65012.10 on screen become "03.42" and "12.10" under the label "650xx". The cut
never reaches a digit in which two rows differ (it stops at their common prefix), so every
row stays distinct and `prefix + suffix` is always the full price. Rows of different widths
or decimal-point positions (9999.5 next to 10000.5) are not shortened: a shared prefix of
unaligned numbers would read as the wrong magnitude.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import NamedTuple

DEFAULT_MIN_KEEP = 4  # characters every row keeps, e.g. "3.42"


class ShortPrices(NamedTuple):
    prefix: str  # leading characters common to every row, cut off ("6500"); "" if none
    label: str  # the prefix with the rows' integer digits as "x" ("6500x"); "" if not cut
    suffixes: list[str]  # per row, in input order: prefix + suffix == the full price


def short_prices(prices: Sequence[str], min_keep: int = DEFAULT_MIN_KEEP) -> ShortPrices:
    """Split equally formatted price texts into a common prefix and per-row suffixes.

    Each suffix keeps at least `min_keep` characters and never starts with the decimal point.
    """
    if not prices:
        return ShortPrices("", "", [])
    width = len(prices[0])
    point = prices[0].find(".")
    if any(len(p) != width or p.find(".") != point for p in prices):
        return ShortPrices("", "", list(prices))
    cut = min(len(os.path.commonprefix(list(prices))), width - max(1, min_keep))
    if 0 < cut < width and prices[0][cut] == ".":
        cut -= 1
    if cut <= 0:
        return ShortPrices("", "", list(prices))
    prefix = prices[0][:cut]
    first_tail = prices[0][cut:]
    hidden = first_tail.split(".", 1)[0]  # the digits each row shows before its point
    return ShortPrices(prefix, prefix + "x" * max(1, len(hidden)), [p[cut:] for p in prices])
