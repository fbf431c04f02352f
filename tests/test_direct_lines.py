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

from dfx_tui.app.screen_updates import LinesUpdate
from dfx_tui.book.tape import Trade
from tests.support.apps import T0, fixed_app, fixed_feed
from tests.support.terminal_model import screen_model

SIZE = (160, 50)




class Terminal:
    """Everything the app writes, applied to a model of the terminal's screen."""

    def __init__(self, app: Any) -> None:
        self.app, self.model = app, screen_model().ScreenModel(*SIZE)
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
        ref = screen_model().ScreenModel(*SIZE)
        full = self.app.screen._compositor.render_full_update()
        ref.feed(full.render_segments(self.app.console).encode())
        return [y for y in range(SIZE[1]) if self.model.cells[y] != ref.cells[y]]


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
