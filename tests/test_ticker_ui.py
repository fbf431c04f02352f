"""The 24 h figures in the market header and the market catalogue in the add-market dialog and
the command palette: the real app headless (Pilot), on seeded fixed data and against dfx-sim."""

from __future__ import annotations

from textual.command import CommandList
from textual.widgets import OptionList

from dfx_tui.app.feed.client import FeedClient
from dfx_tui.app.sim.market import CATALOG, MarketModel, spec_for
from dfx_tui.app.sim.ticker_data import DayStats
from dfx_tui.app.tui import DfxApp
from dfx_tui.book.catalog import MarketCatalog
from dfx_tui.book.ticker import Ticker, parse_ticker
from dfx_tui.widgets.add_market import AddMarketScreen
from dfx_tui.widgets.market_header import MarketHeader
from tests.support.apps import T0, fixed_app, fixed_feed
from tests.support.feed import fast_config, wait_until

MARKETS = ["BTC_USDT", "ETH_USDT"]


def seeded_ticker(name: str, seed: int = 7, t0: float = 1_750_000_000.0) -> Ticker:
    """The simulator's 24 h ticker of a market, from a seeded model (the same on every run)."""
    model = MarketModel(spec_for(name), seed, now=t0)
    for i in range(200):
        model.step(t0 + i * 0.05)
    return parse_ticker(DayStats(model, seed).ticker(model, int(t0 * 1000)))


def seeded_catalog() -> MarketCatalog:
    catalog = MarketCatalog()
    catalog.update([seeded_ticker(m) for m in CATALOG], T0)
    return catalog


def app_with_catalog(catalog: MarketCatalog | None) -> DfxApp:
    app = fixed_app(MARKETS)
    if catalog is not None:
        fixed_feed(app).catalog = catalog  # type: ignore[attr-defined]
    return app


def listed(app: DfxApp) -> list[str | None]:
    choices = app.screen.query_one("#add-market-list", OptionList)
    return [choices.get_option_at_index(i).id for i in range(choices.option_count)]


def header(app: DfxApp) -> MarketHeader:
    pane = app.active_pane()
    assert pane is not None
    return pane.query_one(MarketHeader)


# ------------------------------------------------------------------ the header
async def test_header_shows_the_24h_figures_once_a_ticker_arrived():
    app = fixed_app(MARKETS)
    async with app.run_test(size=(200, 30)) as pilot:
        app.on_clock()
        await pilot.pause()
        assert "24h" not in header(app).plain  # no ticker: nothing, not zeros
        market = fixed_feed(app).markets["BTC_USDT"]
        ticker = seeded_ticker("BTC_USDT")
        market.ticker, market.ticker_version = ticker, market.ticker_version + 1
        app.on_clock()
        await pilot.pause()
        line = header(app).plain
        change = ticker.change_text()
        assert change is not None and change.startswith("-")  # this seed's BTC fell
        assert f"24h {change}" in line and f"H {ticker.high_24h}" in line
        assert f"L {ticker.low_24h}" in line and "vol 12.37M USDT" in line
        # The change in the header's "fall" colour ($ask), the theme's.
        text = header(app).text
        start = text.plain.index(change)
        styles = [s.style for s in text.spans if s.start <= start < s.end]
        assert styles and styles[-1] == header(app).component_styles()["fall"]


async def test_header_leaves_out_a_figure_the_server_did_not_send():
    app = fixed_app(MARKETS)
    async with app.run_test(size=(200, 30)) as pilot:
        market = fixed_feed(app).markets["BTC_USDT"]
        market.ticker = parse_ticker({"symbol": "BTC_USDT", "last": "65000.00",
                                      "open_24h": "65000.00", "low_24h": "64000.00"})
        market.ticker_version += 1
        app.on_clock()
        await pilot.pause()
        line = header(app).plain
        assert "24h 0.00%" in line and "L 64000.00" in line
        assert "H " not in line.split("24h")[1] and "vol" not in line


# ------------------------------------------------------------------ the add-market dialog
async def test_add_market_lists_the_catalogue_by_volume_and_adds_the_pick():
    catalog = seeded_catalog()
    app = app_with_catalog(catalog)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, AddMarketScreen)
        assert listed(app) == [t.symbol for t in catalog.by_volume()]
        row = str(app.screen.query_one(OptionList).get_option_at_index(0).prompt)
        top = catalog.by_volume()[0]
        assert top.last in row and (top.change_text() or "?") in row
        hint = str(app.screen.query_one("#add-market-hint").render())
        assert f"{len(catalog)} markets, by 24 h quote volume" in hint
        await pilot.press("d", "o")  # DOGE only
        await pilot.pause()
        assert listed(app) == ["DOGE_USDT"]
        await pilot.press("backspace", "backspace")
        await pilot.pause()
        assert isinstance(app.screen, AddMarketScreen)
        assert app.screen.picked() == catalog.by_volume()[0].symbol  # typing: the top again
        await pilot.press("down", "down", "up", "down")
        await pilot.pause()
        third = catalog.by_volume()[2].symbol
        # A market new to the catalogue, on top by volume: the list grows, the pick stays.
        catalog.update([parse_ticker({"symbol": "NEW_USDT", "last": "1",
                                      "quote_volume_24h": "99999999999"})], T0 + 1)
        await pilot.pause(1.3)
        assert listed(app)[0] == "NEW_USDT"
        assert isinstance(app.screen, AddMarketScreen) and app.screen.picked() == third
        await pilot.press("enter")
        await pilot.pause()
        assert not isinstance(app.screen, AddMarketScreen)
        assert list(app.feed.markets)[-1] == third == app.markets_screen.current_market()


