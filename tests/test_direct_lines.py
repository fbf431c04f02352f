"""app/screen_updates.py `direct_lines`: a paint writes its widgets' changed lines past
Textual's compositor. What reaches the terminal must be exactly what the compositor would
have drawn: a terminal model fed every update the app writes must show, after each paint,
the same cells (characters and styles) as a full render of the screen from scratch."""

from __future__ import annotations

import random
import re
from decimal import Decimal
from typing import Any

from textual._compositor import CompositorUpdate
from textual.geometry import Region

from dfx_tui.app.screen_updates import LinesUpdate
from dfx_tui.book.tape import Trade
from dfx_tui.widgets.strip_view import LineWidget, quiet_refresh
from tests.support.apps import T0, fixed_app, fixed_feed
from tests.support.terminal_model import screen_model

SIZE = (160, 50)




class Terminal:
    """Everything the app writes, applied to a model of the terminal's screen."""

    def __init__(self, app: Any, size: tuple[int, int] = SIZE) -> None:
        self.size = size
        self.app, self.model = app, screen_model().ScreenModel(*size)
        self.kinds: list[str] = []
        full = app.screen._compositor.render_full_update()
        self.model.feed(full.render_segments(app.console).encode())
        real = app._display

        def display(screen: Any, update: Any) -> None:
            if isinstance(update, CompositorUpdate):
                self.kinds.append(type(update).__name__)
                self.model.feed(update.render_segments(app.console).encode())
            real(screen, update)

        app._display = display

    def differences(self) -> list[int]:
        """Lines where the terminal differs from the screen rendered from scratch."""
        ref = screen_model().ScreenModel(*self.size)
        full = self.app.screen._compositor.render_full_update()
        ref.feed(full.render_segments(self.app.console).encode())
        return [y for y in range(self.size[1]) if self.model.cells[y] != ref.cells[y]]


def check_own_sizes(app: Any) -> int:
    """direct_lines takes a widget's region in the compositor's visible map for the size of
    its content (`own_lines`), where Textual's `size` looks the widget up in the screen's map
    and takes off its gutter: the same for the plain boxes it draws. How many it checked."""
    checked = 0
    for widget, (region, _clip) in app.screen._compositor.visible_widgets.items():
        if isinstance(widget, LineWidget) and widget.box()[0]:
            assert region.size == widget.size == widget.outer_size, widget
            checked += 1
    return checked


def nudge(book: Any, rng: random.Random) -> None:
    """One level changed, near the touch or deep, on either side; sometimes removed."""
    side = rng.choice(("asks", "bids"))
    levels = book.asks(20) if side == "asks" else book.bids(20)
    price, size = levels[rng.randrange(len(levels))]
    new = "0" if rng.random() < 0.15 else str(Decimal(size) + Decimal(rng.randint(1, 900))
                                                / 1000)
    book.apply_update([[price, new]] if side == "asks" else None,
                      [[price, new]] if side == "bids" else None)


async def test_direct_lines_draw_what_the_compositor_would() -> None:
    app = fixed_app(["BTC_USDT", "ETH_USDT"], fps=0.001)
    rng = random.Random(11)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause(0.3)
        app.on_clock()
        await pilot.pause(0.1)
        term = Terminal(app)
        market = fixed_feed(app).markets["BTC_USDT"]
        trade_id = 10_000
        for step in range(40):
            for _ in range(rng.randint(1, 6)):
                nudge(market.book, rng)
            if step % 3 == 0:
                trade_id += 1
                price = market.book.bids(1)[0][0]
                market.tape.apply(False, [Trade.from_wire({
                    "id": trade_id, "time": T0 + step, "price": price,
                    "amount": f"0.{rng.randint(1, 999):03d}", "type": rng.choice(("buy", "sell"))})])
            if step == 20:
                await pilot.press("plus")  # a regroup: every ladder row redrawn
            app.on_clock()
            assert term.differences() == [], f"step {step}"
        assert term.kinds.count("LinesUpdate") >= 30, term.kinds  # the direct path was taken
        assert check_own_sizes(app) >= 4


