"""The end-to-end benchmark still runs and prints every figure (a tiny load, no timings).

Only keys and types are checked: timed assertions do not belong in the test suite on a
shared machine. The real run is `python tests/benchmarks/bench_app.py`.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).parent / "benchmarks" / "bench_app.py"

LOAD_KEYS = {
    "msgs_per_s": (int, float),
    "app_cpu_per_s": (int, float),
    "bare_cpu_per_s": (int, float),
    "cpu_ratio": (int, float, type(None)),
    "repaints_per_s": (int, float),
    "staleness_ms_p50": (int, float, type(None)),
    "staleness_ms_p99": (int, float, type(None)),
    "tab_switch_ms_p50": (int, float, type(None)),
    "tab_switch_ms_p99": (int, float, type(None)),
    "peak_rss_mb": (int, float),
    "kept_up": (bool,),
}


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc, uses a pty")
@pytest.mark.timeout(90)
def test_bench_app_prints_every_figure() -> None:
    proc = subprocess.run(
        [sys.executable, str(BENCH), "--seconds", "1.2", "--tab-seconds", "1.2", "--loads", "40", "--settle", "0.3",
         "--idle-seconds", "0.5", "--cold-runs", "1", "--many", "2"],
        capture_output=True, text=True, timeout=80)
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = json.loads(proc.stdout)
    assert isinstance(out["loads"], list) and len(out["loads"]) == 1
    load = out["loads"][0]
    for key, types in LOAD_KEYS.items():
        assert key in load, key
        assert isinstance(load[key], types), (key, load[key])
    assert load["msgs_per_s"] == 40
    assert load["app_cpu_per_s"] >= 0 and load["peak_rss_mb"] > 0
    assert load["tab_switches"] >= 1
    for key in ("idle_cpu_per_s", "cold_start_s", "rss_mb_10_markets"):
        assert isinstance(out[key], int | float), (key, out[key])
