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

import re
from collections.abc import Mapping, Sequence

from rich.cells import cell_len
from rich.control import STRIP_CONTROL_CODES
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
    found = run_spans(runs)
    if found is not None:
        plain, spans = found
        return Text(plain, no_wrap=True, overflow="ellipsis",
                    spans=[Span(*span) for span in spans])
    text = Text(no_wrap=True, overflow="ellipsis")  # control codes: `append` strips them
    for run, style in runs:
        text.append(run, style)
    return text


# The control codes `Text` strips (`rich.control.strip_control_codes`), found by a search:
# stripping them to compare cost ~8.6 us on the header's 150 characters, this ~0.9 (timeit).
_CONTROL = re.compile("[" + "".join(map(chr, STRIP_CONTROL_CODES)) + "]")


def run_spans(runs: list[Run]) -> tuple[str, list[tuple[int, int, Style]]] | None:
    """The plain text and the spans (as tuples) `runs_text(runs)` would have, without making
    the `Text` and its `Span`s; None when a run holds control codes (`Text` strips them, so
    its spans are elsewhere: make the `Text`)."""
    plain = "".join([run for run, _style in runs])
    if _CONTROL.search(plain):
        return None
    spans = []
    at = 0
    for run, style in runs:
        end = at + len(run)
        if style and end > at:
            spans.append((at, end, style))
        at = end
    return plain, spans


def runs_segments(runs: list[Run], plain: str, width: int, base: Style) -> list[Segment] | None:
    """`span_segments` of the runs whose text is `plain` (see `run_spans`), in one pass over
    the runs when the line fits `width`: each styled run its own segment, the unstyled ones
    between them joined, as `span_segments` cuts them. None where `span_segments` is."""
    if len(plain) > width:
        found = run_spans(runs)
        return None if found is None else span_segments(found[0], found[1], width, base)
    if len(plain) != cell_len(plain):
        return None
    out: list[Segment] = []
    gap: list[str] = []  # unstyled runs since the last styled one
    for run, style in runs:
        if style and run:
            if gap:
                out.append(Segment("".join(gap), base))
                gap = []
            out.append(Segment(run, base + style))
        elif run:
            gap.append(run)
    if gap:
        out.append(Segment("".join(gap), base))
    return out


def text_segments(text: Text, width: int, base: Style) -> list[Segment] | None:
    """`text` cut to `width` cells with an ellipsis, as segments over `base`: exactly what
    `Text.truncate` and `Text.render` make of it (tests/test_ui_market_view.py compares
    them at every width), without them, for a text of one-cell characters whose spans are
    `Style`s one after another, as `Text.append` leaves them. None for any other text.
    The header is built anew on nearly every paint: in the running demo at 50 msg/s this
    path draws the one-line widgets in 0.41 ms a paint against 0.59 through Rich (thread
    CPU, 2 interleaved pairs of 12 s)."""
    if text.style:
        return None
    return span_segments(text.plain, text.spans, width, base)


def span_segments(plain: str, spans: Sequence[tuple[int, int, Style | str]], width: int,
                  base: Style) -> list[Segment] | None:
    """`text_segments` of the text `plain` with `spans` (`Span`s or tuples like them)."""
    if len(plain) != cell_len(plain):
        return None
    cut = len(plain) > width  # then width - 1 characters and an ellipsis
    end = width - 1 if cut else len(plain)
    out: list[Segment] = []
    pos = 0  # drawn up to here (at most `end`)
    last = 0  # where the previous span stopped
    ellipsis = base
    for start, stop, style in spans:
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
    """Shows one `Text`; `show()` swaps it and refreshes only if anything visible changed.
    `show_runs()` shows runs (see `runs_text`) the same way without making the `Text`
    (made when `text` is asked for)."""

    DEFAULT_CSS = """
    TextLine {
        height: 1;
    }
    """

    def __init__(self, text: Text | None = None, *, name: str | None = None,
                 id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._text: Text | None = text if text is not None else Text()
        self._runs: list[Run] | None = None  # what `show_runs` was given last (None: a Text)
        # The shown text's plain and spans: what is drawn and compared.
        self._plain: str = self._text.plain
        self._spans: Sequence[tuple[int, int, Style | str]] = self._text.spans
        self._strip: Strip | None = None
        self._strip_key: tuple[object, ...] | None = None  # (spans, width, base) drawn
        self._base: Style | None = None  # `rich_style`, kept until the styles are updated

    def show(self, text: Text) -> bool:
        if text.plain == self._plain and text.spans == self._spans:
            return False
        self._text, self._runs = text, None
        return self._swap(text.plain, text.spans)

    def show_runs(self, runs: list[Run]) -> bool:
        """`show(runs_text(runs))`, the same answer, without the `Text`: the header shows
        runs, ~28 of them, most kept from the last paint (market_header.HeaderParts), so
        equal runs compare mostly by identity; the `Text` and its `Span`s cost ~20 us a
        paint (bench_paint, 1 step a paint)."""
        if runs == self._runs:
            return False
        found = run_spans(runs)
        if found is None:  # control codes: the `Text` says what is shown
            return self.show(runs_text(runs))
        plain, spans = found
        if plain == self._plain and spans == self._spans:
            return False
        self._text, self._runs = None, runs
        return self._swap(plain, spans)

    def _swap(self, plain: str, spans: Sequence[tuple[int, int, Style | str]]) -> bool:
        old = self._strip if self._strip_key is not None else None
        self._plain, self._spans = plain, spans
        width = self.size.width
        if old is None or not width:
            self.refresh()
            return True
        if self._line(width) != old:
            self.refresh_lines()
        return True

    @property
    def plain(self) -> str:
        return self._plain

    @property
    def text(self) -> Text:
        text = self._text
        if text is None:
            text = self._text = runs_text(self._runs or [])
        return text

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
        spans = self._spans  # a new list with every new text
        drawn = self._strip_key
        strip = self._strip
        if (strip is None or drawn is None or drawn[0] is not spans or drawn[1] != width
                or drawn[2] != base):
            runs = self._runs
            if runs is not None:
                segments = runs_segments(runs, self._plain, width, base)
            else:
                segments = (None if self._text is not None and self._text.style else
                            span_segments(self._plain, self._spans, width, base))
            # One cell a character on our paths: no `cell_length` asked of each segment.
            cells = None if segments is None else min(len(self._plain), width)
            if segments is None:  # named styles, overlapping spans, wide characters
                text = self.text.copy()
                text.truncate(width, overflow="ellipsis")
                segments = [Segment(seg.text, base + seg.style if seg.style else base)
                            for seg in text.render(self.app.console) if seg.text]
            strip = self.line(segments, width, base, cells)
            self._strip, self._strip_key = strip, (spans, width, base)
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
