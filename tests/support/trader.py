"""Reading the trader's ladder and tape as drawn: the text of their lines, the cursor row,
the readout, a column's text under its header label."""

from __future__ import annotations

from rich.color import Color as RichColor
from textual.pilot import Pilot

from dfx_tui.app.tui import DfxApp
from dfx_tui.widgets.ladder import LadderView
from dfx_tui.widgets.market_pane import MarketPane
from dfx_tui.widgets.tape import RULE, TapeView


def pane_of(app: DfxApp) -> MarketPane:
    pane = app.active_pane()
    assert pane is not None
    return pane


async def settle(pilot: Pilot[int]) -> None:
    app = pilot.app
    assert isinstance(app, DfxApp)
    app.on_clock()
    await pilot.pause()


def lines(widget: LadderView | TapeView) -> list[str]:
    """The widget's lines as text; a tape's rule down its left edge (a border, drawn in its
    strips) left out."""
    texts = [widget.render_line(y).text for y in range(widget.size.height)]
    if isinstance(widget, TapeView) and widget.rule_left:
        texts = [text.removeprefix(RULE) for text in texts]
    return texts


def first_word(line: str) -> str:
    words = line.split()
    return words[0] if words else ""


def row_of(ladder: LadderView, price: str) -> int:
    """The line whose row shows `price` first."""
    found = [y for y, line in enumerate(lines(ladder)) if first_word(line) == price]
    assert len(found) == 1, (price, found)
    return found[0]


def cursor_colour(ladder: LadderView) -> RichColor:
    colour = ladder.get_component_rich_style("ladder--cursor").bgcolor
    assert colour is not None
    return colour


def cursor_rows(ladder: LadderView) -> list[int]:
    """Lines drawn on the cursor's background (its price cell tells them apart)."""
    colour = cursor_colour(ladder)
    out = []
    for y in range(ladder.size.height):
        segs = [s for s in ladder.render_line(y) if s.text.strip()]
        if segs and segs[0].style is not None and segs[0].style.bgcolor == colour:
            out.append(y)
    return out


def cursor_price(ladder: LadderView) -> str | None:
    rows = cursor_rows(ladder)
    assert len(rows) <= 1
    return first_word(lines(ladder)[rows[0]]) if rows else None


def readout(ladder: LadderView) -> str:
    """The readout under the ladder (its lines joined), "" without a cursor."""
    text = lines(ladder)
    starts = [y for y, line in enumerate(text) if line.lstrip().startswith("▸")]
    return " ".join(line.strip() for line in text[starts[0]:]) if starts else ""


def column(widget: LadderView | TapeView, start: str, end: str) -> list[str]:
    """Every line's text under the header from the start of label `start` to the end of
    label `end` (widened to the left by the column's right-aligned figures); "" on the
    lines that are not rows (blank, spread, readout)."""
    header = lines(widget)[0]
    left = header.index(start)
    right = header.index(end, left) + len(end)
    previous = header.rstrip()[:left].rstrip()
    left = len(previous) + 1  # figures are right-aligned: from just after the label before
    return [line[left:right] if first_word(line)[:1].isdigit() else ""
            for line in lines(widget)[1:]]
