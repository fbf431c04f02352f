"""Rare feed events for the UI, typed: what happened, to which market, and how loud it is.

The feed raises a `FeedNotice` through its `on_notice` callback (never per message); the app
wraps it in a Textual message as it is. `SEVERITY` is the one table that says which kinds
become a toast, and how loud: no matching of kinds by name anywhere else.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal, NamedTuple

Severity = Literal["information", "warning", "error"]
ERROR_LIMIT = 160  # characters of an error kept for the status bar (made inert: book.text)


class NoticeKind(StrEnum):
    CONNECTED = "connected"
    DISCONNECTED = "disconnected"  # the link dropped; reconnecting follows
    STALE = "stale"  # no data or no pong in time: the link is dropped and reopened
    RESYNC = "resync"  # a market's book failed a check; a fresh snapshot was asked for
    REJECTED = "rejected"  # the server refused a market, or never sent its snapshot
    ERROR = "error"  # recording stopped, replay failed, ...
    WARNING = "warning"  # recording had unreadable lines, ...
    REPLAY_DONE = "replay_done"
    MARKETS_CHANGED = "markets_changed"  # a replay opened or closed markets, as recorded


# None: shown in the status bar only, no toast.
SEVERITY: dict[NoticeKind, Severity | None] = {
    NoticeKind.CONNECTED: None,
    NoticeKind.DISCONNECTED: "warning",
    NoticeKind.STALE: "warning",
    NoticeKind.RESYNC: "warning",
    NoticeKind.REJECTED: "error",
    NoticeKind.ERROR: "error",
    NoticeKind.WARNING: "warning",
    NoticeKind.REPLAY_DONE: "information",
    NoticeKind.MARKETS_CHANGED: None,
}


class FeedNotice(NamedTuple):  # not a frozen dataclass: ~0.8 ms of every start
    """One rare event. `text` is already inert (see `dfx_tui.book.text`)."""

    kind: NoticeKind
    market: str | None
    text: str

    @property
    def severity(self) -> Severity | None:
        return SEVERITY[self.kind]
