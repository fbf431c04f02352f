"""When a paint reaches the terminal: in the paint's own call, and past Textual's compositor
for the widgets that draw their own lines (see `draw_now` and `direct_lines`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from rich.segment import Segment
from textual._compositor import CompositorUpdate
from textual.geometry import Region

from dfx_tui.widgets.strip_view import LineWidget, quiet_refresh

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions, RenderResult
    from textual.screen import Screen
    from textual.widget import Widget


def draw_now(screen: Screen[Any]) -> bool:
    """Write what a paint marked dirty to the terminal now, in the paint's own call.

    A widget's refresh reaches the terminal in four trips through the event loop: the
    widget's idle event posts an Update to the screen, the screen's handler marks it dirty,
    the screen's idle event starts its update timer, the timer composes and writes. At
    5,000 msg/s each trip waits behind the frames read meanwhile: bench_app measured the
    clock tick to the screen at p50 10 ms, p99 23 ms (the paint itself ~5 ms). This takes
    the repainted widgets straight to the timer's own update, or past the compositor (see
    `direct_lines`). It uses Textual internals, so anything unexpected leaves the work to
    Textual's path (tests/test_ui_paint.py checks that the installed Textual takes this
    one). False when it drew nothing."""
    try:
        app = screen.app
        if not screen.is_current or app._batch_count:
            return False
        dirty = [widget for widget in screen._compositor.visible_widgets
                 if widget._repaint_required and widget._repaint_regions]
        if not dirty and not screen._dirty_widgets:
            return False
        for widget in dirty:
            widget._repaint_required = False  # its idle event would post the same Update
        rest = direct_lines(screen, dirty)
        screen._dirty_widgets.update(rest)
        if screen._dirty_widgets:
            screen._on_timer_update()
    except AttributeError:
        return False
    return True


def tick_and_draw(screen: Screen[Any], tick: Callable[[], object]) -> None:
    """A paint: `tick` repaints what changed, then `draw_now` writes it. Within `tick` the
    own-line widgets only mark their changed lines (`strip_view.quiet_refresh`): Textual's
    `refresh` would also wake each widget's message pump, whose idle handler finds its
    lines already written. A widget `draw_now` left undrawn is prompted as `refresh` would
    have, so Textual draws it."""
    with quiet_refresh() as marked:
        tick()
    draw_now(screen)
    for widget in marked:
        if widget._repaint_required:
            widget.check_idle()


class LinesUpdate(CompositorUpdate):
    """Changed lines, already encoded: `App._display` writes them in its synchronized block
    and puts the cursor back, as it does for the compositor's updates."""

    def __init__(self, data: str) -> None:
        self.data = data

    def render_segments(self, console: Console) -> str:
        return self.data

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield Segment(self.data)  # already terminal sequences, as the compositor's updates


def direct_lines(screen: Screen[Any], dirty: list[Widget]) -> list[Widget]:
    """Write the changed lines of the widgets in `dirty` that draw their own (`OWN_LINES`:
    the ladder, tape, header, status bar) straight to the terminal, and return the others.

    Textual's partial update renders every widget that crosses the box around all the
    dirty lines, over the whole box, cuts each line at every widget edge and then keeps
    only the dirty lines; a paint at 5,000 msg/s spent 3.5 ms in it (bench_paint, 125 steps
    a paint). These widgets' lines are cached strips already filtered (`render_lines` of a
    `plain_box`), so a changed line is a cursor move and the strip's own cached encoding.
    Only where nothing else is drawn: the top screen, not inline, nothing behind it, no
    layout pending, the widget not clipped and nothing in front of it (a notification, a
    tooltip); anything else is left to the compositor."""
    app = screen.app
    if (screen is not app.screen or app.is_inline or app._background_screens
            or screen._layout_required or screen._scroll_required
            or screen._repaint_required):
        return dirty
    visible = screen._compositor.visible_widgets
    clear = _unobstructed(visible)
    console = app.console
    rest: list[Widget] = []
    out: list[str] = []
    for widget in dirty:
        region, clip = visible[widget]
        if (widget not in clear or not isinstance(widget, LineWidget) or not widget.OWN_LINES
                or not clip.contains_region(region) or not widget.box()[0]):
            rest.append(widget)
            continue
        height = region.height
        ys = sorted({y for dirty_region in widget._exchange_repaint_regions()
                     for y in dirty_region.line_range if 0 <= y < height})
        x, top = region.x + 1, region.y + 1
        # A plain box: the region's size is its content's (`size` asks the screen for it).
        for y, strip in zip(ys, widget.own_lines(ys, region.size), strict=True):
            out.append(f"\x1b[{top + y};{x}H")  # Control.move_to
            out.append(strip.render(console))
    if out:
        app._display(screen, LinesUpdate("".join(out)))
    return rest


_clear_cache: tuple[object, frozenset[Widget]] | None = None


def _unobstructed(visible: dict[Widget, tuple[Region, Region]]) -> frozenset[Widget]:
    """The widgets no other is drawn over. `visible` is front to back, and the compositor
    makes a new one whenever the layout changes, so the answer is kept for it."""
    global _clear_cache
    if _clear_cache is not None and _clear_cache[0] is visible:
        return _clear_cache[1]
    clear: set[Widget] = set()
    front: list[Region] = []
    for widget, (region, _clip) in visible.items():
        if not any(region.overlaps(other) for other in front):
            clear.add(widget)
        front.append(region)
    _clear_cache = (visible, frozenset(clear))
    return _clear_cache[1]
