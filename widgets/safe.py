"""Showing outside text inertly in widgets: the one rule of `dfx_tui.book.text`, as `Text`.

Anything that came from the network (error messages, market names) goes through `sanitize`
before it reaches a widget, and is shown as `rich.text.Text` built from plain strings, never
as a markup string, so a crafted message can neither style the screen nor move the cursor.
"""

from __future__ import annotations

from rich.text import Text

from dfx_tui.book.text import DEFAULT_LIMIT, inert_text

sanitize = inert_text


def inert(text: object, style: str = "", limit: int = DEFAULT_LIMIT) -> Text:
    """A `Text` that shows `text` literally (no markup, no control characters)."""
    return Text(inert_text(text, limit), style=style, no_wrap=True, overflow="ellipsis")
