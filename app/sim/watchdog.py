"""Per-connection timers: the idle timeout, and the faults that fire at a connection's age.

One task per connection sleeps until the nearest deadline, so a quiet server costs nothing
and each fault fires on time whatever the traffic.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from dfx_tui.app.sim import wire
from dfx_tui.app.sim.config import SimConfig
from dfx_tui.app.sim.faults import crossed_update
from dfx_tui.app.sim.market import MarketModel
from dfx_tui.app.sim.session import Session


async def watch(s: Session, cfg: SimConfig, detach: Callable[[Session], None],
                model: Callable[[str], MarketModel]) -> None:
    """Run until the connection is dropped, closed or stalled for good by a timer.

    `detach` takes the session off every subscriber list; `model` gives a market's model
    (for the crossed update, built from the book as it stands)."""
    loop = asyncio.get_running_loop()
    f = cfg.faults
    while True:
        now = loop.time()
        age = now - s.opened
        if f.drop_every and age >= f.drop_every:
            s.bump("drops")
            s.closed = True
            detach(s)
            if s.ws.transport is not None:
                s.ws.transport.abort()  # no close frame: a dead TCP link as the client sees it
            return
        if f.lifetime and age >= f.lifetime:
            s.bump("lifetime_closes")
            await s.ws.close(1000, "connection lifetime reached")
            return
        if f.stall_after and not s.stalled and age >= f.stall_after:
            s.bump("stalls")
            s.stalled = True
            detach(s)
        if f.crossed_after and not s.crossed_done and age >= f.crossed_after and s.depth:
            s.crossed_done = True
            s.send_raw(wire.encode(crossed_update(model(sorted(s.depth)[0]))), "crossed_sent")
        # A stalled server reads nothing either, so it never times a client out.
        idle = bool(cfg.idle_timeout) and not s.stalled
        if idle and now - s.last_recv >= cfg.idle_timeout:
            s.bump("idle_closes")
            detach(s)
            await s.ws.close(1000, "idle timeout")
            return
        deadlines = [s.last_recv + cfg.idle_timeout] if idle else []
        for t, pending in (
            (f.drop_every, True),
            (f.lifetime, True),
            (f.stall_after, not s.stalled),
            (f.crossed_after, not s.crossed_done),
        ):
            if t and pending:
                # crossed_after waits for a depth subscription: poll until there is one.
                deadlines.append(s.opened + t if s.opened + t > now else now + 0.05)
        if not deadlines:
            return
        await asyncio.sleep(max(0.0, min(deadlines) - now) + 0.001)
