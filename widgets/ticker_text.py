"""24 h ticker figures as inert `Text`: the market header's segment and the add-market rows.

Every figure is the exact decimal text the server sent (validated by `book.ticker`); only the
quote volume is shortened (12.29M). The change is coloured by its sign with the caller's
`rise` / `fall` styles (theme variables), or not at all without them. A missing ticker or
figure shows nothing: a ticker can only ever cost its own figures.
"""

from __future__ import annotations

from collections.abc import Mapping

from rich.style import Style
from rich.text import Text

from dfx_tui.book.catalog import MarketCatalog
from dfx_tui.book.ticker import Ticker
from dfx_tui.widgets.columns import PAD, compact
from dfx_tui.widgets.safe import sanitize
from dfx_tui.widgets.text_line import Run, style_of

_DIM = Style(dim=True)


def change_style(ticker: Ticker, styles: Mapping[str, Style]) -> Style:
    change = ticker.change_pct
    if change is None or change == 0:
        return Style()
    return style_of(styles, "rise" if change > 0 else "fall")


def volume_text(ticker: Ticker) -> str | None:
    """The 24 h quote volume, short: "12.29M USDT"; None when not sent."""
    if ticker.quote_volume_24h is None:
        return None
    return f"{compact(ticker.quote_volume_value)} {sanitize(ticker.quote, 24)}"


def ticker_runs(ticker: Ticker | None, styles: Mapping[str, Style] | None = None) -> list[Run]:
    """The header's 24 h figures as runs: "24h +1.25%  H 66000.00  L 64000.00  vol 12.29M
    USDT"; none when no ticker arrived (a figure not sent is left out)."""
    runs: list[Run] = []
    if ticker is None:
        return runs
    st: Mapping[str, Style] = styles or {}
    figures = (("24h ", ticker.change_text(), change_style(ticker, st)),
               ("H ", ticker.high_24h, None), ("L ", ticker.low_24h, None),
               ("vol ", volume_text(ticker), None))
    for label, value, style in figures:
        if value is not None:
            if runs:
                runs.append(("  ", None))
            runs += [(label, _DIM), (value, style)]
    return runs


# The add-market list: symbol, last, change, volume, in fixed columns.
ROW_WIDTHS = (14, 14, 9, 14)
# Padding as spans of their own: exported SVGs put each span in its own <text> element, and
# librsvg drops leading spaces inside one (widgets/columns.lead_split); this style renders as
# no change but keeps a pad apart from its neighbour.


def _right(text: Text, value: str, width: int, style: Style) -> None:
    if len(value) < width:
        text.append(" " * (width - len(value)), PAD)
    text.append(value, style)


def ticker_row(ticker: Ticker, styles: Mapping[str, Style] | None = None) -> Text:
    """One market of the catalogue: "BTC_USDT   65002.41  -2.56%  12.29M USDT"."""
    st: Mapping[str, Style] = styles or {}
    w_symbol, w_last, w_change, w_volume = ROW_WIDTHS
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append(sanitize(ticker.symbol, 40), Style(bold=True))
    _right(text, ticker.last, w_last + max(0, w_symbol - len(text)), Style())
    _right(text, ticker.change_text() or "", w_change, change_style(ticker, st))
    _right(text, volume_text(ticker) or "", w_volume, _DIM)
    return text


def ticker_summary(ticker: Ticker) -> str:
    """One plain line: "last 65002.41 · -2.56% · vol 12.29M USDT" (the palette's help)."""
    parts = [f"last {ticker.last}", ticker.change_text(), volume_text(ticker)]
    return " · ".join(p for p in parts if p)


def catalog_of(app: object) -> MarketCatalog | None:
    """The market catalogue of the app's feed, if its feed keeps one (a `FeedClient` does;
    a fixed feed in a test may). Widgets never import the app: they ask this."""
    catalog = getattr(getattr(app, "feed", None), "catalog", None)
    return catalog if isinstance(catalog, MarketCatalog) else None
