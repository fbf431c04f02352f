"""The app's hooks into the feed core: how the app learns that what it shows changed, without
a UI message per frame. A mixin of `FeedCore`, so the data path tests them on `self` (one
comparison per message while disarmed). Split from core.py."""

from __future__ import annotations

import logging
from collections.abc import Callable

from dfx_tui.app.feed.rates import shown_status
from dfx_tui.book.state import ConnectionStatus

log = logging.getLogger("dfx_tui.feed")


class AppHooks:
    """`watch` (the shown market's changes, for the paint clock) and `watch_data` (any
    market's data, for the histories of hidden tabs)."""

    status: ConnectionStatus

    def _init_hooks(self) -> None:
        # Armed for one market, `watch` fires at the next message for that market or the
        # next change of the link's state, and disarms unless the callback returns True.
        self._watched: str | None = None
        self._on_watched: Callable[[], bool] | None = None
        self._on_data: Callable[[], None] | None = None  # `watch_data`
        self._status_shown: tuple[object, ...] | None = None  # see `status_changed`

    def watch(self, market: str | None, callback: Callable[[], bool] | None) -> None:
        """Call `callback` at the next depth or trades message for `market` or the next
        change of the link's state (`set_link`: connecting, reconnecting, stale...), then
        disarm unless it returned True; None disarms. It runs inside the data path, before
        the message is applied: it must only schedule work (the app's paint clock does
        `loop.call_at`)."""
        self._watched = market if callback is not None else None
        self._on_watched = callback

    def watch_data(self, callback: Callable[[], None] | None) -> None:
        """Call `callback` once, at the next depth or trades message of any open market (before
        it is applied), then disarm; None disarms. Like `watch`, it must only schedule work."""
        self._on_data = callback

    def market_changed(self, market: str) -> None:
        """`market`'s ticker changed: fire the watch if that market is the one watched."""
        if market == self._watched:
            self._fire_watch()

    def status_changed(self, now: float) -> bool:
        """Fire the watch if what the status bar shows changed since the last call, beyond
        the link's state (`set_link` fires): rates, reconnects, ping, rejected frames, last
        error, the age turning from tenths to seconds (`rates.shown_status`). Called once a
        second, so the app need not repaint to find out."""
        shown = shown_status(self.status, now)
        if shown == self._status_shown:
            return False
        self._status_shown = shown
        if self._on_watched is not None:
            self._fire_watch()
        return True

    def _fire_watch(self) -> None:
        callback = self._on_watched
        if callback is None:
            return
        keep = False
        try:
            keep = callback() is True
        except Exception:  # a UI bug must not kill the feed
            log.exception("watch callback failed")
        if not keep and self._on_watched is callback:
            self._watched = self._on_watched = None

    def _fire_data(self) -> None:
        callback, self._on_data = self._on_data, None
        if callback is not None:
            try:
                callback()
            except Exception:  # a UI bug must not kill the feed
                log.exception("watch_data callback failed")
