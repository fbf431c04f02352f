"""Pilot tests for the keys and the mouse of issue 13: charts in the ladder's place, their
ranges, the alerts screen, export and screenshot, clicking a tab, the wheel on tape and ladder."""

from __future__ import annotations

import json
from pathlib import Path

from textual import events

from dfx_tui.app.tui import DfxApp
from dfx_tui.book.depth_chart import BPS_STEPS
from dfx_tui.widgets.alerts_screen import AddAlertScreen, AlertsScreen
from dfx_tui.widgets.market_pane import MarketPane
from tests.support.apps import fixed_app
from tests.test_ui_keys import palette_pick

SIZE = (160, 50)


def pane_of(app: DfxApp) -> MarketPane:
    pane = app.active_pane()
    assert pane is not None
    return pane


def text_of(widget) -> list[str]:
    return ["".join(s.text for s in widget.render_line(y)) for y in range(widget.size.height)]


async def test_h_and_g_show_a_chart_in_the_ladders_place_and_back():
    app = fixed_app()
    async with app.run_test(size=SIZE) as pilot:
        app.on_clock()
        await pilot.pause()
        pane = pane_of(app)
        ladder_repaints = pane.ladder.repaints
        await pilot.press("h")
        assert pane.view.body == "heatmap"
        assert pane.heatmap.display and not pane.ladder.display and not pane.depth_chart.display
        assert pane.heatmap.repaints >= 1  # drawn at once, not at the next tick
        await pilot.press("g")  # straight from one chart to the other
        assert pane.view.body == "depth"
        assert pane.depth_chart.display and not pane.heatmap.display
        assert text_of(pane.depth_chart)[0].startswith(" depth ±10 bps")
        book = app.feed.markets["BTC_USDT"].book
        book.apply_update([[book.asks(1)[0][0], "9.8765"]], None)
        app.on_clock()
        await pilot.pause()
        assert pane.ladder.repaints == ladder_repaints  # hidden: not rebuilt, book or not
        await pilot.press("g")  # again: the ladder
        assert pane.view.body == "ladder" and pane.ladder.display
        await pilot.pause()
        assert any("9.8765" in line for line in text_of(pane.ladder))  # the book as it is


async def test_charts_are_per_market():
    app = fixed_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("h")
        await pilot.press("2")
        assert pane_of(app).view.body == "ladder"
        await pilot.press("g")
        await pilot.press("1")
        assert pane_of(app).view.body == "heatmap"
        await pilot.press("2")
        assert pane_of(app).view.body == "depth"


async def test_one_view_swapped_between_markets_shows_each_markets_chart():
    # Issue 11 swaps one view's market on a tab switch: the charts follow with the settings.
    from dfx_tui.widgets.view_state import MarketViewState

    app = fixed_app()
    async with app.run_test(size=SIZE) as pilot:
        pane = pane_of(app)
        await pilot.press("h")
        btc_view = pane.view
        eth = app.feed.markets["ETH_USDT"]
        eth_view = MarketViewState(body="depth", depth_bps=25)
        pane.show_charts_for(eth, eth_view)
        await pilot.pause()
        app.on_clock()  # the view is painted at the next tick, as after a tab switch
        assert pane.depth_chart.display and not pane.heatmap.display
        assert pane.depth_chart.book is eth.book and pane.heatmap.market is eth
        assert text_of(pane.depth_chart)[0].startswith(" depth ±25 bps")
        pane.show_charts_for(app.feed.markets["BTC_USDT"], btc_view)
        assert pane.view.body == "heatmap" and pane.heatmap.display


async def test_range_keys_step_the_depth_chart_bps():
    app = fixed_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("g")
        pane = pane_of(app)
        assert pane.view.depth_bps == 10
        await pilot.press("Z")
        assert pane.view.depth_bps == 25
        assert text_of(pane.depth_chart)[0].startswith(" depth ±25 bps")
        await pilot.press("Z", "Z")
        assert pane.view.depth_bps == 100
        await pilot.press("z", "z", "z", "z", "z")
        assert pane.view.depth_bps == BPS_STEPS[0]  # clamped at the narrowest
        series = pane.depth_chart.series
        assert series is not None and series.bps == BPS_STEPS[0]


