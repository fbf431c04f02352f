"""The tape's kept work invalidates: over random trade streams and setting changes, what a
long-lived tape makes equals what a fresh one makes (the median print size kept by
`TradeTape`, the lines kept by `LineMemo`, and the strips, texts and header a `TapeView`
keeps between builds)."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC
from decimal import Decimal

import pytest
from textual.app import App, ComposeResult
from textual.containers import Horizontal
from textual.strip import Strip

from dfx_tui.book.numbers import median
from dfx_tui.book.tape import BUY, SELL, Trade, TradeTape
from dfx_tui.book.tape_lines import LineMemo, tape_lines
from dfx_tui.widgets.palette import THEMES, theme_variables
from dfx_tui.widgets.tape import TapeView
from dfx_tui.widgets.view_state import MarketViewState

# Equal sizes written differently ("0.1", "0.10"): the median must be the same Decimal.
AMOUNTS = ("0.1", "0.10", "0.100", "0.25", "1", "1.0", "2.5", "0.003", "12", "7.77", "100")
PRICES = ("100.5", "100.25", "99", "100.125", "100.50", "101")
TIERS: tuple[tuple[Decimal, ...] | None, ...] = (
    None, (Decimal("0.5"),), (Decimal("0.1"), Decimal("1"), Decimal("5")),
    (Decimal("1"), Decimal("2"), Decimal("3")), ())
MIN_SIZES = (None, Decimal("0.1"), Decimal("1"), Decimal("2.5"), Decimal("50"))


class Stream:
    """Random batches of trades: runs of one time and side (merged lines), repeated ids,
    trades older than the tape's newest (out of order), now and then a clean batch."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.next_id = 1
        self.time = 1_750_000_000.0

    def trade(self) -> Trade:
        rng = self.rng
        roll = rng.random()
        if roll < 0.05:  # out of order
            when = self.time - rng.choice((1.0, 3.0, 10.0))
        elif roll < 0.5:  # a new time; otherwise the same (a run to merge)
            self.time += rng.choice((0.5, 1.0, 2.0))
            when = self.time
        else:
            when = self.time
        tid = self.next_id if rng.random() > 0.05 else max(1, self.next_id - 2)  # repeats
        self.next_id += 1
        price, amount = rng.choice(PRICES), rng.choice(AMOUNTS)
        side = BUY if rng.random() < 0.5 else SELL
        return Trade(tid, when, price, amount, side, float(price), float(amount))

    def batch(self) -> tuple[bool, list[Trade]]:
        trades = [self.trade() for _ in range(self.rng.choice((1, 1, 1, 2, 3, 6)))]
        return self.rng.random() < 0.02, trades[::-1]  # newest first, as on the wire


def batches(seed: int, n: int) -> Iterator[tuple[bool, list[Trade]]]:
    stream = Stream(seed)
    for _ in range(n):
        yield stream.batch()


@pytest.mark.parametrize("seed", range(4))
def test_median_size_is_the_median_of_the_tape(seed: int) -> None:
    tape = TradeTape("X", maxlen=random.Random(seed).choice((5, 30, 200)))
    assert tape.median_size() is None
    for i, (clean, trades) in enumerate(batches(seed, 600)):
        tape.apply(clean, trades)
        if i % 97 == 96:
            tape.clear()
        sizes = [Decimal(t.amount) for t in tape]
        want = median(sizes) if sizes else None
        assert repr(tape.median_size()) == repr(want)  # the same Decimal, not only equal


def _settings(rng: random.Random) -> tuple[bool, tuple[Decimal, ...], Decimal | None, int]:
    tiers = rng.choice(TIERS)
    return (rng.random() < 0.5, tiers if tiers is not None else (),
            rng.choice(MIN_SIZES), rng.choice((0, 0, 0, 2, 7)))


