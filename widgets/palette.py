"""The book's colours as theme variables: their names, their defaults, and dfx-tui's themes.

Widgets colour themselves with `$bid`, `$ask`, `$stale`, ... in their DEFAULT_CSS. The app
returns `theme_variables(app.current_theme)` from `App.get_theme_variable_defaults`, so every
Textual theme colours the book:

- `textual-dark` (Textual's default) keeps the hand-picked look of `DFX_DARK`;
- any other theme gets colours derived from its own success, error, warning, primary and
  background (`derived_variables`), nudged until the text reads on that background;
- a theme's own `variables` win over both (Textual merges them on top), which is how the two
  themes shipped here, `dfx-colorblind` and `dfx-ansi`, set every colour themselves.

An app hosting these widgets must provide the variables, or its CSS fails to parse.
This is the one module under widgets/ that may spell a colour in hex.
"""

from __future__ import annotations

import dataclasses

from textual.color import Color
from textual.theme import BUILTIN_THEMES, Theme

# What each variable colours (also the list of names every theme must end up with).
VARIABLES: dict[str, str] = {
    "bid": "bid prices and sizes, buy trades, the best bid, rising prices, buy volume",
    "ask": "ask prices and sizes, sell trades, the best ask, falling prices, sell volume",
    "bid-bar": "depth bars of the bids",
    "ask-bar": "depth bars of the asks",
    "flash-up": "background of a ladder size that just grew",
    "flash-down": "background of a ladder size that just shrank",
    "flash-text": "text on a flash",
    "big-buy": "background of a big buy trade on the tape",
    "big-sell": "background of a big sell trade on the tape",
    "big-trade-text": "text of a big trade",
    "big-buy-2": "background of a buy trade of the second large-trade tier",
    "big-sell-2": "background of a sell trade of the second large-trade tier",
    "big-buy-3": "background of a buy trade of the third large-trade tier",
    "big-sell-3": "background of a sell trade of the third large-trade tier",
    "ladder-cursor": "background of the ladder's cursor row",
    "large-order": "the mark of a large resting level",
    "liquidity-added": "size stacked at a level over the pulling window",
    "liquidity-pulled": "size pulled from a level over the pulling window",
    "stale": "the greyed book and tape while the data is not live",
    "state-connecting": "badge: connecting, waiting for a market",
    "state-live": "badge: live",
    "state-stale": "badge: stale, reconnecting",
    "state-resyncing": "badge: resyncing",
    "state-down": "badge: down, market rejected",
    "badge-demo": "badge: the demo tag",
    "badge-paused": "badge: paused",
    "badge-replay": "badge: replay (a recording plays, never live), and its position bar",
    "badge-text": "text on every badge",
    "warn-text": "warnings in the status bar (reconnects, rejected frames)",
    "error-text": "the last error, in the header and the status bar",
    "heat-low": "heatmap: the low end of the size scale (a small resting size)",
    "heat-mid": "heatmap: the middle of the size scale",
    "heat-high": "heatmap: the high end of the size scale (a high percentile and above)",
    "heat-gap": "heatmap: time with no data (reconnect, resync, before the first snapshot)",
    "heat-buy": "heatmap: buy trade marks",
    "heat-sell": "heatmap: sell trade marks",
    "depth-bid": "depth chart: the cumulative bids",
    "depth-ask": "depth chart: the cumulative asks",
    "depth-mid": "depth chart: the mid marker",
    "sparkline": "the mid-price sparkline in the market header",
}

# Textual's default theme, tuned by hand (the look of the screenshots).
DFX_DARK: dict[str, str] = {
    "bid": "#4cc38a",
    "ask": "#f0716b",
    "bid-bar": "#1f6b45",
    "ask-bar": "#7d2e2b",
    "flash-up": "#1f6f3f",
    "flash-down": "#8a2c28",
    "flash-text": "#ffffff",
    "big-buy": "#1f6f3f",
    "big-sell": "#8a2c28",
    "big-trade-text": "#ffffff",
    "big-buy-2": "#26894d",
    "big-sell-2": "#b3362f",
    "big-buy-3": "#2ea043",
    "big-sell-3": "#da3633",
    "ladder-cursor": "#334766",
    "large-order": "#e3b341",
    "liquidity-added": "#79c0ff",
    "liquidity-pulled": "#ffa657",
    "stale": "#6e7681",
    "state-connecting": "#58a6ff",
    "state-live": "#3fb950",
    "state-stale": "#d29922",
    "state-resyncing": "#db6d28",
    "state-down": "#da3633",
    "badge-demo": "#8957e5",
    "badge-paused": "#e3b341",
    "badge-replay": "#39c5cf",
    "badge-text": "auto 100%",  # black on the light badges, white on red and purple
    "warn-text": "#d29922",
    "error-text": "#ff7b72",
    "heat-low": "#14243a",
    "heat-mid": "#1f8a8a",
    "heat-high": "#ffd166",
    "heat-gap": "#3b3f46",
    "heat-buy": "#5cf2a8",
    "heat-sell": "#ff6b81",
    "depth-bid": "#2e8b57",
    "depth-ask": "#b5473f",
    "depth-mid": "#e3b341",
    "sparkline": "#58a6ff",
}

