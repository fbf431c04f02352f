"""Hidden markets' tape lines made ahead (`TapeView.warm`, `MarketsScreen._warm_hidden`): the
shown tape is left exactly as it was, and a switch to a warmed market draws what a switch
without warming draws, on a model of the terminal as on the widget."""

from __future__ import annotations

import math

import pytest

from dfx_tui.app import markets_screen
from dfx_tui.book.tape import Trade
from tests.support.apps import T0, fixed_app, fixed_feed
from tests.test_direct_lines import SIZE, Terminal


def _picture(app: object) -> list[tuple[tuple[str, object], ...]]:
    tape = app.active_pane().tape  # type: ignore[attr-defined]
    return [tuple((seg.text, seg.style) for seg in strip) for strip in tape._strips]


def _trade(trade_id: int, price: str) -> Trade:
    return Trade.from_wire({"id": trade_id, "time": T0 + trade_id, "price": price,
                            "amount": f"0.{trade_id % 997:03d}", "type": "buy"})


async def _switch_after_trades(warm: bool, monkeypatch: pytest.MonkeyPatch
                               ) -> tuple[list[tuple[tuple[str, object], ...]], int]:
    monkeypatch.setattr(markets_screen, "WARM_EVERY_S", 0.0 if warm else math.inf)
    app = fixed_app(["BTC_USDT", "ETH_USDT"], fps=0.001)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause(0.3)
        app.on_clock()
        eth = fixed_feed(app).markets["ETH_USDT"]
        price = eth.book.bids(1)[0][0]
        tape = app.active_pane().tape
        before = _picture(app)
        shown = (tape.tape, tape.view, tape._layout, tape.scroll_back)
        for step in range(6):  # trades on the hidden market, warmed (or not) between
            eth.tape.apply(False, [_trade(20_000 + step, price)])
            app.on_clock()
        assert _picture(app) == before  # the shown tape is untouched
        assert (tape.tape, tape.view, tape._layout, tape.scroll_back) == shown
        warmed = len(tape._line_cache)
        term = Terminal(app)
        await pilot.press("tab")
        await pilot.pause(0.1)
        assert app.markets_screen.current_market() == "ETH_USDT"
        assert term.differences() == []
        return _picture(app), warmed


async def test_a_warmed_hidden_tape_draws_as_an_unwarmed_one(
        monkeypatch: pytest.MonkeyPatch) -> None:
    warmed_picture, warmed_lines = await _switch_after_trades(True, monkeypatch)
    cold_picture, cold_lines = await _switch_after_trades(False, monkeypatch)
    assert warmed_picture == cold_picture
    assert warmed_lines > cold_lines  # the hidden market's lines were made ahead
