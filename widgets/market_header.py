"""One line per market: last price and direction, best bid/ask, spread, the imbalance near
mid with the micro-price, rolling volume, and the 24 h figures of its ticker when one arrived."""

from __future__ import annotations

from collections.abc import Mapping

from rich.style import Style
from rich.text import Text

from dfx_tui.book.depth_signals import DEFAULT_IMBALANCE_BPS
from dfx_tui.book.state import Market
from dfx_tui.widgets.columns import compact
from dfx_tui.widgets.imbalance_bar import append_imbalance
from dfx_tui.widgets.safe import sanitize
from dfx_tui.widgets.sparkline import Sparkline
from dfx_tui.widgets.text_line import TextLine, style_of
from dfx_tui.widgets.ticker_text import ticker_segment

VOLUME_WINDOW_S = 60.0

LABELS = ("STALE", "RESYNCING", "RECONNECTING", "CONNECTING", "WAITING", "DOWN", "REJECTED")
UNKNOWN_LABEL = Style(bold=True, reverse=True)
_BOLD, _DIM = Style(bold=True), Style(dim=True)
_NOT_ITALIC = Style(italic=False)  # renders like no change, but keeps the pad a span of its own


def badge(text: Text, label: str, style: Style) -> None:
    """Append ` LABEL ` on a coloured background (the leading pad as its own span)."""
    text.append(" ", style + _NOT_ITALIC)
    text.append(f"{label} ", style)


def header_text(market: Market, label: str | None,
                styles: Mapping[str, Style] | None = None,
                imbalance_bps: float | None = DEFAULT_IMBALANCE_BPS,
                spark: str | None = None) -> Text:
    """The header line as inert `Text`; `label` is the stale/resync marker or None if live.

    `imbalance_bps`: the imbalance bar counts levels within this many bps of mid (None: no
    bar).

    `styles` are the header's component styles by name (`rise`, `bid`, `label-stale`, ...);
    without them the line has no colours. `spark`: the mid-price sparkline, if any.
    """
    st: Mapping[str, Style] = styles or {}
    book, tape = market.book, market.tape
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append(" ")
    text.append(f"{sanitize(market.name, 30)} ", _BOLD)
    if label:
        badge(text, label, st.get(f"label-{label.lower()}", UNKNOWN_LABEL))
        text.append(" ")
    last = tape.last()
    if last is not None:
        direction = tape.last_direction()
        arrow = "▲" if direction > 0 else "▼" if direction < 0 else "="
        price_style = (style_of(st, "rise") if direction > 0 else
                       style_of(st, "fall") if direction < 0 else _BOLD)
        text.append(" ")
        text.append(f"{last.price} {arrow}", price_style)
    bid, ask = book.best_bid(), book.best_ask()
    text.append("  ")
    text.append(bid[0] if bid else "–", style_of(st, "bid"))
    text.append(" ")
    text.append("× ", _DIM)
    text.append(ask[0] if ask else "–", style_of(st, "ask"))
    spread = book.spread_text() if bid and ask else None
    if spread is not None:
        bps = book.spread_bps()
        text.append("  ")
        text.append("spr ", _DIM)
        text.append(spread + (f" {bps:.1f}bps" if bps is not None else ""))
    if imbalance_bps is not None:
        append_imbalance(text, book, imbalance_bps, st)
    buy, sell = tape.rolling_volume(VOLUME_WINDOW_S)
    text.append("  ")
    text.append("1m ", _DIM)
    text.append(f"B {compact(buy)}", style_of(st, "buy"))
    text.append(" ")
    text.append(f"S {compact(sell)}", style_of(st, "sell"))
    if spark:
        text.append("  ")
        text.append(spark, style_of(st, "sparkline"))
    if market.status.error:
        text.append("  ")
        text.append(sanitize(market.status.error, 80), style_of(st, "error"))
    figures = ticker_segment(market.ticker, st)  # 24 h change, high, low, quote volume
    if figures:
        text.append("  ")
        text.append_text(figures)
    return text


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

    def show_market(self, market: Market) -> None:
        """Show another market's line at the next `update_view`."""
        self.market = market
        self.sparkline = Sparkline()  # its cache is of the old market's mids
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
        return self.show(header_text(m, label, self.component_styles(), self.imbalance_bps,
                                     spark))

    def changes_in(self, wall_now: float) -> float | None:
        """Seconds until the line changes with time alone: the sparkline sliding (None:
        it shows nothing, or no sparkline was asked for)."""
        if self._wall_now is None:
            return None
        return self.sparkline.changes_in(self.market.analytics.mids, wall_now)

    def restyle(self) -> None:
        self._key = None
        self.update_view(self._label, self._wall_now)
