"""Price-ladder mode: one row per grid price, empty prices included, prices standing still.

Rows are the grid prices (tick or grouping step) around an anchor, highest first; sizes move
under them. The anchor (the centre row's price) changes only when a touch leaves the middle
band of rows (`band`, a fraction of the half-height above and below the centre), so the
ladder does not scroll on every tick; `anchor=None` recentres explicitly. When the spread
alone is wider than the band, the mid's row is tested instead, so the ladder cannot chase.
"""

from __future__ import annotations

from decimal import Decimal
from typing import NamedTuple

from dfx_tui.book.orderbook import ASKS, BIDS, OrderBook
from dfx_tui.book.price_grid import grid_index, grid_price, levels_to

DEFAULT_BAND = 0.5


class PriceRow(NamedTuple):
    price: Decimal  # exact grid price; format with fmt_fixed(price, book.price_decimals)
    ask_size: Decimal | None  # asks in (price - step, price], None when there are none
    bid_size: Decimal | None  # bids in [price, price + step), None when there are none
    ask_value: float  # float(ask_size) or 0.0, for bars only
    bid_value: float


class PriceLadderView(NamedTuple):
    rows: list[PriceRow]  # highest price first; consecutive rows are one step apart
    anchor: Decimal | None  # price of the centre row (row n_rows // 2); pass it back next time
    recentred: bool  # the anchor moved in this call
    best_ask_row: int | None  # index into rows of the best ask's bucket, if on screen
    best_bid_row: int | None


def price_ladder(book: OrderBook, n_rows: int, group: int = 1, anchor: Decimal | None = None,
                 band: float = DEFAULT_BAND) -> PriceLadderView:
    """Rows of the book on a fixed price grid of `group` ticks around `anchor`.

    `band` in [0, 1]: 0 recentres whenever a touch is off the centre row, 1 only when it
    leaves the screen. The returned anchor is snapped to the grid.
    """
    decimals = book.price_decimals
    ask, bid = book.best_ask(), book.best_bid()
    ask_index = None if ask is None else grid_index(Decimal(ask[0]), decimals, group, True)
    bid_index = None if bid is None else grid_index(Decimal(bid[0]), decimals, group)
    if n_rows <= 0:
        return PriceLadderView([], anchor, False, None, None)
    above = n_rows // 2  # rows above the centre row
    below = n_rows - 1 - above
    band = min(1.0, max(0.0, band))
    centre = None if anchor is None else grid_index(anchor, decimals, group)
    new_centre = _centre(centre, ask_index, bid_index, int(band * above), int(band * below),
                         above, below)
    if new_centre is None:
        return PriceLadderView([], None, anchor is not None, None, None)
    top, bottom = new_centre + above, new_centre - below
    asks = _bucketed(book, ASKS, grid_price(top, decimals, group), decimals, group)
    bids = _bucketed(book, BIDS, grid_price(bottom, decimals, group), decimals, group)
    rows = []
    price, step = grid_price(top, decimals, group), grid_price(1, decimals, group)
    for index in range(top, bottom - 1, -1):
        a, b = asks.get(index), bids.get(index)
        rows.append(PriceRow(price, a, b, 0.0 if a is None else float(a),
                             0.0 if b is None else float(b)))
        price -= step  # exact: both have the grid's places (a text-built price costs 10x)
    return PriceLadderView(
        rows, grid_price(new_centre, decimals, group),
        new_centre != centre,
        None if ask_index is None or not bottom <= ask_index <= top else top - ask_index,
        None if bid_index is None or not bottom <= bid_index <= top else top - bid_index)


class PriceLadder:
    """Holds the anchor between repaints: `view()` each repaint, `recentre()` on request."""

    __slots__ = ("anchor", "band")

    def __init__(self, band: float = DEFAULT_BAND) -> None:
        self.anchor: Decimal | None = None
        self.band = band

    def recentre(self) -> None:
        self.anchor = None

    def view(self, book: OrderBook, n_rows: int, group: int = 1) -> PriceLadderView:
        result = price_ladder(book, n_rows, group, self.anchor, self.band)
        self.anchor = result.anchor
        return result


def _centre(centre: int | None, ask: int | None, bid: int | None, up: int, down: int,
            above: int, below: int) -> int | None:
    """The centre row index after the band test.

    `up`/`down`: band rows above/below the centre; `above`/`below`: screen rows.
    """
    touches = [t for t in (ask, bid) if t is not None]
    if not touches:
        return centre  # an empty book keeps its place
    target = (ask + bid) // 2 if ask is not None and bid is not None else touches[0]
    if centre is None:
        return target
    low, high = min(touches), max(touches)
    if high - low <= up + down:
        keep = centre - down <= low and high <= centre + up
    else:
        # The spread alone overflows the band: test the mid's row instead, and keep both
        # touches on screen while they fit it.
        keep = centre - down <= target <= centre + up and (
            high - low > above + below or (centre - below <= low and high <= centre + above))
    return centre if keep else target


def _bucketed(book: OrderBook, side: str, limit: Decimal, decimals: int,
              group: int) -> dict[int, Decimal]:
    """Total size per grid index of `side` from the touch to `limit` (the screen's edge)."""
    round_up = side == ASKS
    out: dict[int, Decimal] = {}
    for price, amount in levels_to(book, side, limit):
        index = grid_index(price, decimals, group, round_up)
        out[index] = out[index] + amount if index in out else amount
    return out
