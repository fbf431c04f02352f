"""The one rule for showing text that came from outside (server, recording, config file).

Server strings end up on screen, in log lines and on stderr (`--once`). Whichever, they must
never act on a terminal: C0 and C1 controls (ESC starts a terminal command, BEL rings), DEL,
the bidi marks, overrides and isolates that reorder what is shown, and the Unicode line and
paragraph separators are each replaced by a space, runs of whitespace fold to one, and long
text is cut with an ellipsis. Widgets also show the result as plain text, never as markup.
"""

from __future__ import annotations

_UNSAFE = dict.fromkeys(
    [*range(0x20), *range(0x7F, 0xA0), 0x200E, 0x200F, 0x2028, 0x2029, *range(0x202A, 0x202F),
     *range(0x2066, 0x206A)],
    " ",
)
DEFAULT_LIMIT = 200


def inert_text(text: object, limit: int = DEFAULT_LIMIT) -> str:
    """Printable one-line text of at most `limit` characters (an ellipsis marks a cut)."""
    value = " ".join(str(text).translate(_UNSAFE).split())
    if len(value) > limit:
        value = value[: max(0, limit - 1)] + "…"
    return value