# Blue for bids, orange for asks: Okabe and Ito's palette, told apart by every common form of
# colour blindness (red/green is the pair most often confused).
COLORBLIND: dict[str, str] = {
    "bid": "#56b4e9",
    "ask": "#e69f00",
    "bid-bar": "#2f5a73",
    "ask-bar": "#7a5408",
    "flash-up": "#0072b2",
    "flash-down": "#9e5c00",
    "flash-text": "#ffffff",
    "big-buy": "#0072b2",
    "big-sell": "#9e5c00",
    "big-trade-text": "#ffffff",
    "big-buy-2": "#0086d1",
    "big-sell-2": "#b86b00",
    "big-buy-3": "#1a9fe8",
    "big-sell-3": "#d98200",
    "ladder-cursor": "#334766",
    "large-order": "#f0e442",
    "liquidity-added": "#009e73",
    "liquidity-pulled": "#cc79a7",
    "stale": "#6e7681",
    "state-connecting": "#56b4e9",
    "state-live": "#009e73",
    "state-stale": "#f0e442",
    "state-resyncing": "#e69f00",
    "state-down": "#d55e00",
    "badge-demo": "#cc79a7",
    "badge-paused": "#f0e442",
    "badge-replay": "#0072b2",
    "badge-text": "auto 100%",
    "warn-text": "#f0e442",
    "error-text": "#ff8f5a",
    # viridis: ordered by lightness, read the same by every common form of colour blindness
    "heat-low": "#3b0f50",
    "heat-mid": "#21918c",
    "heat-high": "#fde725",
    "heat-gap": "#3b3f46",
    "heat-buy": "#56b4e9",
    "heat-sell": "#ff8f5a",
    "depth-bid": "#2f7fb0",
    "depth-ask": "#b07a12",
    "depth-mid": "#f0e442",
    "sparkline": "#56b4e9",
}

# The terminal's own 16 colours: shown as ANSI codes, so the terminal's palette decides.
# No blends here (a blend of two ANSI colours is an RGB colour); bars and flashes use the
# plain colours and black text.
ANSI: dict[str, str] = {
    "bid": "ansi_green",
    "ask": "ansi_red",
    "bid-bar": "ansi_green",
    "ask-bar": "ansi_red",
    "flash-up": "ansi_green",
    "flash-down": "ansi_red",
    "flash-text": "ansi_black",
    "big-buy": "ansi_green",
    "big-sell": "ansi_red",
    "big-trade-text": "ansi_black",
    "big-buy-2": "ansi_bright_green",
    "big-sell-2": "ansi_bright_red",
    "big-buy-3": "ansi_bright_green",
    "big-sell-3": "ansi_bright_red",
    "ladder-cursor": "ansi_bright_black",
    "large-order": "ansi_yellow",
    "liquidity-added": "ansi_cyan",
    "liquidity-pulled": "ansi_magenta",
    "stale": "ansi_bright_black",
    "state-connecting": "ansi_blue",
    "state-live": "ansi_green",
    "state-stale": "ansi_yellow",
    "state-resyncing": "ansi_bright_yellow",
    "state-down": "ansi_red",
    "badge-demo": "ansi_magenta",
    "badge-paused": "ansi_cyan",
    "badge-replay": "ansi_bright_blue",
    "badge-text": "ansi_black",
    "warn-text": "ansi_yellow",
    "error-text": "ansi_red",
    "heat-low": "ansi_blue",
    "heat-mid": "ansi_cyan",
    "heat-high": "ansi_bright_yellow",
    "heat-gap": "ansi_bright_black",
    "heat-buy": "ansi_bright_green",
    "heat-sell": "ansi_bright_red",
    "depth-bid": "ansi_green",
    "depth-ask": "ansi_red",
    "depth-mid": "ansi_yellow",
    "sparkline": "ansi_cyan",
}

TUNED: dict[str, dict[str, str]] = {"textual-dark": DFX_DARK}

BAR_MIX = 0.4  # depth bars: this much of the side's colour over the background
FLASH_MIX = 0.55  # flashes and big trades: a little stronger than the bars
TIER2_MIX = 0.72  # the second and third large-trade tiers: stronger still
TIER3_MIX = 0.9
CURSOR_MIX = 0.3  # the cursor row: a tint of the theme's primary colour
STALE_MIX = 0.45  # greyed text: this much of the foreground over the background
TEXT_CONTRAST = 4.5  # derived text colours are nudged to at least this contrast ratio
HEAT_LOW_MIX, HEAT_MID_MIX = 0.15, 0.7  # heat scale: the primary colour over the background
GAP_MIX = 0.2  # heatmap gaps: a little of the foreground over the background
DEPTH_MIX = 0.7  # depth chart fills: most of the side's colour


