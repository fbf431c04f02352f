"""The trade tape: newest on top; time, price, size, notional and a tick mark, by taker side.

A Line API widget like the ladder: `repaint()` builds the strips once per change, and
`render_line(y)` indexes them. Per market (in its `MarketViewState`): prints of one time and
side merged into one line (count, total size, VWAP), a minimum-size filter, and up to three
large-trade tiers, each with its own style; keys change all three while running.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, tzinfo
from decimal import Decimal
from itertools import islice
from typing import TYPE_CHECKING, NamedTuple

from rich.segment import Segment
from textual.geometry import Size
from textual.strip import Strip

from dfx_tui.book.tape import BUY, Trade, TradeTape
from dfx_tui.book.tape_lines import LineMemo, TapeLine, tape_lines
from dfx_tui.widgets.columns import aligned, compact, gap, lead_split
from dfx_tui.widgets.strip_view import StripView
from dfx_tui.widgets.tape_controls import auto_tiers, size_label, tier_label
from dfx_tui.widgets.view_state import MarketViewState

if TYPE_CHECKING:
    from rich.console import Console

_GAP = "  "
RULE = "▏"  # down the left edge, beside the ladder (`TapeView.rule_left`)


class _Layout(NamedTuple):
    """What a trade line's drawing depends on besides its own figures (a line cache key)."""

    width: int
    rule: bool
    stale: bool
    show_time: bool
    show_value: bool
    value_w: int
    count_w: int
    price_w: tuple[int, int]  # the (integer, point and fraction) widths prices align to
    size_w: tuple[int, int]


class _Row:
    """One line as drawn: its figures' texts before alignment (made once per line), and the
    strip last drawn of it with the mark and layout it was drawn with."""

    __slots__ = ("line", "price", "size", "quote", "prints", "vwap", "price_w", "size_w",
                 "mark", "layout", "strip")

    def __init__(self, line: TapeLine) -> None:
        self.line = line
        self.price, self.size = f"{line.vwap:f}", f"{line.size:f}"
        self.quote = compact(float(line.notional))
        self.prints = f"×{line.prints}" if line.prints > 1 else ""
        self.vwap = float(line.vwap)  # for the tick mark
        # (integer, point and fraction) widths, as columns.align_decimals measures them
        self.price_w, self.size_w = _widths(self.price), _widths(self.size)
        self.mark = ""
        self.layout: _Layout | None = None
        self.strip: Strip | None = None


def _widths(text: str) -> tuple[int, int]:
    whole, point, fraction = text.partition(".")
    return len(whole), (len(fraction) + 1) if point else 0


def tick_marks(trades: Sequence[Trade]) -> list[str]:
    """Mark each trade against the one before it in time (see `price_marks`)."""
    return price_marks([t.price_value for t in trades])


def price_marks(prices: Sequence[float]) -> list[str]:
    """Mark each line's price against the one before it in time: up, down or unchanged.

    `prices` are newest first; the last one has no predecessor here and gets a blank mark.
    """
    marks = []
    for i, price in enumerate(prices):
        if i + 1 >= len(prices):
            marks.append(" ")
            continue
        prev = prices[i + 1]
        marks.append("▲" if price > prev else "▼" if price < prev else "·")
    return marks


