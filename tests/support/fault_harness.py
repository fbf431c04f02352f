"""The fault matrix's harness: its timing constants, and the real DfxApp (headless, with its
real FeedClient) whose status bar texts are recorded as shown. The `hostile` fixture (a
HostileSim with the SNAPSHOT_S interval) is in tests/conftest.py."""

from __future__ import annotations

import contextlib
import re
import unicodedata
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field
from typing import Any

from dfx_tui.app.feed.client import FeedClient
from tests.support.feed import fast_config

MARKETS = ("BTC_USDT", "ETH_USDT")
SNAPSHOT_S = 2.0  # the sim's periodic snapshot interval in these tests
BACKOFF_S = 0.25  # reconnect delay of the apps under test (base = cap), +-25 % jitter
# "The book equals the truth within one snapshot interval" (plus one reconnect delay where a
# reconnect is involved, plus slack for a shared, noisy 2-core machine).
RECOVER_S = SNAPSHOT_S + BACKOFF_S * 1.25 + 2.0

_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


@dataclass
class AppRun:
    app: Any
    pilot: Any
    feed: FeedClient
    seen: list[str] = field(default_factory=list)  # every status bar text shown, in order
    notes: list[tuple[str, str]] = field(default_factory=list)  # (severity, message) toasts

    @property
    def bar(self) -> str:
        return self.app._main.status_bar.plain

    def saw(self, text: str) -> bool:
        return any(text in s for s in self.seen)

    def screen_text(self) -> list[str]:
        """Every cell of the current screen, line by line, as the terminal would get it."""
        strips = self.app.screen._compositor.render_strips()
        return ["".join(seg.text for seg in strip) for strip in strips]


@contextlib.asynccontextmanager
async def app_against(url: str, markets: Iterable[str] = MARKETS, *, size=(150, 40),
                      **overrides: Any) -> AsyncIterator[AppRun]:
    """The real DfxApp headless with its real FeedClient (short timeouts, short backoff)."""
    from dfx_tui.app.tui import DfxApp

    config = fast_config(url, markets, **{"fps": 30.0, **overrides})
    feed = FeedClient(config, backoff_base=BACKOFF_S, backoff_max=BACKOFF_S)
    app = DfxApp(config, feed=feed)
    feed.on_notice = app._on_feed_notice  # what on_load wires when it builds the feed itself
    notes: list[tuple[str, str]] = []
    real_notify = app.notify

    def notify(message: str, *a: Any, **k: Any) -> None:
        notes.append((str(k.get("severity", "information")), str(message)))
        real_notify(message, *a, **k)

    app.notify = notify  # type: ignore[method-assign]
    async with app.run_test(size=size) as pilot:
        run = AppRun(app, pilot, feed, notes=notes)
        bar = app._main.status_bar
        real_update = bar.update_view

        def spy(*a: Any, **k: Any) -> bool:
            changed = real_update(*a, **k)
            if changed:
                run.seen.append(bar.plain)
            return changed

        bar.update_view = spy  # type: ignore[method-assign]
        yield run


def control_chars(text: str) -> list[str]:
    """Characters that would act on a terminal (C0/C1 controls, DEL, bidi overrides)."""
    return [f"U+{ord(c):04X}" for c in _CONTROL.findall(text)] + [
        f"U+{ord(c):04X}" for c in text if unicodedata.category(c) in ("Zl", "Zp")]
