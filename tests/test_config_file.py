"""The config file: defaults under the command line, a theme, rebound keys, a tape filter."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.screen import Screen

from dfx_tui.app.cli import build_parser, config_from_args, main
from dfx_tui.app.config import AppConfig
from dfx_tui.app.settings import ConfigError, load_settings
from dfx_tui.widgets.help_screen import HelpScreen
from tests.support.apps import fixed_app
from tests.support.trader import lines


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text)
    return path


def _config(*argv: str) -> AppConfig:
    return config_from_args(build_parser().parse_args(list(argv)))


def test_file_gives_defaults_and_the_command_line_wins(tmp_path):
    path = _write(tmp_path, 'markets = ["eth_usdt", "XRP_USDT"]\nfps = 20\n'
                            'url = "ws://127.0.0.1:9/ws/v1/"\nbig_trade = 2.5\nmin_trade = 0.1\n'
                            'theme = "nord"\n[keys]\nquit = "ctrl+q"\n')
    cfg = _config("--config", str(path))
    assert cfg.markets == ["ETH_USDT", "XRP_USDT"]
    assert (cfg.fps, cfg.url, cfg.big_trade, cfg.min_trade) == (20.0, "ws://127.0.0.1:9/ws/v1/",
                                                                2.5, 0.1)
    assert cfg.theme == "nord" and cfg.keymap == {"quit": "ctrl+q"}
    cfg = _config("--config", str(path), "--fps", "5", "--url", "ws://127.0.0.1:7/ws/v1/",
                  "BTC_USDT")
    assert (cfg.markets, cfg.fps, cfg.url) == (["BTC_USDT"], 5.0, "ws://127.0.0.1:7/ws/v1/")


def test_default_location_is_optional(tmp_path, monkeypatch):
    monkeypatch.delenv("DFX_TUI_CONFIG", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    assert load_settings(None).markets == []  # no file: nothing set
    (tmp_path / "dfx-tui").mkdir()
    (tmp_path / "dfx-tui" / "config.toml").write_text('markets = ["SOL_USDT"]\n')
    assert _config().markets == ["SOL_USDT"]


@pytest.mark.parametrize(("text", "why"), [
    ("markets = [", "config file"),
    ("colour = 1", "unknown setting 'colour'"),
    ('markets = "BTC_USDT"', "markets must be a list"),
    ('markets = ["[red]x"]', "not a market name"),
    ("fps = -1", "fps must be a number"),
    ("fps = 500", "fps must be between"),
    ('fps = "fast"', "fps must be a number"),
    ('url = "http://example.com/"', "ws:// or wss://"),
    ("theme = 3", "theme must be a string"),
    ('[keys]\nquit = "\\u001b[2J"', "keys.quit must be key names"),
    ("keys = 1", "[keys] must be a table"),
])
def test_bad_files_are_usage_errors_with_a_clear_line(tmp_path, capsys, text, why):
    path = _write(tmp_path, text)
    assert main(["--config", str(path), "--once", "BTC_USDT"]) == 2
    err = capsys.readouterr().err
    assert why in err and str(path) in err
    assert "Traceback" not in err and "\x1b" not in err and len(err.strip().splitlines()) == 1


def test_missing_or_unreadable_explicit_file(tmp_path, capsys):
    assert main(["--config", str(tmp_path / "nope.toml"), "--once"]) == 2
    assert "no such file" in capsys.readouterr().err
    with pytest.raises(ConfigError, match="config file"):
        load_settings(tmp_path)  # a directory


async def test_keymap_rebinds_by_binding_id_and_theme_applies():
    app = fixed_app(keymap={"next-tab": "n", "quit": "ctrl+q"}, theme="nord")
    async with app.run_test(size=(120, 40)) as pilot:
        assert app.theme == "nord"
        await pilot.press("n")
        assert app.markets_screen.current_market() == "ETH_USDT"
        await pilot.press("tab")  # the old key no longer does it
        await pilot.pause()
        assert app.markets_screen.current_market() == "ETH_USDT"
        await pilot.press("q")  # no longer quit: nothing opens
        await pilot.pause()
        assert app.screen.__class__.__name__ == "MarketsScreen"


def help_table(screen: Screen[object]) -> dict[str, str]:
    """The help screen as shown: what a key does -> its keys."""
    cells = [str(cell.render()) for cell in screen.query("Grid > Static")]
    return dict(zip(cells[1::2], cells[0::2], strict=True))


async def test_help_shows_the_keys_as_rebound():
    app = fixed_app(keymap={"quit": "ctrl+q", "next-tab": "n", "cycle-depth": "f3"})
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("?")
        assert isinstance(app.screen, HelpScreen)
        keys = help_table(app.screen)
        assert keys["next tab"] == "n"
        assert keys["ladder depth: auto, 5, 10, 20, 50"] == "f3"
        quits = {what: key for what, key in keys.items() if what.startswith("quit")}
        assert set(quits.values()) == {"ctrl+q"}  # Textual's own ctrl+q quits at once
        for old in ("q", "tab / ]", "d"):
            assert old not in keys.values()
        # Untouched bindings keep their keys.
        assert keys["jump to tab 1 … 9"] == "1 … 9"
        assert keys["previous tab"] == "shift+tab / ["
        assert keys["coarser / finer price grouping"] == "+ / = / -"


async def test_help_lists_every_key_of_the_market_view_by_default():
    app = fixed_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("?")
        keys = help_table(app.screen)
        assert keys == {
            "jump to tab 1 … 9": "1 … 9",
            "next tab": "tab / ]",
            "previous tab": "shift+tab / [",
            "add a market": "a",
            "close the current tab": "w",
            "coarser / finer price grouping": "+ / = / -",
            "ladder depth: auto, 5, 10, 20, 50": "d",
            "pause the display (the book keeps updating)": "p",
            "show the keys": "?",
            "quit (asks first; twice quits at once)": "q",
            "quit at once, without asking": "ctrl+q",
            # The trader's ladder (issue 12).
            "ladder cursor up / down (across the spread)": "↑ / k / ↓ / j",
            "clear the ladder cursor (or click its row)": "esc / x",
            "price ladder (all prices) or compact": "l",
            "recentre the price ladder now": "c",
            "clear the volume at price": "v",
            "tape: merge prints of one time and side": "m",
            "tape size filter up / down": "f / F",
            "tape large-trade tiers up / down": "b / B",
            "ladder prices by their last digits": "s",
            # issue 13: charts, alerts, export
            "liquidity heatmap (again: the ladder)": "h",
            "depth chart (again: the ladder)": "g",
            "wider / narrower chart range": "Z / z",
            "list, add and remove alerts": "!",
            "export the book and tape to CSV and JSON": "e",
            "save an SVG screenshot": "S",
        }


async def test_unknown_theme_and_binding_id_are_reported_not_fatal():
    app = fixed_app(keymap={"teleport": "t"}, theme="no-such-theme")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        messages = " ".join(n.message for n in app._notifications)
        assert "unknown theme 'no-such-theme'" in messages
        assert "unknown key binding id 'teleport'" in messages
        await pilot.press("2")
        assert app.markets_screen.current_market() == "ETH_USDT"  # still running and usable


async def test_tape_size_filter_hides_small_trades():
    app = fixed_app(min_trade=0.5)
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause()
        tape = app.active_pane().tape
        tape.repaint(1000.0)
        text = "\n".join(strip.text for strip in tape._strips)
        assert "≥0.5" in text
        market = app.feed.markets["BTC_USDT"]
        shown = [t for t in market.tape if t.amount_value >= 0.5]
        hidden = [t for t in market.tape if t.amount_value < 0.5]
        assert shown and hidden
        rows = [line for line in lines(tape)[1:] if line.strip()]  # (the rule left out)
        assert len(rows) == min(len(shown), tape.size.height - 1)  # only the big enough ones
        for row, trade in zip(rows, shown, strict=False):
            assert float(row.split()[2]) == trade.amount_value  # time, price, size, mark


# ------------------------------------------------------------------ the trader's ladder
TRADER_FILE = """
[ladder]
volume_window = 60
liquidity_window = 5
recentre_band = 0.25
imbalance_bps = 20
large_factor = 0
large_order = 25
short_prices = true
mode = "price"
[tape]
big_trade = [1.5, 5, 25]
min_trade = 0.01
merge = true
[market.btc_usdt]
large_order = 40
big_trade = 2
[market.ETH_USDT]
large_order = 0
"""


def test_trader_settings_with_defaults_and_per_market_sizes(tmp_path):
    from decimal import Decimal

    trader = _config("--config", str(_write(tmp_path, TRADER_FILE))).trader
    assert (trader.volume_window, trader.liquidity_window, trader.recentre_band,
            trader.imbalance_bps) == (60.0, 5.0, 0.25, 20.0)
    assert trader.large_factor is None  # 0: off
    assert trader.short_prices is True and trader.price_ladder and trader.merge_trades
    assert trader.sizes.big_trade == (Decimal("1.5"), Decimal(5), Decimal(25))
    assert str(trader.sizes.min_trade) == "0.01"  # as typed, not the float's binary value
    btc = trader.sizes_for("BTC_USDT")  # names are normalised
    assert (btc.large_order, btc.big_trade, btc.min_trade) == (
        Decimal(40), (Decimal(2),), Decimal("0.01"))  # its own sizes, the global filter
    assert trader.sizes_for("ETH_USDT").large_order == 0  # off here though on globally
    assert trader.sizes_for("XRP_USDT") == trader.sizes
    defaults = _config().trader
    assert (defaults.volume_window, defaults.liquidity_window, defaults.recentre_band,
            defaults.imbalance_bps, defaults.large_factor) == (300.0, 10.0, 0.5, 10.0, 5.0)
    assert defaults.short_prices is None and not defaults.price_ladder


def test_top_level_tape_sizes_still_work_as_the_global_tier():
    from decimal import Decimal

    trader = AppConfig(big_trade=2.5, min_trade=0.1).trader_settings()
    assert trader.sizes.big_trade == (Decimal("2.5"),)
    assert trader.sizes.min_trade == Decimal("0.1")


@pytest.mark.parametrize(("text", "why"), [
    ("[ladder]\nvolume_window = 0", "ladder.volume_window must be a number above 0"),
    ("[ladder]\nliquidity_window = -1", "ladder.liquidity_window must be a number above 0"),
    ("[ladder]\nrecentre_band = 1.5", "ladder.recentre_band must be between 0 and 1"),
    ("[ladder]\nimbalance_bps = \"x\"", "ladder.imbalance_bps must be a number"),
    ("[ladder]\nshort_prices = \"yes\"", "ladder.short_prices must be"),
    ("[ladder]\nmode = \"dom\"", "ladder.mode must be"),
    ("[ladder]\nlarge_order = -2", "ladder.large_order must be a number"),
    ("[ladder]\nspeed = 1", "unknown setting ladder.speed"),
    ("ladder = 3", "[ladder] must be a table"),
    ("[tape]\nbig_trade = [5, 1]", "tape.big_trade tiers must be ascending"),
    ("[tape]\nbig_trade = [1, 2, 3, 4]", "list of 1 to 3 sizes"),
    ("[tape]\nbig_trade = []", "list of 1 to 3 sizes"),
    ("[tape]\nmerge = 1", "tape.merge must be true or false"),
    ("big_trade = 1\n[tape]\nbig_trade = 2", "big_trade is set twice"),
    ("[market.BTC_USDT]\nfps = 3", "unknown setting market.BTC_USDT.fps"),
    ("[market.\"[red]x\"]\nlarge_order = 3", "not a market name"),
    ("[market]\nBTC_USDT = 3", "[market.BTC_USDT] must be a table"),
])
def test_bad_trader_settings_are_usage_errors(tmp_path, capsys, text, why):
    path = _write(tmp_path, text)
    assert main(["--config", str(path), "--once", "BTC_USDT"]) == 2
    err = capsys.readouterr().err
    assert why in err and str(path) in err
    assert "Traceback" not in err and "\x1b" not in err and len(err.strip().splitlines()) == 1


async def test_config_starts_each_market_view_with_its_settings(tmp_path):
    from decimal import Decimal

    trader = _config("--config", str(_write(tmp_path, TRADER_FILE))).trader
    app = fixed_app(trader=trader)
    async with app.run_test(size=(120, 40)) as pilot:
        app.on_clock()
        await pilot.pause()
        pane = app.active_pane()
        assert pane is not None and pane.market.name == "BTC_USDT"
        assert pane.view.price_mode and pane.view.merge_trades and pane.view.short_prices
        assert pane.view.large_order == Decimal(40) and pane.view.big_trade == (Decimal(2),)
        assert pane.market.analytics.volume.window == 60.0  # the windows reach the histories
        assert pane.market.analytics.liquidity.window == 5.0
        header = pane.ladder.render_line(0).text  # BTC's spread is wider than the screen
        assert "spread > screen" in header and "Δ5s" in header and "1m" in header
        assert "merged" in pane.tape.render_line(0).text
        await pilot.press("2")
        eth = app.active_pane()
        assert eth is not None and eth.view.large_order is None  # 0 in its table: off
