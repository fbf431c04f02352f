"""Base of the widgets that draw ahead of time with their component-class styles.

The ladder, tape, header and status bar build their lines (Strips, or a `Text`) when their
data changes and keep them, so a theme change would otherwise leave the old colours on
screen until the data moved. Textual calls `notify_style_update` on every widget after a
theme change (and on any other restyle: hover, a class on an ancestor); the widget then
compares the styles it drew with against the new ones and, only if they differ, redraws at
once through `restyle()`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar, overload

from rich.style import Style
from textual.widget import Widget

T = TypeVar("T")


class ComponentStyles(dict[str, Style]):
    """A widget's component styles by short name ("ladder--bid" -> "bid"), each looked up at
    its first read. The first drawn book reads 31 of the markets screen's 60: 4.2-7.1 ->
    2.7-2.8 ms of CPU before it is on the terminal (3 demo starts each, loaded machine).
    A name the widget does not have reads as missing, as in a plain dict."""

    def __init__(self, widget: Widget, names: Mapping[str, str]) -> None:
        super().__init__()
        self._widget = widget
        self._names = names  # short name -> component class

    def __missing__(self, key: str) -> Style:
        style = self[key] = self._widget.get_component_rich_style(self._names[key])
        return style

    def __contains__(self, key: object) -> bool:
        return key in self._names

    def __bool__(self) -> bool:  # `styles or {}`: true before any is read
        return bool(self._names)

    @overload
    def get(self, key: str, default: None = None, /) -> Style | None: ...
    @overload
    def get(self, key: str, default: Style, /) -> Style: ...
    @overload
    def get(self, key: str, default: T, /) -> Style | T: ...
    def get(self, key: str, default: object = None, /) -> object:
        return self[key] if key in self._names else default

    def differ_from(self, drawn: dict[str, Style]) -> bool:
        """Whether any style that `drawn` handed out reads differently here."""
        return any(self[key] != style for key, style in drawn.items())


class StyledWidget(Widget):
    """A widget whose drawing uses `component_styles()`, redrawn when those styles change."""

    _short_names: dict[str, str] | None = None  # per class: "bid" -> "ladder--bid"

    def __init__(self, *, name: str | None = None, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._style_map: ComponentStyles | None = None
        self._styles_in_use: ComponentStyles | None = None  # what the picture was drawn with

    def _current_styles(self) -> ComponentStyles:
        styles = self._style_map
        if styles is None:
            # Full styles (background of the widget included), by short name.
            cls = type(self)
            names = cls.__dict__.get("_short_names")
            if names is None:
                names = {name.partition("--")[2]: name for name in self.COMPONENT_CLASSES}
                cls._short_names = names
            styles = self._style_map = ComponentStyles(self, names)
        return styles

    def component_styles(self) -> ComponentStyles:
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
        if self._styles_in_use is not None and self._current_styles().differ_from(
                self._styles_in_use):
            self.restyle()

    def restyle(self) -> None:
        """Redraw what is shown in the current styles (subclasses drop their caches first)."""
        self.refresh()
