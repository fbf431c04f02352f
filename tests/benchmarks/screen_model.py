"""A minimal model of a terminal screen, enough for what Textual writes: what each update changed.

bench_app.py feeds it everything the app wrote to its terminal and asks, for each screen
update (one synchronized-output block, ``ESC[?2026h`` ... ``ESC[?2026l``, which Textual wraps
around every frame once the terminal says it supports mode 2026), how many bytes the update
took, how many cells it wrote and how many of those really changed (character or style).
``bytes / changed cells`` is then the cost of a change on the wire: a terminal cannot be told
about a changed cell in less than about one byte, so far above that means unchanged cells are
rewritten.

Why not `pyte`: it would be one more dependency for the few sequences Textual uses, and it is
several times slower on megabytes of output. Handled here: printable text (wide characters
take two cells), CR, LF, BS, cursor position and moves (CSI H f A B C D G d), erase (J, K),
SGR (colours kept as their parameter text: two styles are the same if they render the same),
autowrap (mode 7) and the alternate screen (1049, cleared on entry). Anything else (OSC, DCS,
other CSI, other ESC sequences) is recognised and skipped: Textual draws nothing with it.

Feed the whole output in one call (a sequence split between two calls would be lost).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rich.cells import get_character_cell_size

Style = tuple[str | None, str | None, frozenset[str], str | None]  # fg, bg, attributes, ul colour
DEFAULT: Style = (None, None, frozenset(), None)

_TOKEN = re.compile(
    rb"\x1b\[([0-?]*)[ -/]*([@-~])"  # CSI: parameters, final byte
    rb"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC ... BEL or ST
    rb"|\x1b[PX^_].*?\x1b\\"  # DCS, SOS, PM, APC ... ST
    rb"|\x1b[ -/]*[0-~]"  # other ESC sequences
    rb"|([\x00-\x1a\x1c-\x1f\x7f])"  # C0 controls
    rb"|([^\x00-\x1f\x7f]+)",  # text (UTF-8; never contains ESC or a C0 byte)
    re.S,
)
SYNC_MODE = "?2026"

_ON = {1: "bold", 2: "dim", 3: "italic", 4: "underline", 5: "blink", 6: "blink", 7: "reverse",
       8: "conceal", 9: "strike", 21: "underline2", 51: "frame", 52: "encircle", 53: "overline"}
_OFF = {22: ("bold", "dim"), 23: ("italic",), 24: ("underline", "underline2"),
        25: ("blink",), 27: ("reverse",), 28: ("conceal",), 29: ("strike",),
        54: ("frame", "encircle"), 55: ("overline",)}


def apply_sgr(style: Style, params: str) -> Style:
    """The style after ``ESC[<params>m``."""
    fg, bg, attrs, ul = style
    on = set(attrs)
    parts = params.split(";") if params else ["0"]
    i = 0
    while i < len(parts):
        part = parts[i]
        head, _, sub = part.partition(":")
        code = int(head) if head.isdigit() else 0
        i += 1
        if code in (38, 48, 58):
            if sub:  # colon form: 38:2::r:g:b or 38:5:n
                colour = sub
            elif i < len(parts) and parts[i] == "5":
                colour, i = ";".join(parts[i:i + 2]), i + 2
            elif i < len(parts) and parts[i] == "2":
                colour, i = ";".join(parts[i:i + 4]), i + 4
            else:
                continue
            if code == 38:
                fg = colour
            elif code == 48:
                bg = colour
            else:
                ul = colour
        elif code == 0:
            fg, bg, ul = None, None, None
            on.clear()
        elif code in _ON:
            on.add(_ON[code] if not (code == 4 and sub and sub != "0") else f"underline:{sub}")
            if code == 4 and sub == "0":
                on.discard("underline")
        elif code in _OFF:
            on.difference_update(_OFF[code])
            if code == 24:
                on.difference_update({a for a in on if a.startswith("underline:")})
        elif 30 <= code <= 37 or 90 <= code <= 97:
            fg = str(code)
        elif code == 39:
            fg = None
        elif 40 <= code <= 47 or 100 <= code <= 107:
            bg = str(code)
        elif code == 49:
            bg = None
        elif code == 59:
            ul = None
    return (fg, bg, frozenset(on), ul)


@dataclass(slots=True)
class Update:
    """One synchronized-output block: where it is in the output and what it did."""

    start: int  # byte offset of ESC[?2026h
    end: int  # byte offset just after ESC[?2026l
    written: int  # distinct cells written
    changed: int  # of those, cells whose character or style differs from before the block

    @property
    def nbytes(self) -> int:
        return self.end - self.start


class ScreenModel:
    """The screen a terminal would show after the bytes fed so far."""

    def __init__(self, cols: int, rows: int) -> None:
        self.cols, self.rows = cols, rows
        self.cells: list[list[tuple[str, Style]]] = []
        self.x = self.y = 0
        self.style: Style = DEFAULT
        self.autowrap = True
        self.updates: list[Update] = []
        self._touched: dict[int, tuple[str, Style]] | None = None  # inside a block
        self._block_start = 0
        self._sgr_cache: dict[tuple[Style, str], Style] = {}
        self._clear(0, rows)

    # ------------------------------------------------------------ reading
    def lines(self) -> list[str]:
        return ["".join(ch for ch, _ in row) for row in self.cells]

    # ------------------------------------------------------------ feeding
    def feed(self, data: bytes) -> None:
        for m in _TOKEN.finditer(data):
            text = m.group(4)
            if text is not None:
                self._text(text.decode("utf-8", "replace"))
                continue
            final = m.group(2)
            if final is not None:
                self._csi(m.group(1).decode("ascii", "replace"), final, m)
                continue
            ctrl = m.group(3)
            if ctrl is not None:
                self._control(ctrl)

    def _put(self, x: int, y: int, cell: tuple[str, Style]) -> None:
        row = self.cells[y]
        touched = self._touched
        if touched is not None:
            key = y * self.cols + x
            if key not in touched:
                touched[key] = row[x]
        row[x] = cell

    def _text(self, text: str) -> None:
        cols, style = self.cols, self.style
        for ch in text:
            width = get_character_cell_size(ch)
            if width == 0:
                continue
            if self.x + width > cols:
                if not self.autowrap:
                    self.x = cols - width
                else:
                    self.x = 0
                    self.y = min(self.rows - 1, self.y + 1)
            self._put(self.x, self.y, (ch, style))
            if width == 2:
                self._put(self.x + 1, self.y, ("", style))
            self.x += width
            if self.x >= cols and not self.autowrap:
                self.x = cols - 1

    def _control(self, ctrl: bytes) -> None:
        if ctrl == b"\r":
            self.x = 0
        elif ctrl in (b"\n", b"\x0b", b"\x0c"):
            self.y = min(self.rows - 1, self.y + 1)
        elif ctrl == b"\x08":
            self.x = max(0, self.x - 1)

    def _csi(self, params: str, final: bytes, m: re.Match[bytes]) -> None:
        if final == b"m":
            key = (self.style, params)
            style = self._sgr_cache.get(key)
            if style is None:
                style = self._sgr_cache[key] = apply_sgr(self.style, params)
            self.style = style
            return
        if params.startswith("?"):
            if final in (b"h", b"l"):
                self._mode(params, final == b"h", m)
            return
        if params[:1] in ("<", "=", ">"):
            return
        nums = [int(p) if p.isdigit() else 0 for p in params.split(";")] if params else []
        n = nums[0] if nums and nums[0] > 0 else 1
        if final in (b"H", b"f"):
            row = nums[0] if nums and nums[0] > 0 else 1
            col = nums[1] if len(nums) > 1 and nums[1] > 0 else 1
            self.y, self.x = min(self.rows, row) - 1, min(self.cols, col) - 1
        elif final == b"A":
            self.y = max(0, self.y - n)
        elif final in (b"B", b"e"):
            self.y = min(self.rows - 1, self.y + n)
        elif final in (b"C", b"a"):
            self.x = min(self.cols - 1, self.x + n)
        elif final == b"D":
            self.x = max(0, self.x - n)
        elif final in (b"G", b"`"):
            self.x = min(self.cols, n) - 1
        elif final == b"d":
            self.y = min(self.rows, n) - 1
        elif final == b"J":
            what = nums[0] if nums else 0
            if what == 0:
                self._erase(self.y, self.x, self.cols)
                self._clear(self.y + 1, self.rows)
            elif what == 1:
                self._clear(0, self.y)
                self._erase(self.y, 0, self.x + 1)
            else:
                self._clear(0, self.rows)
        elif final == b"K":
            what = nums[0] if nums else 0
            start, stop = ((self.x, self.cols), (0, self.x + 1), (0, self.cols))[min(what, 2)]
            self._erase(self.y, start, stop)

    def _mode(self, params: str, on: bool, m: re.Match[bytes]) -> None:
        modes = params[1:].split(";")
        if "2026" in modes:
            if on:
                self._touched, self._block_start = {}, m.start()
            elif self._touched is not None:
                self._end_block(m.end())
        if "7" in modes:
            self.autowrap = on
        if "1049" in modes or "47" in modes or "1047" in modes:
            self._clear(0, self.rows)

    def _end_block(self, end: int) -> None:
        touched = self._touched
        assert touched is not None
        cells, cols = self.cells, self.cols
        changed = sum(1 for key, old in touched.items()
                      if cells[key // cols][key % cols] != old)
        self.updates.append(Update(self._block_start, end, len(touched), changed))
        self._touched = None

    def _erase(self, y: int, start: int, stop: int) -> None:
        blank = (" ", (None, self.style[1], frozenset(), None))
        for x in range(max(0, start), min(self.cols, stop)):
            self._put(x, y, blank)

    def _clear(self, y0: int, y1: int) -> None:
        blank = (" ", (None, self.style[1], frozenset(), None))
        while len(self.cells) < self.rows:
            self.cells.append([blank] * self.cols)
        for y in range(max(0, y0), min(self.rows, y1)):
            if self._touched is None:
                self.cells[y] = [blank] * self.cols
            else:
                self._erase(y, 0, self.cols)


def summarize(updates: list[Update], start: int, end: int) -> dict[str, float | int]:
    """Totals over the updates that lie wholly within output bytes [start, end)."""
    inside = [u for u in updates if u.start >= start and u.end <= end]
    nbytes = sum(u.nbytes for u in inside)
    changed = sum(u.changed for u in inside)
    return {"updates": len(inside), "bytes": nbytes, "written": sum(u.written for u in inside),
            "changed": changed}
