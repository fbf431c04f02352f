"""Recording integrity (issue 7): `kill -9` during `--record` loses at most the last second.

A real `dfx-tui --once --wait ... --record FILE` process records from dfx-sim (on a thread in
this process, so its per-connection counters can be read), is SIGKILLed, and the file is
checked: every line but a torn last one parses, it holds at least every frame the sim had
sent a second and a half before the kill, and replay reads it, warning about a torn tail.
"""

from __future__ import annotations

import gzip
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from dfx_tui.app import cli
from dfx_tui.app.feed.recorder import read_recording
from dfx_tui.app.sim.server import SimConfig
from tests.support.feed import assert_books_match, fast_config, wait_until
from tests.support.hostile_sim import HostileSim
from tests.support.sim_helpers import serving_in_thread

MARKETS = ("BTC_USDT", "ETH_USDT")
FLUSH_SLACK_S = 1.5  # the recorder flushes once a second; allow half a second of scheduling


@pytest.fixture
def thread_sim() -> Iterator[HostileSim]:
    with serving_in_thread(HostileSim(SimConfig(markets=MARKETS, seed=9, rate=60.0,
                                                trade_rate=5.0))) as sim:
        yield sim


def _raw_lines(path: Path) -> list[bytes]:
    data = path.read_bytes()
    if path.suffix == ".gz":
        d = __import__("zlib").decompressobj(31)  # gzip, tolerant of a missing trailer
        data = d.decompress(data)
    return data.split(b"\n")


def _wait(pred, timeout: float, what: str) -> None:
    t0 = time.monotonic()
    while not pred():
        if time.monotonic() - t0 > timeout:
            pytest.fail(f"timed out after {timeout:g} s waiting for {what}")
        time.sleep(0.02)


@pytest.mark.parametrize("suffix", [".jsonl", ".jsonl.gz"])
def test_kill_9_during_record(tmp_path, thread_sim, capsys, suffix):
    path = tmp_path / f"rec{suffix}"
    proc = subprocess.Popen(
        [sys.executable, "-m", "dfx_tui.app.cli", "--once", "--wait", "60", "--timeout", "20",
         "--record", str(path), "--url", thread_sim.url, *MARKETS],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        _wait(lambda: thread_sim.sessions and thread_sim.sessions[0].stats.snapshots_sent >= 2,
              15, "the recorder's connection to subscribe")
        session = thread_sim.sessions[0]
        time.sleep(1.0)  # recording for a while
        sent_before = session.stats.frames_sent  # all of these must be in the file
        time.sleep(FLUSH_SLACK_S)
        sent_at_kill = session.stats.frames_sent
        assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(5)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(5)
        if proc.stderr:
            proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL

    lines = [x for x in _raw_lines(path) if x.strip()]
    parsed, torn = [], 0
    for i, raw in enumerate(lines):
        try:
            parsed.append(json.loads(raw))
        except ValueError:
            assert i == len(lines) - 1, f"line {i + 1} of {len(lines)} is broken"
            torn += 1
    assert parsed[0]["meta"]["format"] == "dfx-tui-recording"
    frames = sum("frame" in x for x in parsed)
    # Every frame sent up to 1.5 s before the kill was received and flushed.
    assert frames >= sent_before, (frames, sent_before, sent_at_kill)
    assert frames <= sent_at_kill
    assert [x for x in read_recording(str(path)) if "frame" in x].__len__() == frames

    # Replay reads it (as fast as possible) and gives a book.
    rc = cli.main(["--once", "--json", "--replay", str(path), "--speed", "0", *MARKETS])
    out, err = capsys.readouterr()
    assert rc == 0, err
    doc = json.loads(out)
    for m in MARKETS:
        assert doc["markets"][m]["bids"] and doc["markets"][m]["asks"]
    if torn or suffix.endswith(".gz"):
        assert "warning" in err and "truncated" in err, err


def test_replay_warns_about_a_torn_last_line(tmp_path, capsys):
    path = tmp_path / "torn.jsonl"
    snap = {"method": "depth.update", "id": None,
            "params": [True, {"asks": [["101", "1"]], "bids": [["100", "1"]]}, "BTC_USDT"]}
    lines = [{"t": 0.0, "meta": {"format": "dfx-tui-recording", "version": 1,
                                 "markets": ["BTC_USDT"], "url": "ws://x/"}},
             {"t": 1.0, "event": "connect", "url": "ws://x/"}, {"t": 1.0, "frame": snap}]
    text = "".join(json.dumps(x) + "\n" for x in lines) + '{"t": 2.0, "frame": {"meth'
    path.write_text(text)
    assert cli.main(["--once", "--json", "--replay", str(path), "--speed", "0"]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out)["markets"]["BTC_USDT"]["best_bid"] == "100"
    assert err.count("\n") == 1 and "warning" in err and "truncated" in err
    # and the same cut inside a gzip stream
    gz = tmp_path / "torn.jsonl.gz"
    blob = gzip.compress(text.encode())
    gz.write_bytes(blob[: len(blob) - 12])  # no trailer, tail of the data missing
    assert cli.main(["--once", "--json", "--replay", str(gz), "--speed", "0"]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out)["markets"]["BTC_USDT"]["best_bid"] == "100"
    assert "warning" in err and "truncated" in err


# ------------------------------------------------------------------ the disk fills up
async def test_recording_to_a_full_disk_never_stops_the_feed(sim_factory, feed_factory):
    sim = await sim_factory()
    h = await feed_factory(fast_config(sim.url, MARKETS, record="/dev/full"))
    assert await h.feed.wait_ready(5)
    assert h.feed.recorder is None
    assert "recording stopped" in h.feed.status.last_error
    assert any(n.kind == "error" and "No space left" in n.text for n in h.notices)
    await assert_books_match(h.feed, sim)


async def test_disk_full_mid_recording_stops_recording_only(tmp_path, sim_factory, feed_factory):
    path = tmp_path / "rec.jsonl"
    sim = await sim_factory()
    h = await feed_factory(fast_config(sim.url, MARKETS, record=str(path)))
    assert await h.feed.wait_ready(5)
    rec = h.feed.recorder
    assert rec is not None
    rec.flush()
    kept = len(list(read_recording(str(path))))
    rec._raw.close()
    rec._raw = open("/dev/full", "wb", buffering=0)  # noqa: SIM115  # every write fails now
    await wait_until(lambda: h.feed.recorder is None, 3, "the recording to stop")
    assert "recording stopped" in h.feed.status.last_error
    assert h.feed.status.reconnects == 0
    await assert_books_match(h.feed, sim)
    assert len(list(read_recording(str(path)))) >= kept  # what was written stays readable
