"""One market view for every tab: a switch swaps the market it shows (no mount, no layout),
each market keeps its view settings, and the tab line and the one-line widgets redraw only
what changed."""

from __future__ import annotations

from typing import Any

from rich.segment import Segment
from rich.style import Style
from rich.text import Text

from dfx_tui.app.tui import DfxApp
from dfx_tui.book.numbers import HUMAN_STEPS
from dfx_tui.widgets.market_header import header_text
from dfx_tui.widgets.market_pane import MarketPane
from dfx_tui.widgets.market_tabs import MarketTabs, bar_segments, label_spans, scroll_for
from dfx_tui.widgets.status_bar import age_changes_in, age_text
from dfx_tui.widgets.strip_view import StripView, merge_segments, plain_box
from dfx_tui.widgets.tape import RULE
from dfx_tui.widgets.text_line import text_segments
from tests.support.apps import fixed_app, fixed_feed, fixed_status

MARKETS = ["BTC_USDT", "ETH_USDT", "XRP_USDT"]


def make_app(markets: list[str] = MARKETS) -> DfxApp:
    return fixed_app(markets, status=fixed_status(msgs_per_s=40.0, latency_ms=3.0))


def line(widget: Any, y: int) -> str:
    return "".join(seg.text for seg in widget.render_line(y))


async def test_a_switch_swaps_the_market_without_a_mount_or_a_layout():
    app = make_app()
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause(0.5)  # past the start-up layouts, also on a loaded machine
        screen = app.markets_screen
        widgets = list(screen.walk_children())
        layouts: list[object] = []
        real_layout = screen._refresh_layout  # Textual's layout pass of the screen

        def counting_layout(*args: Any, **kwargs: Any) -> None:
            layouts.append(args)
            real_layout(*args, **kwargs)

        screen._refresh_layout = counting_layout  # type: ignore[method-assign]
        pane = app.active_pane()
        feed = fixed_feed(app)
        for key, market in (("2", "ETH_USDT"), ("3", "XRP_USDT"), ("tab", "BTC_USDT"),
                            ("shift+tab", "XRP_USDT"), ("1", "BTC_USDT")):
            await pilot.press(key)
            assert app.active_pane() is pane and pane.market is feed.markets[market]
            assert pane.ladder.book is feed.markets[market].book  # drawn at the key
            best_ask = feed.markets[market].book.asks(1)[0][0]
            assert any(best_ask in line(pane.ladder, y) for y in range(pane.ladder.size.height))
            assert market in pane.header.plain and pane.tape.tape is feed.markets[market].tape
            await pilot.pause()
        assert list(screen.walk_children()) == widgets  # nothing mounted or removed
        assert layouts == []  # and no layout pass
        assert len(app.query(MarketPane)) == 1


async def test_the_tape_draws_its_rule_itself_and_a_switch_back_reuses_its_lines():
    app = make_app()
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause(0.3)
        tape = app.active_pane().tape
        # Wide: the rule beside the ladder is in the strips, so no CSS box sends the tape's
        # lines through Textual's StylesCache (StripView.render_lines' own path).
        assert tape.rule_left and plain_box(tape)
        assert all(line(tape, y).startswith(RULE) for y in range(tape.size.height))
        assert "Price" in line(tape, 0) and tape.tape.newest(1)
        before = [tape.render_line(y) for y in range(1, 6)]
        await pilot.press("2")
        assert [tape.render_line(y) for y in range(1, 6)] != before  # ETH_USDT's trades
        await pilot.press("1")
        # Back on the same trades: the very same strips, nothing built again.
        assert all(a is b for a, b in zip(before, (tape.render_line(y) for y in range(1, 6)),
                                           strict=True))
        await pilot.resize_terminal(100, 50)  # narrow: the tape below the ladder, no rule
        await pilot.pause(0.3)
        assert not tape.rule_left
        assert not any(line(tape, y).startswith(RULE) for y in range(tape.size.height))


