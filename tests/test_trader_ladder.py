"""Pilot tests of the trader's ladder keys (issue 12), asserting on what the ladder draws."""

from __future__ import annotations

from decimal import Decimal

from dfx_tui.book.cursor import read_level
from dfx_tui.book.depth_signals import micro_price
from dfx_tui.book.numbers import fmt_fixed
from dfx_tui.widgets.ladder import LadderView
from dfx_tui.widgets.ladder_columns import figure
from dfx_tui.widgets.trader_settings import TraderSettings
from tests.support.apps import WALL_T0, fixed_app
from tests.support.trader import (
    column,
    cursor_price,
    cursor_rows,
    first_word,
    lines,
    pane_of,
    readout,
    row_of,
    settle,
)

WIDE = (160, 50)


def body_prices(ladder: LadderView) -> list[str]:
    """The price of every row drawn, top to bottom (blank and spread lines left out)."""
    out = []
    for line in lines(ladder)[1:]:
        word = first_word(line)
        if word[:1].isdigit():
            out.append(word)
    return out


async def test_cursor_moves_level_by_level_across_the_spread_with_a_readout():
    app = fixed_app()
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        ladder, book = pane_of(app).ladder, pane_of(app).market.book
        assert readout(ladder) == "" and cursor_rows(ladder) == []
        asks, bids = book.asks(2), book.bids(3)
        await pilot.press("up")  # the first press lands on the best ask
        assert cursor_price(ladder) == asks[0][0]
        text = readout(ladder)
        assert f"▸ {asks[0][0]}" in text and " ask " in text and f"size {asks[0][1]}" in text
        assert "(1 lv)" in text
        await pilot.press("k")  # the same key, vi style
        assert cursor_price(ladder) == asks[1][0]
        await pilot.press("down", "down")  # back to the best ask, then across the spread
        assert cursor_price(ladder) == bids[0][0]
        assert " bid " in readout(ladder)
        await pilot.press("j", "down")
        assert cursor_price(ladder) == bids[2][0]
        exact = read_level(book, Decimal(bids[2][0]))
        text = readout(ladder)
        cum = sum(Decimal(a) for _p, a in bids)
        assert f"cum {fmt_fixed(cum, book.size_decimals)} (3 lv)" in text
        assert f"notional {exact.cum_notional:,.2f}" in text
        assert f"VWAP {exact.vwap}" in text
        assert f"{exact.mid_bps} bps" in text and f"{exact.mid_ticks.normalize():f} ticks" in text
        assert len(cursor_rows(ladder)) == 1  # one highlighted row


async def test_cursor_clear_with_escape_and_x():
    app = fixed_app()
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        ladder = pane_of(app).ladder
        for key in ("escape", "x"):
            await pilot.press("down")
            assert cursor_rows(ladder) and readout(ladder)
            await pilot.press(key)
            assert cursor_rows(ladder) == [] and readout(ladder) == ""


async def test_a_click_on_a_row_places_the_cursor_and_a_second_click_clears_it():
    app = fixed_app()
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        ladder, book = pane_of(app).ladder, pane_of(app).market.book
        price = book.bids(4)[3][0]
        y = row_of(ladder, price)
        await pilot.click(LadderView, offset=(3, y))
        await pilot.pause()
        assert cursor_price(ladder) == price and f"▸ {price}" in readout(ladder)
        await pilot.click(LadderView, offset=(3, y))
        await pilot.pause()
        assert cursor_price(ladder) is None and readout(ladder) == ""
        await pilot.click(LadderView, offset=(3, 0))  # the header: nothing happens
        await pilot.pause()
        assert cursor_price(ladder) is None


async def test_the_cursor_keeps_its_price_and_says_when_the_level_left_the_book():
    app = fixed_app()
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        ladder, book = pane_of(app).ladder, pane_of(app).market.book
        await pilot.press("up", "up")
        second = book.asks(2)[1][0]
        assert cursor_price(ladder) == second and "(2 lv)" in readout(ladder)
        better = fmt_fixed(Decimal(book.asks(1)[0][0]) - Decimal("0.01"), 2)
        book.apply_update([[better, "1.0000"]], None)  # a new best ask under the cursor's
        await settle(pilot)
        assert cursor_price(ladder) == second and "(3 lv)" in readout(ladder)
        book.apply_update([[second, "0"]], None)  # the cursor's level is gone
        await settle(pilot)
        text = readout(ladder)
        assert f"▸ {second}" in text and "left the book" in text
        assert cursor_price(ladder) is None  # no row at that price any more
        book.apply_update([[second, "0.5000"]], None)  # back again
        await settle(pilot)
        assert cursor_price(ladder) == second and "left the book" not in readout(ladder)


