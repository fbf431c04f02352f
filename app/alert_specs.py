"""Alerts as the user writes them: one line of text (the command palette, the alerts screen)
or one `[[alerts]]` table of the config file, both into `book.alerts.AlertSpec`.

No Textual import here: the config file is read by `--once` too.

Text (case-insensitive; "alert" in front and the market are optional, the market defaults to
the one shown):

    [alert] [MARKET] price above|below LEVEL      the mid crosses LEVEL (also: mid)
    [alert] [MARKET] last above|below LEVEL       the last trade's price crosses LEVEL
    [alert] [MARKET] trade [>=] SIZE              a trade of SIZE or more
    [alert] [MARKET] spread [>] BPS [bps]         the spread wider than BPS
    [alert] [MARKET] imbalance [>|<] RATIO [within BPS [bps]]
                                                  (bids - asks) / (bids + asks) within BPS of
                                                  the mid (10 by default) beyond RATIO
                                                  (0.6: bids heavy; -0.6: asks heavy)

followed by `hysteresis H` (bps of the level for prices, bps for the spread, ratio units for
the imbalance) or, for trades, `cooldown SECONDS`.

Config file:

    [[alerts]]
    market = "BTC_USDT"
    price_above = 65000     # or price_below, last_above, last_below, trade_size, spread_bps,
                            # imbalance (a signed ratio; within_bps = 10 by default)
    hysteresis = 5          # optional, as above; trades: cooldown = seconds
"""

from __future__ import annotations

import math
from typing import Any

from dfx_tui.book.alerts import AlertKind, AlertSpec
from dfx_tui.book.codec import normalize_market
from dfx_tui.book.text import inert_text

EXAMPLE = "BTC_USDT price above 65000"
_UP = {"above": True, ">": True, ">=": True, "over": True, "below": False, "<": False,
       "<=": False, "under": False}
_FILLER = {"at", "least", "or", "more", "than", "wider", "beyond", "bps", "of", "size", ">",
           ">=", "above", "over"}
TABLE_KINDS = ("price_above", "price_below", "last_above", "last_below", "trade_size",
               "spread_bps", "imbalance")
TABLE_KEYS = {"market", "hysteresis", "cooldown", "within_bps", *TABLE_KINDS}


def _number(word: str, what: str) -> float:
    try:
        value = float(word)
    except ValueError:
        raise ValueError(f"{what} must be a number, not {inert_text(word, 20)!r}") from None
    if not math.isfinite(value):
        raise ValueError(f"{what} must be a finite number")
    return value


def _positive(value: float, what: str) -> float:
    if value <= 0:
        raise ValueError(f"{what} must be more than 0")
    return value


def parse_alert(text: str, default_market: str | None) -> AlertSpec:
    """The alert a line of text describes (see the module doc); ValueError says what is wrong."""
    words = text.replace(",", " ").lower().split()
    if words and words[0] in ("alert", "alerts"):
        words = words[1:]
    market = default_market
    if words:
        try:
            market = normalize_market(words[0])
            words = words[1:]
        except ValueError:
            pass
    if market is None:
        raise ValueError("which market? e.g. " + EXAMPLE)
    if not words:
        raise ValueError("say what to watch, e.g. " + EXAMPLE)
    kind, rest = words[0], words[1:]
    options: dict[str, float] = {}
    for name in ("hysteresis", "cooldown", "within"):
        if name in rest:
            i = rest.index(name)
            if i + 1 >= len(rest):
                raise ValueError(f"{name} needs a number")
            options[name] = _number(rest[i + 1], name)
            del rest[i:i + 2]
    if kind in ("price", "mid", "last"):
        if not rest or rest[0] not in _UP:
            raise ValueError(f"{kind} above or below what? e.g. {kind} above 65000")
        up = _UP[rest[0]]
        level = _positive(_number(_one(rest[1:], "a price"), "the price"), "the price")
        spec = AlertSpec.price(market, level, up, last=kind == "last",
                               hysteresis_bps=options.get("hysteresis", 5.0))
    elif kind == "trade":
        size = _positive(_number(_one(_drop(rest), "a size"), "the size"), "the size")
        spec = AlertSpec.trade(market, size, cooldown=options.get("cooldown", 0.0))
    elif kind == "spread":
        bps = _positive(_number(_one(_drop(rest), "bps"), "the spread"), "the spread")
        spec = AlertSpec.spread(market, bps, hysteresis_bps=options.get("hysteresis", 1.0))
    elif kind == "imbalance":
        below = bool(rest) and rest[0] in ("<", "<=", "below", "under")
        ratio = _number(_one(_drop([w for w in rest if w not in ("<", "<=", "below",
                                                                    "under")]), "a ratio"),
                        "the ratio")
        if below and ratio > 0:
            ratio = -ratio
        spec = _imbalance(market, ratio, options.get("within", 10.0),
                          options.get("hysteresis", 0.05))
    else:
        raise ValueError(f"unknown alert {inert_text(kind, 20)!r}: use price, last, trade, "
                         "spread or imbalance")
    if "cooldown" in options and kind != "trade":
        raise ValueError("cooldown is for trade alerts (the others re-arm by hysteresis)")
    if "hysteresis" in options and kind == "trade":
        raise ValueError("a trade alert waits by cooldown SECONDS, not hysteresis")
    _check(spec)
    return spec


