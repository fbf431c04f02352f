"""Base of the one-line text widgets (market header, status bar): repaint only on change."""

from __future__ import annotations

from rich.text import Text
from textual.widget import Widget


class TextLine(Widget):
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

    def render(self) -> Text:
        return self._text