async def test_ladder_mode_shows_every_price_and_toggles_back():
    app = fixed_app()
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("2")  # ETH: its spread fits the screen in ticks
        await settle(pilot)
        ladder = pane_of(app).ladder
        compact = body_prices(ladder)
        assert "depth auto" in lines(ladder)[0]
        await pilot.press("l")
        assert "price ladder" in lines(ladder)[0]
        prices = [Decimal(p) for p in body_prices(ladder)]
        assert len(prices) == ladder.size.height - 1  # a row on every line
        assert all(a - b == Decimal("0.01") for a, b in zip(prices, prices[1:], strict=False))
        empty = [line for line in lines(ladder)[1:] if len(line.split()) == 1]
        assert empty  # prices without resting size are drawn too
        book = pane_of(app).market.book
        assert Decimal(book.best_ask()[0]) in prices and Decimal(book.best_bid()[0]) in prices
        await pilot.press("l")
        assert body_prices(ladder) == compact


async def test_price_ladder_stands_still_inside_the_band_and_recentres_on_request():
    # A band of 0.8: the touches (23 ticks apart) sit inside it from the start.
    app = fixed_app(trader=TraderSettings(recentre_band=0.8))
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("2", "l")
        await settle(pilot)
        ladder, book = pane_of(app).ladder, pane_of(app).market.book
        top = body_prices(ladder)[0]
        bid = Decimal(book.best_bid()[0])
        # A new best bid three ticks up: the touch stays inside the middle band.
        book.apply_update(None, [[fmt_fixed(bid + Decimal("0.03"), 2), "1.0000"]])
        await settle(pilot)
        assert body_prices(ladder)[0] == top  # prices stand still, sizes move
        await pilot.press("c")
        centred = body_prices(ladder)
        assert centred[0] != top  # recentred at once on the new touch
        # The whole book moves a dollar up: far outside the band, so it recentres itself.
        asks = [[fmt_fixed(Decimal(p) + 1, 2), a] for p, a in book.asks()]
        bids = [[fmt_fixed(Decimal(p) + 1, 2), a] for p, a in book.bids()]
        book.apply_snapshot(asks, bids)
        await settle(pilot)
        moved = body_prices(ladder)
        assert Decimal(moved[0]) - Decimal(centred[0]) > Decimal("0.5")
        assert book.best_ask()[0] in moved and book.best_bid()[0] in moved


async def test_clear_volume_empties_the_volume_at_price_columns():
    app = fixed_app()
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        ladder = pane_of(app).ladder
        assert "Buy" in lines(ladder)[0] and "Sell" in lines(ladder)[0]
        volume = column(ladder, "Buy", "5m")
        assert sum(1 for cell in volume if cell.strip()) >= 3  # seeded trades at those prices
        assert any("█" in cell for cell in volume)  # and their little bars
        await pilot.press("v")
        assert not any(cell.strip() for cell in column(ladder, "Buy", "5m"))
        assert len(pane_of(app).market.analytics.volume) == 0