@pytest.mark.parametrize("limit", [LineMemo.LIMIT, 23])
def test_line_memo_gives_the_lines_a_fresh_merge_gives(monkeypatch: pytest.MonkeyPatch,
                                                       limit: int) -> None:
    monkeypatch.setattr(LineMemo, "LIMIT", limit)  # 23: it also starts again, often
    rng = random.Random(limit)
    tape, memo = TradeTape("X", maxlen=120), LineMemo()
    settings = _settings(rng)
    for i, (clean, trades) in enumerate(batches(limit, 1500)):
        tape.apply(clean, trades)
        if rng.random() < 0.1:
            settings = _settings(rng)
        merge, tiers, min_size, skip = settings
        count = rng.choice((1, 5, 40))
        kept = tape_lines(iter(tape.newest()[skip:]), merge, tiers, min_size, count, memo)
        fresh = tape_lines(iter(tape.newest()[skip:]), merge, tiers, min_size, count)
        assert [repr(line) for line in kept] == [repr(line) for line in fresh], i
        assert len(memo) <= max(limit, 1)


def test_line_memo_refuses_unsorted_tiers() -> None:
    tape = TradeTape("X")
    tape.apply(False, [Trade(1, 1.0, "1", "1", BUY, 1.0, 1.0)])
    with pytest.raises(ValueError):
        tape_lines(iter(tape), False, (Decimal(5), Decimal(1)), None, 5, LineMemo())


class TapeApp(App[None]):
    """A long-lived tape and, for each check, a fresh one of the same size beside it."""

    CSS = "Horizontal { height: 24; } TapeView { height: 24; }"

    def __init__(self, tape: TradeTape, view: MarketViewState) -> None:
        super().__init__()
        for theme in THEMES:
            self.register_theme(theme)
        self.kept = TapeView(tape, view, tz=UTC)

    def get_theme_variable_defaults(self) -> dict[str, str]:
        return theme_variables(self.current_theme)

    def compose(self) -> ComposeResult:
        yield Horizontal(self.kept, id="row")


def picture(strips: list[Strip]) -> list[list[tuple[str, str]]]:
    return [[(seg.text, str(seg.style)) for seg in strip] + [("|", str(strip.cell_length))]
            for strip in strips]


@pytest.mark.parametrize("seed", range(3))
async def test_tape_view_draws_what_a_fresh_tape_view_draws(monkeypatch: pytest.MonkeyPatch,
                                                            seed: int) -> None:
    # Small caches: they fill and start again within the test.
    monkeypatch.setattr(LineMemo, "LIMIT", 60)
    monkeypatch.setattr(TapeView, "LINE_CACHE", 40)
    rng = random.Random(seed)
    tapes = [TradeTape("A", maxlen=150), TradeTape("B", maxlen=150)]
    views = [MarketViewState(), MarketViewState(merge_trades=True)]
    app = TapeApp(tapes[0], views[0])
    stream = Stream(seed)
    async with app.run_test(size=(120, 30)) as pilot:
        kept, shown, width = app.kept, 0, 48
        kept.styles.width = width
        for step in range(160):
            for _ in range(rng.choice((0, 1, 1, 2, 5))):
                tapes[shown if rng.random() < 0.8 else 1 - shown].apply(*stream.batch())
            roll = rng.random()
            view = views[shown]
            if roll < 0.05:
                shown = 1 - shown
                kept.show_tape(tapes[shown], views[shown])
            elif roll < 0.12:
                view.merge_trades = not view.merge_trades
            elif roll < 0.18:
                view.min_trade = rng.choice(MIN_SIZES)
            elif roll < 0.25:
                view.big_trade = rng.choice(TIERS)
            elif roll < 0.32:
                kept.scroll_trades(rng.choice((-50, -1, 1, 3)))
            elif roll < 0.36:
                kept.stale = not kept.stale
            elif roll < 0.40:
                kept.rule_left = not kept.rule_left
            elif roll < 0.43:
                width = rng.choice((22, 34, 48, 70))
                kept.styles.width = width
            elif roll < 0.46:  # new colours: every kept strip and header must go
                app.theme = rng.choice(("textual-dark", "textual-light", "dfx-colorblind"))
                await pilot.pause()
            if step % 2:
                kept.repaint()  # a build between checks too: what it keeps must hold
                continue
            fresh = TapeView(tapes[shown], views[shown], tz=UTC)
            fresh.styles.width = width
            fresh.scroll_back, fresh._pinned = kept.scroll_back, kept._pinned
            fresh.stale, fresh.rule_left = kept.stale, kept.rule_left
            await app.query_one("#row").mount(fresh)
            await pilot.pause()
            assert fresh.size == kept.size
            assert picture(kept._build(0.0)) == picture(fresh._build(0.0)), step
            await fresh.remove()
        assert kept.repaints > 0
