"""The requests that open, show and close a market's tab: posted by the tab line, the keys and
the command palette (widgets/market_commands.py), handled by the screen or the app that owns
the feed. Apart from the palette's providers, which are imported when the palette first opens
(cold start: with them and the help screen, ~2 ms of every start)."""

from __future__ import annotations

from textual.message import Message


class AddMarketRequest(Message):
    """Open a tab for `market` (already normalised) and subscribe to it."""

    def __init__(self, market: str) -> None:
        super().__init__()
        self.market = market


class ShowMarketRequest(Message):
    """Switch to the open tab of `market`."""

    def __init__(self, market: str) -> None:
        super().__init__()
        self.market = market


class CloseMarketRequest(Message):
    """Close the tab of `market` and unsubscribe."""

    def __init__(self, market: str) -> None:
        super().__init__()
        self.market = market
