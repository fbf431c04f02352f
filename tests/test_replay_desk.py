"""The replay desk (issue 14): seeking, markets opened and closed as recorded, the REPLAY status,
the keys, --loop, and histories on the recording's clock.

One real session is recorded against dfx-sim (reconnects, a crossed update and corrupt frames on,
a market added and another closed mid-way) and replayed through the real core and the real app.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import re
import time
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dfx_tui.app.cli import UsageError, build_parser, config_from_args
from dfx_tui.app.config import AppConfig
from dfx_tui.app.feed import replay_index
from dfx_tui.app.feed.client import FeedClient
from dfx_tui.app.feed.notices import FeedNotice, NoticeKind
from dfx_tui.app.tui import DfxApp
from dfx_tui.book.state import ConnectionStatus, LinkState, ReplayStatus
from dfx_tui.widgets.status_bar import status_text
from tests.support.apps import fixed_app
from tests.support.replay_desk import (
    ADDED,
    DAY,
    MARKETS,
    control_of,
    depth_push,
    index_of,
    record_session,
    retimed,
    straight,
    until,
    view_of,
)


@pytest.fixture(scope="module")
def recording(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """`plain`: the session as recorded; `gz`: the same, gzip-compressed; `long`: stretched
    five times and moved a day back (keys that step 10 s; histories far from today)."""
    folder = tmp_path_factory.mktemp("replay-desk")
    plain = folder / "rec.jsonl"
    asyncio.run(record_session(plain))
    gz = folder / "rec.jsonl.gz"
    gz.write_bytes(gzip.compress(plain.read_bytes()))
    long = folder / "long.jsonl"
    retimed(plain, long, stretch=5.0, shift=-DAY)
    return {"plain": str(plain), "gz": str(gz), "long": str(long)}


# ------------------------------------------------------------------ (a) seeking
def test_the_recording_has_what_the_desk_needs(recording):
    index = index_of(recording["plain"])
    assert [e.markets for e in index.market_events] == [(*MARKETS, ADDED), ("BTC_USDT", ADDED)]
    assert len(index.connects) >= 2  # reconnects mid-way (drop_every)
    assert all(len(index.snapshots[m][0]) >= 3 for m in (*MARKETS, ADDED))
    assert 3.0 < index.end - index.start < 6.0
    gz = index_of(recording["gz"])
    assert (gz.start, gz.end, gz.snapshots, gz.market_events) == (
        index.start, index.end, index.snapshots, index.market_events)


def test_seeks_take_both_ways_and_match_a_straight_replay(recording):
    """Forward a little: played on from where it is. Back, or forward past a point where every
    market has a fresh snapshot: the books emptied and rebuilt from there. Same books."""
    path = recording["plain"]
    index = index_of(path)
    span = index.end - index.start
    middle = index.start + 0.5 * span
    near = next(middle + d for d in (0.001, 0.002, 0.005, 0.01, 0.02, 0.05)
                if index.rebuild_point(middle + d, MARKETS) == index.rebuild_point(middle, MARKETS))
    assert index.rebuild_point(index.end, MARKETS).t > near
    seeker = control_of(path)
    steps = [(index.start + 0.8 * span, 1), (middle, 2), (near, 2), (index.end, 3),
             (index.start, 4)]
    for target, rebuilds in steps:
        seeker.seek(target, 0.0)
        assert seeker.rebuilds == rebuilds, (target - index.start, rebuilds)
        assert view_of(seeker.core.markets) == straight(path, target), target - index.start


@pytest.mark.parametrize("kind", ["plain", "gz"])
@settings(max_examples=20, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(picks=st.lists(st.one_of(st.floats(-0.05, 1.05), st.integers(0, 10_000)),
                      min_size=1, max_size=6))
def test_seeking_anywhere_gives_the_books_of_a_straight_replay(recording, kind, picks):
    """Any sequence of seeks (random times, and exactly the times of snapshots and markets
    events, where ties happen) leaves every book as a replay from the start stopped there."""
    path = recording[kind]
    index = index_of(path)
    exact = sorted({index.start, index.end, *(e.t for e in index.market_events),
                    *(t for times, _ in index.snapshots.values() for t in times)})
    seeker = control_of(path)
    for pick in picks:
        if isinstance(pick, int):
            target = exact[pick % len(exact)]
        else:
            target = index.start + pick * (index.end - index.start)
        seeker.seek(target, 0.0)
        clamped = min(max(target, index.start), index.end)
        assert view_of(seeker.core.markets) == straight(path, clamped)


def test_a_short_tape_lookback_gives_the_newest_trades(recording, monkeypatch):
    monkeypatch.setattr(replay_index, "TAPE_LOOKBACK", 3000)  # bytes: a few lines
    path = recording["plain"]
    index = index_of(path)
    seeker = control_of(path)
    for fraction in (0.9, 0.3, 0.7):
        target = index.start + fraction * (index.end - index.start)
        seeker.seek(target, 0.0)
        straight = control_of(path)
        straight.advance_to(target)
        for name, market in straight.core.markets.items():
            mine = seeker.core.markets[name]
            assert mine.book.as_dict() == market.book.as_dict()
            ids = [t.id for t in mine.tape]
            assert ids == [t.id for t in market.tape][:len(ids)]


def test_a_market_closed_and_opened_again_starts_empty(tmp_path):
    """Closed and opened again, a market has a new, empty book until its next snapshot, in a
    seek as in a straight replay; a markets event naming nothing valid changes nothing."""
    a, b = "BTC_USDT", "ETH_USDT"
    lines: list[dict[str, Any]] = [
        {"t": 0.5, "meta": {"format": "dfx-tui-recording", "version": 1, "markets": [a]}},
        {"t": 1.0, "event": "connect", "url": "ws://x/"},
        {"t": 1.0, "frame": depth_push(a, True, "100", "101")},
        {"t": 2.0, "frame": depth_push(a, False, "99", "102")},
        {"t": 3.0, "event": "markets", "markets": [a, b]},
        {"t": 3.5, "frame": depth_push(b, True, "10", "11")},
        {"t": 4.0, "event": "markets", "markets": [b]},
        {"t": 4.5, "event": "markets", "markets": ["not a market", 7]},
        {"t": 5.0, "event": "markets", "markets": [b.lower(), a]},
        {"t": 6.0, "frame": depth_push(a, False, "98", "103")},  # before its snapshot: dropped
        {"t": 7.0, "frame": depth_push(b, True, "12", "13")},
        {"t": 8.0, "frame": depth_push(a, True, "97", "104")},
        {"t": 9.0, "frame": depth_push(b, False, "11", "14")},
    ]
    path = tmp_path / "reopen.jsonl"
    path.write_text("".join(json.dumps(x) + "\n" for x in lines))
    index = index_of(str(path))
    assert [e.markets for e in index.market_events] == [(a, b), (b,), (b, a)]
    seeker = control_of(str(path), (a,))
    for target in (6.5, 2.5, 8.5, 4.2, 9.0, 1.0, 5.0, 7.5, 3.7):
        seeker.seek(target, 0.0)
        assert view_of(seeker.core.markets) == straight(str(path), target, (a,)), target
    seeker.seek(6.5, 0.0)
    assert list(seeker.core.markets) == [b, a]
    assert not seeker.core.markets[a].book.has_snapshot
    assert seeker.core.markets[b].book.as_dict()["bids"] == [["10", "2"]]


# ------------------------------------------------------------------ (b) markets come and go
def test_markets_open_and_close_during_a_replay(recording):
    path = recording["plain"]
    index = index_of(path)
    added, closed = index.market_events
    control = control_of(path)
    seen: list[tuple[str, ...]] = []
    for target in (added.t - 0.01, added.t, closed.t - 0.01, closed.t, index.end):
        control.advance_to(target)
        seen.append(tuple(control.core.markets))
    assert seen == [MARKETS, (*MARKETS, ADDED), (*MARKETS, ADDED), ("BTC_USDT", ADDED),
                    ("BTC_USDT", ADDED)]
    assert control.core.markets[ADDED].book.has_snapshot


async def test_tabs_follow_the_recorded_markets(recording):
    app = DfxApp(AppConfig(markets=list(MARKETS), replay=recording["plain"], speed=0.0))
    async with app.run_test(size=(120, 30)) as pilot:
        assert app.feed is not None and app.replay is not None
        await until(pilot, lambda: app.replay is not None and app.replay.status.ended)
        await pilot.pause(0.1)
        assert app.markets_screen.open_markets == ("BTC_USDT", ADDED)
        await pilot.press("space", "comma")  # pause, back to the start
        await until(pilot, lambda: app.markets_screen.open_markets == MARKETS)
        shown = app.markets_screen.markets
        assert all(shown[n] is app.feed.markets[n] for n in MARKETS)  # the feed's own markets
        await pilot.press("space")
        await until(pilot, lambda: app.markets_screen.open_markets == ("BTC_USDT", ADDED))


# ------------------------------------------------------------------ (c) the status bar
_SHOWN = re.compile(r"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) UTC [━╸─]+ (\d+:\d\d)/(\d+:\d\d) │ (\S+)")


def test_a_replay_is_never_shown_live():
    replay = ReplayStatus(start=100.0, end=160.0, anchor=130.0, speed=4.0, ready=True,
                          paused=True)
    text = status_text(ConnectionStatus(state=LinkState.LIVE, replay=replay), 0.0).plain
    assert "LIVE" not in text and "REPLAY" in text and "PAUSED" in text
    assert "1970-01-01 00:02:10 UTC ━━━━━━━─────── 0:30/1:00 │ ×4" in text


async def test_status_bar_says_replay_with_time_position_and_speed(recording):
    path = recording["long"]
    index = index_of(path)
    app = DfxApp(AppConfig(markets=list(MARKETS), replay=path, speed=2.0))
    async with app.run_test(size=(120, 30)) as pilot:
        bar = app.markets_screen.status_bar
        await until(pilot, lambda: "UTC" in bar.plain)
        shown = []
        for _ in range(15):
            await pilot.pause(0.1)
            text = bar.plain
            assert "REPLAY" in text and "LIVE" not in text, text
            shown.append(text)
        assert app.feed is not None and app.feed.status.state is LinkState.LIVE  # underneath
        found = [_SHOWN.search(text) for text in shown]
        assert all(found), shown
        times = [datetime.strptime(m[1], "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC).timestamp()
                 for m in found if m]
        assert times == sorted(times) and times[-1] > times[0]
        assert all(int(index.start) <= t <= index.end for t in times)
        total = int(index.end - index.start)
        assert {m[3] for m in found if m} == {f"{total // 60}:{total % 60:02d}"}
        assert {m[4] for m in found if m} == {"×2"}
        await pilot.press("space")
        await pilot.pause(0.05)
        assert "PAUSED" in bar.plain
        await pilot.press("full_stop", "full_stop", "full_stop")  # to the end
        await until(pilot, lambda: "END" in bar.plain)
        assert "LIVE" not in bar.plain


# ------------------------------------------------------------------ (d) the keys
async def test_every_replay_key(recording):
    path = recording["long"]
    app = DfxApp(AppConfig(markets=list(MARKETS), replay=path, speed=0.5))
    async with app.run_test(size=(120, 30)) as pilot:
        replay = app.replay
        assert replay is not None and app.feed is not None
        status = replay.status
        await until(pilot, lambda: status.ready)
        ids = {b.binding.id for b in app.screen.active_bindings.values()}
        assert {"replay-pause", "replay-faster", "replay-slower", "replay-forward",
                "replay-back"} <= ids
        await pilot.press("space")
        assert status.paused
        held = status.anchor
        await pilot.pause(0.3)
        assert replay.clock(time.monotonic()) == held  # paused: the clock stands
        await pilot.press("greater_than_sign")
        assert status.speed == 1.0
        await pilot.press("less_than_sign", "less_than_sign")
        assert status.speed == 0.25
        await pilot.press("full_stop")
        assert status.anchor == pytest.approx(held + 10.0)
        await pilot.pause(0.05)
        assert view_of(app.feed.markets) == straight(path, status.anchor)
        await pilot.press("comma")
        assert status.anchor == pytest.approx(held)
        assert view_of(app.feed.markets) == straight(path, status.anchor)
        await pilot.press("space")
        await until(pilot, lambda: replay.clock(time.monotonic()) > held + 0.1)


async def test_replay_keys_are_hidden_and_inert_when_live():
    app = fixed_app()
    async with app.run_test(size=(120, 30)) as pilot:
        ids = {b.binding.id for b in app.screen.active_bindings.values()}
        assert not any(i and i.startswith("replay-") for i in ids)
        await pilot.pause(0.05)
        before = app.markets_screen.status_bar.plain
        await pilot.press("space", "full_stop", "comma", "greater_than_sign")
        await pilot.pause(0.05)
        assert app.markets_screen.status_bar.plain == before
        assert before.startswith(" LIVE ") and "REPLAY" not in before


# ------------------------------------------------------------------ (e) --loop
def test_loop_flag(recording):
    args = build_parser().parse_args(["--replay", recording["plain"], "--loop"])
    assert config_from_args(args).replay_loop
    for argv in (["--loop"], ["--replay", recording["plain"], "--loop", "--once"]):
        with pytest.raises(UsageError, match="--loop"):
            config_from_args(build_parser().parse_args(argv))


async def test_loop_starts_again_at_the_end(recording):
    path = recording["plain"]
    index = index_of(path)
    notices: list[FeedNotice] = []
    feed = FeedClient(AppConfig(markets=list(MARKETS), replay=path, speed=8.0,
                                replay_loop=True), notices.append)
    await feed.start()
    try:
        assert feed.replay is not None
        while not feed.replay.status.ready:
            await asyncio.sleep(0.01)
        clock, went_back = [], 0
        deadline = time.monotonic() + 10.0
        while went_back < 2 and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
            clock.append(feed.wall_time())
            if len(clock) > 1 and clock[-1] < clock[-2]:
                went_back += 1
        assert went_back >= 2, clock
        assert all(index.start <= t <= index.end for t in clock)
        assert not feed.replay_done
        assert NoticeKind.REPLAY_DONE not in [n.kind for n in notices]
        assert feed.replay.lines_played > 2 * index.lines
    finally:
        await feed.stop()


# ------------------------------------------------------------------ (f) histories
async def test_heatmap_history_runs_on_the_recordings_clock(recording):
    path = recording["long"]  # recorded "a day ago"
    index = index_of(path)
    app = DfxApp(AppConfig(markets=list(MARKETS), replay=path, speed=4.0, fps=20.0))
    async with app.run_test(size=(120, 30)) as pilot:
        assert app.feed is not None and app.replay is not None
        heatmap = app.feed.markets["BTC_USDT"].analytics.heatmap
        await until(pilot, lambda: len(heatmap.spans()) > 0 and
                     heatmap.spans()[-1][1] - heatmap.spans()[0][0] > 4.0)
        now = time.time()
        for t0, t1 in heatmap.spans():
            assert index.start <= t0 <= t1 <= index.end
            assert now - t1 > DAY - 60  # a day back: not the system's clock
        trades = list(heatmap.trades(index.start - 600, index.end))
        assert trades and all(t < now - DAY + 60 for t, _, _ in trades)
        # A seek back: the history starts again there (it never goes back in time).
        await pilot.press("space", "comma")
        target = app.replay.status.anchor
        await pilot.press("space")
        await until(pilot, lambda: app.feed is not None and
                     len(app.feed.markets["BTC_USDT"].analytics.heatmap.spans()) > 0)
        spans = app.feed.markets["BTC_USDT"].analytics.heatmap.spans()
        assert spans[0][0] >= target
