"""bench_views still runs and prints every figure (a tiny load, no timings asserted: timed
assertions do not belong in the suite on a shared machine). The real run is
`python tests/benchmarks/bench_views.py`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).parent / "benchmarks" / "bench_views.py"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc, uses a pty")
@pytest.mark.timeout(120)
def test_bench_views_prints_every_figure() -> None:
    proc = subprocess.run(
        [sys.executable, str(BENCH), "--seconds", "1", "--settle", "0.5", "--loads", "40",
         "--repeats", "1", "--alert-load", "40", "--alert-seconds", "3"],
        capture_output=True, text=True, timeout=110)
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = json.loads(proc.stdout)
    (load,) = out["loads"]
    (run,) = load["runs"]
    for key in ("ladder_cpu_per_s", "heatmap_cpu_per_s"):
        assert isinstance(run[key], int | float) and run[key] >= 0
    assert isinstance(load["cpu_ratio_median"], int | float | None)
    alerts = out["alerts"]
    assert alerts["alerts_fired"] >= 1 and alerts["samples"] >= 1
    assert isinstance(alerts["alert_notify_ms_p50"], float)
