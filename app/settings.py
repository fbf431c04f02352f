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
    [[alerts]]              # one table per alert, see app/alert_specs.py
    market = "BTC_USDT"
    price_above = 65000
"""

from __future__ import annotations

import math
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dfx_tui.app.alert_specs import spec_from_table
from dfx_tui.book.alerts import AlertSpec

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
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"config file {target}: {' '.join(str(exc).split())}") from None
    return _parse(target, data)


def _parse(path: Path, data: dict[str, Any]) -> FileSettings:
    from dfx_tui.book.codec import normalize_market

    def fail(why: str) -> ConfigError:
        return ConfigError(f"config file {path}: {why}")

    out = FileSettings(path=path)
    known = {"markets", "url", "fps", "theme", "big_trade", "min_trade", "keys", "alerts",
             "export_dir"}
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
