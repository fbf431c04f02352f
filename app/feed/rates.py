"""The status bar's figures the feed core keeps: message rates, and what of its status the bar
shows (so a change of it, and only that, asks the app for a paint). Split from core.py."""

from __future__ import annotations

from collections.abc import Mapping

from dfx_tui.book.state import ConnectionStatus, Market


class Rates:
    """Messages per second, overall and per market, between two `update` calls."""

    def __init__(self) -> None:
        self._prev: tuple[float, int, dict[str, int]] | None = None

    def update(self, status: ConnectionStatus, markets: Mapping[str, Market],
               now: float) -> None:
        per = {name: market.status.messages for name, market in markets.items()}
        prev, self._prev = self._prev, (now, status.messages, per)
        if prev is None:
            return
        t0, n0, per0 = prev
        dt = max(now - t0, 1e-6)
        status.msgs_per_s = round((status.messages - n0) / dt, 1)
        for name, market in markets.items():
            ms = market.status
            ms.msgs_per_s = round((ms.messages - per0.get(name, 0)) / dt, 1)


def shown_status(st: ConnectionStatus, now: float) -> tuple[object, ...]:
    """The link's figures as the status bar shows them: whole messages a second and
    milliseconds (2.1 and 1.9 msg/s are both "2 msg/s": no repaint), and whether the last
    message is a second old or more (the age turns from tenths to seconds)."""
    last = st.last_message_at
    return (st.state, f"{st.msgs_per_s:.0f}", st.reconnects,
            None if st.latency_ms is None else f"{st.latency_ms:.0f}", st.frames_rejected,
            st.last_error, last is not None and now - last >= 1.0)
