"""Base of the one-line text widgets (market header, status bar): repaint only on change.

Colours come from the subclass's component classes (`component_styles()`, see
widgets/styled.py); a subclass's `restyle()` rebuilds its text when the theme changes them.
"""

from __future__ import annotations

from collections.abc import Mapping

from rich.style import Style
from rich.text import Text

from dfx_tui.widgets.styled import StyledWidget

PLAIN = Style()


def style_of(styles: Mapping[str, Style], name: str) -> Style:
    """The named style, or no colour at all when `styles` lacks it (text built outside an app)."""
    return styles.get(name, PLAIN)


class TextLine(StyledWidget):
    """Shows one `Text`; `show()` swaps it and refreshes only if anything visible changed."""

    def __init__(self, text: Text | None = None, *, name: str | None = None,
                 id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._text = text if text is not None else Text()

    def show(self, text: Text) -> bool:
        if text.plain == self._text.plain and text.spans == self._text.spans:
            return False
        self._text = text
        self.refresh()
        return True

    @property
    def plain(self) -> str:
        return self._text.plain

    @property
    def text(self) -> Text:
        return self._text

    def render(self) -> Text:
        return self._text
