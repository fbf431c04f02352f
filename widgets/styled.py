"""Base of the widgets that draw ahead of time with their component-class styles.

The ladder, tape, header and status bar build their lines (Strips, or a `Text`) when their
data changes and keep them, so a theme change would otherwise leave the old colours on
screen until the data moved. Textual calls `notify_style_update` on every widget after a
theme change (and on any other restyle: hover, a class on an ancestor); the widget then
compares the styles it drew with against the new ones and, only if they differ, redraws at
once through `restyle()`.
"""

from __future__ import annotations

from rich.style import Style
from textual.widget import Widget


class StyledWidget(Widget):
    """A widget whose drawing uses `component_styles()`, redrawn when those styles change."""

    def __init__(self, *, name: str | None = None, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._style_map: dict[str, Style] | None = None
        self._styles_in_use: dict[str, Style] | None = None  # what the picture was drawn with

    def _current_styles(self) -> dict[str, Style]:
        styles = self._style_map
        if styles is None:
            # "ladder--bid" -> "bid"; full styles (background of the widget included).
            styles = self._style_map = {
                name.partition("--")[2]: self.get_component_rich_style(name)
                for name in self.COMPONENT_CLASSES}
        return styles

    def component_styles(self) -> dict[str, Style]:
        """The styles to draw with now (remembered, to notice when the theme changes them)."""
        styles = self._styles_in_use = self._current_styles()
        return styles

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._style_map = None
        if self._styles_in_use is not None:
            # Textual computes the component styles right after this call: compare after it.
            self.call_later(self._restyle_if_changed)

    def _restyle_if_changed(self) -> None:
        if self._styles_in_use is not None and self._current_styles() != self._styles_in_use:
            self.restyle()

    def restyle(self) -> None:
        """Redraw what is shown in the current styles (subclasses drop their caches first)."""
        self.refresh()
