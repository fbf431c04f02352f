"""How one market is shown: the settings a trader changes per market (grouping, depth, ...).

The screen keeps one `MarketViewState` per open market; the market view shows whichever
market is active with that market's state, so switching tabs restores each market's settings
without keeping a widget tree per market. Widgets read and change it; it holds no widget.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

# What the body shows beside the tape: the ladder, or a chart in its place.
BodyView = Literal["ladder", "heatmap", "depth"]


@dataclass(slots=True)
class MarketViewState:
    """Per-market view settings (fields are added by the features that own them)."""

    group_index: int = 0  # index into book.numbers.HUMAN_STEPS
    depth_mode: int = 0  # ladder rows per side: 0 = fit the height
    # Issue 13, the charts. One field for the body, so the heatmap and the depth chart are
    # never both "shown".
    body: BodyView = "ladder"
    depth_bps: int = 10  # depth chart range, +- bps of the mid (book.depth_chart.BPS_STEPS)
    heatmap_seconds: int = 5  # heatmap: seconds of history per column
    heatmap_group: int = 0  # heatmap price rows: 0 = fit the book, else HUMAN_STEPS index + 1
