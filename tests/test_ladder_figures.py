"""The ladder's per-paint figures kept or shortened for speed equal a fresh, plain computation:
Δ and volume texts, large-order flags, the spread line, and the size flashes."""

from __future__ import annotations

import random
from decimal import Decimal

from rich.style import Style

from dfx_tui.book.depth_signals import large_levels
from dfx_tui.book.orderbook import ASKS, BIDS, OrderBook
from dfx_tui.widgets.ladder import FLASH_SECONDS, LadderView
from dfx_tui.widgets.ladder_columns import (
    VOL_BAR,
    Row,
    delta_texts,
    figure,
    large_flags,
    volume_texts,
)
from dfx_tui.widgets.ladder_rows import spread_strip


def _row(rng: random.Random, price: int, side: str | None = None) -> Row | None:
    if rng.random() < 0.1:
        return None
    side = side if side is not None else rng.choice((ASKS, BIDS, None))
    exact = Decimal(price).scaleb(-2)
    if side is None:  # an empty price (price mode)
        return Row(None, exact, f"{exact:.2f}", "", "", None, 0.0, 0.0)
    size = Decimal(rng.choice((0, 1, 5, 10, 12, 250, 5000))).scaleb(-rng.choice((0, 1, 2)))
    return Row(side, exact, f"{exact:.2f}", f"{size}", f"{size}", size, float(size),
               float(size))


def _changes(rng: random.Random, prices: list[int]) -> dict[Decimal, Decimal]:
    return {Decimal(p).scaleb(-2): Decimal(rng.randint(-500, 500)).scaleb(-rng.randint(0, 4))
            for p in rng.sample(prices, rng.randint(0, len(prices)))}


def _plain_delta_texts(rows: list[Row | None], asks: dict[Decimal, Decimal],
                       bids: dict[Decimal, Decimal]) -> tuple[list[str], list[int]]:
    texts, signs = [], []
    for row in rows:
        change = None
        if row is not None:
            if row.side is None:
                change = asks.get(row.price) or bids.get(row.price)
            else:
                change = (asks if row.side == ASKS else bids).get(row.price)
        texts.append(figure(change, signed=True) if change else "")
        signs.append(0 if not change else 1 if change > 0 else -1)
    return texts, signs


def _plain_volume_texts(rows: list[Row | None],
                        volume: dict[Decimal, tuple[Decimal, Decimal]]
                        ) -> tuple[list[str], list[str], list[tuple[int, int]]]:
    found = [volume.get(row.price) if row is not None else None for row in rows]
    top = max((b + s for b, s in (f for f in found if f is not None)), default=Decimal(0))
    buys, sells, cells = [], [], []
    for pair in found:
        if pair is None or not top:
            buys.append("")
            sells.append("")
            cells.append((0, 0))
            continue
        buy, sell = pair
        buys.append(figure(buy))
        sells.append(figure(sell))
        total = round(float((buy + sell) / top) * VOL_BAR)
        b = round(float(buy / top) * VOL_BAR)
        b = max(b, 1) if buy else 0
        s = max(total - b, 1) if sell else 0
        if b + s > VOL_BAR:
            b = VOL_BAR - s
        cells.append((b, s))
    return buys, sells, cells


def _plain_large_flags(rows: list[Row | None], absolute: Decimal | None,
                       factor: float | None) -> list[bool]:
    sized = [(i, row.size) for i, row in enumerate(rows) if row is not None and row.size]
    flags = [False] * len(rows)
    if absolute is None and factor is None:
        return flags
    marks = large_levels([size for _i, size in sized], absolute, factor)
    for (i, _size), large in zip(sized, marks, strict=True):
        flags[i] = large
    return flags


def test_row_figures_equal_a_plain_computation() -> None:
    rng = random.Random(3)
    for _ in range(400):
        prices = list(range(10_000, 10_000 + rng.randint(0, 45)))
        compact = rng.random() < 0.5  # every line a level, as in compact mode
        rows = [_row(rng, p) for p in prices]
        if compact:
            rows = [r for r in rows if r is not None and r.size]
        asks, bids = _changes(rng, prices), _changes(rng, prices)
        assert delta_texts(rows, asks, bids) == _plain_delta_texts(rows, asks, bids)
        volume = {Decimal(p).scaleb(-2): (Decimal(rng.randint(0, 900)).scaleb(-2),
                                          Decimal(rng.randint(0, 900)).scaleb(-2))
                  for p in rng.sample(prices, rng.randint(0, len(prices)))}
        assert volume_texts(rows, volume) == _plain_volume_texts(rows, volume)
        absolute = rng.choice((None, Decimal(10), Decimal("0.5")))
        factor = rng.choice((None, 2.0, 5.0))
        assert large_flags(rows, absolute, factor) == _plain_large_flags(rows, absolute, factor)