def luminance(colour: Color) -> float:
    """Relative luminance (WCAG 2), 0 for black to 1 for white."""

    def linear(channel: int) -> float:
        s = channel / 255
        return s / 12.92 if s <= 0.03928 else float(((s + 0.055) / 1.055) ** 2.4)

    return 0.2126 * linear(colour.r) + 0.7152 * linear(colour.g) + 0.0722 * linear(colour.b)


def contrast(a: Color, b: Color) -> float:
    """WCAG contrast ratio of two colours, 1 (none) to 21 (black on white)."""
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def readable(text: Color, background: Color, ratio: float = TEXT_CONTRAST) -> Color:
    """`text`, lightened on a dark background or darkened on a light one until it reads."""
    dark = luminance(background) < 0.2
    for _ in range(30):
        if contrast(text, background) >= ratio:
            break
        text = text.lighten(0.02) if dark else text.darken(0.02)
    return text


def derived_variables(theme: Theme) -> dict[str, str]:
    """Every variable for a theme that names none, from the theme's own colours."""
    if theme.ansi:
        return dict(ANSI)
    system = theme.to_color_system().generate()

    def colour(name: str) -> Color:
        return Color.parse(system[name])

    bg, fg = colour("background"), colour("foreground")
    success, error, warning = colour("success"), colour("error"), colour("warning")
    primary = colour("primary")
    bid, ask = readable(success, bg), readable(error, bg)
    return {
        "bid": bid.hex,
        "ask": ask.hex,
        "bid-bar": bg.blend(success, BAR_MIX).hex,
        "ask-bar": bg.blend(error, BAR_MIX).hex,
        "flash-up": bg.blend(success, FLASH_MIX).hex,
        "flash-down": bg.blend(error, FLASH_MIX).hex,
        "flash-text": "auto 90%",
        "big-buy": bg.blend(success, FLASH_MIX).hex,
        "big-sell": bg.blend(error, FLASH_MIX).hex,
        "big-trade-text": "auto 90%",
        "big-buy-2": bg.blend(success, TIER2_MIX).hex,
        "big-sell-2": bg.blend(error, TIER2_MIX).hex,
        "big-buy-3": bg.blend(success, TIER3_MIX).hex,
        "big-sell-3": bg.blend(error, TIER3_MIX).hex,
        "ladder-cursor": bg.blend(colour("primary"), CURSOR_MIX).hex,
        "large-order": readable(warning, bg).hex,
        "liquidity-added": readable(colour("primary"), bg).hex,
        "liquidity-pulled": readable(colour("accent"), bg).hex,
        "stale": bg.blend(fg, STALE_MIX).hex,
        "state-connecting": primary.hex,
        "state-live": success.hex,
        "state-stale": warning.hex,
        "state-resyncing": warning.blend(error, 0.5).hex,
        "state-down": error.hex,
        "badge-demo": colour("accent").hex,
        "badge-paused": colour("secondary").hex,
        "badge-replay": colour("primary").blend(colour("accent"), 0.5).hex,
        "badge-text": "auto 90%",
        "warn-text": readable(warning, bg).hex,
        "error-text": readable(error, bg).hex,
        # The heat scale runs from near the background through the primary colour to the
        # warning colour: dark to bright, whatever the hues.
        "heat-low": bg.blend(primary, HEAT_LOW_MIX).hex,
        "heat-mid": bg.blend(primary, HEAT_MID_MIX).hex,
        "heat-high": warning.hex,
        "heat-gap": bg.blend(fg, GAP_MIX).hex,
        "heat-buy": readable(success, bg).lighten(0.1).hex,
        "heat-sell": readable(error, bg).lighten(0.1).hex,
        "depth-bid": bg.blend(success, DEPTH_MIX).hex,
        "depth-ask": bg.blend(error, DEPTH_MIX).hex,
        "depth-mid": warning.hex,
        "sparkline": readable(primary, bg).hex,
    }


def theme_variables(theme: Theme) -> dict[str, str]:
    """The defaults for `theme` (what `App.get_theme_variable_defaults` returns)."""
    return {**derived_variables(theme), **TUNED.get(theme.name, {})}


COLORBLIND_THEME = Theme(
    name="dfx-colorblind",
    primary="#0072b2",
    secondary="#56b4e9",
    accent="#e69f00",
    warning="#f0e442",
    error="#d55e00",
    success="#009e73",
    foreground="#e0e0e0",
    dark=True,
    variables=dict(COLORBLIND),
)

_ANSI_BASE = BUILTIN_THEMES["ansi-dark"]
ANSI_THEME = dataclasses.replace(_ANSI_BASE, name="dfx-ansi",
                                 variables={**_ANSI_BASE.variables, **ANSI})

THEMES: tuple[Theme, ...] = (COLORBLIND_THEME, ANSI_THEME)
