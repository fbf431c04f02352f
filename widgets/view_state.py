"""How one market is shown: the settings a trader changes per market (grouping, depth, ...).

The screen keeps one `MarketViewState` per open market; the market view shows whichever
market is active with that market's state, so switching tabs restores each market's settings
without keeping a widget tree per market. Widgets read and change it; it holds no widget.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(slots=True)
class MarketViewState:
    """Per-market view settings (fields are added by the features that own them)."""

    group_index: int = 0  # index into book.numbers.HUMAN_STEPS
    depth_mode: int = 0  # ladder rows per side: 0 = fit the height
