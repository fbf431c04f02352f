"""dfx-tui's command line: usage errors, --once (text and JSON), replay, the lazy UI import."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import types
from collections.abc import Iterator

import pytest

from dfx_tui.app import cli
from dfx_tui.app.config import CN_URL
from dfx_tui.app.sim.server import SimConfig, SimServer
from tests.support.sim_helpers import serving_in_thread


@pytest.fixture
def sim_url() -> Iterator[str]:
    """A dfx-sim on its own thread and loop, since `cli.main` runs its own asyncio loop."""
    sim = SimServer(SimConfig(markets=("BTC_USDT", "ETH_USDT"), seed=3, rate=30.0),
                    host="127.0.0.1", port=0)
    with serving_in_thread(sim):
        yield sim.url


@pytest.mark.parametrize("argv, needle", [
    (["BTC-USDT"], "not a market name"),
    (["--once", "--url", "http://example.com/ws"], "ws:// or wss://"),
    (["--once", "--url", "wss:///ws/v1/"], "no host"),
    (["--once", "--url", "ws://h:99999/"], "bad port"),
    (["--replay", "/nonexistent/rec.jsonl"], "cannot replay"),
    (["--replay", "x.jsonl", "--speed", "-1"], "--speed"),
    (["--once", "--depth", "0"], "--depth"),
    (["--json"], "--json only works with --once"),
    (["--cn", "--url", "ws://h/"], "cannot be used together"),
    (["--demo", "--replay", "x"], "cannot be used together"),
    (["--speed", "fast"], "invalid float"),
    (["--bogus"], "unrecognized"),
])
def test_usage_errors_are_one_line_exit_2(capsys, argv, needle):
    assert cli.main(argv) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1 and needle in err and "Traceback" not in err


def test_unreadable_replay_file(tmp_path, capsys):
    bad = tmp_path / "bad.jsonl"
    bad.write_text("hello\n")
    assert cli.main(["--replay", str(bad)]) == 2
    assert "not a dfx-tui recording" in capsys.readouterr().err


def test_help_reads_well(capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main(["--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    for text in ("examples:", "--once", "--replay", "--record", "--speed", "--cn", "exit status"):
        assert text in out


def test_version(capsys):
    with pytest.raises(SystemExit):
        cli.main(["--version"])
    assert capsys.readouterr().out.startswith("dfx-tui ")


def test_config_from_args():
    args = cli.build_parser().parse_args(["eth_usdt", "ETH_USDT", "btc_usdt", "--cn", "--fps", "5"])
    cfg = cli.config_from_args(args)
    assert cfg.markets == ["ETH_USDT", "BTC_USDT"] and cfg.url == CN_URL and cfg.fps == 5
    cfg = cli.config_from_args(cli.build_parser().parse_args([]))
    assert cfg.markets == ["BTC_USDT"] and cfg.url.startswith("wss://openapi.digifinex.com")


def test_once_json_against_sim(sim_url, capsys):
    rc = cli.main(["--once", "--json", "--depth", "3", "--wait", "0.2", "--url", sim_url,
                   "btc_usdt", "eth_usdt"])
    out, err = capsys.readouterr()
    assert rc == 0, err
    doc = json.loads(out)
    assert list(doc["markets"]) == ["BTC_USDT", "ETH_USDT"]
    for m in doc["markets"].values():
        bids, asks = m["bids"], m["asks"]
        assert len(bids) == 3 and len(asks) == 3
        assert all(isinstance(p, str) and isinstance(a, str) for p, a in bids + asks)
        assert [float(p) for p, _ in bids] == sorted((float(p) for p, _ in bids), reverse=True)
        assert [float(p) for p, _ in asks] == sorted(float(p) for p, _ in asks)
        assert float(bids[0][0]) < float(asks[0][0])
        assert m["best_bid"] == bids[0][0] and m["best_ask"] == asks[0][0]
        assert m["trades"] and {"id", "time", "price", "amount", "type"} <= set(m["trades"][0])


def test_once_text_against_sim(sim_url, capsys):
    assert cli.main(["--once", "--depth", "2", "--url", sim_url, "ETH_USDT"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("ETH_USDT  bid ") and "spread" in out and "BIDS" in out


def test_once_unknown_market_fails_with_reason(sim_url, capsys):
    assert cli.main(["--once", "--url", sim_url, "BTC_USDT", "NOPE_USDT"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "NOPE_USDT" in err


def test_once_unreachable_fails_fast(capsys):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    t0 = time.monotonic()
    assert cli.main(["--once", "--url", f"ws://127.0.0.1:{port}/ws/v1/"]) == 1
    assert time.monotonic() - t0 < 8
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "cannot reach" in err and "refused" in err


def test_once_timeout_when_handshake_hangs(capsys):
    # A TCP listener that never answers the WebSocket handshake.
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen()
    try:
        t0 = time.monotonic()
        rc = cli.main(["--once", "--timeout", "0.5", "--url",
                       f"ws://127.0.0.1:{s.getsockname()[1]}/ws/v1/"])
        assert rc == 1 and time.monotonic() - t0 < 2
    finally:
        s.close()
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "within 0.5 s" in err


def test_once_demo_and_record_then_once_replay(tmp_path, capsys):
    rec = str(tmp_path / "demo.jsonl.gz")
    assert cli.main(["--once", "--demo", "--json", "--record", rec, "ETH_USDT"]) == 0
    live = json.loads(capsys.readouterr().out)
    assert cli.main(["--once", "--json", "--replay", rec, "--speed", "0"]) == 0
    replayed = json.loads(capsys.readouterr().out)
    assert replayed["markets"]["ETH_USDT"]["bids"] == live["markets"]["ETH_USDT"]["bids"]
    assert replayed["markets"]["ETH_USDT"]["asks"] == live["markets"]["ETH_USDT"]["asks"]
    assert replayed["markets"]["ETH_USDT"]["trades"] == live["markets"]["ETH_USDT"]["trades"]


def test_interactive_mode_hands_config_to_run_tui(monkeypatch):
    seen = {}
    fake = types.ModuleType("dfx_tui.app.tui")
    fake.run_tui = lambda config: seen.setdefault("config", config) and 7  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "dfx_tui.app.tui", fake)
    assert cli.main(["--demo", "--fps", "20", "xrp_usdt"]) == 7
    cfg = seen["config"]
    assert cfg.demo and cfg.fps == 20 and cfg.markets == ["XRP_USDT"]


def test_headless_never_imports_textual():
    code = ("import sys; from dfx_tui.app import cli; "
            "rc = cli.main(['--once', '--demo', '--depth', '1']); "
            "assert 'textual' not in sys.modules, 'textual imported'; sys.exit(rc)")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=30)
    assert res.returncode == 0, res.stderr
    assert res.stdout.startswith("BTC_USDT")
