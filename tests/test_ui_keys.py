"""Pilot tests for every key of the market view, on seeded fixed data (no I/O)."""

from __future__ import annotations

import pytest
from textual.command import CommandList
from textual.pilot import Pilot

from dfx_tui.app.tui import DfxApp
from dfx_tui.book.numbers import HUMAN_STEPS
from dfx_tui.widgets.add_market import AddMarketScreen
from dfx_tui.widgets.confirm_quit import ConfirmQuitScreen
from dfx_tui.widgets.help_screen import HelpScreen
from dfx_tui.widgets.market_pane import MarketPane
from tests.support.apps import fixed_app, fixed_feed, fixed_status

MARKETS = ["BTC_USDT", "ETH_USDT", "XRP_USDT"]


def make_app(markets: list[str] = MARKETS, **kw) -> DfxApp:
    return fixed_app(markets, status=fixed_status(msgs_per_s=40.0, latency_ms=3.0), **kw)


def current(app: DfxApp) -> str | None:
    return app.markets_screen.current_market()


async def test_digits_jump_to_tabs():
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        assert current(app) == "BTC_USDT"
        await pilot.press("3")
        assert current(app) == "XRP_USDT"
        await pilot.press("2")
        assert current(app) == "ETH_USDT"
        await pilot.press("9")  # no ninth tab: nothing happens
        assert current(app) == "ETH_USDT"
        await pilot.press("1")
        assert current(app) == "BTC_USDT"


@pytest.mark.parametrize(("forward", "back"), [("tab", "shift+tab"), ("]", "[")])
async def test_next_and_previous_tab(forward: str, back: str):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press(forward)
        assert current(app) == "ETH_USDT"
        await pilot.press(forward, forward)
        assert current(app) == "BTC_USDT"  # wraps around
        await pilot.press(back)
        assert current(app) == "XRP_USDT"


async def test_add_market_with_a_key():
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("a")
        assert isinstance(app.screen, AddMarketScreen)
        await pilot.press(*"sol_usdt", "enter")
        await pilot.pause()
        assert current(app) == "SOL_USDT"
        assert list(app.feed.markets) == [*MARKETS, "SOL_USDT"]
        await pilot.pause(0.15)
        pane = app.active_pane()
        assert pane is not None and pane.ladder.repaints >= 1
        # Adding an open market switches to it instead of opening a second tab.
        await pilot.press("a", *"btc_usdt", "enter")
        await pilot.pause()
        assert current(app) == "BTC_USDT"
        assert len(app.feed.markets) == 4


async def test_add_market_rejects_bad_names_and_escape_cancels():
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("a", *"btcusdt", "enter")
        assert isinstance(app.screen, AddMarketScreen)  # not valid: the dialog stays
        await pilot.press("escape")
        assert not isinstance(app.screen, AddMarketScreen)
        assert list(app.feed.markets) == MARKETS


async def palette_pick(pilot: Pilot, query: str, expect: str) -> str:
    """Type `query` into the command palette, wait for a highlighted hit showing `expect`
    (the palette searches in the background), press enter; returns the hit's help line."""
    await pilot.press("ctrl+p")
    await pilot.pause()
    await pilot.press(*query)
    commands = pilot.app.screen.query_one(CommandList)
    for _ in range(100):
        index = commands.highlighted
        if index is not None and expect in str(commands.get_option_at_index(index).prompt):
            break
        await pilot.pause(0.05)
    assert index is not None, f"no palette hit for {query!r}"
    prompt = str(commands.get_option_at_index(index).prompt)
    assert expect in prompt, prompt
    await pilot.press("enter")
    await pilot.pause()
    return prompt


async def test_command_palette_adds_a_market():
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await palette_pick(pilot, "add market doge_usdt", "DOGE_USDT")
        for _ in range(100):
            if "DOGE_USDT" in app.feed.markets and current(app) == "DOGE_USDT":
                break
            await pilot.pause(0.05)
        assert "DOGE_USDT" in app.feed.markets
        assert current(app) == "DOGE_USDT"