def _plain_spread_text(book: OrderBook, width: int, extra: str) -> str:
    if not book.has_snapshot:
        text = "waiting for the book…"
    elif book.best_bid() is None or book.best_ask() is None:
        text = "one-sided book"
    else:
        spread, bps, mid = book.spread_text(), book.spread_bps(), book.mid_text()
        parts = [f"spread {spread}"]
        if bps is not None:
            parts.append(f"{bps:.1f} bps")
        parts.append(f"mid {mid}")
        text = " · ".join(parts)
        if extra and len(text) + 3 + len(extra) <= width:
            text = f"{text} · {extra}"
        elif len(text) > width:
            text = f"spread {spread}"
    return text[:width]


def test_spread_line_follows_the_touches_through_random_deltas() -> None:
    """The spread texts are kept by the touches' prices: a new touch, a finer precision, a
    one-sided or a cleared book each show at once."""
    rng = random.Random(9)
    book = OrderBook("T")
    style = Style(color="red")
    for step in range(1500):
        if rng.random() < 0.01:
            book.clear()
        elif rng.random() < 0.01:  # another book of the same prices, at 2 places again
            book = OrderBook("T")
        elif rng.random() < 0.01:  # a finer price seen: the same touches at 3 places
            book.learn_from([("1.001", "1")])
        elif not book.has_snapshot or rng.random() < 0.01:
            book.apply_snapshot([[f"{(10_001 + i) / 100:.2f}", "1.0"] for i in range(5)],
                                [[f"{(10_000 - i) / 100:.2f}", "1.0"] for i in range(5)])
        else:
            side = rng.choice((ASKS, BIDS))
            tick = (10_001 if side == ASKS else 10_000) + rng.randint(-3, 3) * (
                1 if side == ASKS else -1)
            places = 3 if rng.random() < 0.01 else 2
            price = f"{tick / 100:.{places}f}"
            size = "0" if rng.random() < 0.4 else f"{rng.randint(1, 30) / 10:.1f}"
            bid, ask = book.best_bid_value(), book.best_ask_value()
            if size != "0" and (side == ASKS and bid is not None and float(price) <= bid
                                or side == BIDS and ask is not None and float(price) >= ask):
                continue  # never crossed
            book.apply_update([[price, size]] if side == ASKS else None,
                              [[price, size]] if side == BIDS else None)
        width = rng.choice((20, 40, 60, 160))
        extra = rng.choice(("", "Δ10s asks +2.50 bids -0.1546"))
        strip = spread_strip(book, width, style, extra)
        assert strip.text.strip() == _plain_spread_text(book, width, extra).strip(), step
        assert strip.cell_length == width


def test_flashes_equal_a_plain_comparison_of_the_sizes_shown() -> None:
    """A size flashes when its text differs from the last repaint's at that side and price,
    whether the row is the same object (kept), a new object with the same size, or a new
    size; rows that leave and come back compare with nothing in between."""
    rng = random.Random(4)
    view = LadderView(OrderBook("T"))
    shown: dict[tuple[str, str], tuple[str, float]] = {}
    flashes: dict[tuple[str, str], tuple[float, bool]] = {}
    lines: list[Row | None] = [_row(rng, 10_000 + i, rng.choice((ASKS, BIDS))) for i in range(30)]
    now = 0.0
    for step in range(800):
        now += rng.choice((0.1, 0.1, 0.3, 0.6))
        nxt: list[Row | None] = []
        for i, row in enumerate(lines):
            roll = rng.random()
            if roll < 0.7:
                nxt.append(row)  # kept: the same object
            elif roll < 0.8 and row is not None:
                nxt.append(row._replace())  # a new object showing the same
            else:
                nxt.append(_row(rng, 10_000 + i, rng.choice((ASKS, BIDS))))
        lines = nxt
        view._update_flashes(lines, now)
        # The plain way: every row against the last repaint's size text at its key.
        flashes = {k: v for k, v in flashes.items() if v[0] > now}
        current: dict[tuple[str, str], tuple[str, float]] = {}
        for row in lines:
            if row is None or row.side is None:
                continue
            key = (row.side, row.price_text)
            current[key] = (row.size_text, row.size_value)
            before = shown.get(key)
            if before is not None and before[0] != row.size_text:
                flashes[key] = (now + FLASH_SECONDS, row.size_value > before[1])
        shown = current
        assert view._flashes == flashes, step
