"""How often Textual may write to the terminal on its own: `TEXTUAL_FPS`.

A widget's refresh only marks lines dirty; Textual draws them on its screen-update timer,
which runs at `TEXTUAL_FPS` (default 60) from when the screen last went idle. Our own paint
clock (app/paint_clock.py) already decides when to paint, so that timer only added 0-17 ms
between a paint and the terminal: bench_app measured 10-12 ms p50 and 22-30 ms p99 from a
clock tick to the screen. At 500 the update follows within 2 ms; it never draws more often,
since nothing is dirty between our paints. (A paint now writes in its own call, see
app/screen_updates.py; this still covers what Textual draws on its own.)

The variable is read when Textual is first imported, so `cli.main` sets it before importing
the UI; a value the user set is kept. This module imports nothing of Textual for that reason.
"""

from __future__ import annotations

import os

SCREEN_UPDATE_FPS = 500


def follow_paint_clock() -> None:
    """Make Textual's screen updates follow our paints (before Textual is imported)."""
    os.environ.setdefault("TEXTUAL_FPS", str(SCREEN_UPDATE_FPS))
