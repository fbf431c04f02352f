"""One line per market: last price and direction, best bid/ask, spread, rolling volume."""

from __future__ import annotations

from rich.text import Text

from dfx_tui.book.state import Market
from dfx_tui.widgets.columns import compact
from dfx_tui.widgets.safe import sanitize
from dfx_tui.widgets.text_line import TextLine

VOLUME_WINDOW_S = 60.0

LABEL_STYLES = {
    "STALE": "bold #000000 on #d29922",
    "RESYNCING": "bold #000000 on #db6d28",
    "RECONNECTING": "bold #000000 on #d29922",
    "CONNECTING": "bold #000000 on #58a6ff",
    "WAITING": "bold #000000 on #58a6ff",
    "DOWN": "bold #ffffff on #da3633",
    "REJECTED": "bold #ffffff on #da3633",
}


def badge(text: Text, label: str, style: str) -> None:
    """Append ` LABEL ` on a coloured background (the leading pad as its own span)."""
    text.append(" ", style + " not italic")
    text.append(f"{label} ", style)


def header_text(market: Market, label: str | None) -> Text:
    """The header line as inert `Text`; `label` is the stale/resync marker or None if live."""
    book, tape = market.book, market.tape
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append(" ")
    text.append(f"{sanitize(market.name, 30)} ", "bold")
    if label:
        badge(text, label, LABEL_STYLES.get(label, "bold reverse"))
        text.append(" ")
    last = tape.last()
    if last is not None:
        direction = tape.last_direction()
        colour = "#4cc38a" if direction > 0 else "#f0716b" if direction < 0 else ""
        arrow = "▲" if direction > 0 else "▼" if direction < 0 else "="
        text.append(" ")
        text.append(f"{last.price} {arrow}", f"bold {colour}".strip())
    bid, ask = book.best_bid(), book.best_ask()
    text.append("  ")
    text.append(bid[0] if bid else "–", "bold #4cc38a")
    text.append(" ")
    text.append("× ", "dim")
    text.append(ask[0] if ask else "–", "bold #f0716b")
    spread = book.spread_text() if bid and ask else None
    if spread is not None:
        bps = book.spread_bps()
        text.append("  ")
        text.append("spr ", "dim")
        text.append(spread + (f" {bps:.1f}bps" if bps is not None else ""))
    buy, sell = tape.rolling_volume(VOLUME_WINDOW_S)
    text.append("  ")
    text.append("1m ", "dim")
    text.append(f"B {compact(buy)}", "#4cc38a")
    text.append(" ")
    text.append(f"S {compact(sell)}", "#f0716b")
    if market.status.error:
        text.append("  ")
        text.append(sanitize(market.status.error, 80), "#ff7b72")
    return text


class MarketHeader(TextLine):
    """The header line of a market pane; repainted by `update_view` only on change."""

    DEFAULT_CSS = """
    MarketHeader {
        height: 1;
        background: $boost;
    }
    """

    def __init__(self, market: Market, *, name: str | None = None, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.market = market
        self._key: tuple | None = None

    def update_view(self, label: str | None) -> bool:
        m = self.market
        key = (m.book.version, m.tape.version, label, m.status.error)
        if key == self._key:
            return False
        self._key = key
        return self.show(header_text(m, label))  # False: nothing shown here moved