async def test_a_name_missing_from_the_catalogue_is_still_accepted():
    app = app_with_catalog(seeded_catalog())
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("a", *"foo_bar")
        await pilot.pause()
        assert listed(app) == ["FOO_BAR"]
        assert "not in the exchange's list" in str(
            app.screen.query_one(OptionList).get_option_at_index(0).prompt)
        await pilot.press("enter")
        await pilot.pause()
        assert "FOO_BAR" in app.feed.markets


async def test_before_the_catalogue_the_typed_name_is_accepted():
    app = app_with_catalog(MarketCatalog())
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("a", *"xrp_usd")
        await pilot.pause()
        assert listed(app) == ["XRP_USD", "XRP_USDT"]  # typed, then a fixed suggestion
        assert "has not arrived yet" in str(app.screen.query_one("#add-market-hint").render())
        await pilot.press("enter")
        await pilot.pause()
        assert app.markets_screen.current_market() == "XRP_USD"


async def test_the_list_fills_in_when_the_catalogue_arrives():
    catalog = MarketCatalog()
    app = app_with_catalog(catalog)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("a", *"xrp_usd")
        await pilot.pause()
        assert listed(app) == ["XRP_USD", "XRP_USDT"]
        catalog.update([seeded_ticker(m) for m in CATALOG], T0)  # all_ticker arrives
        await pilot.pause(1.3)
        assert listed(app) == ["XRP_USDT", "XRP_USD"]  # the exchange's market, then typed
        await pilot.press("enter")
        await pilot.pause()
        assert app.markets_screen.current_market() == "XRP_USDT"


# ------------------------------------------------------------------ the command palette
async def palette_hits(pilot, query: str, expect: str) -> list[str]:
    await pilot.press("ctrl+p")
    await pilot.pause()
    await pilot.press(*query)
    commands = pilot.app.screen.query_one(CommandList)
    texts: list[str] = []
    for _ in range(100):
        texts = [str(commands.get_option_at_index(i).prompt) for i in range(commands.option_count)]
        if texts and expect in texts[0]:
            break
        await pilot.pause(0.05)
    return texts


async def test_palette_offers_the_catalogue_by_volume():
    catalog = seeded_catalog()
    app = app_with_catalog(catalog)
    async with app.run_test(size=(120, 40)) as pilot:
        by_volume = [t.symbol for t in catalog.by_volume() if t.symbol not in MARKETS]
        hits = await palette_hits(pilot, "add market usdt", by_volume[0])
        adds = [t.split("Add market ")[1].split()[0] for t in hits if "Add market" in t]
        assert adds == by_volume  # by 24 h quote volume, open markets left out
        assert "last " in hits[0]  # the help line: last price, change, volume
        await pilot.press("escape")
        await pilot.press("ctrl+p")  # a second search: a name part picks one market
        hits = await palette_hits(pilot, "pep", "PEPE_USDT")
        assert "Add market PEPE_USDT" in hits[0]
        await pilot.press("enter")
        for _ in range(100):
            if "PEPE_USDT" in app.feed.markets:
                break
            await pilot.pause(0.05)
        assert app.markets_screen.current_market() == "PEPE_USDT"


# ------------------------------------------------------------------ the real feed
async def test_against_dfx_sim_header_and_dialog_fill_from_the_feed(sim_factory):
    served = ("BTC_USDT", "ETH_USDT", "SOL_USDT")
    sim = await sim_factory(markets=served, ticker_interval=0.15)
    app = DfxApp(fast_config(sim.url, ["BTC_USDT"]))
    async with app.run_test(size=(200, 36)) as pilot:
        assert isinstance(app.feed, FeedClient)
        feed = app.feed
        await wait_until(lambda: len(feed.catalog) == len(set(CATALOG) | set(served))
                         and feed.markets["BTC_USDT"].ticker is not None, 5, "the tickers")
        app.on_clock()
        await pilot.pause()
        assert "24h " in header(app).plain and " USDT" in header(app).plain
        await pilot.press("a")
        await pilot.pause()
        assert listed(app) == [t.symbol for t in feed.catalog.by_volume()][:len(listed(app))]
        assert len(listed(app)) == len(feed.catalog)
        await pilot.press(*"sol", "enter")
        await wait_until(lambda: "SOL_USDT" in feed.markets
                         and feed.markets["SOL_USDT"].ticker is not None, 3, "SOL added")