async def test_command_palette_runs_every_screen_key():
    app = make_app(keymap={"cycle-depth": "f3"})
    async with app.run_test(size=(120, 40)) as pilot:
        ladder = app.active_pane().ladder
        prompt = await palette_pick(pilot, "coarser price grouping", "Coarser price grouping")
        assert "key: + / =" in prompt
        assert ladder.group == HUMAN_STEPS[1]
        prompt = await palette_pick(pilot, "ladder depth", "Ladder depth")
        assert "key: f3" in prompt  # the key as rebound
        assert ladder.depth_mode == 5
        await palette_pick(pilot, "next tab", "Next tab")
        assert current(app) == "ETH_USDT"
        await palette_pick(pilot, "pause the display", "Pause the display")
        assert app.markets_screen.paused


async def test_w_closes_the_current_tab_but_not_the_last():
    app = make_app(["BTC_USDT", "ETH_USDT"])
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("2", "w")
        await pilot.pause()
        assert list(app.feed.markets) == ["BTC_USDT"]
        assert fixed_feed(app).removed == ["ETH_USDT"]
        assert current(app) == "BTC_USDT"
        await pilot.press("w")
        await pilot.pause()
        assert list(app.feed.markets) == ["BTC_USDT"]  # the last tab stays
        assert len(app.query(MarketPane)) == 1


async def test_plus_minus_change_price_grouping():
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        ladder = app.active_pane().ladder
        assert ladder.group == 1
        await pilot.press("+")
        assert ladder.group == HUMAN_STEPS[1]
        await pilot.press("+", "+")
        assert ladder.group == HUMAN_STEPS[3]
        asks, bids = ladder.last_rows
        step = 10 ** -2 * HUMAN_STEPS[3]  # BTC_USDT has 2 price decimals
        for row in asks + bids:
            assert abs(float(row.price) / step - round(float(row.price) / step)) < 1e-6
        assert "step 0.1" in strip_text(ladder, 0)
        await pilot.press("-", "-", "-", "-")  # cannot go below the tick
        assert ladder.group == 1


async def test_d_cycles_depth():
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        ladder = app.active_pane().ladder
        auto = ladder.per_side()
        seen = []
        for _ in range(5):
            await pilot.press("d")
            seen.append((ladder.depth_mode, len(ladder.last_rows[0])))
        assert [mode for mode, _ in seen] == [5, 10, 20, 50, 0]
        assert seen[0][1] == 5 and seen[1][1] == 10
        assert seen[3][1] == auto  # 50 does not fit: capped by the height
        assert seen[4][1] == auto


async def test_p_pauses_the_display_not_the_book():
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.15)
        pane = app.active_pane()
        book = pane.market.book
        await pilot.press("p")
        assert app.markets_screen.paused and "PAUSED" in app.markets_screen.status_bar.plain
        before = pane.ladder.repaints
        price, _size = book.asks(1)[0]
        book.apply_update([[price, "9.9999"]], None)
        await pilot.pause(0.35)
        assert pane.ladder.repaints == before  # frozen
        assert book.asks(1)[0] == (price, "9.9999")  # but the book moved
        await pilot.press("p")
        await pilot.pause(0.15)
        assert not app.markets_screen.paused and pane.ladder.repaints > before
        assert pane.ladder.last_rows[0][0].size == "9.9999"


async def test_question_mark_shows_help():
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("?")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)
        await pilot.press("?")
        await pilot.press("?")
        assert not isinstance(app.screen, HelpScreen)


async def test_q_asks_and_any_other_key_cancels():
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("q")
        assert isinstance(app.screen, ConfirmQuitScreen)
        await pilot.press("n")
        assert not isinstance(app.screen, ConfirmQuitScreen)
        assert app.is_running
        app.markets_screen._last_quit = -1e9  # as if the first q was long ago
        await pilot.press("q")
        await pilot.press("escape")
        assert app.is_running and not isinstance(app.screen, ConfirmQuitScreen)


@pytest.mark.parametrize("confirm", ["y", "enter", "q"])
async def test_q_then_confirm_quits(confirm: str):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("q", confirm)
        await pilot.pause()
    assert app.return_code == 0
    assert not app.is_running


def strip_text(widget, y: int) -> str:
    return "".join(seg.text for seg in widget.render_line(y))


async def test_market_keys_do_not_leak_into_dialogs():
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("a", "w", "2", "q")  # typed into the input, not actions
        assert isinstance(app.screen, AddMarketScreen)
        assert list(app.feed.markets) == MARKETS
        assert app.screen.query_one("Input").value == "w2q"
        await pilot.press("escape")
        assert current(app) == "BTC_USDT"
