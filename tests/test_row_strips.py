"""RowStrips builds a changed row from its kept price-and-size segments plus the rest
(`RowStrips._row_strip`): the strip must be the whole row built afresh
(`fixed_strip(row_segments(...))`), segment for segment, over random rows, columns, widths,
looks and paints, and a restyle must not keep segments of the old styles."""

from __future__ import annotations

import random
from decimal import Decimal

from rich.style import Style

from dfx_tui.book.orderbook import ASKS, BIDS
from dfx_tui.widgets.ladder_columns import Row, lay_out
from dfx_tui.widgets.ladder_lines import RowStrips, row_styles
from dfx_tui.widgets.ladder_segments import fixed_strip, row_segments

STYLES = {name: Style(color=f"#{i * 20:02x}{i * 10:02x}40", bold=i % 3 == 0)
          for i, name in enumerate(("empty", "ask", "bid", "flash-up", "flash-down", "cum",
                                    "large", "stacked", "pulled", "ask-bar", "bid-bar",
                                    "stale", "cursor"))}


def _rows(rng: random.Random) -> list[Row | None]:
    rows: list[Row | None] = []
    cum = Decimal(0)
    for i in range(rng.randint(1, 30)):
        if rng.random() < 0.05:
            rows.append(None)
            continue
        price = Decimal(65000 + 100 * i + rng.randint(0, 99)).scaleb(-rng.choice((0, 2)))
        size = Decimal(rng.randint(1, 90000)).scaleb(-rng.choice((2, 4)))
        cum += size
        side = rng.choice((ASKS, BIDS))
        rows.append(Row(side, price, f"{price}", f"{size}", f"{cum}", size, float(size),
                        float(cum)))
    return rows


def _changes(rows: list[Row | None], rng: random.Random) -> tuple[dict[Decimal, Decimal],
                                                                  dict[Decimal, Decimal]]:
    picked = {row.price: Decimal(rng.randint(-900, 900)).scaleb(-2)
              for row in rows if row is not None and rng.random() < 0.3}
    return picked, dict(picked)


def test_a_row_from_its_kept_parts_is_the_row_built_afresh() -> None:
    rng = random.Random(11)
    strips = RowStrips()
    for _paint in range(300):
        rows = _rows(rng)
        shown = [row for row in rows if row is not None]
        width = rng.choice((20, 40, 60, 90, 120))
        large = [rng.random() < 0.2 for _ in shown] if rng.random() < 0.5 else None
        changes = _changes(shown, rng)
        volume = {row.price: (Decimal(rng.randint(0, 50)), Decimal(rng.randint(0, 50)))
                  for row in shown if rng.random() < 0.3}
        columns = lay_out(shown, width, [r.price_text for r in shown], "Price", large, "Δ10s",
                          lambda changes=changes: changes, lambda volume=volume: volume)
        bar_w = columns.layout.bar_w
        for k, row in enumerate(shown):
            stale = rng.random() < 0.1
            look = (row.side, rng.choice((None, True, False)))
            rs = row_styles(look, stale, STYLES)
            bar = "█" * rng.randint(0, bar_w) if bar_w else None
            bar = bar.ljust(bar_w) if bar is not None else None
            built = strips._row_strip(columns, k, row, row.price_text, bar, rs, width,
                                      (look, stale))
            fresh = fixed_strip(row_segments(columns.layout, columns.cells(k, row,
                                                                           row.price_text),
                                             bar, rs), width, rs.text)
            assert list(built) == list(fresh)
            assert built.cell_length == fresh.cell_length == width


def test_a_restyle_forgets_the_kept_parts() -> None:
    rows = [Row(ASKS, Decimal("65000.5"), "65000.5", "1.25", "1.25", Decimal("1.25"), 1.25,
                1.25)]
    columns = lay_out(rows, 60, ["65000.5"], "Price", None, "Δ10s", lambda: ({}, {}),
                      lambda: {})
    strips = RowStrips()
    look = (ASKS, None)
    before = strips._row_strip(columns, 0, rows[0], "65000.5", None,
                               row_styles(look, False, STYLES), 60, (look, False))
    restyled = {**STYLES, "ask": Style(color="#ff0000")}
    strips.clear()  # what LadderView.clear_caches does on a restyle
    after = strips._row_strip(columns, 0, rows[0], "65000.5", None,
                              row_styles(look, False, restyled), 60, (look, False))
    def price_style(strip: object) -> Style | None:
        return next(seg.style for seg in strip if "65000.5" in seg.text)  # type: ignore[attr-defined]

    assert price_style(after) == Style(color="#ff0000")
    assert price_style(before) == STYLES["ask"]
