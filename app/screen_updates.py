"""When Textual writes a paint to the terminal: at once, not on a clock of its own.

A widget's refresh only marks lines dirty; Textual draws them on its screen-update timer,
which runs at `TEXTUAL_FPS` (default 60) from when the screen last went idle. Our own paint
clock (app/paint_clock.py) already decides when to paint, so that timer only added 0-17 ms
between a paint and the terminal: bench_app measured 10-12 ms p50 and 22-30 ms p99 from a
clock tick to the screen. At 500 the update follows within 2 ms; it never draws more often,
since nothing is dirty between our paints.

The variable is read when Textual is first imported, so `cli.main` sets it before importing
the UI; a value the user set is kept.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from textual.screen import Screen

SCREEN_UPDATE_FPS = 500


def follow_paint_clock() -> None:
    """Make Textual's screen updates follow our paints (before Textual is imported)."""
    os.environ.setdefault("TEXTUAL_FPS", str(SCREEN_UPDATE_FPS))


def draw_now(screen: Screen[Any]) -> bool:
    """Write what a paint marked dirty to the terminal now, in the paint's own call.

    A widget's refresh reaches the terminal in four trips through the event loop: the
    widget's idle event posts an Update to the screen, the screen's handler marks it dirty,
    the screen's idle event starts its update timer, the timer composes and writes. At
    5,000 msg/s each trip waits behind the frames read meanwhile: bench_app measured the
    clock tick to the screen at p50 10 ms, p99 23 ms (the paint itself ~5 ms). This takes
    the repainted widgets straight to the timer's own update. It uses Textual internals,
    so anything unexpected leaves the work to Textual's path (tests/test_ui_paint.py checks
    that the installed Textual takes this one). False when it drew nothing."""
    try:
        if not screen.is_current or screen.app._batch_count:
            return False
        dirty = [widget for widget in screen._compositor.visible_widgets
                 if widget._repaint_required and widget._repaint_regions]
        if not dirty and not screen._dirty_widgets:
            return False
        for widget in dirty:
            widget._repaint_required = False  # its idle event would post the same Update
        screen._dirty_widgets.update(dirty)
        screen._on_timer_update()
    except AttributeError:
        return False
    return True
