"""The market header's imbalance: bid against ask size near mid as a two-colour bar, and the
micro-price (`book.depth_signals`).

The bar is `WIDTH` cells: bid colour from the left for the bid share, ask colour for the
rest, the cell where they meet split to an eighth (its left part in the bid colour on an
ask-coloured background).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from rich.style import Style
from rich.text import Text

from dfx_tui.book.depth_signals import Imbalance, imbalance, micro_price
from dfx_tui.book.orderbook import OrderBook
from dfx_tui.book.price_grid import trimmed
from dfx_tui.widgets.text_line import style_of

WIDTH = 10
_EIGHTHS = "▏▎▍▌▋▊▉"
_DIM = Style(dim=True)


def bar_cells(ratio: float, width: int = WIDTH) -> tuple[int, int]:
    """(whole bid cells, eighths of the boundary cell) for a ratio in [-1, 1]."""
    share = (1 + max(-1.0, min(1.0, ratio))) / 2
    eighths = round(share * width * 8)
    return divmod(eighths, 8)


Signals = tuple[Imbalance | None, Decimal | None]  # the imbalance and the micro-price


def book_signals(book: OrderBook, bps: float) -> Signals:
    return imbalance(book, bps), micro_price(book)


class SignalsMemo:
    """`book_signals` of one book, kept while the book's version stands: the header line is
    rebuilt for a trade or a ticker too, and summing the levels near mid is a third of its
    cost (bench_paint, 1 step a paint: ~0.25 of ~0.7 ms), saved on those rebuilds. Idle
    pairs (bench_app --only idle, 2 each) showed no change within their noise (1.6-1.9)."""

    __slots__ = ("_key", "_signals")

    def __init__(self) -> None:
        self._key: tuple[int, int, float] | None = None
        self._signals: Signals = (None, None)

    def get(self, book: OrderBook, bps: float) -> Signals:
        key = (id(book), book.version, bps)
        if key != self._key:
            self._signals, self._key = book_signals(book, bps), key
        return self._signals


def append_imbalance(text: Text, book: OrderBook, bps: float,
                     styles: Mapping[str, Style], signals: Signals | None = None) -> None:
    """Append `imb ██████▌███ +0.23  µ 65003.4512` (nothing without a two-sided book).
    `signals`: `book_signals(book, bps)`, if already known."""
    imb, micro = book_signals(book, bps) if signals is None else signals
    if imb is None:
        return
    bid, ask = style_of(styles, "bid"), style_of(styles, "ask")
    full, part = bar_cells(imb.ratio)
    text.append("  ")
    text.append("imb ", _DIM)
    text.append("█" * full, Style(color=bid.color))
    rest = WIDTH - full
    if part and rest:
        text.append(_EIGHTHS[part - 1], Style(color=bid.color, bgcolor=ask.color))
        rest -= 1
    text.append("█" * rest, Style(color=ask.color))
    text.append(f" {imb.ratio:+.2f}")
    if micro is not None:
        text.append("  ")
        text.append("µ ", _DIM)
        text.append(trimmed(micro, book.price_decimals))