async def test_each_market_keeps_its_grouping_and_depth():
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        ladder = app.active_pane().ladder
        await pilot.press("+", "+", "d")
        assert (ladder.group, ladder.depth_mode) == (HUMAN_STEPS[2], 5)
        await pilot.press("2")
        assert (ladder.group, ladder.depth_mode) == (1, 0)  # ETH as it was
        await pilot.press("d", "d")
        await pilot.press("1")
        assert (ladder.group, ladder.depth_mode) == (HUMAN_STEPS[2], 5)
        assert "step" in line(ladder, 0) and ladder.per_side() <= 5
        views = app.markets_screen.views
        assert (views["BTC_USDT"].group_index, views["ETH_USDT"].depth_mode) == (2, 10)


async def test_add_and_close_keep_the_tab_line_and_the_view_right():
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        tabs = app.markets_screen.query_one(MarketTabs)
        await pilot.press("a", *"sol_usdt", "enter")
        await pilot.pause()
        assert tabs.names == [*MARKETS, "SOL_USDT"] and tabs.active == "SOL_USDT"
        assert app.active_pane().market.name == "SOL_USDT"
        assert " SOL_USDT " in line(tabs, 0)
        await pilot.press("2", "w")
        await pilot.pause()
        assert tabs.names == ["BTC_USDT", "XRP_USDT", "SOL_USDT"]
        assert app.active_pane().market.name == "XRP_USDT" == tabs.active
        assert "ETH_USDT" not in line(tabs, 0) and "ETH_USDT" not in app.markets_screen.views


async def test_clicking_a_tab_shows_its_market():
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        tabs = app.markets_screen.query_one(MarketTabs)
        start, _end = label_spans(tabs.names)[2]
        await pilot.click(MarketTabs, offset=(start + 1, 0))
        await pilot.pause()
        assert app.active_pane().market.name == "XRP_USDT" == tabs.active


async def test_a_narrow_tab_line_scrolls_to_the_active_tab():
    names = ["BTC_USDT", "ETH_USDT", "XRP_USDT", "SHIB_USDT", "DOGE_USDT", "SOL_USDT",
             "PEPE_USDT", "EOS_USDT"]
    app = make_app(names)
    async with app.run_test(size=(70, 24)) as pilot:
        tabs = app.markets_screen.query_one(MarketTabs)
        await pilot.press("8")
        await pilot.pause()
        assert " EOS_USDT " in line(tabs, 0) and "BTC_USDT" not in line(tabs, 0)
        await pilot.press("1")
        await pilot.pause()
        assert line(tabs, 0).startswith(" BTC_USDT ")


def test_tab_line_geometry():
    spans = label_spans(["AB", "CDE"])
    assert spans == [(1, 3), (5, 8)]  # " AB  CDE "
    assert scroll_for(spans, 1, 6, 0) == 3  # the second label whole in 6 cells
    assert scroll_for(spans, 0, 6, 3) == 0
    on, off = Style(color="blue"), Style(color="grey50")
    bar = bar_segments(5, 8, 10, on, off)
    assert "".join(s.text for s in bar) == "━━━━╸━━━╺━" and bar[1].style == on
    assert "".join(s.text for s in bar_segments(0, 0, 4, on, off)) == "━━━━"


def test_merge_joins_same_look_segments_but_never_after_leading_spaces():
    base = Style(color="red")
    pad = base + Style(italic=False)  # looks the same as base
    segs = [Segment(" ", pad), Segment("1.5", base), Segment("  ", pad), Segment("2", base),
            Segment("x", Style(color="blue"))]
    assert merge_segments(segs) == [Segment(" ", pad), Segment("1.5  2", base),
                                    Segment("x", Style(color="blue"))]
    assert merge_segments([Segment("  ", pad), Segment("3", base)]) == [
        Segment("  ", pad), Segment("3", base)]  # an SVG would drop the leading spaces


