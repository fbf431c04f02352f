"""A line's segments as terminal text, each style reached from the one before it.

Textual writes every segment as `ESC[<all its codes>m text ESC[0m`. In a true-colour terminal a
style's codes are ~30 bytes (`1;38;2;0;255;255;48;2;18;18;18`), and the ladder's, tape's and
header's lines are runs of a few colours over one background: most of what reached the terminal
was the same background, and resets, again and again. Here a line starts from the terminal's
plain state (every line Textual or this app writes ends in a reset), each run sets only what
differs from the run before it (its foreground, its background, or, when the attributes differ,
a reset and its codes in one sequence), and the line ends with one reset. The terminal shows
the same cells (tests/test_sgr.py holds a terminal model to that).
"""

from __future__ import annotations

from collections.abc import Iterable

from rich.color import Color, ColorSystem
from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip

# (style before, style after, colour system) -> the codes between them. Styles are few (a
# theme's), so this stays small; cleared if a long session with many themes fills it.
_STEPS: dict[tuple[Style, Style, ColorSystem], str] = {}
STEPS_KEPT = 8192


def _colour(colour: Color | None, system: ColorSystem, foreground: bool) -> str:
    if colour is None:
        return "39" if foreground else "49"
    return ";".join(colour.downgrade(system).get_ansi_codes(foreground))


def step(before: Style, after: Style, system: ColorSystem) -> str:
    """The SGR parameters that turn a terminal drawing in `before` to draw in `after` ("":
    nothing to change). Neither may carry a link."""
    key = (before, after, system)
    found = _STEPS.get(key)
    if found is None:
        if len(_STEPS) >= STEPS_KEPT:
            _STEPS.clear()
        if (before._attributes & before._set_attributes
                != after._attributes & after._set_attributes):
            codes = Strip.render_ansi(after, system)
            found = f"0;{codes}" if codes else "0"
        else:
            changes = []
            fg = _colour(after._color, system, True)
            if fg != _colour(before._color, system, True):
                changes.append(fg)
            bg = _colour(after._bgcolor, system, False)
            if bg != _colour(before._bgcolor, system, False):
                changes.append(bg)
            found = ";".join(changes)
        _STEPS[key] = found
    return found


# Per colour system: (id(before), id(after)) -> (before, after, codes). Keyed by identity:
# `_STEPS` hashes both styles and the colour system in Python code (`Style.__hash__`,
# `Enum.__hash__`), three calls a step, ~10 steps a changed line. The value holds both styles,
# so while an entry lives no other object can take their ids.
_BY_ID: dict[ColorSystem, dict[tuple[int, int], tuple[Style, Style, str]]] = {}


def _by_id(system: ColorSystem) -> dict[tuple[int, int], tuple[Style, Style, str]]:
    found = _BY_ID.get(system)
    if found is None:
        found = _BY_ID[system] = {}
    elif len(found) >= STEPS_KEPT:
        found.clear()
    return found


def encode(segments: Iterable[Segment], system: ColorSystem) -> str:
    """The segments as terminal text, from and back to the terminal's plain state."""
    out: list[str] = []
    current: Style | None = None  # the style the terminal draws in now (None: plain)
    render_style = Strip.render_style
    steps = _by_id(system)
    for text, style, _control in segments:
        if style is None or style._link:  # as Textual writes them, from the plain state
            if current is not None:
                out.append("\x1b[0m")
                current = None
            out.append(text if style is None else render_style(style, text, system))
            continue
        if style is not current:
            if current is None:
                codes = style._ansi
                if codes is None:
                    codes = Strip.render_ansi(style, system)
            else:
                hit = steps.get((id(current), id(style)))
                if hit is None:
                    codes = step(current, style, system)
                    steps[(id(current), id(style))] = (current, style, codes)
                else:
                    codes = hit[2]
            if codes:
                out.append(f"\x1b[{codes}m")
            current = style
        out.append(text)
    if current is not None:
        out.append("\x1b[0m")
    return "".join(out)
