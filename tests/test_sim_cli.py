"""The dfx-sim console script: prints its URL, serves, and stops cleanly on SIGTERM."""

from __future__ import annotations

import asyncio
import os
import re
import shlex
import signal
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from dfx_tui.app.sim.cli import build_parser, config_from_args
from tests.support.sim_helpers import Client


def _script() -> list[str]:
    exe = Path(sysconfig.get_path("scripts")) / "dfx-sim"
    if exe.exists():
        return [str(exe)]
    return [sys.executable, "-m", "dfx_tui.app.sim.cli"]


def test_flags_map_to_config() -> None:
    argv = (
        "--markets btc_usdt,SHIB_USDT --seed 5 --rate 1250 --subscribe-mode add "
        "--idle-timeout 9 --drop-every 3 --stall-after 4 --corrupt-every 7 --crossed-after 2 "
        "--refuse-handshakes 2 --text-acks --snapshot-before-ack --lifetime 7200"
    )
    c = config_from_args(build_parser().parse_args(shlex.split(argv)))
    assert c.markets == ("BTC_USDT", "SHIB_USDT") and c.seed == 5 and c.rate == 1250
    assert c.subscribe_mode == "add" and c.idle_timeout == 9
    f = c.faults
    assert (f.drop_every, f.stall_after, f.corrupt_every, f.crossed_after) == (3, 4, 7, 2)
    assert f.refuse_handshakes == 2 and f.text_acks and f.snapshot_before_ack and f.lifetime == 7200


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
async def test_cli_listens_serves_and_stops(sig: signal.Signals) -> None:
    proc = await asyncio.create_subprocess_exec(
        *_script(),
        "--port",
        "0",
        "--markets",
        "BTC_USDT,ETH_USDT",
        "--seed",
        "1",
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONUNBUFFERED": "0"},
    )
    try:
        line = (await asyncio.wait_for(proc.stdout.readline(), 8)).decode()
        m = re.search(r"listening on (ws://127\.0\.0\.1:(\d+)/ws/v1/)", line)
        assert m, line
        async with await Client.open(m.group(1)) as c:
            assert (await c.call("server.ping"))["result"] == "pong"
            assert (await c.call("depth.subscribe", ["ETH_USDT"]))["result"] == {
                "status": "success"
            }
            assert (await c.push("depth.update"))["params"][2] == "ETH_USDT"
            proc.send_signal(sig)
            assert await asyncio.wait_for(proc.wait(), 8) == 0
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