async def test_status_bar_redraws_the_age_by_its_steps_not_its_tenths_but_news_at_once():
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        bar = app.markets_screen.status_bar
        status = fixed_feed(app).status
        t = 2000.0  # after the app's frozen clock
        status.last_message_at = t - 5.0
        assert bar.update_view(status, t) and "5s ago" in bar.plain
        status.last_message_at = t  # news after a silence: at once
        assert bar.update_view(status, t + 0.1) and "0.1s ago" in bar.plain
        assert not bar.update_view(status, t + 0.4)  # only the tenths moved
        assert bar.update_view(status, t + 1.2) and "1s ago" in bar.plain  # a whole second
        status.reconnects = 1
        assert bar.update_view(status, t + 1.3) and "reconnects 1" in bar.plain
        assert bar.update_view(status, t + 3.5) and "3s ago" in bar.plain
        status.last_message_at = t + 3.6  # news after a silence: at once
        assert bar.update_view(status, t + 3.7) and "0.1s ago" in bar.plain
        assert not bar.update_view(status, t + 4.55)  # tenths again, however much later
        status.last_message_at = t
        assert bar.update_view(status, t + 27.0) and "25s ago" in bar.plain  # 5 s steps
        assert not bar.update_view(status, t + 29.9)
        assert bar.update_view(status, t + 30.0) and "30s ago" in bar.plain


def test_the_age_shows_coarser_steps_as_it_grows_and_says_when_it_changes():
    shown = {a: age_text(a) for a in (0.25, 1.0, 5.0, 19.9, 20.0, 24.9, 59.0, 60.0, 119.0,
                                      120.0, 149.0, 151.0)}
    assert shown == {0.25: "0.2s ago", 1.0: "1s ago", 5.0: "5s ago", 19.9: "19s ago",
                     20.0: "20s ago", 24.9: "20s ago", 59.0: "55s ago", 60.0: "60s ago",
                     119.0: "110s ago", 120.0: "2m ago", 149.0: "2m ago", 151.0: "3m ago"}
    assert age_changes_in(None) is None
    for age in (0.0, 0.3, 1.0, 4.5, 19.5, 20.0, 33.0, 58.0, 61.0, 118.0, 120.0, 200.0, 3599.0):
        wait = age_changes_in(age)
        assert wait is not None and wait > 0
        # The text holds until then, and changes right after (the tenths aside).
        before, after = age_text(age + wait - 1e-6), age_text(age + wait + 1e-6)
        assert after != before, (age, wait)
        if age >= 1:
            assert age_text(age) == before, (age, wait)


def test_a_line_is_joined_and_fitted_to_its_width():
    st = Style(color="red")
    line = StripView.line([Segment("ab", st), Segment("cd", st + Style(italic=False))], 6, st)
    assert list(line) == [Segment("abcd", st), Segment("  ", st)] and line.cell_length == 6
    assert "".join(s.text for s in StripView.line([Segment("abcdefgh", st)], 5, st)) == "abcde"


async def test_one_line_text_is_cut_and_styled_as_rich_would():
    """TextLine's own path (text_segments) against Rich's truncate and render, on the real
    header (live, and with a state badge) at every width from 1 to past its length."""
    app = make_app()
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause(0.3)
        header = app.active_pane().header
        base = header.rich_style
        live = header_text(header.market, None, header.component_styles(), spark="▁▂▃▅▇")
        stale = header_text(header.market, "STALE", header.component_styles())
        for text in (live, stale, Text("plain, no spans"), Text("")):
            for width in range(1, len(text.plain) + 3):
                ours = text_segments(text, width, base)
                assert ours is not None
                cut = text.copy()
                cut.truncate(width, overflow="ellipsis")
                theirs = [Segment(seg.text, base + seg.style if seg.style else base)
                          for seg in cut.render(app.console) if seg.text]
                assert ours == theirs, (text.plain, width)
        assert text_segments(Text("wide 漢字"), 10, base) is None  # Rich's path for these
        named = Text("named")
        named.stylize("bold", 0, 2)
        assert text_segments(named, 10, base) is None
