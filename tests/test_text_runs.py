"""TextLine's runs path (widgets/text_line.py `show_runs`, `run_spans`, `runs_segments`):
the same segments, strips and answers as making the `Text` (`runs_text`) and showing it, and
the header shown from runs changes whenever what it shows changes."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from rich.style import Style
from rich.text import Text

from dfx_tui.widgets.text_line import (
    PLAIN,
    Run,
    TextLine,
    run_spans,
    runs_segments,
    runs_text,
    text_segments,
)
from tests.support.apps import fixed_app

BASE = Style(color="#c0c0c0", bgcolor="#101010")
STYLES = [None, PLAIN, Style(bold=True), Style(color="#ff0000"), Style(dim=True),
          Style(color="#00ff00", bgcolor="#0000ff"), Style(italic=False)]
TEXTS = st.text(alphabet=" ab▁█×–", max_size=6)
RUNS = st.lists(st.tuples(TEXTS, st.sampled_from(STYLES)), max_size=12)


@settings(max_examples=300, deadline=None)
@given(RUNS)
def test_runs_give_the_segments_of_their_text_at_every_width(runs: list[Run]) -> None:
    text = runs_text(runs)
    found = run_spans(runs)
    assert found is not None
    plain, spans = found
    assert plain == text.plain and spans == text.spans
    for width in range(0, len(plain) + 3):
        assert runs_segments(runs, plain, width, BASE) == text_segments(text, width, BASE)


def test_runs_with_control_codes_or_wide_characters_are_left_to_the_text() -> None:
    assert run_spans([("a\rb", None)]) is None  # `Text` strips it: its spans move
    wide: list[Run] = [("漢字", Style(bold=True))]
    assert runs_segments(wide, "漢字", 10, BASE) is None


async def test_show_runs_answers_and_draws_as_show_does() -> None:
    app = fixed_app(["BTC_USDT"])
    async with app.run_test(size=(60, 10)) as pilot:
        await pilot.pause(0.1)
        by_runs, by_text = TextLine(), TextLine()
        await app.screen.mount(by_runs, by_text)
        await pilot.pause(0.1)
        bold, red = Style(bold=True), Style(color="#ff0000")
        steps: list[list[Run]] = [
            [(" ", None), ("BTC ", bold), ("1.5", red)],
            [(" ", None), ("BTC ", bold), ("1.5", red)],  # equal runs
            [(" ", None), ("BTC", bold), (" ", bold), ("1.5", red)],  # other runs, same text
            [(" ", None), ("BTC ", bold), ("1.6", red)],  # what is shown changed
            [(" ", PLAIN), ("BTC ", bold), ("", red), ("1.6", red)],  # no new span
            [(" ", None), ("BTC ", red), ("1.6", red)],  # a style changed
            [("x\r", None)],  # control codes: through the `Text`
            [("x" * 80, bold)],  # cut to the width
        ]
        for runs in steps:
            answer = by_runs.show_runs(list(runs))
            assert answer == by_text.show(runs_text(runs)), runs
            assert by_runs.plain == by_text.plain
            assert by_runs.text.plain == by_text.text.plain
            assert by_runs.text.spans == by_text.text.spans
            width = by_runs.size.width
            assert list(by_runs.render_line(0)) == list(by_text.render_line(0)), runs
            assert width > 0
        assert isinstance(by_runs.text, Text)


async def test_the_header_from_runs_changes_with_what_it_shows() -> None:
    app = fixed_app(["BTC_USDT"])
    async with app.run_test(size=(160, 20)) as pilot:
        await pilot.pause(0.3)
        header = app.screen.query_one("MarketHeader")
        book = header.market.book
        before, strip = header.plain, list(header.render_line(0))
        bid_price, _ = book.best_bid()
        book.apply_update(None, [[bid_price, "123.456"]])
        assert header.update_view(None)
        assert header.plain != before and list(header.render_line(0)) != strip
        assert not header.update_view(None)  # nothing moved since
        assert header.update_view("STALE") and "STALE" in header.plain
