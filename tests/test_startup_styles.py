"""Cold start (issue 11): the markets screen skips Textual's restyle on its first resume
(`MarketsScreen._on_screen_resume`), because every widget was styled when it was mounted.

These tests restyle the started screen as Textual would have and check that no node's styles,
component styles included, change: a rule that reached a node only after it was mounted (an
unscoped rule in a widget's CSS, a class set without a restyle) would show up here.
"""

from __future__ import annotations

from textual.dom import DOMNode

from dfx_tui.app.tui import DfxApp
from tests.support.apps import fixed_app


def _styles(app: DfxApp) -> dict[str, list[str]]:
    """Every node of the screen: its CSS lines and those of each of its component classes."""
    seen: dict[str, list[str]] = {}
    for i, node in enumerate(app.screen.walk_children(with_self=True)):
        assert isinstance(node, DOMNode)
        key = f"{i}:{node!r}"
        seen[key] = list(node._css_styles.css_lines)
        for name, styles in sorted(node._component_styles.items()):
            seen[f"{key}--{name}"] = list(styles._base_styles.css_lines)
    return seen


def _restyled(app: DfxApp) -> dict[str, list[str]]:
    app.stylesheet.update_nodes(app.screen.walk_children(with_self=True), animate=False)
    return _styles(app)


async def test_the_first_resume_leaves_no_stale_style() -> None:
    for size in ((160, 50), (90, 30)):  # wide, narrow
        app = fixed_app()
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            assert app.screen._resumed  # the first resume was the one skipped
            before = _styles(app)
            assert len(before) > 60  # the ladder, tape, header and status bar's components
            assert _restyled(app) == before, size


async def test_a_stale_style_would_be_caught() -> None:
    app = fixed_app()
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause()
        before = _styles(app)
        # A class that changes the layout, set behind Textual's back (no restyle).
        app.screen._classes.add("-too-small")
        assert _restyled(app) != before
