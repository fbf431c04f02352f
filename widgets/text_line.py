"""Base of the one-line text widgets (market header, status bar): repaint only on change.

Colours come from the subclass's component classes (`component_styles()`, see
widgets/styled.py); a subclass's `restyle()` rebuilds its text when the theme changes them.

The line is drawn with the Line API from one cached `Strip` (the widget's own colour and
background under the text's styles), not through `render()`: Textual's content path lays
the text out again on every refresh, measured at ~0.3-0.5 ms per refresh of a 160-cell
header against ~0.03 ms for a cached strip (issue 11, the header changes with nearly every
book update). The line is written whole: a region ending at its last changed cell saved
~60 bytes a paint and cost Textual a crop (+0.1 ms, tests/benchmarks/bench_paint.py).
"""

from __future__ import annotations

from collections.abc import Mapping

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from rich.text import Span, Text
from textual.geometry import Region, Size
from textual.strip import Strip

from dfx_tui.widgets.strip_view import LineWidget, cached_lines

PLAIN = Style()

Run = tuple[str, Style | None]  # a piece of a line and its style (None: the line's own)


def style_of(styles: Mapping[str, Style], name: str) -> Style:
    """The named style, or no colour at all when `styles` lacks it (text built outside an app)."""
    return styles.get(name, PLAIN)


def runs_text(runs: list[Run]) -> Text:
    """A one-line `Text` (no wrap, cut with an ellipsis) of `runs`: the same text and spans
    as appending each run in turn (`Text.append`: no span for an empty run or a null
    style), made at once: the bench's header of 27 runs, 21 us as appends, 13 this way
    (timeit). Runs with control codes, which `append` strips one by one, are appended."""
    plain = "".join([run for run, _style in runs])
    spans = []
    at = 0
    for run, style in runs:
        end = at + len(run)
        if style and end > at:
            spans.append(Span(at, end, style))
        at = end
    text = Text(plain, no_wrap=True, overflow="ellipsis", spans=spans)
    if text.plain != plain:  # it stripped control codes: the spans are off
        text = Text(no_wrap=True, overflow="ellipsis")
        for run, style in runs:
            text.append(run, style)
    return text


def text_segments(text: Text, width: int, base: Style) -> list[Segment] | None:
    """`text` cut to `width` cells with an ellipsis, as segments over `base`: exactly what
    `Text.truncate` and `Text.render` make of it (tests/test_ui_market_view.py compares
    them at every width), without them, for a text of one-cell characters whose spans are
    `Style`s one after another, as `Text.append` leaves them. None for any other text.
    The header is built anew on nearly every paint: in the running demo at 50 msg/s this
    path draws the one-line widgets in 0.41 ms a paint against 0.59 through Rich (thread
    CPU, 2 interleaved pairs of 12 s)."""
    plain = text.plain
    if text.style or len(plain) != cell_len(plain):
        return None
    cut = len(plain) > width  # then width - 1 characters and an ellipsis
    end = width - 1 if cut else len(plain)
    out: list[Segment] = []
    pos = 0  # drawn up to here (at most `end`)
    last = 0  # where the previous span stopped
    ellipsis = base
    for start, stop, style in text.spans:
        if not isinstance(style, Style) or start < last:
            return None
        last = stop
        if cut and start <= end < stop:
            ellipsis = base + style  # the span the ellipsis replaces text of
        if min(start, end) > pos:
            out.append(Segment(plain[pos:min(start, end)], base))
        if start < end and stop > start:
            out.append(Segment(plain[start:min(stop, end)], base + style))
        pos = max(pos, min(stop, end))
    if pos < end:
        out.append(Segment(plain[pos:end], base))
    if cut and width > 0:  # in the run it continues, as Rich renders it
        if out and out[-1].style == ellipsis:
            out[-1] = Segment(out[-1].text + "…", ellipsis)
        else:
            out.append(Segment("…", ellipsis))
    return out


class TextLine(LineWidget):
    """Shows one `Text`; `show()` swaps it and refreshes only if anything visible changed."""

    DEFAULT_CSS = """
    TextLine {
        height: 1;
    }
    """

    def __init__(self, text: Text | None = None, *, name: str | None = None,
                 id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._text = text if text is not None else Text()
        self._strip: Strip | None = None
        self._strip_key: tuple[object, ...] | None = None  # (text, width, base style) drawn
        self._base: Style | None = None  # `rich_style`, kept until the styles are updated

    def show(self, text: Text) -> bool:
        if text.plain == self._text.plain and text.spans == self._text.spans:
            return False
        old = self._strip if self._strip_key is not None else None
        self._text = text
        width = self.size.width
        if old is None or not width:
            self.refresh()
            return True
        if self._line(width) != old:
            self.refresh_lines()
        return True

    @property
    def plain(self) -> str:
        return self._text.plain

    @property
    def text(self) -> Text:
        return self._text

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._strip_key = None  # the widget's own colours may have changed
        self._base = None

    def base_style(self) -> Style:
        """`rich_style` (the widget's colour and background over its ancestors'), kept
        until Textual updates this widget's styles: it walks every ancestor, ~30 us, and a
        changed header asked for it twice a paint (bench_paint, 1 step a paint: 0.06 ms of
        ~2.0). Textual re-applies the styles of a node and all its descendants on a theme
        change and on any class or pseudo-class change (`App.update_styles`), calling this
        `notify_style_update`, and keeps its own component styles (`_rich_style_cache`) by
        the same rule; the app sets no inline styles and has no style transitions."""
        base = self._base
        if base is None:
            base = self._base = self.rich_style
        return base

    def _line(self, width: int) -> Strip:
        """The text as one strip of `width` cells, cached while text, width and style hold."""
        base = self.base_style()
        key = (id(self._text), width, base)
        strip = self._strip
        if strip is None or key != self._strip_key:
            segments = text_segments(self._text, width, base)
            if segments is None:  # named styles, overlapping spans, wide characters
                text = self._text.copy()
                text.truncate(width, overflow="ellipsis")
                segments = [Segment(seg.text, base + seg.style if seg.style else base)
                            for seg in text.render(self.app.console) if seg.text]
            strip = self.line(segments, width, base)
            self._strip, self._strip_key = strip, key
        return strip

    def render_lines(self, crop: Region) -> list[Strip]:
        # Like StripView's: the cached strip itself, not re-derived through StylesCache
        # (bench_paint, one delta a paint: the header, status bar and tab line were ~6 of
        # the compositor's StylesCache passes a paint).
        if not self.box()[0]:
            return super().render_lines(crop)
        return cached_lines(self, crop, self.render_line)

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        if y != 0 or width <= 0:
            return Strip.blank(width, self.base_style())
        return self._line(width)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return 1
