"""What a paint does besides drawing: feed the markets' histories, and say when the next paint
is due if no data comes (app/paint_clock.py schedules it). Split from app/tui.py."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from dfx_tui.book.state import ConnectionStatus, Market, MarketState
from dfx_tui.widgets.status_bar import age_changes_in

if TYPE_CHECKING:
    from dfx_tui.app.alerts import AlertWatcher
    from dfx_tui.book.alerts import Fired
    from dfx_tui.book.tape import Trade

HEARTBEAT_S = 1.0  # a replay: its position and progress move with time


def quiet_delay(status: ConnectionStatus, now: float, change_at: float | None, fps: float,
                histories_in: float | None) -> float | None:
    """Seconds until a paint is due with no new data (None: not before the feed's hooks
    bring data, a link state, rates or ping): the age's next step (`age_changes_in`), a
    flash ending, the heatmap or the sparkline moving (`change_at`), a history due
    (`histories_in`); a replay's bar once a second. Times are on the app's clock, the delay
    on any.

    A flash ends up to 1/fps late: while data flows, a data paint shows it first. Asked
    for on time, flash ends (about one per change, 0.5 s after it) were paints of their
    own at the fps cap, so changes waited behind them."""
    delays = [histories_in]
    if status.replay is not None:
        delays.append(HEARTBEAT_S)
    last = status.last_message_at
    if last is not None and now - last >= 1.0:
        # Whole seconds and coarser. Under a second the feed's rate clock says when the
        # age reaches one (`FeedCore.status_changed`): while messages keep coming,
        # nothing wakes the app to find out that they did.
        delays.append(age_changes_in(now - last))
    if change_at is not None:
        delays.append(change_at - now + 1.0 / fps)
    delay = min((d for d in delays if d is not None), default=None)
    return None if delay is None else max(0.0, delay) + 0.001


def observe_markets(markets: Iterable[Market], link_live: bool, now: float,
                    watcher: AlertWatcher, shown: str | None) -> tuple[list[Fired],
                                                                        float | None]:
    """Feed the histories of every open market that has something to take (hidden tabs
    too: a heatmap is complete the moment its tab is shown; an unchanged market is left
    alone, `MarketAnalytics.pending`), check its alerts with what is new, hold the `shown`
    one. Returns the alerts fired and the seconds until a history is due with no new data."""
    fired: list[Fired] = []
    due: float | None = None
    live_state = MarketState.LIVE
    for market in markets:
        analytics, book, tape = market.analytics, market.book, market.tape
        live = link_live and market.status.state is live_state
        fresh: list[Trade] = []
        # `analytics.pending`, with the due time asked once: an unchanged market's `next_due`
        # stands after `hold` (it only moves the heatmap's covered time).
        if analytics.changed(book, tape, live):
            fresh = analytics.observe(book, tape, live, now)
            at = analytics.next_due(book)
        else:
            at = analytics.next_due(book)
            if at is not None and now >= at:
                fresh = analytics.observe(book, tape, live, now)
                at = analytics.next_due(book)
            elif market.name == shown:
                analytics.hold(book, now)
        if watcher.watching:
            fired += watcher.check(market, fresh, live, now)
        if at is not None and (due is None or at < due):
            due = at
    return fired, None if due is None else max(0.0, due - now)
