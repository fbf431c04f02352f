"""Pilot tests of the trader's tape keys (issue 12): notional, merged prints, the size filter
and the large-trade tiers, by key and by the command palette; asserting on what is drawn."""

from __future__ import annotations

from decimal import Decimal

from rich.color import Color as RichColor
from textual.command import CommandPalette

from dfx_tui.book.tape import BUY, Trade
from dfx_tui.widgets.columns import compact
from dfx_tui.widgets.tape import RULE, TapeView
from dfx_tui.widgets.tape_controls import step_125
from dfx_tui.widgets.trader_settings import MarketSizes, TraderSettings
from tests.support.apps import fixed_app
from tests.support.trader import lines, pane_of, settle

WIDE = (160, 50)


def rows(tape: TapeView) -> list[list[str]]:
    """Each trade line as words: time, price, size, value, mark (and "×N" when merged)."""
    return [line.split() for line in lines(tape)[1:] if line.strip()]


def background(tape: TapeView, y: int) -> RichColor | None:
    seg = next(s for s in tape.render_line(y) if s.text.strip() and s.text != RULE)  # not the rule
    return seg.style.bgcolor if seg.style is not None else None


def tier_colour(tape: TapeView, name: str) -> RichColor | None:
    return tape.get_component_rich_style(f"tape--{name}").bgcolor


def sweep(tape_time: float, first_id: int) -> list[Trade]:
    """One taker buy through three levels: three prints, one time, one side (newest first)."""
    prints = [("65010.00", "0.3000"), ("65009.50", "0.2000"), ("65009.00", "0.1000")]
    return [Trade(first_id + i, tape_time, p, a, BUY, float(p), float(a))
            for i, (p, a) in enumerate(reversed(prints))][::-1]


async def test_tape_shows_the_notional_of_each_print():
    app = fixed_app()
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        tape, market = pane_of(app).tape, pane_of(app).market
        assert "Value" in lines(tape)[0]
        for words, trade in zip(rows(tape), market.tape.newest(10), strict=False):
            assert words[1:4] == [trade.price, trade.amount,
                                  compact(float(Decimal(trade.price) * Decimal(trade.amount)))]


async def test_merge_trades_shows_one_line_per_sweep_and_back():
    app = fixed_app()
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        tape, market = pane_of(app).tape, pane_of(app).market
        newest = market.tape.last()
        assert newest is not None
        market.tape.apply(False, sweep(newest.time + 1, newest.id + 1))
        await settle(pilot)
        assert [r[1] for r in rows(tape)[:3]] == ["65010.00", "65009.50", "65009.00"]
        await pilot.press("m")
        assert "merged" in lines(tape)[0]
        top = rows(tape)[0]
        # VWAP (65010*0.3 + 65009.5*0.2 + 65009*0.1) / 0.6, total size, count.
        assert top[1] == "65009.6667" and top[2] == "0.6000" and top[-1] == "×3"
        assert top[3] == compact(65010 * 0.3 + 65009.5 * 0.2 + 65009 * 0.1) == "39.0k"
        assert rows(tape)[1][1] == newest.price  # the next line is the next print
        await pilot.press("m")
        assert "merged" not in lines(tape)[0]
        assert [r[1] for r in rows(tape)[:3]] == ["65010.00", "65009.50", "65009.00"]


async def test_size_filter_up_and_down_by_key():
    app = fixed_app()
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        tape, market = pane_of(app).tape, pane_of(app).market
        everything = len(rows(tape))
        await pilot.press("f")  # from off: the 1-2-5 size at or under the median print
        floor = pane_of(app).view.min_trade
        assert floor is not None and f"≥{floor}" in lines(tape)[0]
        assert all(Decimal(r[2]) >= floor for r in rows(tape))
        assert any(Decimal(t.amount) < floor for t in market.tape)
        await pilot.press("f")
        assert pane_of(app).view.min_trade == step_125(floor, up=True)
        assert all(Decimal(r[2]) >= step_125(floor, up=True) for r in rows(tape))
        await pilot.press("F", "F")
        lower = step_125(floor, up=False)
        smallest = min(Decimal(t.amount) for t in market.tape)
        assert pane_of(app).view.min_trade == (lower if lower > smallest else None)
        for _ in range(6):
            await pilot.press("F")
        assert pane_of(app).view.min_trade is None  # off once it would hide nothing
        assert "≥" not in lines(tape)[0] and len(rows(tape)) == everything


async def test_large_trade_tiers_have_their_own_styles_and_move_by_key():
    tiers = (Decimal("0.1"), Decimal("0.3"), Decimal("0.6"))
    app = fixed_app(trader=TraderSettings(sizes=MarketSizes(big_trade=tiers)))
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        tape = pane_of(app).tape
        assert "big 0.1/0.3/0.6" in lines(tape)[0]
        seen = set()
        for y, words in enumerate(rows(tape), start=1):
            size, side = Decimal(words[2]), pane_of(app).market.tape.newest(60)[y - 1].side
            tier = sum(size >= t for t in tiers)
            name = {0: None, 1: "big-{}", 2: "big-{}-2", 3: "big-{}-3"}[tier]
            expected = None if name is None else tier_colour(
                tape, name.format("buy" if side == BUY else "sell"))
            if expected is not None:
                assert background(tape, y) == expected, (words, tier)
                seen.add(tier)
        assert seen == {1, 2, 3}
        await pilot.press("b")  # the first tier one 1-2-5 step up, the others in proportion
        assert pane_of(app).view.big_trade == (Decimal("0.2"), Decimal("0.6"), Decimal("1.2"))
        assert "big 0.2/0.6/1.2" in lines(tape)[0]
        await pilot.press("B", "B")
        assert pane_of(app).view.big_trade == (Decimal("0.05"), Decimal("0.15"), Decimal("0.3"))


async def test_automatic_tiers_follow_the_median_and_a_key_fixes_them():
    app = fixed_app()
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        pane = pane_of(app)
        assert pane.view.big_trade is None and "big " in lines(pane.tape)[0]
        auto = pane.tape.tiers()
        assert len(auto) == 3 and auto[1] == auto[0] * 4
        await pilot.press("b")
        fixed = pane.view.big_trade
        assert fixed is not None and fixed[0] == step_125(auto[0], up=True)


async def test_tape_keys_from_the_command_palette():
    app = fixed_app()
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*"merge prints")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        assert pane_of(app).view.merge_trades and "merged" in lines(pane_of(app).tape)[0]
        await pilot.press("ctrl+p", *"hide more small")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        assert pane_of(app).view.min_trade is not None