def _drop(words: list[str]) -> list[str]:
    return [w for w in words if w not in _FILLER]


def _one(words: list[str], what: str) -> str:
    if len(words) != 1:
        raise ValueError(f"expected {what}" + (f", not {' '.join(words)[:30]!r}" if words
                                              else ""))
    return words[0]


def _imbalance(market: str, ratio: float, within: float, hysteresis: float) -> AlertSpec:
    if not 0 < abs(ratio) < 1:
        raise ValueError("the imbalance ratio is between -1 and 1 (not 0)")
    return AlertSpec.imbalance(market, ratio, within_bps=_positive(within, "within"),
                               hysteresis=hysteresis)


def _check(spec: AlertSpec) -> None:
    if spec.hysteresis < 0:
        raise ValueError("hysteresis and cooldown must be 0 or more")


def spec_from_table(table: object) -> AlertSpec:
    """One `[[alerts]]` table of the config file (see the module doc)."""
    if not isinstance(table, dict):
        raise ValueError("each [[alerts]] entry must be a table")
    unknown = sorted(set(table) - TABLE_KEYS)
    if unknown:
        raise ValueError(f"unknown key {inert_text(str(unknown[0]), 30)!r} "
                         f"(known: {', '.join(sorted(TABLE_KEYS))})")
    market = table.get("market")
    if not isinstance(market, str):
        raise ValueError("market = \"BASE_QUOTE\" is required")
    try:
        market = normalize_market(market)
    except ValueError:
        raise ValueError(f"not a market name: {inert_text(market, 40)!r}") from None
    kinds = [k for k in TABLE_KINDS if k in table]
    if len(kinds) != 1:
        raise ValueError(f"give exactly one of {', '.join(TABLE_KINDS)}")
    kind = kinds[0]
    value = _table_number(table, kind)
    options = {k: _table_number(table, k) for k in ("hysteresis", "cooldown", "within_bps")
               if k in table}
    if "cooldown" in options and kind != "trade_size":
        raise ValueError("cooldown is for trade_size alerts")
    if "within_bps" in options and kind != "imbalance":
        raise ValueError("within_bps is for imbalance alerts")
    if "hysteresis" in options and kind == "trade_size":
        raise ValueError("a trade_size alert waits by cooldown (seconds), not hysteresis")
    if kind in ("price_above", "price_below", "last_above", "last_below"):
        spec = AlertSpec.price(market, _positive(value, kind), kind.endswith("above"),
                               last=kind.startswith("last"),
                               hysteresis_bps=options.get("hysteresis", 5.0))
    elif kind == "trade_size":
        spec = AlertSpec.trade(market, _positive(value, kind),
                               cooldown=options.get("cooldown", 0.0))
    elif kind == "spread_bps":
        spec = AlertSpec.spread(market, _positive(value, kind),
                                hysteresis_bps=options.get("hysteresis", 1.0))
    else:
        spec = _imbalance(market, value, options.get("within_bps", 10.0),
                          options.get("hysteresis", 0.05))
    _check(spec)
    return spec


def _table_number(table: dict[str, Any], key: str) -> float:
    value = table[key]
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(
            value):
        raise ValueError(f"{key} must be a number")
    return float(value)


def num(value: float) -> str:
    """A figure as typed: 65000.25, not 65000.2 (`:g` keeps 6 digits) nor 65000.250000."""
    return f"{value:.12g}"


def describe(spec: AlertSpec) -> str:
    """One line saying what an alert watches (the alerts screen, the palette)."""
    name, level, band = inert_text(spec.market, 40), num(spec.threshold), num(spec.hysteresis)
    if spec.kind is AlertKind.TRADE:
        cool = f", cooldown {band} s" if spec.hysteresis else ""
        return f"{name} trade of {level} or more{cool}"
    if spec.kind is AlertKind.SPREAD:
        return f"{name} spread wider than {level} bps (re-arms {band} bps back)"
    if spec.kind is AlertKind.IMBALANCE:
        sign = "+" if spec.threshold > 0 else ""
        return (f"{name} imbalance beyond {sign}{level} within {num(spec.within_bps)} bps "
                f"(re-arms {band} back)")
    what = "mid price" if spec.kind is AlertKind.MID else "last price"
    way = "above" if spec.up else "below"
    return f"{name} {what} {way} {level} (re-arms {band} bps back)"
