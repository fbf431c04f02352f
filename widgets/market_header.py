"""One line per market: last price and direction, best bid/ask, spread, the imbalance near
mid with the micro-price, rolling volume, and the 24 h figures of its ticker when one arrived."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from rich.style import Style
from rich.text import Text

from dfx_tui.book.depth_signals import DEFAULT_IMBALANCE_BPS, imbalance
from dfx_tui.book.orderbook import OrderBook
from dfx_tui.book.state import Market
from dfx_tui.book.tape import TradeTape
from dfx_tui.widgets.columns import PAD, compact
from dfx_tui.widgets.imbalance_bar import imbalance_runs, micro_runs
from dfx_tui.widgets.safe import sanitize
from dfx_tui.widgets.sparkline import Sparkline
from dfx_tui.widgets.text_line import Run, TextLine, runs_text, style_of
from dfx_tui.widgets.ticker_text import ticker_runs

VOLUME_WINDOW_S = 60.0

LABELS = ("STALE", "RESYNCING", "RECONNECTING", "CONNECTING", "WAITING", "DOWN", "REJECTED")
UNKNOWN_LABEL = Style(bold=True, reverse=True)
_BOLD, _DIM = Style(bold=True), Style(dim=True)


def badge_runs(label: str, style: Style) -> list[Run]:
    """` LABEL ` on a coloured background (the leading pad as its own span)."""
    return [(" ", style + PAD), (f"{label} ", style)]


def badge(text: Text, label: str, style: Style) -> None:
    """Append the badge (`badge_runs`) to `text`."""
    for run, run_style in badge_runs(label, style):
        text.append(run, run_style)


class HeaderParts:
    """The header's parts as runs, each kept while what it is read from stands: the touch's
    figures (spread, its bps, the micro-price: Decimal work) while the best bid and ask
    texts are the same, the last trade and rolling volume while the tape's version is.
    A paint rebuilds the header whenever the book moved, and most of what it shows did
    not: with `depth_signals._size_within` and `runs_text`, header_text 130 -> 75 us a
    paint (a model step between calls on the bench's BTC book, 3 interleaved pairs).
    Parts made with other styles are not reused."""

    def __init__(self) -> None:
        self._styles: Mapping[str, Style] | None = None
        self._kept: dict[str, tuple[object, list[Run]]] = {}

    def clear(self) -> None:
        self._kept.clear()

    def part(self, name: str, key: object, styles: Mapping[str, Style],
             make: Callable[[], list[Run]]) -> list[Run]:
        """The runs `make()` gives, kept under `name` while `key` and `styles` hold."""
        if styles is not self._styles:
            self._kept.clear()
            self._styles = styles
        kept = self._kept.get(name)
        if kept is not None and kept[0] == key:
            return kept[1]
        runs = make()
        self._kept[name] = (key, runs)
        return runs


def _trade_runs(tape: TradeTape, st: Mapping[str, Style]) -> list[Run]:
    last = tape.last()
    if last is None:
        return []
    direction = tape.last_direction()
    arrow = "▲" if direction > 0 else "▼" if direction < 0 else "="
    price_style = (style_of(st, "rise") if direction > 0 else
                   style_of(st, "fall") if direction < 0 else _BOLD)
    return [(" ", None), (f"{last.price} {arrow}", price_style)]


def _touch_runs(book: OrderBook, bid: tuple[str, str] | None, ask: tuple[str, str] | None,
                st: Mapping[str, Style]) -> list[Run]:
    runs: list[Run] = [("  ", None), (bid[0] if bid else "–", style_of(st, "bid")), (" ", None),
                       ("× ", _DIM), (ask[0] if ask else "–", style_of(st, "ask"))]
    spread = book.spread_text() if bid and ask else None
    if spread is not None:
        bps = book.spread_bps()
        runs += [("  ", None), ("spr ", _DIM),
                 (spread + (f" {bps:.1f}bps" if bps is not None else ""), None)]
    return runs


def _volume_runs(tape: TradeTape, st: Mapping[str, Style]) -> list[Run]:
    buy, sell = tape.rolling_volume(VOLUME_WINDOW_S)  # over the tape's own newest time
    return [("  ", None), ("1m ", _DIM), (f"B {compact(buy)}", style_of(st, "buy")),
            (" ", None), (f"S {compact(sell)}", style_of(st, "sell"))]


def header_runs(market: Market, label: str | None, st: Mapping[str, Style],
                imbalance_bps: float | None, spark: str | None, parts: HeaderParts) -> list[Run]:
    """The header line as runs (see `header_text`), its unchanged parts from `parts`."""
    book, tape = market.book, market.tape
    runs: list[Run] = [(" ", None), (f"{sanitize(market.name, 30)} ", _BOLD)]
    if label:
        runs += badge_runs(label, st.get(f"label-{label.lower()}", UNKNOWN_LABEL))
        runs.append((" ", None))
    runs += parts.part("trade", (tape, tape.version), st, lambda: _trade_runs(tape, st))
    bid, ask = book.best_bid(), book.best_ask()
    touch = (bid, ask, book.price_decimals)
    runs += parts.part("touch", touch, st, lambda: _touch_runs(book, bid, ask, st))
    if imbalance_bps is not None:
        imb = imbalance(book, imbalance_bps)  # its levels change with nearly every delta
        if imb is not None:
            runs += imbalance_runs(imb, st)
            runs += parts.part("micro", touch, st, lambda: micro_runs(book))
    runs += parts.part("volume", (tape, tape.version), st, lambda: _volume_runs(tape, st))
    if spark:
        runs += [("  ", None), (spark, style_of(st, "sparkline"))]
    if market.status.error:
        runs += [("  ", None), (sanitize(market.status.error, 80), style_of(st, "error"))]
    # 24 h change, high, low, quote volume
    figures = parts.part("ticker", (market.ticker, market.ticker_version), st,
                         lambda: ticker_runs(market.ticker, st))
    if figures:
        runs.append(("  ", None))
        runs += figures
    return runs


def header_text(market: Market, label: str | None,
                styles: Mapping[str, Style] | None = None,
                imbalance_bps: float | None = DEFAULT_IMBALANCE_BPS,
                spark: str | None = None, parts: HeaderParts | None = None) -> Text:
    """The header line as inert `Text`; `label` is the stale/resync marker or None if live.

    `imbalance_bps`: the imbalance bar counts levels within this many bps of mid (None: no
    bar).

    `styles` are the header's component styles by name (`rise`, `bid`, `label-stale`, ...);
    without them the line has no colours. `spark`: the mid-price sparkline, if any.
    `parts`: the parts of the last line, kept for the next (`HeaderParts`).
    """
    st: Mapping[str, Style] = styles or {}
    return runs_text(header_runs(market, label, st, imbalance_bps, spark,
                                 HeaderParts() if parts is None else parts))


class MarketHeader(TextLine):
    """The header line of a market pane; repainted by `update_view` only on change."""

    DEFAULT_CSS = """
    MarketHeader {
        height: 1;
        background: $boost;
    }
    MarketHeader > .header--rise { color: $bid; text-style: bold; }
    MarketHeader > .header--fall { color: $ask; text-style: bold; }
    MarketHeader > .header--bid { color: $bid; text-style: bold; }
    MarketHeader > .header--ask { color: $ask; text-style: bold; }
    MarketHeader > .header--buy { color: $bid; }
    MarketHeader > .header--sell { color: $ask; }
    MarketHeader > .header--error { color: $error-text; }
    MarketHeader > .header--sparkline { color: $sparkline; }
    MarketHeader > .header--label-stale, MarketHeader > .header--label-reconnecting {
        background: $state-stale; color: $badge-text; text-style: bold;
    }
    MarketHeader > .header--label-resyncing {
        background: $state-resyncing; color: $badge-text; text-style: bold;
    }
    MarketHeader > .header--label-connecting, MarketHeader > .header--label-waiting {
        background: $state-connecting; color: $badge-text; text-style: bold;
    }
    MarketHeader > .header--label-down, MarketHeader > .header--label-rejected {
        background: $state-down; color: $badge-text; text-style: bold;
    }
    """

    COMPONENT_CLASSES = {
        "header--rise", "header--fall", "header--bid", "header--ask", "header--buy",
        "header--sell", "header--error", "header--sparkline",
        *(f"header--label-{label.lower()}" for label in LABELS),
    }

    def __init__(self, market: Market, *, imbalance_bps: float | None = DEFAULT_IMBALANCE_BPS,
                 name: str | None = None, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.market = market
        self.imbalance_bps = imbalance_bps
        self._label: str | None = None
        self._key: tuple[object, ...] | None = None
        self.sparkline = Sparkline()
        self._wall_now: float | None = None
        self._parts = HeaderParts()

    def show_market(self, market: Market) -> None:
        """Show another market's line at the next `update_view`."""
        self.market = market
        self.sparkline = Sparkline()  # its cache is of the old market's mids
        self._parts.clear()
        self._key = None

    def update_view(self, label: str | None, wall_now: float | None = None) -> bool:
        """`wall_now`: the histories' clock, for the mid sparkline (None: no sparkline)."""
        m = self.market
        spark = None if wall_now is None else self.sparkline.text(m.analytics.mids, wall_now)
        key = (m.book.version, m.tape.version, label, m.status.error, m.ticker_version, spark)
        if key == self._key:
            return False
        self._key = key
        self._label, self._wall_now = label, wall_now
        # False: nothing shown here moved
        return self.show_runs(header_runs(m, label, self.component_styles(),
                                          self.imbalance_bps, spark, self._parts))

    def changes_in(self, wall_now: float) -> float | None:
        """Seconds until the line changes with time alone: the sparkline sliding (None:
        it shows nothing, or no sparkline was asked for)."""
        if self._wall_now is None:
            return None
        return self.sparkline.changes_in(self.market.analytics.mids, wall_now)

    def restyle(self) -> None:
        self._key = None
        self._parts.clear()
        self.update_view(self._label, self._wall_now)