async def test_range_and_group_keys_on_the_heatmap():
    app = fixed_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("h")
        pane = pane_of(app)
        heatmap = pane.heatmap
        assert pane.view.heatmap_seconds == 5
        await pilot.press("Z")
        assert pane.view.heatmap_seconds == 10
        await pilot.press("z", "z")
        assert pane.view.heatmap_seconds == 2
        assert text_of(heatmap)[0].startswith(" heatmap · 2s a column")
        fitted = heatmap.group_index
        assert "(fit)" in text_of(heatmap)[0]
        ladder_group = pane.ladder.group_index
        await pilot.press("+")  # coarser rows: the heatmap's, not the hidden ladder's
        assert heatmap.group_index == fitted + 1 and pane.view.heatmap_group == fitted + 2
        assert pane.ladder.group_index == ladder_group
        assert "(fit)" not in text_of(heatmap)[0]
        await pilot.press("-", "-")
        assert heatmap.group_index == max(0, fitted - 1)


async def test_range_keys_do_nothing_on_the_ladder():
    app = fixed_app()
    async with app.run_test(size=SIZE) as pilot:
        pane = pane_of(app)
        await pilot.press("Z", "z")
        assert (pane.view.depth_bps, pane.view.heatmap_seconds) == (10, 5)


async def test_alerts_screen_adds_lists_and_removes():
    app = fixed_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("!")
        screen = app.screen
        assert isinstance(screen, AlertsScreen)
        assert not screen.options.display  # nothing yet: the hint shows instead
        await pilot.press("a")
        assert isinstance(app.screen, AddAlertScreen)
        await pilot.press(*"price above", "enter")  # no level: the dialog stays
        assert isinstance(app.screen, AddAlertScreen)
        await pilot.press(" ", *"70000", "enter")
        await pilot.pause()
        assert app.screen is screen
        await pilot.press("a", *"eth_usdt trade 2.5", "enter")
        await pilot.pause()
        rows = app.alert_watcher.rows()
        assert [r.text for r in rows] == [
            "BTC_USDT mid price above 70000 (re-arms 5 bps back)",
            "ETH_USDT trade of 2.5 or more"]
        assert screen.options.option_count == 2 and screen.options.display
        await pilot.press("x")  # removes the highlighted, the first
        assert [r.text for r in app.alert_watcher.rows()] == ["ETH_USDT trade of 2.5 or more"]
        assert screen.options.option_count == 1
        await pilot.press("delete")
        assert app.alert_watcher.rows() == []
        await pilot.press("escape")
        assert not isinstance(app.screen, AlertsScreen)


async def test_the_palette_adds_an_alert_from_typed_text():
    app = fixed_app()
    async with app.run_test(size=SIZE) as pilot:
        await palette_pick(pilot, "alert spread > 12", "Add alert: BTC_USDT spread wider than 12")
        assert [r.text for r in app.alert_watcher.rows()] == [
            "BTC_USDT spread wider than 12 bps (re-arms 1 bps back)"]
        prompt = await palette_pick(pilot, "alert price sideways 3", "Alert: price above or")
        assert isinstance(app.screen, AlertsScreen)  # a wrong alert opens the screen
        assert "above" in prompt


async def test_e_exports_the_book_and_tape_and_says_where(tmp_path: Path):
    app = fixed_app(export_dir=str(tmp_path / "out"))
    notes: list[str] = []
    real_notify = app.notify
    app.notify = lambda message, *a, **k: (notes.append(str(message)),  # type: ignore
                                           real_notify(message, *a, **k))[1]
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2", "e")
        await pilot.pause()
        made = sorted(p.name for p in (tmp_path / "out").iterdir())
        assert len(made) == 3 and all(n.startswith("ETH_USDT-") for n in made)
        assert {n.split("-", 3)[-1] for n in made} >= {"book.csv", "trades.csv"}
        json_path = next((tmp_path / "out").glob("*.json"))
        assert str(json_path) in notes[-1]
        doc = json.loads(json_path.read_text())
        market = app.feed.markets["ETH_USDT"]
        assert doc["markets"]["ETH_USDT"]["bids"] == [list(level) for level in market.book.bids()]
        await pilot.press("e")  # a second export in the same second does not overwrite
        await pilot.pause()
        assert len(list((tmp_path / "out").iterdir())) == 6


