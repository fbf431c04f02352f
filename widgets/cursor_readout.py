"""The cursor's readout under the ladder: what taking the book up to the cursor would cost.

`readout_parts` turns a `book.cursor.LevelReadout` (exact figures) into labelled texts;
`pack` fits them into at most `MAX_LINES` lines of a width, whole parts only.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip

from dfx_tui.book.cursor import LevelReadout
from dfx_tui.book.numbers import fmt_fixed
from dfx_tui.book.orderbook import ASKS
from dfx_tui.book.price_grid import trimmed
from dfx_tui.widgets.columns import gap

MAX_LINES = 2
SEPARATOR = " · "
# What a part is drawn as: the readout's name of a component style.
PRICE, SIDE_ASK, SIDE_BID, PLAIN, WARN = "price", "ask", "bid", "plain", "warn"

Part = tuple[str, str]  # (text, style name)


def readout_parts(r: LevelReadout, price_decimals: int, size_decimals: int) -> list[Part]:
    """The figures of one readout, in reading order.

    The side, then (unless the level left the book) its size, the cumulative size and
    notional from the touch with the number of levels, the VWAP of taking all of it, and the
    distance from mid in bps and ticks.
    """
    parts: list[Part] = [(f"▸ {fmt_fixed(r.price, price_decimals)}", PRICE)]
    if r.side is None:
        parts.append(("in the spread" if r.mid_bps is not None else "no book", PLAIN))
    else:
        parts.append(("ask" if r.side == ASKS else "bid", SIDE_ASK if r.side == ASKS
                      else SIDE_BID))
    if r.left_book:
        parts.append(("left the book", WARN))
    elif r.side is not None:
        parts.append((f"size {fmt_fixed(r.size, size_decimals)}" if r.size is not None
                      else "no level here", PLAIN))
    if r.cum_size > 0:
        parts.append((f"cum {fmt_fixed(r.cum_size, size_decimals)} ({r.levels} lv)", PLAIN))
        parts.append((f"notional {r.cum_notional:,.2f}", PLAIN))
        if r.vwap is not None:
            parts.append((f"VWAP {trimmed(r.vwap, price_decimals)}", PLAIN))
    if r.mid_bps is not None and r.mid_ticks is not None:
        parts.append((f"{_signed(r.mid_bps)} bps", PLAIN))
        parts.append((f"{_signed(r.mid_ticks)} ticks", PLAIN))
    return parts


def _signed(value: Decimal) -> str:
    text = trimmed(value, 0) if value == value.to_integral_value() else f"{value:f}"
    return text if text.startswith("-") else f"+{text}"


def pack(parts: list[Part], width: int, max_lines: int = MAX_LINES) -> list[list[Part]]:
    """Lines of whole parts joined by `SEPARATOR`, each within `width` (a part longer than the
    width is cut); parts that do not fit in `max_lines` lines are left out."""
    lines: list[list[Part]] = []
    used = 0
    for text, style in parts:
        text = text[:max(0, width - 1)]
        if lines and used + len(SEPARATOR) + len(text) <= width - 1:
            lines[-1].append((SEPARATOR, PLAIN))
            lines[-1].append((text, style))
            used += len(SEPARATOR) + len(text)
            continue
        if len(lines) >= max_lines:
            break
        lines.append([(text, style)])
        used = len(text)
    return lines


def readout_strip(parts: list[Part], width: int, styles: Mapping[str, Style]) -> Strip:
    """One packed line, drawn in the ladder's `readout` style with the side's colour.

    Spaces around a separator are segments of their own (see `columns.lead_split`)."""
    base = styles["readout"]
    looks = {PRICE: base + Style(bold=True), SIDE_ASK: base + Style(color=styles["ask"].color),
             SIDE_BID: base + Style(color=styles["bid"].color),
             WARN: base + Style(color=styles["warn"].color, bold=True)}
    segs = [gap(" ", base)]
    for text, look in parts:
        if text == SEPARATOR:
            segs += [gap(" ", base), Segment("·", base), gap(" ", base)]
        else:
            segs.append(Segment(text, looks.get(look, base)))
    return Strip(segs).adjust_cell_length(width, base)
