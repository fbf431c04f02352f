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
        rows = [strip.text for strip in tape._strips[1:] if strip.text.strip()]
        assert len(rows) == min(len(shown), tape.size.height - 1)  # only the big enough ones
        for row, trade in zip(rows, shown, strict=False):
            assert float(row.split()[2]) == trade.amount_value  # time, price, size, mark
