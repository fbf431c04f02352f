"""The optional config file: defaults for the command line, a theme and rebound keys.

Looked up at `--config FILE`, else `$DFX_TUI_CONFIG`, else
`$XDG_CONFIG_HOME/dfx-tui/config.toml` (`~/.config/dfx-tui/config.toml`). The command line
wins over the file. Example:

    markets = ["BTC_USDT", "ETH_USDT"]
    url = "wss://openapi.digifinex.com/ws/v1/"
    fps = 10
    theme = "textual-dark"
    big_trade = 1.5         # tape: highlight trades of at least this size (base units)
    min_trade = 0.01        # tape: hide trades smaller than this
    export_dir = "~/dfx-exports"   # export (e) and screenshot (S) folder
    [keys]                  # binding id = keys (comma-separated), see the ? help screen
    quit = "ctrl+q"
    add-market = "a,insert"
    [ladder]                # the trader's ladder (README: "Trader's ladder")
    volume_window = 300     # seconds of volume at price
    liquidity_window = 10   # seconds of pulling and stacking
    recentre_band = 0.5     # price ladder: recentre when a touch leaves this share of the middle
    imbalance_bps = 10      # header imbalance: levels within this many bps of mid
    large_factor = 5        # large resting level: k x the median visible level (0: off)
    large_order = 25        # ... or at least this size (base units; per market below)
    short_prices = "auto"   # prices by their last digits: "auto" (narrow ladder), true, false
    mode = "compact"        # start in "compact" or "price" ladder mode
    [tape]
    big_trade = [1, 5, 25]  # up to three large-trade tiers (ascending), or one number
    min_trade = 0.01        # (instead of the top-level big_trade / min_trade)
    merge = false           # start with prints of one time and side merged
    [market.BTC_USDT]       # sizes per market: large_order, big_trade, min_trade
    large_order = 40
    big_trade = [2, 10, 50]

`[market.NAME]`, not `[markets.NAME]`: `markets` is already the list of names.
    [[alerts]]              # one table per alert, see app/alert_specs.py
    market = "BTC_USDT"
    price_above = 65000
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dfx_tui.book.tape_lines import MAX_TIERS
from dfx_tui.widgets.trader_settings import MarketSizes, TraderSettings

if TYPE_CHECKING:  # the alert engine is imported only once an alert exists (cold start)
    from dfx_tui.book.alerts import AlertSpec

Fail = Callable[[str], "ConfigError"]  # makes the error to raise, from the reason

_KEY_RE_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789_+,-")


class ConfigError(ValueError):
    """The config file is unreadable or wrong; the message says where and why."""


@dataclass(slots=True)
class FileSettings:
    path: Path | None = None
    markets: list[str] = field(default_factory=list)
    url: str | None = None
    fps: float | None = None
    theme: str | None = None
    big_trade: float | None = None
    min_trade: float | None = None
    keymap: dict[str, str] = field(default_factory=dict)
    trader: TraderSettings = field(default_factory=TraderSettings)
    alerts: list[AlertSpec] = field(default_factory=list)
    export_dir: str | None = None


def default_path() -> Path:
    env = os.environ.get("DFX_TUI_CONFIG")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "dfx-tui" / "config.toml"


def load_settings(path: str | os.PathLike[str] | None) -> FileSettings:
    """Read the config file. An explicit path must exist; the default one is optional."""
    explicit = path is not None or bool(os.environ.get("DFX_TUI_CONFIG"))
    target = Path(path) if path is not None else default_path()
    try:
        raw = target.read_bytes()
    except FileNotFoundError:
        if explicit:
            raise ConfigError(f"config file {target}: no such file") from None
        return FileSettings()
    except OSError as exc:
        raise ConfigError(f"config file {target}: {exc.strerror or exc}") from None
    import tomllib  # only with a file to read (most starts have none)

    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"config file {target}: {' '.join(str(exc).split())}") from None
    return _parse(target, data)


def _parse(path: Path, data: dict[str, Any]) -> FileSettings:
    from dfx_tui.app.alert_specs import spec_from_table
    from dfx_tui.book.codec import normalize_market

    def fail(why: str) -> ConfigError:
        return ConfigError(f"config file {path}: {why}")

    out = FileSettings(path=path)
    known = {"markets", "url", "fps", "theme", "big_trade", "min_trade", "keys", "ladder", "tape",
             "market", "alerts", "export_dir"}
    unknown = sorted(set(data) - known)
    if unknown:
        raise fail(f"unknown setting {unknown[0]!r} (known: {', '.join(sorted(known))})")
    markets = data.get("markets", [])
    if not isinstance(markets, list) or not all(isinstance(m, str) for m in markets):
        raise fail("markets must be a list of names, e.g. [\"BTC_USDT\"]")
    for name in markets:
        try:
            key = normalize_market(name)
        except ValueError:
            raise fail(f"not a market name: {name!r:.40}") from None
        if key not in out.markets:
            out.markets.append(key)
    url = data.get("url")
    if url is not None and not isinstance(url, str):
        raise fail("url must be a string")
    out.url = url
    for name in ("fps", "big_trade", "min_trade"):
        value = data.get(name)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(
                value) or value < 0:
            raise fail(f"{name} must be a number of 0 or more")
        setattr(out, name, float(value))
    if out.fps is not None and not 0 < out.fps <= 120:
        raise fail("fps must be between 0 and 120")
    theme = data.get("theme")
    if theme is not None and not isinstance(theme, str):
        raise fail("theme must be a string")
    out.theme = theme
    keys = data.get("keys", {})
    if not isinstance(keys, dict):
        raise fail("[keys] must be a table of binding id = \"keys\"")
    for binding_id, spec in keys.items():
        if not isinstance(spec, str) or not spec or not set(spec.lower()) <= _KEY_RE_CHARS:
            raise fail(f"keys.{binding_id} must be key names like \"ctrl+q\" or \"a,insert\"")
        out.keymap[str(binding_id)] = spec
    out.trader = _trader(data, fail)
    for name in ("big_trade", "min_trade"):
        if name in data and name in _table(data, "tape", fail):
            raise fail(f"{name} is set twice: at the top level and in [tape] (keep one)")
    folder = data.get("export_dir")
    if folder is not None and (not isinstance(folder, str) or not folder.strip()):
        raise fail("export_dir must be a folder name")
    out.export_dir = folder
    alerts = data.get("alerts", [])
    if not isinstance(alerts, list):
        raise fail("alerts must be [[alerts]] tables")
    for n, table in enumerate(alerts, 1):
        try:
            out.alerts.append(spec_from_table(table))
        except ValueError as exc:
            raise fail(f"alerts #{n}: {exc}") from None
    return out


# ----------------------------------------------------------------- the trader's ladder
_LADDER = {"volume_window", "liquidity_window", "recentre_band", "imbalance_bps",
           "large_factor", "large_order", "short_prices", "mode"}
_TAPE = {"big_trade", "min_trade", "merge"}
_SIZES = {"large_order", "big_trade", "min_trade"}


def _table(data: dict[str, Any], name: str, fail: Fail) -> dict[str, Any]:
    table = data.get(name, {})
    if not isinstance(table, dict):
        raise fail(f"[{name}] must be a table")
    return table


def _number(value: object, where: str, fail: Fail, *, positive: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(
            value) or value < 0 or (positive and value == 0):
        raise fail(f"{where} must be a number {'above' if positive else 'of'} 0"
                   f"{'' if positive else ' or more'}")
    return float(value)


def _size(value: object, where: str, fail: Fail) -> Decimal:
    """A size as typed (1.5 stays 1.5: the float's shortest repr, not its binary value)."""
    return Decimal(repr(_number(value, where, fail))) if isinstance(value, float) else Decimal(
        int(_number(value, where, fail)))


def _tiers(value: object, where: str, fail: Fail) -> tuple[Decimal, ...]:
    items = value if isinstance(value, list) else [value]
    if not 1 <= len(items) <= MAX_TIERS:
        raise fail(f"{where} must be a size or a list of 1 to {MAX_TIERS} sizes")
    tiers = tuple(_size(item, where, fail) for item in items)
    if list(tiers) != sorted(set(tiers)):
        raise fail(f"{where} tiers must be ascending, e.g. [1, 5, 25]")
    return tiers


def _optional_size(table: dict[str, Any], name: str, section: str,
                   fail: Fail) -> Decimal | None:
    """A size, or None when absent. 0 stays 0: off, even where a wider setting is on."""
    if name not in table:
        return None
    return _size(table[name], f"{section}.{name}", fail)


def _sizes(table: dict[str, Any], section: str, fail: Fail,
           large_order: Decimal | None = None) -> MarketSizes:
    big = table.get("big_trade")
    return MarketSizes(
        _optional_size(table, "large_order", section, fail) if large_order is None
        else large_order,
        _optional_size(table, "min_trade", section, fail),
        None if big is None else _tiers(big, f"{section}.big_trade", fail))


def _unknown(table: dict[str, Any], known: set[str], section: str, fail: Fail) -> None:
    extra = sorted(set(table) - known)
    if extra:
        raise fail(f"unknown setting {section}.{extra[0]} (known: {', '.join(sorted(known))})")


def _trader(data: dict[str, Any], fail: Fail) -> TraderSettings:
    """[ladder], [tape] and [market.NAME]: every figure of the trader's ladder."""
    from dfx_tui.book.codec import normalize_market

    ladder, tape = _table(data, "ladder", fail), _table(data, "tape", fail)
    _unknown(ladder, _LADDER, "ladder", fail)
    _unknown(tape, _TAPE, "tape", fail)
    defaults = TraderSettings()
    windows = {}
    for name in ("volume_window", "liquidity_window", "imbalance_bps"):
        windows[name] = (_number(ladder[name], f"ladder.{name}", fail, positive=True)
                         if name in ladder else getattr(defaults, name))
    band = ladder.get("recentre_band", defaults.recentre_band)
    if not 0 <= _number(band, "ladder.recentre_band", fail) <= 1:
        raise fail("ladder.recentre_band must be between 0 and 1")
    factor: float | None = defaults.large_factor
    if "large_factor" in ladder:
        factor = _number(ladder["large_factor"], "ladder.large_factor", fail) or None
    short = ladder.get("short_prices", "auto")
    if short not in ("auto", True, False):
        raise fail('ladder.short_prices must be "auto", true or false')
    mode = ladder.get("mode", "compact")
    if mode not in ("compact", "price"):
        raise fail('ladder.mode must be "compact" or "price"')
    merge = tape.get("merge", False)
    if not isinstance(merge, bool):
        raise fail("tape.merge must be true or false")
    sizes = _sizes(tape, "tape", fail, _optional_size(ladder, "large_order", "ladder", fail))
    markets: dict[str, MarketSizes] = {}
    for name, table in _table(data, "market", fail).items():
        try:
            key = normalize_market(str(name))
        except ValueError:
            raise fail(f"[market.{name!s:.40}]: not a market name") from None
        if not isinstance(table, dict):
            raise fail(f"[market.{key}] must be a table of sizes")
        _unknown(table, _SIZES, f"market.{key}", fail)
        markets[key] = _sizes(table, f"market.{key}", fail)
    return TraderSettings(
        volume_window=windows["volume_window"], liquidity_window=windows["liquidity_window"],
        recentre_band=float(band), imbalance_bps=windows["imbalance_bps"], large_factor=factor,
        short_prices=None if short == "auto" else bool(short), price_ladder=mode == "price",
        merge_trades=merge, sizes=sizes, markets=markets)
