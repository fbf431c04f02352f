"""Alerts: the text and config forms, and in the running app: once per crossing, re-armed by
hysteresis, a notification and the bell, for hidden tabs too, from the feed's data."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from dfx_tui.app.alert_specs import describe, parse_alert, spec_from_table
from dfx_tui.app.cli import build_parser, config_from_args, main
from dfx_tui.app.tui import DfxApp
from dfx_tui.book.alerts import AlertKind, AlertSpec
from dfx_tui.book.orderbook import OrderBook
from dfx_tui.book.tape import Trade
from tests.support.apps import fixed_app


# ------------------------------------------------------------------ the two written forms
@pytest.mark.parametrize(("text", "kind", "threshold", "up"), [
    ("alert BTC_USDT price above 65000", AlertKind.MID, 65000.0, True),
    ("price below 64000.25", AlertKind.MID, 64000.25, False),
    ("eth_usdt mid > 3000", AlertKind.MID, 3000.0, True),
    ("last below 1.5", AlertKind.LAST, 1.5, False),
    ("trade 2.5", AlertKind.TRADE, 2.5, True),
    ("alert trade at least 3 cooldown 10", AlertKind.TRADE, 3.0, True),
    ("spread > 20 bps", AlertKind.SPREAD, 20.0, True),
    ("imbalance 0.6", AlertKind.IMBALANCE, 0.6, True),
    ("imbalance below 0.6 within 20", AlertKind.IMBALANCE, -0.6, False),
])
def test_alert_text(text, kind, threshold, up):
    spec = parse_alert(text, "SOL_USDT")
    assert (spec.kind, spec.threshold, spec.up) == (kind, threshold, up)
    assert spec.market == ("ETH_USDT" if "eth_usdt" in text else
                           "BTC_USDT" if "BTC_USDT" in text else "SOL_USDT")


@pytest.mark.parametrize(("text", "why"), [
    ("", "say what to watch"),
    ("price 5", "above or below"),
    ("price above", "expected a price"),
    ("volume above 3", "unknown alert"),
    ("spread 0", "more than 0"),
    ("imbalance 1.5", "between -1 and 1"),
    ("price above 5 cooldown 3", "cooldown is for trade alerts"),
    ("trade 3 hysteresis 1", "cooldown"),
    ("trade nan", "finite"),
    ("price above 1e999", "finite"),
])
def test_bad_alert_text_says_why(text, why):
    with pytest.raises(ValueError, match=why):
        parse_alert(text, "BTC_USDT")


def test_no_market_to_default_to():
    with pytest.raises(ValueError, match="which market"):
        parse_alert("price above 3", None)


def test_config_tables_and_their_description():
    specs = [spec_from_table(t) for t in (
        {"market": "btc_usdt", "price_above": 65000},
        {"market": "BTC_USDT", "last_below": 60000.5, "hysteresis": 2},
        {"market": "ETH_USDT", "trade_size": 10, "cooldown": 30},
        {"market": "ETH_USDT", "spread_bps": 12},
        {"market": "ETH_USDT", "imbalance": -0.6, "within_bps": 20})]
    assert [describe(s) for s in specs] == [
        "BTC_USDT mid price above 65000 (re-arms 5 bps back)",
        "BTC_USDT last price below 60000.5 (re-arms 2 bps back)",
        "ETH_USDT trade of 10 or more, cooldown 30 s",
        "ETH_USDT spread wider than 12 bps (re-arms 1 bps back)",
        "ETH_USDT imbalance beyond -0.6 within 20 bps (re-arms 0.05 back)",
    ]


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text)
    return path


def test_config_file_alerts_and_export_dir(tmp_path):
    path = _write(tmp_path, 'export_dir = "~/dfx-out"\n[[alerts]]\nmarket = "BTC_USDT"\n'
                            'price_above = 65000\n[[alerts]]\nmarket = "ETH_USDT"\n'
                            'trade_size = 5\n')
    cfg = config_from_args(build_parser().parse_args(["--config", str(path)]))
    assert cfg.export_dir == "~/dfx-out"
    assert cfg.alerts == [AlertSpec.price("BTC_USDT", 65000.0, True),
                          AlertSpec.trade("ETH_USDT", 5.0)]


@pytest.mark.parametrize(("text", "why"), [
    ("alerts = 3", "alerts must be [[alerts]] tables"),
    ("alerts = [1]", "alerts #1: each [[alerts]] entry must be a table"),
    ('[[alerts]]\nprice_above = 1', "alerts #1: market"),
    ('[[alerts]]\nmarket = "BTC"\nprice_above = 1', "not a market name"),
    ('[[alerts]]\nmarket = "BTC_USDT"', "exactly one of"),
    ('[[alerts]]\nmarket = "BTC_USDT"\nprice_above = 1\ntrade_size = 2', "exactly one of"),
    ('[[alerts]]\nmarket = "BTC_USDT"\nprice_above = "high"', "price_above must be a number"),
    ('[[alerts]]\nmarket = "BTC_USDT"\nprice_above = -1', "more than 0"),
    ('[[alerts]]\nmarket = "BTC_USDT"\nspread_bps = 5\nlevel = 1', "unknown key 'level'"),
    ('[[alerts]]\nmarket = "BTC_USDT"\nspread_bps = 5\ncooldown = 1', "cooldown is for"),
    ('[[alerts]]\nmarket = "BTC_USDT"\nimbalance = 2', "between -1 and 1"),
    ('[[alerts]]\nmarket = "X_Y"\nprice_above = 1\n[[alerts]]\nmarket = "X_Y"\n'
     'spread_bps = 1\nhysteresis = -1', "alerts #2: hysteresis"),
    ("export_dir = 3", "export_dir must be a folder name"),
])
def test_bad_alert_tables_are_usage_errors_with_a_clear_line(tmp_path, capsys, text, why):
    path = _write(tmp_path, text)
    assert main(["--config", str(path), "--once", "BTC_USDT"]) == 2
    err = capsys.readouterr().err
    assert why in err and str(path) in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1


# ------------------------------------------------------------------ in the running app
class Spy:
    """Every notification and bell of the app (the real calls still happen)."""

    def __init__(self, app: DfxApp) -> None:
        self.notes: list[str] = []
        self.bells = 0
        notify, bell = app.notify, app.bell

        def spy_notify(message: str, *a: Any, **k: Any) -> None:
            if k.get("title") == "Alert":
                self.notes.append(str(message))
            notify(message, *a, **k)

        def spy_bell() -> None:
            self.bells += 1
            bell()

        app.notify = spy_notify  # type: ignore[method-assign]
        app.bell = spy_bell  # type: ignore[method-assign]


def set_mid(book: OrderBook, mid: float, half_spread: float = 0.5) -> None:
    book.apply_snapshot([[f"{mid + half_spread:.2f}", "1.0000"]],
                        [[f"{mid - half_spread:.2f}", "1.0000"]])


async def test_a_price_alert_fires_once_per_crossing_and_rearms_past_its_hysteresis():
    # 65000 up, 5 bps of hysteresis: re-armed below 64967.50.
    app = fixed_app(alerts=[AlertSpec.price("BTC_USDT", 65000.0, True, hysteresis_bps=5)])
    spy = Spy(app)
    book = app.feed.markets["BTC_USDT"].book
    async with app.run_test(size=(120, 40)) as pilot:
        for mid, fires in [(64990, 0), (65010, 1), (65030, 0), (64990, 0), (65005, 0),
                           (64960, 0), (65000, 1), (65000, 0), (64980, 0), (65001, 0)]:
            set_mid(book, mid)
            app.on_clock()
            await pilot.pause()
            assert len(spy.notes) == spy.bells, mid
            spy.notes, spy.bells, fired = [], 0, len(spy.notes)
            assert fired == fires, mid
        assert app.alert_watcher.fired_count == 2


async def test_alerts_fire_for_hidden_tabs_and_name_the_market():
    app = fixed_app(alerts=[AlertSpec.spread("ETH_USDT", 50.0)])
    spy = Spy(app)
    eth = app.feed.markets["ETH_USDT"].book
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        assert app.markets_screen.current_market() == "BTC_USDT"  # ETH is not shown
        app.on_clock()
        set_mid(eth, 3000.0, half_spread=12.0)  # 80 bps
        app.on_clock()
        await pilot.pause()
        assert len(spy.notes) == 1 and spy.bells == 1
        assert spy.notes[0].startswith("ETH_USDT: spread 80.0 bps > 50.0 bps")
        from textual.widgets._toast import Toast

        assert any("ETH_USDT" in t.render().plain for t in app.screen.query(Toast))


async def test_trade_alerts_fire_per_trade_and_a_burst_makes_few_toasts_and_one_bell():
    app = fixed_app(alerts=[AlertSpec.trade("BTC_USDT", 2.0)])
    spy = Spy(app)
    tape = app.feed.markets["BTC_USDT"].tape
    newest = tape.last()
    assert newest is not None

    def trades(sizes: list[str], first: int) -> list[Trade]:
        return [Trade.from_wire({"id": newest.id + first + i, "time": newest.time + 1,
                                 "price": newest.price, "amount": size, "type": "sell"})
                for i, size in enumerate(sizes)][::-1]  # newest first, as on the wire

    async with app.run_test(size=(120, 40)) as pilot:
        app.on_clock()  # the tape as it was: not news
        assert spy.notes == []
        tape.apply(False, trades(["1.0", "3.0"], 1))
        app.on_clock()
        assert len(spy.notes) == 1 and "trade of 3.0" in spy.notes[0] and spy.bells == 1
        tape.apply(False, trades(["5.0"] * 40, 10))
        app.on_clock()
        await pilot.pause()
        assert len(spy.notes) == 4 and spy.bells == 2  # three toasts for forty alerts
        assert spy.notes[-1].endswith("(+37 more alerts)")
        assert app.alert_watcher.fired_count == 41


async def test_the_notification_comes_in_the_tick_after_the_data():
    # From the change the feed applied to the toast on screen: one clock tick at most.
    app = fixed_app(alerts=[AlertSpec.price("BTC_USDT", 65000.0, True)], fps=20.0)
    book = app.feed.markets["BTC_USDT"].book
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        set_mid(book, 64990)
        app.on_clock()
        await pilot.pause()
        from textual.widgets._toast import Toast

        changed = time.monotonic()
        set_mid(book, 65010)  # what the feed does with the frame that crosses
        for _ in range(100):
            await pilot.pause(0.01)
            if any("65000" in t.render().plain for t in app.screen.query(Toast)):
                break
        shown = time.monotonic() - changed
        assert app.alert_watcher.fired_count == 1
        assert shown < 1.0  # a 50 ms clock; generous for a loaded machine
