"""The analytics modules stay pure, and their benchmark runs and prints every figure.

The benchmark check is keys and types only, on a tiny load: timed assertions do not belong in
the suite on a shared machine. The real run is `python tests/benchmarks/bench_analytics.py`.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).parent / "benchmarks" / "bench_analytics.py"


def test_every_book_module_imports_no_ui_or_network_code():
    code = (
        "import importlib, pkgutil, sys\n"
        "import dfx_tui.book as book\n"
        "names = [m.name for m in pkgutil.iter_modules(book.__path__)]\n"
        "for name in names:\n"
        "    importlib.import_module('dfx_tui.book.' + name)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('textual', 'rich', 'websockets', 'asyncio') or m.startswith('dfx_tui.app') "
        "or m.startswith('dfx_tui.widgets'))\n"
        "print(','.join(names)); print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    names, bad = out.stdout.splitlines()
    for module in ("cursor", "price_ladder", "volume_profile", "liquidity_change",
                   "depth_signals", "tape_lines", "short_prices", "price_grid"):
        assert module in names.split(",")
    assert bad == "", f"dfx_tui.book pulled in: {bad}"


def test_benchmark_prints_every_figure():
    out = subprocess.run([sys.executable, str(BENCH), "--messages", "300", "--trades", "600",
                          "--repeat", "1"], capture_output=True, text=True, timeout=300,
                         check=True)
    figures = json.loads(out.stdout)
    expected = {"apply_us_per_msg", "hook_bookkeeping_us_per_msg",
                "liquidity_sample_us_per_stored_tick", "liquidity_changes_us_per_readout",
                "cursor_us_level_1", "cursor_us_level_last", "price_ladder_us_40_rows",
                "imbalance_us_10bps", "volume_at_price_us_per_trade",
                "volume_at_price_bytes_per_trade", "tape_merge_us_50_lines",
                "short_prices_us_40_rows"}
    assert expected <= figures.keys()
    for key in expected:
        assert isinstance(figures[key], int | float) and figures[key] > 0, key
