"""Record a live session (faults on), replay it: the same final books, through the same path."""

from __future__ import annotations

import asyncio
import gzip
import json
import time

import pytest

from dfx_tui.app.config import AppConfig
from dfx_tui.app.feed.client import FeedClient
from dfx_tui.app.feed.recorder import Recorder, read_header, read_recording
from dfx_tui.app.sim.server import Faults
from dfx_tui.book.state import MarketState
from tests.support.feed import assert_books_match, fast_config

MARKETS = ("BTC_USDT", "ETH_USDT")


async def replay(path: str, markets=MARKETS, speed: float = 0.0) -> FeedClient:
    feed = FeedClient(AppConfig(markets=list(markets), replay=path, speed=speed))
    notices = []
    feed.on_notice = notices.append
    await feed.start()
    for _ in range(1000):
        if feed.replay_done:
            break
        await asyncio.sleep(0.01)
    await feed.stop()
    assert feed.replay_done and [n.kind for n in notices][-1:] == ["replay_done"]
    return feed


def snapshot_of(feed: FeedClient) -> dict:
    return {n: (m.book.as_dict(), [t.id for t in m.tape], str(m.status.state))
            for n, m in feed.markets.items()}


@pytest.mark.parametrize("suffix", [".jsonl", ".jsonl.gz"])
async def test_record_then_replay_gives_the_same_books(tmp_path, sim_factory, feed_factory,
                                                       suffix):
    path = str(tmp_path / f"rec{suffix}")
    sim = await sim_factory(faults=Faults(drop_every=0.6, crossed_after=0.2, corrupt_every=7))
    h = await feed_factory(fast_config(sim.url, MARKETS, record=path))
    await asyncio.sleep(1.5)
    await assert_books_match(h.feed, sim)
    live = snapshot_of(h.feed)
    assert h.feed.status.reconnects >= 1 and h.feed.status.frames_rejected >= 1
    assert any(m.status.resyncs for m in h.feed.markets.values())
    await h.feed.stop()
    if suffix.endswith(".gz"):
        with open(path, "rb") as fh:
            assert fh.read(2) == b"\x1f\x8b"
    meta = read_header(path)
    assert meta["markets"] == list(MARKETS) and meta["url"] == sim.url
    lines = list(read_recording(path))
    assert sum("frame" in x for x in lines) > 50
    assert sum(x.get("event") == "connect" for x in lines) == h.feed.status.reconnects + 1
    replayed = await replay(path)
    assert snapshot_of(replayed) == live
    for m in MARKETS:
        assert replayed.markets[m].book.as_dict() == sim.truth(m)


async def test_recording_survives_a_kill(tmp_path):
    """Flushed data is readable without close(): a kill loses at most the last second."""
    for name in ("k.jsonl", "k.jsonl.gz"):
        path = str(tmp_path / name)
        rec = Recorder(path, ["BTC_USDT"], "ws://x/")
        for i in range(100):
            rec.frame({"id": i, "result": "pong", "error": None}, time.monotonic())
        rec.flush()
        rec.frame({"id": 999, "result": "pong", "error": None}, time.monotonic())  # unflushed
        got = [x for x in read_recording(path) if "frame" in x]  # writer still open: "killed"
        assert [x["frame"]["id"] for x in got][:100] == list(range(100))
        rec.close()
        rec.close()


def test_torn_last_line_is_skipped(tmp_path):
    path = tmp_path / "torn.jsonl"
    path.write_text('{"t": 1, "meta": {"format": "dfx-tui-recording", "version": 1, '
                    '"markets": ["BTC_USDT"]}}\n{"t": 2, "frame": {"id": 1, "result": 1}}\n'
                    '{"t": 3, "fra')
    assert len(list(read_recording(str(path)))) == 2


def test_not_a_recording(tmp_path):
    bad = tmp_path / "x.jsonl"
    bad.write_text('{"hello": 1}\n')
    with pytest.raises(ValueError):
        read_header(str(bad))
    with pytest.raises(ValueError):
        read_header(str(tmp_path / "missing.jsonl"))
    gz = tmp_path / "y.jsonl.gz"
    gz.write_bytes(gzip.compress(b"not json\n"))
    with pytest.raises(ValueError):
        read_header(str(gz))


def _synthetic(path, span: float) -> None:
    snap = {"method": "depth.update", "id": None,
            "params": [True, {"asks": [["101", "1"]], "bids": [["100", "1"]]}, "BTC_USDT"]}
    delta = {"method": "depth.update", "id": None,
             "params": [False, {"asks": [["101", "0"], ["102", "3"]], "bids": []}, "BTC_USDT"]}
    lines = [{"t": 0.0, "meta": {"format": "dfx-tui-recording", "version": 1,
                                 "markets": ["BTC_USDT"], "url": "ws://x/"}},
             {"t": 10.0, "event": "connect", "url": "ws://x/"},
             {"t": 10.0, "frame": snap}, {"t": 10.0 + span, "frame": delta}]
    path.write_text("".join(json.dumps(x) + "\n" for x in lines))


async def test_replay_speed(tmp_path):
    path = tmp_path / "s.jsonl"
    _synthetic(path, 0.4)
    t0 = time.monotonic()
    feed = await replay(str(path), ["BTC_USDT"], speed=2.0)
    took = time.monotonic() - t0
    assert 0.19 <= took < 1.0
    assert feed.markets["BTC_USDT"].book.as_dict() == {"bids": [["100", "1"]],
                                                       "asks": [["102", "3"]]}
    assert feed.markets["BTC_USDT"].status.state is MarketState.LIVE
    t0 = time.monotonic()
    await replay(str(path), ["BTC_USDT"], speed=0)
    assert time.monotonic() - t0 < 0.2