async def test_shift_s_saves_an_svg_screenshot(tmp_path: Path):
    app = fixed_app(export_dir=str(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        app.on_clock()
        await pilot.press("h", "S")
        await pilot.pause()
        shots = list(tmp_path.glob("dfx-tui-BTC_USDT-*.svg"))
        assert len(shots) == 1
        svg = shots[0].read_text()
        assert svg.startswith("<svg") and "heatmap" in svg


async def test_export_into_an_unwritable_folder_is_an_error_notice(tmp_path: Path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    app = fixed_app(export_dir=str(blocker / "sub"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("e")
        await pilot.pause()
        assert any("export failed" in str(n.message) for n in app._notifications)


# ------------------------------------------------------------------ mouse
async def test_clicking_a_tab_switches_to_it():
    app = fixed_app()
    async with app.run_test(size=SIZE) as pilot:
        tabs = app.markets_screen.tabs
        x = next(x for x in range(tabs.size.width) if tabs.market_at(x) == "ETH_USDT")
        await pilot.click(tabs, offset=(x, 0))
        await pilot.pause()
        assert app.markets_screen.current_market() == "ETH_USDT"


async def wheel(pilot, widget, down: bool, times: int = 1) -> None:
    cls = events.MouseScrollDown if down else events.MouseScrollUp
    for _ in range(times):
        await pilot._post_mouse_events([cls], widget, offset=(2, 3))


async def test_the_wheel_scrolls_the_tape_and_keeps_its_place():
    app = fixed_app()
    async with app.run_test(size=SIZE) as pilot:
        app.on_clock()
        await pilot.pause()
        pane = pane_of(app)
        tape = pane.tape
        top = text_of(tape)[1]
        await wheel(pilot, tape, down=True, times=2)
        assert tape.scroll_back == 6
        lines = text_of(tape)
        assert "6 newer above" in lines[0] and lines[1] != top
        trades = app.feed.markets["BTC_USDT"].tape.newest()
        assert trades[6].price in lines[1]
        # A new trade arrives: the view stays on the same trades.
        from dfx_tui.book.tape import Trade

        newest = trades[0]
        app.feed.markets["BTC_USDT"].tape.apply(False, [Trade.from_wire({
            "id": newest.id + 1, "time": newest.time + 1, "price": newest.price,
            "amount": "1.0", "type": "buy"})])
        app.on_clock()
        await pilot.pause()
        assert tape.scroll_back == 7 and text_of(tape)[1] == lines[1]
        await wheel(pilot, tape, down=False, times=5)
        assert tape.scroll_back == 0 and "newer above" not in text_of(tape)[0]


async def test_the_wheel_over_the_ladder_runs_the_screens_cursor_bindings():
    # The wheel runs whatever the screen binds to the ids cursor-down / cursor-up (found by id,
    # so it follows a keymap): the same cursor as the keys give.
    async def cursor_after(steps) -> object:
        app = fixed_app(keymap={"cursor-down": "n"})  # wherever a keymap puts the keys
        async with app.run_test(size=SIZE) as pilot:
            ladder = pane_of(app).ladder
            for down in steps:
                await wheel(pilot, ladder, down=down)
            price = pane_of(app).view.cursor.price
            await wheel(pilot, pane_of(app).tape, down=True)  # not over the ladder
            assert pane_of(app).view.cursor.price == price
            return price

    app = fixed_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("down", "down", "up")
        by_keys = pane_of(app).view.cursor.price
    assert by_keys is not None
    assert await cursor_after([True, True, False]) == by_keys
    assert await cursor_after([]) is None
