"""widgets/sgr.py `encode`: a line written with each style reached from the one before it
shows the same cells (characters and styles) as Textual's own encoding of the same segments,
one full sequence and a reset per segment, on a model of the terminal; and it is shorter."""

from __future__ import annotations

import random

from rich.color import ColorSystem
from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip

from dfx_tui.widgets.sgr import encode
from tests.support.terminal_model import screen_model

COLOURS = [None, "#00ffff", "#121212", "#ff5f00", "red", "bright_white", "color(240)"]


def _style(rng: random.Random) -> Style | None:
    if rng.random() < 0.08:
        return None
    return Style(color=rng.choice(COLOURS), bgcolor=rng.choice(COLOURS),
                 bold=rng.choice((None, True, False)), dim=rng.random() < 0.1,
                 italic=rng.choice((None, True, False)), underline=rng.random() < 0.1,
                 reverse=rng.random() < 0.05,
                 link="https://example.com/x" if rng.random() < 0.03 else None)


def test_a_line_from_style_to_style_shows_what_textual_would_write() -> None:
    model = screen_model()
    rng = random.Random(5)
    saved = 0
    for system in (ColorSystem.TRUECOLOR, ColorSystem.EIGHT_BIT, ColorSystem.STANDARD):
        mine, theirs = model.ScreenModel(60, 40), model.ScreenModel(60, 40)
        for y in range(40):
            palette = [_style(rng) for _ in range(rng.randint(1, 4))]
            segments, cells = [], 0
            while cells < 60:
                text = "".join(rng.choice("ab █▌ 1.5") for _ in range(rng.randint(1, 9)))
                text = text[:60 - cells]
                segments.append(Segment(text, rng.choice(palette)))
                cells += len(text)
            move = f"\x1b[{y + 1};1H"
            line = encode(segments, system)
            textual = "".join(Strip.render_style(style, text, system) if style is not None
                              else text for text, style, _ in segments)
            mine.feed((move + line).encode())
            theirs.feed((move + textual).encode())
            assert mine.cells[y] == theirs.cells[y], (system, y)
            saved += len(textual) - len(line)
            # The line leaves the terminal plain, as Textual's writing does.
            assert mine.style == theirs.style == model.DEFAULT
    assert saved > 0


def test_neighbouring_runs_share_what_they_have_in_common() -> None:
    bg = "#121212"
    segments = [Segment(" 65000.12", Style(color="#00ffff", bgcolor=bg)),
                Segment("  1.2500", Style(color="#00ffff", bgcolor=bg)),
                Segment("   15.3236", Style(color="#c0c0c0", bgcolor=bg)),
                Segment(" ███▌", Style(color="#303030", bgcolor=bg, bold=True))]
    line = encode(segments, ColorSystem.TRUECOLOR)
    assert line == ("\x1b[38;2;0;255;255;48;2;18;18;18m 65000.12  1.2500"
                    "\x1b[38;2;192;192;192m   15.3236"
                    "\x1b[0;1;38;2;48;48;48;48;2;18;18;18m ███▌\x1b[0m")
