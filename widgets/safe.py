"""Showing server text inertly: strip control characters, never interpret markup.

Anything that came from the network (error messages, market names) goes through `sanitize`
before it reaches a widget, and is shown as `rich.text.Text` built from plain strings, never
as a markup string, so a crafted message can neither style the screen nor move the cursor.
"""

from __future__ import annotations

import re

from rich.text import Text

# C0 and C1 controls, DEL, and the bidi overrides/isolates that can reorder what is shown.
_CONTROL_RE = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def sanitize(text: object, limit: int = 200) -> str:
    """Printable one-line text of at most `limit` characters (an ellipsis marks a cut)."""
    value = _CONTROL_RE.sub(" ", str(text))
    value = " ".join(value.split())
    if len(value) > limit:
        value = value[: max(0, limit - 1)] + "…"
    return value


def inert(text: object, style: str = "", limit: int = 200) -> Text:
    """A `Text` that shows `text` literally (no markup, no control characters)."""
    return Text(sanitize(text, limit), style=style, no_wrap=True, overflow="ellipsis")