class TapeView(StripView):
    """Recent trades of one `TradeTape`, newest first."""

    DEFAULT_CSS = """
    TapeView {
        width: 1fr;
        height: 1fr;
        min-width: 20;
    }
    TapeView > .tape--header { color: $text-muted; text-style: bold; }
    TapeView > .tape--buy { color: $bid; }
    TapeView > .tape--sell { color: $ask; }
    TapeView > .tape--big-buy { color: $big-trade-text; background: $big-buy; text-style: bold; }
    TapeView > .tape--big-sell {
        color: $big-trade-text; background: $big-sell; text-style: bold;
    }
    TapeView > .tape--big-buy-2 {
        color: $big-trade-text; background: $big-buy-2; text-style: bold;
    }
    TapeView > .tape--big-sell-2 {
        color: $big-trade-text; background: $big-sell-2; text-style: bold;
    }
    TapeView > .tape--big-buy-3 {
        color: $big-trade-text; background: $big-buy-3; text-style: bold underline;
    }
    TapeView > .tape--big-sell-3 {
        color: $big-trade-text; background: $big-sell-3; text-style: bold underline;
    }
    TapeView > .tape--time { color: $text-muted; }
    TapeView > .tape--stale { color: $stale; }
    TapeView > .tape--empty { color: $text-muted; }
    TapeView > .tape--rule { color: $foreground 20%; }
    """

    COMPONENT_CLASSES = {
        "tape--header", "tape--buy", "tape--sell", "tape--big-buy", "tape--big-sell",
        "tape--big-buy-2", "tape--big-sell-2", "tape--big-buy-3", "tape--big-sell-3",
        "tape--time", "tape--stale", "tape--empty", "tape--rule",
    }

    # Trade lines drawn, by what they show (see `_trade_line`): a new trade, a switch back to
    # a market or a scroll draws only the lines not seen before. Enough for the lines of a
    # few markets' tapes; past it the older half goes.
    LINE_CACHE = 1024

    def __init__(self, tape: TradeTape, view: MarketViewState | None = None, *,
                 tz: tzinfo | None = None, name: str | None = None, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.tape = tape
        self.view = view if view is not None else MarketViewState()
        self.tz = tz  # None: local time
        self.stale = False
        self._auto: tuple[int, tuple[Decimal, ...]] = (-1, ())  # (tape version, tiers)
        # Scrolled back (the mouse wheel): this many trades above the top one are hidden, and
        # the top one stays on top as new trades arrive (`_pinned` is its id).
        self.scroll_back = 0
        self._pinned: int | None = None
        # A rule down the left edge, drawn in the strips (`tape--rule`). As a CSS border it
        # sent every line through Textual's StylesCache (see StripView.render_lines): a tab
        # switch, which redraws the whole tape, cost 1.7x an ordinary repaint (bench_paint
        # --action switch against --action regroup, 5,000 msg/s).
        self.rule_left = False
        self._line_cache: dict[tuple[object, ...], Strip] = {}
        # What a build made before and the next one mostly makes again (a new trade shifts
        # the lines down one): the lines of runs of prints, each line's texts (by id(), the
        # line kept with them), and the header and blank strips by what they show. With the
        # median kept by the tape (`TradeTape.median_size`), a build went from ~545 to ~245 us
        # (bench_paint, 1 step a paint, thread time per build, medians of 3 interleaved runs);
        # with each row's last strip checked by identity (`_Row`), ~475 -> ~160 us.
        self._memo = LineMemo()
        self._rows: dict[int, _Row] = {}
        self._layout: _Layout | None = None  # the last build's, kept while equal
        self._fixed: dict[tuple[object, ...], Strip] = {}

    def show_tape(self, tape: TradeTape, view: MarketViewState) -> None:
        """Show another market's tape with its view settings; the next repaint draws it
        whole, from the newest trade."""
        self.tape, self.view = tape, view
        self._auto = (-1, ())
        self.scroll_back, self._pinned = 0, None
        self._drawn = None

    def warm(self, tape: TradeTape, view: MarketViewState, console: Console) -> None:
        """Make the lines of another market's tape, kept in this view's line caches (encoded
        for `console`), without drawing them or changing what this view shows: a switch to
        that market then finds its lines made. bench_app at 50 msg/s: a switch's first visit
        to a market made all 47 lines (in process ~5 ms a switch, ~1.4 ms later ones), and
        those visits set the tab switch's p99 (2x its p50)."""
        size = self.size
        if size.width <= 0 or size.height <= 1 or tape is self.tape:
            return
        saved = (self.tape, self.view, self._auto, self.scroll_back, self._pinned,
                 self._layout)
        self.tape, self.view, self._auto = tape, view, (-1, ())
        self.scroll_back, self._pinned = 0, None
        try:
            for strip in self._build(self._last_now):
                strip.render(console)
        finally:
            (self.tape, self.view, self._auto, self.scroll_back, self._pinned,
             self._layout) = saved

    def _key(self) -> tuple[object, ...]:
        view = self.view
        return (self.tape.version, self.size.width, self.size.height, self.stale,
                view.merge_trades, view.min_trade, view.big_trade, self.scroll_back,
                self.rule_left)

    def clear_caches(self) -> None:
        self._line_cache.clear()
        self._fixed.clear()
        self._rows.clear()

    def scroll_trades(self, delta: int) -> bool:
        """Scroll `delta` trades back (> 0, older) or forward; 0 is the newest on top."""
        self._follow_pin()
        new = max(0, min(len(self.tape) - 1, self.scroll_back + delta))
        if new == self.scroll_back:
            return False
        self.scroll_back = new
        top = self.tape.newest(new + 1)
        self._pinned = top[new].id if new and len(top) > new else None
        return True

    def _follow_pin(self) -> None:
        """Keep the pinned trade on top: count the trades that arrived above it."""
        if self._pinned is None:
            return
        for i, trade in enumerate(self.tape):
            if trade.id == self._pinned:
                self.scroll_back = i
                return
        self.scroll_back, self._pinned = 0, None  # it left the tape: back to the newest

    def tiers(self) -> tuple[Decimal, ...]:
        """The large-trade tiers in force: the market's, or automatic from the tape."""
        if self.view.big_trade is not None:
            return self.view.big_trade
        version = self.tape.version
        if self._auto[0] != version:
            tiers = auto_tiers(self.tape)
            # Equal tiers kept as the same tuple: the lines kept for them know it by identity.
            self._auto = (version, self._auto[1] if tiers == self._auto[1] else tiers)
        return self._auto[1]

    def _build(self, now: float) -> list[Strip]:
        full, height = self.size.width, self.size.height
        if full <= 0 or height <= 0:
            return []
        st = self.component_styles()
        rule = [Segment(RULE, st["rule"])] if self.rule_left and full > 1 else []
        width = full - len(rule)  # the columns' room, right of the rule
        view = self.view
        rows_n = height - 1
        self._follow_pin()
        back = self.scroll_back
        tiers = self.tiers()
        # One line more than shown: the oldest shown needs a mark.
        lines_shown = tape_lines(islice(iter(self.tape), back, None), view.merge_trades, tiers,
                                 view.min_trade, rows_n + 1, self._memo)
        rows = self._rows_of(lines_shown)
        marks = price_marks([row.vwap for row in rows])[:rows_n]
        rows = rows[:rows_n]
        price_w = (max([row.price_w[0] for row in rows], default=0),
                   max([row.price_w[1] for row in rows], default=0))
        size_w = (max([row.size_w[0] for row in rows], default=0),
                  max([row.size_w[1] for row in rows], default=0))
        pw, sw = max(sum(price_w), 5), max(sum(size_w), 4)
        qw = max([len(row.quote) for row in rows] + [len("Value")])
        cnt_w = max([len(row.prints) for row in rows] + [0])
        core = 1 + pw + len(_GAP) + sw + 2
        show_time = core + 8 + len(_GAP) <= width
        show_value = core + (8 + len(_GAP) if show_time else 0) + len(_GAP) + qw <= width
        fixed = self._fixed
        if len(fixed) > 64:
            fixed.clear()
        head_key = ("head", full, bool(rule), show_time, pw, sw, show_value, qw,
                    view.merge_trades, view.min_trade, tiers, back)
        header = fixed.get(head_key)
        if header is None:
            header = fixed[head_key] = self._header(rule, full, show_time, pw, sw, show_value,
                                                    qw, tiers, back)
        out = [header]
        if not rows:
            out.append(self.line(rule + lead_split(" no trades yet", st["empty"]), full,
                                 st["empty"]))
        layout = _Layout(full, bool(rule), self.stale, show_time, show_value, qw, cnt_w,
                         price_w, size_w)
        if layout == self._layout:
            layout = self._layout  # the rows drawn with it know it by identity
        self._layout = layout
        cache = self._line_cache
        for row, mark in zip(rows, marks, strict=True):
            strip = row.strip
            if strip is None or row.layout is not layout or row.mark != mark:
                line = row.line
                key = (line.time, line.side, line.tier, row.price, row.size, row.quote, mark,
                       row.prints, layout)
                strip = cache.pop(key, None)
                if strip is None:
                    strip = self._trade_line(line, rule, aligned(row.price, *price_w),
                                             aligned(row.size, *size_w), row.quote.rjust(qw),
                                             mark, row.prints.ljust(cnt_w), layout)
                cache[key] = strip  # (re)inserted last: the oldest entries go first
                row.strip, row.layout, row.mark = strip, layout, mark
            out.append(strip)
        if len(cache) > self.LINE_CACHE:
            for old in list(cache)[:len(cache) // 2]:
                del cache[old]
        if len(out) < height:
            blank_key = ("blank", full, bool(rule))
            blank = fixed.get(blank_key)
            if blank is None:
                blank = fixed[blank_key] = self.line(rule, full, st["empty"])
            out.extend([blank] * (height - len(out)))
        return out[:height]

    def _rows_of(self, lines: list[TapeLine]) -> list[_Row]:
        """Each line's `_Row`, kept by the line (the `LineMemo` hands out the same line
        object while its prints stay): a line shown before is not measured or drawn again,
        only checked against its mark and the layout."""
        kept = self._rows
        if len(kept) > LineMemo.LIMIT:
            kept.clear()
        out = []
        for line in lines:
            row = kept.get(id(line))
            if row is None or row.line is not line:
                row = kept[id(line)] = _Row(line)
            out.append(row)
        return out

    def _header(self, rule: list[Segment], full: int, show_time: bool, pw: int, sw: int,
                show_value: bool, qw: int, tiers: tuple[Decimal, ...], back: int) -> Strip:
        view = self.view
        hs = self.component_styles()["header"]
        header = [gap(" ", hs), Segment("Time", hs), gap("    ", hs)] if show_time else [
            gap(" ", hs)]
        header += [*lead_split(_GAP + "Price".rjust(pw), hs),
                   *lead_split(_GAP + "Size".rjust(sw), hs)]
        if show_value:
            header += lead_split(_GAP + "Value".rjust(qw), hs)
        notes = ["merged"] if view.merge_trades else []
        if view.min_trade is not None:
            notes.append(f"≥{size_label(view.min_trade)}")
        if tiers:
            notes.append(f"big {tier_label(tiers)}")
        if back:
            notes.insert(0, f"{back} newer above")  # first: the tape is not live
        if notes:
            header += lead_split("  " + " ".join(notes), hs)
        return self.line(rule + header, full, hs)

    def _trade_line(self, line: TapeLine, rule: list[Segment], price: str, size: str,
                    quote: str, mark: str, count: str, layout: _Layout) -> Strip:
        """One trade line: time, price, size, value, tick mark and count, by side and tier."""
        st = self.component_styles()
        buy = line.side == BUY
        if layout.stale:
            style = time_style = st["stale"]
        elif line.tier:
            suffix = "" if line.tier == 1 else f"-{line.tier}"
            style = time_style = st[("big-buy" if buy else "big-sell") + suffix]
        else:
            style = st["buy"] if buy else st["sell"]
            time_style = st["time"]
        segs = [*rule, gap(" ", style)]
        if layout.show_time:
            # strftime("%H:%M:%S") as an f-string, the same text: 2.2 -> 1.0 us (timeit).
            when = datetime.fromtimestamp(line.time, self.tz)
            stamp = f"{when.hour:02d}:{when.minute:02d}:{when.second:02d}"
            segs += [Segment(stamp, time_style), gap(_GAP, style)]
        segs += [*lead_split(price, style), gap(_GAP, style), *lead_split(size, style)]
        if layout.show_value:
            segs += [gap(_GAP, style), *lead_split(quote, style)]
        segs += [gap(" ", style), Segment(mark, style)]
        if count:
            segs += [gap(" ", style), Segment(count, style)]
        segs.append(gap(" ", style))
        return self.line(segs, layout.width, st["empty"])

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return container.height