async def test_pulled_and_stacked_size_over_the_window():
    now = [WALL_T0]
    app = fixed_app()
    app.wall_clock = lambda: now[0]
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("2")  # ETH: its spread fits the price ladder in ticks
        await settle(pilot)  # the first sample
        ladder, book = pane_of(app).ladder, pane_of(app).market.book
        assert "Δ10s" in lines(ladder)[0]
        assert not any(cell.strip() for cell in column(ladder, "Δ10s", "Δ10s"))
        (ask, ask_size), (bid, bid_size) = book.asks(1)[0], book.bids(2)[1]
        book.apply_update([[ask, fmt_fixed(Decimal(ask_size) + Decimal("2.5"), 4)]],
                          [[bid, "0"]])
        now[0] = WALL_T0 + 11  # past the window: the first sample is the base
        await settle(pilot)
        deltas = column(ladder, "Δ10s", "Δ10s")
        assert deltas[row_of(ladder, ask) - 1].strip() == "+2.50"
        assert sum(1 for cell in deltas if cell.strip()) == 1  # the pulled bid has no row...
        spread = next(line for line in lines(ladder) if "spread" in line)
        pulled = figure(-Decimal(bid_size), signed=True)  # short: "-1.67"
        assert f"Δ10s asks +2.50 bids {pulled}" in spread  # ...but the net says it
        await pilot.press("l")  # the price ladder has a row for every price: it shows there
        deltas = column(ladder, "Δ10s", "Δ10s")
        assert deltas[row_of(ladder, ask) - 1].strip() == "+2.50"
        assert deltas[row_of(ladder, bid) - 1].strip() == pulled
        assert len(lines(ladder)[row_of(ladder, bid)].split()) == 2  # no size, just Δ


async def test_large_resting_levels_are_marked():
    app = fixed_app()
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        ladder, pane = pane_of(app).ladder, pane_of(app)
        marked = [first_word(line) for line in lines(ladder) if "◆" in line]
        sizes = [Decimal(a) for _p, a in pane.market.book.asks(22) + pane.market.book.bids(22)]
        assert marked  # 5 x the median of what is shown, by default
        pane.view.large_order, pane.view.large_factor = Decimal("0.5"), None
        await settle(pilot)
        marked = [first_word(line) for line in lines(ladder) if "◆" in line]
        shown = {p: Decimal(a) for p, a in pane.market.book.asks(40) + pane.market.book.bids(40)}
        assert marked and all(shown[p] >= Decimal("0.5") for p in marked)
        assert sum(1 for s in sizes if s >= Decimal("0.5")) >= len(marked) > 0


async def test_short_prices_key_and_automatic_on_a_narrow_ladder():
    app = fixed_app()
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        ladder, book = pane_of(app).ladder, pane_of(app).market.book
        full = body_prices(ladder)
        await pilot.press("s")
        label = lines(ladder)[0].split()[0]
        assert label.endswith("x") and label != "Price"
        prefix = label.rstrip("x")
        short = body_prices(ladder)
        assert [prefix + s for s in short] == full  # the rest of each price is in the header
        assert all(len(s) < len(f) for s, f in zip(short, full, strict=True))
        await pilot.press("s")
        assert body_prices(ladder) == full
        assert book.best_bid()[0] in full
    narrow = fixed_app()
    async with narrow.run_test(size=(110, 30)) as pilot:  # side by side: a 66-column ladder
        await settle(pilot)
        ladder = pane_of(narrow).ladder
        assert ladder.size.width < 70 and lines(ladder)[0].split()[0].endswith("x")


async def test_imbalance_bar_and_micro_price_in_the_header():
    app = fixed_app()
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        pane = pane_of(app)
        text = pane.header.plain
        micro = micro_price(pane.market.book)
        assert micro is not None and "imb " in text and f"µ {micro.normalize():f}" in text
        bar = text.split("imb ", 1)[1].split()[0]
        assert len(bar) == 10 and set(bar) <= set("█▏▎▍▌▋▊▉")


async def test_each_market_keeps_its_own_cursor_and_mode():
    app = fixed_app()
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("down", "l")
        btc = pane_of(app).ladder
        price = btc.view.cursor.price
        assert price is not None and btc.view.price_mode
        await pilot.press("2")
        await settle(pilot)
        eth = pane_of(app).ladder
        assert eth.view.cursor.price is None and not eth.view.price_mode
        assert "depth auto" in lines(eth)[0]
        await pilot.press("1")
        await settle(pilot)
        assert pane_of(app).ladder.view.cursor.price == price
        assert "spread > screen" in lines(pane_of(app).ladder)[0]  # BTC's price ladder


async def test_keys_while_paused_change_the_view_at_resume():
    app = fixed_app()
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        ladder = pane_of(app).ladder
        await pilot.press("p", "down")
        assert cursor_rows(ladder) == []  # the paused picture stays
        await pilot.press("p")
        await settle(pilot)
        assert len(cursor_rows(ladder)) == 1