async def test_direct_lines_after_a_resize() -> None:
    """Smaller, then larger: each paint after the new layout writes exactly what a full
    render shows, at the new size (the direct path sizes its lines by the compositor's map)."""
    app = fixed_app(["BTC_USDT"], fps=0.001)
    rng = random.Random(3)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause(0.3)
        app.on_clock()
        for size in ((120, 40), (170, 56)):
            await pilot.resize_terminal(*size)
            await pilot.pause(0.3)
            term = Terminal(app, size)
            book = fixed_feed(app).markets["BTC_USDT"].book
            for step in range(8):
                for _ in range(3):
                    nudge(book, rng)
                app.on_clock()
                assert term.differences() == [], f"{size} step {step}"
            assert "LinesUpdate" in term.kinds
            assert check_own_sizes(app) >= 4


async def test_nothing_is_drawn_directly_under_a_notification() -> None:
    """A toast lies over the ladder's and tape's lines: those go through the compositor,
    which draws the toast over them; the terminal still shows exactly the full render."""
    app = fixed_app(["BTC_USDT"], fps=0.001)
    rng = random.Random(5)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause(0.3)
        app.notify("a toast over the lines", timeout=30)
        await pilot.pause(0.3)
        app.on_clock()
        await pilot.pause(0.1)
        term = Terminal(app)
        book = fixed_feed(app).markets["BTC_USDT"].book
        written: list[str] = []
        real = LinesUpdate.render_segments

        def spy(self: LinesUpdate, console: Any) -> str:
            written.append(self.data)
            return real(self, console)

        LinesUpdate.render_segments = spy  # type: ignore[method-assign]
        try:
            for step in range(20):
                for _ in range(4):
                    nudge(book, rng)
                app.on_clock()
                assert term.differences() == [], f"step {step}"
        finally:
            LinesUpdate.render_segments = real  # type: ignore[method-assign]
        toast = next(w for w in app.screen.walk_children() if type(w).__name__ == "Toast")
        toast_rows = set(toast.region.line_range)
        moves = {(int(row) - 1, int(col) - 1) for data in written
                 for row, col in re.findall(r"\x1b\[(\d+);(\d+)H", data)}
        tape, ladder = app.active_pane().tape, app.active_pane().ladder
        assert tape.region.overlaps(toast.region)
        assert not any(x == tape.region.x for _y, x in moves)  # under the toast: composed
        assert any(x == ladder.region.x for _y, x in moves)  # beside it: still direct
        assert toast_rows & set(ladder.region.line_range)


async def test_a_paint_marks_its_lines_as_textual_would() -> None:
    """strip_view.LineWidget.refresh_lines, inside a paint, marks a plain box's lines itself
    (its content starts at its origin): the regions Textual's own `_set_dirty` marks."""
    app = fixed_app(["BTC_USDT"], fps=0.001)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause(0.3)
        app.on_clock()
        await pilot.pause(0.1)
        pane = app.active_pane()
        for widget in (pane.ladder, pane.tape, pane.header, app.screen.status_bar):
            assert widget.box()[0] and widget.content_offset == (0, 0)
            width = widget.size.width
            for regions in ((), (Region(0, 0, width, 1),),
                            (Region(0, 2, width, 3), Region(0, 9, width, 1))):
                widget._dirty_regions.clear()
                widget._repaint_regions.clear()
                widget._set_dirty(*regions)
                textual = (set(widget._dirty_regions), set(widget._repaint_regions))
                widget._dirty_regions.add(Region(0, 40, width, 1))  # left over: cleared or kept
                widget._repaint_regions.add(Region(0, 40, width, 1))
                if regions:
                    textual = tuple(marks | {Region(0, 40, width, 1)} for marks in textual)
                with quiet_refresh() as marked:
                    widget.refresh_lines(*regions)
                assert marked == [widget] and widget._repaint_required
                assert (widget._dirty_regions, widget._repaint_regions) == textual, regions
            widget.refresh()
        await pilot.pause(0.2)
